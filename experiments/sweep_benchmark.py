"""``pausegame sweep-benchmark``: speed and memory of experiment batches, measured.

Five measurements (issues [batches], [performance] and [mesa4]); numbers are printed, never
asserted. The machine's other work moves every wall time, so the targets are ratios taken in one
run:

1. **The standard map** (``experiments/designs/stability_map.toml``: 21 x 21 points x 20
   replicates x 200 steps, 30 nations + 100 labs, Barabasi-Albert, logit) on the batched path
   (:mod:`model.batched`) with the local executor and 2 workers, the same on the single-run
   path (every run alone, as before batching), and batched serially: wall times, the batched
   path's speed-up over the single-run path (target >= 5x; moonshot: the map under 6 s), the
   parallel efficiency (serial / parallel; target >= 1.8x), and the cost per replicate-step
   (the workers' CPU time over runs x steps) against the 6.6 us of an independent numpy
   prototype with 20 replicates batched.
2. **Against ``mesa.batch_run``** (Mesa 3.5; on Mesa 4, a ``PauseScenario`` per run built as
   ``Model(scenario=...)``, :mod:`experiments.batch.mesa_scenarios`) over the per-agent reference
   (:class:`~experiments.batch.mesa_interop.ReferenceBatchModel`) and over ``PauseModel``, with
   2 processes, on a scaled-down copy of the map (a few points and replicates, the same world
   and steps); their time per run is extrapolated to the whole map and compared with this
   runner's measured time on the batched path (target >= 100x over the reference).
3. **The app's map** (11 x 11 points x 10 replicates of the default scenario, the design
   ``pausegame app``'s Stability map page runs), batched and single-run, on 1 worker as the
   app runs it on a 2-core machine.
4. **Parent memory for a 1,000,000-run design**: the design is generated and written, then a
   few thousand runs are made with 2 workers while the parent's resident memory is sampled
   against runs completed (target < 500 MB, flat).
5. **Mesa scenarios, batched** (``--only scenarios``): a scaled-down copy of the map (3 x 3
   points x 20 replicates) as one PauseScenario per run
   (:func:`~experiments.batch.mesa_scenarios.scenarios_from_design`), run into pausegame's store
   by :func:`~experiments.batch.scenario_run.run_pause_scenarios` one by one (a Mesa model per
   run, as Mesa's runner would build them) in a process pool, and through the
   :class:`~experiments.batch.scenario_run.BatchedDispatcher` over a pool of the same size:
   runs/s of each and the ratio (target >= 5x).

With the map, the **floor** (:mod:`experiments.floor`): a bare kernel of the game's arithmetic
over the map's runs x months x actors, drawing what the game draws, timed in the same run; the
map's wall time and CPU per actor-month are reported as ratios to it.

``--quick`` shrinks everything (a smoke test; its numbers mean little).
"""

from __future__ import annotations

import argparse
import gc
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from experiments.compile_cost import shrink_design

__all__ = ["PARTS", "capacity_lines", "register", "run_sweep_benchmark"]

#: The measurements, in order.
PARTS = ("map", "mesa", "app", "memory", "scenarios")

#: The app's map at its defaults (``viz.stability.map_design_mapping({})``; a test holds the
#: two equal, since this layer cannot import the app).
APP_MAP = {
    "meta": {"name": "app_stability_map", "title": "Stability map (app)"},
    "base": {"params": {}, "scenario": "default"},
    "sweep": {
        "p_detect": {"start": 0.0, "stop": 1.0, "num": 11},
        "penalty": {"start": 0.0, "stop": 10.0, "num": 11},
    },
    "run": {"replicates": 10, "master_seed": 20260601, "seed_scheme": "common"},
}

#: Cost per replicate-step of the independent numpy prototype (20 replicates, one core).
PROTOTYPE_US = 6.6


def _rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss / 2**20)


def _time_design(
    design: Any, executor: str, workers: int | None, folder: Path, batched: bool = True
) -> tuple[float, float, Any]:
    """Run ``design`` into a fresh directory: (wall time, workers' CPU time, session summary)."""
    from experiments.batch.runner import run_design

    out = folder / f"{design.name}-{executor}-{'batched' if batched else 'single'}"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = run_design(
        design,
        out,
        executor=executor,
        workers=workers,
        progress="none",
        load=False,
        batched=batched,
    )
    wall = time.perf_counter() - start
    if result.session.failed:
        raise RuntimeError(f"{result.session.failed} runs failed in the benchmark")
    shutil.rmtree(out, ignore_errors=True)
    return wall, float(result.session.cpu_time), result.session


def _load() -> str:
    import os

    try:
        return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not POSIX
        return "load average unknown"


def _mesa_batch_name() -> str:
    """What Mesa's own batch is in this Mesa (3.5: ``batch_run``; 4: a Scenario per run)."""
    import mesa

    if hasattr(mesa, "batch_run"):
        return "mesa.batch_run"
    return f"Mesa {mesa.__version__} Scenarios (Model(scenario=...) per run)"


def _time_batch_run(
    model_cls: type, design: Any, processes: int, extra: dict[str, Any]
) -> tuple[float, int]:
    from experiments.batch.design import derive_seeds
    from experiments.batch.mesa_interop import batch_run_frame

    params: dict[str, Any] = {**dict(design.base), **extra, "steps": design.steps}
    for name in design.varied:
        params[name] = sorted(set(design.points[name].tolist()))
    seeds = derive_seeds(
        design.master_seed,
        "common",
        np.zeros(design.replicates, np.uint64),
        np.arange(design.replicates),
    )
    start = time.perf_counter()
    frame = batch_run_frame(model_cls, params, seeds.tolist(), design.steps, processes=processes)
    return time.perf_counter() - start, len(frame)


def run_sweep_benchmark(
    quick: bool = False,
    workers: int = 2,
    million_runs: int = 10_000,
    skip_serial: bool = False,
    only: tuple[str, ...] = PARTS,
    compile_cost: bool = False,
    profile: bool = False,
) -> str:
    """Run the measurements (``only`` some of :data:`PARTS`); a Markdown report.

    Every wall time depends on what else the machine is doing: the load average before and
    after each part is printed, and the workers' CPU time gives the wall time the same work
    would take on idle cores (CPU time / workers). With ``compile_cost`` a fresh install's
    compile cost comes first (:func:`experiments.compile_cost.measure_compile_cost`); with
    ``profile`` the map is run once more serially with its phases timed
    (:func:`experiments.map_profile.profile_design`).
    """
    from experiments.batch.design import design_from_mapping, load_design
    from experiments.batch.mesa_interop import ReferenceBatchModel
    from experiments.batch.runner import run_design
    from model.mesa_model import PauseModel

    lines: list[str] = []
    full = load_design("stability_map")
    design = shrink_design(full, 5, 4) if quick else full
    n = design.n_runs
    folder = Path(tempfile.mkdtemp(prefix="pausegame-bench-"))
    par = float("nan")
    if compile_cost:
        from experiments.compile_cost import compile_lines, measure_compile_cost

        lines += compile_lines(measure_compile_cost(quick=quick, workers=workers), workers)
    try:
        # 1. the standard map
        if "map" in only or "mesa" in only:
            load_before = _load()
            par, par_cpu, session = _time_design(design, "local", workers, folder)
        if "map" in only:
            single, single_cpu, _ = _time_design(design, "local", workers, folder, batched=False)
            ser, ser_cpu, _ = (
                (None, None, None) if skip_serial else _time_design(design, "serial", None, folder)
            )
            steps_done = n * design.steps
            lines += [
                "## 1. The standard map" + (" (quick: scaled down)" if quick else ""),
                "",
                f"{design.n_points} points x {design.replicates} replicates = {n:,} runs "
                f"of {design.steps} steps, 30 nations + 100 labs, Barabasi-Albert, "
                f"logit. Before: {load_before}; after: {_load()}.",
                "",
                "| path, executor | wall s | runs/s | workers' CPU s | CPU ms per run |",
                "|---|---:|---:|---:|---:|",
                f"| batched, local {workers} workers | {par:.1f} | {n / par:,.0f} | "
                f"{par_cpu:.1f} | {par_cpu / n * 1e3:.2f} |",
                f"| single-run, local {workers} workers | {single:.1f} | "
                f"{n / single:,.0f} | {single_cpu:.1f} | {single_cpu / n * 1e3:.2f} |",
            ]
            if ser is not None and ser_cpu is not None:
                lines.append(
                    f"| batched, serial | {ser:.1f} | {n / ser:,.0f} | {ser_cpu:.1f} | "
                    f"{ser_cpu / n * 1e3:.2f} |"
                )
            speedup = single / par
            per_step = par_cpu / steps_done * 1e6
            lines += [
                "",
                f"- batched >= 5x faster than the single-run path with {workers} workers: "
                f"{'met' if speedup >= 5 else 'NOT met'} ({speedup:.1f}x; CPU per run "
                f"{single_cpu / max(par_cpu, 1e-9):.1f}x)",
                f"- moonshot, the map under 6 s: {'met' if par < 6 else 'not met'} ({par:.1f} s)",
                f"- cost per replicate-step (all of a run: building, stepping, "
                f"summarising, storing): {per_step:.2f} us of CPU, against the numpy "
                f"prototype's {PROTOTYPE_US} us ({PROTOTYPE_US / per_step:.1f}x)",
                f"- runs on the batched path: {session.batched:,} of {n:,}"
                + (f"; single-run path: {session.single_run}" if session.single_run else ""),
            ]
            from experiments.floor import design_floor, floor_lines

            floor = design_floor(design)
            lines += floor_lines(floor, par, par_cpu, workers)
            lines += capacity_lines(n, par, par_cpu, workers)
            if profile:
                from experiments.map_profile import profile_design, profile_lines

                totals = profile_design(design, folder)
                lines += [
                    "",
                    "### Where the map's time goes (serial, this process, phases timed)",
                    "",
                    f"Total {totals['total']:.1f} s ({_load()}). On {workers} workers the parent "
                    f"and scheduling add about {par - par_cpu / workers:.1f} s of wall time "
                    f"(the wall time less the workers' CPU over {workers}).",
                    "",
                    *profile_lines(totals, floor.actor_months),
                ]
            if ser is not None:
                eff = ser / par
                lines.append(
                    f"- parallel speed-up >= 1.8x with {workers} workers: "
                    f"{'met' if eff >= 1.8 else 'NOT met'} ({eff:.2f}x; efficiency "
                    f"{eff / workers:.0%})"
                )

        # 2. against Mesa's own batch (mesa.batch_run on 3.5; Scenarios on 4)
        if "mesa" in only:
            batch = _mesa_batch_name()
            small = shrink_design(full, 2, 2) if quick else shrink_design(full, 4, 4)
            ours_per_run = par / n
            lines += [
                "",
                f"## 2. Against {batch} (same world and steps, {workers} processes)",
                "",
                f"{batch} timed on {small.n_points} points x {small.replicates} "
                f"replicates = {small.n_runs} runs of {small.steps} steps (its process "
                f"start-up included), extrapolated to the map's {full.n_runs:,} runs by "
                f"time per run. Before: {_load()}.",
                "",
                "| runner | wall per run | map extrapolated s | this runner's speed-up |",
                "|---|---:|---:|---:|",
                f"| pausegame sweep (batched path), measured on the map | "
                f"{ours_per_run * 1e3:.2f} ms | {ours_per_run * full.n_runs:,.0f} | 1x |",
            ]
            ratios = {}
            for label, cls, extra in (
                (f"{batch} over ReferenceModel (per-agent)", ReferenceBatchModel, {}),
                (
                    f"{batch} over PauseModel (engine + DataCollector)",
                    PauseModel,
                    {"collect_agents": False},
                ),
            ):
                wall, rows = _time_batch_run(cls, small, workers, extra)
                per = wall / rows
                ratios[label] = per / ours_per_run
                lines.append(
                    f"| {label} | {per * 1e3:.2f} ms | {per * full.n_runs:,.0f} | "
                    f"{ratios[label]:.0f}x |"
                )
            ref = ratios[f"{batch} over ReferenceModel (per-agent)"]
            lines += [
                "",
                f"- >= 100x faster than {batch} over the reference: "
                f"{'met' if ref >= 100 else 'NOT met'} ({ref:.0f}x)",
            ]

        # 3. the app's map
        if "app" in only:
            app = design_from_mapping(APP_MAP, source="app map")
            if quick:
                app = shrink_design(app, 4, 3)
            a_b, a_b_cpu, _ = _time_design(app, "local", 1, folder)
            a_s, a_s_cpu, _ = _time_design(app, "local", 1, folder, batched=False)
            lines += [
                "",
                "## 3. The app's map" + (" (quick: scaled down)" if quick else ""),
                "",
                f"{app.n_points} points x {app.replicates} replicates = "
                f"{app.n_runs:,} runs of {app.steps} steps (default scenario), 1 worker "
                f"as the app uses on 2 cores. {_load()}.",
                "",
                "| path | wall s | workers' CPU s |",
                "|---|---:|---:|",
                f"| batched | {a_b:.1f} | {a_b_cpu:.1f} |",
                f"| single-run | {a_s:.1f} | {a_s_cpu:.1f} |",
                "",
                f"- batched speed-up: {a_s / a_b:.1f}x",
            ]

        # 4. memory for a 1,000,000-run design
        if "memory" in only:
            side, reps = (10, 100) if quick else (100, 100)
            big = design_from_mapping(
                {
                    "meta": {"name": "million"},
                    "base": {"params": {"n_nations": 4, "n_labs": 8}},
                    "sweep": {
                        "p_detect": {"start": 0.0, "stop": 1.0, "num": side},
                        "penalty": {"start": 0.0, "stop": 20.0, "num": side},
                    },
                    "run": {
                        "replicates": reps,
                        "steps": 12,
                        "master_seed": 7,
                        "seed_scheme": "independent",
                    },
                },
                source="million",
            )
            gc.collect()
            rss0 = _rss_mb()
            samples: list[tuple[int, float]] = []
            step = max(1, million_runs // 10)

            def sample(done: int, failed: int) -> None:
                if not samples or done - samples[-1][0] >= step:
                    samples.append((done, _rss_mb()))

            t0 = time.perf_counter()
            out = folder / "million"
            todo = min(million_runs, big.n_runs)
            from experiments.batch.store import ResultsStore

            store, _ = ResultsStore.open(out, big, command=["sweep-benchmark"])
            store.close()
            gen = time.perf_counter() - t0
            rss_gen = _rss_mb()
            samples.append((0, rss_gen))
            t1 = time.perf_counter()
            run_design(
                big,
                out,
                executor="local",
                workers=workers,
                progress="none",
                max_runs=todo,
                on_progress=sample,
                load=False,
            )
            run_wall = time.perf_counter() - t1
            samples.append((todo, _rss_mb()))
            peak = max(r for _, r in samples)
            lines += [
                "",
                f"## 4. Parent memory, a {big.n_runs:,}-run design",
                "",
                f"Generated and written (plan and points) in {gen:.1f} s ({_load()}); "
                f"then {todo:,} runs "
                f"({big.steps} steps, 4 nations + 8 labs) in {run_wall:.1f} s with "
                f"{workers} workers.",
                "",
                "| runs completed | parent RSS MB |",
                "|---:|---:|",
                f"| before generating | {rss0:.0f} |",
            ]
            lines += [f"| {d:,} | {r:.0f} |" for d, r in samples]
            first_run = next((r for d, r in samples if d > 0), rss_gen)
            lines += [
                "",
                f"- parent < 500 MB: {'met' if peak < 500 else 'NOT met'} (peak "
                f"{peak:.0f} MB); growth from the first sample after start to the last: "
                f"{samples[-1][1] - first_run:+.0f} MB",
            ]
        # 5. Mesa scenarios into the store, one by one and batched
        if "scenarios" in only:
            lines += time_scenario_dispatch(
                shrink_design(full, 2 if quick else 3, 4 if quick else 20), workers, folder
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    lines.append(
        f"\nMachine: {platform.machine()}, {_cores()} cores, Python {platform.python_version()}."
    )
    return "\n".join(lines)


def capacity_lines(n_runs: int, wall: float, cpu: float, workers: int) -> list[str]:
    """Runs per core-second and what 10^6 and 10^8 runs of the map's kind cost in core-hours.

    Two measures: the workers' CPU time (the compute alone) and the wall time times the workers
    (the cores a cluster holds for the sweep, start-up, storage and scheduling included).

    Example:
        >>> capacity_lines(1000, 10.0, 16.0, 2)[-1]
        '| wall x workers | 50.0 | 5.56 | 556 |'
    """
    lines = [
        "",
        "| capacity, by | runs per core-second | core-hours per 10^6 runs | per 10^8 runs |",
        "|---|---:|---:|---:|",
    ]
    for label, core_s in (("workers' CPU", cpu), ("wall x workers", wall * workers)):
        rate = n_runs / core_s
        lines.append(
            f"| {label} | {rate:,.1f} | {1e6 / rate / 3600:,.2f} | {1e8 / rate / 3600:,.0f} |"
        )
    return lines


def time_scenario_dispatch(design: Any, workers: int, folder: Path) -> list[str]:
    """Mesa scenarios of ``design`` into pausegame's store, one by one and batched.

    Both run in a ``ProcessPoolExecutor`` of ``workers`` processes (the start method pausegame's
    local pool uses) into a fresh store; this process compiles the kernels first, so forked
    workers start warm in both. Returns the report's lines.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from experiments.batch.executors.local import start_method_for
    from experiments.batch.mesa_scenarios import scenarios_from_design
    from experiments.batch.scenario_run import BatchedDispatcher, run_pause_scenarios
    from experiments.batch.scenario_store import ScenarioStore
    from experiments.batch.worker import warm

    warm()
    scenarios = scenarios_from_design(design)
    context = multiprocessing.get_context(start_method_for("auto"))
    walls: dict[str, float] = {}
    for label in ("one by one", "batched"):
        out = folder / f"scenarios-{label.replace(' ', '-')}"
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            executor = BatchedDispatcher(pool) if label == "batched" else pool
            with ScenarioStore(out, design, command=["sweep-benchmark"]) as store:
                run_pause_scenarios(scenarios, store=store, executor=executor)
                if store.session["ran"] != len(scenarios) or store.session["failed"]:
                    raise RuntimeError(f"the scenario benchmark ran {store.session}")
        walls[label] = time.perf_counter() - start
    n = len(scenarios)
    ratio = walls["one by one"] / walls["batched"]
    return [
        "",
        "## 5. Mesa scenarios into pausegame's store",
        "",
        f"{design.n_points} points x {design.replicates} replicates = {n:,} PauseScenarios of "
        f"{design.steps} steps (the map's world), run_pause_scenarios with a process pool of "
        f"{workers} ({_load()}). Mesa {_mesa_version()} has no run_scenarios of its own.",
        "",
        "| executor | wall s | runs/s |",
        "|---|---:|---:|",
        f"| one by one (a PauseModel per run), ProcessPoolExecutor({workers}) | "
        f"{walls['one by one']:.1f} | {n / walls['one by one']:,.1f} |",
        f"| BatchedDispatcher(ProcessPoolExecutor({workers})) | {walls['batched']:.1f} | "
        f"{n / walls['batched']:,.1f} |",
        "",
        f"- batched dispatcher over one by one: {ratio:.1f}x (target >= 5x: "
        f"{'met' if ratio >= 5 else 'NOT met'})",
    ]


def _mesa_version() -> str:
    import mesa

    return str(mesa.__version__)


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def register(subparsers: Any) -> None:
    """Add ``pausegame sweep-benchmark`` to the CLI."""
    parser = subparsers.add_parser(
        "sweep-benchmark",
        help="measure experiment batches: the standard map batched and "
        "single-run, mesa.batch_run, the app's map, memory for a "
        "1,000,000-run design, Mesa scenarios one by one and batched",
        description=__doc__.splitlines()[0],
        allow_abbrev=False,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="scaled-down designs (a smoke test; numbers mean little)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, metavar="N", help="worker processes (default 2)"
    )
    parser.add_argument(
        "--memory-runs",
        type=int,
        default=10_000,
        metavar="N",
        dest="memory_runs",
        help="runs made of the 1,000,000-run design (default 10,000)",
    )
    parser.add_argument(
        "--skip-serial",
        action="store_true",
        dest="skip_serial",
        help="skip the batched serial run of the map (no parallel efficiency)",
    )
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="run only this part (repeatable; default: all five)",
    )
    parser.add_argument(
        "--compile-cost",
        action="store_true",
        dest="compile_cost",
        help="first measure a fresh install's compile cost: the map twice in a child process "
        "with an empty numba cache (first minus second), and where compilation goes",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="with the map: run it once more serially with its phases timed (world building, "
        "draws, the kernel, summaries, Arrow conversion, storage, the rest)",
    )
    parser.set_defaults(handler=_handle, _parser=parser)


def _handle(args: argparse.Namespace) -> int:
    print("Measuring (a few minutes; --quick for a smoke test)...", flush=True)
    print(
        run_sweep_benchmark(
            quick=args.quick,
            workers=args.workers,
            million_runs=args.memory_runs,
            skip_serial=args.skip_serial,
            only=tuple(args.only or PARTS),
            compile_cost=args.compile_cost,
            profile=args.profile,
        )
    )
    return 0
