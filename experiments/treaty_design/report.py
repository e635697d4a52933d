"""Run a treaty design's scenario discovery and write its tables, figure and summary (#32).

``discover(design, out)`` runs the fixed treaty over the sampled worlds into ``out/discovery/``
(a results directory of the batch machinery: running again resumes), then writes to
``out/analysis/``: ``worlds.csv`` (each world's uncertain values and outcomes), ``boxes.csv``
(PRIM's boxes: box, dimension, low, high, coverage, density, quasi_p), ``boxes_stats.csv``,
``boxes_resample.csv`` (PRIM's resampling stability), ``cart.csv`` (CART's failing leaves,
same columns, no quasi-p), ``boxes.png`` / ``.svg`` and ``summary.md`` (the boxes in words).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.treaty_design.discovery import (
    Boxes,
    cart_boxes,
    catastrophe_losses,
    prim_boxes,
    world_outcomes,
)
from experiments.treaty_design.spec import TreatyDesign

__all__ = ["Discovery", "analyse", "discover", "prim_options", "summary_text"]


@dataclass(frozen=True)
class Discovery:
    """A treaty's scenario discovery.

    Attributes:
        design: The treaty design.
        worlds: One row per world (:func:`~experiments.treaty_design.discovery.world_outcomes`).
        prim: PRIM's boxes of failure.
        cart: CART's failing leaves.
        files: The files written (empty until written).
    """

    design: TreatyDesign
    worlds: pd.DataFrame
    prim: Boxes
    cart: Boxes
    files: tuple[Path, ...] = ()


def discover(design: TreatyDesign, out: str | Path, **run_options: Any) -> Discovery:
    """Run (or resume) the discovery batch into ``out/discovery/``, analyse it, write the files.

    Args:
        design: A validated treaty design.
        out: The output folder.
        **run_options: Passed to :func:`experiments.batch.run_design` (``executor``,
            ``workers``, ``scheduler``, ``progress``, ...).

    Raises:
        BatchError: When runs failed (the others are kept; run again to retry).
    """
    from experiments.batch import run_design

    out = Path(out)
    batch = design.discovery_design()
    result = run_design(batch, out / "discovery", **run_options)
    found = analyse(design, result.frame, list(batch.varied), catastrophe_losses(batch))
    return write(found, out / "analysis")


def analyse(
    design: TreatyDesign,
    frame: pd.DataFrame,
    varied: list[str],
    losses: Any = None,
) -> Discovery:
    """Per-world outcomes and the boxes of failure, from a discovery batch's runs.

    ``losses``: each world's catastrophe loss ``X``
    (:func:`~experiments.treaty_design.discovery.catastrophe_losses`; default none).
    """
    worlds = world_outcomes(frame, varied, design.steps, losses)
    x = worlds[varied]
    failed = worlds["survival"].to_numpy() < design.failure_below
    settings = design.discovery
    prim = prim_boxes(x, failed, **prim_options(design))
    cart = cart_boxes(x, failed, mass_min=float(settings["mass_min"]))
    return Discovery(design=design, worlds=worlds, prim=prim, cart=cart)


def write(found: Discovery, folder: Path) -> Discovery:
    """Write a discovery's tables, figure and summary into ``folder``."""
    from experiments.analysis.common import save_figure

    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "worlds.csv", folder / "boxes.csv", folder / "boxes_stats.csv"]
    found.worlds.to_csv(files[0], index=False)
    found.prim.table.to_csv(files[1], index=False)
    found.prim.stats.to_csv(files[2], index=False)
    files.append(folder / "boxes_resample.csv")
    found.prim.resample.to_csv(files[-1], index=False)
    files.append(folder / "cart.csv")
    found.cart.table.to_csv(files[-1], index=False)
    if not found.prim.categories.empty:  # a choice uncertainty restricted: its categories
        files.append(folder / "boxes_categories.csv")
        found.prim.categories.to_csv(files[-1], index=False)
    files += save_figure(boxes_figure(found), folder, "boxes")
    files.append(folder / "summary.md")
    files[-1].write_text(summary_text(found), encoding="utf-8")
    return Discovery(found.design, found.worlds, found.prim, found.cart, tuple(files))


def boxes_figure(found: Discovery) -> Any:
    """The worlds over the first PRIM box's two most restricted uncertainties, boxes drawn."""
    from matplotlib.patches import Rectangle

    from experiments.analysis.common import OKABE_ITO, label, new_figure

    design, worlds, prim = found.design, found.worlds, found.prim
    numbers = [u for u in design.uncertainties if pd.api.types.is_numeric_dtype(worlds[u])]
    dims = [d for d in dict.fromkeys([*prim.table["dimension"].tolist(), *numbers]) if d in numbers]
    dims = dims[:2] or list(design.uncertainties[:1])
    fig = new_figure(7.5, 5.5)
    ax = fig.add_subplot()
    failed = worlds["survival"].to_numpy() < design.failure_below
    xs = worlds[dims[0]].to_numpy()
    ys = worlds[dims[1]].to_numpy() if len(dims) > 1 else worlds["survival"].to_numpy()
    ax.scatter(xs[~failed], ys[~failed], s=14, color=OKABE_ITO[2], label="pause holds")
    ax.scatter(xs[failed], ys[failed], s=14, color=OKABE_ITO[5], marker="x", label="fails")
    for k, group in prim.table.groupby("box"):
        lims = {r.dimension: (r.low, r.high) for r in group.itertuples(index=False)}
        x0, x1 = lims.get(dims[0], (float(xs.min()), float(xs.max())))
        if len(dims) > 1:
            y0, y1 = lims.get(dims[1], (float(ys.min()), float(ys.max())))
        else:
            y0, y1 = 0.0, 1.0
        stats = prim.stats[prim.stats["box"] == k].iloc[0]
        ax.add_patch(
            Rectangle(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                fill=False,
                lw=1.6,
                ls="-" if k == 0 else "--",
                color=OKABE_ITO[0],
                label=f"PRIM box {k + 1}: coverage {stats['coverage']:.2f}, "
                f"density {stats['density']:.2f}",
            )
        )
    ax.set_xlabel(label(dims[0]))
    ax.set_ylabel(label(dims[1]) if len(dims) > 1 else label("held"))
    ax.set_title(
        f"{design.name}: worlds where the treaty fails (survival < {design.failure_below})"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)
    return fig


def summary_text(found: Discovery) -> str:
    """The discovery in words (Markdown)."""
    design, worlds, prim = found.design, found.worlds, found.prim
    treaty = ", ".join(f"{k} = {v}" for k, v in design.treaty.items()) or "the base's terms"
    n, failing = prim.n_worlds, prim.failing
    lines = [
        f"# {design.name}: where the treaty fails",
        "",
        f"Treaty: {treaty}. {n} worlds (a Latin hypercube over "
        f"{', '.join(design.uncertainties)}), {design.replicates} runs each, "
        f"{design.steps} months.",
        "",
        f"Mean survival over the worlds {worlds['survival'].mean():.3f}; mean months to "
        f"collapse (restricted to {design.steps}) {worlds['months_to_collapse'].mean():.1f}. "
        f"The treaty fails (survival below {design.failure_below}) in {failing} of {n} worlds.",
        "",
    ]
    if "welfare" in worlds.columns:
        lines += [
            f"Over the worlds: {worlds['false_alarms'].mean():.3g} false alarms a month, "
            f"{worlds['catastrophe'].mean():.1%} of runs ended by a catastrophe, world welfare "
            f"{worlds['welfare'].mean():.4g} a month (all actors' realised payoffs less the "
            "expected catastrophe loss; lowest world "
            f"{worlds['welfare'].min():.4g}).",
            "",
        ]
    if prim.stats.empty:
        lines.append("PRIM found no box of failing worlds.")
    for row in prim.stats.itertuples(index=False):
        limits = prim.table[prim.table["box"] == row.box]
        where = "; ".join(
            f"{text} (quasi-p {r.quasi_p:.2g})"
            for text, r in zip(prim.where(row.box), limits.itertuples(index=False), strict=True)
        )
        lines.append(
            f"- PRIM box {row.box + 1}: {where or 'no restriction'}. It holds "
            f"{row.coverage:.0%} of the failing worlds (coverage) and {row.density:.0%} of "
            f"the worlds in it fail (density)."
        )
        stability = prim.resample[prim.resample["box"] == row.box]
        mine = stability[stability["dimension"].isin(limits["dimension"])]
        if not mine.empty:
            lines.append(
                "  Resampling stability (PRIM on "
                f"{design.discovery['resample_iterations']} random halves of its worlds): "
                + "; ".join(
                    f"{r.dimension} restricted again in {r.reproduce_coverage:.0f}% "
                    f"(box of equal coverage) and {r.reproduce_density:.0f}% (equal density)"
                    for r in mine.itertuples(index=False)
                )
                + "."
            )
    cart = found.cart
    if not cart.stats.empty:
        best = cart.stats.iloc[0]
        where = "; ".join(cart.where(int(best["box"])))
        lines += [
            "",
            f"CART's densest failing leaf: {where or 'no restriction'} (coverage "
            f"{best['coverage']:.0%}, density {best['density']:.0%}).",
        ]
    lines += [
        "",
        "Each world's survival is the share of its runs in which the pause held to the horizon; "
        "PRIM and CART are the EMA workbench's (ema_workbench).",
        "",
    ]
    return "\n".join(lines)


def prim_options(design: Any) -> dict[str, Any]:
    """PRIM's options from a design's ``[discovery]`` table (what :func:`prim_boxes` takes)."""
    settings = design.discovery
    return {
        "min_density": float(settings["min_density"]),
        "peel_alpha": float(settings["peel_alpha"]),
        "mass_min": float(settings["mass_min"]),
        "max_boxes": int(settings["max_boxes"]),
        "resample_iterations": int(settings["resample_iterations"]),
        "seed": design.master_seed,
    }
