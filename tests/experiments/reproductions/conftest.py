"""Shared by the reproductions' tests: one quick run of each reproduction per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from experiments.reproductions import load
from experiments.reproductions.common import Reproduction


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> Callable[[str], tuple[Reproduction, Path]]:
    """``reproduced(name)``: the reproduction's quick run and the folder it wrote in, run once."""
    runs: dict[str, tuple[Reproduction, Path]] = {}

    def run(name: str) -> tuple[Reproduction, Path]:
        if name not in runs:
            out = tmp_path_factory.mktemp(name)
            runs[name] = load(name).reproduce(out, quick=True), out
        return runs[name]

    return run
