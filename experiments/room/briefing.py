"""The briefing: what each student reads before month 1, and the teacher's scenario notes.

A nation's briefing (:meth:`Briefing.briefing`) is generated from the scenario and the room's
engine as the game starts (month 0, before anyone acts): the nation's capability and its labs,
its allies, whether it holds a veto and whether it votes on sanctions, what defecting gains it
and what a sanction costs it (in the game's points: 100 points are what defecting gains the
nation in one month, ``G c``), what the treaty says (its terms in words) and what the nation will
see of the others (by the room's ``information`` setting). It reads only what the nation may
know: its own numbers, the world's public structure (alliances, veto powers, the treaty) and the
parameters; never another nation's actions, choices or capability. The briefings are built
once, when the room is made, so a student who joins late reads the same briefing as one who
joined in the lobby.

The teacher's briefing (:meth:`Briefing.teacher_briefing`) is the scenario's title and summary,
its claim (what it teaches) and its discussion questions (the ``## Questions`` section of the
scenario's ``.md``; :mod:`experiments.teaching` reads the same files).

Example:
    >>> from experiments.room import Room
    >>> room = Room("great_power_veto", seed=1, periods=2, deadline_seconds=None)
    >>> b = room.briefing(room.join("Ada", "Aurelia"))
    >>> b["nation"], b["veto"]
    ('Aurelia', True)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from experiments.play import NationView
from experiments.room.classview import LABS_SENTENCE
from experiments.room.state import RoomState
from model.adjudication import get_adjudication

#: What a student sees of the other nations, by the room's ``information`` setting.
INFORMATION_SENTENCES = {
    "perfect": (
        "After each month you see every nation's true action (comply or defect): "
        "information is perfect in this room."
    ),
    "detected": (
        "After each month you see only the flags verification raises against the nations you "
        "learn of: a flag does not say whether it caught a defector or was a false alarm. "
        "You do not see the others' true actions until the debrief."
    ),
    "bayesian": (
        "After each month you see only the flags verification raises against the nations you "
        "learn of (the model's nations weigh them as evidence); a flag does not say whether it "
        "caught a defector or was a false alarm. You do not see the others' true actions "
        "until the debrief."
    ),
}


def _pct(x: float) -> str:
    v = 100.0 * float(x)
    return f"{v:.1f}%" if 0 < v < 10 else f"{v:.0f}%"


def _section(narrative: str, title: str) -> str:
    """The text under a ``## title`` heading of a scenario's ``.md`` (empty when none)."""
    match = re.search(
        rf"^##\s+{re.escape(title)}\s*$(.*?)(?=^##\s|\Z)", narrative, re.M | re.S | re.I
    )
    return match.group(1).strip() if match else ""


def questions_of(narrative: str) -> list[str]:
    r"""The items of a scenario's ``## Questions`` section, in order (empty when none).

    Example:
        >>> questions_of("## Questions\n\n1. Why?\n2. How\n   long?\n\n## Next\n- no")
        ['Why?', 'How long?']
    """
    items: list[str] = []
    for line in _section(narrative, "Questions").splitlines():
        start = re.match(r"^\s*(?:\d+[.)]|[-*])\s+(.*)$", line)
        if start:
            items.append(start.group(1).strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    return items


def treaty_terms(engine: Any) -> list[str]:
    """The treaty's terms in words, one sentence each (as the game starts)."""
    p, treaty = engine.params, engine.treaty
    members = int(engine.member.sum())
    lines = [
        f"{members} of {engine.n_nations} nations are members; the treaty is "
        f"{'in force' if treaty.in_force else 'not in force'} and the pause is "
        f"{'active' if treaty.pause_active else 'not active'}.",
        "Membership is "
        + (
            "negotiated: at each negotiation round every nation chooses to join or stay out."
            if p["membership"] == "negotiated"
            else "fixed for the whole game."
        ),
        f"Inspections: an inspected violation is detected with probability "
        f"{_pct(engine.costs.p_effective)}"
        + (
            f"; a complier is wrongly flagged with probability {_pct(engine.costs.p_false_alarm)}"
            if float(engine.costs.p_false_alarm) > 0
            else "; there are no false alarms"
        )
        + (
            f"; {int(p['inspection_quota'])} actors are inspected each month."
            if int(p["inspection_quota"]) > 0
            else "; every actor is inspected every month."
        ),
        f"Sanctions: a flag costs the flagged actor {float(p['penalty']):g} times its "
        f"capability, decided by {p['adjudication'].replace('_', ' ')} "
        f"({get_adjudication(str(p['adjudication'])).gloss}).",
    ]
    lag = int(p["verification_lag"])
    if lag:
        lines.append(f"A sanction is paid {lag} month{'s' if lag > 1 else ''} after the month.")
    if engine.pledges is not None:
        lines.append(
            f"Each month nations pledge comply or defect; pledges are {p['pledge_binding']}."
        )
    hazard = float(p["hazard_scale"])
    if hazard > 0:
        worst = 1.0 - math.exp(-hazard)
        lines.append(
            "Each month a catastrophe may end the game for every nation: its chance grows with "
            f"the share of the world's capability that defects, up to {_pct(worst)} a month "
            "when all of it defects."
        )
    return lines


class Briefing(RoomState):
    """The students' briefings and the teacher's scenario notes."""

    _briefings: dict[int, dict[str, Any]]

    def _build_briefings(self) -> None:
        """Build every open nation's briefing from the engine as it starts (the constructor's)."""
        self._briefings = {k: self._briefing_of(k) for k in self.open_nations}

    def _briefing_of(self, nation: int) -> dict[str, Any]:
        eng = self.engine
        view = NationView(eng, nation, self.periods, self.nation_names, reveal=False)
        labs = [int(x) for x in np.flatnonzero((eng.home == nation) & eng.is_lab)]
        cap = np.asarray(eng.world.capability, dtype=float)
        total = float(cap.sum()) or 1.0  # the world's capability at the start (public)
        unit = view.unit
        lam = float(eng.params["race_pressure"])
        fc = float(eng.costs.fc[nation])
        catch = float(np.broadcast_to(eng.costs.pi_international, eng.c.shape)[nation])
        veto_powers = [self.nation_names[int(k)] for k in eng.veto_powers]
        info = str(eng.params["information"])
        learns = view.learns
        seen = sum(1 for h in range(eng.n_nations) if h != nation and learns[h])
        return {
            "nation": self.nation_names[nation],
            "capability": _pct(cap[nation] / total),
            "labs": [
                {"name": str(eng.world.names[k]), "capability": _pct(cap[k] / total)} for k in labs
            ],
            "allies": view.allies,
            "member": view.is_member,
            "veto": view.is_veto_power,
            "veto_powers": veto_powers,
            "votes": view.has_vote,
            "gain_points": view.points(unit),
            "gain_max_points": view.points(unit * (1.0 + lam)),
            "sanction_points": view.points(fc),
            "catch_chance": _pct(catch),
            "terms": self._draft_note() + treaty_terms(eng),
            "information": info,
            "sees": INFORMATION_SENTENCES.get(info, INFORMATION_SENTENCES["detected"])
            + ("" if info == "perfect" else f" You learn of flags against {seen} other nations."),
            "labs_sentence": LABS_SENTENCE,
        }

    def _draft_note(self) -> list[str]:
        """Before a negotiation's outcome: the terms below are the draft, not yet agreed."""
        if getattr(self, "negotiation_rounds", 0) and not getattr(self, "concluded", True):
            return [
                "These are the draft's terms: the class negotiates them before month 1, and "
                "the terms it adopts replace them (no agreement: nobody is bound)."
            ]
        return []

    def briefing(self, token: Any) -> dict[str, Any]:
        """The seat's nation's briefing (built as the game started; see the module).

        Raises:
            NotAllowed: A token that is not a seat of this room.
        """
        with self._lock:
            seat = self._seat(token)
            return dict(self._briefings[seat.nation])

    def briefing_lines(self, token: Any) -> list[str]:
        """The briefing as short sentences for the card, in the order it is read."""
        b = self.briefing(token)
        labs = b["labs"]
        lines = [
            f"You are {b['nation']}: your government's programme holds {b['capability']} of "
            "the world's AI capability"
            + (
                f" and {len(labs)} lab{'s' if len(labs) > 1 else ''} ("
                + ", ".join(f"{lab['name']}: {lab['capability']}" for lab in labs)
                + ")."
                if labs
                else " and no labs of your own."
            ),
            "Your allies: " + (", ".join(b["allies"]) + "." if b["allies"] else "none."),
            (
                "You hold a veto: you can block any sanction against yourself and your labs."
                if b["veto"]
                else (
                    "You do not hold a veto"
                    + (
                        f" (the veto powers: {', '.join(b['veto_powers'])})."
                        if b["veto_powers"]
                        else "."
                    )
                )
            ),
            "You vote on sanctions against flagged nations."
            if b["votes"]
            else "You do not vote on sanctions.",
            f"Defecting gains you {b['gain_points'].lstrip('+')} points a month (up to "
            f"{b['gain_max_points'].lstrip('+')} when all your rivals defect too).",
            f"A sanction costs you {b['sanction_points'].lstrip('+')} points; a defection of "
            f"yours is caught and sanctioned with probability {b['catch_chance']}.",
            b["labs_sentence"],
        ]
        return lines

    def teacher_briefing(self, teacher_token: Any) -> dict[str, Any]:
        """The scenario's title, summary, claim and discussion questions (for the teacher).

        Raises:
            NotAllowed: Not the room's teacher token.
        """
        with self._lock:
            self._teacher(teacher_token)
            sc = self.scenario
            if sc is None:
                return {
                    "title": "The plain parameters",
                    "summary": "No scenario: the model's default parameters"
                    + (f" with {self.overrides}" if self.overrides else "")
                    + ".",
                    "teaches": "",
                    "questions": [],
                }
            narrative = self._narrative()
            claim = sc.meta.get("claim")
            return {
                "title": str(sc.meta.get("title", sc.name)),
                "summary": str(sc.meta.get("summary", "")) or _section(narrative, "The setting"),
                "teaches": str(claim.get("text", "")) if isinstance(claim, Mapping) else "",
                "questions": questions_of(narrative),
            }

    def _narrative(self) -> str:
        from experiments.scenarios import load_scenario

        assert self.scenario_name is not None
        return load_scenario(self.scenario_name)[1] or ""
