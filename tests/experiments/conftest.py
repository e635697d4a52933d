"""Fixtures shared by the experiments' tests: a sweep killed part-way, a machine with 8 GB, a small
finished batch made once per module (tests work on copies)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from experiments import limits
from experiments.cli import main
from tests.experiments.clitools import GB
from tests.experiments.damaged import DESIGN


def _sweep_killed_after(
    design: Path, out: Path, *, chunk_size: int, flush_rows: int, parts: int, timeout: float = 120.0
) -> None:
    """Run ``pausegame sweep`` serially and ``kill -9`` it once ``parts`` results are written.

    Fails if the sweep ends before it can be killed (make the design longer).
    """
    cmd = [
        sys.executable,
        "-m",
        "experiments.cli",
        "sweep",
        str(design),
        "--executor",
        "serial",
        "--out",
        str(out),
        "--chunk-size",
        str(chunk_size),
        "--flush-rows",
        str(flush_rows),
        "--quiet",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            written = (
                list((out / "results").glob("part-*.parquet")) if (out / "results").is_dir() else []
            )
            if len(written) >= parts or proc.poll() is not None:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def sweep_killed_after() -> Callable[..., None]:
    """:func:`_sweep_killed_after`: a sweep killed by ``kill -9`` part-way."""
    return _sweep_killed_after


@pytest.fixture
def eight_gb(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with 8 GB available, whatever this one has."""
    monkeypatch.setattr(limits, "available_bytes", lambda: int(8 * GB))


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished batch (8 runs, with series), made once; tests work on copies."""
    root = tmp_path_factory.mktemp("batch")
    design = root / "hard.toml"
    design.write_text(DESIGN)
    out = root / "done"
    assert main(["sweep", str(design), "--executor", "serial", "--out", str(out), "-q"]) == 0
    return design, out


@pytest.fixture
def batch(finished, tmp_path):
    design, out = finished
    copy = tmp_path / "batch"
    shutil.copytree(out, copy)
    return design, copy
