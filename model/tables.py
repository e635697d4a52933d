"""Tables of input files declared with pydantic, and their one-line errors.

A scenario file (:mod:`model.scenario_tables`) and a design file
(:mod:`experiments.batch.design_tables`) are TOML tables whose schemas are declared as
:class:`Table` models: strict types (``1.0`` is not an integer, ``true`` is not a number, ``nan``
and ``inf`` are not numbers), unknown keys refused. Each field says how its error reads with
:class:`Says`, so the messages name the field, the value and what is allowed, in one line.
:func:`parse` validates one parsed table and turns pydantic's ``ValidationError`` into the
project's :class:`~model.errors.ConfigError` (or a subclass) with that text. Parameter values are
checked by the parameter schema (:func:`known_params`), the one source of their bounds.

Example:
    >>> from model.scenario_tables import EventRow
    >>> parse(EventRow, {"start": 3, "actors": "A", "action": "defect"}, "e: ").actors
    ['A']
    >>> parse(EventRow, {"start": 0, "actors": ["A"], "action": "defect"}, "e: ")
    Traceback (most recent call last):
    model.errors.ConfigError: e: start=0 must be a step >= 1
    >>> parse(EventRow, {"start": 1, "stop": 2, "actors": ["A"], "action": "defect"}, "e: ")
    Traceback (most recent call last):
    model.errors.ConfigError: e: unknown field 'stop'; allowed: start, duration, actors, action
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from model.errors import ConfigError
from model.params import coerce, schema, unknown_name_error

__all__ = ["Given", "Says", "Table", "check_keys", "close_hint", "known_params", "parse"]


@dataclass(frozen=True, init=False)
class Says:
    """How a field's error reads (``Annotated`` metadata of a :class:`Table` field).

    Templates are ``str.format`` strings over ``field`` (its name), ``value`` (the value given;
    None when missing) and ``error`` (the text a validator raised).

    Attributes:
        text: The message for any error of the field.
        by_type: A message for one kind of pydantic error (``"less_than_equal"``, ...).
        item: The message for a bad element of a list (``value`` is the element).
    """

    text: str
    by_type: Mapping[str, str]
    item: str | None

    def __init__(self, text: str, item: str | None = None, **by_type: str) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "by_type", by_type)
        object.__setattr__(self, "item", item)


def _given(value: Any) -> Any:
    if value is None:
        raise ValueError("no value")
    return value


#: A key given must have a value: None only stands for a key left out (``Annotated`` metadata).
Given = BeforeValidator(_given)


class Table(BaseModel):
    """A table of an input file: strict types, unknown keys refused, one-line errors."""

    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True
    )

    #: The message for an unknown key (``key``, ``hint``: a close allowed key, ``allowed``).
    unknown: ClassVar[str] = "unknown field {key!r}; allowed: {allowed}"
    #: How each allowed key is written in that message.
    allowed_as: ClassVar[str] = "{}"
    #: Report the first problem in the order of the keys given (else: an unknown key first,
    #: then the fields in their declared order).
    in_key_order: ClassVar[bool] = False
    #: The message when the input is not a table at all (``kind``: the type given).
    not_a_table: ClassVar[str] = "must be a table"


def close_hint(name: str, allowed: Collection[str]) -> str:
    """`` (did you mean 'x'?)`` for the allowed name closest to ``name``, or ``""``."""
    close = difflib.get_close_matches(str(name), list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse[T: Table](
    table: type[T],
    data: Any,
    where: str,
    error: type[ConfigError] = ConfigError,
    context: Mapping[str, Any] | None = None,
) -> T:
    """Validate one parsed table; raise ``error`` with one line naming the field.

    Args:
        table: The table's declaration.
        data: The parsed table (a mapping).
        where: The start of every message (``"file.toml: [[nations]] #2: "``).
        error: The error type raised.
        context: Passed to the validators (pydantic's validation context).

    Raises:
        ConfigError: ``error``, with the first problem: an unknown key before a bad value,
            fields in their declared order.
    """
    try:
        return table.model_validate(data, context=context)
    except ValidationError as exc:
        raise error(where + _message(table, exc, data)) from None


def check_keys(
    table: type[Table], data: Any, where: str, error: type[ConfigError] = ConfigError
) -> None:
    """Refuse a key the table does not declare (before any value is checked).

    Raises:
        ConfigError: ``error``, naming the first unknown key and the allowed ones.
    """
    unknown = [k for k in data if k not in table.model_fields] if isinstance(data, Mapping) else []
    if unknown:
        raise error(where + _unknown(table, str(unknown[0])))


def _unknown(table: type[Table], name: str) -> str:
    allowed = [table.allowed_as.format(k) for k in table.model_fields]
    hint = close_hint(name, table.model_fields)
    return table.unknown.format(key=name, hint=hint, allowed=", ".join(allowed))


def _message(table: type[Table], exc: ValidationError, data: Any) -> str:
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    if table.in_key_order and isinstance(data, Mapping):
        order = {key: i for i, key in enumerate(data)}
        errors.sort(key=lambda e: order.get(e["loc"][0], len(order)) if e["loc"] else -1)
    first = errors[0]
    loc, kind = first["loc"], first["type"]
    if not loc:
        if kind in ("model_type", "model_attributes_type", "dict_type"):
            return table.not_a_table.format(kind=type(data).__name__)
        return _error_text(first)
    name = str(loc[0])
    if kind == "extra_forbidden":
        return _unknown(table, name)
    says = next(
        (m for m in reversed(table.model_fields[name].metadata) if isinstance(m, Says)),
        Says("{field}={value!r}: {error}"),
    )
    mine = [e for e in errors if e["loc"] and e["loc"][0] == name]
    item = next((e for e in mine if any(isinstance(p, int) for p in e["loc"][1:])), None)
    if says.item is not None and item is not None:
        return says.item.format(field=name, value=item["input"], error=_error_text(item))
    if kind == "missing":
        value = None
    elif len(loc) == 1:
        value = first["input"]
    else:
        value = data.get(name) if isinstance(data, Mapping) else None
    template = says.by_type.get(kind, says.text)
    return template.format(field=name, value=value, error=_error_text(first))


def _error_text(e: Any) -> str:
    """The text a validator raised, else pydantic's own message."""
    raised = (e.get("ctx") or {}).get("error")
    return str(raised) if isinstance(raised, Exception) else str(e["msg"])


def known_params(
    values: Mapping[str, Any], reserved: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Each value checked by the parameter schema (:mod:`model.params`), in its canonical type.

    For a pydantic validator: the schema stays the one source of every parameter's bounds.

    Args:
        values: Parameter names and values.
        reserved: Names refused here, each with why (``{"seed": "a design has no `seed`"}``).

    Raises:
        ValueError: ``"<name>: <why>"`` for a reserved name;
            :class:`~model.errors.ParameterError` for an unknown name or a value out of bounds.
    """
    table = schema()
    out = {}
    for name, value in values.items():
        if reserved and name in reserved:
            raise ValueError(f"{name}: {reserved[name]}")
        if name not in table:
            raise unknown_name_error(name, table)
        out[name] = coerce(table[name], value)
    return out
