"""The app's figures, drawn with matplotlib's object API (no pyplot: safe in server threads).

Colours are Okabe-Ito (distinguishable with the common colour-vision deficiencies): compliance
runs from vermilion (everyone defects) to blue (everyone complies). Each function returns a
:class:`matplotlib.figure.Figure`; :func:`png` turns one into bytes for the page and downloads.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from experiments.compliance_chart import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VERMILION,
    compliance_chart,
    draw,
)
from model import theory

__all__ = [
    "BLUE",
    "COMPLIANCE_CMAP",
    "GREEN",
    "GREY",
    "ORANGE",
    "PURPLE",
    "SKY",
    "VERMILION",
    "message_figure",
    "network_figure",
    "png",
    "theory_curve",
    "theory_figure",
    "timeseries_figure",
]

#: Compliance colour map: 0 (defecting) vermilion, 0.5 pale, 1 (complying) blue.
COMPLIANCE_CMAP = LinearSegmentedColormap.from_list("compliance", [VERMILION, "#F3E6D8", BLUE])


def png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def network_figure(
    positions: Mapping[int, tuple[float, float]],
    edges: Sequence[tuple[int, int, float]],
    state: Mapping[str, np.ndarray],
    names: Sequence[str],
    *,
    month: int,
) -> Figure:
    """The alliance network of nations.

    Fill: the capability-weighted compliance of the nation's jurisdiction (its own programme
    and its labs); a thick black ring: the nation's own programme defects; size: capability;
    edge width: alliance weight; circles are treaty members, squares outsiders.
    """
    fig = Figure(figsize=(5.6, 4.6))
    ax = fig.add_subplot()
    n = len(state["capability"])
    xy = np.array([positions.get(i, (0.0, 0.0)) for i in range(n)]) if n else np.zeros((0, 2))
    if edges:
        segs = [(xy[a], xy[b]) for a, b, _ in edges]
        widths = [0.4 + 3.0 * float(w) for _, _, w in edges]
        ax.add_collection(
            LineCollection(segs, linewidths=widths, colors="#9a9a9a", alpha=0.6, zorder=1)
        )
    cap = np.asarray(state["capability"], dtype=float)
    size = 40 + 1400 * (cap / cap.max() if n and cap.max() > 0 else np.zeros(n))
    member = np.asarray(state["member"], dtype=bool)
    own = np.asarray(state["own_defects"], dtype=bool)
    ring = np.where(own, 2.8, 0.6)
    edge_colours = np.where(own, "#000000", "#ffffff")
    for mask, marker in ((member, "o"), (~member, "s")):
        if mask.any():
            ax.scatter(
                xy[mask, 0],
                xy[mask, 1],
                s=size[mask],
                c=state["compliance"][mask],
                cmap=COMPLIANCE_CMAP,
                vmin=0,
                vmax=1,
                marker=marker,
                linewidths=ring[mask],
                edgecolors=list(edge_colours[mask]),
                zorder=2,
            )
    if n <= 16:
        for i in range(n):
            ax.annotate(
                names[i],
                xy[i],
                xytext=(0, -9 - math.sqrt(size[i]) / 2),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="#222222",
            )
    sm = _mappable()
    fig.colorbar(sm, ax=ax, shrink=0.7, label="compliance (capability-weighted)")
    handles = [
        Line2D([], [], marker="o", ls="", mfc="#cccccc", mec="#ffffff", ms=8, label="member"),
        Line2D([], [], marker="s", ls="", mfc="#cccccc", mec="#ffffff", ms=8, label="outsider"),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="#cccccc",
            mec="#000000",
            mew=2.5,
            ms=8,
            label="own programme defects",
        ),
    ]
    ax.legend(
        handles=handles, loc="lower left", fontsize=7, frameon=False, bbox_to_anchor=(0, -0.02)
    )
    ax.set_title(f"Alliance network of nations, month {month}", fontsize=10)
    ax.set_axis_off()
    ax.margins(0.12)
    ax.autoscale_view()
    return fig


def _mappable() -> Any:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    return ScalarMappable(norm=Normalize(0, 1), cmap=COMPLIANCE_CMAP)


def timeseries_figure(
    ts: Mapping[str, np.ndarray],
    params: Mapping[str, Any],
    *,
    collapse_step: int | None,
) -> Figure:
    """Four panels over months: compliance, verification, defection and risk, membership.

    The compliance panel is the chart ``pausegame run`` draws and the app shows live
    (:func:`experiments.compliance_chart.compliance_chart`).
    """
    steps = int(params["steps"])
    t = np.asarray(ts["step"])
    fig = Figure(figsize=(8.4, 5.2))
    axes = fig.subplots(2, 2, sharex=True)
    ax = axes[0, 0]
    draw(compliance_chart(ts, params, collapse_step=collapse_step), ax, ts, scale=0.8)
    ax.set_xlabel("")  # the bottom row names the months
    ax.set_ylabel(ax.get_ylabel(), fontsize=8)
    ax.title.set_fontsize(10)
    ax.legend(fontsize=7, loc="lower left")
    ax = axes[0, 1]
    ax.plot(t, ts["detections"], color=VERMILION, lw=1.5, label="detections")
    ax.plot(t, ts["false_alarms"], color=ORANGE, lw=1.2, ls="--", label="false alarms")
    ax.set_ylabel("actors per month", fontsize=8)
    twin = ax.twinx()
    twin.plot(t, ts["sanctions_paid"], color=PURPLE, lw=1.2, ls="-.", label="sanctions paid")
    twin.set_ylabel("sanctions (G)", fontsize=8)
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="upper right")
    ax.set_title("Detections, false alarms and sanctions", fontsize=10)
    ax = axes[1, 0]
    share = np.asarray(ts["defecting_share"], dtype=float)
    ax.plot(t, share, color=VERMILION, lw=2, label="defecting capability share R")
    ax.plot(
        t,
        float(params["risk_cost"]) * share,
        color=GREY,
        lw=1.2,
        ls="--",
        label="shared risk r*R (G per unit capability)",
    )
    ax.set_title("Defection and shared risk", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_xlabel("month", fontsize=8)
    ax = axes[1, 1]
    members = [c for c in ts if "member" in c]
    if members:
        for c, colour in zip(members, (GREEN, BLUE, ORANGE), strict=False):
            ax.plot(t, ts[c], color=colour, lw=1.8, label=c.replace("_", " "))
        ax.set_title("Treaty membership", fontsize=10)
    else:
        ax.plot(t, ts["mean_belief"], color=GREEN, lw=1.8, label="mean believed defection")
        ax.plot(t, ts["pause_active"], color=GREY, lw=1, ls=":", label="pause active")
        ax.set_title("Beliefs (every nation is a member)", fontsize=10)
        ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_xlabel("month", fontsize=8)
    for a in axes.flat:
        a.set_xlim(0, max(steps, int(t[-1]) if len(t) else 1))
        a.tick_params(labelsize=7)
        if collapse_step is not None and a is not axes[0, 0]:  # the chart has its own
            a.axvline(collapse_step, color=VERMILION, lw=0.8, alpha=0.6)
    return fig


def theory_curve(params: Mapping[str, Any], n: int = 81) -> dict[str, np.ndarray]:
    """Mean-field compliance of the compliant and the defecting branch against ``p_detect``."""
    grid = np.linspace(0.0, 1.0, n)
    low = np.empty(n)
    high = np.empty(n)
    for i, p in enumerate(grid):
        stable = [fp for fp in theory.fixed_points(params, p_detect=float(p)) if fp.stable]
        low[i] = max(fp.compliance for fp in stable)
        high[i] = min(fp.compliance for fp in stable)
    return {"p": grid, "compliant": low, "defecting": high}


def theory_figure(
    params: Mapping[str, Any],
    curve: Mapping[str, np.ndarray],
    summary: theory.TheorySummary | None,
    simulated: float | None,
) -> Figure:
    """Where the parameters sit against theory's threshold, band and survival boundary."""
    fig = Figure(figsize=(4.6, 3.0))
    ax = fig.add_subplot()
    ax.plot(curve["p"], curve["compliant"], color=BLUE, lw=2, label="mean field (compliant)")
    if np.any(np.abs(curve["compliant"] - curve["defecting"]) > 1e-9):
        ax.plot(
            curve["p"],
            curve["defecting"],
            color=VERMILION,
            lw=1.5,
            ls="--",
            label="mean field (broken pause)",
        )
    if summary is not None:
        band = summary.band.clip()
        if not band.empty:
            ax.axvspan(band.low, band.high, color=ORANGE, alpha=0.25, label="bistable band")
        if 0 <= summary.threshold <= 1:
            ax.axvline(
                summary.threshold,
                color=GREY,
                ls=":",
                lw=1.2,
                label=f"threshold p* = {summary.threshold:.2f}",
            )
        if not math.isnan(summary.survival_boundary):
            ax.axvline(
                summary.survival_boundary,
                color=GREEN,
                ls="-.",
                lw=1.2,
                label=f"survival boundary {summary.survival_boundary:.2f}",
            )
    ax.axhline(float(params["stability_threshold"]), color=GREY, lw=0.8, alpha=0.5)
    p = float(params["p_detect"])
    if simulated is not None and not math.isnan(simulated):
        ax.plot([p], [simulated], "D", color="#000000", ms=7, label="this run now")
    ax.axvline(p, color="#000000", lw=0.6)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("p_detect", fontsize=8)
    ax.set_ylabel("compliance", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6, loc="lower right")
    ax.set_title("Theory (identical nations, no alliances)", fontsize=9)
    return fig


def message_figure(text: str) -> Figure:
    """A figure that only says something (where a chart cannot be drawn)."""
    import textwrap

    fig = Figure(figsize=(4.6, 1.6))
    fig.text(0.03, 0.5, textwrap.fill(text, 80), va="center", fontsize=8)
    return fig
