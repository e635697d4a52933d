"""A class plays one game: every student holds one nation, the teacher runs the months.

A :class:`Room` is a server-side object (no widgets, no Solara) holding one game on the engine
and the people in it: the teacher (a teacher token) and the students (one seat token each, one
nation each). Nations without a student, and seated nations whose student has not decided by
the time the month resolves, are played by the model's decision rule. Every public method takes
the room's own lock, so the pages of many browsers (or many server threads) can call it at once.

A month, from the students' side: each present student decides comply or defect (and, where
the scenario has them, how the nation votes on sanctions and, at a negotiation round, whether
it is a member) for the month the room is on (:meth:`Room.decide`), and may send fixed
negotiation messages (:data:`MESSAGES`, :meth:`Room.pledge`), recorded beside the actions;
in a room whose nations pledge (``pledges = on``, the room's force), a pledge message
(:data:`PLEDGE_MESSAGES`, one a month) is the nation's real pledge for the month. The
month resolves when every present student has decided, when the teacher's deadline passes
(:meth:`Room.tick`), or when the teacher presses next (:meth:`Room.teacher_next`). It resolves as
``engine.step(held=Held(...))`` with the decided seats' choices (``model.held``): held choices
never change which numbers are drawn, so a room in which nobody acts is, series for series, the
unplayed engine run with the same seed, and the room's log replays exactly (:func:`replay`).

**Delegations** (:mod:`~experiments.room.delegations`; the room's ``delegation`` setting,
default ``off``: one student per nation, the room above exactly): up to ``delegation_size``
students share a nation; each member decides on the card, and the nation's choice is the
spokesperson's (``spokesperson``: rotating each month, in join order, among the present
members) or a majority of the members who decided (``majority``: a tie, or no decision from
a majority by the deadline, is settled by the spokesperson), by one pure function,
:func:`~experiments.room.delegations.settle`. A delegation with no choice at the deadline is
played by the model (``silent = model``) or abstains on the month's votes (``silent =
abstain``; its action is still the model's). The nation's choice is held exactly as a seat's,
and a student sees only their own delegation's choices.

The log is the engine's hash-chained event log (``model.ledger``) with the room's own records
interleaved: ``room`` (scenario, seed, months, overrides), ``seat`` / ``leave`` / ``rejoin``,
``takeover`` (another browser took a seat over, and when), ``pledge``, and before each month's
engine records a ``held`` record (the held actions, votes and membership, which seats the
model played and, with pledges on, the held pledges; with the teacher's injects, the month's
``shock``); in a room with delegations, the ``room`` record's ``delegation`` (rule, size,
silent) and before each ``held`` record a ``delegation`` record (per nation: the rule, the
spokesperson, each counted member's choice, how the nation's action was settled; not replayed:
the ``held`` record carries the choices); ``inject`` (a teacher's inject: its kind as
``inject``, the nation's id, the news text, a jump's ``factor`` or the action a whistleblower
``revealed``), ``free_text`` (free-text messages turned ``on`` or off, and the teacher's
blocked ``words``), ``message`` (a free-text message: ``id``, nation, text) and ``hide`` (the
teacher hid message ``id`` from the students; the message stays in the log).
A room that negotiates its treaty (``negotiation_rounds > 0``, :mod:`~experiments.room.negotiation`:
the phase ``negotiating`` before month 1) adds ``round`` (a round opens: its proposer, student or
model), ``consequence`` (terms valued: the share of simulated worlds where the pause held, each
nation's expected payoff with and without the treaty), ``offer`` (the terms put to the vote),
``ballot`` (a student's vote), ``tally`` (every nation's vote, which the model cast, passed or not)
and ``adopted`` (the terms the engine plays from month 1, or null: no treaty, nobody bound; the
briefings are then written again for the adopted treaty), and its ``room`` record a ``negotiation``
field (rounds, rule, yes votes needed). ``pausegame verify-ledger`` checks a downloaded room log
like any run's; :func:`replay` re-runs the engine from it. A room with the quiz (``quiz=True``;
:mod:`~experiments.room.quiz`) adds ``quiz`` (the items, written when the room is made),
``quiz_answers`` (one student's answers before month 1 or after the last month: nation, name, phase,
the chosen indices, how many right) and ``quiz_closed`` (the after-quiz closed: why, the pairs, the
mean gain); its log closes after ``quiz_closed``, not at the last month. None of them changes the
engine: :func:`replay` passes over them.

Between months a student sees what the nation saw (:meth:`Room.student_view`): its own month
(flags against it, sanctions, payoff), the flags against others and what the votes made of
them, and the world's compliance as verification reveals it; the others' true actions only
under ``information = perfect``. Under any other setting nothing a student sees during the game
depends on the others' true actions beyond their flags: a flag does not say whether it caught a
defector or was a false alarm, and payoffs (expected and realised) leave out the shared risk
the others' programmes put on the nation; once the game is over the student's view and the
debrief show the truth. The teacher sees everything (:meth:`Room.teacher_view`).

Before month 1 each student reads the nation's briefing (:meth:`Room.briefing`: capability,
labs, allies, veto, gain and sanction in points, the treaty's terms, what the nation will see;
only what the nation may know), the teacher the scenario's summary and questions
(:meth:`Room.teacher_briefing`). During play the teacher can inject a whistleblower's report, a
detection, a capability jump or a change of regime (:meth:`Room.inject`; news on every card,
the engine's :class:`model.shocks.Shock`), and can allow free-text messages (off by default;
:meth:`Room.say`, filtered by a block list the teacher extends, each hideable by the teacher).
:meth:`Room.debrief` compares each student with a best-responding nation on the same stream
(the other students' choices kept, as :mod:`experiments.play` does for one player), sets the
pledges beside the actions, and replays the same world with the model in every seat; it gives a
CSV for grading (:meth:`Room.grades_csv`, with the quiz's shares and answers when the room has
one) and the log (:meth:`Room.ledger_bytes`). :meth:`Room.debrief_charts` adds the world's
compliance by month with the mean-field theory's line, the treaty in force against the terms
the model's nations would have agreed (an engine of its own, same world and seed) and against
the theory's stable set, each accusation against what the accused did, and the benchmark in
one line; a student keeps their own debrief as one HTML file
(:func:`~experiments.room.keepsake.keepsake_html`). With the quiz the debrief says the class's
mean gain with a bootstrap 95% interval seeded from the room's seed, from 8 pairs on
(:meth:`Room.quiz_gain`).

:class:`RoomRegistry` holds the rooms of one server, ends idle ones and runs their deadlines;
it slows down, then locks out, a caller's wrong room codes (:mod:`~experiments.room.throttle`;
a seat's token is never refused).

The package's modules, by job: :mod:`~experiments.room.names` (display names, room codes,
the refusals), :mod:`~experiments.room.seats` (seats, decisions, messages),
:mod:`~experiments.room.holders` (which browser plays a seat: one at a time, a takeover after
one confirmation, logged),
:mod:`~experiments.room.watch` (a page's subscription), :mod:`~experiments.room.state` (the
state every part shares), :mod:`~experiments.room.students` (the students' requests),
:mod:`~experiments.room.clock` (the teacher's controls and the deadline),
:mod:`~experiments.room.month` (month resolution: one ``engine.step(held=...)``),
:mod:`~experiments.room.negotiation` (the negotiation phase; its views
:mod:`~experiments.room.negotiation_views`, its rounds :mod:`~experiments.room.talks`, the
proposals' consequences :mod:`~experiments.room.consequence`),
:mod:`~experiments.room.delegations` (students sharing a nation, the rule that settles it),
:mod:`~experiments.room.views` (the student's and the teacher's views),
:mod:`~experiments.room.debrief`, :mod:`~experiments.room.debrief_charts` (the debrief's
charts), :mod:`~experiments.room.keepsake` (a student's download),
:mod:`~experiments.room.quiz` and :mod:`~experiments.room.quiz_items` (the quiz, its items
and the class's gain), :mod:`~experiments.room.grades` (the CSV and the log),
:mod:`~experiments.room.briefing` (the briefings), :mod:`~experiments.room.injects` (the
teacher's injects and the news), :mod:`~experiments.room.freetext` (free-text messages),
:mod:`~experiments.room.replay`, :mod:`~experiments.room.registry` and
:mod:`~experiments.room.room` (:class:`Room` itself). A nation's readings (advice, status,
flags, votes) are Play's :class:`experiments.play.NationView`.

Example:
    >>> room = Room("default", seed=3, periods=2, deadline_seconds=None)
    >>> seat = room.join("Ada")
    >>> room.teacher_start(room.teacher_token)
    >>> room.decide(seat, 1, "comply")
    >>> room.month, room.student_view(seat)["last"]["defected"]
    (2, False)
"""

from experiments.play import DEFAULT_PERIODS, DEFAULT_SCENARIO, MAX_PERIODS
from experiments.room.holders import (
    CONFIRM_QUESTION,
    HELD,
    NEEDS_CONFIRMATION,
    Holding,
    SeatElsewhere,
)
from experiments.room.names import (
    CODE_ALPHABET,
    CODE_LENGTH,
    NAME_MAX,
    NotAllowed,
    RoomError,
    new_code,
    normalise_code,
    normalise_name,
)
from experiments.room.negotiation import MAX_NEGOTIATION_ROUNDS, NEGOTIATING, VOTE_RULES
from experiments.room.registry import DEFAULT_IDLE_MINUTES, RoomRegistry
from experiments.room.replay import replay
from experiments.room.room import Room, room_engine
from experiments.room.seats import (
    MAX_PLEDGES_PER_MONTH,
    MESSAGES,
    PLEDGE_MESSAGES,
    PLEDGES_ONLY,
    Decision,
    MonthNote,
    Pledge,
    Seat,
)
from experiments.room.state import DEFAULT_DEADLINE, FINISHED, LOBBY, PAUSED, PLAYING
from experiments.room.watch import RoomWatch

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CONFIRM_QUESTION",
    "DEFAULT_DEADLINE",
    "DEFAULT_IDLE_MINUTES",
    "DEFAULT_PERIODS",
    "DEFAULT_SCENARIO",
    "FINISHED",
    "HELD",
    "LOBBY",
    "MAX_NEGOTIATION_ROUNDS",
    "MAX_PERIODS",
    "MAX_PLEDGES_PER_MONTH",
    "MESSAGES",
    "PLEDGES_ONLY",
    "PLEDGE_MESSAGES",
    "NAME_MAX",
    "NEEDS_CONFIRMATION",
    "NEGOTIATING",
    "PAUSED",
    "PLAYING",
    "Decision",
    "Holding",
    "MonthNote",
    "NotAllowed",
    "Pledge",
    "Room",
    "RoomError",
    "RoomRegistry",
    "RoomWatch",
    "Seat",
    "SeatElsewhere",
    "VOTE_RULES",
    "new_code",
    "normalise_code",
    "normalise_name",
    "replay",
    "room_engine",
]
