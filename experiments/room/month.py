"""Month resolution: the room's month becomes one ``engine.step(held=Held(...))``.

The decided seats' choices (actions, votes, membership) are held; every other actor follows
the model's rule. A ``held`` record goes into the log before the engine's own records of the
month, so :func:`experiments.room.replay` re-runs the room exactly; held choices never change
which numbers are drawn, so a room in which nobody acts is the unplayed engine run. Each seat
then gets the month seen from its nation (:meth:`experiments.play.NationView.report`).
"""

from __future__ import annotations

import threading
from typing import Any

from experiments.room.delegations import Delegations
from experiments.room.seats import MonthNote
from experiments.room.state import FINISHED, PLAYING
from model.held import Held


class MonthResolution(Delegations):
    """Opening, resolving and finishing a room's months (called under the room's lock)."""

    def _open_month(self) -> None:
        """Open the next month: no decisions yet, its deadline (if any) starting now."""
        self._pending = {}
        self._open_delegations()
        self._remaining = None
        self._deadline_at = (
            self._clock() + self.deadline_seconds if self.deadline_seconds is not None else None
        )

    def _resolve_if_all_decided(self) -> None:
        """Resolve the month once every present student has decided (while it runs)."""
        self._settle_delegations(final=False)
        present = self._present()
        if self.status == PLAYING and present and all(s.nation in self._pending for s in present):
            self._resolve("all decided")

    def _resolve(self, why: str) -> None:
        """Step the engine with the decided seats' choices; note each seat's month."""
        eng = self.engine
        was_round = eng.negotiation_round_next()
        self._settle_delegations(final=True)
        seats = list(self.seats.values())
        views = {s.nation: self.nation_view(s.nation) for s in seats}
        expected = {k: view.advice(self.pledge_of(k)) for k, view in views.items()}
        votes_cast = {
            k: (d.votes if d.votes is not None and views[k].has_vote else None)
            for k, d in self._pending.items()
        }
        actions = {k: d.defect for k, d in self._pending.items()}
        votes = {k: v for k, v in votes_cast.items() if v is not None}
        membership = {
            k: d.membership
            for k, d in self._pending.items()
            if d.membership is not None and was_round
        }
        abstain_votes, abstain_membership = self._silent_holds(was_round)
        votes.update(abstain_votes)
        membership.update(abstain_membership)
        model_played = sorted({s.nation for s in seats} - set(actions))
        pledges = self._held_pledges(actions)
        extra: dict[str, Any] = (
            {} if eng.pledges is None else {"pledges": {str(k): v for k, v in pledges.items()}}
        )
        shock = self._take_shock()  # the teacher's injects (experiments.room.injects)
        if shock is not None:
            extra["shock"] = shock.record()
        self._log_delegations()
        self.log.append(
            "held",
            eng.t + 1,
            actions={str(k): v for k, v in actions.items()},
            votes={str(k): v for k, v in votes.items()},
            membership={str(k): v for k, v in membership.items()},
            model_played=model_played,
            why=why,
            **extra,
        )
        eng.step(
            held=Held(
                actions=actions, votes=votes, membership=membership, pledges=pledges, shock=shock
            )
        )
        self._count_flags()
        for seat in seats:
            k = seat.nation
            view = views[k]
            report = view.report(
                was_round, expected[k][1 if eng.defect[k] else 0], votes_cast.get(k)
            )
            by = self._note_by(seat, k in actions)
            seat.months.append(MonthNote(report, by))
        self._bump()
        if eng.t >= self.periods:
            self._finish("every month played")
        elif eng.catastrophe_step is not None:
            self._finish(f"a catastrophe in month {eng.catastrophe_step}")
        else:
            self._open_month()

    def _count_flags(self) -> None:
        """Add the month just resolved to the class view's flags, sanctions and vetoes."""
        last = self.engine.last
        flagged = last["caught_international"] | last["false_alarm"]
        self.counts["flags"] += int(flagged.sum())
        self.counts["sanctions"] += int((last["sanction_paid"] > 0).sum())  # paid this month
        if "vetoed" in last:
            self.counts["vetoes"] += int((flagged & last["vetoed"]).sum())

    def _held_pledges(self, actions: dict[int, bool]) -> dict[int, bool]:
        """The seats' pledges this month (nation -> pledged defect), when the nations pledge.

        A seat's pledge message (:data:`~experiments.room.seats.PLEDGE_MESSAGES`) for this
        month is its nation's pledge, whoever then plays the month; a student who decided
        without pledging pledges the action taken (no promise, so none broken); a seat the
        model plays without a pledge keeps the model's. Empty with pledges off.
        """
        if self.engine.pledges is None:
            return {}
        said = {}
        for seat in self.seats.values():
            pledged = self.pledge_of(seat.nation)
            if pledged is not None:
                said[seat.nation] = pledged
        return {**{k: bool(v) for k, v in actions.items()}, **said}

    def _finish(self, why: str) -> None:
        """End the game (``why`` shown to everyone), close the log, start the debrief."""
        self.status = FINISHED
        self.ended_because = why
        self._pending = {}
        self._deadline_at = self._remaining = None
        if not self._quiz_keeps_log_open():  # the after-quiz's answers go in the log first
            self.engine.close_log()
        self._bump()
        # The debrief replays the world once per student (about a second for 40 students
        # and 24 months): computed beside the pages, which show "The game is over" at once
        # and the debrief when it is ready (its readiness is in every stamp).
        threading.Thread(target=self.debrief, name=f"room-{self.code}-debrief", daemon=True).start()
