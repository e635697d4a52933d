"""Analyses written to disk: figures (PNG and SVG), tables (CSV) and a Markdown summary.

:func:`analyze` runs the analyses that fit a batch's design and writes them to one folder:

* a Saltelli batch: Sobol indices of ``held`` and ``final_compliance``;
* a Morris batch: Morris screening of the same outputs;
* a sweep: the stability map over two swept parameters (``p_detect`` on x when swept), the
  critical ``p_detect`` per value of the other axis (when ``p_detect`` is swept) next to theory,
  and Kaplan-Meier survival curves;
* anything else: the survival curves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.analysis.common import BatchContext, fmt_p, markdown_table, save_figure
from experiments.analysis.sensitivity import (
    MorrisResult,
    SobolResult,
    morris_analysis,
    plot_morris,
    plot_sobol,
    scheme,
    sobol_analysis,
)
from experiments.analysis.stability import StabilityMap, plot_stability_map, stability_map
from experiments.analysis.survival import SurvivalCurves, plot_survival_curves, survival_curves
from experiments.analysis.threshold import ThresholdTable, critical_detection

__all__ = [
    "AnalysisReport",
    "analyze",
    "fits_thresholds",
    "sensitivity_stem",
    "threshold_lines",
    "threshold_stem",
    "write_sensitivity",
    "write_threshold",
]


@dataclass(frozen=True)
class AnalysisReport:
    """What :func:`analyze` computed and wrote.

    Attributes:
        out_dir: The folder written.
        files: Every file written, by a short name (``map_png``, ``summary``, ...).
        stability: The stability map (None when it does not fit the design).
        thresholds: Critical ``p_detect`` values (None when ``p_detect`` is not swept).
        survival: Kaplan-Meier curves (None for a sensitivity batch).
        sobol: Sobol indices by output.
        morris: Morris screening by output.
        notes: What was skipped and why.
    """

    out_dir: Path
    files: Mapping[str, Path]
    stability: StabilityMap | None = None
    thresholds: ThresholdTable | None = None
    survival: SurvivalCurves | None = None
    sobol: Mapping[str, SobolResult] = field(default_factory=dict)
    morris: Mapping[str, MorrisResult] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def summary_path(self) -> Path:
        """The Markdown summary."""
        return self.files["summary"]

    def figures(self) -> list[Path]:
        """The PNG and SVG files written."""
        return [p for p in self.files.values() if p.suffix in (".png", ".svg")]

    def to_frame(self) -> pd.DataFrame:
        """The files written: name and path."""
        return pd.DataFrame(
            {"name": list(self.files), "path": [str(p) for p in self.files.values()]}
        )


def _write(files: dict[str, Path], fig: Any, out: Path, stem: str) -> None:
    png, svg = save_figure(fig, out, stem)
    files[f"{stem}_png"], files[f"{stem}_svg"] = png, svg


def threshold_lines(table: ThresholdTable) -> pd.DataFrame:
    """The thresholds as a table for people: at-values, critical value, CI, theory."""
    rows = []
    for fit in table.fits:
        row: dict[str, Any] = {
            k: f"{v:g}" if isinstance(v, float) else v for k, v in fit.at.items()
        }
        if fit.status == "ok":
            row["critical p_detect (sim)"] = f"{fit.critical:.3f}"
            row["95% CI"] = f"{fmt_p(fit.ci_low)} to {fmt_p(fit.ci_high)}"
        elif fit.status == "separated":
            row["critical p_detect (sim)"] = fit.grid_interval()
            row["95% CI"] = "none: runs separate (grid bounds)"
        elif fit.status == "always_held":
            row["critical p_detect (sim)"] = f"< {fit.x_range[0]:g}"
            row["95% CI"] = ""
        else:
            row["critical p_detect (sim)"] = f"> {fit.x_range[1]:g}"
            row["95% CI"] = ""
        th = fit.theory
        if "deterrence_threshold" in th:
            row["theory p* (p F = G)"] = _clip_text(th["deterrence_threshold"])
        if "survival_boundary" in th:
            row["theory survival boundary"] = _clip_text(th["survival_boundary"])
        for key, name in _SHIELDED_COLUMNS:
            if key in th:
                row[name] = _clip_text(th[key])
        rows.append(row)
    return pd.DataFrame(rows)


#: Theory's boundaries with allies' shielding, as threshold tables name them (threshold.py).
_SHIELDED_COLUMNS = (
    ("survival_boundary_mean_share", "allies' shielding: mean share"),
    ("survival_boundary_shielded", "own shares"),
    ("collapse_boundary", "collapse 0.5"),
    ("collapse_boundary_fitted", "collapse 0.5, as fitted"),
)


def _clip_text(value: float) -> str:
    if math.isnan(value):
        return "none in [0, 1]"
    if value > 1:
        return "> 1"
    return fmt_p(max(value, 0.0))


def threshold_stem(at: Mapping[str, Any] | None = None, level: float = 0.5) -> str:
    """The file stem of ``pausegame threshold``'s outputs: ``threshold_penalty-8``.

    Distinct from :func:`analyze`'s ``thresholds`` (which ``summary.md`` embeds) and from
    other ``--at`` and ``--level`` choices, so no run of the command overwrites another's.
    """
    parts = ["threshold"]
    for name, value in (at or {}).items():
        text = f"{value:g}" if isinstance(value, float | int) else str(value)
        parts.append(f"{name}-{text}")
    if level != 0.5:
        parts.append(f"level-{level:g}")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(parts))


def write_threshold(
    context: BatchContext,
    out: Path,
    *,
    at: Mapping[str, Any] | None = None,
    level: float = 0.5,
    n_boot: int = 200,
    files: dict[str, Path] | None = None,
    stem: str = "thresholds",
) -> tuple[ThresholdTable, list[str]]:
    """Fit critical ``p_detect`` values, write ``STEM.csv`` and a figure; return text.

    ``files`` gets ``thresholds_csv``, ``thresholds_png`` and ``thresholds_svg`` whatever the
    stem (``analyze`` uses ``thresholds``, the ``threshold`` command :func:`threshold_stem`).
    """
    files = {} if files is None else files
    table = critical_detection(context, at=at, level=level, n_boot=n_boot)
    out.mkdir(parents=True, exist_ok=True)
    files["thresholds_csv"] = out / f"{stem}.csv"
    table.to_frame().to_csv(files["thresholds_csv"], index=False)
    png, svg = save_figure(_plot_thresholds(context, table), out, stem)
    files["thresholds_png"], files["thresholds_svg"] = png, svg
    lines = [
        "## Critical detection probability",
        "",
        f"The `p_detect` at which the pause holds in half the runs ({_level(level)}), by a "
        "logistic fit to the runs at each value of the other swept parameters, with a "
        "95% bootstrap interval (runs resampled within each point), next to theory: the "
        "deterrence threshold `p*` (a lone defector in a compliant world is deterred; "
        "`p F = G` without alliances), the rule's mean-field survival boundary (where "
        "stable compliance reaches `stability_threshold`) and, when allies shield each "
        "other, theory over the batch's own worlds with every actor's own shielding share "
        "and kind: where half of the worlds' compliant branches hold (own shares), where "
        "collapse within the horizon is as likely as not (collapse 0.5), and where the "
        "same logistic fit puts it when each point's runs hold in theory's share (as "
        "fitted: the number to set against the simulation's); the earlier form at the "
        "worlds' mean shielding share is kept (mean share) and is optimistic, as a mean "
        "hides the large, well-shielded nations that break the pause first.",
        "",
        markdown_table(threshold_lines(table)),
        "",
    ]
    if any(fit.status == "separated" for fit in table.fits):
        lines += [
            "Where a row says the runs separate, no run held below the crossing and "
            "every run held above it: the logistic fit has no finite maximum (infinite "
            "slope) and a bootstrap cannot locate the crossing, so the row gives the "
            "interval between the design's grid points that must contain it (status "
            "`separated` in the CSV, `ci_low` and `ci_high` being those grid points). "
            "Runs at more values of `p_detect` inside it would narrow it.",
            "",
        ]
    lines += [f"![critical detection probability]({stem}.png)", ""]
    return table, lines


def _level(level: float) -> str:
    return "survival 0.5" if level == 0.5 else f"survival {level:g}"


def _plot_thresholds(context: BatchContext, table: ThresholdTable) -> Any:
    import numpy as np

    from experiments.analysis.common import OKABE_ITO, label, new_figure

    fig = new_figure(7.0, 4.8)
    ax = fig.add_subplot()
    keys = [
        k
        for k in (table.fits[0].at if table.fits else {})
        if isinstance(table.fits[0].at[k], float | int)
    ]
    xname = keys[-1] if keys else None
    xs = (
        np.array([f.at[xname] for f in table.fits], dtype=float)
        if xname
        else np.arange(len(table.fits), dtype=float)
    )
    crit = table.critical()
    low = np.array([f.ci_low for f in table.fits])
    high = np.array([f.ci_high for f in table.fits])
    ok = ~np.isnan(crit)
    separated = any(f.status == "separated" for f in table.fits)
    err = np.nan_to_num(np.abs(np.vstack([crit[ok] - low[ok], high[ok] - crit[ok]])), nan=0.0)
    ax.errorbar(
        xs[ok],
        crit[ok],
        yerr=err,
        color=OKABE_ITO[0],
        marker="o",
        capsize=3,
        linestyle="-",
        label="simulated critical p_detect (95% CI"
        + ("; grid bounds where the runs separate)" if separated else ")"),
    )
    for key, colour, style, name in (
        ("deterrence_threshold", OKABE_ITO[1], "--", "theory: deterrence threshold p*"),
        ("survival_boundary", OKABE_ITO[2], "-", "theory: survival boundary (mean field)"),
        (
            "collapse_boundary_fitted",
            OKABE_ITO[3],
            "-.",
            "theory: collapse as likely as not, each actor's own shielding (as fitted)",
        ),
    ):
        ys = np.array([f.theory.get(key, np.nan) for f in table.fits], dtype=float)
        if not np.isnan(ys).all():
            ax.plot(
                xs,
                np.where(ys <= 1.0, ys, np.nan),
                color=colour,
                linestyle=style,
                marker="s",
                markersize=3,
                label=name,
            )
    ax.set_xlabel(label(xname) if xname else "fit")
    ax.set_ylabel("critical detection probability p_detect")
    ax.set_ylim(0.0, 1.0)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"Critical detection probability: {context.name}", fontsize=11)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def write_sensitivity(
    context: BatchContext,
    out: Path,
    outputs: Sequence[str],
    *,
    files: dict[str, Path] | None = None,
    n_resamples: int = 500,
) -> tuple[dict[str, SobolResult], dict[str, MorrisResult], list[str]]:
    """Sobol or Morris analysis of each output, written; return results and Markdown lines."""
    files = {} if files is None else files
    sobol: dict[str, SobolResult] = {}
    morris: dict[str, MorrisResult] = {}
    lines: list[str] = []
    kind = scheme(context)
    out.mkdir(parents=True, exist_ok=True)
    for output in outputs:
        if kind == "morris":
            mres = morris_analysis(context, output)
            morris[output] = mres
            files[f"morris_{output}_csv"] = out / f"morris_{output}.csv"
            mres.to_frame().to_csv(files[f"morris_{output}_csv"], index=False)
            _write(files, plot_morris(mres), out, f"morris_{output}")
            lines += [
                f"## Morris screening of `{output}`",
                "",
                f"{mres.trajectories} trajectories on a {mres.levels}-level grid; `mu*` is "
                "the mean absolute change of the output (mean over replicates) when a "
                "parameter moves across its whole range, `sigma` the spread of those "
                "changes. Ranking by `mu*`: " + ", ".join(mres.ranking()) + ".",
                "",
            ]
            lines += _warning_lines(mres.warnings())
            lines += [markdown_table(mres.to_frame()), "", f"![Morris](morris_{output}.png)", ""]
        else:
            sres = sobol_analysis(context, output, n_resamples=n_resamples)
            sobol[output] = sres
            files[f"sobol_{output}_csv"] = out / f"sobol_{output}.csv"
            sres.to_frame().to_csv(files[f"sobol_{output}_csv"], index=False)
            _write(files, plot_sobol(sres), out, f"sobol_{output}")
            if sres.variance == 0.0:
                text = "The output does not vary over the sample: no indices."
            else:
                text = (
                    "Ranking by total index: " + ", ".join(sres.ranking()) + ". First-order "
                    "`S_i`: the share of the output's variance explained by the parameter "
                    "alone; total `S_Ti`: including its interactions."
                )
            lines += [
                f"## Sobol indices of `{output}`",
                "",
                f"Saltelli design, n = {sres.n} ({sres.n * (len(sres.params) + 2)} "
                "points), output averaged over each point's replicates; 95% bootstrap "
                "intervals. " + text,
                "",
            ]
            lines += _warning_lines(sres.warnings())
            lines += [
                markdown_table(sres.to_frame()),
                "",
                f"![Sobol indices](sobol_{output}.png)",
                "",
            ]
    return sobol, morris, lines


def _warning_lines(warnings: Sequence[str]) -> list[str]:
    return [line for w in warnings for line in (f"**Warning:** {w}.", "")]


#: The outputs ``pausegame sensitivity`` and :func:`analyze` analyse by default.
SENSITIVITY_OUTPUTS: tuple[str, ...] = ("held", "final_compliance")


def sensitivity_stem(outputs: Sequence[str]) -> str:
    """The stem of ``pausegame sensitivity``'s summary (``sensitivity_detections``).

    ``sensitivity`` for the default outputs, else ``sensitivity_<output>...``, so analysing
    another output keeps the first's summary.
    """
    if tuple(outputs) == SENSITIVITY_OUTPUTS:
        return "sensitivity"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(["sensitivity", *outputs]))


def fits_thresholds(context: BatchContext) -> bool:
    """Whether :func:`analyze` fits (and bootstraps) thresholds for this batch."""
    numeric = [v for v in context.varied if pd.api.types.is_numeric_dtype(context.frame[v])]
    return (
        scheme(context) is None
        and context.kind == "sweep"
        and bool(numeric)
        and "p_detect" in context.varied
    )


def analyze(
    path: str | Path | BatchContext,
    out_dir: str | Path | None = None,
    *,
    outputs: Sequence[str] = SENSITIVITY_OUTPUTS,
    n_boot: int = 200,
) -> AnalysisReport:
    """Run the analyses that fit a batch and write figures, tables and ``summary.md``.

    Args:
        path: The results directory (or it, opened).
        out_dir: Where to write (default ``DIR/analysis``).
        outputs: Outputs of a sensitivity analysis.
        n_boot: Bootstrap resamples of each threshold fit.

    Returns:
        An :class:`AnalysisReport`.
    """
    context = path if isinstance(path, BatchContext) else BatchContext.open(path)
    out = Path(out_dir) if out_dir is not None else context.path / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    notes: list[str] = []
    frame = context.frame
    m = context.result.manifest
    lines = [
        f"# Analysis of `{context.name}`",
        "",
        f"Results directory `{context.path}`: {len(frame)} finished runs of "
        f"{m['n_runs']} planned ({context.result.n_failed} failed), {m['n_points']} points "
        f"x {m['replicates']} replicates, {m['steps']} months each; varied: "
        + (", ".join(f"`{v}`" for v in context.varied) or "nothing")
        + f"; master seed {m['master_seed']} ({m['seed_scheme']} seeds); git commit "
        f"{str(m.get('git_commit', 'unknown'))[:12]}.",
        "",
    ]
    if not context.result.complete:
        notes.append("the batch is not complete: these numbers use the finished runs only")
    smap = thresholds = curves = None
    sobol: dict[str, SobolResult] = {}
    morris: dict[str, MorrisResult] = {}
    if scheme(context) is not None:
        sobol, morris, more = write_sensitivity(context, out, outputs, files=files)
        lines += more
        for sres in sobol.values():
            notes += sres.warnings()
        for mres in morris.values():
            notes += mres.warnings()
    else:
        numeric = [v for v in context.varied if pd.api.types.is_numeric_dtype(frame[v])]
        if context.kind == "sweep" and numeric:
            smap = stability_map(context)
            files["map_csv"] = out / "stability_map.csv"
            smap.to_frame().to_csv(files["map_csv"], index=False)
            _write(files, plot_stability_map(smap), out, "stability_map")
            pooled = [v for v in context.varied if v not in (smap.x, smap.y)]
            lines += [
                "## Stability map",
                "",
                f"Share of replicates in which the pause held, over `{smap.x}`"
                + (f" x `{smap.y}`" if smap.y else "")
                + (f" (pooled over {', '.join(pooled)})" if pooled else "")
                + "; every cell's 95% Wilson interval is in `stability_map.csv`.",
                "",
            ]
            if smap.theory is not None:
                th = smap.theory
                lines += [
                    f"Theory drawn over it (rule `{th.rule}`): the deterrence threshold "
                    "`p*` (dashed), the mean-field survival boundary (solid), the bistable "
                    "band (shaded)"
                    + (
                        " and, with every actor's own shielding share (mean "
                        f"s = {th.shield:.2f}), where theory puts collapse within the "
                        "horizon as likely as not (dash-dot)"
                        if th.boundary_shielded is not None
                        else ""
                    )
                    + ". Under logit the boundary lies to the right of `p*`: noisy "
                    "deciders need a margin over `p F = G` before stable compliance "
                    "reaches the stability threshold.",
                    "",
                ]
            lines += ["![stability map](stability_map.png)", ""]
            if fits_thresholds(context):
                thresholds, more = write_threshold(context, out, n_boot=n_boot, files=files)
                lines += more
        elif context.kind != "sweep":
            notes.append("no stability map: the design is not a sweep (a map needs a grid)")
        curves = survival_curves(context)
        files["survival_csv"] = out / "survival_curves.csv"
        curves.to_frame().to_csv(files["survival_csv"], index=False)
        _write(files, plot_survival_curves(curves), out, "survival_curves")
        med = ", ".join(
            f"{c.label}: {'not reached' if math.isinf(c.median()) else int(c.median())}"
            for c in curves.curves
        )
        lines += [
            "## Survival curves",
            "",
            "Kaplan-Meier estimates of the month of collapse (runs where the pause held "
            f"are censored at month {curves.horizon}), with 95% log-log Greenwood bands"
            + (f"; {curves.notes[0]}" if curves.notes else "")
            + f". Median month of collapse: {med}.",
            "",
            "![survival curves](survival_curves.png)",
            "",
        ]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    files["summary"] = out / "summary.md"
    files["summary"].write_text("\n".join(lines), encoding="utf-8")
    return AnalysisReport(
        out_dir=out,
        files=files,
        stability=smap,
        thresholds=thresholds,
        survival=curves,
        sobol=sobol,
        morris=morris,
        notes=tuple(notes),
    )
