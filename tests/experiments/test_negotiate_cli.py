"""``pausegame negotiate``: a scenario's treaty negotiated, narrated, then run (#29).

Through the real entry point (:func:`experiments.cli.main`).
"""

from __future__ import annotations

import json

from tests.experiments.clitools import one_error_line, run_cli

SMALL = ("--n-nations", "6", "--n-labs", "6", "--steps", "6", "--seed", "1")


def test_the_narrative_names_the_rounds_the_agreement_and_the_signatories(capsys, tmp_path):
    out_dir = tmp_path / "out"
    status, out, err = run_cli(
        capsys, "negotiate", *SMALL, "--risk-cost", "3", "--out", str(out_dir)
    )
    assert status == 0, err
    assert "Negotiation under rotating_unanimity" in out
    assert "Round 1 (month 1)" in out and "adopted" in out
    assert "Agreement: p_detect" in out and "Signed: 6 of 6 nations" in out
    assert "The pause held" in out  # then the months, as `pausegame run` reports them
    record = json.loads((out_dir / "negotiation.json").read_text())
    assert record["protocol"] == "rotating_unanimity"
    assert record["month"] == 1 and record["rounds"][0]["passed"] is True
    assert abs(sum(record["transfers"])) < 1e-12
    assert (out_dir / "timeseries.csv").exists()
    header = (out_dir / "timeseries.csv").read_text().splitlines()[0]
    assert "proposer" in header and "yes_votes" in header


def test_json_and_the_scenarios_own_terms(capsys, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text("[negotiation]\np_detect = [0.5, 1.0]\npenalty = [1.0, 5.0]\n")
    status, out, err = run_cli(
        capsys,
        "negotiate",
        str(scenario),
        *SMALL,
        "--risk-cost",
        "3",
        "--protocol",
        "nash",
        "--json",
        "--out",
        str(tmp_path / "o"),
    )
    assert status == 0, err
    record = json.loads(out)
    assert record["protocol"] == "nash"
    assert 0.5 <= record["agreed"]["p_detect"] <= 1.0
    assert 1.0 <= record["agreed"]["penalty"] <= 5.0


def test_no_agreement_is_said(capsys, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text("[negotiation]\np_detect = [0.6, 1.0]\npenalty = [10.0, 20.0]\n")
    status, out, err = run_cli(
        capsys, "negotiate", str(scenario), *SMALL, "--n-labs", "0", "--out", str(tmp_path / "o")
    )
    assert status == 0, err
    assert "No agreement in 20 rounds" in out
    assert "No pause bound anyone" in out


def test_bad_input_gets_one_line_and_exit_2(capsys):
    line = one_error_line(*run_cli(capsys, "negotiate", *SMALL, "--protocol", "terms_rule"))
    assert "negotiates nothing" in line
    line = one_error_line(*run_cli(capsys, "negotiate", *SMALL, "--protocol", "haggling"))
    assert "rotating_unanimity" in line
    line = one_error_line(
        *run_cli(capsys, "negotiate", *SMALL, "--protocol", "nash", "--discount", "1")
    )
    assert "discount below 1" in line


def test_the_config_reproduces_a_negotiated_run(capsys, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text("[negotiation]\np_detect = [0.5, 1.0]\npenalty = [1.0, 5.0]\n")
    first = tmp_path / "first"
    status, _, err = run_cli(
        capsys, "negotiate", str(scenario), *SMALL, "--risk-cost", "3", "--out", str(first)
    )
    assert status == 0, err
    assert "[negotiation]" in (first / "config.toml").read_text()
    again = tmp_path / "again"
    status, _, err = run_cli(
        capsys, "run", "--config", str(first / "config.toml"), "--out", str(again)
    )
    assert status == 0, err
    assert (first / "timeseries.csv").read_text() == (again / "timeseries.csv").read_text()


def test_the_narrative_says_what_the_months_paid_and_the_bond_forfeited(capsys, tmp_path):
    status, out, err = run_cli(
        capsys,
        "negotiate",
        *SMALL,
        "--risk-cost",
        "3",
        "--transfers-conditional",
        "true",
        "--out",
        str(tmp_path / "o"),
    )
    assert status == 0, err
    flat = " ".join(out.split())
    # the agreement of month 1 takes effect in month 2: months 2..6 pay
    assert "Transfers paid monthly while the treaty was in force: 5 months," in flat
    assert "Conditional (a bond):" in flat
    record = json.loads((tmp_path / "o" / "negotiation.json").read_text())
    receipts = sum(x for x in record["transfers"] if x > 0)
    paid = record["transfers_paid"] + record["transfers_forfeited"]
    assert abs(paid - 5 * receipts) < 1e-9
    header = (tmp_path / "o" / "timeseries.csv").read_text().splitlines()[0]
    assert "transfers_paid" in header.split(",")


def test_an_empty_treaty_is_called_one(capsys, tmp_path):
    # at the default risk_cost no term with verification pays every nation: they agree on
    # p_detect 0, which changes next to nothing (gains below 1e-6, transfers too)
    status, out, err = run_cli(capsys, "negotiate", *SMALL, "--out", str(tmp_path / "o"))
    assert status == 0, err
    flat = " ".join(out.split())
    assert "Agreement: p_detect 0," in flat
    assert "the terms adopted change next to nothing" in flat
    assert "Transfers per month" not in flat and "Transfers paid monthly" not in flat
