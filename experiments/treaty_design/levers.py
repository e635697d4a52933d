"""Mixed levers of the robust search: number terms, choice terms and a set of layers (#32).

A treaty design's levers (:class:`~experiments.treaty_design.spec.TreatyDesign`) are number
terms (``[low, high]``), choice terms of :mod:`model.params.terms` (``verification``,
``trigger``, ``lift``, ``adjudication``: a list of the choices to search) and, optionally,
``layers``: a set of verification layers (``model/verification/layers/``), any non-empty subset
of the layers listed. With a choice term or ``layers`` the search runs pymoo's mixed-variable
genetic algorithm (:class:`pymoo.core.mixed.MixedVariableGA`, with NSGA-II's rank-and-crowding
survival, :class:`pymoo.algorithms.moo.nsga2.RankAndCrowding`) over
:class:`~pymoo.core.variable.Real`, :class:`~pymoo.core.variable.Integer` and
:class:`~pymoo.core.variable.Choice` variables; with number terms only it is NSGA-II as before.

The verification spend of a treaty with layers is theirs: ``LayerCosts.per_unit(1)``
(:class:`model.verification.layers.combine.LayerCosts`: ``unit_cost + sum_k cost_fixed_k``
per unit of a member's capability a month when the members hold world capability 1, as the
theory's coalition does with every nation in); without layers it is
``verification_cost * p_detect`` as before.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.treaty_design.spec import LAYERS, TreatyDesign

__all__ = [
    "is_mixed",
    "layer_sets",
    "lever_kinds",
    "pymoo_vars",
    "random_rows",
    "rows_of",
    "spend",
    "treaty_values",
]


def is_mixed(design: TreatyDesign) -> bool:
    """Whether a lever is a choice term or the set of layers (the mixed-variable search)."""
    return bool(design.layer_lever) or any(t.param.kind == "choice" for t in design.levers.terms)


def layer_sets(layers: Sequence[str]) -> list[str]:
    """Every non-empty subset of ``layers`` as a value of ``layers`` (comma-joined, in order).

    Example:
        >>> layer_sets(["chip_tracking", "whistleblower"])
        ['chip_tracking', 'whistleblower', 'chip_tracking,whistleblower']
    """
    out = []
    for k in range(1, len(layers) + 1):
        out += [",".join(c) for c in itertools.combinations(layers, k)]
    return out


def lever_kinds(design: TreatyDesign) -> dict[str, str]:
    """Each lever's kind: ``float``, ``int`` or ``choice`` (``layers`` is a choice)."""
    kinds: dict[str, str] = {t.name: t.param.kind for t in design.levers.terms}
    if design.layer_lever:
        kinds[LAYERS] = "choice"
    return kinds


def _options(design: TreatyDesign) -> dict[str, list[str]]:
    out = {t.name: list(t.choices) for t in design.levers.terms if t.param.kind == "choice"}
    if design.layer_lever:
        out[LAYERS] = layer_sets(design.layer_lever)
    return out


def pymoo_vars(design: TreatyDesign) -> dict[str, Any]:
    """The levers as pymoo variables, in the levers' order."""
    from pymoo.core.variable import Choice, Integer, Real

    options = _options(design)
    out: dict[str, Any] = {}
    for t in design.levers.terms:
        if t.param.kind == "choice":
            out[t.name] = Choice(options=options[t.name])
        elif t.param.kind == "int":
            out[t.name] = Integer(bounds=(int(t.low), int(t.high)))  # type: ignore[arg-type]
        else:
            out[t.name] = Real(bounds=(float(t.low), float(t.high)))  # type: ignore[arg-type]
    if design.layer_lever:
        out[LAYERS] = Choice(options=options[LAYERS])
    return out


def rows_of(x: Any, levers: Sequence[str]) -> np.ndarray:
    """The mixed individuals of pymoo (dicts) as rows of values in the levers' order."""
    rows = [[_plain(ind[name]) for name in levers] for ind in x]
    out = np.empty((len(rows), len(levers)), dtype=object)
    for i, row in enumerate(rows):
        out[i, :] = row
    return out


def random_rows(design: TreatyDesign, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` treaties drawn uniformly: numbers in their range, each choice equally likely."""
    options = _options(design)
    levers = design.lever_names
    out = np.empty((size, len(levers)), dtype=object)
    terms = {t.name: t for t in design.levers.terms}
    for j, name in enumerate(levers):
        if name in options:
            out[:, j] = [options[name][int(i)] for i in rng.integers(len(options[name]), size=size)]
        elif terms[name].param.kind == "int":
            out[:, j] = rng.integers(int(terms[name].low), int(terms[name].high) + 1, size=size)  # type: ignore[arg-type]
        else:
            low, high = float(terms[name].low), float(terms[name].high)  # type: ignore[arg-type]
            out[:, j] = low + rng.random(size) * (high - low)
    return out


def treaty_values(kinds: Mapping[str, str], levers: Sequence[str], row: Any) -> dict[str, Any]:
    """One treaty's lever values: numbers as floats, choices as text."""
    return {
        name: (str(v) if kinds[name] == "choice" else float(v))
        for name, v in zip(levers, row, strict=True)
    }


def spend(treaty: Mapping[str, Any], params: Mapping[str, Any], cost: float) -> float:
    """A treaty's verification spend a month per unit of a member's capability.

    ``params``: the world's parameters (every one; the treaty's override them).
    """
    from model.params.layers import NO_LAYERS
    from model.verification.layers.combine import LayerCosts

    values = {**dict(params), **dict(treaty)}
    if str(values.get(LAYERS, NO_LAYERS)) != NO_LAYERS:
        costs = LayerCosts.of(values)
        return 0.0 if costs is None else float(costs.per_unit(1.0))
    return cost * float(values["p_detect"])


def _plain(x: Any) -> Any:
    if isinstance(x, np.str_):
        return str(x)
    return x.item() if isinstance(x, np.generic) else x
