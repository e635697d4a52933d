"""What a fresh install pays to compile the kernels, measured (``sweep-benchmark --compile-cost``).

A fresh install has an empty numba cache: its first sweep compiles every kernel it calls (in each
worker process that finds no cache), its second loads them. :func:`measure_compile_cost` runs
the same design twice in a child process whose ``NUMBA_CACHE_DIR`` is a new, empty directory;
the first wall time less the second is the compile cost. :func:`compile_inventory` says where
the compilation goes: every compiled function of the engine's packages, its specialisations
(``Dispatcher.signatures``), the seconds numba's compiler spent on each and whether it came from
the cache (``Dispatcher.stats``).

Run as a module (``python -m experiments.compile_cost``) it is that child process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = [
    "compile_inventory",
    "compile_lines",
    "inventory_lines",
    "measure_compile_cost",
    "shrink_design",
]

#: The packages whose compiled functions :func:`compile_inventory` lists.
PACKAGES = ("model", "agents", "experiments")


def compile_inventory() -> list[dict[str, Any]]:
    """Every compiled function loaded from :data:`PACKAGES`, with what compiling it cost.

    Each entry: ``name`` (module.function), ``signatures`` (specialisations compiled or
    loaded), ``seconds`` (numba's compiler time over them, 0 for those loaded from the cache;
    a kernel's time includes the functions it calls compiled with it), ``cache_hits`` and
    ``cache_misses``. Sorted by seconds, largest first.
    """
    from numba.core.registry import CPUDispatcher

    seen: dict[int, tuple[str, Any]] = {}
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(PACKAGES):
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher) and id(value) not in seen:
                seen[id(value)] = (f"{value.py_func.__module__}.{attr}", value)
    out = []
    for name, dispatcher in seen.values():
        if not dispatcher.signatures:
            continue
        seconds = 0.0
        for sig in dispatcher.signatures:
            metadata = dispatcher.overloads[sig].metadata or {}
            seconds += float(metadata.get("timers", {}).get("compiler_lock", 0.0))
        out.append(
            {
                "name": name,
                "signatures": len(dispatcher.signatures),
                "seconds": seconds,
                "cache_hits": sum(dispatcher.stats.cache_hits.values()),
                "cache_misses": sum(dispatcher.stats.cache_misses.values()),
            }
        )
    return sorted(out, key=lambda e: (-e["seconds"], e["name"]))


def _child(args: argparse.Namespace) -> dict[str, Any]:
    """The child process: the design twice (or only the warm-up and the inventory)."""
    from experiments.batch.worker import warm

    if args.inventory:
        start = time.perf_counter()
        warm()
        return {"warm": time.perf_counter() - start, "inventory": compile_inventory()}
    import shutil

    from experiments.batch.design import load_design
    from experiments.batch.runner import run_design

    design = load_design(args.design)
    if args.quick:
        design = shrink_design(design, 5, 4)
    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="pausegame-compile-") as folder:
        for i in range(2):
            out = Path(folder) / f"map{i}"
            cpu = _cpu()
            start = time.perf_counter()
            result = run_design(
                design,
                out,
                executor=args.executor,
                workers=None if args.executor == "serial" else args.workers,
                progress="none",
                load=False,
            )
            walls.append(time.perf_counter() - start)
            cpus.append(_cpu() - cpu)
            if result.session.failed:
                raise RuntimeError(f"{result.session.failed} runs failed")
            shutil.rmtree(out, ignore_errors=True)
    return {
        "first": walls[0],
        "second": walls[1],
        "cpu_first": cpus[0],
        "cpu_second": cpus[1],
        "runs": design.n_runs,
    }


def _cpu() -> float:
    """CPU seconds of this process and its ended children (a local pool's workers, reaped)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _in_fresh_cache(argv: list[str], timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pausegame-numba-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        proc = subprocess.run(
            [sys.executable, "-m", "experiments.compile_cost", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"the compile-cost child failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure_compile_cost(
    design: str = "stability_map",
    quick: bool = False,
    workers: int = 2,
    executor: str = "local",
    timeout: float = 1800.0,
) -> dict[str, Any]:
    """A fresh install's compile cost: ``design`` run twice in a child with an empty cache.

    Returns ``first`` and ``second`` (wall s), ``compile`` (their difference), the same in CPU
    seconds of the child and its local workers (``cpu_first``, ``cpu_second``, ``compile_cpu``:
    less moved by the machine's other work than wall times), ``runs``, and
    from a second fresh child the warm-up's wall time (``warm``: one process compiling every
    kernel a sweep uses) and :func:`compile_inventory` (``inventory``).
    """
    argv = ["--design", design, "--workers", str(workers), "--executor", executor]
    result = _in_fresh_cache(argv + (["--quick"] if quick else []), timeout)
    result["compile"] = result["first"] - result["second"]
    result["compile_cpu"] = result["cpu_first"] - result["cpu_second"]
    result.update(_in_fresh_cache(["--inventory"], timeout))
    return result


def inventory_lines(inventory: list[dict[str, Any]]) -> list[str]:
    """A Markdown table of :func:`compile_inventory`'s entries.

    Example:
        >>> inventory_lines([{"name": "m.f", "signatures": 2, "seconds": 1.5,
        ...                   "cache_hits": 0, "cache_misses": 2}])[-1]
        '| m.f | 2 | 1.50 | 0 | 2 |'
    """
    lines = [
        "| compiled function | specialisations | compile s (with callees) | cache hits | misses |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {e['name']} | {e['signatures']} | {e['seconds']:.2f} | {e['cache_hits']} | "
        f"{e['cache_misses']} |"
        for e in inventory
    ]
    return lines


def compile_lines(result: dict[str, Any], workers: int) -> list[str]:
    """The benchmark's section on :func:`measure_compile_cost`'s ``result``."""
    specs = sum(e["signatures"] for e in result["inventory"])
    return [
        "## 0. A fresh install's compile cost",
        "",
        f"The map ({result['runs']:,} runs) twice in a child process with an empty numba "
        f"cache, {workers} local workers: first {result['first']:.1f} s, second "
        f"{result['second']:.1f} s; **compile cost {result['compile']:.1f} s** (first minus "
        f"second); in CPU time of the process and its workers {result['cpu_first']:.1f} s, "
        f"{result['cpu_second']:.1f} s, compile {result['compile_cpu']:.1f} s of CPU. One "
        f"process compiling every kernel a sweep uses (the workers' warm-up, "
        f"empty cache): {result['warm']:.1f} s, {len(result['inventory'])} compiled functions, "
        f"{specs} specialisations.",
        "",
        *inventory_lines(result["inventory"]),
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """The child process of :func:`measure_compile_cost` (prints one JSON line)."""
    parser = argparse.ArgumentParser(prog="python -m experiments.compile_cost")
    parser.add_argument("--design", default="stability_map")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executor", default="local", choices=("local", "serial", "dask"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--inventory", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(_child(args)))
    return 0


if __name__ == "__main__":  # pragma: no cover - the child process
    raise SystemExit(main())


def shrink_design(design: Any, n_points_axis: int, replicates: int) -> Any:
    """The design with the first ``n_points_axis`` values of each axis and fewer replicates."""
    from experiments.batch.design import design_from_mapping

    axes = design.spec["axes"]
    sweep = {
        k: list(v)[:: max(1, len(v) // n_points_axis)][:n_points_axis] for k, v in axes.items()
    }
    data = {
        "meta": {"name": design.name + "-small"},
        "base": {"params": dict(design.base)},
        "sweep": sweep,
        "run": {
            "replicates": replicates,
            "steps": design.steps,
            "master_seed": design.master_seed,
            "seed_scheme": design.seed_scheme,
        },
    }
    return design_from_mapping(data, source=design.source)
