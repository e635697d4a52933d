"""The Mesa agents: ``Nation`` and ``Lab``, thin views over the engine's arrays.

Each agent holds only its actor index; every attribute reads the model's engine arrays, so
``model.agents``, ``AgentSet.select/agg/groupby`` and the DataCollector see the engine's state
without copying it, and the vectorised engine stays the single source of truth.

Both agents are :class:`mesa.discrete_space.FixedAgent`: a nation sits in its node of the
alliance :class:`mesa.discrete_space.Network`; its labs sit in the same cell.
"""

from __future__ import annotations

from typing import Any

from mesa.discrete_space import FixedAgent


class Actor(FixedAgent):
    """An actor of the game (a nation's own programme or a lab), viewing engine arrays.

    Args:
        model: The PauseModel (it must have an ``engine`` attribute).
        index: The actor id in the engine's arrays.
    """

    def __init__(self, model: Any, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    @property
    def _engine(self) -> Any:
        return self.model.engine

    @property
    def name(self) -> str:
        """The actor's name (a nation, or ``"Nation/lab-k"``)."""
        return str(self._engine.world.names[self.index])

    @property
    def capability(self) -> float:
        """Share of world capability."""
        return float(self._engine.c[self.index])

    @property
    def defecting(self) -> bool:
        """True when the actor defected this period."""
        return bool(self._engine.defect[self.index])

    @property
    def complying(self) -> bool:
        """True when the actor complied this period."""
        return not self.defecting

    @property
    def action(self) -> str:
        """``"comply"`` or ``"defect"``."""
        return "defect" if self.defecting else "comply"

    @property
    def belief(self) -> float:
        """``rho``: the believed capability-weighted defection share of its rivals."""
        return float(self._engine.belief[self.index])

    @property
    def payoff(self) -> float:
        """Realised payoff this period (units of G)."""
        return float(self._engine.payoff[self.index])

    @property
    def nation_index(self) -> int:
        """Index of the home nation."""
        return int(self._engine.home[self.index])

    @property
    def bloc(self) -> int:
        """Alliance bloc of the home nation."""
        return int(self._engine.world.bloc[self.nation_index])

    @property
    def kind(self) -> str:
        """``"nation"`` or ``"lab"``."""
        return "lab" if self._engine.is_lab[self.index] else "nation"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.action})"


class Nation(Actor):
    """A nation's own state programme; also the node of the alliance network."""

    @property
    def labs(self) -> list[Lab]:
        """The labs based in this nation."""
        return [a for a in self.model.agents_by_type.get(Lab, []) if a.nation_index == self.index]

    @property
    def enforcement_weight(self) -> float:
        """``e_i``: own capability plus its labs'."""
        return float(self._engine.enforcement[self.index])


class Lab(Actor):
    """An AI lab with a home nation."""

    @property
    def nation(self) -> Nation:
        """The home nation's agent."""
        return self.model.nations[self.nation_index]
