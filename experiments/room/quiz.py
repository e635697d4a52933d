"""The room's quiz (#33): taken before month 1 and after the last month, paired by seat.

A room with ``quiz=True`` asks every student the items of :mod:`experiments.room.quiz_items`
(one per teaching claim of the scenario, then the teacher's own) twice: **before** month 1 (while
no month has resolved) and **after** the last month (once the game is over). Each submission is
a ``quiz_answers`` record in the room's log (the seat's nation and name, the phase, the chosen
indices, how many were right); the items themselves are the ``quiz`` record written when the
room is made. The log stays open after the last month while the after-quiz is open: it closes
(``quiz_closed``, then ``end``) when every seat has answered it, when the teacher closes the
quiz, or when the room closes. A room without the quiz logs exactly as before.

The class's gain (:meth:`Quizzing.quiz_gain`) pairs each seat's two submissions; its bootstrap
interval is seeded from the room's seed (:func:`~experiments.room.quiz_items.class_gain`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from experiments.room.names import RoomError
from experiments.room.quiz_items import Gain, Item, claim_items, class_gain, teacher_items
from experiments.room.state import RoomState

#: The quiz's two phases.
PRE, POST = "pre", "post"


class Quizzing(RoomState):
    """The quiz's requests and results (each under the room's lock)."""

    quiz_items: tuple[Item, ...]
    quiz_answers: dict[str, dict[str, tuple[int, ...]]]
    quiz_closed: bool

    def _setup_quiz(self, on: bool, teacher_file: str | None) -> None:
        """Make the quiz's items and log them (constructor; nothing when ``on`` is False).

        Raises:
            RoomError: Items given with the quiz off, a bad teacher file, or no items at all.
        """
        self.quiz_answers = {}
        self.quiz_closed = False
        self.quiz_items = ()
        if not on:
            if teacher_file and teacher_file.strip():
                raise RoomError("quiz items were given but the quiz is off: turn the quiz on")
            return
        items = claim_items(self.scenario)
        if teacher_file and teacher_file.strip():
            items += teacher_items(teacher_file)
        if not items:
            raise RoomError(
                f"the quiz has no items: the scenario {self.scenario_name!r} states no teaching "
                "claim; give your own items (a TOML file of [[item]] tables) or pick a scenario "
                "with a claim"
            )
        self.quiz_items = tuple(items)
        self.log.append("quiz", self.engine.t, items=[it.record() for it in items])

    @property
    def quiz_on(self) -> bool:
        """Whether the room has a quiz."""
        return bool(self.quiz_items)

    def quiz_phase(self, token: Any) -> str | None:
        """The quiz the student may answer now (``pre``, ``post``), else None."""
        with self._lock:
            seat = self._seat(token)
            if not self.quiz_on or self.closed:
                return None
            done = self.quiz_answers.get(seat.token, {})
            if not self.finished and self.engine.t == 0 and PRE not in done:
                return PRE
            if self.finished and not self.quiz_closed and POST not in done:
                return POST
            return None

    def answer_quiz(self, token: Any, phase: str, answers: Sequence[Any]) -> None:
        """A student's answers: one choice index per item, in the items' order.

        Raises:
            NotAllowed: Not a seat of this room.
            RoomError: No quiz, the wrong phase (or answered already), or answers that are
                not one choice per item.
        """
        with self._lock:
            seat = self._seat(token)
            if phase not in (PRE, POST):
                raise RoomError(f"quiz phase {phase!r} is not one of {PRE!r}, {POST!r}")
            now = self.quiz_phase(token)
            if now != phase:
                when = "before month 1" if phase == PRE else "after the last month"
                raise RoomError(
                    f"the {phase}-quiz is taken {when}, once"
                    + ("; this room has no quiz" if not self.quiz_on else "")
                )
            picked = self._checked_answers(answers)
            right = sum(a == it.answer for a, it in zip(picked, self.quiz_items, strict=True))
            self.quiz_answers.setdefault(seat.token, {})[phase] = picked
            self.log.append(
                "quiz_answers",
                self.engine.t,
                nation=seat.nation,
                name=seat.name,
                phase=phase,
                answers=list(picked),
                right=right,
            )
            if phase == POST and all(POST in self.quiz_answers.get(t, {}) for t in self.seats):
                self._end_quiz("every student answered")
            self._touch()

    def _checked_answers(self, answers: Sequence[Any]) -> tuple[int, ...]:
        n = len(self.quiz_items)
        if isinstance(answers, (str, bytes)) or len(answers) != n:
            raise RoomError(f"answer every question: {n} answers, one choice for each")
        out = []
        for i, (a, it) in enumerate(zip(answers, self.quiz_items, strict=True)):
            if isinstance(a, str) and a in it.choices:
                a = it.choices.index(a)
            if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < len(it.choices):
                raise RoomError(
                    f"question {i + 1}: {a!r} is not one of its choices "
                    f"({', '.join(map(repr, it.choices))})"
                )
            out.append(int(a))
        return tuple(out)

    def close_quiz(self, teacher_token: Any) -> None:
        """The teacher ends the after-quiz (the log then closes)."""
        with self._lock:
            self._teacher(teacher_token)
            if not self.finished:
                raise RoomError("the after-quiz opens when the game is over")
            self._end_quiz("closed by the teacher")
            self._touch()

    def _end_quiz(self, why: str) -> None:
        """Close the after-quiz and the log (a room without a quiz: nothing)."""
        if not self.quiz_on or self.quiz_closed or not self.finished:
            return
        self.quiz_closed = True
        gain = self.quiz_gain()
        self.log.append(
            "quiz_closed", self.engine.t, why=why, pairs=gain.pairs, mean_gain=gain.mean
        )
        self.engine.close_log()

    def _quiz_keeps_log_open(self) -> bool:
        """True while the after-quiz still needs the log (the game's end leaves it open)."""
        return self.quiz_on and not self.quiz_closed

    def quiz_share(self, token: str, phase: str) -> float | None:
        """A seat's share right in ``phase`` (None: not answered)."""
        with self._lock:
            picked = self.quiz_answers.get(token, {}).get(phase)
            if picked is None:
                return None
            right = sum(a == it.answer for a, it in zip(picked, self.quiz_items, strict=True))
            return right / len(self.quiz_items)

    def quiz_gain(self) -> Gain:
        """The class's gain over the seats that answered both quizzes (in seat order)."""
        with self._lock:
            gains = []
            for token in self.seats:
                pre, post = self.quiz_share(token, PRE), self.quiz_share(token, POST)
                if pre is not None and post is not None:
                    gains.append(post - pre)
            seed = self.seed
        return class_gain(gains, seed)

    def quiz_progress(self) -> tuple[int, int, int]:
        """Seats, seats that answered before, seats that answered after."""
        with self._lock:
            done = [self.quiz_answers.get(t, {}) for t in self.seats]
            return len(done), sum(PRE in d for d in done), sum(POST in d for d in done)

    def quiz_columns(self) -> list[str]:
        """The grades CSV's quiz columns (none without a quiz)."""
        return list(QUIZ_COLUMNS) if self.quiz_on else []

    def quiz_cells(self, seat_index: int) -> list[Any]:
        """The grades CSV's quiz cells of the ``seat_index``-th seat (empty without a quiz)."""
        if not self.quiz_on:
            return []
        with self._lock:
            token = list(self.seats)[seat_index]
            done = self.quiz_answers.get(token, {})
            pre, post = self.quiz_share(token, PRE), self.quiz_share(token, POST)
            letters = {
                ph: " ".join(chr(ord("A") + a) for a in done[ph]) if ph in done else ""
                for ph in (PRE, POST)
            }
            gain = "" if pre is None or post is None else round(100 * (post - pre))
            return [
                "" if pre is None else round(100 * pre),
                "" if post is None else round(100 * post),
                gain,
                letters[PRE],
                letters[POST],
            ]


#: The grades CSV's quiz columns (a room with a quiz).
QUIZ_COLUMNS = ["quiz_pre", "quiz_post", "quiz_gain", "quiz_pre_answers", "quiz_post_answers"]
