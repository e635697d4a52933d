"""Running ``pausegame`` in-process and reading its one-line errors (the CLI tests share these)."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.cli import main

GB = 1e9


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def one_error_line(status: int, out: str, err: str) -> str:
    assert status == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pausegame: error: ")
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


TWO = '[[nations]]\nname = "A"\n[[nations]]\nname = "B"\n[[nations]]\nname = "C"\n'
