"""The Stability map's design, cache and background job (viz/map_job.py)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from viz.map_job import job_for, map_design_mapping, map_key


def test_map_design_is_cached_per_parameter_set(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    a = map_design_mapping({"n_nations": 8})
    assert map_key(a) == map_key(map_design_mapping({"n_nations": 8}))
    assert map_key(a) != map_key(map_design_mapping({"n_nations": 9}))
    assert job_for(a) is job_for(map_design_mapping({"n_nations": 8}))


def test_a_small_map_computes_in_the_background_and_marks_theory(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    from viz.stability import map_spec

    job = job_for(map_design_mapping({"n_nations": 4, "n_labs": 2}, grid=3, replicates=2, steps=10))
    job.start(workers=1)
    job.wait(120)
    assert job.state == "done", job.error
    assert job.done == job.total == 18
    assert job.result.survival.shape == (3, 3)
    spec = map_spec(job.result, (0.3, 4.0))
    assert len(spec["layer"]) == 3  # cells, theory's curves, the current point


class _Child:
    """A stand-in for the map's process: runs until it ends (``returncode``), records signals."""

    def __init__(self, stops_on_interrupt: bool) -> None:
        self.returncode: int | None = None
        self.signals: list[int] = []
        self.stops_on_interrupt = stops_on_interrupt

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)
        if self.stops_on_interrupt:
            self.returncode = 3  # the map's process stopped its chunk in flight


def _job(tmp_path, monkeypatch, child, reported=True):
    """A job whose process is ``child``; ``reported``: it has written its first progress."""
    import json
    import threading

    from viz.map_job import MapJob

    monkeypatch.setenv("PAUSEGAME_MAP_CACHE", str(tmp_path))
    launched = threading.Event()
    calls = []

    def launcher(spec, log):
        calls.append(spec)
        if reported:
            progress = json.loads(spec.read_text())["progress"]
            Path(progress).write_text(json.dumps({"done": 0, "total": 4, "kept": 0}))
        launched.set()
        return child

    job = MapJob(key="k", data=map_design_mapping({}, grid=2, replicates=1), launcher=launcher)
    job.total = 4
    return job, launched, calls


@pytest.mark.hardening
def test_cancel_says_cancelling_at_once_and_interrupts_the_running_map(tmp_path, monkeypatch):
    from viz.stability import status_text

    child = _Child(stops_on_interrupt=True)
    job, launched, _ = _job(tmp_path, monkeypatch, child)
    job.start()
    assert launched.wait(30)
    assert job.state == "running"
    job.cancel()
    # at once, before the map's process has stopped: a state of its own, no counting
    assert job.state == "cancelling"
    assert status_text(job, False).startswith("Cancelling…")
    job.wait(30)
    assert job.state == "cancelled"
    assert (tmp_path / "k.cancel").exists()  # the stop file the process's reports read
    assert child.signals == ([signal.SIGINT] if os.name == "posix" else [])


@pytest.mark.hardening
def test_a_slow_cancel_stays_cancelling_without_counting(tmp_path, monkeypatch):
    from viz.stability import status_text

    # a process that has not reported yet (still starting): no interrupt (it would kill it),
    # it stops at its first report, which reads the stop file
    child = _Child(stops_on_interrupt=False)
    job, launched, calls = _job(tmp_path, monkeypatch, child, reported=False)
    job.cancel()  # not running yet: nothing to cancel
    assert job.state == "idle"
    job.start()
    assert launched.wait(30)
    job.cancel()
    shown = status_text(job, False)
    job.seconds += 5.0  # time passes while the chunk finishes
    job.done = 2
    assert job.state == "cancelling" and status_text(job, False) == shown
    assert "so far" not in shown and "of 4" not in shown
    job.start()  # Compute map while cancelling starts nothing
    job.cancel()  # nor does a second Cancel change anything
    assert job.state == "cancelling" and len(calls) == 1
    stop = tmp_path / "k.cancel"
    for _ in range(600):  # the stop file the process's first report reads
        if stop.exists():
            break
        time.sleep(0.05)
    assert stop.exists()
    child.returncode = 3  # that report stopped it
    job.wait(30)
    assert job.state == "cancelled"
    assert status_text(job, False).startswith("Cancelled at")
    assert child.signals == []


@pytest.mark.hardening
def test_the_map_process_stops_its_chunk_in_flight_on_an_interrupt(tmp_path):
    from viz.map_job import MapInterrupted, interrupt_handler

    def chunk(handler):  # stands for the batch's chunk of runs
        handler(signal.SIGINT, sys._getframe())

    stop = tmp_path / "stop"
    handler = interrupt_handler(stop, chunk.__code__)
    with pytest.raises(MapInterrupted):
        chunk(handler)
    assert stop.exists()
    assert not issubclass(MapInterrupted, Exception)  # the batch does not record it as failed
    stop.unlink()
    handler(signal.SIGINT, sys._getframe())  # outside a chunk (writing results): no raise
    assert stop.exists()  # the batch stops at its next report
