"""The pledges' parameters on the command line (#30): listed, and 'reviewed' refused."""

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
    assert "'reviewed' is declared but not built yet (#30)" in flat


def test_reviewed_pledges_on_the_command_line_are_one_line_saying_not_built_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("run", "--pledges", "on", "--pledge-binding", "reviewed", "--out", str(tmp_path / "r"))
    line = one_error_line(*run_cli(capsys, *args))
    assert "pledge_binding='reviewed' is not built yet (#30)" in line
    assert "'cheap_talk' or 'binding'" in line
    assert not (tmp_path / "r").exists()


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
