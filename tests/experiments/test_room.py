"""A class's shared room, headless: seats and tokens, months that resolve on the engine's own
random stream (a room where nobody acts is the unplayed run), the log that replays the room
exactly, what students and the teacher see, the debrief, and every refusal leaving the room
as it was (:mod:`experiments.room`)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from experiments.play import best_response_months, build_engine
from experiments.room import (
    CODE_ALPHABET,
    FINISHED,
    NAME_MAX,
    NotAllowed,
    Room,
    RoomError,
    RoomRegistry,
    normalise_name,
    replay,
)
from model import ledger


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _same_series(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def _unplayed(scenario: str, seed: int, periods: int, months: int | None = None):
    from experiments.scenarios import load_scenario

    eng = build_engine(load_scenario(scenario)[0], seed, periods)
    for _ in range(periods if months is None else months):
        eng.step()
    return eng


def test_a_room_where_nobody_acts_is_the_unplayed_engine_run_series_for_series():
    empty = Room("defection_cascade", seed=11, periods=8, deadline_seconds=None)
    empty.teacher_start(empty.teacher_token)
    # students who join and never decide: the model plays them, the same numbers again
    idle = Room("defection_cascade", seed=11, periods=8, deadline_seconds=None)
    idle.join("Ada")
    idle.join("Bo")
    idle.teacher_start(idle.teacher_token)
    plain = build_engine(empty.scenario, 11, 8)
    for month in range(1, 9):
        assert empty.month == month
        empty.teacher_next(empty.teacher_token)
        idle.teacher_next(idle.teacher_token)
        plain.step()
        assert empty.engine.rng.bit_generator.state == plain.rng.bit_generator.state
        assert idle.engine.rng.bit_generator.state == plain.rng.bit_generator.state
    assert empty.status == idle.status == FINISHED
    _same_series(empty.metrics(), plain.timeseries())
    _same_series(idle.metrics(), plain.timeseries())
    assert all(m.by == "timeout" for s in idle.seats.values() for m in s.months)


def test_held_choices_never_change_the_draws_and_the_log_replays_the_room_exactly():
    room = Room("great_power_veto", seed=3, periods=6, deadline_seconds=None)
    a, b = room.join("Ada", "Aurelia"), room.join("Bo", "Borealis")
    room.teacher_start(room.teacher_token)
    plain = build_engine(room.scenario, 3, 6)
    for month in range(1, 7):
        room.decide(
            a,
            month,
            "defect" if month % 2 else "comply",
            votes={"Borealis": "no", "Caldria": False},
        )
        room.decide(b, month, "comply")  # the last student's decision resolves the month
        plain.step()
        assert room.engine.t == month
        assert room.engine.rng.bit_generator.state == plain.rng.bit_generator.state
    assert [m.report.defected for m in room.seats[a].months] == [True, False] * 3
    assert not any(m.report.defected for m in room.seats[b].months)
    assert any(
        abs(x - y) > 1e-12
        for x, y in zip(
            room.metrics()["weighted_compliance"],
            plain.timeseries()["weighted_compliance"],
            strict=True,
        )
    )
    data = room.ledger_bytes(room.teacher_token)
    _same_series(replay(data), room.metrics())
    records, _ = ledger.parse_lines(data.splitlines())
    check = ledger.verify(records, room.log.head)
    assert check.ok, check.problem
    assert records[-1]["type"] == "end"
    # the engine's own replay (from the state records) agrees too
    expected = room.metrics()
    for key, col in ledger.replay(records).items():
        np.testing.assert_array_equal(col, expected[key][1:], err_msg=key)
    held = [r for r in records if r["type"] == "held"]
    assert len(held) == 6 and held[0]["actions"] == {"0": True, "3": False}
    assert held[0]["votes"]["0"][room.nation_names.index("Borealis")] is False
    # a damaged log is refused, with the ledger's own diagnosis
    lines = data.decode().splitlines()
    k = next(i for i, line in enumerate(lines) if '"type":"held"' in line)
    lines[k] = lines[k].replace('"0":true', '"0":false', 1)
    with pytest.raises(RoomError, match="damaged"):
        replay("\n".join(lines) + "\n")


def test_a_full_room_three_students_one_leaves_and_rejoins_one_times_out():
    clock = Clock()
    room = Room("defection_cascade", seed=5, periods=6, deadline_seconds=30, clock=clock)
    ada = room.join("Ada")
    bo = room.join("  Bo \t ", "Caldria")
    cy = room.join("Cy")
    dee = room.join("Dee")
    assert [room.seats[t].nation for t in (ada, bo, cy, dee)] == [0, 2, 1, 3]
    assert room.seats[bo].name == "Bo"
    room.teacher_start(room.teacher_token)
    # month 1: everyone but Cy decides; the deadline passes; Cy is played by the model
    for token in (ada, bo, dee):
        room.decide(token, 1, "comply")
    assert room.month == 1 and room.teacher_view(room.teacher_token)["waiting"] == ["Borealis"]
    clock.now += 29
    assert not room.tick()
    clock.now += 2
    assert room.tick() and room.month == 2
    cy_view = room.student_view(cy)
    assert cy_view["last"]["by"] == "timeout"
    assert cy_view["last"]["notice"].startswith(
        "You did not decide in time for month 1: the model played your nation"
    )
    assert room.student_view(ada)["last"]["by"] == "student"
    assert room.student_view(ada)["last"]["notice"] == ""
    # month 2: Bo leaves; once the others decide the month resolves without waiting for Bo
    room.leave(bo)
    for token in (ada, cy, dee):
        room.decide(token, 2, "defect" if token == dee else "comply")
    assert room.month == 3
    assert room.seats[bo].months[-1].by == "away"
    assert "You were away in month 2" in room.seats[bo].months[-1].notice
    # Bo reloads the page: the rejoin link brings back the same nation and its months
    view = room.rejoin(bo)
    assert view["nation"] == "Caldria" and len(view["months"]) == 2 and view["present"]
    for month in (3, 4, 5, 6):
        for token in (ada, bo, cy, dee):
            room.decide(token, month, "comply" if token != dee else "defect")
    assert room.finished and room.ended_because == "every month played"
    assert [m.report.defected for m in room.seats[dee].months][1:] == [True] * 5
    _same_series(replay(room.ledger_bytes(room.teacher_token)), room.metrics())
    kinds = [r["type"] for r in room.log.records]
    assert kinds.count("seat") == 4 and kinds.count("leave") == 1 and kinds.count("rejoin") == 1
    d = room.debrief()
    by_name = {s["name"]: s for s in d["students"]}
    assert by_name["Cy"]["timed_out"] == 1 and by_name["Cy"]["decided"] == 5
    assert by_name["Bo"]["away"] == 1 and by_name["Bo"]["decided"] == 5
    assert by_name["Dee"]["defections"] >= 5
    assert [p["action"] for p in d["paths"]["Dunmark"]][1:] == ["D"] * 5
    assert d["paths"]["Borealis"][0]["by"] == "model (seat)"
    assert d["paths"]["Dunmark"][2]["by"] == "student"
    assert {p["by"] for p in d["paths"][room.nation_names[10]]} == {"model"}


def test_isolation_wrong_tokens_other_rooms_and_teacher_only_actions():
    reg = RoomRegistry()
    one = reg.create("default", seed=1, periods=3, deadline_seconds=None)
    two = reg.create("default", seed=1, periods=3, deadline_seconds=None)
    assert one.code != two.code and set(one.code) <= set(CODE_ALPHABET)
    mine = one.join("Ada")
    theirs = two.join("Bo")
    one.teacher_start(one.teacher_token)
    two.teacher_start(two.teacher_token)
    before = one.fingerprint()
    for call in (
        lambda: one.decide(theirs, 1, "comply"),  # another room's seat
        lambda: one.decide("guess", 1, "comply"),
        lambda: one.decide(None, 1, "comply"),
        lambda: one.student_view(theirs),
        lambda: one.decide(one.teacher_token, 1, "comply"),  # the teacher is no seat
        lambda: one.teacher_next(mine),  # a student is no teacher
        lambda: one.teacher_next(two.teacher_token),  # another room's teacher
        lambda: one.teacher_view(mine),
        lambda: one.teacher_end(mine),
        lambda: one.teacher_pause(mine),
        lambda: one.set_deadline(mine, 10),
        lambda: one.set_block_list(mine, ["x"]),
        lambda: one.ledger_bytes(mine),
        lambda: one.close(mine),
        lambda: reg.close(one.code, two.teacher_token),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert one.fingerprint() == before and not one.closed
    # a student acts for their own nation only: the seat token names the nation
    one.decide(mine, 1, "defect")
    held = [r for r in one.log.records if r["type"] == "held"]
    assert held[0]["actions"] == {str(one.seats[mine].nation): True}
    assert one.engine.defect[one.seats[mine].nation]
    # the registry finds rooms by code as typed, and a closed room is gone
    assert reg.get(one.code.lower()[:2] + "-" + one.code.lower()[2:]) is one
    reg.close(one.code, one.teacher_token)
    assert one.closed and one.code not in reg.codes()
    with pytest.raises(RoomError, match="no open room has the code"):
        reg.get(one.code)
    with pytest.raises(RoomError, match="closed"):
        one.decide(mine, 2, "comply")
    assert reg.get(two.code) is two


def test_bad_and_replayed_messages_are_refused_and_leave_the_room_unchanged():
    room = Room("defection_cascade", seed=2, periods=4, deadline_seconds=None)
    a, b = room.join("Ada"), room.join("Bo")
    with pytest.raises(RoomError, match="has not started"):
        room.decide(a, 1, "comply")
    room.teacher_start(room.teacher_token)
    room.decide(a, 1, "comply")
    room.decide(b, 1, "defect")  # month 1 resolves
    room.decide(a, 2, "comply")
    room.pledge(a, "comply_if_you_do")
    before = room.fingerprint()
    cases = [
        (lambda: room.decide(b, 1, "defect"), "month 1 is not the month being decided"),
        (lambda: room.decide(b, 3, "defect"), "month 3 is not the month being decided"),
        (lambda: room.decide(b, "2", "defect"), "must be a whole number"),
        (lambda: room.decide(b, True, "defect"), "must be a whole number"),
        (lambda: room.decide(a, 2, "defect"), "already in"),
        (lambda: room.decide(b, 2, "maybe"), "allowed: 'comply' or 'defect'"),
        (lambda: room.decide(b, 2, 1), "allowed: 'comply' or 'defect'"),
        (lambda: room.decide(b, 2, "defect", votes={"Aurelia": "no"}), "casts no vote"),
        (lambda: room.decide(b, 2, "defect", membership="yes"), "opens no negotiation round"),
        (lambda: room.pledge(b, "shout"), "unknown message 'shout'; allowed: comply_if_you_do"),
        (lambda: room.pledge(b, "propose_p_detect", 1.5), "from 0 to 1"),
        (lambda: room.pledge(b, "propose_p_detect", "lots"), "from 0 to 1"),
        (lambda: room.pledge(b, "accuse", "Borealis"), "name another nation"),
        (lambda: room.pledge(b, "accuse", "Atlantis"), "name another nation"),
        (lambda: room.pledge(b, "comply_if_you_do", "x"), "takes no value"),
        (lambda: room.pledge(a, "comply_if_you_do"), "already sent"),
        (lambda: room.teacher_start(room.teacher_token), "already started"),
        (lambda: room.teacher_resume(room.teacher_token), "not paused"),
        (lambda: room.teacher_extend(room.teacher_token, -5), "seconds from 1 to 3600"),
        (lambda: room.set_deadline(room.teacher_token, 2), "seconds from 5 to 3600"),
        (lambda: room.set_deadline(room.teacher_token, "soon"), "seconds from 5 to 3600"),
        (lambda: room.join("Cy", "Borealis"), "Borealis is taken; free: Caldria"),
        (lambda: room.join("Cy", "Atlantis"), "unknown nation 'Atlantis'"),
        (lambda: room.join("ada"), "already in this room"),
        (lambda: room.join("\u200b \x00"), "at least one visible character"),
        (lambda: room.join(42), "must be text"),
        (lambda: room.debrief(), "when the game is over"),
    ]
    for call, message in cases:
        with pytest.raises(RoomError, match=message):
            call()
        assert room.fingerprint() == before, message
    room.pledge(b, "accuse", "Aurelia")
    room.pledge(b, "propose_p_detect", "0.6")
    with pytest.raises(RoomError, match="at most 3 messages"):
        room.pledge(b, "comply_if_you_do")
        room.pledge(b, "accuse", "Caldria")
    assert [p.text for p in room.pledges] == [
        "I will comply if you do",
        "I accuse Aurelia",
        "I propose p_detect = 0.60",
        "I will comply if you do",
    ]


def test_votes_and_membership_reach_the_engine_where_the_scenario_has_them():
    veto = Room("great_power_veto", seed=3, periods=3, deadline_seconds=None)
    a = veto.join("Ada", "Aurelia")  # a veto power
    veto.teacher_start(veto.teacher_token)
    assert veto.student_view(a)["voting"]
    with pytest.raises(RoomError, match=r"unknown nation\(s\) Atlantis in votes"):
        veto.decide(a, 1, "comply", votes={"Atlantis": "no"})
    with pytest.raises(RoomError, match="allowed: yes or no"):
        veto.decide(a, 1, "comply", votes={"Borealis": "perhaps"})
    veto.decide(a, 1, "comply", votes={name: "no" for name in veto.nation_names})
    flags = veto.seats[a].months[0].report.flags
    assert flags and all("you voted no" in f for f in flags if "vetoed by" not in f)

    club = Room("critical_mass_club", seed=3, periods=3, deadline_seconds=None)
    c = club.join("Cy", "Nation 2")
    club.teacher_start(club.teacher_token)
    assert club.student_view(c)["membership_round"]
    club.decide(c, 1, "comply", membership="no")
    assert not club.engine.member[1]
    assert club.log.records[-1]["type"] != "held"
    held = [r for r in club.log.records if r["type"] == "held"]
    assert held[0]["membership"] == {"1": False}
    assert not club.student_view(c)["membership_round"]  # the next round is at month 13
    with pytest.raises(RoomError, match="truncated"):
        replay(club.log.records)  # the room still runs: no end record yet
    _same_series(replay(club.log.records, complete=False), club.metrics())


def test_what_a_student_sees_and_what_only_the_teacher_sees():
    detected = Room(
        "great_power_veto",
        seed=3,
        periods=3,
        deadline_seconds=None,
        overrides={"information": "detected"},
    )
    perfect = Room("great_power_veto", seed=3, periods=3, deadline_seconds=None)
    for room in (detected, perfect):
        token = room.join("Ada")
        room.teacher_start(room.teacher_token)
        room.decide(token, 1, "defect")
        view = room.student_view(token)
        teacher = room.teacher_view(room.teacher_token)
        assert teacher["nations"][0]["defected"] is True and teacher["nations"][0]["student"]
        truth = [n["nation"] for n in teacher["nations"][1:] if n["defected"]]
        assert truth, "some other nation defects in month 1 on this seed"
        assert set(view["revealed"]["flagged"]) <= set(view["nations"])
        if room is detected:
            assert "others_defecting" not in view["last"]
            assert "world_compliance" not in view["last"]
            assert "Other nations defecting" not in view["last"]["sentence"]
            assert "World compliance" not in view["last"]["sentence"]
            assert not any(
                name in json.dumps(view["last"])
                for name in truth
                if name not in view["revealed"]["flagged"]
                and not any(name in f for f in view["last"]["flags_on_others"])
            )
        else:
            assert view["last"]["others_defecting"] == truth
            assert 0.0 <= view["last"]["world_compliance"] <= 1.0
        assert view["last"]["defected"] is True and view["month"] == 2
        assert set(view) >= {"expected_points", "total_points", "status_text", "pledges"}


def test_display_names_are_normalised_limited_escaped_and_filtered_by_the_teacher():
    room = Room("default", seed=1, periods=2, deadline_seconds=None, block_list=["badword"])
    assert normalise_name("  A\u00a0 b\n\tc ") == "A b c"
    assert normalise_name("\uff21da") == "Ada"  # NFKC: a full-width A is an A
    long = room.join("x" * 100)
    assert len(room.seats[long].name) == NAME_MAX
    xss = room.join("<script>alert(1)</script>")
    assert "<script>" not in json.dumps(room.teacher_view(room.teacher_token))
    assert "&lt;script&gt;" in json.dumps(room.teacher_view(room.teacher_token))
    assert room.student_view(xss)["name"].startswith("&lt;script&gt;")
    with pytest.raises(RoomError, match="not allowed in this room"):
        room.join("Bad-Word 9")
    keep = room.join("Zed")
    renamed = room.set_block_list(room.teacher_token, "zed, other")
    assert renamed == ["Zed"]
    assert room.seats[keep].name.startswith("Student (")
    formula = room.join("=HYPERLINK(1)")
    room.teacher_start(room.teacher_token)
    room.teacher_end(room.teacher_token)
    rows = list(csv.DictReader(io.StringIO(room.grades_csv(room.teacher_token))))
    assert {r["name"] for r in rows} >= {"'=HYPERLINK(1)"}
    assert room.seats[formula].name == "=HYPERLINK(1)"


def test_every_open_nation_taken_and_nations_the_teacher_keeps_for_the_model():
    room = Room(
        "default", seed=1, periods=2, deadline_seconds=None, open_nations=["Borealis", "Caldria"]
    )
    with pytest.raises(
        RoomError, match="Aurelia is played by the model in this room; open: Borealis, Caldria"
    ):
        room.join("Ada", "Aurelia")
    room.join("Ada")
    room.join("Bo")
    with pytest.raises(RoomError, match="every nation open to students is taken"):
        room.join("Cy")
    with pytest.raises(RoomError, match="unknown nation 'Atlantis'"):
        Room("default", open_nations=["Atlantis"])
    with pytest.raises(RoomError, match="unknown scenario 'nowhere'"):
        Room("nowhere")
    with pytest.raises(RoomError, match="periods 0 must be a whole number of months from 1"):
        Room("default", periods=0)


def test_deadline_pause_extend_and_end():
    clock = Clock()
    room = Room("default", seed=1, periods=5, deadline_seconds=20, clock=clock)
    room.join("Ada")
    room.teacher_start(room.teacher_token)
    assert room.seconds_left() == 20
    clock.now += 15
    room.teacher_pause(room.teacher_token)
    clock.now += 1000
    assert not room.tick() and room.month == 1 and room.seconds_left() == 5
    room.teacher_extend(room.teacher_token, 10)
    room.teacher_resume(room.teacher_token)
    clock.now += 14
    assert not room.tick()
    clock.now += 1
    assert room.tick() and room.month == 2 and room.seconds_left() == 20
    room.set_deadline(room.teacher_token, None)
    room.teacher_next(room.teacher_token)  # the new deadline (none) applies from month 3
    assert room.seconds_left() is None
    clock.now += 10**6
    assert not room.tick() and room.month == 3
    room.teacher_end(room.teacher_token)
    assert room.finished and room.ended_because == "ended by the teacher"
    after = room.teacher_view(room.teacher_token)
    assert after["waiting"] == [] and after["nations"][0]["decided"] is None
    with pytest.raises(RoomError, match="game is over"):
        room.teacher_next(room.teacher_token)
    assert room.debrief()["months"] == 2


def test_registry_ends_idle_rooms_and_runs_deadlines():
    clock = Clock()
    reg = RoomRegistry(idle_minutes=10, clock=clock)
    busy = reg.create("default", seed=1, periods=3, deadline_seconds=30)
    quiet = reg.create("default", seed=2, periods=3)
    token = busy.join("Ada")
    busy.teacher_start(busy.teacher_token)
    clock.now += 31
    assert reg.tick() == [busy.code] and busy.month == 2
    clock.now += 5 * 60
    busy.decide(token, 2, "comply")  # activity
    clock.now += 5 * 60 + 1
    assert reg.reap() == [quiet.code]
    assert quiet.closed and "idle minutes" in quiet.ended_because
    assert reg.codes() == [busy.code]
    with pytest.raises(RoomError, match="must be more than 0"):
        RoomRegistry(idle_minutes=0)


def test_debrief_best_responder_pledges_and_the_model_world():
    room = Room("defection_cascade", seed=7, periods=6, deadline_seconds=None)
    token = room.join("Ada")
    nation = room.seats[token].nation
    room.teacher_start(room.teacher_token)
    room.pledge(token, "comply_if_you_do")
    room.decide(token, 1, "defect")
    room.pledge(token, "accuse", "Borealis")
    room.decide(token, 2, "comply")
    for month in range(3, 7):
        room.decide(token, month, "comply")
    d = room.debrief()
    # with one student, the best responder is Play a nation's (the model in every other seat)
    br = best_response_months(room.scenario, 7, 6, nation)
    me = d["students"][0]
    assert me["best_response_total"] == pytest.approx(sum(m[0] for m in br), abs=1e-12)
    assert me["best_response_defections"] == sum(m[2] for m in br)
    assert me["total"] == pytest.approx(sum(m.report.payoff for m in room.seats[token].months))
    plain = _unplayed("defection_cascade", 7, 6)
    assert d["model_world"]["compliance"] == [
        float(x) for x in plain.timeseries()["weighted_compliance"]
    ]
    assert d["room_world"]["compliance"] == [
        float(x) for x in room.metrics()["weighted_compliance"]
    ]
    assert d["pledges"][0] == {
        "month": 1,
        "nation": "Aurelia",
        "text": "I will comply if you do",
        "then": "defected",
        "kept": False,
    }
    month_1 = [r for r in room.log.records if r["type"] == "state"][0]["actions"]
    accused_then = "defected" if month_1[room.nation_names.index("Borealis")] == "1" else "complied"
    assert d["pledges"][1]["accused_before"] == accused_then
    rows = list(csv.DictReader(io.StringIO(room.grades_csv(room.teacher_token))))
    assert len(rows) == 1 and rows[0]["defections"] == "1"
    assert rows[0]["comply_pledges_kept"] == "0/1" and rows[0]["messages"] == "2"
    # each column is rounded on its own: the difference may be one point off theirs
    assert (
        abs(
            int(rows[0]["difference_points"])
            - (int(rows[0]["points"]) - int(rows[0]["best_response_points"]))
        )
        <= 1
    )
    assert int(rows[0]["points"]) == round(100 * me["total"] / me["unit"])


def test_students_deciding_at_once_from_many_threads_resolve_each_month_once():
    import threading

    room = Room("defection_cascade", seed=9, periods=3, deadline_seconds=None)
    tokens = [room.join(f"Student {k}") for k in range(12)]
    room.teacher_start(room.teacher_token)
    errors: list[Exception] = []

    def play(k: int, token: str) -> None:
        for month in (1, 2, 3):
            while room.month < month:
                threading.Event().wait(0.001)
            try:
                room.decide(token, month, "defect" if (k + month) % 3 == 0 else "comply")
            except RoomError as exc:  # pragma: no cover - the test fails on any
                errors.append(exc)

    threads = [threading.Thread(target=play, args=(k, t)) for k, t in enumerate(tokens)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors and room.finished
    held = [r for r in room.log.records if r["type"] == "held"]
    assert [len(h["actions"]) for h in held] == [12, 12, 12]
    assert all(h["why"] == "all decided" for h in held)
    for k, token in enumerate(tokens):
        assert [m.report.defected for m in room.seats[token].months] == [
            (k + month) % 3 == 0 for month in (1, 2, 3)
        ]
    _same_series(replay(room.ledger_bytes(room.teacher_token)), room.metrics())


def test_a_page_waiting_on_the_room_wakes_when_the_month_resolves():
    import threading

    room = Room("default", seed=1, periods=3, deadline_seconds=None)
    token = room.join("Ada")
    room.teacher_start(room.teacher_token)
    seen = room.version
    assert room.wait_for_change(seen, timeout=0.01) == seen  # nothing changed: times out
    woke: list[int] = []
    waiter = threading.Thread(target=lambda: woke.append(room.wait_for_change(seen, 30.0)))
    waiter.start()
    room.decide(token, 1, "comply")
    waiter.join(timeout=30)
    assert woke and woke[0] != seen and room.month == 2
    before = room.version
    with pytest.raises(RoomError):
        room.decide(token, 1, "comply")
    assert room.version == before  # a refusal changes nothing, wakes nobody


def test_a_watch_wakes_only_the_pages_whose_view_changed():
    room = Room("default", seed=1, periods=3, deadline_seconds=None)
    ada, bo, cy = room.join("Ada"), room.join("Bo"), room.join("Cy")
    room.teacher_start(room.teacher_token)
    pages = {t: room.watch(t, room.student_stamp(t)) for t in (ada, bo, cy)}
    teacher = room.watch(None, room.version)
    assert not any(w.wait(0) for w in (*pages.values(), teacher))  # all drawn: nothing new
    room.decide(bo, 1, "comply")
    assert [pages[t].wait(0) for t in (ada, bo, cy)] == [False, True, False]  # Bo's card only
    assert teacher.wait(0) and not teacher.wait(0)  # the dashboard, once
    room.pledge(ada, "comply_if_you_do")  # the talk: every card
    assert all(w.wait(0) for w in pages.values())
    room.decide(ada, 1, "defect")
    room.decide(cy, 1, "comply")  # resolves the month: every card
    assert room.month == 2 and all(w.wait(0) for w in pages.values())
    # a watch started after a change its page did not draw wakes at once
    late = room.watch(ada, ("an older stamp",))
    assert late.wait(0) and not late.wait(0)
    with pytest.raises(NotAllowed):
        room.watch("not-a-seat")
    for w in (*pages.values(), teacher, late):
        w.close()
    assert not room._watches


def test_a_change_just_after_a_watch_timed_out_is_not_lost():
    """The race that left one of 40 pages a month behind in the classroom benchmark: the
    wait times out, the month resolves at that moment, and the page must still wake."""
    room = Room("default", seed=1, periods=3, deadline_seconds=None)
    ada, bo = room.join("Ada"), room.join("Bo")
    room.teacher_start(room.teacher_token)
    w = room.watch(ada, room.student_stamp(ada))
    timed_out = w._event.wait

    def wait_then_change(timeout):
        fired = timed_out(timeout)  # times out: nothing changed yet
        room.decide(ada, 1, "comply")  # ... and now the room changes, before wait returns
        room.decide(bo, 1, "comply")
        return fired

    w._event.wait = wait_then_change
    assert w.wait(0.01) is False
    w._event.wait = timed_out
    assert room.month == 2 and w.wait(0)  # the next wait sees it at once
    w.close()


def test_a_class_of_forty_sits_in_a_world_of_forty_nations_without_a_scenario():
    room = Room(None, seed=6, periods=2, deadline_seconds=None, overrides={"n_nations": 40})
    tokens = [room.join(f"Student {k}") for k in range(40)]
    assert sorted(room.seats[t].nation for t in tokens) == list(range(40))
    with pytest.raises(RoomError, match="every nation open to students is taken"):
        room.join("One too many")
    room.teacher_start(room.teacher_token)
    for month in (1, 2):
        for k, token in enumerate(tokens):
            room.decide(token, month, "defect" if k % 5 == 0 else "comply")
    assert room.finished
    assert room.teacher_view(room.teacher_token)["scenario"] == "no scenario (40 nations)"
    assert [r for r in room.log.records if r["type"] == "room"][0]["scenario"] is None
    _same_series(replay(room.ledger_bytes(room.teacher_token)), room.metrics())
    plain = build_engine(None, 6, 2, {"n_nations": 40})
    empty = Room(None, seed=6, periods=2, deadline_seconds=None, overrides={"n_nations": 40})
    empty.teacher_start(empty.teacher_token)
    for _ in (1, 2):
        empty.teacher_next(empty.teacher_token)
        plain.step()
    _same_series(empty.metrics(), plain.timeseries())
