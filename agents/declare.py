"""The declaration of one model parameter.

Every number the model reads is declared exactly once as a :class:`Param`: the core's in
``model/params/``, a decision rule's in its own file under ``agents/rules/``. The schema in
``model/params/`` gathers them; the model constructor, the CLI flags, scenario and design
validation, app controls and samplers are all generated from these declarations.

This module lives on the ground floor (``agents/``) so that rule files can declare their
parameters without importing ``model``; it holds data only, no validation logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Kind = Literal["float", "int", "choice", "seed"]


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    Attributes:
        name: The schema, constructor, file and CLI name (``p_detect``; CLI ``--p-detect``).
        kind: ``float``, ``int``, ``choice`` (one of ``choices``) or ``seed`` (int >= 0 or None).
        default: The default value.
        help: One sentence a student can read.
        unit: The unit (``"per period"``, ``"G per unit capability"``, ``""``).
        low: Lower validity bound, or None for unbounded.
        high: Upper validity bound, or None for unbounded.
        low_open: True when ``low`` itself is not allowed (``discount`` in (0, 1]).
        high_open: True when ``high`` itself is not allowed.
        choices: Allowed values of a ``choice`` parameter.
        range: Finite (min, max) for sliders and samplers, inside the validity bounds.
        app_max: Where the app must cap a size, the largest value it offers.
        group: The app's control group (population, verification, sanctions, alliances,
            decisions, treaty, run).
        symbol: The symbol used in DESIGN.md and the ODD description, if any.
        aliases: Words a numeric parameter also accepts (``revision_rate = "one"``).
        ledger_since: The event-log format that added the parameter (0: the first). A run record
            leaves out a parameter added after format 0 while it is at its default, so adding
            a parameter leaves every earlier run's log, and its head hash, unchanged.
    """

    name: str
    kind: Kind
    default: Any
    help: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    range: tuple[float, float] | None = None
    app_max: float | None = None
    group: str = "run"
    symbol: str = ""
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())
    ledger_since: int = 0

    def bounds_text(self) -> str:
        """Describe the allowed values in words, for error messages and ``pausegame params``."""
        if self.kind == "choice" and "name_set" in self.tags and self.choices:
            # a set of names (``layers``): the first choice means none of the others
            names = ", ".join(self.choices[1:])
            return f"{self.choices[0]!r} or a comma-separated list of: {names}"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "seed":
            return "an integer >= 0, or none"
        if self.aliases:
            words = " or ".join(repr(a) for a in self.aliases)
            return f"{replace(self, aliases=()).bounds_text()}, or {words}"
        what = "an integer" if self.kind == "int" else "a number"
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            left = "(" if self.low_open else "["
            right = ")" if self.high_open else "]"
            return f"{what} in {left}{_num(lo)}, {_num(hi)}{right}"
        if lo is not None:
            return f"{what} {'>' if self.low_open else '>='} {_num(lo)}"
        if hi is not None:
            return f"{what} {'<' if self.high_open else '<='} {_num(hi)}"
        return what


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
