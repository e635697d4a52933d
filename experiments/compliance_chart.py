"""The compliance chart, defined once: what it shows, for every place that draws it.

:func:`compliance_chart` says what the chart of compliance over months shows, as data: its
lines (capability-weighted compliance of all actors, of the nations' own programmes and of the
labs), the stability threshold, the collapse month, the axes, the labels, the colours and the
dashes (:class:`ComplianceChart`). Two renderers draw it, one per medium:

* :func:`draw` with matplotlib, for files: ``pausegame run``'s ``compliance.png``
  (:func:`compliance_figure`) and the app's Charts (PNG) download (:mod:`viz.charts`);
* :func:`viz.specs.compliance_panel` as Vega-Lite, for the app's live chart, whose data the
  browser updates month by month (:mod:`viz.livechart`).

A change to what the chart shows is made here; the renderers only translate marks. Colours are
Okabe-Ito (:data:`BLUE` ...), distinguishable with the common colour-vision deficiencies; the
app's charts take theirs from here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "BLUE",
    "DASHES",
    "GREEN",
    "GREY",
    "LINESTYLES",
    "ORANGE",
    "PURPLE",
    "SKY",
    "VERMILION",
    "ComplianceChart",
    "Mark",
    "compliance_chart",
    "compliance_figure",
    "draw",
]

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, VERMILION, SKY, PURPLE, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#555555",
)

#: Each dash's pattern as Vega-Lite's ``strokeDash`` (pixels on, off, ...).
DASHES: dict[str, list[int]] = {
    "solid": [1, 0],
    "dash": [5, 3],
    "dot": [2, 2],
    "dashdot": [6, 3, 2, 3],
}
#: Each dash as a matplotlib line style.
LINESTYLES: dict[str, str] = {"solid": "-", "dash": "--", "dot": ":", "dashdot": "-."}

#: The chart's lines: time-series column, label, colour, dash (a column with no value is left
#: out: the labs' line in a world without labs).
LINES: tuple[tuple[str, str, str, str], ...] = (
    ("weighted_compliance", "all actors", BLUE, "solid"),
    ("weighted_compliance_nations", "nations' own programmes", ORANGE, "dash"),
    ("weighted_compliance_labs", "labs", GREEN, "dot"),
)


@dataclass(frozen=True)
class Mark:
    """One line or rule of the chart.

    Attributes:
        label: Its legend entry.
        colour: Its colour.
        dash: A key of :data:`DASHES` (``solid``, ``dash``, ``dot``, ``dashdot``).
        column: The time-series column a line draws ("" for a rule).
        at: Where a rule stands (a compliance level or a month; NaN for a line).
    """

    label: str
    colour: str
    dash: str
    column: str = ""
    at: float = float("nan")


@dataclass(frozen=True)
class ComplianceChart:
    """What the compliance chart shows (see the module).

    Attributes:
        title: The chart's title.
        x_title: The month axis' title.
        y_title: The compliance axis' title.
        x_domain: The months shown, ``(0, last)``.
        y_domain: The compliance shown, ``(0, 1)``.
        lines: The lines over months, in legend order.
        threshold: The stability threshold, a horizontal rule.
        collapse: The collapse month, a vertical rule (None when the pause held so far).
    """

    title: str
    x_title: str
    y_title: str
    x_domain: tuple[int, int]
    y_domain: tuple[float, float]
    lines: tuple[Mark, ...]
    threshold: Mark
    collapse: Mark | None

    @property
    def rules(self) -> tuple[Mark, ...]:
        """The threshold and, when there is one, the collapse."""
        return (self.threshold,) if self.collapse is None else (self.threshold, self.collapse)

    @property
    def columns(self) -> tuple[str, ...]:
        """The time-series columns the lines draw."""
        return tuple(line.column for line in self.lines)


def compliance_chart(
    ts: Mapping[str, Any],
    params: Mapping[str, Any],
    *,
    collapse_step: int | None,
    title: str = "Compliance",
) -> ComplianceChart:
    """The compliance chart of a time series (``Engine.timeseries()``) and its parameters.

    Example:
        >>> ts = {"step": np.arange(3), "weighted_compliance": np.array([1.0, 0.9, 0.8]),
        ...       "weighted_compliance_nations": np.array([1.0, 1.0, 0.5]),
        ...       "weighted_compliance_labs": np.full(3, np.nan)}
        >>> chart = compliance_chart(ts, {"steps": 2, "stability_threshold": 0.5},
        ...                          collapse_step=None)
        >>> [line.label for line in chart.lines], chart.threshold.label, chart.x_domain
        (['all actors', "nations' own programmes"], 'stability threshold 0.5', (0, 2))
    """
    steps = np.asarray(ts["step"])
    last = int(steps[-1]) if len(steps) else 0
    lines = tuple(
        Mark(label, colour, dash, column=column)
        for column, label, colour, dash in LINES
        if column in ts and not np.all(np.isnan(np.asarray(ts[column], dtype=float)))
    )
    theta = float(params["stability_threshold"])
    collapse = None
    if collapse_step is not None:
        collapse = Mark(
            f"collapse (month {collapse_step})", VERMILION, "dashdot", at=float(collapse_step)
        )
    return ComplianceChart(
        title=title,
        x_title="month (one step = one month)",
        y_title="compliance (capability share)",
        x_domain=(0, max(int(params["steps"]), last, 1)),
        y_domain=(0.0, 1.0),
        lines=lines,
        threshold=Mark(f"stability threshold {theta:g}", GREY, "dash", at=theta),
        collapse=collapse,
    )


def draw(chart: ComplianceChart, ax: Any, ts: Mapping[str, Any], *, scale: float = 1.0) -> None:
    """Draw ``chart`` on a matplotlib Axes (``scale`` multiplies line widths and font sizes).

    The lines take ``ts``'s columns; the legend is the caller's (``ax.legend()`` or the
    figure's) and lists every line and rule.
    """
    months = np.asarray(ts["step"])
    for line in chart.lines:
        ax.plot(
            months,
            np.asarray(ts[line.column], dtype=float),
            color=line.colour,
            linestyle=LINESTYLES[line.dash],
            linewidth=1.8 * scale,
            label=line.label,
        )
    t = chart.threshold
    ax.axhline(t.at, color=t.colour, linestyle=LINESTYLES[t.dash], linewidth=scale, label=t.label)
    if chart.collapse is not None:
        c = chart.collapse
        ax.axvline(
            c.at, color=c.colour, linestyle=LINESTYLES[c.dash], linewidth=1.2 * scale, label=c.label
        )
    pad = 0.02 * (chart.y_domain[1] - chart.y_domain[0])
    ax.set_xlim(*chart.x_domain)
    ax.set_ylim(chart.y_domain[0] - pad, chart.y_domain[1] + pad)
    ax.set_xlabel(chart.x_title, fontsize=10 * scale)
    ax.set_ylabel(chart.y_title, fontsize=10 * scale)
    ax.set_title(chart.title, fontsize=11 * scale)
    ax.grid(True, alpha=0.3)


def compliance_figure(chart: ComplianceChart, ts: Mapping[str, Any]) -> Any:
    """``chart`` as a matplotlib Figure of its own (8 x 5 in at 100 dpi), legend below."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), dpi=100, layout="constrained")
    draw(chart, fig.add_subplot(), ts)
    fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return fig
