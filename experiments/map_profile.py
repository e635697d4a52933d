"""Where a sweep's time goes, by phase (``sweep-benchmark --profile``).

:func:`profile_design` runs a design serially in this process with the functions of each phase
timed (wrapped for the run, then restored; the numbers are unchanged):

- **world building**: each run's engine (``experiments.batch.worker._build``);
- **draws**: each block's uniforms from the runs' generators (``model.batched._draw_block``);
- **decision and settle**: the compiled kernel (``model.batched_kernel.advance_block``: the
  advantage, the decision rule, verification, sanctions, payoffs, beliefs, the records);
- **stacking and restoring**: the rest of ``model.batched._advance_group`` (the runs' arrays
  stacked for the kernel, the records copied back, each engine left as its own steps would);
- **summaries**: ``model.batched.summaries``;
- **result arrays**: a task's columns filled (``experiments.batch.worker.fill_chunk``);
- **Arrow conversion**: the finished tasks into one Arrow table
  (``experiments.batch.runner.to_table``);
- **storage**: the Parquet part written (``ResultsStore.write_part``);
- **the rest**: opening the store and writing the plan, the tasks, scheduling, the session.

On a local pool or a Dask cluster the same phases run in the workers, and the parent adds its
own (the tasks, the results sent back, the store): the wall time less the workers' CPU time over
the workers says how much.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["PHASES", "profile_design", "profile_lines"]

#: The phases, in order: (label, module, attribute) timed; ``None`` attributes are derived.
PHASES: tuple[tuple[str, str, str], ...] = (
    ("world building", "experiments.batch.worker", "_build"),
    ("draws", "model.batched", "_draw_block"),
    ("decision and settle (the kernel)", "model.batched", "advance_block"),
    ("stacking and restoring", "model.batched", "_advance_group"),
    ("summaries", "model.batched", "summaries"),
    ("result arrays", "experiments.batch.worker", "fill_chunk"),
    ("Arrow conversion", "experiments.batch.runner", "to_table"),
    ("storage", "experiments.batch.store", "ResultsStore.write_part"),
)


@contextmanager
def _timed(totals: dict[str, float]) -> Iterator[None]:
    """Wrap each phase's function with a timer adding to ``totals[label]``; restore after."""
    import importlib

    saved: list[tuple[Any, str, Any]] = []

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - start

        return timed

    try:
        for label, module, attr in PHASES:
            owner: Any = importlib.import_module(module)
            *path, name = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
            totals.setdefault(label, 0.0)
            saved.append((owner, name, original))
            setattr(owner, name, wrap(label, original))
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def profile_design(design: Any, folder: Path | None = None) -> dict[str, float]:
    """Run ``design`` serially here with its phases timed: seconds per phase, and ``total``.

    ``stacking and restoring`` is net of the draws and the kernel it calls; ``the rest`` is the
    total less every phase. The kernels are warmed first (not timed).
    """
    from experiments.batch.runner import run_design
    from experiments.batch.worker import warm

    warm()
    own = folder is None
    base = Path(tempfile.mkdtemp(prefix="pausegame-profile-")) if folder is None else folder
    totals: dict[str, float] = {}
    try:
        with _timed(totals):
            start = time.perf_counter()
            run_design(design, base / "profile", executor="serial", progress="none", load=False)
            total = time.perf_counter() - start
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)
    totals["stacking and restoring"] -= totals["draws"] + totals["decision and settle (the kernel)"]
    totals["the rest (store, plan, tasks, session)"] = total - sum(totals.values())
    totals["total"] = total
    return totals


def profile_lines(totals: dict[str, float], actor_months: int) -> list[str]:
    """A Markdown table of :func:`profile_design`'s phases: seconds, share, ns per actor-month.

    Example:
        >>> profile_lines({"draws": 1.0, "total": 4.0}, 10**9)[-1]
        '| draws | 1.00 | 25% | 1.0 |'
    """
    total = totals["total"]
    lines = ["| phase | s | share | ns per actor-month |", "|---|---:|---:|---:|"]
    for label, seconds in totals.items():
        if label != "total":
            lines.append(
                f"| {label} | {seconds:.2f} | {seconds / total:.0%} | "
                f"{seconds / actor_months * 1e9:.1f} |"
            )
    return lines
