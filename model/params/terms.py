"""The negotiable terms of a treaty, declared once beside the parameters (#29).

A treaty's terms ``theta`` are parameters of the schema: verification strength (``p_detect`` or
a ``verification`` regime), ``penalty``, ``entry_threshold``, the trigger (``trigger`` and its
date or capability level), the lift (``lift`` and its duration or safety level) and
adjudication (``adjudication``, ``sanction_quorum``, ``n_veto_powers``). :data:`TERMS` names
them and the aspect of the treaty each belongs to; a term's unit, bounds, choices and help are
its parameter's (:func:`negotiable`), never repeated here.

A scenario declares at most :data:`MAX_NEGOTIABLE` negotiable terms and their ranges in a
``[negotiation]`` table (a number term ``[low, high]``, a choice term a list of its choices);
the other parameters stay fixed. :func:`term_box` validates such a table, and
:func:`term_points` samples the box: at most ``max_term_points`` points, a grid for up to two
number terms, a scrambled Sobol sample (:class:`scipy.stats.qmc.Sobol`) above two, the choice
terms enumerated.

Example:
    >>> box = term_box({"p_detect": [0.2, 0.8], "trigger": ["immediate", "date"]})
    >>> points = term_points(box, np.random.default_rng(0), 8)
    >>> len(points), points[0], points[-1]
    (8, {'p_detect': 0.2, 'trigger': 'immediate'}, {'p_detect': 0.8, 'trigger': 'date'})
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

from agents.declare import Param
from model.errors import ConfigError, ParameterError
from model.params.table import coerce, schema

#: The most terms a scenario may declare negotiable.
MAX_NEGOTIABLE = 4


@dataclass(frozen=True)
class Term:
    """A negotiable term: a schema parameter and the aspect of the treaty it sets.

    Attributes:
        name: The parameter (its unit, bounds, choices and help are the schema's).
        aspect: What of the treaty it decides (``verification``, ``sanctions``, ``entry``,
            ``trigger``, ``lift``, ``adjudication``).
    """

    name: str
    aspect: str


#: Every negotiable term, in listing order.
TERMS: tuple[Term, ...] = (
    Term("p_detect", "verification"),
    Term("verification", "verification"),
    Term("penalty", "sanctions"),
    Term("entry_threshold", "entry"),
    Term("trigger", "trigger"),
    Term("trigger_step", "trigger"),
    Term("trigger_level", "trigger"),
    Term("lift", "lift"),
    Term("pause_duration", "lift"),
    Term("lift_level", "lift"),
    Term("adjudication", "adjudication"),
    Term("sanction_quorum", "adjudication"),
    Term("n_veto_powers", "adjudication"),
)


def negotiable() -> dict[str, Param]:
    """Every negotiable term's parameter declaration, by name (from the one schema)."""
    table = schema()
    return {term.name: table[term.name] for term in TERMS}


@dataclass(frozen=True)
class TermRange:
    """One negotiable term's range.

    Attributes:
        param: The term's parameter declaration.
        low: The smallest value (a number term; None for a choice term).
        high: The largest value (a number term; None for a choice term).
        choices: The choices on the table (a choice term; empty for a number term).
    """

    param: Param
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The term's name."""
        return self.param.name


@dataclass(frozen=True)
class TermBox:
    """The negotiable box: each declared term's range (the other parameters stay fixed)."""

    terms: tuple[TermRange, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The negotiable terms' names, in declaration order."""
        return tuple(t.name for t in self.terms)


def term_box(ranges: Mapping[str, Any]) -> TermBox:
    """Validate a ``[negotiation]`` table into a :class:`TermBox`.

    Args:
        ranges: Term name to its range: ``[low, high]`` for a number term, a list of choices
            for a choice term.

    Raises:
        ConfigError: One line naming what is wrong and what is allowed: a term that is not
            negotiable, more than :data:`MAX_NEGOTIABLE` terms, an empty range, or a range
            outside the parameter's bounds.
    """
    params = negotiable()
    for name in ranges:
        if name not in params:
            raise ConfigError(f"{name!r} is not a negotiable term; negotiable: {', '.join(params)}")
    if len(ranges) > MAX_NEGOTIABLE:
        raise ConfigError(
            f"{len(ranges)} negotiable terms ({', '.join(ranges)}); allowed: at most "
            f"{MAX_NEGOTIABLE}, the other parameters stay fixed"
        )
    return TermBox(tuple(_term_range(params[name], value) for name, value in ranges.items()))


def _term_range(p: Param, value: Any) -> TermRange:
    allowed = p.bounds_text()
    if p.kind == "choice":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{p.name}={value!r} must be a list of choices ({allowed})")
        if not value:
            raise ConfigError(
                f"{p.name}=[] is an empty range; allowed: a non-empty list, each {allowed}"
            )
        for v in value:
            _in_bounds(p, v)
        if len(set(value)) != len(value):
            raise ConfigError(f"{p.name}={list(value)!r} names a choice twice; name each once")
        return TermRange(p, choices=tuple(value))
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ConfigError(
            f"{p.name}={value!r} must be a range [low, high] of two numbers ({allowed})"
        )
    low, high = (_in_bounds(p, v) for v in value)
    if low > high:
        raise ConfigError(
            f"{p.name}={list(value)!r} is an empty range; allowed: [low, high] with low <= high"
        )
    return TermRange(p, low=low, high=high)


def _in_bounds(p: Param, value: Any) -> Any:
    try:
        return coerce(p, value)
    except ParameterError as exc:
        raise ConfigError(str(exc)) from None


def term_points(
    box: TermBox, rng: np.random.Generator, max_points: int | None = None
) -> list[dict[str, Any]]:
    """At most ``max_points`` points of the box, each a term name to value mapping.

    ``max_points`` defaults to the ``max_term_points`` parameter's default (the schema's).

    Every combination of the choice terms' choices is enumerated, each with the same points of
    the number terms: up to two number terms a grid (``linspace`` per term, as many per term
    as the budget allows, integers without repeats), above two a scrambled Sobol sample of
    ``2**m`` points (the largest power of 2 the budget allows) seeded from ``rng``.

    Raises:
        ConfigError: The choice terms alone have more combinations than ``max_points``.
    """
    if max_points is None:
        max_points = int(schema()["max_term_points"].default)
    chosen = [t for t in box.terms if t.param.kind == "choice"]
    numbers = [t for t in box.terms if t.param.kind != "choice"]
    combos = list(itertools.product(*(t.choices for t in chosen)))
    per_combo = max_points // len(combos)
    if per_combo < 1:
        raise ConfigError(
            f"the choices of {', '.join(t.name for t in chosen)} make {len(combos)} "
            f"combinations; allowed: at most max_term_points={max_points} (raise it or offer "
            "fewer choices)"
        )
    grid = _number_points(numbers, per_combo, rng)
    points = []
    for combo in combos:
        for row in grid:
            point: dict[str, Any] = {}
            for t in box.terms:
                point[t.name] = combo[chosen.index(t)] if t in chosen else row[numbers.index(t)]
            points.append(point)
    return points


def _number_points(
    numbers: list[TermRange], budget: int, rng: np.random.Generator
) -> list[tuple[float | int, ...]]:
    if not numbers:
        return [()]
    if len(numbers) <= 2:
        per = math.isqrt(budget) if len(numbers) == 2 else budget
        axes = [_axis(t, per) for t in numbers]
        return list(itertools.product(*axes))
    low = np.array([t.low for t in numbers], dtype=float)
    high = np.array([t.high for t in numbers], dtype=float)
    sobol = qmc.Sobol(d=len(numbers), scramble=True, seed=rng)
    unit = sobol.random_base2(int(math.log2(budget)))
    scaled = low + unit * (high - low)
    return [tuple(_cast(t, x) for t, x in zip(numbers, row, strict=True)) for row in scaled]


def _axis(t: TermRange, per: int) -> list[float | int]:
    assert t.low is not None and t.high is not None
    if t.low == t.high:
        return [_cast(t, t.low)]
    values = [_cast(t, x) for x in np.linspace(t.low, t.high, per)]
    return list(dict.fromkeys(values))  # integers: without repeats, in order


def _cast(t: TermRange, x: float) -> float | int:
    return int(round(x)) if t.param.kind == "int" else float(x)
