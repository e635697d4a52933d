"""Hardening of the statistics and analysis outputs ([hardening], part C).

Each table row is one bad input or one misleading output found by trying the commands as a
hostile user would: separated threshold fits, small-n Sobol indices, claims labelled "NOT SHOWN"
at too few replicates, outputs overwriting each other, and bad flags that gave tracebacks or
were silently accepted. The theory text is in tests/model/theory/ (marker hardening).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from experiments.cli import main
from experiments.teaching import ClaimCheck, Share
from tests.experiments.test_teaching import EXPECTED

pytestmark = pytest.mark.hardening


def test_claims_checks_every_name_before_running(capsys):
    assert main(["claims", "open_letter_2023", "no_such_scenario", "--replicates", "2"]) == 2
    out = capsys.readouterr()
    assert "open_letter_2023: claimed" not in out.out
    assert "unknown scenario 'no_such_scenario'" in out.err


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


# ----------------------------------------------------------------------- commands
def test_scenarios_command_lists_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in (*EXPECTED, "default"):
        assert re.search(rf"^{name}\b", out, re.MULTILINE), name
    assert "claim (" in out


def test_demo_narrates_and_writes_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "verified_pause", "--seed", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Month   6" in out and "defected: Caldria/lab-2" in out
    assert "caught by international verification: Caldria/lab-2" in out
    assert "sanctioned" in out
    assert "The claim:" in out and "This run shows the claimed outcome" in out
    assert (tmp_path / "demo.png").stat().st_size > 10_000


def test_demo_reports_vetoes_and_membership(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "demo",
                "great_power_veto",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "a"),
                "--quiet-months",
            ]
        )
        == 0
    )
    assert "sanctions vetoed (veto powers Aurelia, Borealis)" in capsys.readouterr().out
    assert (
        main(
            [
                "demo",
                "critical_mass_club",
                "--contrast",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "b"),
                "--quiet-months",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "left the treaty:" in out
    assert "does not show the claimed outcome" in out


def test_demo_of_unknown_scenario_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "no_such_scenario"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pausegame: error:") and "unknown scenario" in err


def test_demo_of_a_scenario_without_claim_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "default"]) == 2
    assert "[meta.claim]" in capsys.readouterr().err


def test_claims_command_prints_shares_and_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", "open_letter_2023", "--replicates", "40"]) == 0
    out = capsys.readouterr().out
    assert "open_letter_2023: claimed share >= 0.9" in out
    assert "claim     1.000 (40/40; Wilson 95%" in out
    assert "fails, as it should" in out


# ------------------------------------------------------------------------------ 3. claims
@pytest.mark.hardening
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


@pytest.mark.hardening
def test_issue_claim_at_20_replicates_says_how_many_it_needs():
    from experiments.teaching_cli import claim_lines

    check = ClaimCheck("x", 0.9, Share(20, 20), Share(0, 20))
    assert check.claim_verdict == "inconclusive" and check.claim_needs() == 35
    assert (
        "inconclusive at n = 20 (needs at least 35 replicates to hold)"
        in claim_lines("x", 0.9, check)[1]
    )


# ------------------------------------------------------------------------------ #27 work guard
def _no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> str:
        raise AssertionError("a command prompted")

    monkeypatch.setattr("builtins.input", refuse)


@pytest.mark.hardening
def test_claims_refuses_replicates_over_ten_minutes_naming_force(capsys, monkeypatch):
    from experiments import limits

    _no_prompt(monkeypatch)
    monkeypatch.setattr(limits, "available_bytes", lambda: int(8e9))
    assert main(["claims", "open_letter_2023", "--replicates", "1000000"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    for word in ("claims --replicates 1000000", "would take about", "10 min", "--force"):
        assert word in err, (word, err)
    # beyond memory: refused even with --force, naming the memory available
    argv = ["claims", "open_letter_2023", "--replicates", str(10**11), "--force"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    for word in ("needs about 4.0 TB of memory", "8.0 GB available", "--force does not lift"):
        assert word in err, (word, err)


@pytest.mark.hardening
def test_claims_force_runs_what_the_estimate_refuses(capsys, monkeypatch):
    from experiments import limits

    _no_prompt(monkeypatch)
    monkeypatch.setattr(limits, "SECONDS_PER_STEP", 100.0)  # an injected, very slow machine
    assert main(["claims", "open_letter_2023", "--replicates", "2"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["claims", "open_letter_2023", "--replicates", "2", "--force"]) == 3
    assert "open_letter_2023: claimed" in capsys.readouterr().out


@pytest.mark.hardening
@pytest.mark.parametrize("sub", ["", "sub"])
def test_demo_checks_its_out_before_the_run(tmp_path, capsys, sub):
    from tests.experiments.clitools import one_error_line

    file = tmp_path / "a-file"
    file.write_text("x")
    out = file / sub if sub else file
    status = main(["demo", "open_letter_2023", "--out", str(out)])
    captured = capsys.readouterr()
    line = one_error_line(status, captured.out, captured.err)  # nothing narrated first
    assert "a-file" in line and "give a folder" in line
