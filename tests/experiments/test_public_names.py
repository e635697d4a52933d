"""The room and Play became packages of small modules (issue #26): every name that was public
in ``experiments/room.py`` and ``experiments/play.py`` is still importable from
``experiments.room`` and ``experiments.play``, with the parameters it had (a new parameter may
only follow them, with a default), and the classes keep their public methods."""

from __future__ import annotations

import importlib
import inspect

import pytest

#: Each module's public names before the split: name -> its parameters (None: not callable).
BEFORE: dict[str, dict[str, tuple[str, ...] | None]] = {
    "experiments.play": {
        "DEFAULT_PERIODS": None,
        "MAX_PERIODS": None,
        "PERIOD_CHOICES": None,
        "DEFAULT_SCENARIO": None,
        "DEFAULT_REASON": None,
        "LINK_NOTICE": None,
        "VOTE_POLICIES": None,
        "VOTE_HELP": None,
        "PeriodReport": (
            "t",
            "defected",
            "advantage",
            "caught_domestic",
            "caught_international",
            "false_alarm",
            "sanction_paid",
            "payoff",
            "others_defecting",
            "own_labs_defecting",
            "own_labs",
            "compliance",
            "welfare",
            "flags",
            "round",
            "member",
            "members",
            "in_force",
            "unit",
            "expected",
        ),
        "points_text": ("value", "unit"),
        "Debrief": (
            "player_total",
            "best_response_total",
            "world_welfare",
            "best_response_world_welfare",
            "player_defections",
            "best_response_defections",
            "periods",
            "unit",
            "membership",
        ),
        "build_engine": ("scenario", "seed", "periods", "overrides"),
        "best_response_action": ("engine", "actor"),
        "best_response_run": ("scenario", "seed", "periods", "nation", "overrides"),
        "best_response_months": ("scenario", "seed", "periods", "nation", "overrides"),
        "PlayGame": ("query",),
    },
    "experiments.room": {
        "DEFAULT_PERIODS": None,
        "DEFAULT_SCENARIO": None,
        "MAX_PERIODS": None,
        "CODE_ALPHABET": None,
        "CODE_LENGTH": None,
        "NAME_MAX": None,
        "MESSAGES": None,
        "MAX_PLEDGES_PER_MONTH": None,
        "DEFAULT_DEADLINE": None,
        "DEFAULT_IDLE_MINUTES": None,
        "LOBBY": None,
        "PLAYING": None,
        "PAUSED": None,
        "FINISHED": None,
        "RoomError": None,
        "NotAllowed": None,
        "normalise_name": ("text",),
        "MonthNote": ("report", "by"),
        "Seat": ("nation", "name", "token", "present", "months"),
        "Decision": ("defect", "votes", "membership"),
        "Pledge": ("month", "nation", "kind", "value", "text"),
        "RoomWatch": ("room", "seat", "drawn"),
        "Room": (
            "scenario",
            "seed",
            "periods",
            "overrides",
            "deadline_seconds",
            "open_nations",
            "block_list",
            "code",
            "clock",
        ),
        "room_engine": ("scenario", "seed", "periods", "overrides", "event_log"),
        "replay": ("log", "complete"),
        "new_code": ("length",),
        "normalise_code": ("text",),
        "RoomRegistry": ("idle_minutes", "clock"),
    },
}

#: The public methods and properties of the classes before the split.
MEMBERS = {
    ("experiments.room", "Room"): (
        "close debrief decide fingerprint finished grades_csv join leave ledger_bytes log "
        "metrics month pledge ready_debrief rejoin seat_of seconds_left set_block_list "
        "set_deadline set_open_nations student_stamp student_view teacher_end teacher_extend "
        "teacher_next teacher_pause teacher_resume teacher_start teacher_view tick "
        "wait_for_change watch"
    ),
    ("experiments.room", "RoomRegistry"): "close codes create get reap start tick",
    ("experiments.room", "RoomWatch"): "close wait",
    ("experiments.play", "PlayGame"): (
        "advice advice_leaves_out allies best_response_series choose_scenario debrief "
        "finished has_vote held_votes is_member is_veto_power membership_advice "
        "membership_choices membership_round nation_name next_round play points query "
        "scenario set_votes start status total unit voting"
    ),
}


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in BEFORE.items() for n in names])
def test_a_name_public_before_imports_from_its_old_path_with_its_parameters(module, name):
    value = getattr(importlib.import_module(module), name)
    before = BEFORE[module][name]
    if before is None:
        return
    params = inspect.signature(value).parameters
    assert tuple(params)[: len(before)] == before, (module, name, tuple(params))
    for extra in tuple(params)[len(before) :]:
        assert params[extra].default is not inspect.Parameter.empty, (module, name, extra)


@pytest.mark.parametrize(("module", "cls"), sorted(MEMBERS))
def test_a_class_keeps_its_public_methods(module, cls):
    found = getattr(importlib.import_module(module), cls)
    missing = [m for m in MEMBERS[(module, cls)].split() if not hasattr(found, m)]
    assert not missing, (cls, missing)


def test_the_packages_declare_what_they_export():
    for module in BEFORE:
        mod = importlib.import_module(module)
        assert set(BEFORE[module]) <= set(mod.__all__), module
        assert all(hasattr(mod, n) for n in mod.__all__), module
