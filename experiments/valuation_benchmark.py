"""Time saved by sharing a negotiated point's valuation between its replicates (#29).

A benchmark, not a test: numbers are printed, never asserted. One point of a negotiated sweep
on ``bipolar_blocs`` (its nations, labs and alliances fixed, so the replicates' worlds give
the theory valuation identical inputs; ``protocol = rotating_unanimity``, ``risk_cost = 3``,
``max_term_points = 256``), ``--replicates`` replicates (default 10), run serially into a
results folder twice: with the worker's :class:`~model.negotiation.shared.ValuationCache`
and with every run valuing on its own. Prints both wall times, the saving, the cache's hits
and misses, and whether the two results tables are identical (they must be).

Usage::

    python -m experiments.valuation_benchmark [--replicates 10] [--steps 24]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from experiments.batch import design_from_mapping, run_design
from experiments.batch import worker as worker_mod
from model.negotiation.shared import ValuationCache


def _design(replicates: int, steps: int, seed: int = 29) -> object:
    return design_from_mapping(
        {
            "meta": {"name": "valuation benchmark"},
            "base": {
                "scenario": "bipolar_blocs",
                "params": {"protocol": "rotating_unanimity", "max_term_points": 256},
            },
            "sweep": {"risk_cost": [3.0]},
            "run": {"replicates": replicates, "steps": steps, "master_seed": seed},
        },
        source="valuation_benchmark",
    )


def _timed(design: object, out: Path, cache: ValuationCache | None) -> tuple[float, object]:
    worker_mod._VALUATIONS = cache
    start = time.perf_counter()
    result = run_design(design, out, progress="none")  # type: ignore[arg-type]
    frame = result.frame.sort_values("run_id").reset_index(drop=True)
    return time.perf_counter() - start, frame


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--steps", type=int, default=24)
    args = parser.parse_args(argv)
    kept = worker_mod._VALUATIONS
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            _timed(_design(1, 2, seed=1), root / "warm", None)  # compile the kernels once
            d = _design(args.replicates, args.steps)
            alone, plain = _timed(d, root / "alone", None)
            cache = ValuationCache()
            shared, frame = _timed(d, root / "shared", cache)
            same = frame.equals(plain)  # type: ignore[attr-defined]
    finally:
        worker_mod._VALUATIONS = kept
    print(f"{args.replicates} replicates of a negotiated point on bipolar_blocs, 256 term points")
    print(f"  each run valuing on its own: {alone:.2f} s")
    print(f"  valuations shared:           {shared:.2f} s")
    print(f"  saved: {alone - shared:.2f} s ({(alone - shared) / alone:.0%})")
    print(f"  cache: {cache.misses} valuation(s) built, {cache.hits} shared")
    print(f"  results identical: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
