"""A sweep on a real Dask cluster of separate processes, one worker killed mid-sweep (#34).

A ``dask scheduler`` and one ``dask worker --nthreads 1`` per core (at least two) listen on
127.0.0.1 at ports free when the test starts; ``pausegame sweep --executor dask --scheduler``
runs a design on them; once the store holds its first finished results part (polled), one
worker is killed. The sweep still finishes, and its table equals a serial run's row for row.
Every process is stopped by its pid at the end; the whole test has 120 s.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import tomli_w

from experiments.batch import design_from_mapping, load_results
from tests.experiments.batch.shared import SMALL, run

TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(what: str, ready, deadline: float, procs: list[subprocess.Popen]) -> None:
    while not ready():
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{p.args[:3]} ended (status {p.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_sweep_on_a_dask_cluster_survives_a_killed_worker(tmp_path: Path):
    deadline = time.monotonic() + TIMEOUT
    mapping = {
        "meta": {"name": "cluster"},
        "base": {"params": dict(SMALL)},
        "sweep": {"p_detect": [0.1, 0.5, 0.9], "penalty": [3.0, 9.0]},
        "run": {"replicates": 8, "steps": 150, "master_seed": 4242, "seed_scheme": "common"},
    }
    d = design_from_mapping(mapping, source="cluster.toml")  # for the serial run
    design_file = tmp_path / "cluster.toml"
    design_file.write_text(tomli_w.dumps(mapping))
    dask = [sys.executable, "-m", "dask"]  # the `dask` command of this environment
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    n_workers = max(2, os.cpu_count() or 1)
    procs: list[subprocess.Popen] = []
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        procs.append(
            subprocess.Popen(
                [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                **quiet,
            )
        )
        _wait_for("the scheduler", lambda: _listening(port), deadline, procs)
        workers = [
            subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1"]
                + ["--no-dashboard", "--name", f"w{i}"],
                **quiet,
            )
            for i in range(n_workers)
        ]
        procs += workers
        out = tmp_path / "out"
        sweep = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "experiments.cli",
                "sweep",
                str(design_file),
                "--executor",
                "dask",
            ]
            + ["--scheduler", address, "--out", str(out), "--chunk-size", "1"]
            + ["--flush-rows", "1", "--progress", "none"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(sweep)
        results = out / "results"

        def first_part() -> bool:
            return results.is_dir() and any(results.glob("part-*.parquet"))

        _wait_for("the first results part", first_part, deadline, [sweep])
        assert sweep.poll() is None, "the sweep ended before a worker could be killed"
        parts_at_kill = len(list(results.glob("part-*.parquet")))
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=10)
        output, _ = sweep.communicate(timeout=max(1.0, deadline - time.monotonic()))
        assert sweep.returncode == 0, output
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()  # by its pid
                p.wait(timeout=10)
    assert all(p.poll() is not None for p in procs)
    got = load_results(out).frame.sort_values("run_id").reset_index(drop=True)
    assert parts_at_kill < d.n_runs == len(got)
    serial = run(d, tmp_path / "serial").frame.sort_values("run_id").reset_index(drop=True)
    assert got["status"].eq("ok").all()
    pd.testing.assert_frame_equal(got, serial, check_exact=True)
