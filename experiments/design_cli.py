"""``pausegame design``: where a treaty fails across the worlds we cannot rule out (#32).

Scenario discovery for the design file's fixed treaty (PRIM and CART boxes of failing worlds,
:mod:`experiments.treaty_design`) and, when the file has a ``[search]`` table, a robust search
over its levers (NSGA-II over number levers; pymoo's mixed-variable search with choice levers or
layers: :mod:`experiments.treaty_design.search`).

Example:
    $ pausegame design treaty_design_quick --out batches/treaty_quick
    $ pausegame design treaty_design_quick --out batches/treaty_quick     # again: resumes
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from experiments.batch.runner import EXECUTORS, BatchError, check_workers
from experiments.files import check_out_dir, out_argument
from experiments.sweep import positive_int
from experiments.words import plural

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``pausegame design`` to the CLI."""
    from experiments.treaty_design.spec import list_treaty_designs

    sub = subparsers.add_parser(
        "design",
        help="design a treaty: the boxes of worlds where a treaty fails (PRIM, CART)",
        allow_abbrev=False,
        description="Run a treaty design file: its fixed treaty over a Latin hypercube of its "
        "uncertainties (resumable, under DIR/discovery/), then PRIM's and CART's boxes of "
        "the worlds where the pause fails, written to DIR/analysis/ (boxes.csv, boxes.png, "
        "summary.md). Running the same command again resumes.",
    )
    sub.add_argument(
        "design",
        metavar="FILE",
        help="a treaty design file (.toml), or a shipped one ("
        + ", ".join(list_treaty_designs())
        + ")",
    )
    sub.add_argument(
        "--out", metavar="DIR", type=out_argument, help="output folder (default batches/NAME/)"
    )
    sub.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="serial (this process), local (a process pool; default) or dask",
    )
    sub.add_argument("--workers", type=positive_int, metavar="N", help="worker processes")
    sub.add_argument(
        "--scheduler", metavar="ADDR", help="a running Dask scheduler (with --executor dask)"
    )
    sub.add_argument(
        "--progress",
        choices=("auto", "bar", "plain", "none"),
        default="auto",
        help="a bar on a terminal, plain lines otherwise (auto), or none",
    )
    sub.add_argument(
        "--allow-version-change",
        action="store_true",
        dest="allow_version_change",
        help="resume although package versions or the git commit changed",
    )
    sub.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary")
    sub.set_defaults(handler=_cmd_design, _parser=sub)


def _cmd_design(args: argparse.Namespace) -> int:
    from experiments.cli import UsageError
    from experiments.sweep import interrupted
    from experiments.treaty_design.spec import load_treaty_design

    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    if args.executor == "local":
        check_workers(args.workers, "--workers")
    design = load_treaty_design(args.design)
    if design.search:
        from experiments.treaty_design.search import check_search

        check_search(design)  # before any run: a bad [search] loses nothing
    out = check_out_dir(args.out) if args.out else Path("batches") / design.name
    if not args.quiet:
        print(
            f"Treaty design {design.name!r}: {plural(design.n_worlds, 'world')} x "
            f"{plural(design.replicates, 'replicate')} of {plural(design.steps, 'month')} -> "
            f"{out}",
            flush=True,
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        from experiments.treaty_design.report import discover
        from experiments.treaty_design.search import robust_search

        try:
            found = discover(
                design,
                out,
                executor=args.executor,
                workers=args.workers,
                scheduler=args.scheduler,
                progress="none" if args.quiet else args.progress,
                allow_version_change=args.allow_version_change,
                command=["pausegame", *sys.argv[1:]],
            )
            searched = None
            if design.search:
                searched = robust_search(
                    design,
                    out,
                    executor=args.executor,
                    workers=args.workers,
                    scheduler=args.scheduler,
                    progress="none",
                    allow_version_change=args.allow_version_change,
                )
        except BatchError as exc:
            print(f"pausegame: error: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return interrupted(out, "design", args.design, "--out", str(out))
    if not args.quiet:
        print(found.files[-1].read_text(encoding="utf-8"))
        files = list(found.files)
        if searched is not None:
            print(searched.describe())
            files += searched.files
        print(f"Wrote {', '.join(str(p) for p in files)}")
    return 0
