"""Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from experiments import limits
from experiments.run import run_scenario, write_outputs
from tests.experiments.clitools import GB, one_error_line, run_cli, write

pytestmark = pytest.mark.hardening


# ---------------------------------------------------------------------------- sizes and memory
def huge_scenario(tmp: Path) -> list[str]:
    return [
        "run",
        str(
            write(
                tmp / "huge.toml",
                '[[nations]]\nname = "A"\nlabs = 100000000\n[[nations]]\nname = "B"\n',
            )
        ),
        "--steps",
        "2",
    ]


SIZES: dict[str, tuple[Callable[[Path], list[str]], list[str]]] = {
    "1e8 labs": (
        lambda t: ["run", "--n-labs", "100000000", "--steps", "2"],
        ["run needs about", "n_labs=100000000", "steps=2", "8.0 GB available"],
    ),
    "1e9 labs": (lambda t: ["run", "--n-labs", "1000000000"], ["n_labs=1000000000", "458 GB"]),
    "20000 nations": (
        lambda t: ["run", "--n-nations", "20000"],
        ["n_nations=20000", "alliance ties", "'blocs'"],
    ),
    "1e9 steps": (lambda t: ["run", "--steps", "1000000000"], ["steps=1000000000", "steps with"]),
    "dense 20000 nations": (
        lambda t: [
            "run",
            "--n-nations",
            "20000",
            "--alliance-network",
            "none",
            "--inspectorate",
            "per_bloc",
        ],
        ["dense 20000 x 20000", "per_bloc"],
    ),
    "lag 1e11": (
        lambda t: ["run", "--verification-lag", "100000000000"],
        ["verification_lag=100000000000"],
    ),
    "scenario labs 1e8": (huge_scenario, ["huge.toml: run needs about", "n_labs=100000000"]),
}


@pytest.mark.parametrize("case", sorted(SIZES))
def test_sizes_that_cannot_fit_are_refused_at_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    eight_gb: None,
    case: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    make_args, expected = SIZES[case]
    start = time.perf_counter()
    line = one_error_line(*run_cli(capsys, *make_args(tmp_path)))
    assert time.perf_counter() - start < 20
    for part in expected + ["available", "allowed"]:
        assert part in line, (part, line)
    assert not (tmp_path / "runs").exists()


def test_a_design_plan_that_cannot_fit_is_refused(eight_gb: None) -> None:
    with pytest.raises(limits.LimitError, match="points x 1 replicate; the plan needs about"):
        limits.check_plan(100_000 * 100_000, 2, where="d.toml: [sweep]")
    assert limits.check_plan(441, 2) < GB


@pytest.mark.parametrize(
    "over",
    [
        {"n_labs": 100_000, "steps": 2},
        {"n_labs": 48, "steps": 5_000},
        {"n_nations": 600, "n_labs": 0, "steps": 2},  # 90,000 ties
        {
            "n_nations": 800,
            "n_labs": 0,
            "steps": 2,
            "alliance_network": "none",
            "inspectorate": "per_bloc",
        },  # dense matrix
        {"n_labs": 10_000, "steps": 5, "alliance_network": "none", "information": "bayesian"},
    ],
)
def test_estimate_is_within_a_factor_two_of_the_measured_peak(tmp_path: Path, over: dict) -> None:
    values = {"seed": 1, **over}
    run_scenario("default", {**values, "steps": 2, "n_nations": 4, "n_labs": 2})  # compile
    write_outputs(
        run_scenario("default", {**values, "steps": 2, "n_nations": 4, "n_labs": 2}),
        tmp_path / "warm",
    )
    tracemalloc.start()
    try:
        result = run_scenario("default", values)
        write_outputs(result, tmp_path / "o")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = limits.run_bytes(result.params)
    assert peak / 2 <= estimate <= 2 * peak, (estimate, peak)


# ---------------------------------------------------------------------------- time (#27)
def test_work_over_ten_minutes_needs_force_and_memory_is_always_a_bound() -> None:
    def check(count: int, *, force: bool = False) -> float:
        return limits.check_work(
            "cmd --n N",
            count,
            "unit",
            seconds_each=0.01,
            bytes_each=100.0,
            force=force,
            available=GB,
        )

    assert check(60_000) == pytest.approx(600.0)
    with pytest.raises(limits.LimitError, match=r"cmd --n N would take about 17 min \(100,000 "):
        check(100_000)
    with pytest.raises(limits.LimitError, match="give --force to run it anyway, or at most"):
        check(60_001)
    assert check(60_001, force=True) == pytest.approx(600.01)
    with pytest.raises(limits.LimitError, match="1.0 GB available; allowed: at most about 7,96"):
        check(10_000_000, force=True)
    assert limits.format_seconds(59) == "59 s" and limits.format_seconds(7200) == "2.0 h"
