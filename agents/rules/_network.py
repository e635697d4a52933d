"""Shared vectorised helpers of the learning rules: neighbourhoods, rivals and peers.

Not a rule (the registry skips modules whose name starts with ``_``). Every function costs
O(actors + alliance edges) and takes the arrays the engine hands a rule in ``Observation.extra``.

**Alliance neighbourhood.** The alliance neighbours of actor ``k`` at home in nation ``h`` are
every other actor at home in ``h`` (its nation's programme and labs; tie weight 1) and every actor
at home in a nation allied with ``h`` (tie weight ``w(h, j)``). A nation with no allies and no labs
has no neighbours.

**Rivals.** As in DESIGN.md section 2: actors ``m != k`` with ``v_km = 1 - w(h(k), h(m)) > 0``,
except that a nation and its own labs are not rivals (labs of the same nation are).

References:
    Watts, D. J. (2002). A simple model of global cascades on random networks.
    *PNAS* 99(9), 5766-5771.
    Nowak, M. A. and May, R. M. (1992). Evolutionary games and spatial chaos.
    *Nature* 359, 826-829.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

Alliances = tuple[np.ndarray, np.ndarray, np.ndarray]

#: A neighbourhood or rival weight at most this times the total weight counts as empty.
EMPTY = 1e-12


def _rows(indptr: np.ndarray) -> np.ndarray:
    """The row (nation) of every stored alliance entry."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def _allied_sum(values: np.ndarray, alliances: Alliances, n_nations: int) -> np.ndarray:
    """``sum_j w(i, j) values_j`` for every nation i."""
    indptr, indices, weights = alliances
    if len(indices) == 0:
        return np.zeros(n_nations)
    return np.bincount(_rows(indptr), weights=weights * values[indices], minlength=n_nations)


def neighbour_sums(
    x: np.ndarray,
    weight: np.ndarray,
    home: np.ndarray,
    n_nations: int,
    alliances: Alliances,
) -> tuple[np.ndarray, np.ndarray]:
    """Tie- and ``weight``-weighted sums of ``x`` and of 1 over each actor's neighbourhood.

    Args:
        x: A per-actor quantity (an action or a flag as 0/1).
        weight: Per-actor weights (capabilities, or ones to count actors).
        home: Home nation of each actor.
        n_nations: Number of nations.
        alliances: The nation alliance matrix as CSR arrays ``(indptr, indices, weights)``.

    Returns:
        ``(num, den)``: ``num_k = sum_m u_km weight_m x_m`` and ``den_k = sum_m u_km weight_m``
        over k's neighbours m, ``u_km`` being 1 within a nation and ``w`` across an alliance.
    """
    wx = weight * x
    a = np.bincount(home, weights=wx, minlength=n_nations)
    b = np.bincount(home, weights=weight, minlength=n_nations)
    num = _allied_sum(a, alliances, n_nations)[home] + a[home] - wx
    den = _allied_sum(b, alliances, n_nations)[home] + b[home] - weight
    return num, den


def neighbour_share(
    x: np.ndarray,
    capability: np.ndarray,
    home: np.ndarray,
    n_nations: int,
    alliances: Alliances,
) -> np.ndarray:
    """The capability- and tie-weighted share of ``x`` among each actor's alliance neighbours.

    ``sum_m u_km c_m x_m / sum_m u_km c_m`` (0 for an actor without neighbours, or whose
    neighbours weigh nothing), clipped to [0, 1].
    """
    num, den = neighbour_sums(x, capability, home, n_nations, alliances)
    total = float(capability.sum())
    ok = den > EMPTY * max(total, 1e-300)
    share = np.where(ok, num / np.where(ok, den, 1.0), 0.0)
    return np.clip(share, 0.0, 1.0)


def any_neighbour(
    x: np.ndarray, home: np.ndarray, n_nations: int, alliances: Alliances
) -> np.ndarray:
    """True where at least one alliance neighbour has ``x`` set (exact: counts, not shares)."""
    num, _ = neighbour_sums(x.astype(float), np.ones(len(x)), home, n_nations, alliances)
    return num > 0.5 * _min_weight(alliances)


def any_rival(x: np.ndarray, home: np.ndarray, n_nations: int, alliances: Alliances) -> np.ndarray:
    """True where at least one rival (``v_km > 0``) has ``x`` set (exact: counts, not shares).

    Rivals of nation ``k``: every actor except ``k``'s own labs and the actors of nations fully
    allied with it (``w = 1``). Rivals of a lab: every actor except itself, its nation's
    programme and the actors of nations fully allied with its nation.
    """
    xf = x.astype(float)
    count = np.bincount(home, weights=xf, minlength=n_nations)
    indptr, indices, weights = alliances
    if len(indices):
        full = weights >= 1.0
        allied = np.bincount(_rows(indptr)[full], weights=count[indices[full]], minlength=n_nations)
    else:
        allied = np.zeros(n_nations)
    outside = xf.sum() - allied
    n = len(x)
    is_nation = np.arange(n) < n_nations
    rivals = np.where(is_nation, outside[home] - count[home], outside[home] - xf[home] - xf)
    return rivals > 0.5


def _min_weight(alliances: Alliances) -> float:
    weights = alliances[2]
    return float(min(1.0, weights.min())) if len(weights) else 1.0


def _group_layout(groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, ...]:
    """Actors sorted by group: ``(order, start, size, position of each actor in its group)``."""
    order = np.argsort(groups, kind="stable")
    size = np.bincount(groups, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    position = np.empty(len(groups), dtype=np.int64)
    position[order] = np.arange(len(groups)) - start[groups[order]]
    return order, start, size, position


def _pick(u: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``floor(u * count)``, kept below ``count`` (an index uniform on 0..count-1)."""
    return np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))


def sample_peers(
    u: np.ndarray,
    peers: str,
    home: np.ndarray,
    is_lab: np.ndarray,
    n_nations: int,
    alliances: Alliances,
) -> np.ndarray:
    """One peer per actor, uniformly from its peer set, chosen by the uniforms ``u``.

    Args:
        u: One uniform in [0, 1) per actor.
        peers: ``"all"`` (every other actor), ``"same_kind"`` (every other nation, or every
            other lab) or ``"allies"`` (the alliance neighbourhood, unweighted).
        home: Home nation of each actor.
        is_lab: True for labs.
        n_nations: Number of nations.
        alliances: The nation alliance matrix as CSR arrays.

    Returns:
        Peer indices; -1 for an actor with no peer.
    """
    n = len(u)
    if peers == "all":
        if n < 2:
            return np.full(n, -1)
        r = np.minimum((u * (n - 1)).astype(np.int64), n - 2)
        return r + (r >= np.arange(n))
    if peers == "same_kind":
        kind = is_lab.astype(np.int64)
        order, start, size, position = _group_layout(kind, 2)
        m = size[kind] - 1
        r = _pick(u, m)
        peer = order[np.minimum(start[kind] + r + (r >= position), n - 1)]
        return np.where(m > 0, peer, -1)
    if peers == "allies":
        indptr, indices, _ = alliances
        order, start, size, position = _group_layout(home, n_nations)
        own = size[home] - 1
        edge_size = size[indices]
        cum = np.concatenate([[0], np.cumsum(edge_size)])
        allied = cum[indptr[1:]] - cum[indptr[:-1]]
        m = own + allied[home]
        r = _pick(u, m)
        in_own = r < own
        peer_own = order[np.minimum(start[home] + r + (r >= position), n - 1)]
        target = cum[indptr[home]] + (r - own)
        edge = np.clip(np.searchsorted(cum, target, side="right") - 1, 0, max(len(indices) - 1, 0))
        if len(indices):
            j = indices[edge]
            offset = np.clip(target - cum[edge], 0, size[j] - 1)
            peer_allied = order[np.minimum(start[j] + offset, n - 1)]
        else:
            peer_allied = np.full(n, -1)
        peer = np.where(in_own, peer_own, peer_allied)
        return np.where(m > 0, peer, -1)
    raise ValueError(
        f"imitation_peers={peers!r} is not allowed; allowed: 'all', 'allies', 'same_kind'"
    )


def signal(params: Mapping[str, Any], extra: Mapping[str, Any]) -> np.ndarray:
    """Who was publicly seen defecting last period.

    Under ``information=perfect`` every catch (domestic or international); under
    ``information=detected`` only the public international flags (false alarms included, which
    observers cannot tell apart from detections).
    """
    key = "caught_last" if params.get("information", "perfect") == "perfect" else "flagged_last"
    return np.asarray(extra[key], dtype=bool)
