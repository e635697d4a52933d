"""The room's debrief.

Each student against a best-responding nation, the pledges beside the actions, and the same
world with the model in every seat.

The best responder is :func:`experiments.play.respond` on the room's own held choices (the
other students' kept), the replay Play's debrief uses for one player.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.play import build_engine, points_text, respond
from experiments.room.names import RoomError
from experiments.room.replay import _held_of
from experiments.room.state import RoomState
from model.engine import Engine
from model.held import Held


class Debriefing(RoomState):
    """The end of a room's game (computed once, beside the pages)."""

    def debrief(self) -> dict[str, Any]:
        """The end of the game: paths, each student against a best responder, pledges, model.

        Returns a mapping with ``paths`` (per nation, per month: ``C``/``D`` and who played
        it), ``students`` (per seat: total, best-responder total and defections on the same
        stream with every other choice of the room kept, the model-only world's total for the
        nation), ``pledges`` (each message beside what the nation then did), ``model_world``
        (the same seed with the model in every seat: summary and series) and ``room_world``.

        Raises:
            RoomError: The game is not over yet.
        """
        with self._lock:
            if not self.finished:
                raise RoomError("the debrief opens when the game is over")
            if self._debrief is not None:
                return self._debrief
        with self._debrief_lock:  # one computation: a second caller waits for the first's
            with self._lock:
                if self._debrief is not None:
                    return self._debrief
                records = list(self.log.records)
                months = self.engine.t
                nations = sorted({seat.nation for seat in self.seats.values()})
            # the replays, without the room's lock (the game is over: the log, the months and
            # the seats' nations no longer change), so pages keep drawing meanwhile
            held = [r for r in records if r["type"] == "held"]
            model_eng = build_engine(self.scenario, self.seed, self.periods, self.overrides)
            model_totals = np.zeros(model_eng.n_actors)
            for h in held[:months]:  # the model in every seat, with the teacher's injects
                model_eng.step(held=Held(shock=_held_of(h).shock))
                model_totals += model_eng.payoff
            best = {k: _best_response(self, held, k, months) for k in nations}
            with self._lock:
                self._debrief = self._assemble_debrief(
                    records, months, held, model_eng, model_totals, best
                )
                self._bump()
                return self._debrief

    def ready_debrief(self) -> dict[str, Any] | None:
        """The debrief if it has been computed (never waits; pages draw with it), else None."""
        with self._lock:
            return self._debrief

    def _assemble_debrief(
        self,
        records: list[Any],
        months: int,
        held: list[Mapping[str, Any]],
        model_eng: Engine,
        model_totals: np.ndarray,
        best: dict[int, list[tuple[float, bool]]],
    ) -> dict[str, Any]:
        """The debrief's mapping from the replays (under the room's lock)."""
        actions = _actions_by_month(records)
        paths = {}
        for k, name in enumerate(self.nation_names):
            who = []
            for h in held:
                if str(k) in h["actions"]:
                    who.append("student")
                elif k in h["model_played"]:
                    who.append("model (seat)")
                else:
                    who.append("model")
            paths[name] = [
                {"month": t + 1, "action": "D" if actions[t][k] else "C", "by": who[t]}
                for t in range(months)
            ]
        students = []
        for seat in self.seats.values():
            k = seat.nation
            unit = float(self.engine.structure.gc[k]) or 1.0
            br = best[k]  # no seat joins a finished game (join refuses)
            students.append(
                {
                    "name": seat.name,
                    "nation": self.nation_names[k],
                    "total": seat.total,
                    "best_response_total": sum(m[0] for m in br),
                    "model_world_total": float(model_totals[k]),
                    "defections": sum(m.report.defected for m in seat.months),
                    "best_response_defections": sum(m[1] for m in br),
                    "decided": sum(m.by == "student" for m in seat.months),
                    "timed_out": sum(m.by == "timeout" for m in seat.months),
                    "away": sum(m.by == "away" for m in seat.months),
                    "months": len(seat.months),
                    "unit": unit,
                    "points": points_text(seat.total, unit),
                    "best_response_points": points_text(sum(m[0] for m in br), unit),
                }
            )
        pledges = []
        for p in self.pledges:
            t = p.month - 1
            did = None if t >= months else bool(actions[t][p.nation])
            entry = {
                "month": p.month,
                "nation": self.nation_names[p.nation],
                "text": p.text,
                "then": None if did is None else ("defected" if did else "complied"),
            }
            if p.kind in ("comply_if_you_do", "pledge_comply"):
                entry["kept"] = None if did is None else not did
            if p.kind == "accuse":
                target = self.nation_names.index(p.value)
                entry["accused_before"] = (
                    None if t == 0 else ("defected" if actions[t - 1][target] else "complied")
                )
            pledges.append(entry)
        room_sum = self.engine.summary()
        model_sum = model_eng.summary()
        return {
            "months": months,
            "ended_because": self.ended_because,
            "paths": paths,
            "students": students,
            "pledges": pledges,
            "room_world": {
                "held": room_sum.held,
                "collapse_step": room_sum.collapse_step,
                "compliance": [float(x) for x in self.engine.timeseries()["weighted_compliance"]],
            },
            "model_world": {
                "held": model_sum.held,
                "collapse_step": model_sum.collapse_step,
                "compliance": [float(x) for x in model_eng.timeseries()["weighted_compliance"]],
            },
        }


def _actions_by_month(records: Sequence[Mapping[str, Any]]) -> list[list[bool]]:
    """Each month's true actions of every actor, from the log's ``state`` records."""
    return [[ch == "1" for ch in r["actions"]] for r in records if r["type"] == "state"]


def _best_response(
    room: RoomState, held: Sequence[Mapping[str, Any]], nation: int, months: int
) -> list[tuple[float, bool]]:
    """``nation`` best-responds each month; every other held choice of the room is kept.

    Returns (payoff, defected) per month.
    """
    eng = build_engine(room.scenario, room.seed, room.periods, room.overrides)
    return [(m[0], m[2]) for m in respond(eng, nation, [_held_of(r) for r in held[:months]])]
