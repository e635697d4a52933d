"""The pledges' parameters on the command line (#30): listed, an unknown force refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.params import PLEDGES, schema
from tests.experiments.clitools import one_error_line, run_cli


def test_params_lists_the_pledges_group(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "params")
    assert status == 0
    section = out[out.index("PLEDGES\n") :]
    flat = " ".join(section.split())
    for p in PLEDGES:
        assert f"  {p.name}   default {p.default}" in section, p.name
        assert schema()[p.name].bounds_text() in flat, p.name
    assert "'reviewed' (a detected breach, pledged comply and defected, multiplies" in flat
    assert "not built" not in flat


def test_an_unknown_pledge_force_on_the_command_line_is_one_line_naming_the_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("run", "--pledges", "on", "--pledge-binding", "promised", "--out", str(tmp_path / "r"))
    line = one_error_line(*run_cli(capsys, *args))
    assert "pledge_binding='promised'" in line
    assert "'cheap_talk', 'reviewed', 'binding'" in line
    assert not (tmp_path / "r").exists()


def test_reviewed_pledges_run_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("run", "--pledges", "on", "--pledge-binding", "reviewed", "--steps", "3")
    status, _, _ = run_cli(capsys, *args, "--out", str(tmp_path / "r"))
    assert status == 0
    assert (tmp_path / "r").exists()


def test_params_lists_the_conditional_cooperators_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run_cli(capsys, "params")
    assert status == 0
    flat = " ".join(out.split())
    assert "'conditional_cooperator'" in flat
    for name in ("cc_threshold", "cc_memory", "cc_fallback"):
        assert f"{name} default {schema()[name].default}" in flat, name
        assert schema()[name].bounds_text() in flat, name
    assert "'conditional_cooperator'" not in schema()["cc_fallback"].bounds_text()


def test_the_conditional_cooperator_without_pledges_is_one_line_naming_pledges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("run", "--decision-rule", "conditional_cooperator", "--out", str(tmp_path / "r"))
    line = one_error_line(*run_cli(capsys, *args))
    assert "pledges='off'" in line and "conditional_cooperator" in line and "'on'" in line
    assert not (tmp_path / "r").exists()
