"""The stability map: survival probability over two swept parameters, with theory drawn over it.

For every design point the survival probability is the share of its replicates in which the
pause held, with a Wilson score interval. When one axis is ``p_detect``, theory's curves are
computed along the other axis and drawn over the map: the deterrence threshold ``p*`` (with
nobody else defecting, no alliances: ``p * F = G`` in the exact limit), the survival boundary
of the rule in use (where mean-field compliance reaches ``stability_threshold``: under logit
later than ``p*``, which is why the simulated map switches later than ``p * F = G``), the
bistable band of the rule (shaded) and, when allies shield each other in the batch's worlds,
theory's collapse boundary over those worlds (:func:`model.theory.batch_boundaries`: every
actor with its own shielding share and kind, and the month-to-month fluctuations of the
largest; where theory's survival share is 0.5, which is what the map's 0.5 contour measures).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.common import (
    OKABE_ITO,
    BatchContext,
    label,
    new_figure,
    wilson_interval,
)
from model.errors import ConfigError

__all__ = ["StabilityMap", "TheoryCurves", "plot_stability_map", "stability_map"]

#: The map's collapse boundary is computed over at most this many of the batch's worlds ...
_MAP_WORLDS = 8
#: ... at every this many of the dense values along the other axis (and the last).
_MAP_EVERY = 10


@dataclass(frozen=True)
class TheoryCurves:
    """Theory along the map's other axis (``p_detect`` on x).

    Attributes:
        axis: The other axis' parameter.
        values: Dense values of it.
        rule: The decision rule.
        deterrence: ``p*`` at each value (nation, no shielding).
        boundary: The rule's survival boundary at each value (NaN: survives nowhere).
        band_low: Lower edge of the rule's bistable band (NaN when empty), clipped to [0, 1].
        band_high: Upper edge.
        shield: The batch's mean shielding share (1.0 without alliances).
        boundary_shielded: With alliances (``shield`` below 1), theory's collapse boundary over
            the batch's worlds at every tenth value (and the last; NaN between them: it takes
            a root search per world); None without alliances.
    """

    axis: str
    values: np.ndarray
    rule: str
    deterrence: np.ndarray
    boundary: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray
    shield: float = 1.0
    boundary_shielded: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per value of the other axis."""
        data = {
            self.axis: self.values,
            "deterrence_threshold": self.deterrence,
            "survival_boundary": self.boundary,
            "band_low": self.band_low,
            "band_high": self.band_high,
        }
        if self.boundary_shielded is not None:
            data["collapse_boundary"] = self.boundary_shielded
        return pd.DataFrame(data)


@dataclass(frozen=True)
class StabilityMap:
    """Survival probability over a grid of two parameters.

    Attributes:
        x: The parameter on the x axis (``p_detect`` when it is varied).
        y: The parameter on the y axis (None for a one-parameter sweep).
        x_values: The x grid (sorted).
        y_values: The y grid (sorted; one NaN when there is no y).
        held: Runs that held, shape ``(len(y_values), len(x_values))``.
        runs: Runs finished at each cell (0 where the sweep has none).
        confidence: The confidence level of the Wilson intervals.
        fixed: Other varied parameters and the value the map is taken at.
        theory: Theory's curves (None when x is not ``p_detect`` or the rule has no theory).
        name: The design's name.
    """

    x: str
    y: str | None
    x_values: np.ndarray
    y_values: np.ndarray
    held: np.ndarray
    runs: np.ndarray
    confidence: float = 0.95
    fixed: Mapping[str, Any] = field(default_factory=dict)
    theory: TheoryCurves | None = None
    name: str = ""

    @property
    def survival(self) -> np.ndarray:
        """Share of runs that held (NaN where there are none)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.runs > 0, self.held / np.maximum(self.runs, 1), np.nan)

    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """Wilson interval of each cell's survival probability."""
        return wilson_interval(self.held, self.runs, self.confidence)

    def boundary(self, level: float = 0.5) -> np.ndarray:
        """Per y value, the x at which survival first crosses ``level`` going up.

        Linear interpolation between the last cell below ``level`` and the next; the first x
        when survival starts at or above it; NaN when it never reaches it.
        """
        out = np.full(len(self.y_values), np.nan)
        surv = self.survival
        for j, row in enumerate(surv):
            ok = ~np.isnan(row)
            xs, ys = self.x_values[ok], row[ok]
            above = np.flatnonzero(ys >= level)
            if not above.size:
                continue
            i = int(above[0])
            if i == 0:
                out[j] = xs[0]
                continue
            x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
            out[j] = x0 + (level - y0) * (x1 - x0) / (y1 - y0)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: x, y, runs, held, survival, Wilson interval."""
        low, high = self.interval()
        yy, xx = np.meshgrid(self.y_values, self.x_values, indexing="ij")
        data: dict[str, Any] = {self.x: xx.ravel()}
        if self.y is not None:
            data[self.y] = yy.ravel()
        data.update(
            {
                "runs": self.runs.ravel(),
                "held": self.held.ravel(),
                "survival": self.survival.ravel(),
                "ci_low": low.ravel(),
                "ci_high": high.ravel(),
            }
        )
        frame = pd.DataFrame(data)
        return frame[frame["runs"] > 0].reset_index(drop=True)


def stability_map(
    context: BatchContext,
    x: str | None = None,
    y: str | None = None,
    *,
    at: Mapping[str, Any] | None = None,
    confidence: float = 0.95,
    theory: bool = True,
) -> StabilityMap:
    """Build the stability map of a swept batch.

    Args:
        context: The batch.
        x: The x parameter (default ``p_detect`` if varied, else the first varied).
        y: The y parameter (default the first other varied one; None if there is none).
        at: Values of further varied parameters to take the map at (default: pooled).
        confidence: Confidence level of the Wilson intervals.
        theory: Compute theory's curves (when x is ``p_detect``).

    Raises:
        ConfigError: For a batch with no varied numeric parameter, or unknown names.
    """
    frame = context.frame
    varied = [v for v in context.varied if pd.api.types.is_numeric_dtype(frame[v])]
    if not varied:
        raise ConfigError(
            f"{context.path}: a stability map needs a swept numeric parameter; "
            "this design varies none"
        )
    if x is None:
        x = "p_detect" if "p_detect" in varied else varied[0]
    if y is None:
        rest = [v for v in varied if v != x]
        y = "penalty" if "penalty" in rest else (rest[0] if rest else None)
    for name in (x, y):
        if name is not None and name not in varied:
            raise ConfigError(
                f"{name!r} is not a varied numeric parameter of {context.path}; "
                "varied: " + ", ".join(varied)
            )
    at = dict(at or {})
    for name, value in at.items():
        frame = frame[np.isclose(frame[name].to_numpy(dtype=float), float(value))]
    xs = np.unique(frame[x].to_numpy(dtype=float))
    ys = np.unique(frame[y].to_numpy(dtype=float)) if y is not None else np.array([np.nan])
    held = np.zeros((len(ys), len(xs)))
    runs = np.zeros((len(ys), len(xs)))
    xi = np.searchsorted(xs, frame[x].to_numpy(dtype=float))
    yi = (
        np.searchsorted(ys, frame[y].to_numpy(dtype=float))
        if y is not None
        else np.zeros(len(frame), dtype=np.int64)
    )
    np.add.at(runs, (yi, xi), 1.0)
    np.add.at(held, (yi, xi), frame["held"].astype(float).to_numpy())
    curves = None
    if theory and x == "p_detect":
        curves = theory_curves(context, y, ys, at)
    return StabilityMap(
        x=x,
        y=y,
        x_values=xs,
        y_values=ys,
        held=held,
        runs=runs,
        confidence=confidence,
        fixed=at,
        theory=curves,
        name=context.name,
    )


def theory_curves(
    context: BatchContext,
    axis: str | None,
    values: np.ndarray,
    at: Mapping[str, Any] | None = None,
    n: int = 200,
) -> TheoryCurves | None:
    """Theory's curves along ``axis`` (dense between its lowest and highest ``values``)."""
    from model import theory

    at = dict(at or {})
    try:
        base = context.params_at(at)
    except ConfigError:
        return None
    rule = str(base["decision_rule"])
    if rule not in theory.RULES:
        return None
    if axis is None:
        dense = np.array([np.nan])
    else:
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        dense = np.linspace(lo, hi, n) if hi > lo else np.array([lo])
    shield = context.mean_shield(at or None)
    worlds = context.worlds(at or None, n_worlds=_MAP_WORLDS) if theory.shields(shield) else []
    det, bound, b_lo, b_hi, shielded = [], [], [], [], []
    for i, v in enumerate(dense):
        params = base if axis is None else context.params_at({**at, axis: _cast(axis, v)})
        det.append(float(theory.deterrence_threshold(params)))
        bound.append(float(theory.survival_boundary(params)))
        band = theory.bistable_band(params).clip(0.0, 1.0)
        b_lo.append(band.low)
        b_hi.append(band.high)
        if worlds:
            every = i % _MAP_EVERY == 0 or i == len(dense) - 1
            shielded.append(theory.batch_boundaries(params, worlds).collapse if every else math.nan)
    return TheoryCurves(
        axis=axis or "",
        values=dense,
        rule=rule,
        deterrence=np.array(det),
        boundary=np.array(bound),
        band_low=np.array(b_lo),
        band_high=np.array(b_hi),
        shield=shield,
        boundary_shielded=np.array(shielded) if shielded else None,
    )


def _cast(name: str, value: float) -> Any:
    from model.params import schema

    return int(round(value)) if schema()[name].kind == "int" else float(value)


def plot_stability_map(smap: StabilityMap, *, title: str | None = None) -> Any:
    """The map as a matplotlib Figure: survival colour, theory curves, a 0.5 contour.

    A one-parameter sweep is drawn as survival against x with Wilson error bars.
    """
    fig = new_figure(8.0, 5.6)
    ax = fig.add_subplot()
    surv = smap.survival
    if smap.y is None:
        low, high = smap.interval()
        ax.errorbar(
            smap.x_values,
            surv[0],
            yerr=[surv[0] - low[0], high[0] - surv[0]],
            color=OKABE_ITO[0],
            marker="o",
            capsize=3,
            label="simulated (Wilson CI)",
        )
        ax.set_ylabel(label("held"))
        ax.set_ylim(-0.02, 1.02)
        if smap.theory is not None:
            th = smap.theory
            ax.axvline(
                th.deterrence[0],
                color=OKABE_ITO[1],
                linestyle="--",
                label="deterrence threshold p*",
            )
            if not math.isnan(th.boundary[0]):
                ax.axvline(
                    th.boundary[0],
                    color=OKABE_ITO[2],
                    linestyle="-",
                    label=f"survival boundary ({th.rule})",
                )
    else:
        # a map with cells centred on the grid values; colour-blind-safe sequential map
        mesh = ax.pcolormesh(
            _edges(smap.x_values),
            _edges(smap.y_values),
            np.ma.masked_invalid(surv),
            cmap="cividis",
            vmin=0.0,
            vmax=1.0,
            shading="flat",
        )
        bar = fig.colorbar(mesh, ax=ax)
        bar.set_label(label("held"))
        if len(smap.x_values) > 1 and len(smap.y_values) > 1:
            ax.contour(
                smap.x_values,
                smap.y_values,
                np.nan_to_num(surv, nan=0.0),
                levels=[0.5],
                colors=OKABE_ITO[5],
                linewidths=1.8,
                linestyles=":",
            )
        ax.plot(
            [],
            [],
            color=OKABE_ITO[5],
            linestyle=":",
            linewidth=1.8,
            label="simulated survival = 0.5",
        )
        ax.set_ylabel(label(smap.y))
        if smap.theory is not None:
            _draw_theory(ax, smap)
        ax.set_ylim(_edges(smap.y_values)[0], _edges(smap.y_values)[-1])
        ax.set_facecolor("#DDDDDD")
    ax.set_xlabel(label(smap.x))
    ax.set_xlim(_edges(smap.x_values)[0], _edges(smap.x_values)[-1])
    fixed = ", ".join(f"{k} = {v}" for k, v in smap.fixed.items())
    ax.set_title(
        title or f"Where the pause holds: {smap.name}" + (f" ({fixed})" if fixed else ""),
        fontsize=11,
    )
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def _draw_theory(ax: Any, smap: StabilityMap) -> None:
    th = smap.theory
    assert th is not None
    ys = th.values
    ok = ~np.isnan(th.band_low) & ~np.isnan(th.band_high)
    if ok.any():
        ax.fill_betweenx(
            ys,
            np.where(ok, th.band_low, np.nan),
            np.where(ok, th.band_high, np.nan),
            color=OKABE_ITO[4],
            alpha=0.35,
            linewidth=0,
            label=f"bistable band ({th.rule})",
        )
    det = np.where((th.deterrence >= 0) & (th.deterrence <= 1), th.deterrence, np.nan)
    ax.plot(
        det,
        ys,
        color=OKABE_ITO[1],
        linestyle="--",
        linewidth=1.8,
        label="deterrence threshold p* (p F = G without alliances)",
    )
    ax.plot(
        th.boundary,
        ys,
        color=OKABE_ITO[2],
        linestyle="-",
        linewidth=1.8,
        label=f"survival boundary ({th.rule}, mean field)",
    )
    if th.boundary_shielded is not None:
        ok = ~np.isnan(th.boundary_shielded)
        ax.plot(
            th.boundary_shielded[ok],
            ys[ok],
            color=OKABE_ITO[3],
            linestyle="-.",
            linewidth=1.8,
            marker="o",
            markersize=2.5,
            label="collapse as likely as not (each actor's own shielding; mean s = "
            f"{th.shield:.2f})",
        )


def _edges(values: np.ndarray) -> np.ndarray:
    """Cell edges around sorted grid values (midpoints; a unit cell for a single value)."""
    v = np.asarray(values, dtype=float)
    if v.size == 1 or np.isnan(v).all():
        c = 0.0 if np.isnan(v).all() else float(v[0])
        return np.array([c - 0.5, c + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])
