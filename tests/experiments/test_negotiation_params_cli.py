"""The negotiation's parameters on the command line (#29): listed, and a bad protocol refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.params import NEGOTIATION, schema
from tests.experiments.clitools import one_error_line, run_cli, write

ALLOWED = (
    "one of 'terms_rule', 'rotating_unanimity', 'baron_ferejohn', 'alternating_offers', 'nash'"
)


def test_params_lists_the_negotiation_group_and_says_how_the_months_read_the_bond(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run_cli(capsys, "params")
    assert status == 0
    section = out[out.index("NEGOTIATION\n") :]
    flat = " ".join(section.split())
    for p in NEGOTIATION:
        assert f"  {p.name}   default {p.default}" in section, p.name
        assert schema()[p.name].bounds_text() in flat, p.name
    assert flat.count("Read in the months: a receiver's expected forfeit is part of") == 1
    assert "Not read yet" not in flat and "not yet paid" not in flat


def test_an_unknown_protocol_on_the_command_line_is_one_line_listing_the_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_error_line(
        *run_cli(capsys, "run", "--protocol", "haggle", "--out", str(tmp_path / "r"))
    )
    assert "protocol='haggle'" in line and ALLOWED in line
    assert not (tmp_path / "r").exists()


def test_an_unknown_protocol_in_a_scenario_is_one_line_listing_the_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write(tmp_path / "s.toml", '[params]\nprotocol = "haggle"\nsteps = 3\n')
    line = one_error_line(*run_cli(capsys, "run", str(scenario), "--out", str(tmp_path / "r")))
    assert "s.toml" in line and "protocol='haggle'" in line and ALLOWED in line
    assert not (tmp_path / "r").exists()
