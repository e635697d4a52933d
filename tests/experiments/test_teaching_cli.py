"""Hardening of the statistics and analysis outputs ([hardening], part C).

Each table row is one bad input or one misleading output found by trying the commands as a
hostile user would: separated threshold fits, small-n Sobol indices, claims labelled "NOT SHOWN"
at too few replicates, outputs overwriting each other, and bad flags that gave tracebacks or
were silently accepted. The theory text is in tests/model/theory/ (marker hardening).
"""

from __future__ import annotations

import pytest

from experiments.cli import main

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
