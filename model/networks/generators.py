"""Seeded alliance generators and :func:`make_alliance_graph`, which picks one by name.

Generators are pure functions: each takes a required integer ``seed`` and never touches a global
random state; each returns a graph keeping the contract of :mod:`model.networks`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np

from model.errors import GraphError
from model.networks.checks import (
    _as_int,
    _build,
    _check_blocs,
    _check_n,
    _check_probability,
    _check_seed,
    _check_weight,
    _round_half_up,
)

__all__ = [
    "GENERATORS",
    "barabasi_albert_alliances",
    "bloc_alliances",
    "complete_alliances",
    "erdos_renyi_alliances",
    "make_alliance_graph",
    "no_alliances",
    "watts_strogatz_alliances",
]


def no_alliances(n: int, *, seed: int) -> nx.Graph:
    """No alliances: ``n`` isolated nations, every other nation a full rival.

    With no alliances nobody is shielded from sanctions (``s_k = 1``) and every pair of nations
    is fully rival (``v = 1``): the setting of the exact limits.

    Args:
        n: Number of nations (>= 2).
        seed: Unused; required so every generator has the same calling convention.

    Returns:
        The empty graph on nodes ``0..n-1``, each with ``bloc = 0``.

    Raises:
        GraphError: If ``n`` or ``seed`` is not allowed.

    References:
        DESIGN.md section 2, "Exact limits" (no alliances).
    """
    n = _check_n(n)
    _check_seed(seed)
    return _build(n, (), 1.0)


def complete_alliances(n: int, *, weight: float, seed: int) -> nx.Graph:
    """Every pair of nations allied with the same weight.

    Args:
        n: Number of nations (>= 2).
        weight: Weight of every tie, in (0, 1].
        seed: Unused; required so every generator has the same calling convention.

    Returns:
        The complete graph on ``0..n-1``: ``n * (n - 1) / 2`` ties, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        DESIGN.md section 2 (alliance weights and shielding ``s_k``); with ``weight = 1`` no
        nation is anyone's rival and nobody sanctions anybody.
    """
    n = _check_n(n)
    weight = _check_weight("weight", weight)
    _check_seed(seed)
    return _build(n, itertools.combinations(range(n), 2), weight)


def erdos_renyi_alliances(n: int, *, density: float, weight: float, seed: int) -> nx.Graph:
    """Each pair of nations allied independently with probability ``density``.

    Uses ``networkx.gnp_random_graph(n, density, seed=seed)``; ``density = 0`` gives no ties
    and ``density = 1`` the complete graph.

    Args:
        n: Number of nations (>= 2).
        density: Tie probability, in [0, 1] (the expected degree is ``density * (n - 1)``).
        weight: Weight of every tie, in (0, 1].
        seed: Seed of the draw (integer >= 0).

    Returns:
        A G(n, p) random graph on ``0..n-1``, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        P. Erdos and A. Renyi, "On random graphs I", Publicationes Mathematicae 6, 290-297
        (1959). E. N. Gilbert, "Random graphs", Annals of Mathematical Statistics 30(4),
        1141-1144 (1959).
    """
    n = _check_n(n)
    density = _check_probability("density", density)
    weight = _check_weight("weight", weight)
    seed = _check_seed(seed)
    return _build(n, nx.gnp_random_graph(n, density, seed=seed).edges(), weight)


def barabasi_albert_alliances(n: int, *, density: float, weight: float, seed: int) -> nx.Graph:
    """Preferential attachment: a few hub nations with many allies.

    Each new nation makes ``m = max(1, round(density * (n - 1) / 2))`` ties (halves rounding
    up), capped at ``n - 1``, so the mean degree ``2m`` is close to ``density * (n - 1)`` for
    large ``n``. At least one tie per new nation: even ``density = 0`` gives a tree (a star for
    ``n = 2``), never the empty graph. Uses ``networkx.barabasi_albert_graph(n, m, seed=seed)``.

    Args:
        n: Number of nations (>= 2).
        density: Target expected degree over ``n - 1``, in [0, 1].
        weight: Weight of every tie, in (0, 1].
        seed: Seed of the draw (integer >= 0).

    Returns:
        A Barabasi-Albert graph on ``0..n-1``, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        A.-L. Barabasi and R. Albert, "Emergence of scaling in random networks", Science
        286(5439), 509-512 (1999).
    """
    n = _check_n(n)
    density = _check_probability("density", density)
    weight = _check_weight("weight", weight)
    seed = _check_seed(seed)
    m = min(n - 1, max(1, _round_half_up(density * (n - 1) / 2)))
    return _build(n, nx.barabasi_albert_graph(n, m, seed=seed).edges(), weight)


def watts_strogatz_alliances(
    n: int, *, density: float, weight: float, rewiring: float, seed: int
) -> nx.Graph:
    """Small world: a ring of regional alliances with some ties rewired at random.

    Each nation starts allied with its ``k`` nearest neighbours on a ring, ``k`` being the even
    number nearest to ``density * (n - 1)`` (halves rounding up), at least 2 and at most the
    largest even number ``<= n - 1``; then every tie is rewired with probability ``rewiring``.
    Uses ``networkx.watts_strogatz_graph(n, k, rewiring, seed=seed)``. Because ``k >= 2`` even
    ``density = 0`` gives a ring. For ``n = 2`` no even ``k`` fits, and the ring on two nations,
    their single tie, is returned (nothing can be rewired).

    Args:
        n: Number of nations (>= 2).
        density: Target degree over ``n - 1``, in [0, 1].
        weight: Weight of every tie, in (0, 1].
        rewiring: Probability that each ring tie is rewired, in [0, 1].
        seed: Seed of the draw (integer >= 0).

    Returns:
        A Watts-Strogatz graph on ``0..n-1``, every node ``bloc = 0``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        D. J. Watts and S. H. Strogatz, "Collective dynamics of 'small-world' networks",
        Nature 393, 440-442 (1998).
    """
    n = _check_n(n)
    density = _check_probability("density", density)
    weight = _check_weight("weight", weight)
    rewiring = _check_probability("rewiring", rewiring)
    seed = _check_seed(seed)
    largest_even = (n - 1) // 2 * 2
    if largest_even < 2:
        return _build(n, itertools.combinations(range(n), 2), weight)
    k = min(largest_even, max(2, 2 * _round_half_up(density * (n - 1) / 2)))
    return _build(n, nx.watts_strogatz_graph(n, k, rewiring, seed=seed).edges(), weight)


def bloc_alliances(
    n: int,
    *,
    n_blocs: int,
    weight: float,
    crosslink: float,
    seed: int,
    blocs: Sequence[int] | None = None,
) -> nx.Graph:
    """Dense blocs: every pair inside a bloc allied, pairs across blocs rarely.

    Nation ``i`` belongs to bloc ``i % n_blocs`` (sizes differ by at most one) unless ``blocs``
    gives every nation's bloc, in which case ``n_blocs`` is ignored. Two nations of the same
    bloc are always allied; two of different blocs are allied independently with probability
    ``crosslink``. The draws come from ``numpy.random.default_rng(seed)``: one uniform per pair
    ``i < j`` in lexicographic order ((0, 1), (0, 2), ..., (1, 2), ...), drawn for every pair
    whether used or not, and a cross-bloc pair is tied when its uniform is below ``crosslink``.
    So the same seed ties a superset of pairs at a higher ``crosslink``, whatever the blocs.

    Args:
        n: Number of nations (>= 2).
        n_blocs: Number of blocs, in [1, n] (ignored when ``blocs`` is given).
        weight: Weight of every tie, in (0, 1].
        crosslink: Probability of a tie between two nations of different blocs, in [0, 1].
        seed: Seed of the draw (integer >= 0).
        blocs: Optional bloc label (an integer >= 0) of each of the ``n`` nations.

    Returns:
        A graph on ``0..n-1`` whose nodes carry their ``bloc``.

    Raises:
        GraphError: If an argument is not allowed.

    References:
        P. W. Holland, K. B. Laskey and S. Leinhardt, "Stochastic blockmodels: first steps",
        Social Networks 5(2), 109-137 (1983) (this is a block model with within-bloc
        probability 1 and between-bloc probability ``crosslink``).
    """
    n = _check_n(n)
    if blocs is None:
        count = _as_int(n_blocs)
        if count is None or not 1 <= count <= n:
            raise GraphError(
                f"n_blocs={n_blocs!r} is not allowed; allowed: an integer in [1, n={n}]"
            )
        labels = [i % count for i in range(n)]
    else:
        labels = _check_blocs(blocs, n)
    weight = _check_weight("weight", weight)
    crosslink = _check_probability("crosslink", crosslink)
    seed = _check_seed(seed)
    first, second = np.triu_indices(n, k=1)
    uniforms = np.random.default_rng(seed).random(first.size)
    bloc_of = np.asarray(labels, dtype=np.int64)
    tied = (bloc_of[first] == bloc_of[second]) | (uniforms < crosslink)
    return _build(n, zip(first[tied].tolist(), second[tied].tolist(), strict=True), weight, labels)


GENERATORS: dict[str, Callable[..., nx.Graph]] = {
    "none": no_alliances,
    "complete": complete_alliances,
    "erdos_renyi": erdos_renyi_alliances,
    "barabasi_albert": barabasi_albert_alliances,
    "watts_strogatz": watts_strogatz_alliances,
    "blocs": bloc_alliances,
}
"""Every alliance generator by its ``alliance_network`` name."""

# Which parameter each generator argument reads (argument name -> schema name).
_READS: dict[str, dict[str, str]] = {
    "none": {},
    "complete": {"weight": "alliance_weight"},
    "erdos_renyi": {"density": "alliance_density", "weight": "alliance_weight"},
    "barabasi_albert": {"density": "alliance_density", "weight": "alliance_weight"},
    "watts_strogatz": {
        "density": "alliance_density",
        "weight": "alliance_weight",
        "rewiring": "alliance_rewiring",
    },
    "blocs": {"n_blocs": "n_blocs", "weight": "alliance_weight", "crosslink": "bloc_crosslink"},
}


def make_alliance_graph(
    params: Mapping[str, Any], *, seed: int, blocs: Sequence[int] | None = None
) -> nx.Graph:
    """The alliance graph the parameters ask for.

    Args:
        params: Parameter values (a :class:`model.params.Params` or any mapping) with
            ``n_nations``, ``alliance_network`` and the parameters that generator reads
            (``alliance_density``, ``alliance_weight``, ``n_blocs``, ``bloc_crosslink``,
            ``alliance_rewiring``).
        seed: Seed of the draw (integer >= 0).
        blocs: Optional bloc label (an integer >= 0) of each nation. The ``blocs`` generator
            builds its blocs from them; any other generator only records them as the nodes'
            ``bloc`` attributes, its ties unchanged.

    Returns:
        A graph keeping the contract of :mod:`model.networks`.

    Raises:
        GraphError: For ``alliance_network = "explicit"`` (the graph must be given, not
            generated), an unknown generator name, or an argument that is not allowed.
    """
    name = params["alliance_network"]
    if name == "explicit":
        raise GraphError(
            "alliance_network='explicit' needs an explicit alliance graph; "
            "allowed: give one in the scenario's [[alliances]] or as a graph file, "
            f"or choose a generator ({', '.join(GENERATORS)})"
        )
    if name not in GENERATORS:
        raise GraphError(
            f"alliance_network={name!r} is not allowed; allowed: "
            f"{', '.join(GENERATORS)}, or 'explicit' with a given graph"
        )
    n = _check_n(params["n_nations"], "n_nations")
    kwargs = {arg: params[key] for arg, key in _READS[name].items()}
    if name == "blocs":
        return bloc_alliances(n, seed=seed, blocs=blocs, **kwargs)
    graph = GENERATORS[name](n, seed=seed, **kwargs)
    if blocs is not None:
        labels = _check_blocs(blocs, n)
        nx.set_node_attributes(graph, dict(enumerate(labels)), "bloc")
    return graph
