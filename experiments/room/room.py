"""The room (:class:`Room`): one shared game, its state set up, its parts by job as its bases.

Each base is one job over the shared :class:`~experiments.room.state.RoomState`:
:class:`~experiments.room.students.Students` (join, decide, pledge),
:class:`~experiments.room.holders.Holders` (which browser plays a seat; takeovers),
:class:`~experiments.room.clock.Clock` (the teacher's controls, the deadline),
:class:`~experiments.room.month.MonthResolution` (a month becomes one engine step),
:class:`~experiments.room.views.Views` (what students and the teacher see),
:class:`~experiments.room.debrief.Debriefing` and :class:`~experiments.room.grades.Grades`.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import numpy as np

from experiments.limits import LimitError
from experiments.play import DEFAULT_PERIODS, DEFAULT_SCENARIO, MAX_PERIODS, build_engine
from experiments.play.counterfactual import check_game_size
from experiments.room.briefing import Briefing
from experiments.room.classview import ClassViews
from experiments.room.clock import Clock
from experiments.room.debrief import Debriefing
from experiments.room.debrief_charts import DebriefCharts
from experiments.room.delegations import OFF
from experiments.room.freetext import FreeText
from experiments.room.grades import Grades
from experiments.room.holders import Holders, local_now
from experiments.room.injects import Injects
from experiments.room.month import MonthResolution
from experiments.room.names import RoomError, new_code
from experiments.room.negotiation import Negotiation
from experiments.room.quiz import Quizzing
from experiments.room.seats import Decision, Pledge, Seat
from experiments.room.state import DEFAULT_DEADLINE, LOBBY
from experiments.room.students import Students
from experiments.room.views import Views
from experiments.room.watch import RoomWatch
from experiments.scenarios import list_scenarios, load_scenario
from model.seeds import new_short_seed


class Room(
    Negotiation,
    Students,
    Holders,
    Clock,
    MonthResolution,
    Views,
    ClassViews,
    Debriefing,
    DebriefCharts,
    Grades,
    Quizzing,
    Briefing,
    Injects,
    FreeText,
):
    """One shared game: a scenario on the engine, a teacher, students in seats.

    Args:
        scenario: A shipped scenario's name (a room's log replays from it), or None for the
            plain parameters (``overrides``, e.g. ``{"n_nations": 40}`` for a class of 40).
        seed: The game's seed (default: a fresh one, recorded).
        periods: Months the game lasts (1 to ``MAX_PERIODS``).
        overrides: Parameter values over the scenario's (recorded in the log).
        deadline_seconds: Seconds each month stays open for decisions (None: only the teacher
            or the last decision moves the game on).
        open_nations: The nations students may sit in (names; default all); the others are
            always the model's.
        block_list: Words a display name may not contain (compared in lower case, letters and
            digits only).
        free_text: Students may send free-text messages (off by default; the teacher can
            turn them on and off during the game; :mod:`~experiments.room.freetext`).
        message_words: The teacher's own words a message may not contain, beside the
            shipped block list.
        code: The room code (default: a fresh one from :data:`CODE_ALPHABET`).
        clock: Seconds, monotonic (tests pass their own).
        wall_clock: The time of day with its zone, for the log's takeover records (tests pass
            their own).
        negotiation_rounds: Rounds in which the class negotiates the treaty's terms before
            month 1 (0: no negotiation; :mod:`~experiments.room.negotiation`).
        vote_rule: How a proposal passes: ``rotating_unanimity`` (every nation's yes) or
            ``baron_ferejohn`` (``quota`` yes votes).
        quota: Yes votes a proposal needs under ``baron_ferejohn`` (None: a simple majority).
        quiz: Ask the quiz before month 1 and after the last month
            (:mod:`~experiments.room.quiz`; default off: no quiz, the log as without it).
        quiz_items: The teacher's own quiz items, the TOML text of ``[[item]]`` tables
            (:func:`~experiments.room.quiz_items.teacher_items`; only with ``quiz``).
        delegation: How students sharing a nation decide: ``off`` (one student per nation),
            ``spokesperson`` or ``majority`` (:mod:`~experiments.room.delegations`).
        delegation_size: The most students per nation (default: 1 off, 5 with delegations).
        silent: A delegation with no choice at the deadline: ``model`` (the model plays it)
            or ``abstain`` (it abstains on the month's votes; the model plays its action).

    Raises:
        RoomError: An unknown scenario or nation, months out of range, a bad deadline, a
            game too large for this machine's memory (the size guard of ``pausegame run``),
            bad delegation settings, a bad quiz file or a quiz without items.
    """

    def __init__(
        self,
        scenario: str | None = DEFAULT_SCENARIO,
        seed: int | None = None,
        periods: int = DEFAULT_PERIODS,
        overrides: Mapping[str, Any] | None = None,
        *,
        deadline_seconds: float | None = DEFAULT_DEADLINE,
        open_nations: Iterable[str] | None = None,
        block_list: Iterable[str] = (),
        code: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = local_now,
        negotiation_rounds: int = 0,
        vote_rule: str = "rotating_unanimity",
        quota: int | None = None,
        quiz: bool = False,
        quiz_items: str | None = None,
        delegation: str = OFF,
        delegation_size: int | None = None,
        silent: str = "model",
        free_text: bool = False,
        message_words: Iterable[str] = (),
    ) -> None:
        names = list_scenarios()
        if scenario is not None and scenario not in names:
            raise RoomError(f"unknown scenario {scenario!r}; the scenarios: {', '.join(names)}")
        if (
            isinstance(periods, bool)
            or not isinstance(periods, (int, np.integer))
            or not 1 <= int(periods) <= MAX_PERIODS
        ):
            raise RoomError(
                f"periods {periods!r} must be a whole number of months from 1 to {MAX_PERIODS}"
            )
        if seed is not None and (
            isinstance(seed, bool)
            or not isinstance(seed, (int, np.integer))
            or not 0 <= int(seed) <= 2**63 - 1
        ):
            raise RoomError(f"seed {seed!r} must be a whole number from 0 to 2**63 - 1")
        self._lock = threading.RLock()
        self._change = threading.Condition(self._lock)
        self.version = 0
        self._watches: set[RoomWatch] = set()
        self._clock = clock
        self.wall_clock = wall_clock
        self.code = code or new_code()
        self.teacher_token = secrets.token_urlsafe(16)
        self.scenario_name = scenario
        self.scenario = load_scenario(scenario)[0] if scenario is not None else None
        self.seed = int(seed) if seed is not None else new_short_seed()
        self.periods = int(periods)
        self.overrides = dict(overrides or {})
        try:
            check_game_size(
                self.scenario, self.periods, self.overrides, event_log=True, what="the room"
            )
            self.engine = build_engine(
                self.scenario, self.seed, self.periods, self.overrides, event_log=True
            )
        except LimitError as exc:
            raise RoomError(f"the room is too large for this server: {exc}") from None
        except ValueError as exc:
            raise RoomError(f"the room's parameters are not valid: {exc}") from exc
        eng = self.engine
        self.nation_names = [str(x) for x in eng.world.names[: eng.n_nations]]
        self.open_nations = (
            self._nations(open_nations) if open_nations is not None else list(range(eng.n_nations))
        )
        self.block_list: list[str] = []
        self.set_block_list(self.teacher_token, block_list)
        self.deadline_seconds: float | None = None
        self.set_deadline(self.teacher_token, deadline_seconds)
        self.status = LOBBY
        self.seats: dict[str, Seat] = {}
        self._pending: dict[int, Decision] = {}
        self.pledges: list[Pledge] = []
        self.counts = {"flags": 0, "sanctions": 0, "vetoes": 0}  # the class view's, so far
        self._deadline_at: float | None = None
        self._remaining: float | None = None
        self.last_activity = clock()
        self.ended_because = ""
        self.closed = False
        self._debrief: dict[str, Any] | None = None
        self._debrief_lock = threading.Lock()  # one computation of the debrief
        self._init_injects()  # no news, no shock pending (experiments.room.injects)
        negotiation = self._setup_negotiation(negotiation_rounds, vote_rule, quota)
        self._setup_delegations(delegation, delegation_size, silent)
        self.log.append(
            "room",
            0,
            scenario=scenario,
            seed=self.seed,
            periods=self.periods,
            overrides=self.overrides,
            code=self.code,
            nations=self.nation_names,
            **negotiation,
            **self._delegation_record(),
        )
        self._init_free_text(free_text, message_words)  # logged only when on or with words
        self._build_briefings()  # from the engine as it starts (experiments.room.briefing)
        self._setup_quiz(quiz, quiz_items)

    def is_seat(self, token: Any) -> bool:
        """True when ``token`` is one of this room's seat tokens."""
        with self._lock:
            try:
                self._seat(token)
            except RoomError:
                return False
            return True


#: A game's engine with its event log chosen: the one builder Play uses
#: (:func:`experiments.play.build_engine`).
room_engine = build_engine
