"""``pausegame analyze``, ``threshold``, ``sensitivity`` and ``map``: batches turned into answers.

Example:
    $ pausegame map                                   # quick stability map of the default scenario
    $ pausegame analyze batches/stability_map         # the analyses that fit the design
    $ pausegame threshold batches/stability_map --at penalty=8
    $ pausegame sensitivity sensitivity_core --out batches/sobol     # run a Saltelli batch
    $ pausegame sensitivity batches/sobol --output final_compliance  # analyse it again
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from experiments.files import check_out_dir, out_argument
from experiments.sweep import interrupted
from experiments.words import plural
from model.errors import ConfigError

__all__ = ["register"]

_EXECUTORS = ("auto", "serial", "local", "dask")


def register(subparsers: Any) -> None:
    """Add ``analyze``, ``threshold``, ``sensitivity`` and ``map`` to the CLI."""
    sub = subparsers.add_parser(
        "analyze",
        help="analyse a results directory: map, thresholds, survival, sensitivity",
        allow_abbrev=False,
        description="Run the analyses that fit a batch's design and write PNG and SVG figures, "
        "CSV tables and summary.md: the stability map with theory drawn over it, "
        "the critical p_detect by logistic fit, Kaplan-Meier survival curves; for a "
        "sensitivity batch, Sobol indices or Morris screening.",
    )
    sub.add_argument("directory", metavar="DIR", help="a results directory of pausegame sweep")
    sub.add_argument(
        "--out", metavar="DIR", type=out_argument, help="where to write (default: DIR/analysis/)"
    )
    sub.add_argument(
        "--bootstrap",
        type=int,
        default=200,
        metavar="N",
        help="bootstrap resamples per threshold fit (default 200)",
    )
    sub.add_argument(
        "--force",
        action="store_true",
        help="run although the bootstrap's estimated time is over 10 minutes",
    )
    sub.set_defaults(handler=_cmd_analyze, _parser=sub)

    thr = subparsers.add_parser(
        "threshold",
        help="critical p_detect (survival 0.5) by logistic fit, next to theory",
        allow_abbrev=False,
        description="Fit P(held) = logistic(k (p_detect - p_c)) to the runs of a sweep over "
        "p_detect, at each value of the other swept parameters (or at the values "
        "given with --at), with a bootstrap confidence interval, and print it next "
        "to theory's deterrence threshold and survival boundary.",
    )
    thr.add_argument("directory", metavar="DIR", help="a results directory of pausegame sweep")
    thr.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="fix another swept parameter (repeatable), e.g. --at penalty=8",
    )
    thr.add_argument(
        "--level",
        type=float,
        default=0.5,
        help="the survival probability that defines the critical value (0.5)",
    )
    thr.add_argument(
        "--bootstrap", type=int, default=200, metavar="N", help="bootstrap resamples (default 200)"
    )
    thr.add_argument(
        "--out", metavar="DIR", type=out_argument, help="where to write (default: DIR/analysis/)"
    )
    thr.add_argument(
        "--force",
        action="store_true",
        help="run although the bootstrap's estimated time is over 10 minutes",
    )
    thr.set_defaults(handler=_cmd_threshold, _parser=thr)

    sen = subparsers.add_parser(
        "sensitivity",
        help="Sobol indices (Saltelli design) or Morris screening of an output",
        allow_abbrev=False,
        description="Given a design with a [sample] table (e.g. sensitivity_core), expand it "
        "into a Saltelli design (or Morris trajectories with --method morris), run "
        "it into --out (resuming when run again) and analyse it. Given a results "
        "directory of such a batch, analyse it. Writes figures, a CSV per output "
        "and summary.md.",
    )
    sen.add_argument(
        "source",
        metavar="DESIGN_OR_DIR",
        help="a design with a [sample] table (file or shipped name), or a results "
        "directory made by this command",
    )
    sen.add_argument(
        "--output",
        action="append",
        metavar="NAME",
        help="run output to analyse (repeatable; default: held and final_compliance)",
    )
    sen.add_argument(
        "--method",
        choices=("sobol", "morris"),
        default=None,
        help="with a design: Sobol indices from a Saltelli design (default) or Morris screening",
    )
    sen.add_argument(
        "--n",
        type=int,
        metavar="N",
        help="Saltelli base sample size, a power of two (default: [sample] n)",
    )
    sen.add_argument(
        "--trajectories",
        type=int,
        metavar="R",
        help="Morris trajectories (default: [sample] n / 8, at least 4)",
    )
    sen.add_argument("--levels", type=int, default=None, help="Morris grid levels (default 4)")
    sen.add_argument(
        "--out",
        metavar="DIR",
        type=out_argument,
        help="with a design: the results directory (default: "
        "batches/<design>-<method>/); the analysis goes to DIR/analysis/",
    )
    _executor_flags(sen)
    sen.set_defaults(handler=_cmd_sensitivity, _parser=sen)

    mp = subparsers.add_parser(
        "map",
        help="run the quick stability map and print the critical p_detect by penalty",
        allow_abbrev=False,
        description="Run a stability-map design (default: stability_map_quick, the default "
        "scenario over p_detect x penalty, under a minute), analyse it, and print "
        "the critical detection probability at each penalty next to theory. "
        "Running it again reuses the finished runs.",
    )
    mp.add_argument(
        "design",
        nargs="?",
        default="stability_map_quick",
        metavar="DESIGN",
        help="a sweep design over p_detect (default: stability_map_quick)",
    )
    mp.add_argument(
        "--out",
        metavar="DIR",
        type=out_argument,
        help="results directory (default: batches/<design>/)",
    )
    mp.add_argument("--quiet", "-q", action="store_true", help="print only the table")
    _executor_flags(mp)
    mp.set_defaults(handler=_cmd_map, _parser=mp)


def _executor_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        choices=_EXECUTORS,
        default="auto",
        help="serial, local (a process pool) or dask; auto: serial for up to "
        "2,000 runs (a pool's start-up costs more), else local",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes of the local pool (default: the number of cores)",
    )


def _executor(args: argparse.Namespace, n_runs: int) -> str:
    if args.executor == "auto":
        return "serial" if n_runs <= 2000 else "local"
    return str(args.executor)


def _check_bootstrap(value: int) -> int:
    if value < 0:
        raise ConfigError(
            f"--bootstrap={value} is out of bounds; allowed: an integer >= 0 (0: no interval)"
        )
    return value


def _check_bootstrap_work(
    args: argparse.Namespace, context: Any, at: dict[str, Any], command: str = "threshold"
) -> None:
    """Refuse a bootstrap that would take over 10 minutes (without --force) or cannot fit."""
    from experiments.limits import PER_RESAMPLE, SECONDS_PER_RESAMPLE, check_work

    groups = [v for v in context.varied if v != "p_detect" and v not in at]
    fits = len(context.frame[groups].drop_duplicates()) if groups else 1
    check_work(
        f"{command} --bootstrap {args.bootstrap} ({plural(fits, 'fit')})",
        args.bootstrap,
        "resample",
        seconds_each=SECONDS_PER_RESAMPLE * max(1, fits),
        bytes_each=PER_RESAMPLE,
        force=args.force,
    )


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"warning: {warning}")


def _parse_at(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--at {item!r}: expected PARAM=VALUE, e.g. --at penalty=8")
        try:
            out[name.strip()] = float(text)
        except ValueError:
            out[name.strip()] = text.strip()
    return out


def _cmd_analyze(args: argparse.Namespace) -> int:
    from experiments.analysis import analyze
    from experiments.analysis.common import BatchContext
    from experiments.analysis.report import fits_thresholds

    n_boot = _check_bootstrap(args.bootstrap)
    if args.out:
        check_out_dir(args.out)
    context = BatchContext.open(args.directory)
    if fits_thresholds(context):
        _check_bootstrap_work(args, context, {}, command="analyze")
    report = analyze(context, args.out, n_boot=n_boot)
    pngs = [path for path in report.figures() if path.suffix == ".png"]
    print(
        f"Analysis of {args.directory}: {plural(len(pngs), 'figure')} (PNG and SVG each); "
        f"summary in "
        f"{report.summary_path}"
    )
    for path in report.figures():
        if path.suffix == ".png":
            print(f"  {path} (and .svg)")
    for note in report.notes:
        print(f"note: {note}")
    return 0


def _cmd_threshold(args: argparse.Namespace) -> int:
    from experiments.analysis.common import BatchContext, markdown_table
    from experiments.analysis.report import threshold_lines, threshold_stem, write_threshold
    from experiments.analysis.threshold import SEPARATED_NOTE

    n_boot = _check_bootstrap(args.bootstrap)
    at = _parse_at(args.at)
    context = BatchContext.open(args.directory)
    _check_bootstrap_work(args, context, at)
    out = check_out_dir(args.out) if args.out else context.path / "analysis"
    files: dict[str, Path] = {}
    # a name of its own: `analyze`'s thresholds.csv and .png, which summary.md embeds, stay
    stem = threshold_stem(at, args.level)
    table, lines = write_threshold(
        context, out, at=at, level=args.level, n_boot=n_boot, files=files, stem=stem
    )
    summary = out / f"{stem}.md"
    summary.write_text(
        "# Threshold of `" + context.name + "`\n\n" + "\n".join(lines[2:]), encoding="utf-8"
    )
    print(markdown_table(threshold_lines(table)))
    if any(fit.status == "separated" for fit in table.fits):
        print(f"note: where the table says 'between', {SEPARATED_NOTE}.")
    print(f"Written: {files['thresholds_png']} (and .svg), {files['thresholds_csv']}, {summary}")
    return 0


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from experiments.analysis.common import BatchContext
    from experiments.analysis.report import (
        SENSITIVITY_OUTPUTS,
        sensitivity_stem,
        write_sensitivity,
    )
    from experiments.analysis.sensitivity import morris_design, saltelli_design, scheme
    from experiments.batch import load_design, run_design

    outputs = args.output or list(SENSITIVITY_OUTPUTS)
    source = Path(args.source)
    if source.is_dir():
        if not (source / "manifest.json").is_file():
            raise ConfigError(f"{source} is not a results directory (no manifest.json)")
        directory = source
        # the layout of a finished batch is fixed: flags that would change it cannot apply
        given = [
            f"--{name}"
            for name in ("method", "n", "trajectories", "out")
            if getattr(args, name) is not None
        ]
        if args.levels is not None:
            given.append("--levels")
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise ConfigError(
                f"{source}: {', '.join(given)} {verb} to a design, not to a "
                "results directory (its batch is laid out already); allowed "
                "with a directory: --output"
            )
    else:
        design = load_design(args.source)
        method = args.method or "sobol"
        if method == "morris":
            expanded = morris_design(
                design, args.trajectories, 4 if args.levels is None else args.levels
            )
        else:
            expanded = saltelli_design(design, args.n)
        directory = (
            check_out_dir(args.out) if args.out else Path("batches") / f"{design.name}-{method}"
        )
        executor = _executor(args, expanded.n_runs)
        print(
            f"Design {design.name!r} as a {method} design: {plural(expanded.n_points, 'point')}"
            f" x {plural(expanded.replicates, 'replicate')} = {plural(expanded.n_runs, 'run')} "
            f"-> {directory}",
            flush=True,
        )
        try:
            result = run_design(
                expanded,
                directory,
                executor=executor,
                workers=args.workers,
                progress="auto",
                command=["pausegame", *sys.argv[1:]],
                load=False,
            )
        except KeyboardInterrupt:
            return interrupted(directory, *_sensitivity_words(args, method, directory))
        print(result.session.describe())
    context = BatchContext.open(directory)
    if scheme(context) is None:
        raise ConfigError(
            f"{directory} holds no Saltelli or Morris batch; give a design with a "
            "[sample] table to make one (pausegame sensitivity DESIGN --out DIR)"
        )
    out = context.path / "analysis"
    files: dict[str, Path] = {}
    sobol, morris, lines = write_sensitivity(context, out, outputs, files=files)
    # one summary per choice of outputs: analysing another output keeps the first's
    summary = out / f"{sensitivity_stem(outputs)}.md"
    summary.write_text(
        f"# Sensitivity of `{context.name}`\n\n" + "\n".join(lines), encoding="utf-8"
    )
    for name, res in sobol.items():
        print(f"Sobol indices of {name} (total, first order):")
        for p, t, f in zip(res.params, res.total_order, res.first_order, strict=True):
            print(f"  {p:24s} {t:7.3f} {f:7.3f}")
        _print_warnings(res.warnings())
    for name, mres in morris.items():
        print(f"Morris screening of {name} (mu*, sigma):")
        for p, m, sg in zip(mres.params, mres.mu_star, mres.sigma, strict=True):
            print(f"  {p:24s} {m:7.3f} {sg:7.3f}")
        _print_warnings(mres.warnings())
    print(
        f"Written: {summary} and "
        f"{plural(len([f for f in files.values() if f.suffix == '.png']), 'figure')} "
        f"(PNG and SVG) in {out}"
    )
    return 0


def _sensitivity_words(args: argparse.Namespace, method: str, directory: Path) -> list[str]:
    """The words of the ``sensitivity`` command that lays out (and resumes) the same batch."""
    words = ["sensitivity", str(args.source), "--method", method]
    for name in ("n", "trajectories", "levels"):
        if getattr(args, name) is not None:
            words += [f"--{name}", str(getattr(args, name))]
    return [*words, "--out", str(directory)]


def _cmd_map(args: argparse.Namespace) -> int:
    from experiments.analysis import analyze
    from experiments.analysis.common import markdown_table
    from experiments.analysis.report import threshold_lines
    from experiments.batch import load_design, run_design
    from experiments.cli import command

    design = load_design(args.design)
    if "p_detect" not in design.varied or design.kind != "sweep":
        raise ConfigError(
            f"design {design.name!r} does not sweep p_detect; `{command('map')}` "
            "needs a [sweep] over p_detect (e.g. stability_map_quick)"
        )
    out = check_out_dir(args.out) if args.out else Path("batches") / design.name
    executor = _executor(args, design.n_runs)
    if not args.quiet:
        print(
            f"Stability map {design.name!r}: {plural(design.n_points, 'point')} x "
            f"{plural(design.replicates, 'replicate')} = {plural(design.n_runs, 'run')} of "
            f"{plural(design.steps, 'month')} ({executor}) -> {out}",
            flush=True,
        )
    try:
        result = run_design(
            design,
            out,
            executor=executor,
            workers=args.workers,
            progress="none" if args.quiet else "auto",
            command=["pausegame", *sys.argv[1:]],
            load=False,
        )
    except KeyboardInterrupt:
        return interrupted(out, "map", args.design, "--out", str(out))
    if not args.quiet:
        print(result.session.describe())
    report = analyze(out)
    if report.thresholds is not None:
        print(
            "Critical detection probability (the pause holds in half the runs), by logistic "
            "fit with a 95% bootstrap interval, next to mean-field theory:"
        )
        print(markdown_table(threshold_lines(report.thresholds)))
    fig = report.files.get("stability_map_png")
    print(f"Stability map: {fig} (and .svg); summary: {report.summary_path}")
    if not args.quiet:
        print(
            f"Explore one point in the browser app: {command('app')} (then open "
            "http://127.0.0.1:8765/)"
        )
    return 1 if result.session.failed_total else 0
