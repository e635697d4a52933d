"""``PauseModel``: the engine behind Mesa's ``Model`` interface.

Example:
    >>> from model import PauseModel
    >>> m = PauseModel(p_detect=0.3, rng=7)
    >>> for _ in range(12):
    ...     m.step()
    >>> round(m.weighted_compliance, 3) >= 0
    True
"""

from __future__ import annotations

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
from model.outcomes import RunSummary
from model.params import resolve_run
from model.scenario import Scenario, scenario_from_mapping


class PauseModel(mesa.Model):
    """The pause game as a Mesa model, a thin front over :class:`model.engine.Engine`.

    Parameters are the schema's (``pausegame params``), as keyword arguments. ``rng`` seeds the
    model as in every Mesa model; the schema's ``seed`` is its CLI and file spelling and may be
    used instead (both at once is an error). Pass a plain integer for reproducible runs: with an
    integer seed, ``PauseModel`` and ``Engine`` give the identical trajectory. With neither, a
    fresh seed is drawn and recorded in ``model.seed``.

    Args:
        scenario: A scenario mapping or :class:`Scenario` (named nations, alliances, events);
            its ``[params]`` are overridden by keyword arguments.
        graph: An explicit alliance graph (nodes: nation names or indices).
        rng: Integer seed (or a numpy Generator, which is then consumed as Mesa does).
        collect_agents: Also collect per-agent data each step (slower for many actors).
        **params: Schema parameters, validated.

    Attributes:
        engine: The vectorised engine holding the state.
        nations: Nation agents by nation index.
        network: The alliance network as a Mesa ``Network`` space (nations in its cells).
        datacollector: Model reporters for every time-series column; agent reporters for
            action, capability, belief and payoff when ``collect_agents``.

    The treaty's state is also a set of properties, usable by name as model reporters of a
    ``mesa.DataCollector``: ``in_force``, ``pause_active``, ``members``, ``member_share``,
    ``n_bound``, ``terms_p_detect``, ``safety_progress``, ``n_flagged``, ``n_caught``,
    ``n_sanctioned``, ``members_would_leave``, ``outsiders_would_join`` (and
    ``member_nations``, the member agents). The agents' own are in :mod:`agents.actors`.
    """

    def __init__(
        self,
        *,
        scenario: Scenario | Mapping[str, Any] | None = None,
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
        sc = None if scenario is None else scenario_from_mapping(scenario)
        if isinstance(rng, (int, np.integer)):
            params = {**params, "seed": int(rng)}
        generator = isinstance(rng, np.random.Generator)
        resolved = resolve_run(params, sc, graph, draw_seed=not generator)
        super().__init__(rng=rng if generator else resolved["seed"])
        # The engine draws from Mesa's own Generator: one stream for the whole model.
        self.engine = Engine(resolved, self.rng, scenario=sc, graph=graph)
        self.params = self.engine.params
        self.seed = self.params["seed"]
        world = self.engine.world
        self.network = Network(world.graph, random=self.random, layout=None)
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
        self.datacollector = mesa.DataCollector(
            model_reporters=model_reporters, agent_reporters=agent_reporters
        )
        self.running = True
        self.datacollector.collect(self)

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


def _latest_value(model: PauseModel, column: str) -> float:
    """Model reporter: the latest value of one time-series column."""
    return float(model.engine.latest(column))
