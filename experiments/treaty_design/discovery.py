"""Scenario discovery for one treaty: the worlds where it fails, as PRIM and CART boxes (#32).

The fixed treaty of a :class:`~experiments.treaty_design.spec.TreatyDesign` is run over a Latin
hypercube of its uncertainties on the batch machinery (resumable, parallel; the results under
``DIR/discovery/``), each world ``replicates`` times. Per world (:func:`world_outcomes`):

* **survival**: the share of the world's runs in which the pause held to the horizon;
* **months_to_collapse**: the restricted mean of the month of collapse up to the horizon
  (``collapse_step``, or ``steps`` for a run that held), over the world's runs.

A world *fails* when its survival is below ``failure_below``. The boxes of failing worlds are
found by the EMA workbench's PRIM (:class:`ema_workbench.analysis.prim.Prim`; Bryant and
Lempert 2010), never by code of ours: PRIM peels and pastes a box, and on its peeling trajectory
the box reported is the one of most coverage whose density is at least ``min_density`` (the
last box, the densest, when none reaches it); the points in it are then set aside and the next
box is sought, up to ``max_boxes`` (a box below ``min_density`` ends the search). For each box:
its restricted dimensions' limits, its coverage (the share of all failing worlds inside it), its
density (the share of the worlds inside it that fail) and each limit's quasi-p value (a one-sided
binomial test of whether dropping the restriction would lose density; the larger of a
dimension's two sides is reported). CART (:class:`ema_workbench.analysis.cart.CART`) gives the
leaves of a classification tree as a second view.

Reference:
    Bryant, B. P. and Lempert, R. J. (2010). Thinking inside the box: a participatory,
    computer-assisted approach to scenario discovery. *Technological Forecasting and Social
    Change* 77(1), 34-49.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BOX_COLUMNS",
    "CATEGORY_COLUMNS",
    "RESAMPLE_COLUMNS",
    "Boxes",
    "cart_boxes",
    "catastrophe_losses",
    "ema_analysis",
    "categorical",
    "prim_boxes",
    "world_outcomes",
]

#: The columns of ``boxes.csv``.
BOX_COLUMNS = ("box", "dimension", "low", "high", "coverage", "density", "quasi_p")

#: The columns of ``boxes_categories.csv``: a box's restriction of a choice uncertainty (its
#: ``low`` and ``high`` in ``boxes.csv`` are NaN), the categories kept, comma-separated.
CATEGORY_COLUMNS = ("box", "dimension", "categories")

#: The columns of ``boxes_resample.csv`` (PRIM's resampling stability, in percent).
RESAMPLE_COLUMNS = ("box", "dimension", "reproduce_coverage", "reproduce_density")
#: The columns of a method's per-box statistics (:attr:`Boxes.stats`).
STATS_COLUMNS = ("box", "coverage", "density", "mass", "res_dim", "n_worlds", "trajectory_index")


def world_outcomes(
    frame: pd.DataFrame,
    varied: Sequence[str],
    steps: int,
    losses: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per world (design point): its uncertain values and outcomes.

    Always ``survival`` and ``months_to_collapse``; when the runs carry ``false_alarms``,
    ``total_payoff``, ``catastrophe_step`` and ``steps`` (a batch's runs do) also:

    * ``false_alarms``: the mean over the world's runs of ``false_alarms / months run``;
    * ``catastrophe``: the share of the world's runs a catastrophe ended;
    * ``welfare``: the mean over the world's runs of ``(total_payoff - X [catastrophe]) /
      steps``: all actors' realised payoffs per month of the horizon, less ``X`` (the
      negotiation's :func:`~model.negotiation.valuation.catastrophe_loss`, per unit of
      capability; world capability is 1) in a run a catastrophe ended, so the world's mean is
      the realised payoff less the expected catastrophe loss (the share of runs ending in
      catastrophe estimating its probability).

    Args:
        frame: The batch's finished runs (``point``, the varied columns, ``held``,
            ``collapse_step``).
        varied: The uncertainties (the batch's varied parameters).
        steps: The horizon.
        losses: ``X`` of each point (:func:`catastrophe_losses`); default 0 (no loss).

    Example:
        >>> runs = pd.DataFrame({"point": [0, 0, 1, 1], "x": [0.1, 0.1, 0.9, 0.9],
        ...                      "held": [True, False, True, True],
        ...                      "collapse_step": pd.array([None, 30, None, None], "Int64")})
        >>> world_outcomes(runs, ["x"], 120)
           point    x  survival  months_to_collapse  runs
        0      0  0.1       0.5                75.0     2
        1      1  0.9       1.0               120.0     2
    """
    ok = frame
    if "status" in frame:
        ok = frame[frame["status"] == "ok"]
    held = ok["held"].astype(bool).to_numpy()
    collapse = pd.to_numeric(ok["collapse_step"], errors="coerce").to_numpy(dtype=float)
    months = np.where(held | np.isnan(collapse), float(steps), np.minimum(collapse, steps))
    runs = pd.DataFrame({"point": ok["point"].to_numpy(), "held": held, "months": months})
    grouped = runs.groupby("point", sort=True)
    out = ok.groupby("point", sort=True)[list(varied)].first().reset_index()
    out["survival"] = grouped["held"].mean().to_numpy(dtype=float)
    out["months_to_collapse"] = grouped["months"].mean().to_numpy(dtype=float)
    out["runs"] = grouped.size().to_numpy()
    if {"false_alarms", "total_payoff", "catastrophe_step", "steps"} <= set(ok.columns):
        ran = np.maximum(pd.to_numeric(ok["steps"]).to_numpy(dtype=float), 1.0)
        ended = pd.to_numeric(ok["catastrophe_step"], errors="coerce").notna().to_numpy()
        points = ok["point"].to_numpy(dtype=np.int64)
        x = np.zeros(len(ok)) if losses is None else np.asarray(losses, dtype=float)[points]
        payoff = pd.to_numeric(ok["total_payoff"]).to_numpy(dtype=float)
        extra = pd.DataFrame(
            {
                "point": points,
                "false_alarms": pd.to_numeric(ok["false_alarms"]).to_numpy(dtype=float) / ran,
                "catastrophe": ended.astype(float),
                "welfare": (payoff - x * ended) / float(steps),
            }
        ).groupby("point", sort=True)
        for column in ("false_alarms", "catastrophe", "welfare"):
            out[column] = extra[column].mean().to_numpy(dtype=float)
    return out


def catastrophe_losses(batch: Any) -> np.ndarray:
    """``X = G / (1 - discount)`` of each point of a batch design (0 without a hazard).

    The negotiation's :func:`~model.negotiation.valuation.catastrophe_loss` with the point's
    parameters (the schema's defaults < the scenario's ``[params]`` < base < point).
    """
    from model.negotiation.valuation import catastrophe_loss
    from model.params import schema

    defaults = {name: p.default for name, p in schema().items()}
    out = np.zeros(batch.n_points)
    for i in range(batch.n_points):
        loss = catastrophe_loss({**defaults, **batch.params_at(i)})
        out[i] = 0.0 if loss is None else loss
    return out


@dataclass(frozen=True)
class Boxes:
    """Boxes of failing worlds (PRIM's or CART's).

    Attributes:
        method: ``prim`` or ``cart``.
        table: One row per restricted dimension of each box (:data:`BOX_COLUMNS`).
        stats: One row per box: ``box``, ``coverage``, ``density``, ``mass``, ``res_dim``,
            ``n_worlds`` (inside), ``trajectory_index`` (PRIM: the box chosen on its trajectory).
        failing: How many worlds fail.
        n_worlds: How many worlds there are.
        ranges: Each dimension's sampled range (low, high).
        resample: PRIM's resampling stability (:data:`RESAMPLE_COLUMNS`): for each box and
            each uncertainty, the percentage of PRIM runs on random halves of the box's worlds
            whose box (the one on their trajectory nearest in coverage, or in density)
            restricts that uncertainty (``ema_workbench``'s ``PrimBox.resample``); empty for
            CART or without resampling.
    """

    method: str
    table: pd.DataFrame
    stats: pd.DataFrame
    failing: int
    n_worlds: int
    ranges: Mapping[str, tuple[float, float]]
    resample: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(RESAMPLE_COLUMNS))
    )
    categories: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(CATEGORY_COLUMNS))
    )

    def where(self, box: int = 0) -> list[str]:
        """Box ``box``'s restrictions in words: ``x in [low, high]`` or ``x in {a, b}``."""
        out = []
        for r in self.table[self.table["box"] == box].itertuples(index=False):
            kept = self.categories[
                (self.categories["box"] == box) & (self.categories["dimension"] == r.dimension)
            ]
            if not kept.empty:
                out.append(f"{r.dimension} in {{{kept.iloc[0]['categories'].replace(',', ', ')}}}")
            else:
                out.append(f"{r.dimension} in [{r.low:.3g}, {r.high:.3g}]")
        return out

    def limits(self, box: int = 0) -> dict[str, tuple[float, float]]:
        """Box ``box``'s restricted dimensions' (low, high)."""
        rows = self.table[self.table["box"] == box]
        return {
            str(r.dimension): (float(r.low), float(r.high)) for r in rows.itertuples(index=False)
        }


def prim_boxes(
    x: pd.DataFrame,
    failed: np.ndarray,
    *,
    min_density: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_boxes: int = 3,
    resample_iterations: int = 10,
    seed: int = 0,
) -> Boxes:
    """PRIM's boxes of failing worlds (:class:`ema_workbench.analysis.prim.Prim`).

    Args:
        x: The worlds' uncertain values, one column per uncertainty.
        failed: Whether each world fails (bool, one per row of ``x``).
        min_density: Report the box of most coverage on the trajectory with at least this
            density (else the trajectory's last box); a search whose best box falls short of it
            ends.
        peel_alpha: PRIM's peeling share.
        mass_min: The smallest share of worlds a box may hold.
        max_boxes: The most boxes sought.
        resample_iterations: PRIM runs on random halves of each box's worlds for its
            resampling stability (``PrimBox.resample``, ``p = 1/2``); 0: none.
        seed: The resampling's seed (box ``k`` draws from ``SeedSequence(seed,
            spawn_key=(k,))``).
    """
    Prim = ema_analysis().prim.Prim  # noqa: N806

    failed = np.asarray(failed, dtype=bool)
    x = categorical(x)
    rows: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    stats: list[dict[str, Any]] = []
    resampled: list[dict[str, Any]] = []
    if failed.any():
        prim = Prim(x, failed, peel_alpha=peel_alpha, mass_min=mass_min)
        for k in range(max_boxes):
            box = prim.find_box()
            if box is None:
                break
            i = _chosen(box.peeling_trajectory, min_density)
            box.select(i)
            traj = box.peeling_trajectory.iloc[i]
            if k > 0 and float(traj["density"]) < min_density:
                break
            stats.append(
                {
                    "box": k,
                    "coverage": float(traj["coverage"]),
                    "density": float(traj["density"]),
                    "mass": float(traj["mass"]),
                    "res_dim": int(traj["res_dim"]),
                    "n_worlds": int(traj["n"]),
                    "trajectory_index": int(i),
                }
            )
            limits = box.box_lims[i]
            for dim, (qp_low, qp_high) in box.p_values[i].items():
                sides = [q for q in (qp_low, qp_high) if q is not None and q >= 0]
                low, high = _limits(x, limits, dim, k, kept)
                rows.append(
                    {
                        "box": k,
                        "dimension": str(dim),
                        "low": low,
                        "high": high,
                        "coverage": float(traj["coverage"]),
                        "density": float(traj["density"]),
                        "quasi_p": float(max(sides)) if sides else math.nan,
                    }
                )
            if resample_iterations > 0:
                rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
                scores = box.resample(i, iterations=resample_iterations, rng=rng)
                for dim, score in scores.iterrows():
                    resampled.append(
                        {
                            "box": k,
                            "dimension": str(dim),
                            "reproduce_coverage": float(score["reproduce coverage"]),
                            "reproduce_density": float(score["reproduce density"]),
                        }
                    )
            if float(traj["density"]) < min_density:
                break
    return Boxes(
        method="prim",
        table=pd.DataFrame(rows, columns=list(BOX_COLUMNS)),
        stats=pd.DataFrame(stats, columns=list(STATS_COLUMNS)),
        failing=int(failed.sum()),
        n_worlds=len(failed),
        ranges=_ranges(x),
        resample=pd.DataFrame(resampled, columns=list(RESAMPLE_COLUMNS)),
        categories=pd.DataFrame(kept, columns=list(CATEGORY_COLUMNS)),
    )


def categorical(x: pd.DataFrame) -> pd.DataFrame:
    """The worlds' values for PRIM and CART: a choice uncertainty as a categorical column."""
    x = x.reset_index(drop=True)
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]):
            x[column] = x[column].astype(str).astype("category")
    return x


def _limits(
    x: pd.DataFrame, limits: pd.DataFrame, dim: Any, box: int, kept: list[dict[str, Any]]
) -> tuple[float, float]:
    """A restricted dimension's (low, high); a categorical one's categories go to ``kept``."""
    if isinstance(x[dim].dtype, pd.CategoricalDtype):
        kept.append(
            {
                "box": box,
                "dimension": str(dim),
                "categories": ",".join(sorted(str(c) for c in limits[dim].iloc[0])),
            }
        )
        return math.nan, math.nan
    return float(limits[dim].iloc[0]), float(limits[dim].iloc[1])


def _chosen(trajectory: pd.DataFrame, min_density: float) -> int:
    """The index on a peeling trajectory of the densest-enough box of most coverage."""
    dense = trajectory[trajectory["density"] >= min_density]
    if dense.empty:
        return len(trajectory) - 1
    best = dense["coverage"].max()
    return int(dense.index[dense["coverage"] == best][-1])


def cart_boxes(x: pd.DataFrame, failed: np.ndarray, *, mass_min: float = 0.05) -> Boxes:
    """CART's leaves (:class:`ema_workbench.analysis.cart.CART`) where most worlds fail.

    Every leaf whose density (share failing) is at least one half is reported, densest first.
    A leaf holds at least ``mass_min`` of the worlds, and at least one world. With a single
    uncertainty no leaf is reported (ema_workbench 3.0.0's CART indexes its feature names with
    scikit-learn's leaf marker -2, which fails for one feature).
    """
    CART = ema_analysis().cart.CART  # noqa: N806

    failed = np.asarray(failed, dtype=bool)
    x = categorical(x)
    rows: list[dict[str, Any]] = []
    stats: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    if failed.any() and not failed.all() and x.shape[1] >= 2:
        # CART's smallest leaf is int(mass_min * n) worlds: at least one in a small sample
        cart = CART(x, failed, mass_min=max(mass_min, 1.0 / len(failed)))
        cart.build_tree()
        leaves = sorted(
            zip(cart.boxes, cart.stats, strict=True), key=lambda b: -float(b[1]["density"])
        )
        init = _ranges(x)
        k = 0
        for lims, st in leaves:
            if float(st["density"]) < 0.5:
                continue
            stats.append(
                {
                    "box": k,
                    "coverage": float(st["coverage"]),
                    "density": float(st["density"]),
                    "mass": float(st["mass"]),
                    "res_dim": int(st["res dim"]),
                    "n_worlds": round(float(st["mass"]) * len(failed)),
                    "trajectory_index": -1,
                }
            )
            for dim in lims.columns:
                if isinstance(x[dim].dtype, pd.CategoricalDtype):
                    if set(lims[dim].iloc[0]) >= set(x[dim].cat.categories):
                        continue
                    low, high = _limits(x, lims, dim, k, kept)
                else:
                    low, high = float(lims[dim].iloc[0]), float(lims[dim].iloc[1])
                    if (low, high) == init[str(dim)]:
                        continue
                rows.append(
                    {
                        "box": k,
                        "dimension": str(dim),
                        "low": low,
                        "high": high,
                        "coverage": float(st["coverage"]),
                        "density": float(st["density"]),
                        "quasi_p": math.nan,
                    }
                )
            k += 1
    return Boxes(
        method="cart",
        table=pd.DataFrame(rows, columns=list(BOX_COLUMNS)),
        stats=pd.DataFrame(stats, columns=list(STATS_COLUMNS)),
        failing=int(failed.sum()),
        n_worlds=len(failed),
        ranges=_ranges(x),
        categories=pd.DataFrame(kept, columns=list(CATEGORY_COLUMNS)),
    )


def ema_analysis() -> Any:
    """``ema_workbench.analysis`` (its import warns of an optional package we do not use)."""
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        importlib.import_module("ema_workbench.analysis.cart")
        return importlib.import_module("ema_workbench.analysis")


def _ranges(x: pd.DataFrame) -> dict[str, tuple[float, float]]:
    return {
        str(c): (float(x[c].min()), float(x[c].max()))
        for c in x.columns
        if pd.api.types.is_numeric_dtype(x[c])
    }
