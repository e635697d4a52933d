"""The adjudication rules' shared maths: who learns, shielding, votes, vetoes, sampling.

The functions here are importable from :mod:`model.adjudication` (their public path); the rules
that use them are one file each beside this one. See the package's docstring for the formulas.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Largest number of voting allies for which the expected vote share is computed exactly.
EXACT_ALLIES = 16
_MC_DRAWS = 20_000


def learners(bloc: np.ndarray, per_bloc: bool) -> np.ndarray:
    """``L[h, i]``: True when nation ``i`` (not ``h``) learns of a violation by nation ``h``."""
    n = len(bloc)
    if per_bloc:
        mask = bloc[:, None] == bloc[None, :]
    else:
        mask = np.ones((n, n), dtype=bool)
    np.fill_diagonal(mask, False)
    return mask


def veto_powers(enforcement: np.ndarray, n_veto: int) -> np.ndarray:
    """Indices of the ``n_veto`` nations with the largest enforcement weight (ties: lower id).

    Only nations with a positive weight (members) qualify, so fewer than ``n_veto`` powers
    remain when fewer nations are members.
    """
    order = np.lexsort((np.arange(len(enforcement)), -enforcement))
    return np.sort(order[enforcement[order] > 0][:n_veto])


def coalition_share(e: np.ndarray, w: np.ndarray, learn: np.ndarray) -> np.ndarray:
    """``s_h = sum_{i in L_h} e_i (1 - w(i, h)) / sum_{i != h} e_i`` (0 with no other nation)."""
    others = e.sum() - e
    num = (learn * (1.0 - w.T) * e[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(
            np.where(others > 1e-15, num / np.where(others > 0, others, 1.0), 0.0), 0.0, 1.0
        )


def expected_vote_share(
    e: np.ndarray, w: np.ndarray, learn: np.ndarray, quorum: float
) -> np.ndarray:
    """``E[Y 1(Y >= quorum)]`` for a flag against each nation (see the module docstring)."""
    n = len(e)
    out = np.zeros(n)
    others = e.sum() - e
    for h in range(n):
        if others[h] <= 1e-15:
            continue
        voters = np.flatnonzero(learn[h])
        allied = voters[w[voters, h] > 0]
        sure = float(e[np.setdiff1d(voters, allied)].sum())
        yes_prob = 1.0 - w[allied, h]
        weights = e[allied]
        if len(allied) <= EXACT_ALLIES:
            sums = np.array([sure])
            probs = np.array([1.0])
            for wt, py in zip(weights, yes_prob, strict=True):
                sums = np.concatenate([sums + wt, sums])
                probs = np.concatenate([probs * py, probs * (1.0 - py)])
        else:
            rng = np.random.default_rng(h)
            yes = rng.random((_MC_DRAWS, len(allied))) < yes_prob
            sums = sure + np.sum(yes * weights, axis=1)  # not BLAS: the same bits everywhere
            probs = np.full(_MC_DRAWS, 1.0 / _MC_DRAWS)
        share = sums / others[h]
        out[h] = float(np.sum(probs * share * (share >= quorum - 1e-12)))
    return out


def no_veto_probability(w: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """Probability that no veto power blocks a sanction against each nation (0 for a power)."""
    n = w.shape[0]
    out = np.ones(n)
    for v in powers:
        out *= 1.0 - w[v]
    out[powers] = 0.0
    return out


def draw_votes(
    home: np.ndarray,
    e: np.ndarray,
    w: np.ndarray,
    learn: np.ndarray,
    quorum: float,
    uniforms: np.ndarray,
    held: Mapping[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's would-be vote: (yes share ``Y_k``, passed) from uniforms of shape (N, n).

    Nation ``i`` votes no on actor ``k`` iff it learns of it, is allied with ``h(k)`` and
    ``uniforms[k, i] < w(i, h(k))``; a learning non-ally votes yes. ``e`` is the members'
    enforcement weight (0 for a non-member, whose vote counts for nothing).

    ``held`` maps a voter nation to its own choice (a player's): ``held[i][h]`` True means
    ``i`` votes yes on every flag against nation ``h``'s actors, False no; it replaces the
    random draw for that voter (the uniforms are drawn all the same, so the stream is
    unchanged).
    """
    others = e.sum() - e
    learn_k = learn[home]
    no = learn_k & (uniforms < w.T[home])
    for i, yes_on in (held or {}).items():
        no[:, i] = learn_k[:, i] & ~np.asarray(yes_on, dtype=bool)[home]
    yes = np.sum((learn_k & ~no) * e, axis=1)  # not BLAS: the same bits everywhere
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(
            others[home] > 1e-15, yes / np.where(others[home] > 0, others[home], 1.0), 0.0
        )
    return share, share >= quorum - 1e-12


def draw_vetoes(
    home: np.ndarray,
    w: np.ndarray,
    powers: np.ndarray,
    uniforms: np.ndarray,
    held: Mapping[int, np.ndarray] | None = None,
    learn: np.ndarray | None = None,
) -> np.ndarray:
    """Whether a veto blocks a sanction against each actor, from uniforms of shape (N, V).

    Veto power ``powers[j]`` (column ``j``; extra columns are ignored) blocks a sanction
    against ally ``h`` iff ``uniforms[k, j] < w(v, h)``, and always one against itself. A power
    in ``held`` (a player) instead blocks exactly the flags against nations ``h`` with
    ``held[v][h]`` False, among those it learns of (``learn[h, v]``; all when ``learn`` is
    None); on the others the draw stands, and its own are blocked regardless.
    """
    if len(powers) == 0:
        return np.zeros(len(home), dtype=bool)
    by_power = uniforms[:, : len(powers)] < w[np.ix_(powers, np.arange(w.shape[0]))][:, home].T
    chosen = held or {}
    for j, v in enumerate(powers):
        if int(v) in chosen:
            mine = ~np.asarray(chosen[int(v)], dtype=bool)[home]
            knows = np.ones(len(home), dtype=bool) if learn is None else learn[home, int(v)]
            by_power[:, j] = np.where(knows, mine, by_power[:, j])
    return by_power.any(axis=1) | np.isin(home, powers)


def inclusion_probabilities(size: np.ndarray, k: int) -> np.ndarray:
    """Inclusion probabilities proportional to ``size`` for a sample of ``k``, capped at 1.

    Actors whose share would exceed 1 are taken for sure and the rest re-proportioned
    (the usual iterative capping of probability-proportional-to-size sampling).
    """
    n = len(size)
    pi = np.zeros(n)
    if k <= 0:
        return pi
    sure = np.zeros(n, dtype=bool)
    for _ in range(n + 1):
        rest = ~sure & (size > 0)
        budget = k - sure.sum()
        total = size[rest].sum()
        if budget <= 0 or total <= 0:
            break
        pi = np.where(sure, 1.0, np.where(rest, budget * size / total, 0.0))
        over = rest & (pi >= 1.0)
        if not over.any():
            break
        sure |= over
    if k >= (size > 0).sum():
        pi = (size > 0).astype(float)
    return np.clip(pi, 0.0, 1.0)


def systematic_sample(pi: np.ndarray, u: float) -> np.ndarray:
    """Systematic sampling with inclusion probabilities ``pi`` and one uniform ``u``.

    Actor ``k`` is selected iff an integer point ``j + u`` falls in its interval of the
    cumulative sums of ``pi``, so ``P(selected) = pi_k`` exactly and ``sum(pi)`` actors (an
    integer here) are selected.
    """
    upper = np.cumsum(pi)
    lower = upper - pi
    return np.floor(upper - u + 1e-12) > np.floor(lower - u + 1e-12)
