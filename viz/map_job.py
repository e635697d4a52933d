"""The Stability map's computation: its design, a background job per map, and the cache.

A :class:`MapJob` runs the map's batch (:func:`map_design_mapping`, an experiment batch of
:mod:`experiments.batch`) in a child process (``python -m viz.map_job``: :func:`run_job`),
follows its progress and cancels it (``cancelling`` at once; the child stops the chunk of runs
in flight, keeping the finished ones); :func:`job_for` finds the running or finished job of a
design (the cache: results directories named by :func:`map_key` under :func:`cache_root`). The
page is :mod:`viz.stability`, from which every name here is importable too.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType
from typing import IO, Any, Protocol

#: The app's map: 11 x 11 points, 10 replicates.
GRID = 11
REPLICATES = 10
PENALTY_MAX = 10.0
MAP_SEED = 20260601
#: Worker processes of a map (the server's other work stays on its own process).
WORKERS = 1 if (os.cpu_count() or 1) <= 2 else min(4, (os.cpu_count() or 1) - 1)

_LOCK = threading.Lock()
_JOBS: dict[str, MapJob] = {}


class MapCancelled(Exception):
    """Raised inside the batch's progress callback to stop it."""


class MapInterrupted(BaseException):
    """Raised by the map's process on an interrupt inside a chunk of runs, to stop it at once.

    A ``BaseException``: the batch records an ordinary exception as the chunk's failed runs;
    this one passes through, the chunk's runs are not recorded (a resume runs them) and the
    runs finished before it are written (:func:`~experiments.batch.run_design` flushes them).
    """


class Child(Protocol):
    """What a :class:`MapJob` needs of the map's process (a :class:`subprocess.Popen`)."""

    returncode: int | None

    def poll(self) -> int | None:
        """The exit status, or None while it runs."""

    def send_signal(self, sig: int) -> None:
        """Send a signal to the process."""


def launch(spec: Path, log: IO[bytes]) -> Child:
    """Start the map's process on the job file ``spec`` (``python -m viz.map_job``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "viz.map_job", str(spec)], stdout=log, stderr=subprocess.STDOUT
    )


def cache_root() -> Path:
    """Where finished (and cancelled) maps are kept."""
    root = os.environ.get("PAUSEGAME_MAP_CACHE")
    return Path(root) if root else Path(tempfile.gettempdir()) / "pausegame-maps"


def map_design_mapping(
    params: dict[str, Any],
    *,
    scenario: str | None = "default",
    grid: int = GRID,
    replicates: int = REPLICATES,
    steps: int | None = None,
    penalty_max: float = PENALTY_MAX,
) -> dict[str, Any]:
    """The batch design (the tables of a design file) of a map at these other parameters."""
    base = {
        k: v
        for k, v in params.items()
        if k not in ("p_detect", "penalty", "seed", "steps") and v is not None
    }
    data: dict[str, Any] = {
        "meta": {"name": "app_stability_map", "title": "Stability map (app)"},
        "base": {"params": base},
        "sweep": {
            "p_detect": {"start": 0.0, "stop": 1.0, "num": grid},
            "penalty": {"start": 0.0, "stop": float(penalty_max), "num": grid},
        },
        "run": {"replicates": int(replicates), "master_seed": MAP_SEED, "seed_scheme": "common"},
    }
    if scenario:
        data["base"]["scenario"] = scenario
    if steps is not None:
        data["run"]["steps"] = int(steps)
    return data


def map_key(data: dict[str, Any]) -> str:
    """The cache key of a design: a digest of its tables."""
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class MapJob:
    """One map's computation (shared by every visitor asking for the same parameters).

    Attributes:
        key: The cache key.
        data: The design's tables.
        state: ``idle``, ``running``, ``cancelling`` (asked to stop; the map's process is
            stopping), ``done``, ``cancelled`` or ``failed``.
        done: Runs finished (this session plus earlier ones).
        total: Runs in the map.
        error: What went wrong (``failed``).
        seconds: Wall time of the computation, summed over a cancelled start and its resume
            (also for a map finished on an earlier server run, read from its ``.meta.json``).
        kept: Runs already in the results directory when the last computation started (a
            resume of a cancelled map).
        result: The :class:`experiments.analysis.StabilityMap` once done.
        launcher: Starts the map's process (:func:`launch`; tests give a stand-in).
    """

    key: str
    data: dict[str, Any]
    state: str = "idle"
    done: int = 0
    total: int = 0
    error: str | None = None
    seconds: float = 0.0
    kept: int = 0
    result: Any = None
    launcher: Callable[[Path, IO[bytes]], Child] = field(default=launch, repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def path(self) -> Path:
        """The results directory."""
        return cache_root() / self.key

    @property
    def meta_path(self) -> Path:
        """Where the wall time of a map (over its starts) is kept beside its results."""
        return cache_root() / f"{self.key}.meta.json"

    def snapshot(self) -> tuple[str, int, int]:
        """(state, done, total): what a page watching the job shows (it redraws on a change)."""
        return self.state, self.done, self.total

    def start(self, executor: str = "local", workers: int | None = None) -> None:
        """Compute in a background thread (no-op when running, cancelling or done)."""
        with _LOCK:
            if self.state in ("running", "cancelling", "done"):
                return
            self.state = "running"
            self.error = None
            self._cancel.clear()
            self._thread = threading.Thread(
                target=self._run,
                args=(executor, workers),
                name=f"pausegame-map-{self.key}",
                daemon=True,
            )
            self._thread.start()

    def cancel(self) -> None:
        """Stop a running map: ``cancelling`` at once, then ``cancelled`` once its process ends.

        The process is interrupted in the chunk of runs in flight (on POSIX; elsewhere, and
        with several workers, it stops after the chunks in flight); finished runs are kept for
        a resume. No-op unless running.
        """
        with _LOCK:
            if self.state != "running":
                return
            self.state = "cancelling"
            self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the background thread (tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, executor: str, workers: int | None) -> None:
        """Run the batch in a child process (``python -m viz.map_job``) and follow it."""
        start = time.perf_counter()
        earlier = self.seconds  # a cancelled start's time: the resume adds to it
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        spec = folder / f"{self.key}.job.json"
        progress = folder / f"{self.key}.progress.json"
        stop = folder / f"{self.key}.cancel"
        stop.unlink(missing_ok=True)
        progress.unlink(missing_ok=True)
        spec.write_text(
            json.dumps(
                {
                    "data": self.data,
                    "out": str(self.path),
                    "executor": executor,
                    "workers": workers or WORKERS,
                    "progress": str(progress),
                    "cancel": str(stop),
                },
                default=str,
            )
        )
        log = folder / f"{self.key}.log"
        try:
            with log.open("wb") as fh:
                child = self.launcher(spec, fh)
                asked = interrupted = False
                while child.poll() is None:
                    if self._cancel.is_set() and not asked:
                        asked = True  # the stop file: read at the process's next report
                        stop.write_text("cancel")
                    if asked and not interrupted and progress.exists():
                        # an interrupt for the chunk in flight, once the process has reported
                        # (its handler is set by then; before, an interrupt would kill it)
                        interrupted = True
                        _interrupt(child)
                    self._read_progress(progress)
                    self.seconds = earlier + time.perf_counter() - start
                    if asked:
                        time.sleep(0.05)
                    else:
                        self._cancel.wait(0.25)  # a Cancel wakes it at once
            self._read_progress(progress)
            if child.returncode == 3:
                final = "cancelled"
            elif child.returncode != 0:
                tail = log.read_text(errors="replace").strip().splitlines()[-1:]
                self.error = f"the map's process failed ({child.returncode}): {' '.join(tail)}"
                final = "failed"
            else:
                self.result = self.load_result()
                self.done = self.total
                self.seconds = earlier + time.perf_counter() - start
                _write_meta(self.meta_path, self.seconds, self.total)
                final = "done"
        except Exception as exc:  # noqa: BLE001 - shown on the page
            self.error = f"{type(exc).__name__}: {exc}"
            final = "failed"
        finally:
            self.seconds = earlier + time.perf_counter() - start
        with _LOCK:  # after a Cancel that came too late too: the map's process has ended
            self.state = final

    def load_result(self) -> Any:
        """The finished computation's result, read from :attr:`path` (the stability map)."""
        from experiments.analysis import BatchContext, stability_map

        return stability_map(BatchContext.open(self.path))

    def _read_progress(self, path: Path) -> bool:
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError, TypeError):
            return False
        self.done, self.total = int(info["done"]), int(info["total"])
        self.kept = int(info.get("kept", 0))
        return True


def _interrupt(child: Child) -> None:
    """Interrupt the map's process (SIGINT, POSIX only: Windows would end it at once)."""
    if os.name != "posix":
        return
    try:
        child.send_signal(signal.SIGINT)
    except OSError:  # it has just ended
        pass


def interrupt_handler(stop: Path, chunk: CodeType) -> Callable[[int, FrameType | None], None]:
    """The map process's SIGINT handler: a cancel, at once inside a chunk of runs.

    It always writes the stop file (the next progress report stops the batch); inside the code
    ``chunk`` (the batch's chunk of runs) it raises :class:`MapInterrupted` to stop the chunk
    in flight. Anywhere else (writing results, say) it raises nothing: the batch stops at its
    next report, with every finished run written.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.write_text("cancel")
        while frame is not None:
            if frame.f_code is chunk:
                raise MapInterrupted
            frame = frame.f_back

    return handler


def _write_meta(path: Path, seconds: float, runs: int) -> None:
    """Keep a finished map's wall time (its cached view says it) and this machine's rate."""
    try:
        path.write_text(json.dumps({"seconds": seconds, "runs": runs}))
        (path.parent / "rate.json").write_text(
            json.dumps({"seconds_per_run": seconds / max(runs, 1), "workers": WORKERS})
        )
    except OSError:
        pass


def _read_json(path: Path) -> dict[str, Any]:
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


#: Seconds a run of the app's map takes on one worker when this machine has computed none yet
#: (measured: 1210 runs of the default world in 12.7 s on one worker).
SECONDS_PER_RUN = 0.011


def estimate_text(runs: int) -> str:
    """How long a map of ``runs`` runs should take here, from the last map computed here."""
    rate = _read_json(cache_root() / "rate.json")
    try:
        per_run = float(rate["seconds_per_run"])
        measured = True
    except (KeyError, TypeError, ValueError):
        per_run, measured = SECONDS_PER_RUN / WORKERS, False
    seconds = per_run * runs
    amount = f"about {seconds:.0f} s" if seconds < 90 else f"about {seconds / 60:.0f} min"
    if measured:
        return f"{amount} here, judging by the last map computed on this server"
    return f"roughly {amount} for a world of the default size; larger worlds take longer"


def run_job(spec_path: str) -> int:
    """The child process: run the map's batch, writing progress; stop when asked (exit 3)."""
    from experiments.batch import design_from_mapping, run_design, worker

    job = json.loads(Path(spec_path).read_text())
    design = design_from_mapping(job["data"], source="app map")
    out, progress, stop = Path(job["out"]), Path(job["progress"]), Path(job["cancel"])
    signal.signal(signal.SIGINT, interrupt_handler(stop, worker.run_chunk.__code__))
    before = _finished_runs(out)

    def report(done: int, failed: int) -> None:
        progress.write_text(
            json.dumps({"done": before + done, "total": design.n_runs, "kept": before})
        )
        if stop.exists():
            raise MapCancelled

    executor = job["executor"] if int(job["workers"]) > 1 else "serial"
    try:  # a Cancel before the first chunk stops at this first report: a cancel, not a failure
        report(0, 0)
        run_design(
            design,
            out,
            executor=executor,
            workers=int(job["workers"]),
            progress="none",
            on_progress=report,
            load=False,
            command=["pausegame", "app", "stability-map"],
        )
    except (MapCancelled, MapInterrupted):
        return 3
    report(design.n_runs - before, 0)
    return 0


def _finished_runs(path: Path) -> int:
    if not path.is_dir():
        return 0
    try:
        from experiments.batch import load_results

        return int(len(load_results(path).frame))
    except Exception:  # noqa: BLE001 - a fresh or unreadable store counts as empty
        return 0


def job_for(data: dict[str, Any]) -> MapJob:
    """The job of a design: the running or finished one if there is one (the cache)."""
    key = map_key(data)
    with _LOCK:
        job = _JOBS.get(key)
        if job is None:
            job = MapJob(key=key, data=data)
            _JOBS[key] = job
    if job.state == "idle" and not job.total:
        try:
            from experiments.batch import design_from_mapping

            job.total = design_from_mapping(data, source="app map").n_runs
        except Exception:  # noqa: BLE001 - the computation reports it
            pass
    if job.state == "idle" and job.path.is_dir():
        try:  # finished (or cancelled) on an earlier server run
            from experiments.analysis import BatchContext, stability_map

            job.done = min(_finished_runs(job.path), job.total)
            if job.total and job.done >= job.total:
                job.result = stability_map(BatchContext.open(job.path))
                job.seconds = float(_read_json(job.meta_path).get("seconds", 0.0))
                job.state = "done"
        except Exception:  # noqa: BLE001 - recompute instead
            pass
    return job


if __name__ == "__main__":  # the map's child process (see MapJob._run)
    code = run_job(sys.argv[1])
    if code == 3:  # cancelled, its results written and closed: end now, not after the
        sys.stdout.flush()  # interpreter's teardown (a second or more with the engine loaded)
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
