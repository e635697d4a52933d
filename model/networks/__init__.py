"""Alliance networks between nations: seeded generators, validation and matrix forms.

Every graph this package returns keeps one contract, which the rest of the model relies on:

* an undirected simple :class:`networkx.Graph` whose nodes are exactly the nation indices
  ``0..n-1``, inserted in that order, isolated nations included;
* every edge (an alliance) has a float ``weight`` in (0, 1] and there are no self-loops
  (``w(i, i) = 0``, DESIGN.md section 2);
* every node has an int ``bloc`` >= 0 (0 for generators without blocs).

Edges are inserted in sorted order (``u < v``), so two graphs built from the same inputs are
equal edge by edge and in iteration order. Generators are pure functions: each takes a required
integer ``seed`` and never touches a global random state.

Example:
    >>> from model.networks import bloc_alliances, to_sparse
    >>> g = bloc_alliances(4, n_blocs=2, weight=0.8, crosslink=0.0, seed=1)
    >>> sorted(g.edges())
    [(0, 2), (1, 3)]
    >>> to_sparse(g, 4).toarray()[0].tolist()
    [0.0, 0.0, 0.8, 0.0]
"""

from __future__ import annotations

from model.networks.generators import (
    GENERATORS,
    barabasi_albert_alliances,
    bloc_alliances,
    complete_alliances,
    erdos_renyi_alliances,
    make_alliance_graph,
    no_alliances,
    watts_strogatz_alliances,
)
from model.networks.matrices import bloc_labels, to_sparse
from model.networks.user_graphs import check_alliance_graph

__all__ = [
    "GENERATORS",
    "barabasi_albert_alliances",
    "bloc_alliances",
    "bloc_labels",
    "check_alliance_graph",
    "complete_alliances",
    "erdos_renyi_alliances",
    "make_alliance_graph",
    "no_alliances",
    "to_sparse",
    "watts_strogatz_alliances",
]
