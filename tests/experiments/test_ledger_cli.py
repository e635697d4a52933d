"""``pausegame run --ledger``, ``verify-ledger`` and ``replay`` from the command line."""

from __future__ import annotations

import json

import pandas as pd

from experiments.cli import main


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
