"""The hash-chained event log: every kind of tampering is detected; replay is exact.

[hardening] The event log: standard JSON on disk, and every damaged log diagnosed rightly.

``pausegame verify-ledger`` exits 1 with ``FILE: NOT intact: <diagnosis>`` for every damaged log
(a garbage or cut-off line included), 2 with one line on stderr for bad input (no such file, not
an event log, a ``--head`` that is not a SHA-256).
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from experiments.run import write_ledger
from model.engine import Engine
from model.ledger import EventLog, canonical, record_hash, replay, verify
from model.params import params_from_ledger, schema


@pytest.fixture(scope="module")
def logged_run():
    params = {
        "p_detect": 0.9,
        "penalty": 8.0,
        "p_false_alarm": 0.1,
        "adjudication": "great_power_veto",
        "inspection_quota": 30,
        "verification_lag": 2,
        "steps": 30,
    }
    eng = Engine.from_params(params, rng=11, event_log=True)
    eng.run()
    head = eng.close_log()
    return eng, copy.deepcopy(eng.log.records), head


def _strict(line: str) -> object:
    """Parse like jq or a browser: NaN and Infinity are not JSON."""

    def refuse(token: str) -> object:
        raise ValueError(f"{token} is not JSON")

    return json.loads(line, parse_constant=refuse)


def test_clean_log_verifies_and_has_every_record_kind(logged_run):
    eng, records, head = logged_run
    result = verify(records, head=head)
    assert result.ok and result.count == len(records) and result.head == head
    kinds = {r["type"] for r in records}
    assert {
        "run",
        "inspection",
        "detection",
        "false_alarm",
        "veto",
        "sanction",
        "state",
        "end",
    } <= kinds
    assert eng.summary().ledger_head == head


def test_replay_reproduces_the_metrics_exactly(logged_run):
    eng, records, _ = logged_run
    replayed = replay(records)
    expected = eng.timeseries()
    for key, col in replayed.items():
        np.testing.assert_array_equal(col, expected[key][1:], err_msg=key)
    assert set(replayed) == set(expected)


@pytest.mark.parametrize("index", [0, 1, 7, -3, -2])
def test_an_altered_record_is_named(logged_run, index):
    _, records, head = logged_run
    bad = copy.deepcopy(records)
    i = index % len(bad)
    bad[i]["t"] = bad[i]["t"] + 1
    result = verify(bad, head=head)
    assert not result.ok and result.seq == i and "altered" in result.problem


def test_the_last_record_altered_is_caught(logged_run):
    _, records, head = logged_run
    bad = copy.deepcopy(records)
    bad[-1]["count"] += 1
    assert not verify(bad).ok


@pytest.mark.parametrize("index", [1, 10, -2])
def test_a_removed_record_is_named(logged_run, index):
    _, records, head = logged_run
    bad = copy.deepcopy(records)
    i = index % len(bad)
    del bad[i]
    result = verify(bad, head=head)
    assert not result.ok and result.seq == i and "removed" in result.problem


def test_an_inserted_record_is_named(logged_run):
    _, records, head = logged_run
    bad = copy.deepcopy(records)
    forged = dict(bad[5])
    bad.insert(6, forged)
    result = verify(bad, head=head)
    assert not result.ok and result.seq == 6 and "inserted" in result.problem


def test_truncation_and_extension_are_detected(logged_run):
    _, records, head = logged_run
    assert "truncated" in verify(copy.deepcopy(records[:-5])).problem
    extended = copy.deepcopy(records)
    extra = {"seq": len(extended), "type": "state", "t": 99, "prev": record_hash(extended[-1])}
    extended.append(extra)
    result = verify(extended)
    assert not result.ok and "extended" in result.problem


def test_rewriting_every_later_hash_needs_the_head(logged_run):
    _, records, head = logged_run
    forged = copy.deepcopy(records)
    forged[3]["t"] = 77
    prev = record_hash(forged[3])
    for rec in forged[4:]:
        rec["prev"] = prev
        prev = record_hash(rec)
    assert verify(forged).ok  # a consistent forgery ...
    result = verify(forged, head=head)
    assert not result.ok and "head" in result.problem  # ... is caught by the reported head


def test_canonical_encoding_uses_exact_floats():
    log = EventLog()
    rec = log.append("state", 1, value=0.1 + 0.2, b=[1, 2])
    assert '"value":0.30000000000000004' in __import__("model.ledger").ledger.canonical(rec)
    assert list(rec) == ["seq", "type", "t", "prev", "value", "b"]


def test_log_is_off_by_default_and_on_under_hardware_ledger():
    assert Engine.from_params(rng=1).log is None
    assert Engine.from_params({"verification": "hardware_ledger"}, rng=1).log is not None
    assert (
        Engine.from_params({"verification": "hardware_ledger"}, rng=1, event_log=False).log is None
    )


@pytest.mark.hardening
def test_records_are_built_with_none_for_every_non_finite_float_and_canonical_refuses_nan():
    log = EventLog()
    rec = log.append(
        "state",
        1,
        a=float("nan"),
        b=np.array([1.0, np.inf, -np.inf]),
        c={"d": [np.float64("nan"), 2.5]},
        e=np.float32("nan"),
    )
    assert rec["a"] is None and rec["b"] == [1.0, None, None] and rec["c"] == {"d": [None, 2.5]}
    assert rec["e"] is None
    _strict(canonical(rec))
    with pytest.raises(ValueError):
        canonical({"x": float("nan")})


@pytest.mark.hardening
def test_replay_from_a_strictly_parsed_file_is_exact_with_nan_where_the_engine_had_nan(tmp_path):
    eng = Engine.from_params(
        {"p_detect": 0.8, "p_false_alarm": 0.1, "steps": 15}, rng=3, event_log=True
    )
    eng.run()
    head = eng.close_log()
    path = write_ledger(eng.log.records, tmp_path / "log.jsonl")
    records = [_strict(line) for line in path.read_text().splitlines()]
    assert verify(records, head=head).ok
    replayed = replay(records)
    expected = eng.timeseries()
    assert np.isnan(replayed["belief_error"]).all()
    for key, col in replayed.items():
        np.testing.assert_array_equal(col, expected[key][1:], err_msg=key)


@pytest.mark.hardening
def test_verify_names_the_line_of_an_unreadable_entry_and_not_the_chain():
    from model.ledger import parse_lines

    log = EventLog()
    for t in range(3):
        log.append("state", t)
    log.close(3)
    lines = [canonical(r) + "\n" for r in log.records]
    entries, numbers = parse_lines(lines[:2] + ["\n", "{oops\n"] + lines[2:])
    result = verify(entries, lines=numbers)
    assert not result.ok and result.line == 4
    assert (
        result.problem == "line 4 is not a JSON record (Expecting property name enclosed in "
        "double quotes (column 2))"
    )
    assert verify(copy.deepcopy(log.records)).ok


@pytest.mark.hardening
def test_another_logs_head_or_an_earlier_head_is_named_not_an_alteration(logged_run):
    """#27: a wrong --head said records were altered, even for an intact log."""
    _, records, head = logged_run
    other = "ab" * 32
    result = verify(records, head=other)
    assert not result.ok and result.head_differs and result.head == head
    assert result.problem.startswith("the head does not match: the records' chain is intact")
    assert "another log's head" in result.problem
    earlier = verify(records[:-2]).head  # what the run reported before two records more
    result = verify(records, head=earlier)
    assert result.head_differs and result.problem == (
        f"the head does not match: the given head is record {len(records) - 3}'s hash, and "
        f"the log goes on for 2 more records (from line {len(records) - 1}) after the head "
        "the run reported"
    )
    assert not verify(records[:3] + records[4:], head=head).head_differs  # damage stays damage


# ------------------------------------------------------- parameters added after format 0 (#29)
def test_a_later_parameter_at_its_default_is_left_out_of_the_run_record():
    eng = Engine.from_params({"steps": 3}, rng=5, event_log=True)
    recorded = eng.log.records[0]["params"]
    later = {n for n, p in schema().items() if p.ledger_since > 0}
    assert later >= {"protocol", "max_term_points", "quota"}
    assert not later & set(recorded)
    assert set(recorded) | later == set(eng.params)
    assert params_from_ledger(recorded) == eng.params.to_dict()


def test_a_later_parameter_off_its_default_is_recorded_and_the_run_replays(tmp_path, capsys):
    from experiments.cli import main

    changed = {"max_transfer_share": 0.25, "protocol": "nash", "quota": 3}
    base = {"p_detect": 0.8, "p_false_alarm": 0.1, "steps": 15}
    eng = Engine.from_params({**base, **changed}, rng=3, event_log=True)
    eng.run()
    head = eng.close_log()
    recorded = eng.log.records[0]["params"]
    assert recorded.items() >= changed.items()
    assert "round_months" not in recorded  # still at its default
    # the parameters as given (a negotiated run's engine.params hold the adopted terms)
    assert params_from_ledger(recorded) == eng.given_params.to_dict()
    assert eng.params["p_detect"] != eng.given_params["p_detect"]  # nash adopted other terms
    path = write_ledger(eng.log.records, tmp_path / "ledger.jsonl")
    assert main(["verify-ledger", str(path), "--head", head]) == 0
    assert main(["replay", str(path)]) == 0
    assert "intact" in capsys.readouterr().out
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert verify(records, head=head).ok
    replayed = replay(records)
    expected = eng.timeseries()
    for key, col in replayed.items():
        np.testing.assert_array_equal(col, expected[key][1:], err_msg=key)
    # the same run from the recorded parameters: the same log, the same head
    again = Engine.from_params(params_from_ledger(recorded), rng=3, event_log=True)
    again.run()
    assert again.close_log() == head
    plain = Engine.from_params(base, rng=3, event_log=True)
    plain.run()
    assert plain.close_log() != head  # the recorded parameters are part of the chain
