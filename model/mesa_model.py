"""``PauseModel``: the engine behind Mesa's ``Model`` interface.

Example:
    >>> from model import PauseModel
    >>> m = PauseModel(p_detect=0.3, rng=7)
    >>> for _ in range(12):
    ...     m.step()
    >>> round(m.weighted_compliance, 3) >= 0
    True

    Mesa's own spelling (Mesa 3.5 and 4): a ``PauseScenario``, and ``run_for``/``run_until``:

    >>> from model.mesa_scenario import PauseScenario
    >>> m2 = PauseModel(scenario=PauseScenario(rng=7, p_detect=0.3))
    >>> m2.run_for(12)
    >>> m2.time, m2.weighted_compliance == m.weighted_compliance
    (12.0, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import partial
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from agents.actors import Lab, Nation
from model.engine import TIMESERIES_COLUMNS, Engine
from model.errors import ParameterError
from model.mesa_scenario import MESA_MAJOR, PauseScenario
from model.outcomes import RunSummary
from model.params import resolve_run
from model.scenario import ScenarioSpec, scenario_from_mapping


class PauseModel(mesa.Model):
    """The pause game as a Mesa model, a thin front over :class:`model.engine.Engine`.

    Parameters are the schema's (``pausegame params``), as keyword arguments or as a Mesa
    ``Scenario`` (:class:`~model.mesa_scenario.PauseScenario`, Mesa 4's way: its parameters and
    seed; then no parameter keywords and no ``rng``). ``rng`` seeds the model as in every Mesa
    model; the schema's ``seed`` is its CLI and file spelling and may be used instead (both at
    once is an error). Pass a plain integer for reproducible runs: with an integer seed,
    ``PauseModel`` and ``Engine`` give the identical trajectory, on Mesa 3.5 and 4. With
    neither, a fresh seed is drawn and recorded in ``model.seed``. ``model.time`` counts the
    periods run; Mesa's ``run_for(n)`` and ``run_until(t)`` step the model.

    Args:
        scenario: A :class:`~model.mesa_scenario.PauseScenario` (Mesa's ``scenario=``). On Mesa
            3.5 a scenario file is still accepted here, with a ``DeprecationWarning``: pass it
            as ``scenario_spec``.
        scenario_spec: A scenario mapping or :class:`~model.scenario.ScenarioSpec` (named
            nations, alliances, events); its ``[params]`` are overridden by the parameters.
        graph: An explicit alliance graph (nodes: nation names or indices).
        rng: Integer seed (or a numpy Generator, which is then consumed as Mesa does).
        collect_agents: Also collect per-agent data each step (slower for many actors).
        **params: Schema parameters, validated.

    Attributes:
        engine: The vectorised engine holding the state.
        nations: Nation agents by nation index.
        network: The alliance network as a Mesa ``Network`` space (nations in its cells).
        datacollector: Model reporters for every time-series column; agent reporters for
            action, capability, belief and payoff when ``collect_agents``, and in a run that
            negotiates its treaty (``protocol`` other than ``terms_rule``) also
            :data:`NEGOTIATION_AGENT_FIELDS`; with ``pledges = on`` also ``pledge``.
        data_recorder: Mesa 4 only: Mesa's ``DataRecorder`` with the datasets ``model``
            (:data:`RECORDED_MODEL_FIELDS`) and, when ``collect_agents``, ``agents`` (the agent
            reporters' fields), one snapshot per period (``get_table_dataframe(name)``).

    The treaty's state is also a set of properties, usable by name as model reporters of a
    ``mesa.DataCollector``: ``in_force``, ``pause_active``, ``members``, ``member_share``,
    ``n_bound``, ``terms_p_detect``, ``safety_progress``, ``n_flagged``, ``n_caught``,
    ``n_sanctioned``, ``members_would_leave``, ``outsiders_would_join`` (and
    ``member_nations``, the member agents). The agents' own are in :mod:`agents.actors`.
    """

    def __init__(
        self,
        *,
        scenario: PauseScenario | ScenarioSpec | Mapping[str, Any] | None = None,
        scenario_spec: ScenarioSpec | Mapping[str, Any] | None = None,
        graph: nx.Graph | None = None,
        rng: np.random.Generator | int | None = None,
        collect_agents: bool = True,
        **params: Any,
    ) -> None:
        if params.get("seed") is not None and rng is not None:
            raise ParameterError(
                "seed",
                params["seed"],
                "give either rng= or seed=, not both",
                message="give either rng= (Mesa's spelling) or seed= (the schema's), not both",
            )
        if isinstance(scenario, PauseScenario):
            extra = [*params, *(["rng"] if rng is not None else [])]
            if extra:
                raise ParameterError(
                    "scenario",
                    scenario,
                    "a PauseScenario alone, or parameters and rng= without it",
                    message="give the parameters and seed either in the PauseScenario or as "
                    f"keywords, not both (got {', '.join(extra)} beside scenario=)",
                )
            if scenario_spec is not None:
                raise ParameterError(
                    "scenario_spec",
                    type(scenario_spec).__name__,
                    "a PauseScenario or a scenario file, not both",
                    message="give either scenario= (a PauseScenario: every parameter) or "
                    "scenario_spec= (a scenario file), not both",
                )
            params = scenario.params()
        elif scenario is not None:
            scenario_spec = _old_scenario_keyword(scenario, scenario_spec)
        sc = None if scenario_spec is None else scenario_from_mapping(scenario_spec)
        if isinstance(rng, (int, np.integer)):
            params = {**params, "seed": int(rng)}
        generator = isinstance(rng, np.random.Generator)
        resolved = resolve_run(params, sc, graph, draw_seed=not generator)
        if isinstance(scenario, PauseScenario):
            if getattr(scenario, "model", None) is not None:
                # Mesa 3.5 binds a scenario to one running model: a reused one is copied.
                scenario = scenario.copy()
            super().__init__(scenario=scenario)
            # The model's own stream from the scenario's seed, as with rng=seed (Mesa 4 would hand
            # every model built from one scenario that scenario's one Generator).
            self.rng = np.random.default_rng(resolved["seed"])
        else:
            super().__init__(rng=rng if generator else resolved["seed"])
        # The engine draws from Mesa's own Generator: one stream for the whole model.
        self.engine = Engine(resolved, self.rng, scenario=sc, graph=graph)
        self.params = self.engine.params
        self.seed = self.params["seed"]
        world = self.engine.world
        # Mesa 3.5 places no positions with layout=None; Mesa 4 requires a layout.
        layout = None if MESA_MAJOR < 4 else nx.circular_layout
        self.network = Network(world.graph, random=self.random, layout=layout)
        self._alliance_changes = self.engine.alliance_changes
        self.nations: list[Nation] = []
        for i in range(world.n_nations):
            agent = Nation(self, i)
            agent.cell = self.network[i]
            self.nations.append(agent)
        for k in range(world.n_nations, world.n_actors):
            lab = Lab(self, k)
            lab.cell = self.network[int(world.home[k])]
        model_reporters = {
            name: partial(_latest_value, column=name)
            for name in TIMESERIES_COLUMNS
            if name != "step"
        }
        agent_reporters = (
            {"action": "action", "capability": "capability", "belief": "belief", "payoff": "payoff"}
            if collect_agents
            else None
        )
        if agent_reporters is not None and self.engine.agreement is not None:
            agent_reporters.update({name: name for name in NEGOTIATION_AGENT_FIELDS})
        if agent_reporters is not None and self.engine.pledges is not None:
            agent_reporters["pledge"] = "pledge"
        self.datacollector = mesa.DataCollector(
            model_reporters=model_reporters, agent_reporters=agent_reporters
        )
        self.running = True
        self.datacollector.collect(self)
        if MESA_MAJOR >= 4:
            self.data_recorder = _data_recorder(self, agent_reporters)

    def step(self) -> None:
        """Advance the engine one period and collect data."""
        self.engine.step()
        if self.engine.alliance_changes != self._alliance_changes:
            self._sync_network()
        self.datacollector.collect(self)

    def _sync_network(self) -> None:
        """Make the Mesa Network's connections follow the engine's alliance graph."""
        graph = self.engine.world.graph
        for i in range(self.engine.n_nations):
            cell = self.network[i]
            wanted = set(graph.neighbors(i))
            have = {other.coordinate: other for other in list(cell.connections.values())}
            for j, other in have.items():
                if j not in wanted:
                    cell.disconnect(other)
            for j in wanted - set(have):
                cell.connect(self.network[j], j)
        self._alliance_changes = self.engine.alliance_changes

    # Convenience reporters ---------------------------------------------------------------
    @property
    def weighted_compliance(self) -> float:
        """Capability-weighted compliance of all actors now."""
        return float(self.engine.latest("weighted_compliance"))

    # Treaty reporters (usable as DataCollector model reporters, e.g. {"members": "members"}) --
    @property
    def in_force(self) -> bool:
        """True when the treaty is in force (members hold at least the entry threshold)."""
        return bool(self.engine.in_force)

    @property
    def pause_active(self) -> bool:
        """True when a pause is active this period (triggered and not lifted)."""
        return bool(self.engine.pause_active)

    @property
    def members(self) -> int:
        """Number of member nations."""
        return int(self.engine.member.sum())

    @property
    def member_share(self) -> float:
        """Members' share of world capability (their own programmes and their labs)."""
        return float(self.engine.latest("member_share"))

    @property
    def member_nations(self) -> list[Nation]:
        """The member nations' agents."""
        return [self.nations[i] for i in np.flatnonzero(self.engine.member)]

    @property
    def n_bound(self) -> int:
        """Number of actors bound by an active pause this period."""
        engine = self.engine
        return int(engine.bound.sum()) if engine.pause_active else 0

    @property
    def terms_p_detect(self) -> float:
        """The detection probability in force (the treaty's negotiated terms)."""
        return float(self.engine.p_detect)

    @property
    def safety_progress(self) -> float:
        """Safety progress towards lifting the pause (``lift="safety"``)."""
        return float(self.engine.safety)

    @property
    def n_flagged(self) -> int:
        """Actors flagged by international verification in the latest period."""
        return int(self.engine.flagged_last.sum())

    @property
    def n_caught(self) -> int:
        """Actors caught defecting in the latest period (at home or internationally)."""
        return int(self.engine.caught_last.sum())

    @property
    def n_sanctioned(self) -> int:
        """Actors on whom a sanction was imposed in the latest period."""
        imposed = self.engine.last.get("sanction_imposed")
        return 0 if imposed is None else int(np.count_nonzero(imposed > 0))

    @property
    def members_would_leave(self) -> int:
        """Member nations that would gain by leaving (latest negotiation round)."""
        return int(self.engine.would_leave.sum())

    @property
    def outsiders_would_join(self) -> int:
        """Outsider nations that would gain by joining (latest negotiation round)."""
        return int(self.engine.would_join.sum())

    def summary(self) -> RunSummary:
        """The run's outcome so far."""
        return self.engine.summary()


def _old_scenario_keyword(
    scenario: Any, scenario_spec: ScenarioSpec | Mapping[str, Any] | None
) -> ScenarioSpec | Mapping[str, Any]:
    """A scenario file given as ``scenario=`` (the old form): warn on Mesa 3.5, refuse on 4."""
    if scenario_spec is not None:
        raise ParameterError(
            "scenario",
            type(scenario).__name__,
            "a PauseScenario as scenario=, the scenario file as scenario_spec=",
            message="give the scenario file once, as scenario_spec= (scenario= is Mesa's: a "
            "PauseScenario)",
        )
    if not isinstance(scenario, (ScenarioSpec, Mapping)):
        raise ParameterError(
            "scenario",
            type(scenario).__name__,
            "a PauseScenario (model.mesa_scenario)",
            why="is not a PauseScenario",
        )
    if MESA_MAJOR >= 4:
        raise ParameterError(
            "scenario",
            type(scenario).__name__,
            "a PauseScenario as scenario=, the scenario file as scenario_spec=",
            message="on Mesa 4, scenario= is Mesa's (a PauseScenario); pass the scenario file "
            "as scenario_spec=",
        )
    warnings.warn(
        "PauseModel(scenario=<scenario file>) is deprecated: pass it as scenario_spec= "
        "(scenario= is Mesa's, for a PauseScenario)",
        DeprecationWarning,
        stacklevel=3,
    )
    return scenario


#: The agents' negotiation fields (:class:`agents.actors.Actor`), collected with the other
#: agent reporters in a run that negotiates its treaty: ``proposal`` (a dict of terms, or None),
#: ``vote`` and ``signed``.
NEGOTIATION_AGENT_FIELDS = ("proposal", "vote", "signed")

#: What Mesa 4's data recorder records of the model each period (its properties, by name).
RECORDED_MODEL_FIELDS = (
    "weighted_compliance",
    "in_force",
    "pause_active",
    "members",
    "member_share",
    "n_bound",
    "terms_p_detect",
    "safety_progress",
    "n_flagged",
    "n_caught",
    "n_sanctioned",
    "members_would_leave",
    "outsiders_would_join",
)


def _data_recorder(model: PauseModel, agent_fields: Mapping[str, str] | None) -> Any:
    """Mesa 4's data recorder: the model's fields and (with agent data) the agents' each period.

    Mesa 3.5's experimental recorder misses the last period (it has no run-ended signal), so
    there the DataCollector alone records.
    """
    from mesa.experimental.data_collection import DataRecorder

    registry = model.data_registry
    registry.track_model(model, "model", fields=list(RECORDED_MODEL_FIELDS))
    config: dict[str, dict[str, Any]] = {"model": {}}
    if agent_fields:
        registry.track_agents(model.agents, "agents", fields=list(agent_fields))
        config["agents"] = {}
    return DataRecorder(model, config=config)


def _latest_value(model: PauseModel, column: str) -> float:
    """Model reporter: the latest value of one time-series column."""
    return float(model.engine.latest(column))
