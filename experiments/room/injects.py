"""The teacher's injects: events the teacher puts into a running game, shown to every student.

Four kinds (:data:`INJECT_KINDS`), each against one nation the teacher chooses:

- ``whistleblower``: a whistleblower's report reveals the nation's true action of the last month
  (its government's programme: comply or defect) to every student. Information only: the engine
  and the model's nations do not read it.
- ``detection``: in the month being decided the inspectors check the nation for certain; if it
  is bound by the pause and defects, it is caught and sanctioned as any caught defector is.
- ``capability``: the nation's own capability is multiplied by a factor (default 2; from 0.1 to
  10) from the month being decided on.
- ``regime``: the nation's leadership becomes pause-sceptic from the month being decided on:
  wherever the model decides for the nation (an empty seat, a student away or silent at the
  deadline), it weighs the gain of defecting twice. Payoffs are unchanged.

The last three reach the engine as the month's :class:`model.shocks.Shock` (``model/ODD.md``
section 3.11), applied as the month resolves; a room without injects steps exactly as before.
Each inject is an ``inject`` record in the log when the teacher makes it (``inject``: its kind;
``nation``: the nation's id; the ``factor`` of a jump, the action a whistleblower ``revealed``
and the news ``text``) and a news item every student sees at once; the ``held`` record of the
month it takes effect carries the month's ``shock``, so :func:`experiments.room.replay`
re-runs the room exactly (and the debrief's counterfactuals see the same world).

Example:
    >>> from experiments.room import Room
    >>> room = Room("default", seed=3, periods=3, deadline_seconds=None)
    >>> seat = room.join("Ada")
    >>> room.teacher_start(room.teacher_token)
    >>> item = room.inject(room.teacher_token, "detection", "Borealis")
    >>> item["text"]
    'Inspectors will check Borealis for certain in month 1: if it defects, it is caught.'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.room.names import RoomError
from experiments.room.state import FINISHED, RoomState
from model.shocks import MAX_CAPABILITY_FACTOR, Shock

#: The injects a teacher can make, in the order the panel offers them.
INJECT_KINDS = ("whistleblower", "detection", "capability", "regime")

#: Each kind's name on the teacher's panel.
INJECT_TITLES = {
    "whistleblower": "A whistleblower's report",
    "detection": "A detection",
    "capability": "A capability jump",
    "regime": "A change of regime",
}

#: The capability jump's factor unless the teacher gives one.
DEFAULT_CAPABILITY_FACTOR = 2.0


class Injects(RoomState):
    """The teacher's injects and the news every student sees (under the room's lock)."""

    _detect: set[int]
    _capability: dict[int, float]
    _sceptic: set[int]

    def _init_injects(self) -> None:
        """No news and no shock pending (the constructor's)."""
        self.news = []
        self._detect, self._capability, self._sceptic = set(), {}, set()

    def inject(
        self, teacher_token: Any, kind: str, nation: str, factor: float | None = None
    ) -> dict[str, Any]:
        """Make an inject against ``nation`` (see the module); returns its news item.

        Args:
            teacher_token: The room's teacher token.
            kind: One of :data:`INJECT_KINDS`.
            nation: The nation's name.
            factor: The capability jump's factor (``capability`` only; default 2).

        Raises:
            NotAllowed: Not the teacher's token.
            RoomError: An unknown kind or nation, a factor out of range or given to another
                kind, a whistleblower before month 1 has been played, a nation already
                pause-sceptic, or a room that is over or closed.
        """
        with self._lock:
            self._teacher(teacher_token)
            self._open()
            if self.status == FINISHED:
                raise RoomError("the game is over: no more injects")
            if kind not in INJECT_KINDS:
                raise RoomError(f"unknown inject {kind!r}; the injects: {', '.join(INJECT_KINDS)}")
            k = self._nations([nation])[0]
            if factor is not None and kind != "capability":
                raise RoomError(f"a factor is for a capability jump only, not for {kind!r}")
            month = self.month
            fields: dict[str, Any] = {}
            if kind == "whistleblower":
                if self.engine.t < 1:
                    raise RoomError("a whistleblower reports a month played: wait for month 1")
                defected = bool(self.engine.defect[k])
                fields["revealed"] = defected
                text = (
                    f"A whistleblower reports: in month {self.engine.t}, {nation}'s government "
                    f"{'defected' if defected else 'complied'}."
                )
            elif kind == "detection":
                self._detect.add(k)
                text = (
                    f"Inspectors will check {nation} for certain in month {month}: "
                    "if it defects, it is caught."
                )
            elif kind == "capability":
                f = DEFAULT_CAPABILITY_FACTOR if factor is None else factor
                low = 1.0 / MAX_CAPABILITY_FACTOR
                if (
                    isinstance(f, bool)
                    or not isinstance(f, (int, float, np.number))
                    or not low <= float(f) <= MAX_CAPABILITY_FACTOR
                ):
                    raise RoomError(
                        f"capability factor {f!r} must be a number from {low:g} to "
                        f"{MAX_CAPABILITY_FACTOR:g}"
                    )
                fields["factor"] = float(f)
                self._capability[k] = self._capability.get(k, 1.0) * float(f)
                text = f"{nation}'s AI capability is multiplied by {float(f):g} from month {month}."
            else:
                already = self.engine.sceptic is not None and bool(self.engine.sceptic[k])
                if already or k in self._sceptic:
                    raise RoomError(f"{nation}'s leadership is already pause-sceptic")
                self._sceptic.add(k)
                text = (
                    f"Change of regime in {nation}: its new leadership is sceptical of the pause "
                    f"from month {month} (when the model plays {nation}, it counts what "
                    "defecting gains twice)."
                )
            item = {"month": month, "kind": kind, "nation": nation, "text": text, **fields}
            self.log.append("inject", month, inject=kind, nation=k, text=text, **fields)
            self.news.append(item)
            self._touch()
            return dict(item)

    def news_items(self, token: Any) -> list[dict[str, Any]]:
        """The news every student sees (the injects' texts, in order), for a seat or the teacher.

        Raises:
            NotAllowed: Neither a seat of this room nor its teacher.
        """
        with self._lock:
            if token != self.teacher_token:
                self._seat(token)
            return [{"month": n["month"], "kind": n["kind"], "text": n["text"]} for n in self.news]

    def _take_shock(self) -> Shock | None:
        """The month's shock from the injects pending (None: none); clears them."""
        shock = Shock(
            detect=frozenset(self._detect),
            capability=dict(self._capability),
            sceptic=frozenset(self._sceptic),
        )
        self._detect, self._capability, self._sceptic = set(), {}, set()
        return shock if shock else None
