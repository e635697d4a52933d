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
from model.engine import TIMESERIES_COLUMNS, Engine, RunSummary, new_seed, prepare_params
from model.errors import ParameterError
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
            raise ParameterError("seed", params["seed"], "give either rng= or seed=, not both",
                                 message="give either rng= (Mesa's spelling) or seed= (the "
                                         "schema's), not both")
        sc = None if scenario is None else scenario_from_mapping(scenario)
        merged = {**(dict(sc.params) if sc else {}), **params}
        if rng is None:
            seed_value = merged.get("seed")
            rng = int(seed_value) if seed_value is not None else new_seed()
        if isinstance(rng, (int, np.integer)):
            merged["seed"] = int(rng)
            rng = int(rng)
        super().__init__(rng=rng)
        # The engine draws from Mesa's own Generator: one stream for the whole model.
        self.engine = Engine(prepare_params(merged, sc, graph), self.rng, scenario=sc,
                             graph=graph)
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
        model_reporters = {name: partial(_latest_value, column=name)
                           for name in TIMESERIES_COLUMNS if name != "step"}
        agent_reporters = ({"action": "action", "capability": "capability", "belief": "belief",
                            "payoff": "payoff"} if collect_agents else None)
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters,
                                                agent_reporters=agent_reporters)
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

    def summary(self) -> RunSummary:
        """The run's outcome so far."""
        return self.engine.summary()


def _latest_value(model: PauseModel, column: str) -> float:
    """Model reporter: the latest value of one time-series column."""
    return float(model.engine.latest(column))
