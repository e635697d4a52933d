"""Output paths checked before any work: ``--out ''`` on every command, files and folders (#27)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from experiments.cli import build_parser
from experiments.files import check_out_dir, check_out_file, out_argument
from model.errors import ConfigError
from tests.experiments.clitools import one_error_line, run_cli

pytestmark = pytest.mark.hardening


def _commands_with_out() -> list[str]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(
        name
        for name, sub in subparsers.choices.items()
        if any("--out" in action.option_strings for action in sub._actions)
    )


COMMANDS_WITH_OUT = _commands_with_out()


def test_the_commands_with_out_are_all_found() -> None:
    expected = {"run", "sweep", "export", "analyze", "threshold", "sensitivity", "map", "demo"}
    assert expected <= set(COMMANDS_WITH_OUT), COMMANDS_WITH_OUT


@pytest.mark.parametrize("name", COMMANDS_WITH_OUT)
@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_out_is_one_line_on_every_command(
    name: str, empty: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    line = one_error_line(*run_cli(capsys, name, "--out", empty))
    assert "argument --out" in line and "empty path" in line
    assert list(tmp_path.iterdir()) == []


def test_out_folders_and_files_are_checked(tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("x")
    assert check_out_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    with pytest.raises(ConfigError, match="'.*a-file' is a file; give a folder"):
        check_out_dir(file)
    with pytest.raises(ConfigError, match="lies under '.*a-file', a file"):
        check_out_dir(file / "sub")
    assert check_out_file(tmp_path / "x.csv") == tmp_path / "x.csv"
    with pytest.raises(ConfigError, match="is a folder; give a file name"):
        check_out_file(tmp_path)
    with pytest.raises(ConfigError, match="its folder '.*missing' does not exist"):
        check_out_file(tmp_path / "missing" / "x.csv")
    with pytest.raises(ConfigError, match="its folder '.*a-file' is a file"):
        check_out_file(file / "x.csv")
    with pytest.raises(argparse.ArgumentTypeError, match="empty path"):
        out_argument("")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(ConfigError, match="cannot be written"):
        check_out_dir(locked / "out")
    with pytest.raises(ConfigError, match="cannot be written"):
        check_out_file(locked / "x.csv")
