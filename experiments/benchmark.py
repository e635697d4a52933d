"""Speed benchmark: the engine against the idiomatic per-agent Mesa reference.

``pausegame benchmark`` measures, in one run on this machine, engine agent-steps per second at
30 nations + 100 labs and at 30 nations + 10,000 labs with the per-agent reference
(:mod:`model.reference`) measured beside it and the ratio printed, and the engine alone at
100,000 labs. It is a command, not a test: speed is measured, never asserted.

Targets (issue [core]): at least 10x the reference at 130 actors, at least 100x at 10,000 labs,
and under 50 microseconds per engine step at 130 actors.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engine import Engine


@dataclass(frozen=True)
class Timing:
    """One measured configuration."""

    label: str
    n_actors: int
    engine_us_per_step: float
    reference_us_per_step: float | None

    @property
    def engine_rate(self) -> float:
        """Engine agent-steps per second."""
        return self.n_actors / (self.engine_us_per_step * 1e-6)

    @property
    def reference_rate(self) -> float | None:
        """Reference agent-steps per second (None when not measured)."""
        if self.reference_us_per_step is None:
            return None
        return self.n_actors / (self.reference_us_per_step * 1e-6)

    @property
    def ratio(self) -> float | None:
        """Engine speed over reference speed."""
        if self.reference_us_per_step is None:
            return None
        return self.reference_us_per_step / self.engine_us_per_step


def _per_step(step: Callable[[], None], steps: int, repeats: int) -> float:
    """Best of ``repeats`` mean wall times of ``steps`` calls, in microseconds per call."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return float(best * 1e6)


def _params(n_nations: int, n_labs: int, steps: int) -> dict[str, Any]:
    return dict(
        n_nations=n_nations,
        n_labs=n_labs,
        alliance_network="barabasi_albert",
        decision_rule="logit",
        p_detect=0.34,
        steps=steps,
    )


def measure(
    label: str,
    n_nations: int,
    n_labs: int,
    *,
    engine_steps: int,
    reference_steps: int,
    repeats: int = 3,
    seed: int = 2026,
) -> Timing:
    """Time the engine (and the reference when ``reference_steps > 0``) on one world."""
    total = engine_steps * repeats + 10
    engine = Engine.from_params(_params(n_nations, n_labs, total), rng=seed)
    for _ in range(5):  # warm up (compiled kernels load on first use)
        engine.step()
    eng_us = _per_step(engine.step, engine_steps, repeats)
    ref_us = None
    if reference_steps > 0:
        from model.reference import ReferenceModel

        ref = ReferenceModel(seed, **_params(n_nations, n_labs, reference_steps * repeats + 10))
        ref.step()
        ref_us = _per_step(ref.step, reference_steps, repeats)
    return Timing(label, n_nations + n_labs, eng_us, ref_us)


def run_benchmark(quick: bool = False) -> list[Timing]:
    """The three configurations of the issue (``quick``: far fewer steps, for smoke tests)."""
    k = 0.02 if quick else 1.0

    def n(x: float) -> int:
        return max(2, int(x * k))

    return [
        measure("30 nations + 100 labs", 30, 100, engine_steps=n(5000), reference_steps=n(300)),
        measure("30 nations + 10,000 labs", 30, 10_000, engine_steps=n(300), reference_steps=n(10)),
        measure(
            "30 nations + 100,000 labs (engine alone)",
            30,
            100_000,
            engine_steps=n(40),
            reference_steps=0,
            repeats=2,
        ),
    ]


def format_table(timings: list[Timing]) -> str:
    """A Markdown table of the timings and the targets."""
    lines = [
        "| world | actors | engine us/step | engine agent-steps/s | reference agent-steps/s "
        "| speed-up |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        ref = f"{t.reference_rate / 1e6:.3f} M" if t.reference_rate else "-"
        ratio = f"{t.ratio:.0f}x" if t.ratio else "-"
        lines.append(
            f"| {t.label} | {t.n_actors:,} | {t.engine_us_per_step:,.1f} | "
            f"{t.engine_rate / 1e6:.2f} M | {ref} | {ratio} |"
        )
    small, large = timings[0], timings[1]
    checks = [
        ("speed-up >= 10x at 130 actors", (small.ratio or 0) >= 10, f"{small.ratio:.0f}x"),
        ("speed-up >= 100x at 10,030 actors", (large.ratio or 0) >= 100, f"{large.ratio:.0f}x"),
        (
            "engine step < 50 us at 130 actors",
            small.engine_us_per_step < 50,
            f"{small.engine_us_per_step:.1f} us",
        ),
    ]
    lines.append("")
    for what, ok, value in checks:
        lines.append(f"- {what}: {'met' if ok else 'NOT met'} ({value})")
    lines.append(
        f"\nMachine: {platform.machine()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}; best of repeated timings, logit rule, "
        "Barabasi-Albert alliances."
    )
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``pausegame benchmark`` to the CLI."""
    parser = subparsers.add_parser(
        "benchmark",
        help="measure engine speed against the per-agent Mesa reference",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--quick", action="store_true", help="far fewer steps (a smoke test; numbers are noisy)"
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    print("Measuring (about a minute)..." if not args.quick else "Measuring (quick)...", flush=True)
    print(format_table(run_benchmark(quick=args.quick)))
    return 0
