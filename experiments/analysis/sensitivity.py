"""Global sensitivity: Sobol indices from a Saltelli design, and Morris screening (SALib).

A sensitivity batch starts from a design with a ``[sample]`` table (its ranges name the
parameters and their bounds; see ``experiments/designs/sensitivity_core.toml``) and expands it:

* :func:`saltelli_design`: two scrambled Sobol matrices ``A`` and ``B`` of ``n`` rows (``n`` a
  power of two, the ``[sample] n``) and, for every parameter ``i``, ``AB_i``: ``A`` with column
  ``i`` taken from ``B``; ``n (d + 2)`` points in the order ``A, B, AB_1, ..., AB_d``.
  :func:`sobol_analysis` reads the batch back, averages the chosen output over the replicates
  of each point and passes ``f_A``, ``f_B`` and ``f_AB`` to :func:`scipy.stats.sobol_indices`
  (Saltelli 2010 first-order and Jansen total-order estimators), with bootstrap intervals.
* :func:`morris_design`: ``r`` Morris trajectories on a ``levels``-level grid
  (``SALib.sample.morris``); :func:`morris_analysis` gives ``mu*`` (mean absolute elementary
  effect, per unit of each parameter's range) and ``sigma`` (``SALib.analyze.morris``): a cheaper
  screening, ``r (d + 1)`` points.

The expansion is stored in the results directory (``design.json``'s ``spec``: ``scheme``
``saltelli`` or ``morris``), so the analysis needs nothing but the directory. The expanded
design is deterministic (seeded from ``master_seed``), so running the same command again
resumes the batch.

References:
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and
    estimator for the total sensitivity index. *Computer Physics Communications* 181, 259-270.
    Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
    *Technometrics* 33(2), 161-174.
    Campolongo, F., Cariboni, J. and Saltelli, A. (2007). An effective screening design for
    sensitivity analysis of large models. *Environmental Modelling & Software* 22, 1509-1518.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.common import OKABE_ITO, BatchContext, label, new_figure, output_per_run
from experiments.batch import Design
from model.errors import ConfigError
from model.params import schema

__all__ = [
    "MorrisResult",
    "SobolResult",
    "morris_analysis",
    "morris_design",
    "saltelli_design",
    "saltelli_unit",
    "sobol_analysis",
    "sobol_from_evaluations",
]

#: Spawn keys of the expansions' random streams (apart from the design's own sample).
_SALTELLI_KEY = 0x5A17E1
_MORRIS_KEY = 0x3022C5

SCHEMES = ("saltelli", "morris")

#: Below this Saltelli base size ``n`` Sobol indices get a warning: the estimators' error is
#: of order ``1 / sqrt(n)`` (over 0.1 here), enough to push indices out of [0, 1].
SOBOL_MIN_N = 64

#: Below this many trajectories Morris screening gets a warning (10 to 20 are usual:
#: Campolongo et al. 2007).
MORRIS_MIN_TRAJECTORIES = 10

#: Indices this far outside [0, 1] are reported (not rounding, which prints 3 decimals).
_INDEX_TOLERANCE = 5e-4


# ------------------------------------------------------------------------------ designs
def _ranges(design: Design) -> dict[str, list[Any]]:
    if design.kind != "sample":
        raise ConfigError(
            f"{design.source}: a sensitivity design needs a [sample] table naming "
            "the parameters and their ranges (e.g. p_detect = {})"
        )
    ranges = dict(design.spec.get("params", {}))
    table = schema()
    for name, rng in ranges.items():
        if table[name].kind == "choice":
            raise ConfigError(
                f"{design.source}: [sample.params] {name}: sensitivity covers "
                "numeric parameters only; fix a choice parameter in [base.params]"
            )
        ranges[name] = list(rng)
    return ranges


def _to_values(unit: np.ndarray, ranges: Mapping[str, list[Any]]) -> dict[str, np.ndarray]:
    table = schema()
    points: dict[str, np.ndarray] = {}
    for j, name in enumerate(ranges):
        low, high = ranges[name]
        u = unit[:, j]
        if table[name].kind == "int":
            points[name] = np.minimum(low + np.floor(u * (high - low + 1)), high).astype(np.int64)
        else:
            points[name] = low + u * (high - low)
    return points


def saltelli_unit(d: int, n: int, seed: int) -> np.ndarray:
    """The Saltelli points in the unit cube: ``A``, ``B``, ``AB_1..AB_d`` stacked (n(d+2), d).

    Args:
        d: Number of parameters.
        n: Rows of ``A`` and ``B`` (a power of two).
        seed: The seed (the design's master seed).
    """
    from scipy.stats import qmc

    if n < 2 or n & (n - 1):
        raise ConfigError(
            f"[sample] n={n} is not allowed for a Saltelli design; allowed: a power of two >= 2"
        )
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_SALTELLI_KEY,)))
    base = qmc.Sobol(2 * d, scramble=True, rng=rng).random(n)
    a, b = base[:, :d], base[:, d:]
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    return np.vstack(blocks)


def saltelli_design(design: Design, n: int | None = None) -> Design:
    """Expand a ``[sample]`` design into a Saltelli design for Sobol indices.

    Args:
        design: A design with a ``[sample]`` table (its method is not used, only its ranges).
        n: Rows of ``A`` and ``B`` (default the design's ``[sample] n``; a power of two).

    Returns:
        The design with ``n (d + 2)`` points; its ``spec`` records the scheme.
    """
    ranges = _ranges(design)
    n = int(design.spec.get("n", 0)) if n is None else int(n)
    unit = saltelli_unit(len(ranges), n, design.master_seed)
    spec = {"method": "saltelli", "scheme": "saltelli", "n": n, "params": ranges}
    return replace(design, points=_to_values(unit, ranges), varied=tuple(ranges), spec=spec)


def morris_unit(d: int, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """Morris trajectories in the unit cube (``trajectories (d + 1)`` rows), from SALib."""
    from SALib.sample import morris as morris_sample

    if levels < 2 or levels % 2:
        raise ConfigError(f"levels={levels} is not allowed; allowed: an even integer >= 2")
    if trajectories < 2:
        raise ConfigError(f"trajectories={trajectories} is not allowed; allowed: >= 2")
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    sub = int(np.random.SeedSequence(seed, spawn_key=(_MORRIS_KEY,)).generate_state(1)[0])
    return np.asarray(
        morris_sample.sample(problem, N=trajectories, num_levels=levels, seed=sub % (2**31))
    )


def morris_design(design: Design, trajectories: int | None = None, levels: int = 4) -> Design:
    """Expand a ``[sample]`` design into Morris trajectories (elementary-effects screening).

    Args:
        design: A design with a ``[sample]`` table.
        trajectories: Number of trajectories ``r`` (default: the ``[sample] n`` / 8, at
            least 4).
        levels: Grid levels per parameter (even).
    """
    ranges = _ranges(design)
    if trajectories is None:
        trajectories = max(4, int(design.spec.get("n", 32)) // 8)
    unit = morris_unit(len(ranges), trajectories, levels, design.master_seed)
    spec = {
        "method": "morris",
        "scheme": "morris",
        "trajectories": int(trajectories),
        "levels": int(levels),
        "params": ranges,
    }
    return replace(design, points=_to_values(unit, ranges), varied=tuple(ranges), spec=spec)


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class SobolResult:
    """First-order and total Sobol indices of one output.

    Attributes:
        output: The output analysed (per-point mean over replicates).
        params: The parameters, in design order.
        first_order: ``S_i``.
        total_order: ``S_Ti``.
        first_order_ci: ``(low, high)`` arrays of the bootstrap intervals (NaN when not run).
        total_order_ci: The same for ``S_Ti``.
        n: Rows of ``A`` and ``B``.
        variance: Variance of the output over ``A`` and ``B``.
        confidence: The intervals' level.
    """

    output: str
    params: tuple[str, ...]
    first_order: np.ndarray
    total_order: np.ndarray
    first_order_ci: tuple[np.ndarray, np.ndarray]
    total_order_ci: tuple[np.ndarray, np.ndarray]
    n: int
    variance: float
    confidence: float = 0.95

    def ranking(self) -> list[str]:
        """Parameters by total index, largest first."""
        return [self.params[i] for i in np.argsort(-self.total_order, kind="stable")]

    def interactions(self) -> np.ndarray:
        """``S_Ti - S_i``: the share of variance from interactions involving each parameter."""
        return self.total_order - self.first_order

    def warnings(self) -> list[str]:
        """Why the indices should not be read at face value (empty when nothing is wrong).

        Sobol indices are shares of variance, in [0, 1]; estimates outside that range, or
        first-order indices summing to more than 1, are sampling error, which a small ``n``
        makes large.
        """
        out: list[str] = []
        if self.variance == 0.0:
            return out
        if self.n < SOBOL_MIN_N:
            out.append(
                f"{self.output}: n = {self.n} is small for Sobol indices (their error "
                f"is of order 1/sqrt(n) = {1 / np.sqrt(self.n):.2f}); use n >= "
                f"{SOBOL_MIN_N} (--n, a power of two) before reading them"
            )
        bad = []
        for kind, values in (("total", self.total_order), ("first-order", self.first_order)):
            for name, v in zip(self.params, values, strict=True):
                if np.isfinite(v) and not -_INDEX_TOLERANCE <= v <= 1 + _INDEX_TOLERANCE:
                    bad.append(f"{kind} {name} = {v:.3f}")
        if bad:
            out.append(
                f"{self.output}: indices outside [0, 1] ({', '.join(bad)}): sampling "
                "error, not shares of variance; a larger n is needed"
            )
        total = float(np.nansum(self.first_order))
        if total > 1 + _INDEX_TOLERANCE:
            out.append(
                f"{self.output}: the first-order indices sum to {total:.3f} > 1, which "
                "variance shares cannot do; a larger n is needed"
            )
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter."""
        return pd.DataFrame(
            {
                "param": list(self.params),
                "first_order": self.first_order,
                "first_low": self.first_order_ci[0],
                "first_high": self.first_order_ci[1],
                "total_order": self.total_order,
                "total_low": self.total_order_ci[0],
                "total_high": self.total_order_ci[1],
            }
        )


@dataclass(frozen=True)
class MorrisResult:
    """Morris screening of one output.

    Attributes:
        output: The output analysed.
        params: The parameters.
        mu_star: Mean absolute elementary effect (output units per whole range).
        mu: Mean elementary effect (signed).
        sigma: Standard deviation of the effects (nonlinearity or interactions).
        mu_star_conf: Half-width of the bootstrap interval of ``mu_star``.
        trajectories: Trajectories used.
        levels: Grid levels.
    """

    output: str
    params: tuple[str, ...]
    mu_star: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    mu_star_conf: np.ndarray
    trajectories: int
    levels: int

    def ranking(self) -> list[str]:
        """Parameters by ``mu*``, largest first."""
        return [self.params[i] for i in np.argsort(-self.mu_star, kind="stable")]

    def warnings(self) -> list[str]:
        """Why the screening should not be read at face value (empty when nothing is wrong)."""
        if self.trajectories < MORRIS_MIN_TRAJECTORIES:
            return [
                f"{self.output}: {self.trajectories} Morris trajectories are few (10 to 20 "
                "are usual); the ranking by mu* may change with more (--trajectories)"
            ]
        return []

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter."""
        return pd.DataFrame(
            {
                "param": list(self.params),
                "mu_star": self.mu_star,
                "mu": self.mu,
                "sigma": self.sigma,
                "mu_star_conf": self.mu_star_conf,
            }
        )


# ------------------------------------------------------------------------------ analyses
def sobol_from_evaluations(
    f_a: Any,
    f_b: Any,
    f_ab: Any,
    *,
    params: tuple[str, ...],
    output: str = "y",
    confidence: float = 0.95,
    n_resamples: int = 500,
    seed: int = 0,
) -> SobolResult:
    """Sobol indices from evaluations at ``A`` (n,), ``B`` (n,) and ``AB`` (d, n).

    Uses :func:`scipy.stats.sobol_indices` with ``func={"f_A", "f_B", "f_AB"}`` and its
    bootstrap for the intervals (``n_resamples = 0`` skips them).
    """
    from scipy.stats import sobol_indices

    f_a = np.asarray(f_a, dtype=float).reshape(1, -1)
    f_b = np.asarray(f_b, dtype=float).reshape(1, -1)
    f_ab = np.asarray(f_ab, dtype=float)
    d, n = f_ab.shape
    f_ab = f_ab.reshape(d, 1, n)
    if d != len(params):
        raise ConfigError(f"f_AB has {d} rows for {len(params)} parameters")
    variance = float(np.var(np.concatenate([f_a, f_b], axis=1)))
    nan = np.full(d, np.nan)
    if variance == 0.0:
        return SobolResult(
            output=output,
            params=params,
            first_order=nan,
            total_order=nan,
            first_order_ci=(nan, nan),
            total_order_ci=(nan, nan),
            n=n,
            variance=0.0,
            confidence=confidence,
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # tiny or degenerate samples: scipy warns and returns NaN where it cannot estimate
        warnings.simplefilter("ignore")
        res = sobol_indices(
            func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n, rng=np.random.default_rng(seed)
        )
        boot = (
            res.bootstrap(confidence_level=confidence, n_resamples=n_resamples)
            if n_resamples > 0
            else None
        )
    first, total = _row(res.first_order), _row(res.total_order)
    f_ci = t_ci = (nan, nan)
    if boot is not None:
        f_ci = (
            _row(boot.first_order.confidence_interval.low),
            _row(boot.first_order.confidence_interval.high),
        )
        t_ci = (
            _row(boot.total_order.confidence_interval.low),
            _row(boot.total_order.confidence_interval.high),
        )
    return SobolResult(
        output=output,
        params=params,
        first_order=first,
        total_order=total,
        first_order_ci=f_ci,
        total_order_ci=t_ci,
        n=n,
        variance=variance,
        confidence=confidence,
    )


def _row(values: Any) -> np.ndarray:
    """The one output's row of scipy's (s, d) arrays (scipy drops the axis when s = 1)."""
    arr = np.asarray(values, dtype=float)
    return arr[0] if arr.ndim == 2 else arr


def _point_means(context: BatchContext, output: str) -> np.ndarray:
    frame = context.frame
    values = output_per_run(frame, output, context.steps)
    n_points = int(context.result.manifest["n_points"])
    sums = np.bincount(frame["point"].to_numpy(), weights=np.nan_to_num(values), minlength=n_points)
    counts = np.bincount(
        frame["point"].to_numpy(), weights=(~np.isnan(values)).astype(float), minlength=n_points
    )
    if np.any(counts == 0):
        missing = int((counts == 0).sum())
        raise ConfigError(
            f"{context.path}: {missing} of {n_points} points have no finished run "
            f"with a value of {output!r}; finish the batch (run the same "
            "command again to resume) or choose another --output"
        )
    return sums / counts


def scheme(context: BatchContext) -> str | None:
    """``saltelli``, ``morris`` or None: how the batch's points were laid out."""
    value = context.spec.get("scheme")
    return str(value) if value in SCHEMES else None


def sobol_analysis(
    context: BatchContext,
    output: str = "held",
    *,
    confidence: float = 0.95,
    n_resamples: int = 500,
    seed: int = 0,
) -> SobolResult:
    """Sobol indices of ``output`` from a Saltelli batch (:func:`saltelli_design`).

    Raises:
        ConfigError: When the batch is not a Saltelli batch or is unfinished.
    """
    if scheme(context) != "saltelli":
        from experiments.cli import command

        raise ConfigError(
            f"{context.path} is not a Saltelli batch; make one with "
            f"`{command('sensitivity', 'DESIGN', '--out', 'DIR')}` from a design "
            "with a [sample] table"
        )
    params = tuple(context.spec["params"])
    n, d = int(context.spec["n"]), len(params)
    y = _point_means(context, output)
    if y.size != n * (d + 2):
        raise ConfigError(f"{context.path}: {y.size} points, expected n (d + 2) = {n * (d + 2)}")
    return sobol_from_evaluations(
        y[:n],
        y[n : 2 * n],
        y[2 * n :].reshape(d, n),
        params=params,
        output=output,
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
    )


def morris_analysis(context: BatchContext, output: str = "held", *, seed: int = 0) -> MorrisResult:
    """Morris ``mu*`` and ``sigma`` of ``output`` from a Morris batch (:func:`morris_design`).

    Raises:
        ConfigError: When the batch is not a Morris batch or is unfinished.
    """
    from SALib.analyze import morris as morris_analyze

    if scheme(context) != "morris":
        from experiments.cli import command

        make = command("sensitivity", "DESIGN", "--method", "morris", "--out", "DIR")
        raise ConfigError(f"{context.path} is not a Morris batch; make one with `{make}`")
    params = tuple(context.spec["params"])
    r, levels = int(context.spec["trajectories"]), int(context.spec["levels"])
    unit = morris_unit(len(params), r, levels, int(context.result.manifest["master_seed"]))
    y = _point_means(context, output)
    problem = {"num_vars": len(params), "names": list(params), "bounds": [[0.0, 1.0]] * len(params)}
    res = morris_analyze.analyze(
        problem, unit, y, num_levels=levels, seed=seed, print_to_console=False
    )
    return MorrisResult(
        output=output,
        params=params,
        mu_star=np.asarray(res["mu_star"]),
        mu=np.asarray(res["mu"]),
        sigma=np.asarray(res["sigma"]),
        mu_star_conf=np.asarray(res["mu_star_conf"]),
        trajectories=r,
        levels=levels,
    )


# ------------------------------------------------------------------------------ plots
def plot_sobol(result: SobolResult) -> Any:
    """Bars of first-order and total indices with their bootstrap intervals."""
    fig = new_figure(7.5, 4.8)
    ax = fig.add_subplot()
    x = np.arange(len(result.params))
    w = 0.38
    for offset, values, ci, colour, name, hatch in (
        (-w / 2, result.first_order, result.first_order_ci, OKABE_ITO[0], "first order S_i", ""),
        (w / 2, result.total_order, result.total_order_ci, OKABE_ITO[1], "total order S_Ti", "//"),
    ):
        err = None
        if not np.isnan(ci[0]).all():
            err = np.abs(np.vstack([values - ci[0], ci[1] - values]))
        ax.bar(
            x + offset,
            values,
            w,
            yerr=err,
            color=colour,
            hatch=hatch,
            capsize=3,
            label=name,
            edgecolor="white",
        )
    ax.set_xticks(x, list(result.params), rotation=30, ha="right")
    ax.axhline(0.0, color="#555555", linewidth=0.8)
    ax.set_xlabel("parameter (sampled over its range)")
    ax.set_ylabel("share of output variance (dimensionless)")
    pct = round(100 * result.confidence)
    ax.set_title(
        f"Sobol indices of {label(result.output)}\n(n = {result.n}, {pct}% bootstrap intervals)",
        fontsize=10,
    )
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def plot_morris(result: MorrisResult) -> Any:
    """``mu*`` against ``sigma``, one labelled marker per parameter."""
    fig = new_figure(7.0, 5.0)
    ax = fig.add_subplot()
    markers = "osD^vP*X"
    for i, name in enumerate(result.params):
        ax.errorbar(
            result.mu_star[i],
            result.sigma[i],
            xerr=result.mu_star_conf[i],
            color=OKABE_ITO[i % len(OKABE_ITO)],
            marker=markers[i % len(markers)],
            linestyle="none",
            capsize=3,
            label=name,
        )
    top = float(np.nanmax(np.concatenate([result.mu_star, result.sigma, [1e-9]])))
    ax.plot([0, top], [0, top], color="#555555", linestyle=":", linewidth=1, label="sigma = mu*")
    ax.set_xlabel(f"mu* (mean |elementary effect| on {result.output}, per whole range)")
    ax.set_ylabel("sigma (spread of effects: nonlinearity, interactions)")
    ax.set_title(
        f"Morris screening of {label(result.output)} ({result.trajectories} "
        f"trajectories, {result.levels} levels)",
        fontsize=10,
    )
    ax.grid(True, alpha=0.3)
    fig.legend(loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    return fig
