"""What students and the teacher see of a room's negotiation (:class:`NegotiationViews`).

The phase itself is :mod:`experiments.room.negotiation`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from experiments.room.consequence import Consequence, Consequences
from experiments.room.delegations import settle
from experiments.room.seats import Seat
from experiments.room.state import RoomState
from experiments.room.talks import NEGOTIATING, PROPOSING, VOTING, Talk, Tally, terms_text
from model.params.terms import TermBox


class NegotiationViews(RoomState):
    """The negotiation's views (each public method takes the room's lock)."""

    negotiation_rounds: int
    vote_rule: str
    votes_needed: int
    term_box: TermBox
    talk: Talk | None
    tallies: list[Tally]
    adopted: dict[str, Any] | None
    concluded: bool
    _consequences: Consequences | None
    # the delegations' (experiments.room.delegations): annotations only
    delegation: str
    silent: str
    delegations_on: bool
    spokesperson: Callable[[int], Seat | None]

    def _voters(self) -> list[Seat]:
        """The present students who vote: every one outside the proposer's nation."""
        talk = self.talk
        assert talk is not None
        return [s for s in self._present() if s.nation != talk.proposer]

    def _consequence_view(self, c: Consequence, nation: int) -> dict[str, Any]:
        """A consequence for one nation: numbers, and in points (100: its month's defect gain)."""
        mine, without = float(c.utility[nation]), float(c.status_quo[nation])
        held = round(c.held * c.worlds)
        points = self.nation_view(nation).points
        gain = points(mine - without)
        return {
            "terms": dict(c.terms),
            "held": c.held,
            "worlds": c.worlds,
            "mine": mine,
            "without": without,
            "mine_points": points(mine),
            "without_points": points(without),
            "gain_points": gain,
            "text": (
                f"If adopted, the pause holds in {held} of {c.worlds} simulated worlds "
                f"({c.held:.0%}). {self.nation_names[nation]} expects {points(mine)} points a "
                f"month, against {points(without)} without a treaty ({gain} points; 100 points: "
                "what defecting gains your nation in one month). Every nation is valued as "
                "signing; the worlds are simulated, not the others' real choices."
            ),
        }

    def _outcome(self) -> str | None:
        """The phase's outcome in words (None while it runs or before it)."""
        if self.concluded:
            if self.adopted is not None:
                return f"Adopted: {terms_text(self.adopted)}"
            return "No proposal passed: there is no treaty, no nation is bound."
        if self.finished and self._consequences is not None:  # ended while negotiating
            return "The game ended during the negotiation: no terms were adopted."
        return None

    def _tally_view(self, t: Tally) -> dict[str, Any]:
        return {
            "round": t.round,
            "proposer": self.nation_names[t.proposer],
            "terms": terms_text(t.terms),
            "yes": t.yes,
            "needed": t.needed,
            "passed": t.passed,
            "votes": [{"nation": self.nation_names[k], "yes": v, "by": by} for k, v, by in t.votes],
        }

    def rule_text(self) -> str:
        """The room's vote rule in words."""
        n = len(self.nation_names)
        if self.vote_rule == "rotating_unanimity":
            return f"every nation's yes ({n} of {n}: unanimity)"
        kind = "a simple majority" if self.votes_needed == n // 2 + 1 else "a quota"
        return f"{self.votes_needed} yes votes of {n} ({kind}; the proposer's counts)"

    def negotiation_view(self, token: Any) -> dict[str, Any]:
        """What one student sees of the negotiation (empty in a room without one).

        Keys: ``on`` (the room negotiates), ``open`` (a round is open now), ``round``,
        ``rounds``, ``rule``, ``stage`` (proposing or voting), ``proposer``, ``my_turn``,
        ``terms`` (the form: each negotiable term's name, kind, range, choices, unit, help),
        ``offer`` (terms in words), ``consequence`` (of the offer, for this nation),
        ``my_vote`` (None: not voted), ``results`` (closed rounds, each nation's vote),
        ``outcome`` (after the phase: the adopted terms in words, or no treaty),
        ``valued_left`` (new terms the round may still value), ``delegation_votes`` (the
        student's fellow members' ballots on the offer, :meth:`_delegation_votes`).

        Raises:
            NotAllowed: Not a seat of this room.
        """
        with self._lock:
            seat = self._seat(token)
            if not self.negotiation_rounds:
                return {"on": False}
            talk = self.talk
            out: dict[str, Any] = {
                "on": True,
                "open": self.status == NEGOTIATING and talk is not None,
                "rounds": self.negotiation_rounds,
                "rule": self.rule_text(),
                "terms": [
                    {
                        "name": t.name,
                        "kind": t.param.kind,
                        "low": t.low,
                        "high": t.high,
                        "choices": list(t.choices),
                        "unit": t.param.unit or "",
                        "help": t.param.help,
                    }
                    for t in self.term_box.terms
                ],
                "results": [self._tally_view(t) for t in self.tallies],
                "outcome": None,
            }
            out["outcome"] = self._outcome()
            if talk is not None and self._consequences is not None:
                offer = talk.offer
                budget = int(self.engine.params["max_term_points"])
                out.update(
                    round=talk.round,
                    stage=PROPOSING if offer is None else VOTING,
                    proposer=self.nation_names[talk.proposer],
                    proposer_by=talk.by,
                    my_turn=talk.proposer == seat.nation and talk.by == "student",
                    offer=None if offer is None else terms_text(offer),
                    offer_terms=offer,
                    consequence=None
                    if offer is None
                    else self._consequence_view(self._consequences.value(offer), seat.nation),
                    my_vote=True
                    if offer is not None and talk.proposer == seat.nation
                    else talk.ballots.get(seat.token),
                    valued_left=budget - talk.valued,
                    delegation_votes=self._delegation_votes(seat),
                )
            return out

    def _delegation_votes(self, seat: Seat) -> dict[str, Any] | None:
        """The seat's delegation's ballots on the offer, for its members' cards.

        None without delegations, before a proposal, or for the proposer's nation (it votes
        yes). Otherwise ``members`` (each member of the seat's nation: ``name``, ``you``,
        ``present``, ``spokesperson``, ``vote``: True accept, False reject, None not voted
        yet) and ``settled`` (the nation's vote by the room's rule so far: True, False, or
        None while open). Only the seat's own nation's ballots, never another nation's.
        """
        talk = self.talk
        if not self.delegations_on or talk is None or talk.offer is None:
            return None
        k = seat.nation
        if k == talk.proposer:
            return None
        spoke = self.spokesperson(k)
        group = [s for s in self.seats.values() if s.nation == k]
        counted = [s for s in group if s.present or s.token in talk.ballots]
        settled = settle(
            {s.token: talk.ballots.get(s.token) for s in counted},
            None if spoke is None else spoke.token,
            self.delegation,
            final=False,
            silent=self.silent,
        )
        return {
            "members": [
                {
                    "name": s.name,
                    "you": s is seat,
                    "present": s.present,
                    "spokesperson": s is spoke,
                    "vote": talk.ballots.get(s.token),
                }
                for s in group
            ],
            "settled": None if settled.choice is None else bool(settled.choice),
        }

    def negotiation_status(self, teacher_token: Any) -> dict[str, Any]:
        """The teacher's view of the negotiation: phase, round, who has voted (not what).

        Keys: ``on``, ``open``, ``round``, ``rounds``, ``rule``, ``stage``, ``proposer``,
        ``offer``, ``voted`` and ``waiting`` (names of the students), ``results`` and
        ``outcome`` (as :meth:`negotiation_view`).

        Raises:
            NotAllowed: Not the room's teacher.
        """
        with self._lock:
            self._teacher(teacher_token)
            if not self.negotiation_rounds:
                return {"on": False}
            talk = self.talk
            out: dict[str, Any] = {
                "on": True,
                "open": self.status == NEGOTIATING and talk is not None,
                "rounds": self.negotiation_rounds,
                "rule": self.rule_text(),
                "results": [self._tally_view(t) for t in self.tallies],
                "outcome": None,
            }
            out["outcome"] = self._outcome()
            if talk is not None:
                voters = self._voters()
                out.update(
                    round=talk.round,
                    stage=PROPOSING if talk.offer is None else VOTING,
                    proposer=self.nation_names[talk.proposer],
                    offer=None if talk.offer is None else terms_text(talk.offer),
                    voted=[s.name for s in voters if s.token in talk.ballots],
                    waiting=[s.name for s in voters if s.token not in talk.ballots],
                )
            return out
