"""The Mesa agents: ``Nation`` and ``Lab``, thin views over the engine's arrays.

Each agent holds only its actor index; every attribute reads the model's engine arrays, so
``model.agents``, ``AgentSet.select/agg/groupby`` and the DataCollector see the engine's state
without copying it, and the vectorised engine stays the single source of truth.

The treaty and verification state are agent properties too, usable by name as DataCollector
agent reporters (``agent_reporters={"member": "member"}``) and in ``AgentSet.select``
(``model.agents.select(lambda a: a.member)``) and ``groupby("member")``: ``member`` and
``bound``; last period's ``inspected``, ``flagged``, ``caught``, ``false_alarm``,
``sanctioned``, ``sanction_imposed`` and ``sanction_paid``; ``flagged_ever``, ``offences``
and ``penalty_next``; the home nation's ``would_leave``, ``would_join`` and
``membership_gain`` at the latest negotiation round.

A run that negotiates its treaty under a bargaining protocol (``protocol`` other than
``terms_rule``, :mod:`model.negotiation.session`) shows it too: each nation's ``proposal``, its
``vote`` and whether it ``signed`` (a lab reports its home nation's; all None in a run without
that negotiation). They are fixed when the model is built: the negotiation happens before
month 1. A run with ``pledges = on`` shows each nation's ``pledge`` of the month (None for a
lab and without pledges).

Both agents are :class:`mesa.discrete_space.FixedAgent`: a nation sits in its node of the
alliance :class:`mesa.discrete_space.Network`; its labs sit in the same cell.
"""

from __future__ import annotations

from typing import Any

import numpy as np
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

    # Treaty and verification state (usable as DataCollector agent reporters) ----------------
    # Treaty membership is a nation's: a lab reports its home nation's. Verification values are
    # the actor's own, from the latest period (all False / 0.0 before the first step).
    @property
    def member(self) -> bool:
        """True when the home nation is a treaty member (a nation: itself)."""
        return bool(self._engine.member[self.nation_index])

    @property
    def bound(self) -> bool:
        """True when bound by an active pause this period (member, treaty in force, pause on)."""
        engine = self._engine
        return bool(engine.pause_active and engine.bound[self.index])

    @property
    def inspected(self) -> bool:
        """True when open to inspection in the latest period (all actors without a quota)."""
        return self._last_flag("inspected")

    @property
    def flagged(self) -> bool:
        """True when flagged by international verification in the latest period.

        A flag is a defector caught by inspection or a complier's false alarm.
        """
        return bool(self._engine.flagged_last[self.index])

    @property
    def caught(self) -> bool:
        """True when caught defecting in the latest period (at home or internationally)."""
        return bool(self._engine.caught_last[self.index])

    @property
    def false_alarm(self) -> bool:
        """True when flagged in the latest period although it complied."""
        return self._last_flag("false_alarm")

    @property
    def sanctioned(self) -> bool:
        """True when a sanction was imposed on it in the latest period."""
        return self.sanction_imposed > 0.0

    @property
    def sanction_imposed(self) -> float:
        """The sanction imposed on it in the latest period (units of G; paid after the lag)."""
        return self._last_value("sanction_imposed")

    @property
    def sanction_paid(self) -> float:
        """The sanction it paid in the latest period (units of G; imposed ``L`` periods ago)."""
        return self._last_value("sanction_paid")

    @property
    def flagged_ever(self) -> bool:
        """True when flagged by international verification in any period so far."""
        return bool(self._engine.flagged_ever[self.index])

    @property
    def offences(self) -> int:
        """Sanctions imposed on it so far, as counted for graduated penalties.

        Counted only when ``sanction_escalation > 0`` (otherwise always 0).
        """
        return int(self._engine.offences[self.index])

    @property
    def penalty_next(self) -> float:
        """``F_k``: the penalty rate its next sanction would carry (graduated by its offences)."""
        return float(self._engine.penalty_next[self.index])

    @property
    def would_leave(self) -> bool:
        """True when the home nation, a member, would gain by leaving (latest round)."""
        return bool(self._engine.would_leave[self.nation_index])

    @property
    def would_join(self) -> bool:
        """True when the home nation, an outsider, would gain by joining (latest round)."""
        return bool(self._engine.would_join[self.nation_index])

    @property
    def membership_gain(self) -> float:
        """The home nation's per-period payoff gain from membership at the latest round (else 0)."""
        return float(self._engine.membership_gain[self.nation_index])

    # The negotiation before month 1 (a protocol other than terms_rule; None without one) ------
    @property
    def proposal(self) -> dict[str, Any] | None:
        """The terms the home nation proposed, in the last round it was the proposer.

        None when it never proposed, when it passed in that round (no proposal it preferred to
        waiting), under ``nash`` (which has no proposer) and without a negotiation. Under
        ``alternating_offers`` the proposer is a bloc: each of its nations shows the bloc's
        proposal. A copy: changing it changes nothing.
        """
        agreement = self._engine.agreement
        if agreement is None:
            return None
        mine = proposing_rounds(agreement, self._engine.world)[self.nation_index]
        return None if not mine or mine[-1].terms is None else dict(mine[-1].terms)

    @property
    def vote(self) -> bool | None:
        """The home nation's vote on the adopted proposal, else on the last round's.

        None without a negotiation, and when the deciding round had no proposal to vote on (its
        proposer passed, or ``nash`` found no point that every nation gains from).
        """
        agreement = self._engine.agreement
        if agreement is None or not agreement.rounds or agreement.rounds[-1].terms is None:
            return None
        return bool(agreement.rounds[-1].votes[self.nation_index])

    @property
    def signed(self) -> bool | None:
        """True when the home nation is a party to the adopted treaty; None without a negotiation.

        Under ``membership = negotiated`` the nations that gain from the adopted terms
        (``S_i + tau_i >= 0``); otherwise those the scenario or ``initial_membership`` makes
        members. False for every nation when no agreement was reached. The parties become the
        members in the month after the agreement.
        """
        engine = self._engine
        agreement = engine.agreement
        if agreement is None:
            return None
        return bool(agreement.terms is not None and signers(engine)[self.nation_index])

    # Pledges before each month (``pledges = on``, model/pledges.py) --------------------------
    @property
    def pledge(self) -> str | None:
        """This month's pledge of a nation: ``"comply"`` or ``"defect"``.

        None for a lab (labs do not pledge), without pledges and before month 1.
        """
        pledges = self._engine.pledges
        if pledges is None or pledges.last is None or self.index >= self._engine.n_nations:
            return None
        return "defect" if pledges.last[self.index] else "comply"

    def _last_value(self, key: str) -> float:
        values = self._engine.last.get(key)
        return 0.0 if values is None else float(values[self.index])

    def _last_flag(self, key: str) -> bool:
        values = self._engine.last.get(key)
        return False if values is None else bool(values[self.index])

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


def proposing_rounds(agreement: Any, world: Any) -> list[list[Any]]:
    """Each nation's rounds as proposer, in order (a bloc's rounds for each of its nations).

    Args:
        agreement: A run's :class:`~model.negotiation.session.Agreement`.
        world: The run's world (its nations' ``bloc`` under ``alternating_offers``).

    Returns:
        One list of :class:`~model.negotiation.session.BargainingRound` per nation (empty
        under ``nash``, whose proposer is -1).
    """
    n = int(world.n_nations)
    if agreement.protocol == "alternating_offers":  # the players are the two blocs, 0 and 1
        player = np.unique(np.asarray(world.bloc)[:n], return_inverse=True)[1]
    else:
        player = np.arange(n)
    return [[r for r in agreement.rounds if r.proposer == player[i]] for i in range(n)]


def signers(engine: Any) -> np.ndarray:
    """``(n_nations,)``: the nations party to a negotiated treaty (all False without one).

    Under ``membership = negotiated`` the agreement's signatories (``S_i + tau_i >= 0``),
    otherwise the treaty's parties (the scenario's, or ``initial_membership``'s): the members
    it takes effect with (:meth:`model.treaty.Treaty.take_effect`).
    """
    agreement = engine.agreement
    if agreement is None or agreement.terms is None:
        return np.zeros(engine.n_nations, dtype=bool)
    if engine.params["membership"] == "negotiated":
        return np.asarray(agreement.signatories, dtype=bool).copy()
    return np.asarray(engine.treaty.parties, dtype=bool).copy()
