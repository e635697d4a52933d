"""The tables of a design file, declared once (pydantic; see :mod:`model.tables`).

:func:`experiments.batch.design.design_from_mapping` validates a parsed design with them, table
by table; what depends on more than one table (the base scenario's steps, the points, the size
of the plan) is checked there and in :mod:`experiments.batch.design_points`. Parameter values
are checked by the parameter schema (:func:`model.tables.known_params`), the one source of
their bounds.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from model.errors import ConfigError
from model.metrics import TIMESERIES_COLUMNS
from model.tables import Given, Says, Table, close_hint, known_params


class DesignError(ConfigError):
    """A design file or mapping that is not valid (names the file, the table and the field)."""


#: How run seeds are derived (see :mod:`experiments.batch.design`).
SEED_SCHEMES = ("independent", "common")

#: Sampling methods of ``[sample]``.
SAMPLE_METHODS = ("lhs", "sobol")

#: Bits kept of a derived seed (a plain non-negative int64).
SEED_MASK = (1 << 63) - 1

#: Parameters a design may not set or vary: the run's seed comes from ``master_seed`` and the
#: number of steps is ``[run] steps``.
RESERVED = {
    "seed": "a design has no `seed`: every run's seed is derived from [run] "
    "master_seed (see seed_scheme)",
    "steps": "give the number of steps once, as [run] steps",
}

#: The time-series columns a design may keep.
COLUMNS = tuple(c for c in TIMESERIES_COLUMNS if c != "step")


def _int_from(low: int, high: int | None = None) -> Says:
    """An integer field in ``[low, high]`` whose error says so."""
    allowed = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
    return Says("{field}={value!r} is not allowed; allowed: " + allowed)


def _choice(choices: tuple[str, ...], label: str = "") -> Says:
    allowed = ", ".join(map(repr, choices))
    return Says(label + "{field}={value!r} is not allowed; allowed: " + allowed)


class DesignTables(Table):
    """A design file's tables.

    Their contents: the tables below; ``[meta]`` is free-form and ``[sweep]`` names parameters.
    """

    unknown: ClassVar[str] = "unknown table [{key}]{hint}; allowed: {allowed}"
    allowed_as: ClassVar[str] = "[{}]"
    not_a_table: ClassVar[str] = "a design must be a table"

    meta: Annotated[dict[str, Any], Says("[meta] must be a table")] = {}
    base: Annotated[dict[str, Any], Says("[base] must be a table")] = {}
    sweep: Annotated[dict[str, Any], Says("[sweep] must be a table")] = {}
    sample: Annotated[dict[str, Any], Says("[sample] must be a table")] = {}
    run: Annotated[dict[str, Any], Says("[run] must be a table")] = {}
    outputs: Annotated[dict[str, Any], Says("[outputs] must be a table")] = {}


class Base(Table):
    """``[base]``: the scenario and the parameter overrides every point starts from."""

    unknown: ClassVar[str] = "[base] unknown field {key!r}{hint}; allowed: {allowed}"

    scenario: Annotated[
        str | None,
        Given,
        Field(min_length=1),
        Says("[base] scenario: expected a scenario name or a .toml path"),
    ] = None
    params: Annotated[
        dict[str, Any],
        AfterValidator(lambda values: known_params(values, RESERVED)),
        Says("[base.params] must be a table", value_error="[base.params] {error}"),
    ] = {}


class Run(Table):
    """``[run]``: replicates, steps, the master seed and the seed scheme (``where``: ``[run]``)."""

    unknown: ClassVar[str] = (
        "unknown field {key!r}{hint}; allowed: replicates, steps, master_seed, seed_scheme"
    )

    replicates: Annotated[int, Field(ge=1), _int_from(1)] = 1
    master_seed: Annotated[
        int | None, Given, Field(ge=0, le=SEED_MASK), _int_from(0, SEED_MASK)
    ] = None
    steps: Annotated[int | None, Given, Field(ge=1), _int_from(1)] = None
    seed_scheme: Annotated[Literal["independent", "common"], _choice(SEED_SCHEMES)] = "independent"


def _columns(columns: list[Any]) -> list[Any]:
    for col in columns:
        if col not in COLUMNS:
            raise ValueError(
                f"columns: unknown column {col!r}{close_hint(str(col), COLUMNS)}; allowed: "
                + ", ".join(COLUMNS)
            )
    return columns


class Outputs(Table):
    """``[outputs]``: per-step series kept or not, every how many steps, which columns.

    Its messages follow ``[outputs]``.
    """

    unknown: ClassVar[str] = "unknown field {key!r}{hint}; allowed: {allowed}"

    timeseries: Annotated[
        bool, Says("{field}={value!r} is not allowed; allowed: true or false")
    ] = False
    every: Annotated[int, Field(ge=1), _int_from(1)] = 1
    columns: Annotated[
        list[Any],
        Given,
        Field(min_length=1),
        AfterValidator(_columns),
        Says("columns: expected a non-empty list of time-series columns", value_error="{error}"),
    ] = list(COLUMNS)


def _balanced(n: int, info: ValidationInfo) -> int:
    if info.data.get("method") == "sobol" and n & (n - 1):
        raise PydanticCustomError(
            "sobol",
            f"[sample] n={n} is not allowed for sobol; allowed: a power of two (e.g. "
            f"{1 << (n.bit_length() - 1)} or {1 << n.bit_length()}), which keeps the "
            "sequence balanced",
        )
    return n


_EMPTY = (
    "[sample.params] is empty; name at least one parameter, e.g. p_detect = {{}} for its "
    "whole range"
)


class Sample(Table):
    """``[sample]``: a method, a number of points and the parameters' ranges."""

    unknown: ClassVar[str] = "[sample] unknown field {key!r}{hint}; allowed: {allowed}"

    method: Annotated[Literal["lhs", "sobol"], _choice(SAMPLE_METHODS, "[sample] ")] = "lhs"
    n: Annotated[
        int,
        Field(ge=1),
        AfterValidator(_balanced),
        Says(
            "[sample] {field}={value!r} is not allowed; allowed: an integer >= 1 (the number of "
            "points)",
            sobol="{error}",
        ),
    ]
    params: Annotated[
        dict[str, Any],
        Field(min_length=1),
        Says("[sample.params] must be a table", too_short=_EMPTY, missing=_EMPTY),
    ]
