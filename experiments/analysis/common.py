"""Shared pieces of the analyses: the palette, figure writing, Wilson intervals, batch context.

Every analysis reads a results directory of ``pausegame sweep`` through :class:`BatchContext`,
which keeps the :class:`~experiments.batch.store.BatchResult`, the stored design (its file and
normalised form) and the base parameters that theory needs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.batch import BatchResult, Design, load_design, load_results
from model.errors import ConfigError

__all__ = ["BatchContext", "OKABE_ITO", "OUTPUTS_NUMERIC", "save_figure", "wilson_interval"]

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), in the order
#: the analyses use them.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: Run-summary columns that analyses can take as an output (numbers per run).
OUTPUTS_NUMERIC: tuple[str, ...] = (
    "held",
    "collapse_step",
    "final_compliance",
    "final_bound_compliance",
    "mean_compliance",
    "detections",
    "false_alarms",
    "sanctions_paid",
    "total_payoff",
    "flags",
    "sanctions_applied",
    "inspections",
    "active_steps",
    "mean_belief_error",
    "final_leader_share",
)


def wilson_interval(
    successes: Any, trials: Any, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion, elementwise (Wilson 1927).

    ``(p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)`` with ``p = k/n`` and ``z`` the
    normal quantile of ``(1 + confidence) / 2``, exactly 0 below when ``k = 0`` and exactly 1
    above when ``k = n``. The project's one Wilson interval (the stability map's cells, the
    teaching claims' shares). It agrees with
    ``scipy.stats.binomtest(k, n).proportion_ci(confidence, method="wilson")`` to a unit or two
    in the last place (scipy arranges the same formula differently) and, unlike it, takes
    arrays on every supported scipy and gives ``(0, 1)`` for ``n = 0``.

    Args:
        successes: Counts ``k`` (array-like).
        trials: Counts ``n`` (array-like, same shape); ``n = 0`` gives ``(0, 1)``.
        confidence: The confidence level in (0, 1).

    Returns:
        Lower and upper bounds as float arrays (0-d for scalar counts).

    Example:
        >>> low, high = wilson_interval(0, 50)
        >>> float(low), round(float(high), 5)
        (0.0, 0.07135)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / n, 0.5)
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = np.where((n > 0) & (k > 0), np.clip(centre - half, 0.0, 1.0), 0.0)
    high = np.where((n > 0) & (k < n), np.clip(centre + half, 0.0, 1.0), 1.0)
    return low, high


def save_figure(fig: Any, out_dir: str | Path, stem: str) -> list[Path]:
    """Write a matplotlib Figure as ``stem.png`` (150 dpi) and ``stem.svg``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.png", out / f"{stem}.svg"]
    fig.savefig(paths[0], format="png", dpi=150)
    fig.savefig(paths[1], format="svg")
    return paths


def new_figure(width: float = 7.5, height: float = 5.0) -> Any:
    """A matplotlib Figure with a constrained layout, not attached to pyplot (Agg-safe)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


#: Axis labels with units, by parameter or output name.
LABELS: dict[str, str] = {
    "p_detect": "detection probability p_detect (per violation per month)",
    "penalty": "penalty F (units of G per unit of capability)",
    "p_domestic": "domestic detection probability p_domestic (per month)",
    "p_false_alarm": "false-alarm probability q (per complier per month)",
    "race_pressure": "race pressure lam (dimensionless)",
    "risk_internalization": "risk internalization phi (share, 0 to 1)",
    "verification_lag": "verification lag L (months)",
    "beta": "logit precision beta (per unit of G)",
    "discount": "discount delta (per month)",
    "defect_gain": "defection gain G (numeraire)",
    "held": "survival probability (share of runs where the pause held)",
    "collapse_step": "collapse month (held runs at the horizon)",
    "final_compliance": "final compliance (capability share)",
    "mean_compliance": "mean compliance (capability share)",
}


def label(name: str) -> str:
    """An axis label with units for a parameter or output name."""
    return LABELS.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class BatchContext:
    """A results directory opened for analysis.

    Attributes:
        path: The results directory.
        result: The loaded batch (``frame``, ``manifest``).
        design: The stored design, re-read from ``design.toml`` (None when it cannot be).
        normalized: The stored normalised design (``design.json``), or an empty mapping.
        base_params: Scenario ``[params]`` and ``[base.params]`` merged (no point values).
    """

    path: Path
    result: BatchResult
    design: Design | None
    normalized: Mapping[str, Any] = field(default_factory=dict)
    base_params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | Path) -> BatchContext:
        """Load a results directory (raises ConfigError when it is not one or holds no runs)."""
        from experiments.cli import command

        path = Path(path)
        if not path.is_dir():
            raise ConfigError(
                f"{path}: no such results directory (run "
                f"`{command('sweep', 'DESIGN', '--out', 'DIR')}` first)"
            )
        result = load_results(path)
        if len(result.frame) == 0:
            raise ConfigError(
                f"{path}: the results directory holds no finished runs yet; "
                f"run (or resume) `{command('sweep')}` on it"
            )
        normalized: dict[str, Any] = {}
        if (path / "design.json").is_file():
            normalized = json.loads((path / "design.json").read_text(encoding="utf-8"))
        design = None
        if (path / "design.toml").is_file():
            try:
                design = load_design(path / "design.toml")
            except ConfigError:
                design = None
        base: dict[str, Any] = {}
        scenario = normalized.get("scenario")
        if isinstance(scenario, Mapping):
            base.update(scenario.get("params", {}) or {})
        base.update(normalized.get("base", {}) or {})
        if not normalized and design is not None:
            base = {**dict(design.scenario.params), **dict(design.base)}
        return cls(path=path, result=result, design=design, normalized=normalized, base_params=base)

    @property
    def frame(self) -> pd.DataFrame:
        """The finished runs that did not fail."""
        frame = self.result.frame
        return frame[frame["status"] == "ok"].reset_index(drop=True)

    @property
    def varied(self) -> list[str]:
        """The varied parameters."""
        return list(self.result.manifest["varied"])

    @property
    def steps(self) -> int:
        """Steps per run (the horizon)."""
        return int(self.result.manifest["steps"])

    @property
    def name(self) -> str:
        """The design's name."""
        return str(self.result.manifest.get("design_name", self.path.name))

    @property
    def spec(self) -> Mapping[str, Any]:
        """The stored ``[sweep]``/``[sample]`` specification (``design.json``'s ``spec``)."""
        spec = self.normalized.get("spec", {})
        return spec if isinstance(spec, Mapping) else {}

    @property
    def kind(self) -> str:
        """``sweep``, ``sample`` or ``single``."""
        return str(self.normalized.get("kind", self.design.kind if self.design else "sweep"))

    def params_at(self, values: Mapping[str, Any]) -> Any:
        """Resolved parameters (:func:`model.params.resolve`) at base plus ``values``."""
        from model.params import resolve

        merged = {
            k: v for k, v in {**self.base_params, **values}.items() if k not in ("seed", "steps")
        }
        return resolve(merged)

    def mean_shield(self, values: Mapping[str, Any] | None = None, n_worlds: int = 4) -> float:
        """Capability-weighted mean shielding share ``s`` of the batch's worlds at the start.

        Builds the worlds of up to ``n_worlds`` replicates' seeds (one step each) with the
        design's base and ``values`` and averages their :func:`model.theory.mean_shield`; 1.0
        without a design or alliances.
        """
        from model.theory import mean_shield

        shares = [mean_shield(engine) for engine in self._engines(values, n_worlds)]
        return float(np.mean(shares)) if shares else 1.0

    def worlds(self, values: Mapping[str, Any] | None = None, n_worlds: int = 40) -> list[Any]:
        """The actors of up to ``n_worlds`` of the batch's worlds (:class:`model.theory.Actors`).

        The worlds of the replicates' seeds with the smallest values (one step each), at the
        design's base and ``values``; none without a design. Theory's heterogeneous boundaries
        (:func:`model.theory.batch_boundaries`) are computed over them.
        """
        from model.theory import Actors

        return [Actors.of(engine) for engine in self._engines(values, n_worlds)]

    def _engines(self, values: Mapping[str, Any] | None, n_worlds: int) -> list[Any]:
        if self.design is None:
            return []
        from experiments.batch.runner import RunContext, run_one

        context = replace(RunContext.from_design(self.design), steps=1, reuse_worlds=False)
        if values is None:
            values = {}
            if self.design.varied:
                values = self.design.point(0)
        seeds = sorted(set(self.frame["seed"].astype(int).tolist()))[:n_worlds]
        cache: dict[tuple[Any, ...], Any] = {}
        return [run_one(context, values, seed, cache) for seed in seeds]


def output_per_run(frame: pd.DataFrame, output: str, horizon: int) -> np.ndarray:
    """One float per run for ``output`` (``collapse_step`` of held runs is the horizon).

    Raises:
        ConfigError: For an unknown or non-numeric output.
    """
    if output not in frame.columns or output in (
        "status",
        "error",
        "run_id",
        "point",
        "seed",
        "replicate",
    ):
        allowed = [c for c in OUTPUTS_NUMERIC if c in frame.columns]
        raise ConfigError(
            f"--output {output!r} is not a run output; allowed: " + ", ".join(allowed)
        )
    column = frame[output]
    if output == "collapse_step":
        return column.astype("Float64").fillna(float(horizon)).to_numpy(dtype=float)
    try:
        return column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        allowed = [c for c in OUTPUTS_NUMERIC if c in frame.columns]
        raise ConfigError(
            f"--output {output!r} is not numeric; allowed: " + ", ".join(allowed)
        ) from None


def markdown_table(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A GitHub-flavoured Markdown table of a DataFrame (no tabulate dependency)."""
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---:" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float | np.floating):
                cells.append("" if math.isnan(v) else format(float(v), floatfmt))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fmt_p(value: float) -> str:
    """A probability for text: three decimals, or a word for NaN / infinities."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "none" if value > 0 else "0"
    return f"{value:.3f}"


def as_sequence(value: Any) -> Sequence[Any]:
    """A list from a scalar or a sequence."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)
