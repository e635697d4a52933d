"""The benchmark command runs and reports every configuration (speed itself is not asserted)."""

from __future__ import annotations

from experiments.benchmark import Timing, format_table
from experiments.cli import main


def test_benchmark_quick_reports_all_configurations(capsys):
    assert main(["benchmark", "--quick"]) == 0
    out = capsys.readouterr().out
    for label in ("30 nations + 100 labs", "30 nations + 10,000 labs", "100,000 labs"):
        assert label in out
    assert out.count("| ") >= 5
    assert "speed-up >= 100x" in out and "50 us" in out


def test_table_says_whether_targets_are_met():
    timings = [
        Timing("a", 130, 20.0, 400.0),
        Timing("b", 10_030, 500.0, 40_000.0),
        Timing("c", 100_030, 5_000.0, None),
    ]
    table = format_table(timings)
    assert "speed-up >= 10x at 130 actors: met (20x)" in table
    assert "speed-up >= 100x at 10,030 actors: NOT met (80x)" in table
    assert "engine step < 50 us at 130 actors: met" in table
