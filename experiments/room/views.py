"""What a room shows its pages.

A student's view (what the nation saw), the teacher's view (everything), the cheap stamps
pages compare to know when to redraw, and the room's series.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from experiments.play import points_text
from experiments.room.delegations import Delegations
from experiments.room.seats import PLEDGE_MESSAGES, MonthNote
from experiments.room.state import LOBBY, PAUSED, PLAYING


class Views(Delegations):
    """The room's views for the pages (each takes the room's lock)."""

    def _month_text(self, note: MonthNote, truth: bool) -> dict[str, Any]:
        """A month of a seat; without ``truth``, only what verification revealed of the others."""
        r = note.report if truth else note.report.seen()
        out: dict[str, Any] = {
            "month": r.t,
            "defected": r.defected,
            "by": note.by,
            "notice": note.notice,
            "caught_domestic": r.caught_domestic,
            "caught_international": r.caught_international,
            "false_alarm": r.false_alarm,
            "sanction_paid_points": r.amount(r.sanction_paid),
            "payoff_points": r.points(r.payoff),
            "expected_points": r.points(r.expected),
            "flags_on_others": list(r.flags),
            "member": r.member,
            "round": r.round,
            "sentence": r.sentence(),
            "sentence_without_votes": r.sentence(votes=False),
        }
        if truth:
            out["others_defecting"] = list(r.others_defecting)
            out["world_compliance"] = round(r.compliance, 3)
        return out

    def _revealed(self, nation: int) -> dict[str, Any]:
        """The world's compliance as verification reveals it to ``nation`` (last month)."""
        eng, last = self.engine, self.engine.last
        if not last:
            return {"flagged": [], "flagged_share": 0.0}
        learns = self.nation_view(nation).learns
        flagged = last["caught_international"] | last["false_alarm"]
        seen = sorted(
            {
                self.nation_names[int(eng.home[k])]
                for k in np.flatnonzero(flagged)
                if int(eng.home[k]) != nation and learns[int(eng.home[k])]
            }
        )
        visible = int(learns.sum())
        return {"flagged": seen, "flagged_share": round(len(seen) / visible, 3) if visible else 0.0}

    def student_view(self, token: Any) -> dict[str, Any]:
        """What one student sees: their nation's months, the talk, the revealed world.

        The others' true actions (and the true compliance) only under ``information =
        perfect``; otherwise, until the game is over, nothing that depends on them: the
        nations flagged by verification that the nation learns of, the flags without whether
        each caught a defector or was a false alarm, and payoffs (expected and realised)
        without the shared risk the others' programmes put on the nation
        (:meth:`experiments.play.PeriodReport.seen`).
        """
        with self._lock:
            seat = self._seat(token)
            eng = self.engine
            truth = eng.params["information"] == "perfect" or self.finished
            view = self.nation_view(seat.nation)
            pledged = self.pledge_of(seat.nation)
            comply, defect = view.advice(pledged) if not self.finished else (0.0, 0.0)
            last = seat.months[-1] if seat.months else None
            return {
                "code": self.code,
                "nation": self.nation_names[seat.nation],
                "name": html.escape(seat.name),
                "status": self.status,
                "paused": self.clock_paused(),
                "month": self.month,
                "periods": self.periods,
                "seconds_left": self.seconds_left(),
                "decided": seat.nation in self._pending,
                "present": seat.present,
                "decision": (
                    None
                    if seat.nation not in self._pending
                    else "defect"
                    if self._pending[seat.nation].defect
                    else "comply"
                ),
                "voting": view.voting and view.is_member and not self.finished,
                "membership_round": (
                    not self.finished and self.status != LOBBY and eng.negotiation_round_next()
                ),
                "status_text": view.status(),
                "expected_points": {"comply": view.points(comply), "defect": view.points(defect)},
                "leaves_out": "" if self.finished else view.advice_leaves_out(),
                "sanctions_named": self._sanctions_named(seat.nation),
                "total_points": view.points(
                    seat.total if truth else sum(m.report.seen().payoff for m in seat.months)
                ),
                "last": None if last is None else self._month_text(last, truth),
                "months": [self._month_text(m, truth) for m in seat.months],
                "revealed": self._revealed(seat.nation),
                "information": eng.params["information"],
                "pledges": [
                    {"month": p.month, "nation": self.nation_names[p.nation], "text": p.text}
                    for p in self.pledges
                    if p.month >= self.month - 1
                ],
                "nations": list(self.nation_names),
                "ended_because": self.ended_because,
                **self._pledging(seat.nation, seat.name),
                **self.delegation_view(seat),
            }

    def _sanctions_named(self, nation: int) -> list[str]:
        """Last month's sanctions the month's report does not name, each with its amount.

        Those against the nation's labs, and the nation's own when it paid one for an
        earlier month (the verification lag) without being caught or flagged last month.
        """
        eng, last = self.engine, self.engine.last
        if not last:
            return []
        view = self.nation_view(nation)
        out = []
        own = float(last["sanction_paid"][nation])
        named = last["caught_international"] | last["caught_domestic"] | last["false_alarm"]
        if own > 0 and not named[nation]:
            out.append(
                f"Your nation paid a sanction of {view.points(own).lstrip('+')} points in "
                f"month {eng.t}, for an earlier month (sanctions are paid after the "
                "verification lag)."
            )
        for k in np.flatnonzero((eng.home == nation) & eng.is_lab):
            paid = float(last["sanction_paid"][k])
            if paid > 0:
                lab = str(eng.world.names[k]).split("/")[-1].replace("-", " ")
                lab = lab if lab.startswith("lab") else f"lab {lab}"
                out.append(
                    f"Your {lab} paid a sanction of {view.points(paid).lstrip('+')} points "
                    f"in month {eng.t}."
                )
        return out

    def _pledging(self, nation: int, name: str = "") -> dict[str, Any]:
        """The room's pledges' force and the nation's pledge message this month.

        ``pledging`` is None when the nations do not pledge; ``my_pledge`` None: none yet;
        ``pledged_by``: the member of the nation's delegation who pledged when not the
        student ``name`` (None: the student pledged, or no pledge yet).
        """
        pledges = self.engine.pledges
        mine = [
            p
            for p in self.pledges
            if p.nation == nation and p.month == self.month and p.kind in PLEDGE_MESSAGES
        ]
        force = None
        if pledges is not None:
            force = "binding" if pledges.binding else str(self.engine.params["pledge_binding"])
        made = mine[0] if mine and force else None
        return {
            "pledging": force,
            "my_pledge": None if made is None else made.text,
            "pledged_by": None if made is None or made.by in ("", name) else made.by,
        }

    def student_stamp(self, token: Any) -> tuple[Any, ...]:
        """A cheap value that changes whenever :meth:`student_view` of ``token`` may change.

        Everything a student's view shows follows from what this covers: the room's state
        (status, the engine's month, closing, why it ended), the talk, the month's clock (its
        deadline or the time a pause left) and the seat itself (name, presence, months played,
        whether it has decided). The clock running down is not in it (``seconds_left``: a page
        redraws its countdown on its own). Another seat's decision, join, leave or rejoin
        changes none of it, unless it resolves the month. A page checks this on every
        :attr:`version` change and redraws only when it differs.

        Raises:
            NotAllowed: A token that is not a seat of this room.
        """
        with self._lock:
            return self._stamp_of(self._seat(token))

    def teacher_view(self, teacher_token: Any) -> dict[str, Any]:
        """Everything: who has decided, each nation's true action, flags and votes, talk."""
        with self._lock:
            self._teacher(teacher_token)
            eng, last = self.engine, self.engine.last
            open_month = self.status in (PLAYING, PAUSED)
            nations = []
            for k, name in enumerate(self.nation_names):
                seat = self.seat_of(k)
                labs = np.flatnonzero((eng.home == k) & eng.is_lab)
                actors = np.flatnonzero(eng.home == k)
                row: dict[str, Any] = {
                    "nation": name,
                    "student": None if seat is None else html.escape(self._seat_names(k)),
                    "present": None if seat is None else seat.present,
                    "open": k in self.open_nations,
                    "decided": None if seat is None or not open_month else k in self._pending,
                    "defected": bool(eng.defect[k]),
                    "labs_defecting": int(eng.defect[labs].sum()),
                    "labs": len(labs),
                    "member": bool(eng.member[k]),
                    "flagged": bool(
                        last
                        and (
                            last["caught_international"][actors] | last["false_alarm"][actors]
                        ).any()
                    ),
                    "caught": bool(
                        last
                        and (
                            last["caught_international"][actors] | last["caught_domestic"][actors]
                        ).any()
                    ),
                    "sanction_paid": float(last["sanction_paid"][actors].sum()) if last else 0.0,
                    "total_points": (
                        points_text(seat.total, float(eng.structure.gc[k]) or 1.0) if seat else ""
                    ),
                }
                if last and "vote_passed" in last:
                    flagged = (last["caught_international"] | last["false_alarm"])[actors]
                    row["votes"] = [
                        "vetoed"
                        if last["vetoed"][a]
                        else ("passed" if last["vote_passed"][a] else "lapsed")
                        for a in actors[flagged]
                    ]
                nations.append(row)
            series = eng.timeseries()
            return {
                "code": self.code,
                "status": self.status,
                "paused": self.clock_paused(),
                "month": self.month,
                "periods": self.periods,
                "seconds_left": self.seconds_left(),
                "deadline_seconds": self.deadline_seconds,
                "scenario": (
                    self.scenario_name
                    if self.scenario_name is not None
                    else f"no scenario ({len(self.nation_names)} nations)"
                ),
                "seed": self.seed,
                "students": len(self.seats),
                "present": len(self._present()),
                "decided": sorted(self.nation_names[k] for k in self._pending),
                "waiting": sorted(
                    {
                        self.nation_names[s.nation]
                        for s in self._present()
                        if s.nation not in self._pending
                    }
                )
                if open_month
                else [],
                "nations": nations,
                "compliance": [round(float(x), 3) for x in series["weighted_compliance"]],
                "pledges": [
                    {"month": p.month, "nation": self.nation_names[p.nation], "text": p.text}
                    for p in self.pledges
                ],
                "block_list": list(self.block_list),
                "ended_because": self.ended_because,
                "pledging": self._pledging(0)["pledging"],
                "breaches": [int(x) for x in series["breaches"][1:]]
                if "breaches" in series
                else [],
                "breaches_detected": (
                    [int(x) for x in series["breaches_detected"][1:]]
                    if "breaches_detected" in series
                    else []
                ),
                "information": eng.params["information"],
            }

    def metrics(self) -> dict[str, np.ndarray]:
        """The room's time series so far (``Engine.timeseries``)."""
        with self._lock:
            return self.engine.timeseries()
