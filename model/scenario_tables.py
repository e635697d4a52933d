"""The tables of a scenario file, declared once (pydantic; see :mod:`model.tables`).

:func:`model.scenario.scenario_from_mapping` validates a parsed file with them, table by table
and row by row, and builds the frozen specs the model reads. ``[params]`` values are checked
by the parameter schema (:func:`model.tables.known_params`), the one source of their bounds.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from model.tables import Given, Says, Table

ACTIONS = ("comply", "defect")
#: The largest capability a scenario may give: capabilities are relative, so any unit works
#: (FLOP, dollars), but their sum must stay a finite float.
MAX_CAPABILITY = 1e300

_Action = Literal["comply", "defect"]
_ACTION = "{field}={value!r}; allowed: 'comply', 'defect'"
_CAPABILITY = (
    f"is not allowed; allowed: a number in [{1.0 / MAX_CAPABILITY:g}, {MAX_CAPABILITY:g}] "
    "(capabilities are relative: any unit works)"
)
_Capability = Annotated[float, Field(ge=1.0 / MAX_CAPABILITY, le=MAX_CAPABILITY)]


class ScenarioTables(Table):
    """A scenario file's tables (their contents: :class:`Meta` and the rows below)."""

    unknown: ClassVar[str] = "unknown table [{key}]; allowed: {allowed}"
    allowed_as: ClassVar[str] = "[{}]"
    not_a_table: ClassVar[str] = "a scenario must be a table, not {kind}"

    meta: Annotated[dict[str, Any], Says("[meta] must be a table")] = {}
    params: Annotated[dict[str, Any], Says("[params] must be a table")] = {}
    nations: Annotated[list[dict[str, Any]], Says("[[nations]] must be an array of tables")] = []
    alliances: Annotated[
        list[dict[str, Any]], Says("[[alliances]] must be an array of tables")
    ] = []
    events: Annotated[list[dict[str, Any]], Says("[[events]] must be an array of tables")] = []
    negotiation: Annotated[dict[str, Any], Says("[negotiation] must be a table")] = {}


_Text = Annotated[str | None, Given, Says("{field}={value!r} must be text (a string)")]
_Sub = Annotated[dict[str, Any] | None, Given, Says("{field} must be a table ([meta.{field}])")]


class Meta(Table):
    """``[meta]``: what a scenario says about itself.

    Also a teaching scenario's claim and contrast, and the provenance a run's ``config.toml``
    records. Kept as given.
    """

    unknown: ClassVar[str] = "unknown field {key!r}{hint}; allowed: {allowed}"
    in_key_order: ClassVar[bool] = True

    name: _Text = None
    title: _Text = None
    summary: _Text = None
    claim: _Sub = None
    contrast: _Sub = None
    source: _Text = None
    package_version: _Text = None
    git_commit: _Text = None
    verification_registry_sha256: _Text = None
    created: _Text = None
    alliance_file: _Text = None

    @model_validator(mode="after")
    def _folder_name(self) -> Meta:
        name = self.name
        if name is not None and (
            not name.strip()
            or name != name.strip()
            or "/" in name
            or "\\" in name
            or name.startswith(".")
            or any(ord(ch) < 32 for ch in name)
        ):
            raise ValueError(
                f"name={name!r} is not allowed; allowed: a non-empty name without '/', '\\', "
                "control characters, a leading '.' or surrounding spaces (it names the output "
                "folder)"
            )
        return self


#: Keys of ``[meta]``.
META_KEYS = tuple(Meta.model_fields)


def _nation_name(name: str) -> str:
    if not name.strip() or "/" in name:
        raise ValueError("not a nation name")
    return name


class NationRow(Table):
    """One ``[[nations]]`` entry (its fields in the order they are checked)."""

    unknown: ClassVar[str] = (
        "unknown field {key!r}; allowed: name, capability, labs, bloc, committed, action, member"
    )

    name: Annotated[
        str,
        AfterValidator(_nation_name),
        Says("{field}={value!r} must be a non-empty string without '/'"),
    ]
    capability: Annotated[_Capability | None, Says("{field}={value!r} " + _CAPABILITY)] = None
    labs: Annotated[
        Annotated[int, Field(ge=0)] | list[_Capability] | None,
        Says(
            "{field}={value!r} must be a count >= 0 or a list of capabilities",
            item="{field}[]={value!r} " + _CAPABILITY,
        ),
    ] = None
    bloc: Annotated[str | int | None, Says("{field}={value!r} must be a name or an integer")] = None
    member: Annotated[bool | None, Says("{field}={value!r} must be true or false")] = None
    committed: Annotated[_Action | None, Says(_ACTION)] = None
    action: Annotated[_Action | None, Says(_ACTION)] = None


def _nation_of(name: str, info: ValidationInfo) -> str:
    if name not in (info.context or {}).get("names", ()):
        raise ValueError("not a nation")
    return name


def _not_itself(name: str, info: ValidationInfo) -> str:
    if name == info.data.get("a"):
        raise PydanticCustomError("itself", "a nation cannot ally with itself")
    return name


_Nation = Annotated[
    str, AfterValidator(_nation_of), Says("{field}={value!r} is not a nation of [[nations]]")
]


class AllianceRow(Table):
    """One ``[[alliances]]`` entry: a tie between nations ``a`` and ``b``.

    Validated with the nations' names as context (``{"names": [...]}``).
    """

    a: _Nation
    b: Annotated[
        _Nation,
        AfterValidator(_not_itself),
        Says(
            "{field}={value!r} is not a nation of [[nations]]",
            itself="a nation cannot ally with itself ({value!r})",
        ),
    ]
    weight: Annotated[
        Annotated[float, Field(gt=0, le=1)] | None,
        Says(
            "{field}={value!r} must be a finite number > 0",
            less_than_equal=("{field}={value!r} must be in (0, 1]"),
        ),
    ] = None


class EventRow(Table):
    """One ``[[events]]`` entry.

    From ``start`` for ``duration`` periods (None: to the end), the named actors are held to
    ``action``.
    """

    start: Annotated[int, Field(ge=1), Says("{field}={value!r} must be a step >= 1")]
    duration: Annotated[
        Annotated[int, Field(ge=1)] | None,
        Says(
            "{field}={value!r} must be a number of periods >= 1 (leave it out to hold until "
            "the end)"
        ),
    ] = None
    actors: Annotated[
        list[str],
        BeforeValidator(lambda v: [v] if isinstance(v, str) else v),
        Field(min_length=1),
        Says("{field}={value!r} must be a non-empty list of actor names"),
    ]
    action: Annotated[_Action, Says(_ACTION)]
