"""Running designs: executors agree run for run, the store resumes, extends, retries, refuses.

Sweeps on the batched path (model/batched.py) equal the single-run path, row for row.

For every shipped design (a slice of its runs) and for a design that switches on every
mechanism the batched path covers (and some it does not, which fall back): the results
table and the time series of ``run_design(batched=True)`` equal ``batched=False`` exactly;
the local pool agrees with serial; a sweep killed mid-batch resumes to the same table; and the
closing summary says which runs took the single-run path and why.

[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from experiments.batch import (
    load_design,
)
from experiments.batch import runner as batch_runner
from tests.experiments.damaged import DESIGN

# ------------------------------------------------------------------------------ 2. processes
LONG = """
[meta]
name = "long"
[base.params]
n_nations = 4
n_labs = 4
[sweep]
p_detect = { start = 0.0, stop = 1.0, num = 40 }
[run]
replicates = 4
steps = 600
master_seed = 3
"""


def _hold(started: Any, seconds: float) -> None:
    started.set()
    time.sleep(seconds)


def _still_running(proc: psutil.Process) -> bool:
    """True unless the process ended: gone, or a zombie (ended, its exit status not yet read:
    an orphan whose new parent does not reap it stays one)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.hardening
@pytest.mark.parametrize("method", ["auto", "spawn"])
def test_workers_end_when_the_sweep_is_killed(tmp_path, method):
    design = tmp_path / "long.toml"
    design.write_text(LONG)
    exe = Path(sys.executable).with_name("pausegame")
    proc = subprocess.Popen(
        [
            str(exe),
            "sweep",
            str(design),
            "--executor",
            "local",
            "--workers",
            "2",
            "--out",
            str(tmp_path / "out"),
            "-q",
            "--start-method",
            method,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # spawn also starts multiprocessing's resource tracker; forked workers need none
    want = 3 if method == "spawn" else 2
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # two workers (and the resource tracker)
            if len(parent.children(recursive=True)) >= want:
                break
            time.sleep(0.2)
        children = parent.children(recursive=True)
        assert len(children) >= want, children
        if method == "spawn":
            assert [c for c in children if "resource_tracker" in " ".join(c.cmdline())]
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        # generous: a loaded machine's orphaned workers take a while to see the parent gone
        _, alive = psutil.wait_procs(children, timeout=30)
        alive = [p for p in alive if _still_running(p)]  # a zombie has ended (unreaped only)
        assert alive == [], [(p.pid, p.name()) for p in alive]
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
        for child in psutil.Process().children(recursive=True):  # pragma: no cover
            if (
                child.pid != proc.pid
                and child.is_running()
                and "spawn_main" in " ".join(child.cmdline())
            ):
                child.kill()


@pytest.mark.hardening
def test_auto_start_method_forks_only_a_single_threaded_process_on_linux():
    import threading

    assert batch_runner.start_method_for("spawn") == "spawn"
    assert batch_runner.start_method_for("forkserver") == "forkserver"
    single = "fork" if sys.platform.startswith("linux") else "spawn"
    # a fresh process (as `pausegame sweep` is), since earlier tests may leave threads here
    code = "from experiments.batch.runner import start_method_for; print(start_method_for('auto'))"
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == single
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:  # a process with threads (the app's server) never forks its workers
        assert batch_runner.start_method_for("auto") == "spawn"
    finally:
        stop.set()
        thread.join()


@pytest.mark.hardening
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_worker_never_holds_the_directory_lock(tmp_path):
    """The lock is the sweep's: once the sweep lets go (or dies), the directory is free."""
    import multiprocessing

    from experiments.batch.store import ResultsStore

    path = tmp_path / "d.toml"
    path.write_text(DESIGN)
    d = load_design(path)
    store, _ = ResultsStore.open(tmp_path / "r", d)
    ctx = multiprocessing.get_context("fork")
    started = ctx.Event()
    child = ctx.Process(target=_hold, args=(started, 30))
    child.start()
    try:
        assert started.wait(20)  # the child runs (past its after-fork handlers)
        store.close()  # the forked child is still running
        again, action = ResultsStore.open(tmp_path / "r", d)
        assert action == "resumed"
        again.close()
    finally:
        child.kill()
        child.join()


@pytest.mark.hardening
def test_the_watchdog_ends_a_worker_whose_parent_is_gone():
    """The portable half (no prctl): a worker watching another process ends when it does."""
    watched = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )  # ends when its stdin is closed
    created = psutil.Process(watched.pid).create_time()
    code = (
        "import sys, time; from experiments.batch.executors.local import _die_with_parent; "
        "_die_with_parent(int(sys.argv[1]), float(sys.argv[2])); print('watching', "
        "flush=True); time.sleep(60)"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", code, str(watched.pid), repr(created)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "watching"
        time.sleep(2 * batch_runner.WATCHDOG_SECONDS)
        assert worker.poll() is None and watched.poll() is None  # alive while it is
        assert watched.stdin is not None
        watched.stdin.close()
        watched.wait(10)
        ended = time.monotonic()
        assert worker.wait(10) == 1
        assert time.monotonic() - ended < 3 * batch_runner.WATCHDOG_SECONDS + 2
    finally:
        for proc in (watched, worker):
            if proc.poll() is None:  # pragma: no cover
                proc.kill()
