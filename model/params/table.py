"""The schema of every parameter, and the validation of one value against its declaration.

:func:`schema` gathers the core's declarations (:mod:`model.params.incentives`,
:mod:`model.params.setting`, :mod:`model.params.negotiation`, :mod:`model.params.pledges`) and
each registered rule's; :func:`coerce` and :func:`parse_text` check one value against its
:class:`~agents.declare.Param`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.declare import Param
from agents.rules import rules
from model.adjudication import adjudication_rules
from model.errors import ParameterError
from model.negotiation import protocols
from model.params.incentives import INCENTIVES
from model.params.layers import LAYER_PARAMS, NAME_SET_TAG, NO_LAYERS
from model.params.negotiation import NEGOTIATION, TERMS_RULE
from model.params.pledges import PLEDGES
from model.params.setting import SETTING
from model.verification import regimes
from model.verification.layers import layers

#: The tag of a rule's ``choice`` parameter whose choices are the other registered rules.
RULE_NAME_TAG = "rule_name"

#: Every core parameter, in the order ``pausegame params`` lists them.
CORE: tuple[Param, ...] = (*INCENTIVES, *SETTING, *NEGOTIATION, *PLEDGES, *LAYER_PARAMS)


def schema() -> dict[str, Param]:
    """Every declared parameter by name: the core's, then each registered rule's."""
    table = {p.name: p for p in CORE}
    registered = rules()
    table["decision_rule"] = _with_choices(table["decision_rule"], tuple(registered))
    table["verification"] = _with_choices(table["verification"], tuple(regimes()))
    table["layers"] = _with_choices(table["layers"], (NO_LAYERS, *layers()))
    table["protocol"] = _with_choices(table["protocol"], (TERMS_RULE, *protocols()))
    judges = adjudication_rules()
    glosses = ", ".join(f"'{name}' ({rule.gloss})" for name, rule in judges.items())
    table["adjudication"] = _with_choices(
        table["adjudication"], tuple(judges), help=f"{table['adjudication'].help} {glosses}."
    )
    for rule in registered.values():
        for p in rule.params:
            if RULE_NAME_TAG in p.tags:  # a rule's choice of another registered rule
                p = _with_choices(p, tuple(n for n in registered if n != rule.name))
            if p.name in table and table[p.name] != p:
                raise ValueError(
                    f"parameter {p.name!r} is declared twice, differently (by rule {rule.name!r})"
                )
            table[p.name] = p
    return table


def _with_choices(p: Param, choices: tuple[str, ...], **changes: Any) -> Param:
    from dataclasses import replace

    return replace(p, choices=choices, **changes)


def defaults() -> dict[str, Any]:
    """The default value of every parameter."""
    return {name: p.default for name, p in schema().items()}


def ledger_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a run's event log records: all but the later ones at their default.

    A parameter added after the first event-log format (``ledger_since > 0``) is left out
    while it holds its default, so adding a parameter leaves every earlier run's log and head
    hash unchanged; set to anything else it is recorded. :func:`params_from_ledger` undoes it.
    """
    table = schema()
    return {
        name: value
        for name, value in values.items()
        if name not in table or table[name].ledger_since == 0 or value != table[name].default
    }


def params_from_ledger(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """A run's parameters from its event log's run record: the left-out ones at their default."""
    table = schema()
    left_out = {n: p.default for n, p in table.items() if p.ledger_since > 0 and n not in recorded}
    return {**recorded, **left_out}


def unknown_name_error(name: str, table: Mapping[str, Param]) -> ParameterError:
    """The error for a parameter name the schema does not know, with the closest names."""
    close = difflib.get_close_matches(name, table, n=3)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return ParameterError(
        name,
        None,
        "see `pausegame params`",
        message=f"unknown parameter {name!r}; {hint}see `pausegame params` for every parameter",
    )


def coerce(p: Param, value: Any) -> Any:
    """Validate one value against its declaration; return it in its canonical type.

    Raises:
        ParameterError: naming the field, the value and the allowed range.
    """
    allowed = p.bounds_text()
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        value = value.item()  # numpy scalars behave as the Python number they hold
    if isinstance(value, str) and value in p.aliases:
        return value
    if p.kind == "choice" and NAME_SET_TAG in p.tags:
        return _name_set(p, value)
    if p.kind == "choice":
        if isinstance(value, bool) and str(value).lower() in p.choices:
            return str(value).lower()  # a TOML or JSON boolean for a 'false'/'true' choice
        if not isinstance(value, str) or value not in p.choices:
            raise ParameterError(p.name, value, allowed)
        return value
    if p.kind == "seed":
        if value is None:
            return None
        if isinstance(value, bool) or not _is_integral(value) or int(value) < 0:
            raise ParameterError(p.name, value, allowed)
        return int(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float)):
        raise ParameterError(p.name, value, allowed, why="has the wrong type")
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(p.name, value, allowed, why="is not a finite number")
    if p.kind == "int":
        if not _is_integral(value):
            raise ParameterError(p.name, value, allowed, why="is not an integer")
        value = int(value)
    else:
        value = float(value)
    lo, hi = p.low, p.high
    if lo is not None and (value < lo or (p.low_open and value == lo)):
        raise ParameterError(p.name, value, allowed, why="is out of bounds")
    if hi is not None and (value > hi or (p.high_open and value == hi)):
        raise ParameterError(p.name, value, allowed, why="is out of bounds")
    return value


def _name_set(p: Param, value: Any) -> str:
    """A set of ``p``'s choices, as a comma-separated string in the order of the choices.

    ``p.choices[0]`` (``none``) and an empty list or string choose nothing; a list or tuple
    (a TOML array) is accepted as well as ``'a,b'``.
    """
    none, names = p.choices[0], p.choices[1:]
    allowed = p.bounds_text()
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")] if value.strip() else []
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        raise ParameterError(p.name, value, allowed, why="has the wrong type")
    if items == [none]:
        return none
    for item in items:
        if item not in names:
            raise ParameterError(
                p.name, value, allowed, why=f"names {item!r}, which is not among them"
            )
    if len(set(items)) < len(items):
        raise ParameterError(p.name, value, allowed, why="names a layer twice")
    return ",".join(n for n in names if n in items) or none


def _is_integral(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def parse_text(p: Param, text: str) -> Any:
    """Parse a value typed on the command line (or into a text box) and validate it."""
    raw = text.strip()
    if raw in p.aliases:
        return raw
    if p.kind == "choice":
        return coerce(p, raw)
    if p.kind == "seed" and raw.lower() in ("", "none", "null"):
        return None
    try:
        value: Any = (
            int(raw) if p.kind in ("int", "seed") and raw.lstrip("+-").isdigit() else float(raw)
        )
    except ValueError:
        raise ParameterError(p.name, raw, p.bounds_text(), why="is not a number") from None
    return coerce(p, value)
