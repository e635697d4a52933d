"""``pausegame sweep`` and ``pausegame export``: experiment batches from the command line.

Example:
    $ pausegame sweep stability_map --executor local --workers 2 --out batches/map
    $ pausegame sweep stability_map --out batches/map          # again: resumes, skips done runs
    $ pausegame sweep my_design.toml --executor dask --dask-workers 4
    $ pausegame sweep my_design.toml --executor dask --scheduler tcp://10.0.0.5:8786
    $ pausegame export batches/map --csv                       # batches/map/results.csv
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from experiments.batch.design import list_designs, load_design
from experiments.batch.runner import (
    EXECUTORS,
    MAX_WORKERS_PER_CORE,
    START_METHODS,
    BatchError,
    check_workers,
    run_design,
)
from experiments.batch.store import StoreError, load_results, repair_command, results_schema
from experiments.files import check_out_dir, check_out_file, out_argument
from experiments.words import plural

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``pausegame sweep`` and ``pausegame export`` to the CLI."""
    sub = subparsers.add_parser(
        "sweep",
        help="run an experiment design (a batch of runs) into a results directory",
        allow_abbrev=False,
        description="Run every run of a design file (a sweep or a sample of parameters, with "
        "replicates) and store one row per run as Parquet under DIR/results/. "
        "Running the same command again resumes: finished runs are skipped. Exit "
        "status 1 when the results hold failed runs.",
    )
    sub.add_argument(
        "design",
        metavar="FILE",
        help="a design file (.toml), or the name of a shipped design ("
        + ", ".join(list_designs())
        + ")",
    )
    sub.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="serial (this process), local (a process pool; default) or dask",
    )
    sub.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="worker processes of the local pool (default: the number of cores; "
        f"at most {MAX_WORKERS_PER_CORE} per core, and never more than the "
        "runs to do)",
    )
    sub.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="address of a running Dask scheduler (with --executor dask)",
    )
    sub.add_argument(
        "--dask-workers",
        type=positive_int,
        metavar="N",
        dest="dask_workers",
        help="start a Dask LocalCluster of N worker processes for the run "
        "(with --executor dask; default: the number of cores)",
    )
    sub.add_argument(
        "--out",
        metavar="DIR",
        type=out_argument,
        help="results directory (default: batches/<design name>/)",
    )
    sub.add_argument(
        "--extend",
        action="store_true",
        help="add the design's new points or replicates to DIR's compatible design",
    )
    sub.add_argument(
        "--retry-failed",
        action="store_true",
        dest="retry_failed",
        help="run DIR's failed runs again",
    )
    sub.add_argument(
        "--allow-version-change",
        action="store_true",
        dest="allow_version_change",
        help="resume although package versions or the git commit changed",
    )
    sub.add_argument(
        "--chunk-size",
        type=positive_int,
        metavar="N",
        dest="chunk_size",
        help="runs per task (default: about 20 tasks per worker, 4 to 200 runs)",
    )
    sub.add_argument(
        "--max-runs",
        type=positive_int,
        metavar="N",
        dest="max_runs",
        help="run at most N of the pending runs now (resume later for the rest)",
    )
    sub.add_argument(
        "--flush-rows",
        type=positive_int,
        metavar="N",
        dest="flush_rows",
        default=20_000,
        help="finished runs buffered before a results part is "
        "written (default 20,000; also every 30 s)",
    )
    sub.add_argument(
        "--start-method",
        choices=START_METHODS,
        default="auto",
        dest="start_method",
        help="start method of the local pool (default auto: fork on Linux, where "
        "workers start at once, else spawn)",
    )
    sub.add_argument(
        "--progress",
        choices=("auto", "bar", "plain", "none"),
        default="auto",
        help="a bar on a terminal, plain lines otherwise (auto), or none",
    )
    sub.add_argument(
        "--single-run",
        action="store_true",
        dest="single_run",
        help="run every run alone instead of on the batched path (the numbers "
        "are identical; for comparisons)",
    )
    sub.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")
    sub.set_defaults(handler=_cmd_sweep, _parser=sub)

    exp = subparsers.add_parser(
        "export",
        help="write a results directory as CSV",
        allow_abbrev=False,
        description="Write the runs of a results directory (one row per run, sorted by run_id) "
        "as CSV; with --series also the per-step series.",
    )
    exp.add_argument("directory", metavar="DIR", help="a results directory of pausegame sweep")
    exp.add_argument("--csv", action="store_true", help="write CSV (the format)")
    exp.add_argument(
        "--out",
        metavar="FILE",
        type=out_argument,
        help="the CSV file (default: DIR/results.csv; '-' for stdout)",
    )
    exp.add_argument(
        "--series", action="store_true", help="also write the per-step series to DIR/series.csv"
    )
    exp.set_defaults(handler=_cmd_export, _parser=exp)


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1, else a one-line error naming what is allowed."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; allowed: an integer >= 1")
    return value


def _cmd_sweep(args: argparse.Namespace) -> int:
    from experiments.cli import UsageError

    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    if args.dask_workers and args.executor != "dask":
        raise UsageError("--dask-workers needs --executor dask")
    if args.scheduler and args.dask_workers:
        raise UsageError(
            "give --scheduler ADDR (an existing cluster) or --dask-workers N (a "
            "local cluster for this run), not both"
        )
    if args.executor == "dask" and args.workers:
        raise UsageError("with --executor dask, size a local cluster with --dask-workers N")
    if args.executor == "local":
        check_workers(args.workers, "--workers")
    elif args.executor == "dask" and not args.scheduler:
        check_workers(args.dask_workers, "--dask-workers")
    design = load_design(args.design)
    out = check_out_dir(args.out) if args.out else Path("batches") / design.name
    workers = args.dask_workers if args.executor == "dask" else args.workers
    quiet = args.quiet
    if not quiet:
        print(
            f"Design {design.name!r}: {plural(design.n_points, 'point')} x "
            f"{plural(design.replicates, 'replicate')} = {plural(design.n_runs, 'run')} of "
            f"{plural(design.steps, 'step')} -> {out}",
            flush=True,
        )
    try:
        result = run_design(
            design,
            out,
            executor=args.executor,
            workers=workers,
            scheduler=args.scheduler,
            start_method=args.start_method,
            chunk_size=args.chunk_size,
            extend=args.extend,
            retry_failed=args.retry_failed,
            allow_version_change=args.allow_version_change,
            max_runs=args.max_runs,
            flush_rows=args.flush_rows,
            progress="none" if quiet else args.progress,
            command=["pausegame", *sys.argv[1:]],
            load=False,
            batched=not args.single_run,
        )
    except BatchError as exc:
        print(f"pausegame: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return interrupted(out, "sweep", args.design, "--out", str(out))
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT) or not exc.filename:
            raise
        raise UsageError(
            f"{exc.filename}: {os.strerror(exc.errno)}; the finished runs are kept; free "
            f"some space, then resume with `{_resume(args.design, out)}`"
        ) from None
    session = result.session
    if not quiet:
        print(session.describe())
        print(
            f"Results in {out}{'/'}: load with experiments.batch.load_results({str(out)!r}) "
            f"or pandas.read_parquet({str(out / 'results')!r})."
        )
    return 1 if session.failed_total else 0


def _resume(design: str, out: Path) -> str:
    """The command that resumes a sweep of ``design`` into ``out``."""
    return resume_command("sweep", design, "--out", str(out))


def resume_command(*words: str) -> str:
    """The ``pausegame`` command line of ``words``, each quoted for the shell."""
    from experiments.cli import command

    return command(*(shlex.quote(word) for word in words))


def interrupted(out: Path, *resume: str) -> int:
    """After Ctrl+C during a batch into ``out``: say how to resume, in one line; return 130.

    The finished runs were written before the interrupt ended the batch; running the command
    again (``resume``: its words, e.g. ``"sweep", design, "--out", str(out)``) skips them.
    ``pausegame sweep``, ``map`` and ``sensitivity`` share it (#27).
    """
    print(
        f"pausegame: interrupted; the finished runs are kept in {out}; resume with "
        f"`{resume_command(*resume)}`",
        file=sys.stderr,
    )
    return 130


def _csv_ready(frame: Any, varied: list[str]) -> Any:
    """The frame with its list columns (``sanctions_paid_by_bloc``) as JSON text.

    Each list is written at full precision (``[9.661538461538461, 9.44]``), so that
    ``json.loads`` gives back the stored floats; a failed run's cell is empty.
    """
    lists = [f.name for f in results_schema(varied) if pa.types.is_list(f.type)]
    if not lists:
        return frame
    frame = frame.copy()
    for name in lists:
        frame[name] = [
            json.dumps([float(x) for x in v]) if isinstance(v, (list, tuple, np.ndarray)) else None
            for v in frame[name].tolist()
        ]
    return frame


def _cmd_export(args: argparse.Namespace) -> int:
    from experiments.cli import UsageError

    if not args.csv:
        raise UsageError("choose the format: pausegame export DIR --csv")
    folder = Path(args.directory)
    target = args.out or str(folder / "results.csv")
    if folder.is_dir() or args.out:  # a missing DIR is named by load_results
        if target != "-":
            check_out_file(target, "--out" if args.out else "output")
        if args.series:
            check_out_file(folder / "series.csv", "--series output")
    try:
        result = load_results(folder)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if result.frame.empty:
        raise UsageError(
            f"{folder} holds no finished runs yet, so there is nothing to export; run (or "
            f"resume) `{repair_command(folder, result.manifest)}` first"
        )
    # the series are read before anything is written: a batch without them writes nothing
    try:
        series = result.series() if args.series else None
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    frame = _csv_ready(result.frame, result.manifest["varied"])
    if target == "-":
        frame.to_csv(sys.stdout, index=False)
    else:
        frame.to_csv(target, index=False)
        print(f"Wrote {plural(len(frame), 'run')} to {target}")
    if series is not None:
        series_path = folder / "series.csv"
        frame = series
        frame.to_csv(series_path, index=False)
        if target != "-":
            print(f"Wrote {plural(len(frame), 'series row')} to {series_path}")
    return 0
