"""Survival curves: Kaplan-Meier estimates of the time to collapse, with confidence bands.

A run's duration is its ``collapse_step`` (an event); a run in which the pause held is censored
at the horizon (its number of steps). The product-limit estimator

    S(t) = prod_{t_i <= t} (1 - d_i / n_i),

with ``d_i`` collapses at ``t_i`` and ``n_i`` runs still at risk just before it (runs censored at
``t_i`` count as at risk there), and a pointwise band from Greenwood's variance on the
log(-log S) scale (Kalbfleisch and Prentice), which stays inside [0, 1]:

    S(t) ** exp(+-z * se),   se = sqrt(sum d_i / (n_i (n_i - d_i))) / |log S(t)|.

Both come from ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData`` (the survival function
``result.sf`` and its ``confidence_interval(method="log-log")``, the "exponential Greenwood"
band); the tests check them against an example worked out by hand.

References:
    Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete observations.
    *JASA* 53(282), 457-481.
    Kalbfleisch, J. D. and Prentice, R. L. (2002). *The Statistical Analysis of Failure Time
    Data*, 2nd ed. Wiley, section 1.4.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.analysis.common import OKABE_ITO, BatchContext, new_figure
from model.errors import ConfigError

__all__ = [
    "KaplanMeier",
    "SurvivalCurves",
    "kaplan_meier",
    "plot_survival_curves",
    "survival_curves",
]


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier estimate.

    Attributes:
        times: Distinct event or censoring times, ascending, starting with 0.
        at_risk: Runs at risk just before each time.
        events: Events (collapses) at each time.
        censored: Runs censored at each time.
        survival: ``S(t)`` just after each time (a right-continuous step function).
        ci_low: Lower pointwise confidence bound.
        ci_high: Upper bound.
        confidence: The confidence level.
        label: What the curve is of (a group's values).
    """

    times: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    censored: np.ndarray
    survival: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float = 0.95
    label: str = ""

    @property
    def n(self) -> int:
        """Number of runs."""
        return int(self.events.sum() + self.censored.sum())

    def survival_at(self, t: Any) -> np.ndarray:
        """``S(t)`` at times ``t`` (array-like; the step function's value)."""
        idx = np.searchsorted(self.times, np.asarray(t, dtype=float), side="right") - 1
        return np.where(idx >= 0, self.survival[np.maximum(idx, 0)], 1.0)

    def median(self) -> float:
        """The first time at which ``S(t) <= 0.5`` (inf when it stays above).

        ``S`` is a product of fractions, and one that is exactly 0.5 can come out of floating
        point a unit in the last place above it; ``S`` within ``1e-12`` of 0.5 counts as 0.5.
        """
        below = np.flatnonzero(self.survival <= 0.5 + 1e-12)
        return float(self.times[below[0]]) if below.size else math.inf

    def to_frame(self) -> pd.DataFrame:
        """One row per time: at risk, events, censored, survival and its band."""
        return pd.DataFrame(
            {
                "time": self.times,
                "at_risk": self.at_risk,
                "events": self.events,
                "censored": self.censored,
                "survival": self.survival,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
            }
        )


def kaplan_meier(
    durations: Any, observed: Any, *, confidence: float = 0.95, label: str = ""
) -> KaplanMeier:
    """The Kaplan-Meier estimate of a survival function, with a log-log Greenwood band.

    The estimate and its band are ``scipy.stats.ecdf`` of the right-censored sample
    (``result.sf`` and ``result.sf.confidence_interval(confidence, method="log-log")``); this
    function adds the time 0 (``S = 1``), the counts at each time, and the band's ends where the
    formula is undefined: ``[1, 1]`` while ``S = 1`` and ``[0, 0]`` once ``S = 0``.

    Args:
        durations: Time of every run's event or censoring (non-negative).
        observed: True where the run's event (collapse) was observed, False where censored.
        confidence: Level of the pointwise band.
        label: A label kept with the result.

    Raises:
        ConfigError: For no durations, negative ones, or arrays of different lengths.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if t.shape != e.shape or t.ndim != 1 or t.size == 0:
        raise ConfigError("kaplan_meier needs equal-length, non-empty durations and observed")
    if np.any(np.isnan(t)) or np.any(t < 0):
        raise ConfigError("kaplan_meier: durations must be non-negative numbers")
    sf = stats.ecdf(stats.CensoredData(uncensored=t[e], right=t[~e])).sf
    with warnings.catch_warnings():
        # undefined where S = 1 or S = 0 (log 0, 0/0); those ends are set below
        warnings.filterwarnings("ignore", "The confidence interval is undefined", RuntimeWarning)
        band = sf.confidence_interval(confidence, method="log-log")
    times = np.asarray(sf.quantiles, dtype=float)
    survival = np.asarray(sf.probabilities, dtype=float)
    low = np.asarray(band.low.probabilities, dtype=float)
    high = np.asarray(band.high.probabilities, dtype=float)
    if times[0] > 0.0:  # the curve starts at S(0) = 1
        times, survival, low, high = (
            np.concatenate([[first], a])
            for first, a in ((0.0, times), (1.0, survival), (1.0, low), (1.0, high))
        )
    idx = np.searchsorted(times, t)
    events = np.bincount(idx, weights=e.astype(float), minlength=times.size)
    censored = np.bincount(idx, weights=(~e).astype(float), minlength=times.size)
    at_risk = t.size - np.concatenate([[0.0], np.cumsum(events + censored)[:-1]])
    low = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, low))
    high = np.where(survival >= 1.0, 1.0, np.where(survival <= 0.0, 0.0, high))
    return KaplanMeier(
        times=times,
        at_risk=at_risk,
        events=events,
        censored=censored,
        survival=survival,
        ci_low=np.nan_to_num(low),
        ci_high=np.nan_to_num(high, nan=1.0),
        confidence=confidence,
        label=label,
    )


@dataclass(frozen=True)
class SurvivalCurves:
    """Kaplan-Meier curves of the time to collapse, one per group of runs.

    Attributes:
        by: The parameters the runs are grouped by.
        groups: Each group's values, in curve order.
        curves: One :class:`KaplanMeier` per group.
        horizon: The runs' number of steps (held runs are censored there).
    """

    by: tuple[str, ...]
    groups: tuple[Mapping[str, Any], ...]
    curves: tuple[KaplanMeier, ...]
    horizon: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def medians(self) -> np.ndarray:
        """Median time to collapse of each group (inf when more than half held)."""
        return np.array([c.median() for c in self.curves])

    def to_frame(self) -> pd.DataFrame:
        """Long format: the group's values, then each curve's rows."""
        parts = []
        for group, curve in zip(self.groups, self.curves, strict=True):
            part = curve.to_frame()
            for k, v in group.items():
                part.insert(0, k, v)
            parts.append(part)
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def survival_curves(
    context: BatchContext,
    *,
    by: Sequence[str] | None = None,
    groups: Sequence[Mapping[str, Any]] | None = None,
    max_groups: int = 6,
    confidence: float = 0.95,
) -> SurvivalCurves:
    """Kaplan-Meier curves of ``collapse_step`` per design point (or per group of points).

    Args:
        context: The batch.
        by: Parameters to group by (default: every varied parameter, i.e. per point).
        groups: The groups to draw (mappings of ``by`` values); default: up to ``max_groups``
            with survival nearest 0.5 (the informative ones), in parameter order.
        max_groups: The most groups chosen by default.
        confidence: The bands' confidence level.

    Raises:
        ConfigError: For an unknown ``by`` name or a group without runs.
    """
    frame = context.frame
    horizon = context.steps
    by = tuple(context.varied if by is None else by)
    for name in by:
        if name not in context.varied:
            raise ConfigError(
                f"{name!r} is not varied in {context.path}; varied: "
                + (", ".join(context.varied) or "none")
            )
    durations = frame["collapse_step"].astype("Float64").fillna(float(horizon))
    frame = frame.assign(
        _duration=durations.to_numpy(dtype=float), _event=frame["collapse_step"].notna().to_numpy()
    )
    notes: list[str] = []
    if not by:
        chosen: list[tuple[dict[str, Any], pd.DataFrame]] = [({}, frame)]
    else:
        grouped = {
            (k if isinstance(k, tuple) else (k,)): g for k, g in frame.groupby(list(by), sort=True)
        }
        keys = list(grouped)
        if groups is not None:
            wanted = []
            for g in groups:
                key = tuple(g[name] for name in by)
                match = [k for k in keys if all(_same(a, b) for a, b in zip(k, key, strict=True))]
                if not match:
                    raise ConfigError(f"no runs at {dict(g)}")
                wanted.append(match[0])
        else:
            score = {k: abs(float(grouped[k]["held"].astype(float).mean()) - 0.5) for k in keys}
            wanted = sorted(sorted(keys, key=lambda k: score[k])[:max_groups])
            if len(keys) > max_groups:
                notes.append(
                    f"{max_groups} of {len(keys)} groups shown: those with survival nearest 0.5"
                )
        chosen = [({n: _plain(v) for n, v in zip(by, k, strict=True)}, grouped[k]) for k in wanted]
    curves = []
    for group, sub in chosen:
        text = (
            ", ".join(
                f"{k} = {v:g}" if isinstance(v, float | int) else f"{k} = {v}"
                for k, v in group.items()
            )
            or "all runs"
        )
        curves.append(
            kaplan_meier(sub["_duration"], sub["_event"], confidence=confidence, label=text)
        )
    return SurvivalCurves(
        by=by,
        groups=tuple(g for g, _ in chosen),
        curves=tuple(curves),
        horizon=horizon,
        notes=tuple(notes),
    )


def plot_survival_curves(curves: SurvivalCurves, *, title: str | None = None) -> Any:
    """The curves as step functions with shaded bands, as a matplotlib Figure."""
    fig = new_figure(7.5, 5.0)
    ax = fig.add_subplot()
    styles = ("-", "--", "-.", ":")
    for i, curve in enumerate(curves.curves):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        t = np.append(curve.times, curves.horizon)
        s = np.append(curve.survival, curve.survival[-1])
        ax.step(
            t,
            s,
            where="post",
            color=colour,
            linestyle=styles[i % 4],
            linewidth=1.8,
            label=f"{curve.label} (n = {curve.n})",
        )
        ax.fill_between(
            t,
            np.append(curve.ci_low, curve.ci_low[-1]),
            np.append(curve.ci_high, curve.ci_high[-1]),
            step="post",
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
    ax.set_xlim(0, curves.horizon)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("time (months; one step = one month)")
    ax.set_ylabel("share of runs whose pause has not collapsed")
    pct = round(100 * curves.curves[0].confidence) if curves.curves else 95
    ax.set_title(
        title
        or f"Kaplan-Meier survival of the pause ({pct}% bands; held runs "
        f"censored at month {curves.horizon})",
        fontsize=10,
    )
    ax.grid(True, alpha=0.3)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int | np.number) and isinstance(b, float | int | np.number):
        return bool(np.isclose(float(a), float(b)))
    return str(a) == str(b)


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x
