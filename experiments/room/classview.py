"""What a room shows the whole class (a projected screen) and the readings a card explains.

The class view holds nothing private: no nation's action (true or pledged-against-done), no
points, no student's decision, only *whether* each seated nation has decided. It shows the
world's capability-weighted compliance by month, the nations and their alliances with who is
a member, counts of flags, sanctions and vetoes, and whether the treaty is in force.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.room.state import PAUSED, PLAYING, RoomState

#: One sentence on a student's card: the nation's labs are not the student's to command.
LABS_SENTENCE = (
    "Your labs decide for themselves each month (the model plays them): your choice is your "
    "nation's own programme, and a sanction on a lab is paid by that lab."
)
#: What shielding means, beside the sanction votes on a student's card.
SHIELD_SENTENCE = (
    "Shielding a nation means voting no on any sanction against it this month (an ally, "
    "say); your other votes are yes. A sanction passes or lapses by the treaty's vote."
)


class ClassViews(RoomState):
    """The room's public view (for a projected screen)."""

    def class_view(self, teacher_token: Any) -> dict[str, Any]:
        """What a projected screen may show the class (the teacher's token opens it).

        Keys: ``code``, ``status``, ``paused`` (the teacher paused the clock: a month's or a
        negotiation round's), ``ended_because`` (why the game ended, once it has),
        ``month``, ``periods``, ``seconds_left``, ``compliance``
        (capability-weighted, by month, row 0 the start; under hidden information until the
        game is over the share of actors not flagged instead, and ``compliance_truth`` False),
        ``nations`` (name, member, seated,
        decided: None for a seat the model plays or outside a month), ``edges`` (alliance
        pairs by index), ``in_force`` (the treaty), ``flags``/``sanctions``/``vetoes``
        (counts over the months so far), ``decided``/``seated`` (counts this month).
        """
        with self._lock:
            self._teacher(teacher_token)
            eng = self.engine
            open_month = self.status in (PLAYING, PAUSED)
            seated = {s.nation for s in self.seats.values() if s.present}
            nations = [
                {
                    "nation": name,
                    "member": bool(eng.member[k]),
                    "seated": k in seated,
                    "decided": (k in self._pending) if open_month and k in seated else None,
                }
                for k, name in enumerate(self.nation_names)
            ]
            ties = eng.world.alliances.tocoo()
            edges = sorted(
                {(int(a), int(b)) for a, b in zip(ties.row, ties.col, strict=True) if a < b}
            )
            series = eng.timeseries()
            # the true compliance only where every student sees it (perfect information) or once
            # the game is over; otherwise what verification reveals: the actors not flagged
            truth = eng.params["information"] == "perfect" or self.finished
            shown = (
                series["weighted_compliance"]
                if truth
                else 1.0 - np.asarray(series["flags"], dtype=float) / eng.n_actors
            )
            return {
                "code": self.code,
                "status": self.status,
                "paused": self.clock_paused(),
                "ended_because": self.ended_because,
                "month": self.month,
                "periods": self.periods,
                "seconds_left": self.seconds_left(),
                "compliance": [round(float(x), 3) for x in shown],
                "compliance_truth": bool(truth),
                "nations": nations,
                "edges": edges,
                "in_force": bool(eng.in_force),
                **self.counts,
                "decided": sum(1 for n in nations if n["decided"]),
                "seated": sum(1 for n in nations if n["decided"] is not None),
            }

    def end_warning(self, teacher_token: Any) -> str:
        """What ending the game now discards, in a sentence (End game's confirmation).

        Example:
            >>> from experiments.room import Room
            >>> room = Room("default", seed=3, periods=4, deadline_seconds=None)
            >>> seat = room.join("Ada")
            >>> room.teacher_start(room.teacher_token)
            >>> room.decide(seat, 1, "comply")
            >>> text = room.end_warning(room.teacher_token)
            >>> "months 2 to 4" in text, "The debrief covers month 1." in text
            (True, True)
        """
        with self._lock:
            self._teacher(teacher_token)
            if self.status not in (PLAYING, PAUSED):
                return "Ending the game now leaves nothing to discard."
            month, made = self.month, len(self._pending)
            rest = (
                f"month {month}, which is never played"
                if month == self.periods
                else f"months {month} to {self.periods}, which are never played"
            )
            covered = {1: "The debrief covers no month.", 2: "The debrief covers month 1."}.get(
                month, f"The debrief covers months 1 to {month - 1}."
            )
            return (
                f"Ending the game now discards {rest}, and the {made} decision"
                f"{'' if made == 1 else 's'} already made for month {month}. {covered}"
            )
