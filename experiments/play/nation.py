"""One nation's readings of an engine: the nation view Play and the classroom room share.

A :class:`NationView` reads, for one nation of an engine it never steps, what the player of that
nation is shown: the expected payoffs of complying and defecting (:meth:`NationView.advice`),
membership and the treaty's state in words (:meth:`NationView.status`), allies, whether and
how the nation votes, the flags against other nations and what the votes made of them
(:meth:`NationView.flags`), and the month just played as a :class:`PeriodReport`
(:meth:`NationView.report`). It holds no state of its own: a view made now reads the engine as
it is now, so Play (:class:`experiments.play.PlayGame`) and the room
(:class:`experiments.room.Room`) make one whenever they read.

With ``reveal=False`` (the room under any ``information`` but ``perfect``) the view reads only
what verification tells the nation: the flags without whether each caught a defector or was a
false alarm, and the shared risk of the nation's own actors alone (the rest depends on what the
others truly do). Its report keeps the truth beside (:meth:`PeriodReport.seen` is what the
player may see during the game; the debrief shows the rest).

Example:
    >>> from experiments.play import build_engine
    >>> view = NationView(build_engine(None, 1, 3), 0, 3, ["A", "B", "C", "D", "E"])
    >>> view.is_member, view.points(view.unit)
    (True, '+100')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from experiments.play.report import PeriodReport, points_text
from model import adjudication
from model.engine import Engine


class NationView:
    """One nation's readings of an engine (it never steps the engine).

    Args:
        engine: The game's engine.
        nation: The nation's index.
        periods: Months the game lasts (for the next negotiation round).
        names: The nations' names, by index.
        reveal: The player sees the others' true actions (``information = perfect``); False:
            only what verification reveals (:meth:`flags` without the truth, :meth:`risk` of
            the nation's own actors).
    """

    def __init__(
        self,
        engine: Engine,
        nation: int,
        periods: int,
        names: Sequence[str],
        *,
        reveal: bool = True,
    ) -> None:
        self.engine = engine
        self.nation = nation
        self.periods = periods
        self.nation_names = names
        self.reveal = reveal

    # ------------------------------------------------------------------ payoffs
    @property
    def unit(self) -> float:
        """The nation's gain from defecting for a month, ``G c`` (100 points)."""
        return float(self.engine.structure.gc[self.nation]) or 1.0

    def points(self, value: float) -> str:
        """``value`` in points (100 points: the nation's monthly gain from defecting)."""
        return points_text(value, self.unit)

    def risk(self, defect: bool) -> float:
        """The shared-risk cost the nation pays this month if the others act as last month.

        Without :attr:`reveal`: the part of it the nation's own actors make (its programme as
        ``defect``, its labs as last month); the others' part depends on their true actions.
        """
        eng = self.engine
        c = eng.structure.c
        others = eng.defect.copy()
        others[self.nation] = bool(defect)
        if not self.reveal:
            others &= eng.home == self.nation
        return float(eng.structure.rc[self.nation]) * float(c[others].sum() / c.sum())

    def others_risk(self) -> float:
        """The shared-risk cost the other nations' actors put on the nation (their true actions)."""
        eng = self.engine
        c = eng.structure.c
        theirs = eng.defect & (eng.home != self.nation)
        return float(eng.structure.rc[self.nation]) * float(c[theirs].sum() / c.sum())

    def club_cost(self) -> float:
        """The club cost the nation pays this month (verification dues, or an outsider's)."""
        eng = self.engine
        treaty = eng.treaty
        if not (treaty.club_on and treaty.pause_active and treaty.in_force):
            return 0.0
        return float(eng.club_cost[self.nation])

    def advice(self, pledged: bool | None = None) -> tuple[float, float]:
        """Expected payoffs of complying and of defecting this month, for the nation.

        The model's expected payoffs (a sanction counted when it is incurred, at its expected
        value) plus the shared risk the nation pays, estimated from last month's actions of
        everyone else (:meth:`advice_leaves_out` names what this leaves out). ``pledged``:
        the nation's pledge this month (False: comply), whose breach under ``binding`` adds
        :meth:`breach_cost` to defecting; None: no pledge of its own counted.
        """
        pay = self.engine.expected_payoffs()
        c = float(self.engine.c[self.nation])
        club = self.club_cost()
        breach = self.breach_cost() if pledged is False else 0.0
        return (
            float(pay[0, self.nation]) * c - self.risk(False) - club,
            float(pay[1, self.nation]) * c - self.risk(True) - club - breach,
        )

    def advice_leaves_out(self) -> str:
        """What the expected values leave out, in words."""
        lag = int(self.engine.params["verification_lag"])
        due = float(self.engine.sanctions_due[self.nation]) if lag else 0.0
        parts = [
            "they assume the others act as they did last month (the shared risk you pay "
            "grows with every defector's capability)"
            if self.reveal
            else "they leave out the shared risk the other nations' programmes put on you "
            "(it grows with every defector's capability, and verification does not show who "
            "truly defects; the debrief does)"
        ]
        if lag:
            parts.append(
                f"a sanction is counted when incurred, but paid {lag} month"
                f"{'s' if lag > 1 else ''} later; this month you pay "
                f"{self.points(due) if due else 'no'} points of earlier sanctions "
                "whatever you choose"
            )
        if self.engine.treaty.club_on:
            parts.append(
                "the club cost (members' verification dues, outsiders' penalty) is "
                "this month's; a negotiation round can change it"
            )
        parts.append("detection and votes are random: the expected sanction is an average")
        return "; ".join(parts)

    # ------------------------------------------------------------------ the treaty
    def next_round(self) -> int | None:
        """The month of the next negotiation round on membership (None: no more this game)."""
        treaty = self.engine.treaty
        for t in range(self.engine.t + 1, self.periods + 1):
            if treaty.membership_round_at(t):
                return t
        return None

    def status(self) -> str:
        """Membership and the treaty's state in words, between rounds too."""
        eng = self.engine
        members = int(eng.member.sum())
        you = "a member of the treaty" if self.is_member else "outside the treaty"
        force = "in force" if eng.in_force else "not in force"
        text = (
            f"Your nation is {you}; {members} of {eng.n_nations} nations are members and "
            f"the treaty is {force}."
        )
        if eng.params["membership"] == "negotiated":
            nxt = self.next_round()
            text += (
                f" Next negotiation round: month {nxt}."
                if nxt is not None
                else " No negotiation round is left in this game."
            )
        else:
            text += " Membership is fixed in this scenario (no membership rounds)."
        return text

    @property
    def voting(self) -> bool:
        """True when sanctions are put to a vote in this game."""
        return bool(self.engine.structure.voting)

    @property
    def is_member(self) -> bool:
        """True while the nation is a treaty member."""
        return bool(self.engine.member[self.nation])

    @property
    def is_veto_power(self) -> bool:
        """True when the nation holds a veto (``great_power_veto``)."""
        return bool(np.isin(self.nation, self.engine.veto_powers))

    @property
    def has_vote(self) -> bool:
        """True when sanctions are voted on and the nation is a member (as every veto power is)."""
        return self.voting and self.is_member

    @property
    def learns(self) -> np.ndarray:
        """Per nation ``h``: this nation learns of (and votes on) flags against it."""
        per_bloc = self.engine.params["inspectorate"] == "per_bloc"
        return adjudication.learners(np.asarray(self.engine.world.bloc), per_bloc)[:, self.nation]

    @property
    def allies(self) -> list[str]:
        """The nation's allies (alliance weight above 0), by name."""
        row = self.engine.world.alliances[[self.nation], :].toarray().ravel()
        return [
            self.nation_names[k]
            for k in range(len(self.nation_names))
            if k != self.nation and row[k] > 0
        ]

    def membership_advice(self) -> bool:
        """What the model's nation would choose at the round now (True: be a member)."""
        return self.engine.prefers_membership(self.nation)

    # ------------------------------------------------------------------ the month played
    def flags(self, votes: np.ndarray | None, reveal: bool | None = None) -> tuple[str, ...]:
        """The month's flags against other nations' actors and what the vote made of them.

        Each names the actor (a nation's programme, or which of its labs), whether it was
        caught defecting or a false alarm (only with ``reveal``), who vetoed a vetoed sanction,
        and why a sanction that failed its vote lapsed.

        Args:
            votes: The nation's own votes per target nation (None: the model voted for it).
            reveal: Say what each flag truly was (None: :attr:`reveal`); else "flagged".
        """
        reveal = self.reveal if reveal is None else reveal
        last = self.engine.last
        if "vote_passed" not in last:
            return ()
        eng = self.engine
        names = eng.world.names
        flagged = (last["caught_international"] | last["false_alarm"]) & eng.bound
        learns = self.learns
        powers = [int(x) for x in np.asarray(eng.veto_powers)]
        ties = eng.world.alliances.toarray()
        quorum = 100 * float(eng.params["sanction_quorum"])
        out = []
        for k in np.flatnonzero(flagged & (eng.home != self.nation)):
            h = int(eng.home[k])
            nation = self.nation_names[h]
            if eng.is_lab[k]:
                lab = str(names[k]).split("/")[-1].replace("-", " ")
                who = f"{nation}'s {lab}"
            else:
                who = f"{nation}'s own programme"
            if not reveal:
                why = "flagged"
            elif last["caught_international"][k]:
                why = "caught defecting"
            else:
                why = "a false alarm"
            share = 100 * float(last["vote_share"][k])
            mine_no = votes is not None and bool(learns[h]) and not bool(votes[h])
            if last["vetoed"][k]:
                if h in powers:
                    fate = (
                        f"vetoed by {nation} itself (a veto power blocks every sanction on "
                        "itself and its labs)"
                    )
                elif self.nation in powers and mine_no:
                    fate = "vetoed"  # ", you voted no" follows: the player's own veto
                else:
                    allied = [
                        (
                            "you (the model voting for you)"
                            if v == self.nation
                            else self.nation_names[v]
                        )
                        for v in powers
                        if v != h
                        and ties[v, h] > 0
                        and not (v == self.nation and votes is not None)
                    ]
                    fate = (
                        "vetoed by " + " or ".join(allied) + " (an ally holding a veto)"
                        if allied
                        else "vetoed"
                    )
            elif last["vote_passed"][k]:
                fate = f"sanctioned ({share:.0f}% yes, quorum {quorum:.0f}%)"
            else:
                fate = (
                    f"lapsed: only {share:.0f}% of the members voted yes, short of the "
                    f"{quorum:.0f}% quorum"
                )
            mine = (
                f", you voted {'yes' if votes[h] else 'no'}"
                if votes is not None and bool(learns[h])
                else ""
            )
            if fate == "vetoed" and mine_no and self.nation in powers:
                mine += " (your veto blocked it)"
            out.append(f"{who} ({why}): {fate}{mine}")
        return tuple(out)

    def report(self, was_round: bool, expected: float, votes: np.ndarray | None) -> PeriodReport:
        """The month the engine just played, seen from the nation.

        Args:
            was_round: The month opened with a negotiation round on membership.
            expected: The expected payoff of what the nation did (from :meth:`advice` before
                the month).
            votes: The nation's own votes this month (None: the model's).
        """
        eng, i = self.engine, self.nation
        last = eng.last
        n = eng.n_nations
        labs = np.flatnonzero((eng.home == i) & eng.is_lab)
        weighted = float(eng.latest("weighted_compliance"))
        return PeriodReport(
            t=eng.t,
            defected=bool(eng.defect[i]),
            advantage=float(last["advantage"][i]),
            caught_domestic=bool(last["caught_domestic"][i]),
            caught_international=bool(last["caught_international"][i]),
            false_alarm=bool(last["false_alarm"][i]),
            sanction_paid=float(last["sanction_paid"][i]),
            payoff=float(eng.payoff[i]),
            others_defecting=tuple(
                self.nation_names[k] for k in range(n) if k != i and eng.defect[k]
            ),
            own_labs_defecting=int(eng.defect[labs].sum()),
            own_labs=len(labs),
            compliance=weighted if math.isfinite(weighted) else 0.0,
            welfare=float(eng.payoff.sum()),
            flags=self.flags(votes, reveal=True),
            flags_seen=() if self.reveal else self.flags(votes, reveal=False),
            others_risk=self.others_risk(),
            hidden=not self.reveal,
            round=was_round,
            member=self.is_member,
            members=int(eng.member.sum()),
            in_force=bool(eng.in_force),
            unit=self.unit,
            expected=expected,
            **self.pledge_fields(),
        )

    def pledge_fields(self) -> dict[str, Any]:
        """The month's pledges seen from the nation (:class:`PeriodReport`'s fields).

        Empty without pledges.
        """
        pledges, i = self.engine.pledges, self.nation
        if pledges is None or pledges.last is None or pledges.detected is None:
            return {}
        others = [k for k in range(self.engine.n_nations) if k != i]
        broke = pledges.breaches(self.engine.defect)
        return {
            "pledged": bool(pledges.last[i]),
            "breach_detected": bool(pledges.detected[i]),
            "force": str(self.engine.params["pledge_binding"]),
            "others_pledged_comply": sum(not pledges.last[k] for k in others),
            "others_breaking": tuple(self.nation_names[k] for k in others if broke[k]),
            "others_caught_breaking": tuple(
                self.nation_names[k] for k in others if pledges.detected[k]
            ),
        }

    def breach_cost(self) -> float:
        """The expected sanction a broken pledge adds this month under ``binding``.

        The nation's ``D B pi_i c_i`` (model/ODD.md 3.10); 0 when not bound or not binding.
        """
        eng, i = self.engine, self.nation
        pledges = eng.pledges
        if pledges is None or not pledges.binding or not eng.pause_active or not eng.bound[i]:
            return 0.0
        pi = np.broadcast_to(eng.costs.pi_international, eng.c.shape)[i]
        return float(pledges.discounted * pi * eng.c[i])
