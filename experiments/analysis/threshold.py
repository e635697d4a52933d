"""The critical detection probability: where survival crosses 0.5, by a logistic fit.

Over an existing sweep (so the design is fixed before the runs), the probability that the pause
holds at detection probability ``p`` is modelled as

    P(held | p) = 1 / (1 + exp(-k * (p - p_c))),

fitted by maximum likelihood to the individual runs (binomial counts per point). ``p_c`` is the
critical value at which survival is ``level`` (0.5 by default; another level moves it by
``logit(level) / k``). Its confidence interval comes from a stratified bootstrap: the runs of
every point are resampled with replacement and the fit repeated.

When the runs separate, completely (best response: every run below the threshold collapses,
every run above holds) or quasi-completely (one point with both outcomes, every run below it
collapsed and every run above it held: 0/6, 3/6, 6/6), the likelihood has no finite maximum:
the slope is infinite and no bootstrap can say where in the gap the crossing lies (every
resample separates the same way). The fit then has status ``separated``, infinite slope, and
the interval the design's grid allows: from the highest point below the crossing at which no
run held to the lowest point above it at which every run held (one side NaN when the grid ends
there); ``critical`` is the middle of that interval. Only more points in it (or more
replicates) can narrow it.

Example:
    >>> import numpy as np
    >>> from experiments.analysis.threshold import fit_threshold
    >>> p = np.repeat(np.linspace(0, 1, 11), 50)
    >>> held = np.random.default_rng(1).random(p.size) < 1 / (1 + np.exp(-25 * (p - 0.4)))
    >>> fit = fit_threshold(p, held, rng=1)
    >>> bool(abs(fit.critical - 0.4) < 0.05)
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit, logit

from experiments.analysis.common import BatchContext, fmt_p
from model.errors import ConfigError

__all__ = ["ThresholdFit", "ThresholdTable", "critical_detection", "fit_threshold"]

#: Cap on the slope times the range of ``x`` (perfect separation drives it there).
_MAX_SLOPE_RANGE = 2000.0

#: What a separated fit's interval is, in words (describe() and the reports).
SEPARATED_NOTE = (
    "the runs separate: no run held below the crossing and every run held above "
    "it, so the logistic slope is infinite and the interval is the one the "
    "design's grid allows, not a confidence interval; more points in it would "
    "narrow it"
)


@dataclass(frozen=True)
class ThresholdFit:
    """A logistic fit of survival against one parameter.

    Attributes:
        param: The parameter on the x axis (``p_detect``).
        level: The survival probability that defines the critical value (0.5).
        critical: The critical value ``x`` with fitted survival ``level`` (NaN when the runs
            always or never held over the swept range: see ``status``).
        ci_low: Lower bound of the bootstrap confidence interval (NaN when not computed).
        ci_high: Upper bound.
        confidence: The confidence level of the interval.
        slope: The fitted slope ``k`` (per unit of ``x``); infinite (signed) when the runs
            separate.
        separated: True when the runs separate completely or quasi-completely.
        status: ``ok``, ``separated`` (no finite fit: ``ci_low`` and ``ci_high`` are the grid
            points that bound the critical value, not a bootstrap interval), ``always_held``
            (every run held: the critical value is below the swept range) or ``never_held``
            (above it).
        n_runs: Runs fitted.
        x_range: The lowest and highest ``x`` fitted.
        at: The other parameters' values the fit is at.
        theory: Theory's values at the same parameters (``deterrence_threshold``,
            ``survival_boundary`` and, with alliances, the heterogeneous
            ``survival_boundary_shielded``, ``collapse_boundary``, ``collapse_boundary_fitted``
            and ``survival_boundary_mean_share``: :func:`theory_values`).
    """

    param: str
    level: float
    critical: float
    ci_low: float
    ci_high: float
    confidence: float
    slope: float
    separated: bool
    status: str
    n_runs: int
    x_range: tuple[float, float]
    at: Mapping[str, Any] = field(default_factory=dict)
    theory: Mapping[str, float] = field(default_factory=dict)

    def predict(self, x: Any) -> np.ndarray:
        """Fitted survival probability at ``x`` (array-like)."""
        xs = np.asarray(x, dtype=float)
        if self.status == "always_held":
            return np.ones_like(xs)
        if self.status == "never_held":
            return np.zeros_like(xs)
        if math.isinf(self.slope):  # separated: a step at the critical value
            side = np.sign(self.slope) * (xs - self.critical)
            return np.where(side > 0, 1.0, np.where(side < 0, 0.0, self.level))
        return np.asarray(expit(self.slope * (xs - self.critical) + logit(self.level)))

    def confidence_interval(self) -> tuple[float, float]:
        """``(ci_low, ci_high)``."""
        return self.ci_low, self.ci_high

    def describe(self) -> str:
        """One line: the critical value with its interval, or why there is none."""
        where = ", ".join(
            f"{k} = {v:g}" if isinstance(v, float | int) else f"{k} = {v}"
            for k, v in self.at.items()
        )
        head = f"{self.param}* ({where})" if where else f"{self.param}*"
        if self.status == "always_held":
            return f"{head}: below {self.x_range[0]:g} (every run held)"
        if self.status == "never_held":
            return f"{head}: above {self.x_range[1]:g} (no run held)"
        if self.status == "separated":
            return f"{head}: {self.grid_interval()} ({SEPARATED_NOTE})"
        pct = round(100 * self.confidence)
        return (
            f"{head} = {self.critical:.3f} ({pct}% CI {fmt_p(self.ci_low)} to "
            f"{fmt_p(self.ci_high)})"
        )

    def grid_interval(self) -> str:
        """Where a separated fit's critical value lies: ``between 0.100 and 0.300``."""
        low, high = self.ci_low, self.ci_high
        if math.isnan(low) and math.isnan(high):
            return "not bounded by the grid"
        if math.isnan(low):
            return f"below {high:.3f}"
        if math.isnan(high):
            return f"above {low:.3f}"
        return f"between {low:.3f} and {high:.3f}"

    def to_frame(self) -> pd.DataFrame:
        """One row: the at-values, critical value, interval, slope, status and theory."""
        row: dict[str, Any] = dict(self.at)
        row.update(
            {
                "critical": self.critical,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "slope": self.slope,
                "status": self.status,
                "n_runs": self.n_runs,
            }
        )
        row.update({f"theory_{k}": v for k, v in self.theory.items()})
        return pd.DataFrame([row])


@dataclass(frozen=True)
class ThresholdTable:
    """Critical values at several values of the other parameters (one fit each).

    Attributes:
        param: The fitted parameter (``p_detect``).
        fits: One :class:`ThresholdFit` per combination of the other varied parameters.
    """

    param: str
    fits: tuple[ThresholdFit, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per fit."""
        if not self.fits:
            return pd.DataFrame()
        return pd.concat([f.to_frame() for f in self.fits], ignore_index=True)

    def critical(self) -> np.ndarray:
        """The critical values, in fit order."""
        return np.array([f.critical for f in self.fits])


def _loglik(a: float, b: float, x: np.ndarray, k: np.ndarray, n: np.ndarray) -> float:
    z = a + b * x
    return float((k * log_expit(z) + (n - k) * log_expit(-z)).sum())


def _fit(x: np.ndarray, k: np.ndarray, n: np.ndarray, level: float) -> tuple[float, float, bool]:
    """Maximum-likelihood ``(critical, slope, separated)`` from counts per x.

    Newton-Raphson (iteratively reweighted least squares) on ``logit P = a + b u`` with ``u``
    the standardised x, with step halving. Perfect or quasi-complete separation (no x at which
    both outcomes occur on the wrong side) has no finite maximum: the slope is set to its cap
    and the critical value to the middle of the gap.
    """
    lo, hi = float(x.min()), float(x.max())
    span = (hi - lo) or 1.0
    cap = _MAX_SLOPE_RANGE / span
    shift = float(logit(level))
    fails, wins = x[k < n], x[k > 0]
    if wins.min() >= fails.max():  # survival rises with x, no overlap
        return 0.5 * (float(fails.max()) + float(wins.min())), cap, True
    if fails.min() >= wins.max():  # survival falls with x, no overlap
        return 0.5 * (float(wins.max()) + float(fails.min())), -cap, True
    mid = 0.5 * (lo + hi)
    u = (x - mid) / span
    share = np.clip(k.sum() / n.sum(), 1e-6, 1 - 1e-6)
    a, b = float(logit(share)), 0.0
    ll = _loglik(a, b, u, k, n)
    for _ in range(100):
        p = expit(a + b * u)
        w = n * p * (1 - p) + 1e-12
        r = k - n * p
        grad = np.array([r.sum(), (r * u).sum()])
        hess = np.array([[w.sum(), (w * u).sum()], [(w * u).sum(), (w * u * u).sum()]])
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-6:
            a1, b1 = a + t * float(step[0]), b + t * float(step[1])
            ll1 = _loglik(a1, b1, u, k, n)
            if ll1 >= ll - 1e-12:
                break
            t /= 2
        done = abs(ll1 - ll) < 1e-10 and float(np.abs(t * step).max()) < 1e-9
        a, b, ll = a1, b1, ll1
        if done or abs(b) > _MAX_SLOPE_RANGE:
            break
    slope = b / span
    if abs(slope) >= cap:
        slope = math.copysign(cap, slope)
    if slope == 0.0:
        return math.nan, 0.0, False
    # logit P = a + b (x - mid) / span = slope (x - c) + logit(level)
    centre = mid + (shift - a) / slope
    return centre, slope, abs(slope) >= cap


def _separation(
    values: np.ndarray, k: np.ndarray, n: np.ndarray
) -> tuple[float, float, float] | None:
    """``(low, high, sign)`` when the runs at sorted ``values`` separate, else None.

    Complete or quasi-complete separation: every point on one side of the crossing has only
    one outcome. ``low`` is the highest point below the crossing with the losing outcome only,
    ``high`` the lowest above it with the winning outcome only (NaN when there is none);
    ``sign`` is +1 when survival rises with ``x``. Needs both outcomes somewhere.
    """
    fails, wins = values[k < n], values[k > 0]
    if wins.min() >= fails.max():  # rises: held only from wins.min() on
        below, above, sign = values[values < wins.min()], values[values > fails.max()], 1.0
    elif fails.min() >= wins.max():  # falls
        below, above, sign = values[values < fails.min()], values[values > wins.max()], -1.0
    else:
        return None
    low = float(below.max()) if below.size else math.nan
    high = float(above.min()) if above.size else math.nan
    return low, high, sign


def fit_threshold(
    x: Any,
    held: Any,
    *,
    param: str = "p_detect",
    level: float = 0.5,
    confidence: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = 0,
    at: Mapping[str, Any] | None = None,
    theory: Mapping[str, float] | None = None,
) -> ThresholdFit:
    """Fit ``P(held | x) = expit(k (x - x_c) + logit(level))`` to runs and bootstrap ``x_c``.

    Args:
        x: The parameter value of every run.
        held: Whether the pause held in every run (bool or 0/1).
        param: The parameter's name (for labels).
        level: The survival probability that defines the critical value, in (0, 1).
        confidence: The confidence level of the bootstrap interval.
        n_boot: Bootstrap resamples (0: no interval; none either when the runs separate).
        rng: Seed or Generator of the bootstrap.
        at: The other parameters' values (kept with the result).
        theory: Theory's values (kept with the result).

    Returns:
        A :class:`ThresholdFit`.

    Raises:
        ConfigError: When there are fewer than two distinct ``x`` values, or ``level`` or
            ``n_boot`` is out of bounds.
    """
    if not 0.0 < level < 1.0:
        raise ConfigError(f"level={level!r} is out of bounds; allowed: a number in (0, 1)")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 0:
        raise ConfigError(
            f"bootstrap={n_boot!r} is out of bounds; allowed: an integer >= 0 (0: no interval)"
        )
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(held, dtype=float)
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    values, inverse = np.unique(xs, return_inverse=True)
    if values.size < 2:
        raise ConfigError(
            f"a threshold needs runs at two or more values of {param}; got {values.size}"
        )
    n = np.bincount(inverse).astype(float)
    k = np.bincount(inverse, weights=ys)
    x_range = (float(values.min()), float(values.max()))
    common: dict[str, Any] = {
        "param": param,
        "level": level,
        "confidence": confidence,
        "n_runs": int(xs.size),
        "x_range": x_range,
        "at": dict(at or {}),
        "theory": dict(theory or {}),
    }
    if np.all(k == n):
        return ThresholdFit(
            critical=math.nan,
            ci_low=math.nan,
            ci_high=x_range[0],
            slope=math.nan,
            separated=False,
            status="always_held",
            **common,
        )
    if np.all(k == 0):
        return ThresholdFit(
            critical=math.nan,
            ci_low=x_range[1],
            ci_high=math.nan,
            slope=math.nan,
            separated=False,
            status="never_held",
            **common,
        )
    separation = _separation(values, k, n)
    if separation is not None:
        low, high, sign = separation
        bounds = [v for v in (low, high) if not math.isnan(v)]
        centre = 0.5 * (low + high) if len(bounds) == 2 else math.nan
        return ThresholdFit(
            critical=centre,
            ci_low=low,
            ci_high=high,
            slope=math.copysign(math.inf, sign),
            separated=True,
            status="separated",
            **common,
        )
    centre, slope, separated = _fit(values, k, n, level)
    low = high = math.nan
    if n_boot > 0:
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        share = k / n
        draws = []
        for _ in range(n_boot):
            kb = gen.binomial(n.astype(np.int64), share).astype(float)
            if np.all(kb == n) or np.all(kb == 0):
                continue
            draws.append(_fit(values, kb, n, level)[0])
        if draws:
            alpha = (1.0 - confidence) / 2.0
            low, high = (float(v) for v in np.quantile(draws, [alpha, 1.0 - alpha]))
    return ThresholdFit(
        critical=centre,
        ci_low=low,
        ci_high=high,
        slope=slope,
        separated=separated,
        status="ok",
        **common,
    )


def theory_values(
    context: BatchContext,
    values: Mapping[str, Any],
    shield: float = 1.0,
    *,
    design: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, float]:
    """Theory at the base plus ``values``: deterrence threshold and survival boundaries.

    Always ``deterrence_threshold`` and (for the rules theory covers) ``survival_boundary``, the
    closed form for identical nations without alliances. With ``shield < 1`` (allies shield
    each other in the batch's worlds) also, over the batch's own worlds
    (:meth:`BatchContext.worlds`, each actor with its own shielding share and kind):

    * ``survival_boundary_shielded``: the heterogeneous boundary, where half of the worlds'
      compliant branches keep compliance at least ``stability_threshold``;
    * ``collapse_boundary``: where theory's survival share over the worlds is 0.5 (collapse
      within the horizon as likely as not, from the month-to-month fluctuations);
    * ``collapse_boundary_fitted``: with ``design`` (the fit's ``x`` values and runs at each),
      the critical value the logistic fit finds when each point's runs hold in exactly
      theory's survival share: what the simulation's fit should report if theory is right;
    * ``survival_boundary_mean_share``: the closed form at the worlds' mean shielding share
      ``shield`` (the earlier, optimistic form).

    Empty when theory does not cover the decision rule (but for the deterrence threshold).
    """
    from model import theory

    try:
        params = context.params_at(values)
    except ConfigError:
        return {}
    out = {"deterrence_threshold": float(theory.deterrence_threshold(params))}
    if str(params["decision_rule"]) not in theory.RULES:
        return out
    out["survival_boundary"] = float(theory.survival_boundary(params))
    if not theory.shields(shield):
        return out
    worlds = context.worlds(dict(values))
    if worlds:
        bounds = theory.batch_boundaries(params, worlds)
        out["survival_boundary_shielded"] = bounds.heterogeneous
        out["collapse_boundary"] = bounds.collapse
        if design is not None:
            x, runs = design
            held = theory.survival_share(params, worlds, x) * runs
            out["collapse_boundary_fitted"] = _theory_fit(x, held, runs)
    out["survival_boundary_mean_share"] = float(theory.survival_boundary(params, shield=shield))
    return out


def _theory_fit(x: np.ndarray, held: np.ndarray, runs: np.ndarray) -> float:
    """The logistic fit's critical value for expected counts (NaN when they do not cross)."""
    if np.all(held >= runs - 1e-12) or np.all(held <= 1e-12):
        return math.nan
    return float(_fit(x, held, runs, 0.5)[0])


def critical_detection(
    context: BatchContext,
    *,
    param: str = "p_detect",
    at: Mapping[str, Any] | None = None,
    level: float = 0.5,
    confidence: float = 0.95,
    n_boot: int = 200,
    seed: int = 0,
    shield: float | None = None,
) -> ThresholdTable:
    """Critical ``param`` values from a batch: one logistic fit per value of the other axes.

    Args:
        context: The batch (:meth:`BatchContext.open`).
        param: The parameter to fit against (must be varied).
        at: Values the other varied parameters are fixed at (runs elsewhere are left out);
            parameters not given get one fit per stored value.
        level: The survival level (0.5).
        confidence: Confidence level of the bootstrap intervals.
        n_boot: Bootstrap resamples per fit.
        seed: Seed of the bootstraps.
        shield: The mean shielding share; below 1 theory adds its boundaries with allies'
            shielding (default: the batch's worlds').

    Returns:
        A :class:`ThresholdTable`.

    Raises:
        ConfigError: When ``param`` or an ``at`` name is not varied, or no run matches.
    """
    frame = context.frame
    varied = context.varied
    if param not in varied:
        raise ConfigError(
            f"{param!r} is not varied in {context.path}; varied: " + (", ".join(varied) or "none")
        )
    at = dict(at or {})
    for name, value in at.items():
        if name not in varied or name == param:
            others = [v for v in varied if v != param]
            raise ConfigError(
                f"--at {name}={value}: {name!r} is not another varied parameter "
                f"of {context.path}; allowed: " + (", ".join(others) or "none")
            )
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column):
            stored = np.unique(column.to_numpy(dtype=float))
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ConfigError(
                    f"--at {name}={value}: {name} is a number in "
                    f"{context.path}; stored values: " + ", ".join(f"{v:g}" for v in stored)
                ) from None
            match = stored[np.isclose(stored, float(value))]
            if not match.size:
                raise ConfigError(
                    f"--at {name}={value}: no runs at that value; stored values: "
                    + ", ".join(f"{v:g}" for v in stored)
                )
            frame = frame[np.isclose(column.to_numpy(dtype=float), float(value))]
        else:
            if str(value) not in set(column.astype(str)):
                raise ConfigError(f"--at {name}={value}: no runs at that value")
            frame = frame[column.astype(str) == str(value)]
    groups = [v for v in varied if v != param and v not in at]
    if shield is None:
        shield = context.mean_shield() if param == "p_detect" else 1.0
    fits = []
    grouped = [((), frame)] if not groups else frame.groupby(groups, sort=True)
    for i, (key, sub) in enumerate(grouped):
        keys = key if isinstance(key, tuple) else (key,)
        where = {**at, **{g: _plain(v) for g, v in zip(groups, keys, strict=True)}}
        xs = sub[param].to_numpy(dtype=float)
        grid, runs = np.unique(xs[~np.isnan(xs)], return_counts=True)
        theory = (
            theory_values(context, where, shield, design=(grid, runs.astype(float)))
            if param == "p_detect"
            else {}
        )
        fits.append(
            fit_threshold(
                xs,
                sub["held"].astype(float).to_numpy(),
                param=param,
                level=level,
                confidence=confidence,
                n_boot=n_boot,
                rng=seed + i,
                at=where,
                theory=theory,
            )
        )
    return ThresholdTable(param=param, fits=tuple(fits))


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x
