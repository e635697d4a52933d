"""Fixtures shared by the experiment-batch tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest


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
