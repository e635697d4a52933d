"""What the teacher downloads from a room: the grading CSV and the hash-chained log."""

from __future__ import annotations

import csv
import io
from typing import Any

from experiments.room.names import _spreadsheet_safe
from experiments.room.state import RoomState
from model.ledger import canonical


class Grades(RoomState):
    """The teacher's downloads (each takes the room's lock)."""

    def grades_csv(self, teacher_token: Any) -> str:
        """One row per student for grading (the debrief's numbers, in points)."""
        with self._lock:
            self._teacher(teacher_token)
        d = self.debrief()  # outside the room's lock: it may wait for the computation
        with self._lock:
            out = io.StringIO()
            w = csv.writer(out)
            w.writerow(
                [
                    "room",
                    "name",
                    "nation",
                    "months",
                    "decided",
                    "timed_out",
                    "away",
                    "defections",
                    "points",
                    "best_response_points",
                    "difference_points",
                    "model_world_points",
                    "messages",
                    "comply_pledges_kept",
                ]
                + self.quiz_columns()
            )
            for i, s in enumerate(d["students"]):
                mine = [p for p in d["pledges"] if p["nation"] == s["nation"]]
                kept = [p["kept"] for p in mine if p.get("kept") is not None]
                unit = s["unit"]
                w.writerow(
                    [
                        self.code,
                        _spreadsheet_safe(s["name"]),
                        s["nation"],
                        s["months"],
                        s["decided"],
                        s["timed_out"],
                        s["away"],
                        s["defections"],
                        round(100 * s["total"] / unit),
                        round(100 * s["best_response_total"] / unit),
                        round(100 * (s["total"] - s["best_response_total"]) / unit),
                        round(100 * s["model_world_total"] / unit),
                        len(mine),
                        f"{sum(kept)}/{len(kept)}",
                    ]
                    + self.quiz_cells(i)  # the debrief's students are the seats, in order
                )
            return out.getvalue()

    def ledger_bytes(self, teacher_token: Any) -> bytes:
        """The room's hash-chained log as JSONL (``pausegame verify-ledger`` reads it)."""
        with self._lock:
            self._teacher(teacher_token)
            return "".join(canonical(r) + "\n" for r in self.log.records).encode()
