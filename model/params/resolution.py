"""A run's parameters put together: validated, immutable :class:`Params`, and the seed.

:func:`resolve` overlays defaults with given values (a regime's presets for the rest);
:func:`resolve_run` adds a scenario's ``[params]`` and its nations, and draws the seed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from agents.rules import get_rule
from model.adjudication import get_adjudication
from model.errors import ParameterError
from model.params.table import coerce, schema, unknown_name_error
from model.seeds import new_seed
from model.verification import get_regime

if TYPE_CHECKING:
    import networkx as nx

    from model.scenario import Scenario


class Params(Mapping[str, Any]):
    """A complete, validated, immutable set of parameter values.

    Behaves as a read-only mapping and gives attribute access (``params.p_detect``).
    Build one with :func:`resolve`.
    """

    __slots__ = ("_given", "_values")

    def __init__(self, values: Mapping[str, Any], given: frozenset[str] | None = None) -> None:
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_given", frozenset(values) if given is None else given)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params are immutable; use params.replace(...)")

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Params({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Params, (self._values, self._given))

    @property
    def given(self) -> frozenset[str]:
        """Names set explicitly (the rest are defaults or a regime's presets)."""
        return self._given

    def replace(self, **changes: Any) -> Params:
        """A new validated Params with some values changed.

        Values set explicitly before stay set; a changed ``verification`` regime applies its
        presets to every verification parameter not set explicitly.
        """
        kept = {k: v for k, v in self._values.items() if k in self._given}
        return resolve({**kept, **changes})

    def to_dict(self) -> dict[str, Any]:
        """A plain dict copy."""
        return dict(self._values)


class RecordingParams(Params):
    """Params that note which names are read (to learn what a computation depends on).

    ``seen`` holds every name read through ``params[name]``, ``get``, attribute access or
    iteration since construction.
    """

    __slots__ = ("seen",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        object.__setattr__(self, "seen", set())

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)

    def __getattr__(self, name: str) -> Any:
        self.seen.add(name)
        return super().__getattr__(name)

    def __iter__(self) -> Iterator[str]:
        self.seen.update(self._values)
        return super().__iter__()

    def to_dict(self) -> dict[str, Any]:
        """A plain dict copy (every name counts as read)."""
        self.seen.update(self._values)
        return super().to_dict()


def resolve(overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> Params:
    """Defaults overlaid with ``overrides`` and ``kwargs``, every value validated.

    Raises:
        ParameterError: for an unknown name, a wrong type, NaN or infinity, a value out of
            bounds, or a contradiction between fields (``n_blocs`` above ``n_nations``).
    """
    table = schema()
    given = {**(overrides or {}), **kwargs}
    values = {name: p.default for name, p in table.items()}
    for name, value in given.items():
        if name not in table:
            raise unknown_name_error(name, table)
        values[name] = coerce(table[name], value)
    for name, value in get_regime(values["verification"]).presets.items():
        if name not in given:
            values[name] = coerce(table[name], value)
    _check_together(values)
    return Params(values, frozenset(given))


def _check_together(v: Mapping[str, Any]) -> None:
    if v["trigger"] == "date" and v["trigger_step"] > v["steps"]:
        raise ParameterError(
            "trigger_step",
            v["trigger_step"],
            f"an integer in [1, steps={v['steps']}]",
            why="is after the last step, so the pause would never start",
        )
    n_actors = v["n_nations"] + v["n_labs"]
    if v["inspection_quota"] > n_actors:
        raise ParameterError(
            "inspection_quota",
            v["inspection_quota"],
            f"an integer in [0, n_nations + n_labs = {n_actors}]",
            why="is larger than the number of actors",
        )
    get_adjudication(v["adjudication"]).check(v)
    if v["quota"] > v["n_nations"]:
        raise ParameterError(
            "quota",
            v["quota"],
            f"an integer in [0, n_nations={v['n_nations']}] (0: a simple majority)",
            why="is larger than the number of nations",
        )
    if v["protocol"] != "terms_rule" and v["terms_rule"] != "fixed":
        raise ParameterError(
            "terms_rule",
            v["terms_rule"],
            f"'fixed' while protocol={v['protocol']!r} negotiates the terms",
            why="would renegotiate the terms the protocol agreed",
        )
    for name, value in get_rule(v["decision_rule"]).requires:
        if v[name] != value:
            raise ParameterError(
                name,
                v[name],
                repr(value),
                why=f"is not allowed with decision_rule={v['decision_rule']!r}, which reads it",
            )
    if v["alliance_network"] == "blocs" and v["n_blocs"] > v["n_nations"]:
        raise ParameterError(
            "n_blocs",
            v["n_blocs"],
            f"an integer in [1, n_nations={v['n_nations']}]",
            why="is larger than the number of nations",
        )


def resolve_run(
    values: Mapping[str, Any] | None = None,
    scenario: Scenario | None = None,
    graph: nx.Graph | None = None,
    *,
    draw_seed: bool = True,
) -> Params:
    """The parameters of one run: the scenario's ``[params]`` < ``values``, validated, seeded.

    The one place where a run's parameters are put together (the engine, the Mesa model, the
    CLI, batches and the per-agent reference all call it). A ``[[nations]]`` table sets
    ``n_nations`` (and ``n_labs`` when it places labs), and ``[[alliances]]`` or an explicit
    graph set ``alliance_network='explicit'``, unless the values say otherwise (a
    contradiction is then reported when the world is built). With ``draw_seed`` and no
    ``seed`` anywhere, a fresh one is drawn (:func:`new_seed`) and recorded in the result.

    Example:
        >>> resolve_run({"seed": 3, "p_detect": 0.5})["p_detect"]
        0.5
        >>> resolve_run({"seed": None})["seed"] is not None
        True
    """
    merged = {**(dict(scenario.params) if scenario is not None else {}), **dict(values or {})}
    if scenario is not None and scenario.nations:
        merged.setdefault("n_nations", len(scenario.nations))
        if any(n.labs is not None for n in scenario.nations):
            merged.setdefault(
                "n_labs",
                sum(
                    n.labs if isinstance(n.labs, int) else len(n.labs or ())
                    for n in scenario.nations
                ),
            )
        if scenario.alliances:
            merged.setdefault("alliance_network", "explicit")
    if graph is not None:
        merged.setdefault("alliance_network", "explicit")
    params = resolve(merged)
    if draw_seed and params["seed"] is None:
        params = params.replace(seed=new_seed())
    return params
