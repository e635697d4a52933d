"""The room's quiz (#33): items keyed to the claims, the teacher's file, answers paired by seat,
the class's gain with a reproducible bootstrap interval from 8 pairs on."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from scipy.stats import bootstrap

from experiments.room import Room, RoomError, replay
from experiments.room.quiz_items import (
    DIRECTIONS,
    MIN_PAIRS,
    TOO_FEW,
    claim_items,
    class_gain,
    quiz_rng,
    teacher_items,
)
from experiments.scenarios import list_scenarios, load_scenario
from experiments.teaching import load_teaching, teaching_names
from model.ledger import verify
from model.params import resolve_run

GAINS = [0.5, 0.0, 1.0, -0.5, 0.5, 0.0, 0.5, 1.0, 0.0, 0.5]

GOOD = """
[[item]]
question = "Who decides whether a lab defects?"
choices = ["The lab itself", "Its nation"]
answer = "The lab itself"
"""


def _room(n_students: int, seed: int = 11, **kw) -> tuple[Room, list[str]]:
    room = Room("trust_but_verify", seed=seed, periods=1, deadline_seconds=None, quiz=True, **kw)
    return room, [room.join(f"S{i}") for i in range(n_students)]


def _play(room: Room, seats: list[str]) -> None:
    room.teacher_start(room.teacher_token)
    for s in seats:
        room.decide(s, 1, "comply")
    assert room.finished


# ------------------------------------------------------------------------------ the gain
def test_the_bootstrap_interval_is_reproducible_from_the_seed():
    a, b = class_gain(GAINS, seed=7), class_gain(GAINS, seed=7)
    assert (a.low, a.high) == (b.low, b.high)
    assert a.low is not None and a.high is not None
    assert a.low < a.mean < a.high
    assert a.mean == pytest.approx(sum(GAINS) / len(GAINS))
    # the documented computation: scipy's percentile bootstrap on the room seed's child stream
    direct = bootstrap(
        (np.asarray(GAINS),), np.mean, n_resamples=9999, method="percentile", rng=quiz_rng(7)
    ).confidence_interval
    assert (a.low, a.high) == (direct.low, direct.high)
    spread = [0.13, -0.4, 0.77, 0.2, 0.05, 0.61, -0.12, 0.33, 0.9, 0.41]
    one, two = class_gain(spread, seed=7), class_gain(spread, seed=8)
    assert (one.low, one.high) != (two.low, two.high)  # the seed is what fixes it


def test_too_few_students_below_eight_pairs():
    assert MIN_PAIRS == 8
    seven, eight = class_gain(GAINS[:7], seed=1), class_gain(GAINS[:8], seed=1)
    assert seven.pairs == 7 and seven.low is None and seven.high is None
    assert TOO_FEW in seven.text()
    assert eight.pairs == 8 and eight.low is not None and eight.high is not None
    assert TOO_FEW not in eight.text() and "bootstrap 95% interval" in eight.text()
    assert class_gain([], seed=1).mean is None


def test_a_rooms_gain_pairs_answers_by_seat_and_its_interval_replays():
    """8 students: each gets the claim's item wrong before; 8 then 7 get it right after."""
    intervals = []
    for _ in range(2):
        room, seats = _room(8)
        [item] = room.quiz_items
        wrong = (item.answer + 1) % len(item.choices)
        for s in seats:
            room.answer_quiz(s, "pre", [wrong])
        _play(room, seats)
        for i, s in enumerate(seats):
            room.answer_quiz(s, "post", [item.answer if i else wrong])
        gain = room.quiz_gain()
        assert gain.pairs == 8 and gain.mean == pytest.approx(7 / 8)
        intervals.append((gain.low, gain.high))
    assert intervals[0] == intervals[1] and intervals[0][0] is not None


def test_seven_pairs_in_a_room_say_too_few():
    room, seats = _room(8)
    for s in seats:
        room.answer_quiz(s, "pre", [0])
    _play(room, seats)
    for s in seats[:7]:  # one student never answers after the game
        room.answer_quiz(s, "post", [0])
    gain = room.quiz_gain()
    assert gain.pairs == 7 and gain.low is None and TOO_FEW in gain.text()


# ------------------------------------------------------------------------------ claims' items
def _expected_key(name: str) -> str:
    """Independently: the change towards the scenario's values makes the outcome more often."""
    case = load_teaching(name)
    own = resolve_run({"seed": 0}, case.scenario, draw_seed=False)
    changes = {k: (own[k], v) for k, v in case.contrast.params.items()}
    if len(changes) == 1:
        [(mine, theirs)] = changes.values()
        if isinstance(mine, (int, float)) and not isinstance(mine, bool):
            return "more often" if mine > theirs else "less often"
    return "less often"  # said from the scenario's values to the contrast's


@pytest.mark.parametrize("name", teaching_names())
def test_each_claims_item_is_keyed_to_its_direction(name):
    [item] = claim_items(load_scenario(name)[0])
    assert item.choices == DIRECTIONS and item.source == "claim"
    assert item.choices[item.answer] == _expected_key(name)
    assert item.choices[item.answer] != "no difference"


def test_claims_items_by_hand():
    def key(name: str) -> tuple[str, str]:
        [item] = claim_items(load_scenario(name)[0])
        return item.question.split(" makes")[0], item.choices[item.answer]

    # a higher p_detect: the pause holds more often (the claim's side is 0.5)
    assert key("trust_but_verify") == ("Raising p_detect from 0.3 to 0.5", "more often")
    # false alarms (the claim's side): the pause collapses more often
    assert key("false_alarms") == ("Raising p_false_alarm from 0 to 0.1", "more often")
    # a denser network (the contrast's side): the cascade's collapse less often
    assert key("defection_cascade") == ("Raising alliance_density from 0.1 to 0.4", "less often")
    # one global inspectorate (the contrast's side): the collapse less often
    assert key("bipolar_blocs") == ("Changing inspectorate from per_bloc to global", "less often")


def test_a_scenario_without_a_claim_has_no_claim_item():
    no_claim = [n for n in list_scenarios() if n not in teaching_names()]
    assert no_claim and claim_items(load_scenario(no_claim[0])[0]) == []
    with pytest.raises(RoomError, match="the quiz has no items"):
        Room(no_claim[0], seed=1, periods=1, quiz=True)
    room = Room(no_claim[0], seed=1, periods=1, quiz=True, quiz_items=GOOD)
    assert [it.source for it in room.quiz_items] == ["teacher"]


# ------------------------------------------------------------------------------ teacher's file
def test_the_teachers_items_follow_the_claims():
    room, _ = _room(0, quiz_items=GOOD)
    assert [it.source for it in room.quiz_items] == ["claim", "teacher"]
    assert room.quiz_items[1].choices[room.quiz_items[1].answer] == "The lab itself"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            GOOD + '[[item]]\nquestion = "Is a flag proof?"\nchoices = ["yes", "no"]\n'
            'answer = "maybe"\n',
            ["item 2 ('Is a flag proof?')", "field 'answer'", "'maybe' is not one of"],
        ),
        (
            '[[item]]\nquestion = "Q"\nchoices = ["a"]\nanswer = "a"\n',
            ["item 1 ('Q')", "field 'choices'", "at least 2"],
        ),
        (
            '[[item]]\nquestion = "Q"\nchoices = ["a", "b"]\nanswer = "a"\nhint = "x"\n',
            ["item 1 ('Q')", "field 'hint'", "the fields: question, choices, answer"],
        ),
        ('[[item]]\nchoices = ["a", "b"]\nanswer = "a"\n', ["item 1", "field 'question'"]),
        ("question = 'Q'\n", ["[[item]]"]),
        ("[[item]\nquestion = 'Q'", ["not valid TOML"]),
    ],
)
def test_a_bad_teacher_file_is_refused_in_one_line(text, says):
    with pytest.raises(RoomError) as info:
        teacher_items(text)
    message = str(info.value)
    assert "\n" not in message
    for part in says:
        assert part in message
    with pytest.raises(RoomError):
        Room("trust_but_verify", seed=1, periods=1, quiz=True, quiz_items=text)


def test_items_without_the_quiz_are_refused():
    with pytest.raises(RoomError, match="the quiz is off"):
        Room("trust_but_verify", seed=1, periods=1, quiz_items=GOOD)


# ------------------------------------------------------------------------------ the room
def test_a_room_without_the_quiz_logs_as_before():
    plain = Room("trust_but_verify", seed=4, periods=1, deadline_seconds=None)
    off = Room("trust_but_verify", seed=4, periods=1, deadline_seconds=None, quiz=False)
    assert [r["type"] for r in off.log.records] == [r["type"] for r in plain.log.records]
    assert not off.quiz_on and "quiz_pre" not in off.quiz_columns()


def test_answers_are_logged_paired_and_in_the_grades_csv():
    room, (ada, bo) = _room(2, quiz_items=GOOD)
    assert room.quiz_phase(ada) == "pre"
    with pytest.raises(RoomError, match="post-quiz is taken after the last month"):
        room.answer_quiz(ada, "post", [0, 0])
    with pytest.raises(RoomError, match="answer every question"):
        room.answer_quiz(ada, "pre", [0])
    with pytest.raises(RoomError, match="question 2"):
        room.answer_quiz(ada, "pre", [0, 5])
    room.answer_quiz(ada, "pre", ["less often", "Its nation"])
    room.answer_quiz(bo, "pre", [0, 0])
    with pytest.raises(RoomError, match="once"):
        room.answer_quiz(ada, "pre", [0, 0])
    _play(room, [ada, bo])
    assert room.quiz_phase(ada) == "post"
    assert room.log.records[-1]["type"] != "end"  # the log waits for the after-quiz
    room.answer_quiz(ada, "post", ["more often", "The lab itself"])
    room.answer_quiz(bo, "post", [1, 0])
    records = room.log.records
    assert [r["type"] for r in records[-2:]] == ["quiz_closed", "end"]
    answers = [r for r in records if r["type"] == "quiz_answers"]
    assert [(r["name"], r["phase"], r["answers"], r["right"]) for r in answers] == [
        ("S0", "pre", [1, 1], 0),
        ("S1", "pre", [0, 0], 2),
        ("S0", "post", [0, 0], 2),
        ("S1", "post", [1, 0], 1),
    ]
    assert verify(records).ok
    replay(room.ledger_bytes(room.teacher_token))  # the quiz's records do not disturb it
    rows = list(csv.DictReader(io.StringIO(room.grades_csv(room.teacher_token))))
    assert [(r["name"], r["quiz_pre"], r["quiz_post"], r["quiz_gain"]) for r in rows] == [
        ("S0", "0", "100", "100"),
        ("S1", "100", "50", "-50"),
    ]
    assert [(r["quiz_pre_answers"], r["quiz_post_answers"]) for r in rows] == [
        ("B B", "A A"),
        ("A A", "B A"),
    ]
    assert room.quiz_gain().mean == pytest.approx(0.25)


def test_the_teacher_closes_the_quiz_and_the_log():
    room, (ada, bo) = _room(2)
    room.answer_quiz(ada, "pre", [0])
    with pytest.raises(RoomError, match="when the game is over"):
        room.close_quiz(room.teacher_token)
    _play(room, [ada, bo])
    room.answer_quiz(ada, "post", [0])
    room.close_quiz(room.teacher_token)
    assert room.log.records[-1]["type"] == "end" and verify(room.log.records).ok
    assert room.quiz_phase(bo) is None
    with pytest.raises(RoomError):
        room.answer_quiz(bo, "post", [0])


def test_closing_the_room_closes_the_quiz_log():
    room, (ada,) = _room(1)
    room.teacher_start(room.teacher_token)
    room.close(room.teacher_token)
    assert [r["type"] for r in room.log.records[-2:]] == ["quiz_closed", "end"]
    assert verify(room.log.records).ok


def test_the_pre_quiz_closes_when_month_one_resolves():
    room, (ada, bo) = _room(2)
    room.answer_quiz(bo, "pre", [0])
    room.teacher_start(room.teacher_token)
    assert room.quiz_phase(ada) == "pre"  # month 1 is still being decided
    room.decide(ada, 1, "comply")
    room.decide(bo, 1, "comply")
    assert room.quiz_phase(ada) == "post"  # one month: the game is over
    with pytest.raises(RoomError, match="pre-quiz is taken before month 1"):
        room.answer_quiz(ada, "pre", [0])
