"""``pausegame run --ledger``, ``verify-ledger`` and ``replay`` from the command line.

[hardening] The event log: standard JSON on disk, and every damaged log diagnosed rightly.

``pausegame verify-ledger`` exits 1 with ``FILE: NOT intact: <diagnosis>`` for every damaged log
(a garbage or cut-off line included), 2 with one line on stderr for bad input (no such file, not
an event log, a ``--head`` that is not a SHA-256).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main


def _strict(line: str) -> object:
    """Parse like jq or a browser: NaN and Infinity are not JSON."""

    def refuse(token: str) -> object:
        raise ValueError(f"{token} is not JSON")

    return json.loads(line, parse_constant=refuse)


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A real ledger from ``pausegame run --ledger`` (perfect information: belief_error NaN)."""
    folder = tmp_path_factory.mktemp("ledger")
    ledger = folder / "log.jsonl"
    assert (
        main(
            [
                "run",
                "--seed",
                "5",
                "--steps",
                "12",
                "--p-detect",
                "0.8",
                "--penalty",
                "6",
                "--out",
                str(folder / "out"),
                "--ledger",
                str(ledger),
                "--quiet",
            ]
        )
        == 0
    )
    head = json.loads((folder / "out" / "summary.json").read_text())["ledger_head"]
    return ledger, ledger.read_text(), head


# ------------------------------------------------------------------ damage, each kind a row
def _lines(text: str) -> list[str]:
    return text.splitlines()


def _join(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _swap(i: int, j: int) -> Callable[[str], str]:
    def damage(text: str) -> str:
        ls = _lines(text)
        ls[i], ls[j] = ls[j], ls[i]
        return _join(ls)

    return damage


def _edit(i: int, change: Callable[[dict], None]) -> Callable[[str], str]:
    def damage(text: str) -> str:
        ls = _lines(text)
        rec = json.loads(ls[i])
        change(rec)
        ls[i] = json.dumps(rec, sort_keys=True, separators=(",", ":"))
        return _join(ls)

    return damage


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda rec: rec.update({key: value})


DAMAGE = [  # (name, damage, diagnosis on stdout after "NOT intact: ")
    (
        "truncated mid last line",
        lambda t: t[:-40],
        "line 48 is not a JSON record (Unterminated string starting at (column 20); the file ends "
        "mid-line, so it was cut off)",
    ),
    (
        "garbage line inserted",
        lambda t: _join(_lines(t)[:5] + ["hello"] + _lines(t)[5:]),
        "line 6 is not a JSON record (Expecting value (column 1))",
    ),
    (
        "record overwritten by garbage",
        lambda t: _join(_lines(t)[:5] + ["xx"] + _lines(t)[6:]),
        "line 6 is not a JSON record (Expecting value (column 1))",
    ),
    (
        "JSON array line",
        lambda t: _join(_lines(t)[:5] + ["[1, 2]"] + _lines(t)[5:]),
        "line 6 is not a JSON record (an array, not an object)",
    ),
    (
        "JSON number line",
        lambda t: _join(_lines(t)[:5] + ["42"] + _lines(t)[5:]),
        "line 6 is not a JSON record (a number, not an object)",
    ),
    (
        "non-UTF-8 line",
        lambda t: _join(_lines(t)[:3] + ["\udcff"] + _lines(t)[3:]),
        "line 4 is not a JSON record (not UTF-8 text: byte 1)",
    ),
    (
        "records 7 and 8 swapped",
        _swap(7, 8),
        "the records were reordered: record 7 is on line 9, but line 8 holds record 8",
    ),
    (
        "records 0 and 1 swapped",
        _swap(0, 1),
        "the records were reordered: record 0 is on line 2, but line 1 holds record 1",
    ),
    (
        "records reversed",
        lambda t: _join(_lines(t)[::-1]),
        "the records were reordered: record 0 is on line 48, but line 1 holds record 47",
    ),
    (
        "record 3 removed",
        lambda t: _join(_lines(t)[:3] + _lines(t)[4:]),
        "record 3 was removed (the next record has seq 4)",
    ),
    (
        "records 3 and 4 removed",
        lambda t: _join(_lines(t)[:3] + _lines(t)[5:]),
        "records 3-4 were removed (the next record has seq 5)",
    ),
    (
        "record 0 removed",
        lambda t: _join(_lines(t)[1:]),
        "record 0 was removed (the first record has seq 1)",
    ),
    (
        "end record removed",
        lambda t: _join(_lines(t)[:-1]),
        "the log was truncated (no end record)",
    ),
    (
        "record 5's t altered",
        _edit(5, lambda r: r.update(t=r["t"] + 1)),
        "record 5 was altered (record 6 does not chain to it)",
    ),
    (
        "record 5's seq altered",
        _edit(5, _set("seq", 6)),
        "record 5 was altered (record 6 does not chain to it)",
    ),
    (
        "record 5's seq made a string",
        _edit(5, _set("seq", "5")),
        "record 5 was altered (record 6 does not chain to it)",
    ),
    (
        "record 5's prev deleted",
        _edit(5, lambda r: r.pop("prev")),
        "record 5 was altered (its prev is None, not a SHA-256)",
    ),
    (
        "record 0's prev altered",
        _edit(0, _set("prev", "1" * 64)),
        "record 0 was altered (its prev is not the genesis hash, 64 zeros)",
    ),
    (
        "line 6 duplicated",
        lambda t: _join(_lines(t)[:6] + [_lines(t)[5]] + _lines(t)[6:]),
        "a record was inserted at line 7 (it does not chain to record 5; a second copy of "
        "record 5)",
    ),
    (
        "extended after end",
        lambda t: t + json.dumps({"seq": 48, "type": "state", "t": 99, "prev": "0" * 64}) + "\n",
        "the log was extended after its end record (1 more record from line 49)",
    ),
    ("emptied", lambda t: "", "the log is empty (no records)"),
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _legacy(text: str) -> str:
    """The same log as an older pausegame wrote it: bare NaN, hashed with NaN."""
    prev = "0" * 64
    out = []
    for line in text.splitlines():
        rec = json.loads(line)
        if rec.get("belief_error", 0) is None:
            rec["belief_error"] = math.nan
        rec["prev"] = prev
        enc = json.dumps(rec, sort_keys=True, separators=(",", ":"), allow_nan=True)
        prev = hashlib.sha256(enc.encode()).hexdigest()
        out.append(enc)
    return _join(out)


def test_run_ledger_verify_and_replay(tmp_path, capsys):
    ledger = tmp_path / "log.jsonl"
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--seed",
                "5",
                "--steps",
                "12",
                "--p-detect",
                "0.8",
                "--penalty",
                "6",
                "--out",
                str(out),
                "--ledger",
                str(ledger),
                "--quiet",
            ]
        )
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    head = summary["ledger_head"]
    assert head and summary["ledger_records"] == len(ledger.read_text().splitlines())
    assert main(["verify-ledger", str(ledger), "--head", head]) == 0
    assert "intact" in capsys.readouterr().out
    csv = tmp_path / "replayed.csv"
    assert main(["replay", str(ledger), "--csv", str(csv)]) == 0
    replayed = pd.read_csv(csv)
    original = pd.read_csv(out / "timeseries.csv").iloc[1:].reset_index(drop=True)
    for column in ("weighted_compliance", "detections", "sanctions_paid", "total_payoff"):
        pd.testing.assert_series_equal(replayed[column], original[column], check_names=False)
    lines = ledger.read_text().splitlines()
    del lines[3]
    ledger.write_text("\n".join(lines) + "\n")
    assert main(["verify-ledger", str(ledger)]) == 1
    assert "record 3 was removed" in capsys.readouterr().out


def test_verify_ledger_bad_input_exits_2(tmp_path, capsys):
    assert main(["verify-ledger", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such event log" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"seq": 0}\nnot json\n')
    assert main(["verify-ledger", str(bad)]) == 2  # no line is an event-log record
    assert "not an event log" in capsys.readouterr().err


# ------------------------------------------------------------------ standard JSON on disk
@pytest.mark.hardening
def test_the_written_ledger_is_strict_json_with_null_for_a_missing_number(logged):
    _, text, _ = logged
    records = [_strict(line) for line in text.splitlines()]
    states = [r for r in records if r["type"] == "state"]
    assert states and all(r["belief_error"] is None for r in states)


@pytest.mark.hardening
@pytest.mark.parametrize(
    ("damage", "diagnosis"), [row[1:] for row in DAMAGE], ids=[row[0] for row in DAMAGE]
)
def test_every_damaged_log_exits_1_with_the_right_diagnosis(
    logged, tmp_path, capsys, damage, diagnosis
):
    _, text, head = logged
    assert len(_lines(text)) == 48  # the rows' line numbers assume this run
    bad = tmp_path / "damaged.jsonl"
    bad.write_bytes(damage(text).encode("utf-8", "surrogateescape"))
    assert main(["verify-ledger", str(bad), "--head", head]) == 1
    out, err = capsys.readouterr()
    assert out.strip() == f"{bad}: NOT intact: {diagnosis}"
    assert err == ""


# ------------------------------------------------------------------ bad input: exit 2
@pytest.mark.hardening
@pytest.mark.parametrize("value", ["deadbeef", "z" * 64, "", "a" * 63, "a" * 65, "0x" + "a" * 62])
def test_a_head_that_is_not_a_sha256_exits_2(logged, capsys, value):
    ledger, _, _ = logged
    assert main(["verify-ledger", str(ledger), "--head", value]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == (
        f"pausegame: error: --head must be a SHA-256 (64 hex digits), not "
        f"{value!r} (copy ledger_head from the run's summary.json)"
    )


@pytest.mark.hardening
def test_the_right_head_in_capitals_or_with_spaces_is_accepted_and_a_wrong_one_is_not(
    logged, capsys
):
    ledger, _, head = logged
    for value in (head.upper(), f" {head}\n"):
        assert main(["verify-ledger", str(ledger), "--head", value]) == 0
        assert "intact" in capsys.readouterr().out
    assert main(["verify-ledger", str(ledger), "--head", "a" * 64]) == 1
    assert "every later hash recomputed" in capsys.readouterr().out


@pytest.mark.hardening
def test_another_logs_head_says_the_head_does_not_match(logged, tmp_path, capsys):
    ledger, _, head = logged
    other = tmp_path / "other.jsonl"
    argv = ["run", "--seed", "6", "--steps", "3", "--out", str(tmp_path / "o")]
    assert main([*argv, "--ledger", str(other), "--quiet"]) == 0
    other_head = json.loads((tmp_path / "o" / "summary.json").read_text())["ledger_head"]
    assert main(["verify-ledger", str(ledger), "--head", other_head]) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"{ledger}: the head does not match: the records' chain is intact")
    assert "NOT intact" not in out and "another log's head" in out and head[:16] in out


@pytest.mark.hardening
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d, "is a directory, not an event log file (JSONL)"),
        (
            lambda d: _write(d / "summary.json", json.dumps({"ledger_head": "0" * 64}, indent=2)),
            "not an event log: no line is a JSON record with 'seq' and 'prev'",
        ),
        (
            lambda d: _write(d / "data.csv", "a,b\n1,2\n"),
            "not an event log: no line is a JSON record with 'seq' and 'prev'",
        ),
    ],
    ids=["directory", "summary.json", "csv"],
)
@pytest.mark.parametrize("command", ["verify-ledger", "replay"])
def test_a_file_that_is_not_an_event_log_exits_2(tmp_path, capsys, make, message, command):
    path = make(tmp_path)
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: {message}" in err


# ------------------------------------------------------------------ replay and older logs
@pytest.mark.hardening
@pytest.mark.parametrize("extra", ["hello", "[1, 2]", "42"])
def test_replay_of_a_log_with_a_bad_line_warns_and_replays(logged, tmp_path, capsys, extra):
    _, text, _ = logged
    bad = tmp_path / "damaged.jsonl"
    bad.write_text(_join(_lines(text)[:5] + [extra] + _lines(text)[5:]))
    assert main(["replay", str(bad)]) == 0
    out, err = capsys.readouterr()
    assert "not intact (line 6 is not a JSON record" in out and "replayed 12 months" in out
    assert "Traceback" not in err


@pytest.mark.hardening
def test_a_log_written_by_an_older_version_still_verifies_and_says_it_is_not_standard(
    logged, tmp_path, capsys
):
    _, text, _ = logged
    old = tmp_path / "old.jsonl"
    old.write_text(_legacy(text))
    assert "NaN" in old.read_text()
    assert main(["verify-ledger", str(old)]) == 0
    out = capsys.readouterr().out
    assert "intact, 48 records" in out
    assert "note: 12 records hold a bare NaN for a missing number" in out
    assert main(["replay", str(old)]) == 0
