"""Scenarios as parsed objects: named nations, labs, blocs, alliances, commitments and events.

A scenario file (TOML, read by ``experiments.scenarios``) is parsed into a plain mapping and
validated here into a :class:`Scenario`. ``model`` does no file I/O; it accepts the mapping.

Layout of the mapping (DESIGN.md section 4)::

    [meta]        name, title, summary, (claim)       any keys; kept as given
    [params]      any schema field                    validated by model.params
    [[nations]]   name; capability; labs (a count or a list of capabilities); bloc;
                  committed = "comply" | "defect"; action = "comply" | "defect";
                  member = true | false (initial treaty membership)
    [[alliances]] a, b, weight                        nation names
    [[events]]    start, duration, actors, action     actor names (see below)

Actor names: a nation's own programme is its name (``"Norland"``); its labs are
``"Norland/lab-1"``, ``"Norland/lab-2"``, ... in actor-id order; ``"Norland/*"`` in an event
means the nation and all its labs. ``committed`` and ``action`` on a nation apply to its
programme and all its labs (a nation's commitment covers its jurisdiction; use an event to hold
a single lab).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from model.errors import ScenarioError

ACTIONS = ("comply", "defect")
_TABLES = ("meta", "params", "nations", "alliances", "events")
_NATION_KEYS = ("name", "capability", "labs", "bloc", "committed", "action", "member")
_ALLIANCE_KEYS = ("a", "b", "weight")
_EVENT_KEYS = ("start", "duration", "actors", "action")
#: Keys of ``[meta]``: what a scenario says about itself, a teaching scenario's claim and
#: contrast, and the provenance a run's ``config.toml`` records.
META_KEYS = (
    "name",
    "title",
    "summary",
    "claim",
    "contrast",
    "source",
    "package_version",
    "git_commit",
    "created",
    "alliance_file",
)
_META_TEXT = (
    "name",
    "title",
    "summary",
    "source",
    "package_version",
    "git_commit",
    "created",
    "alliance_file",
)
#: The largest capability a scenario may give: capabilities are relative, so any unit works
#: (FLOP, dollars), but their sum must stay a finite float.
MAX_CAPABILITY = 1e300


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
class Scenario:
    """A validated scenario (parameters are validated later, with the schema)."""

    meta: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    nations: tuple[NationSpec, ...] = ()
    alliances: tuple[AllianceSpec, ...] = ()
    events: tuple[EventSpec, ...] = ()

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
        return out


def scenario_from_mapping(
    data: Scenario | Mapping[str, Any], *, source: str = "scenario"
) -> Scenario:
    """Validate a parsed scenario mapping.

    Args:
        data: The parsed file (tables as in the module docstring).
        source: Where it came from, for error messages (a file name).

    Raises:
        ScenarioError: naming the source, the table, the entry and the field.
    """
    if isinstance(data, Scenario):
        return data
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: a scenario must be a table, not {type(data).__name__}")
    for key in data:
        if key not in _TABLES:
            raise ScenarioError(
                f"{source}: unknown table [{key}]; allowed: " + ", ".join(f"[{t}]" for t in _TABLES)
            )
    meta = _table(data, "meta", source)
    _check_meta(meta, source)
    params = _table(data, "params", source)
    nations = tuple(
        _nation(row, i, source) for i, row in enumerate(_array(data, "nations", source))
    )
    names = [n.name for n in nations]
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ScenarioError(f"{source}: [[nations]] #{i + 1}: name {name!r} is used twice")
        seen.add(name)
    _all_or_none(nations, "capability", source)
    _all_or_none(nations, "bloc", source)
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
    alliances = tuple(
        _alliance(row, i, names, source) for i, row in enumerate(_array(data, "alliances", source))
    )
    pairs: dict[frozenset[str], int] = {}
    for i, a in enumerate(alliances):
        first = pairs.setdefault(frozenset((a.a, a.b)), i)
        if first != i:
            raise ScenarioError(
                f"{source}: [[alliances]] #{i + 1}: the alliance {a.a!r} - "
                f"{a.b!r} is given twice (#{first + 1} and #{i + 1}); allowed: "
                "each pair of nations once, with one weight"
            )
    if alliances and not nations:
        raise ScenarioError(f"{source}: [[alliances]] need a [[nations]] table naming the nations")
    events = tuple(_event(row, i, source) for i, row in enumerate(_array(data, "events", source)))
    if events and not nations:
        raise ScenarioError(f"{source}: [[events]] need a [[nations]] table naming the actors")
    return Scenario(
        meta=dict(meta), params=dict(params), nations=nations, alliances=alliances, events=events
    )


def _check_meta(meta: Mapping[str, Any], source: str) -> None:
    """Known ``[meta]`` keys only (a typo such as ``nam`` is not silently kept); text as text."""
    import difflib

    for key, value in meta.items():
        if key not in META_KEYS:
            close = difflib.get_close_matches(str(key), META_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ScenarioError(
                f"{source}: [meta] unknown field {key!r}{hint}; allowed: " + ", ".join(META_KEYS)
            )
        if key in _META_TEXT and not isinstance(value, str):
            raise ScenarioError(f"{source}: [meta] {key}={value!r} must be text (a string)")
        if key in ("claim", "contrast") and not isinstance(value, Mapping):
            raise ScenarioError(f"{source}: [meta] {key} must be a table ([meta.{key}])")
    name = meta.get("name")
    if name is not None and (
        not name.strip()
        or name != name.strip()
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or any(ord(ch) < 32 for ch in name)
    ):
        raise ScenarioError(
            f"{source}: [meta] name={name!r} is not allowed; allowed: a "
            "non-empty name without '/', '\\', control characters, a leading "
            "'.' or surrounding spaces (it names the output folder)"
        )


def _all_or_none(nations: Sequence[NationSpec], fld: str, source: str) -> None:
    given = [getattr(n, fld) is not None for n in nations]
    if any(given) and not all(given):
        missing = [n.name for n, g in zip(nations, given, strict=True) if not g]
        raise ScenarioError(
            f"{source}: [[nations]]: give {fld} for every nation or for none "
            f"(missing for {', '.join(missing)})"
        )


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{source}: [{key}] must be a table")
    return value


def _array(data: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ScenarioError(f"{source}: [[{key}]] must be an array of tables")
    return value


def _where(table: str, i: int, row: Mapping[str, Any], source: str) -> str:
    label = f" ({row['name']!r})" if isinstance(row.get("name"), str) else ""
    return f"{source}: [[{table}]] #{i + 1}{label}"


def _check_keys(row: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    for key in row:
        if key not in allowed:
            raise ScenarioError(f"{where}: unknown field {key!r}; allowed: {', '.join(allowed)}")


def _positive(value: Any, where: str, fld: str, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and math.isfinite(value) and (value > 0 or (allow_zero and value == 0)):
        return float(value)
    bound = ">= 0" if allow_zero else "> 0"
    raise ScenarioError(f"{where}: {fld}={value!r} must be a finite number {bound}")


def _capability(value: Any, where: str, fld: str) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and math.isfinite(value) and 1.0 / MAX_CAPABILITY <= value <= MAX_CAPABILITY:
        return float(value)
    raise ScenarioError(
        f"{where}: {fld}={value!r} is not allowed; allowed: a number in "
        f"[{1.0 / MAX_CAPABILITY:g}, {MAX_CAPABILITY:g}] (capabilities are "
        "relative: any unit works)"
    )


def _action(value: Any, where: str, fld: str) -> str:
    if value not in ACTIONS:
        raise ScenarioError(f"{where}: {fld}={value!r}; allowed: 'comply', 'defect'")
    return str(value)


def _nation(row: Mapping[str, Any], i: int, source: str) -> NationSpec:
    where = _where("nations", i, row, source)
    _check_keys(row, _NATION_KEYS, where)
    name = row.get("name")
    if not isinstance(name, str) or not name.strip() or "/" in name:
        raise ScenarioError(f"{where}: name={name!r} must be a non-empty string without '/'")
    cap = row.get("capability")
    capability = None if cap is None else _capability(cap, where, "capability")
    labs_raw = row.get("labs")
    labs: int | tuple[float, ...] | None
    if labs_raw is None:
        labs = None
    elif isinstance(labs_raw, int) and not isinstance(labs_raw, bool):
        if labs_raw < 0:
            raise ScenarioError(
                f"{where}: labs={labs_raw!r} must be a count >= 0 or a list of capabilities"
            )
        labs = labs_raw
    elif isinstance(labs_raw, list):
        labs = tuple(_capability(v, where, "labs[]") for v in labs_raw)
    else:
        raise ScenarioError(
            f"{where}: labs={labs_raw!r} must be a count >= 0 or a list of capabilities"
        )
    bloc = row.get("bloc")
    if bloc is not None and (isinstance(bloc, bool) or not isinstance(bloc, (str, int))):
        raise ScenarioError(f"{where}: bloc={bloc!r} must be a name or an integer")
    committed = row.get("committed")
    action = row.get("action")
    member = row.get("member")
    if member is not None and not isinstance(member, bool):
        raise ScenarioError(f"{where}: member={member!r} must be true or false")
    return NationSpec(
        name=name,
        capability=capability,
        labs=labs,
        bloc=bloc,
        committed=None if committed is None else _action(committed, where, "committed"),
        action=None if action is None else _action(action, where, "action"),
        member=member,
    )


def _alliance(row: Mapping[str, Any], i: int, names: Sequence[str], source: str) -> AllianceSpec:
    where = f"{source}: [[alliances]] #{i + 1}"
    _check_keys(row, _ALLIANCE_KEYS, where)
    a, b = row.get("a"), row.get("b")
    for fld, v in (("a", a), ("b", b)):
        if v not in names:
            raise ScenarioError(f"{where}: {fld}={v!r} is not a nation of [[nations]]")
    if a == b:
        raise ScenarioError(f"{where}: a nation cannot ally with itself ({a!r})")
    w = row.get("weight")
    weight = None
    if w is not None:
        weight = _positive(w, where, "weight")
        if weight > 1:
            raise ScenarioError(f"{where}: weight={w!r} must be in (0, 1]")
    return AllianceSpec(str(a), str(b), weight)


def _event(row: Mapping[str, Any], i: int, source: str) -> EventSpec:
    where = f"{source}: [[events]] #{i + 1}"
    _check_keys(row, _EVENT_KEYS, where)
    start = row.get("start")
    if isinstance(start, bool) or not isinstance(start, int) or start < 1:
        raise ScenarioError(f"{where}: start={start!r} must be a step >= 1")
    duration = row.get("duration")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int) or duration < 1
    ):
        raise ScenarioError(
            f"{where}: duration={duration!r} must be a number of periods >= 1 "
            "(leave it out to hold until the end)"
        )
    actors = row.get("actors")
    if isinstance(actors, str):
        actors = [actors]
    if not isinstance(actors, list) or not actors or not all(isinstance(a, str) for a in actors):
        raise ScenarioError(f"{where}: actors={actors!r} must be a non-empty list of actor names")
    return EventSpec(start, duration, tuple(actors), _action(row.get("action"), where, "action"))


def fit_nations(sc: Scenario, given: Mapping[str, Any]) -> tuple[Scenario, tuple[str, ...]]:
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
