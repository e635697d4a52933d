"""Hardening of the statistics and analysis outputs ([hardening], part C).

Each table row is one bad input or one misleading output found by trying the commands as a
hostile user would: separated threshold fits, small-n Sobol indices, claims labelled "NOT SHOWN"
at too few replicates, outputs overwriting each other, and bad flags that gave tracebacks or
were silently accepted. The theory text is in tests/model/test_hardening_theory.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.analysis import fit_threshold
from experiments.analysis.report import sensitivity_stem, threshold_lines, threshold_stem
from experiments.analysis.sensitivity import SobolResult, sobol_from_evaluations
from experiments.analysis.threshold import ThresholdTable
from experiments.cli import main
from experiments.teaching import ClaimCheck, Share, replicates_needed
from model.errors import ConfigError

SWEEP = """
[meta]
name = "hard_map"
[base.params]
n_nations = 3
n_labs = 3
alliance_network = "complete"
alliance_weight = 0.5
[sweep]
p_detect = [0.1, 0.4, 0.7, 1.0]
penalty = [3.0, 8.0]
[run]
replicates = 3
steps = 12
master_seed = 5
seed_scheme = "common"
"""

SAMPLE = """
[meta]
name = "hard_sens"
[base.params]
n_nations = 4
n_labs = 4
[sample]
method = "sobol"
n = 4
[sample.params]
p_detect = {}
penalty = [0.0, 20.0]
race_pressure = [0.0, 2.0]
[run]
replicates = 1
steps = 24
master_seed = 2
seed_scheme = "common"
"""


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("pausegame: error:") and "Traceback" not in err[0]
    return err[0]


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard_map")
    design = folder / "hard_map.toml"
    design.write_text(SWEEP)
    out = folder / "batch"
    assert main(["sweep", str(design), "--out", str(out), "--executor", "serial", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def sobol_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard_sens")
    design = folder / "hard_sens.toml"
    design.write_text(SAMPLE)
    out = folder / "sobol"
    assert main(["sensitivity", str(design), "--out", str(out), "--executor", "serial"]) == 0
    return out


# ------------------------------------------------------------------------------ 1. threshold
def counts(grid: list[float], held: list[int], reps: int = 6) -> tuple[np.ndarray, np.ndarray]:
    x = np.repeat(grid, reps)
    y = np.concatenate([np.r_[np.ones(h), np.zeros(reps - h)] for h in held])
    return x, y


SEPARATED = [
    # grid, runs held of 6 at each point, the grid interval that must hold the crossing
    pytest.param([0.1, 0.2, 0.3], [0, 3, 6], (0.1, 0.3), id="issue-quasi-complete"),
    pytest.param(
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        [0, 3, 6, 6, 6, 6, 6],
        (0.1, 0.3),
        id="issue-quasi-wide-grid",
    ),
    pytest.param([0.1, 0.2, 0.3], [0, 6, 6], (0.1, 0.2), id="complete"),
    pytest.param([0.1, 0.2, 0.3], [6, 2, 0], (0.1, 0.3), id="falling-quasi"),
    pytest.param([0.1, 0.2, 0.3], [3, 6, 6], (math.nan, 0.2), id="mixed-at-low-edge"),
    pytest.param([0.1, 0.2, 0.3], [0, 0, 4], (0.2, math.nan), id="mixed-at-high-edge"),
]


@pytest.mark.parametrize(("grid", "held", "bounds"), SEPARATED)
def test_separated_runs_report_the_grid_interval(grid, held, bounds):
    x, y = counts(grid, held)
    fit = fit_threshold(x, y, n_boot=200, rng=1)
    assert fit.status == "separated" and fit.separated
    assert math.isinf(fit.slope)
    np.testing.assert_array_equal([fit.ci_low, fit.ci_high], bounds)
    text = fit.describe()
    assert "separate" in text and "CI" not in text
    # the interval is no tighter than the grid: it spans a whole gap between grid points
    assert not fit.ci_low == fit.ci_high


def test_issue_data_no_longer_claims_a_zero_width_interval():
    x, y = counts([0.1, 0.2, 0.3], [0, 3, 6])
    fit = fit_threshold(x, y)
    assert "between 0.100 and 0.300" in fit.describe()
    row = threshold_lines(ThresholdTable("p_detect", (fit,))).iloc[0]
    assert row["critical p_detect (sim)"] == "between 0.100 and 0.300"
    assert "separate" in row["95% CI"]
    frame = fit.to_frame()
    assert frame["status"].iloc[0] == "separated"
    assert float(fit.predict(0.15)) == 0.0 and float(fit.predict(0.25)) == 1.0


@pytest.mark.parametrize("n_boot", [-1, -200, 2.5, True])
def test_bad_bootstrap_count_is_refused(n_boot):
    x, y = counts([0.1, 0.2, 0.3], [0, 3, 6])
    with pytest.raises(ConfigError, match="bootstrap"):
        fit_threshold(x, y, n_boot=n_boot)


# ------------------------------------------------------------------------------ bad flags
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["threshold", "{map}", "--bootstrap", "-5"], ["--bootstrap=-5", ">= 0"]),
        (["analyze", "{map}", "--bootstrap", "-1"], ["--bootstrap=-1", ">= 0"]),
        (["threshold", "{map}", "--at", "penalty=abc"], ["penalty=abc", "stored values: 3, 8"]),
        (["sensitivity", "{sobol}", "--method", "morris"], ["--method", "--output"]),
        (["sensitivity", "{sobol}", "--n", "8"], ["--n", "results directory"]),
        (["sensitivity", "{sobol}", "--out", "{sobol}/elsewhere"], ["--out"]),
        (
            ["claims", "open_letter_2023", "--replicates", "2", "--master-seed", "-1"],
            ["--master-seed=-1", ">= 0"],
        ),
        (["demo", "open_letter_2023", "--seed", "-1"], ["--seed=-1", ">= 0"]),
    ],
)
def test_bad_flags_give_one_line_and_status_2(argv, words, mapped, sobol_dir, capsys):
    argv = [a.format(map=mapped, sobol=sobol_dir) for a in argv]
    before = (
        sorted(p.name for p in (mapped / "analysis").glob("*"))
        if (mapped / "analysis").exists()
        else []
    )
    assert main(argv) == 2
    line = one_error_line(capsys)
    for word in words:
        assert word in line
    if (mapped / "analysis").exists():  # nothing written by a refused command
        assert sorted(p.name for p in (mapped / "analysis").glob("*")) == before


def test_claims_checks_every_name_before_running(capsys):
    assert main(["claims", "open_letter_2023", "no_such_scenario", "--replicates", "2"]) == 2
    out = capsys.readouterr()
    assert "open_letter_2023: claimed" not in out.out
    assert "unknown scenario 'no_such_scenario'" in out.err


# ------------------------------------------------------------------------------ 2. sensitivity
@pytest.mark.parametrize(
    ("first", "total", "n", "words"),
    [
        pytest.param(
            [1.067, 0.4, 0.0],
            [1.067, 0.533, 0.0],
            4,
            ["n = 4 is small", "1.067"],
            id="issue-total-above-1",
        ),
        pytest.param(
            [0.6, -0.2, 0.1],
            [0.7, 0.05, 0.1],
            256,
            ["first-order", "-0.200"],
            id="negative-first-order",
        ),
        pytest.param([0.7, 0.5, 0.0], [0.8, 0.6, 0.0], 256, ["sum to 1.200"], id="sum-above-1"),
    ],
)
def test_sobol_warns_about_small_n_and_indices_outside_unit_interval(first, total, n, words):
    nan = np.full(3, np.nan)
    res = SobolResult(
        output="held",
        params=("a", "b", "c"),
        first_order=np.array(first),
        total_order=np.array(total),
        first_order_ci=(nan, nan),
        total_order_ci=(nan, nan),
        n=n,
        variance=0.1,
    )
    text = " ".join(res.warnings())
    for word in words:
        assert word in text


def test_sobol_of_a_good_sample_has_no_warning():
    rng = np.random.default_rng(0)
    n, d = 1024, 2
    a, b = rng.random((n, d)), rng.random((n, d))

    def f(x):
        return x[:, 0] + 0.5 * x[:, 1]

    ab = np.stack([f(np.where(np.arange(d) == i, b, a)) for i in range(d)])
    res = sobol_from_evaluations(f(a), f(b), ab, params=("x", "y"), n_resamples=0)
    assert res.warnings() == []


def test_sensitivity_command_warns_in_print_and_report(sobol_dir, capsys):
    assert main(["sensitivity", str(sobol_dir)]) == 0
    out = capsys.readouterr().out
    assert "warning: held: n = 4 is small for Sobol indices" in out
    report = (sobol_dir / "analysis" / "sensitivity.md").read_text()
    assert "**Warning:** held: n = 4 is small" in report
    assert main(["analyze", str(sobol_dir)]) == 0
    summary = (sobol_dir / "analysis" / "summary.md").read_text()
    assert "**Warning:**" in summary


# ------------------------------------------------------------------------------ 5. outputs
def test_sensitivity_of_another_output_keeps_the_first_report(sobol_dir):
    assert main(["sensitivity", str(sobol_dir)]) == 0
    first = (sobol_dir / "analysis" / "sensitivity.md").read_text()
    assert main(["sensitivity", str(sobol_dir), "--output", "detections"]) == 0
    assert (sobol_dir / "analysis" / "sensitivity.md").read_text() == first
    other = (sobol_dir / "analysis" / "sensitivity_detections.md").read_text()
    assert "`detections`" in other


def test_threshold_after_analyze_keeps_the_files_summary_embeds(mapped):
    assert main(["analyze", str(mapped), "--bootstrap", "10"]) == 0
    out = mapped / "analysis"
    kept = {
        name: (out / name).read_bytes()
        for name in ("thresholds.csv", "thresholds.png", "thresholds.svg", "summary.md")
    }
    assert "thresholds.png" in kept["summary.md"].decode()
    assert main(["threshold", str(mapped), "--at", "penalty=8", "--bootstrap", "10"]) == 0
    assert main(["threshold", str(mapped), "--level", "0.25", "--bootstrap", "10"]) == 0
    for name, data in kept.items():
        assert (out / name).read_bytes() == data, name
    assert (out / "threshold_penalty-8.csv").is_file()
    assert (out / "threshold_penalty-8.md").is_file()
    assert (out / "threshold_level-0.25.png").is_file()


@pytest.mark.parametrize(
    ("at", "level", "stem"),
    [
        ({}, 0.5, "threshold"),
        ({"penalty": 8.0}, 0.5, "threshold_penalty-8"),
        ({"penalty": 8.0, "beta": 2.5}, 0.25, "threshold_penalty-8_beta-2.5_level-0.25"),
        ({"alliance_network": "a/b c"}, 0.5, "threshold_alliance_network-a_b_c"),
    ],
)
def test_threshold_stems_are_distinct_and_safe(at, level, stem):
    assert threshold_stem(at, level) == stem


@pytest.mark.parametrize(
    ("outputs", "stem"),
    [
        (["held", "final_compliance"], "sensitivity"),
        (["detections"], "sensitivity_detections"),
        (["held"], "sensitivity_held"),
    ],
)
def test_sensitivity_stems(outputs, stem):
    assert sensitivity_stem(outputs) == stem


# ------------------------------------------------------------------------------ 3. claims
@pytest.mark.parametrize(
    ("claim", "contrast", "claimed", "verdict", "word"),
    [
        pytest.param((20, 20), (0, 20), 0.9, "inconclusive", "inconclusive", id="issue-20-of-20"),
        pytest.param((5, 20), (0, 20), 0.9, "failed", "FAILS", id="claim-fails"),
        pytest.param((40, 40), (3, 4), 0.9, "inconclusive", "inconclusive", id="contrast-open"),
    ],
)
def test_claim_verdicts(claim, contrast, claimed, verdict, word):
    from experiments.teaching_cli import claim_lines

    check = ClaimCheck("x", claimed, Share(*claim), Share(*contrast))
    assert check.verdict == verdict
    text = "\n".join(claim_lines("x", claimed, check))
    assert word in text
    assert "NOT SHOWN" not in text


def test_issue_claim_at_20_replicates_says_how_many_it_needs():
    from experiments.teaching_cli import claim_lines

    check = ClaimCheck("x", 0.9, Share(20, 20), Share(0, 20))
    assert check.claim_verdict == "inconclusive" and check.claim_needs() == 35
    assert (
        "inconclusive at n = 20 (needs at least 35 replicates to hold)"
        in claim_lines("x", 0.9, check)[1]
    )


@pytest.mark.parametrize(
    ("observed", "claimed", "above", "needed"),
    [
        (1.0, 0.9, True, 35),  # n / (n + 1.96^2) > 0.9 first at n = 35
        (1.0, 0.8, True, 16),
        (0.95, 0.9, True, 139),
        (0.9, 0.9, True, None),  # never above its own value
        (0.85, 0.9, True, None),
        (0.0, 0.9, False, 1),
        (0.5, 0.9, False, 3),
        (0.95, 0.9, False, None),
    ],
)
def test_replicates_needed(observed, claimed, above, needed):
    from experiments.analysis.common import wilson_interval

    assert replicates_needed(observed, claimed, above=above) == needed
    if needed is not None:  # the smallest such n: one fewer does not decide
        low, high = wilson_interval(observed * (needed - 1), needed - 1)
        assert not (low > claimed if above else high < claimed)


def test_claims_command_at_20_replicates_is_inconclusive_not_failed(capsys):
    assert main(["claims", "open_letter_2023", "--replicates", "20"]) == 3
    out = capsys.readouterr().out
    assert "inconclusive at n = 20 (needs at least 35 replicates to hold)" in out
    assert "NOT SHOWN" not in out and "run again with --replicates 35" in out


def test_claims_command_that_fails_exits_1(tmp_path, capsys):
    from experiments.scenarios import scenario_path

    text = scenario_path("open_letter_2023").read_text(encoding="utf-8")
    assert 'outcome = "compliance_below"' in text
    bad = tmp_path / "false_claim.toml"
    bad.write_text(
        text.replace('outcome = "compliance_below"', 'outcome = "holds"'), encoding="utf-8"
    )
    assert main(["claims", str(bad), "--replicates", "20"]) == 1
    out = capsys.readouterr().out
    assert "FAILS" in out and "Failed:" in out
