"""Argument checks shared by the alliance-network modules, and the contract-graph builder.

Private to :mod:`model.networks`: every check raises :class:`~model.errors.GraphError` with a
one-line message naming the problem and what is allowed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np

from model.errors import GraphError


def _as_int(value: object) -> int | None:
    """``value`` as an int, or None when it is not an integer (bools are not)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return None


def _finite_real(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a finite real number (bools aren't)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _check_n(n: object, name: str = "n") -> int:
    count = _as_int(n)
    if count is None or count < 2:
        raise GraphError(f"{name}={n!r} is not allowed; allowed: an integer number of nations >= 2")
    return count


def _check_seed(seed: object) -> int:
    value = _as_int(seed)
    if value is None or value < 0:
        raise GraphError(
            f"seed={seed!r} is not allowed; allowed: an integer >= 0 (a generator "
            "never falls back to a global random state)"
        )
    return value


def _check_probability(name: str, value: object) -> float:
    x = _finite_real(value)
    if x is None or not 0.0 <= x <= 1.0:
        raise GraphError(f"{name}={value!r} is not allowed; allowed: a number in [0, 1]")
    return x


def _check_weight(name: str, value: object) -> float:
    x = _finite_real(value)
    if x is None or not 0.0 < x <= 1.0:
        raise GraphError(f"{name}={value!r} is not allowed; allowed: a number in (0, 1]")
    return x


def _check_blocs(blocs: Iterable[object], n: int) -> list[int]:
    given = list(blocs)
    if len(given) != n:
        raise GraphError(
            f"blocs has {len(given)} labels but there are {n} nations; allowed: "
            "one integer bloc label >= 0 per nation"
        )
    labels: list[int] = []
    for i, label in enumerate(given):
        value = _as_int(label)
        if value is None or value < 0:
            raise GraphError(
                f"blocs[{i}]={label!r} is not allowed; allowed: an integer bloc label >= 0"
            )
        labels.append(value)
    return labels


def _round_half_up(x: float) -> int:
    """The nearest integer to ``x >= 0``, halves rounding up (not Python's round-half-even)."""
    return math.floor(x + 0.5)


def _build(
    n: int, edges: Iterable[tuple[int, int]], weight: float, blocs: Sequence[int] | None = None
) -> nx.Graph:
    """A contract graph on nations ``0..n-1`` with the given ties, all of weight ``weight``."""
    graph = nx.Graph()
    graph.add_nodes_from((i, {"bloc": 0 if blocs is None else int(blocs[i])}) for i in range(n))
    ties = sorted({(min(u, v), max(u, v)) for u, v in edges})
    graph.add_edges_from(((int(u), int(v)) for u, v in ties), weight=float(weight))
    return graph
