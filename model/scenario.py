"""Scenarios as parsed objects: named nations, labs, blocs, alliances, commitments and events.

A scenario file (TOML, read by ``experiments.scenarios``) is parsed into a plain mapping and
validated here into a :class:`ScenarioSpec`. ``model`` does no file I/O; it accepts the mapping.
(``ScenarioSpec`` was called ``Scenario``, a name now Mesa's; the old name is an alias. Mesa's
``Scenario`` for a run of the model is :class:`model.mesa_scenario.PauseScenario`.)

Layout of the mapping (DESIGN.md section 4)::

    [meta]        name, title, summary, (claim)       any keys; kept as given
    [params]      any schema field                    validated by model.params
    [[nations]]   name; capability; labs (a count or a list of capabilities); bloc;
                  committed = "comply" | "defect"; action = "comply" | "defect";
                  member = true | false (initial treaty membership)
    [[alliances]] a, b, weight                        nation names
    [[events]]    start, duration, actors, action     actor names (see below)
    [negotiation] at most 4 negotiable terms          term = [low, high] or a list of choices
                                                      (model.params.terms)

Actor names: a nation's own programme is its name (``"Norland"``); its labs are
``"Norland/lab-1"``, ``"Norland/lab-2"``, ... in actor-id order; ``"Norland/*"`` in an event
means the nation and all its labs. ``committed`` and ``action`` on a nation apply to its
programme and all its labs (a nation's commitment covers its jurisdiction; use an event to hold
a single lab). An event that holds a committed nation or one of its labs to the other action is
an error (raised when the world is built, ``model.world.build_world``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from model.errors import ConfigError, ScenarioError
from model.params.terms import term_box
from model.scenario_tables import ACTIONS as ACTIONS
from model.scenario_tables import MAX_CAPABILITY as MAX_CAPABILITY
from model.scenario_tables import META_KEYS as META_KEYS
from model.scenario_tables import AllianceRow, EventRow, Meta, NationRow, ScenarioTables
from model.tables import Table, known_params, parse


@dataclass(frozen=True)
class NationSpec:
    """One ``[[nations]]`` entry."""

    name: str
    capability: float | None = None
    labs: int | tuple[float, ...] | None = None
    bloc: str | int | None = None
    committed: str | None = None
    action: str | None = None
    member: bool | None = None


@dataclass(frozen=True)
class AllianceSpec:
    """One ``[[alliances]]`` entry: a tie between nations ``a`` and ``b``."""

    a: str
    b: str
    weight: float | None = None


@dataclass(frozen=True)
class EventSpec:
    """One ``[[events]]`` entry.

    From ``start`` for ``duration`` periods (None: to the end), the named actors are held to
    ``action``.
    """

    start: int
    duration: int | None
    actors: tuple[str, ...]
    action: str


@dataclass(frozen=True)
class ScenarioSpec:
    """A validated scenario file (parameters are validated later, with the schema)."""

    meta: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    nations: tuple[NationSpec, ...] = ()
    alliances: tuple[AllianceSpec, ...] = ()
    events: tuple[EventSpec, ...] = ()
    negotiation: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario's name (``meta.name``), or ``"custom"``."""
        return str(self.meta.get("name", "custom"))

    def to_mapping(self) -> dict[str, Any]:
        """The scenario as a plain mapping in file layout.

        It round-trips through :func:`scenario_from_mapping`.
        """
        out: dict[str, Any] = {"meta": dict(self.meta), "params": dict(self.params)}
        if self.nations:
            rows = []
            for n in self.nations:
                row: dict[str, Any] = {"name": n.name}
                if n.capability is not None:
                    row["capability"] = n.capability
                if n.labs is not None:
                    row["labs"] = n.labs if isinstance(n.labs, int) else list(n.labs)
                for key in ("bloc", "committed", "action", "member"):
                    if getattr(n, key) is not None:
                        row[key] = getattr(n, key)
                rows.append(row)
            out["nations"] = rows
        if self.alliances:
            out["alliances"] = [
                {"a": a.a, "b": a.b, **({"weight": a.weight} if a.weight is not None else {})}
                for a in self.alliances
            ]
        if self.events:
            out["events"] = [
                {
                    "start": e.start,
                    **({"duration": e.duration} if e.duration is not None else {}),
                    "actors": list(e.actors),
                    "action": e.action,
                }
                for e in self.events
            ]
        if self.negotiation:
            out["negotiation"] = {k: list(v) for k, v in self.negotiation.items()}
        return out


#: The old name of :class:`ScenarioSpec` (kept importable; Mesa's ``Scenario`` is another thing).
Scenario = ScenarioSpec


def scenario_from_mapping(
    data: ScenarioSpec | Mapping[str, Any], *, source: str = "scenario", check_params: bool = False
) -> ScenarioSpec:
    """Validate a parsed scenario mapping.

    Its tables are declared in :mod:`model.scenario_tables`.

    Args:
        data: The parsed file (tables as in the module docstring).
        source: Where it came from, for error messages (a file name).
        check_params: Check each ``[params]`` value against the parameter schema now (a file's
            reader does); otherwise they are checked when a run's parameters are resolved.

    Raises:
        ScenarioError: naming the source, the table, the entry and the field.
    """
    if isinstance(data, ScenarioSpec):
        return data
    tables = parse(ScenarioTables, data, f"{source}: ", ScenarioError)
    parse(Meta, tables.meta, f"{source}: [meta] ", ScenarioError)
    nations = _specs(NationSpec, NationRow, "nations", tables.nations, source)
    _check_nations(nations, source)
    names = {"names": [n.name for n in nations]}
    alliances = _specs(AllianceSpec, AllianceRow, "alliances", tables.alliances, source, names)
    pairs: dict[frozenset[str], int] = {}
    for i, a in enumerate(alliances):
        first = pairs.setdefault(frozenset((a.a, a.b)), i)
        if first != i:
            raise ScenarioError(
                f"{source}: [[alliances]] #{i + 1}: the alliance {a.a!r} - "
                f"{a.b!r} is given twice (#{first + 1} and #{i + 1}); allowed: "
                "each pair of nations once, with one weight"
            )
    events = _specs(EventSpec, EventRow, "events", tables.events, source)
    if events and not nations:
        raise ScenarioError(f"{source}: [[events]] need a [[nations]] table naming the actors")
    try:
        term_box(tables.negotiation)
    except ConfigError as exc:
        raise ScenarioError(f"{source}: [negotiation] {exc}") from None
    if check_params:
        try:
            known_params(tables.params)
        except ConfigError as exc:
            raise ScenarioError(f"{source}: [params] {exc}") from None
    return ScenarioSpec(
        meta=dict(tables.meta),
        params=dict(tables.params),
        nations=nations,
        alliances=alliances,
        events=events,
        negotiation=dict(tables.negotiation),
    )


def _specs(
    spec: type, row_table: type[Table], table: str, rows: Any, source: str, context: Any = None
) -> tuple[Any, ...]:
    """Each row of an array of tables validated, as its frozen spec (lists become tuples)."""
    out = []
    for i, row in enumerate(rows):
        named = table == "nations" and isinstance(row.get("name"), str)
        label = f" ({row['name']!r})" if named else ""
        where = f"{source}: [[{table}]] #{i + 1}{label}: "
        valid = parse(row_table, row, where, ScenarioError, context)
        out.append(spec(**{k: tuple(v) if isinstance(v, list) else v for k, v in valid}))
    return tuple(out)


def _check_nations(nations: Sequence[NationSpec], source: str) -> None:
    """What the nations' rows must agree on: unique names; capability, bloc and labs alike."""
    seen: set[str] = set()
    for i, n in enumerate(nations):
        if n.name in seen:
            raise ScenarioError(f"{source}: [[nations]] #{i + 1}: name {n.name!r} is used twice")
        seen.add(n.name)
    for fld in ("capability", "bloc"):
        given = [getattr(n, fld) is not None for n in nations]
        if any(given) and not all(given):
            missing = [n.name for n, g in zip(nations, given, strict=True) if not g]
            raise ScenarioError(
                f"{source}: [[nations]]: give {fld} for every nation or for none "
                f"(missing for {', '.join(missing)})"
            )
    labs_kinds = {type(n.labs) for n in nations if n.labs is not None}
    if labs_kinds == {int, tuple}:
        raise ScenarioError(
            f"{source}: [[nations]]: give labs either as counts for every "
            "nation or as lists of capabilities, not a mix"
        )
    if tuple in labs_kinds and any(n.capability is None for n in nations):
        raise ScenarioError(
            f"{source}: [[nations]]: labs given as capability lists need a "
            "capability for every nation"
        )


def fit_nations(sc: ScenarioSpec, given: Mapping[str, Any]) -> tuple[ScenarioSpec, tuple[str, ...]]:
    """Drop names-only nations when the overrides ask for a different number of nations.

    A scenario whose ``[[nations]]`` give names only (no capability, labs, bloc, commitment or
    action, and no alliances or events refer to them), such as ``default``, only labels the
    nations, so ``--n-nations 30`` should work on it: the names are dropped and the nations
    are numbered. Any other contradiction is reported by the model.
    """
    n = given.get("n_nations")
    if not sc.nations or n is None or sc.alliances or sc.events:
        return sc, ()
    try:
        if int(n) == len(sc.nations):
            return sc, ()
    except (TypeError, ValueError):
        return sc, ()  # the schema reports the bad value
    if any(spec != NationSpec(spec.name) for spec in sc.nations):
        return sc, ()
    note = (
        f"n_nations={n}: the scenario {sc.name!r} names {len(sc.nations)} nations; their "
        "names are dropped and the nations numbered"
    )
    return replace(sc, nations=()), (note,)
