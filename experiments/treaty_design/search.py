"""Robust search over a treaty design's levers with pymoo's NSGA-II (#32, first increment).

Each treaty the optimiser proposes (values of the number levers within their ranges) is run
over the same worlds: the design's Latin hypercube of the uncertainties (the discovery's sample,
seeded from ``master_seed``), ``replicates`` runs a world, with the ``common`` seed scheme, so
that every treaty meets the same worlds with the same random numbers (common random numbers).
A generation's treaties are one batch (``DIR/search/gen_NNN/``, resumable: the optimiser is
seeded, so running again proposes the same treaties and finds their runs done).

Objectives (both minimised by pymoo; reported in their natural sense):

* **worst-tenth survival** (maximised): the mean survival over the worst tenth of the worlds
  (the ``ceil(n / 10)`` worlds where this treaty's survival is lowest);
* **verification spend** (minimised): ``verification_cost * p_detect`` per unit of a member's
  capability per month, what the model charges members while the treaty binds
  (``model/treaty.py``), with the world's ``verification_cost``.

* **agreeability** (maximised; with ``[search] agreeability = true``): the mean over the worlds
  of the share of nations for whom signing pays, ``S_i >= 0`` by the negotiation's simulated
  valuation (``model/negotiation/simulated.py``: every nation signed, its own ``n_worlds``
  common worlds and ``horizon`` months) against no treaty; each world's valuation, with its
  no-treaty baseline, is built once and shared by every treaty. Every lever is a term of the
  treaty valued: a choice lever its choice, ``layers`` its set of layers (the layers set the
  verification numbers of the valuation's runs as they do the search's).

  With it, **agreeability by capability**: the mean over the worlds of the share of world
  capability held by the nations for whom signing pays (a nation's jurisdiction: its own
  programme and its labs, at the start of the valuation's worlds).

Outcomes reported beside the objectives, per treaty: **false alarms** (a month, the mean over
the worlds; :func:`~experiments.treaty_design.discovery.world_outcomes`), **world welfare** (all
actors' realised payoffs per month less the expected catastrophe loss, the mean over the
worlds), and **regret**: for survival and for welfare, the largest over the worlds of the gap
to the best treaty evaluated in that world (:func:`regret`; against the treaties this search
evaluated, so it is computed when the search ends).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.batch.design import Design
from experiments.batch.design_tables import DesignError
from experiments.treaty_design.discovery import catastrophe_losses, world_outcomes
from experiments.treaty_design.levers import (
    is_mixed,
    lever_kinds,
    pymoo_vars,
    random_rows,
    rows_of,
    spend,
    treaty_values,
)
from experiments.treaty_design.spec import TreatyDesign

__all__ = [
    "METHODS",
    "SearchResult",
    "check_search",
    "hypervolume",
    "non_dominated",
    "regret",
    "robust_search",
    "worst_tenth",
]


def worst_tenth(survival: np.ndarray) -> float:
    """The mean of the lowest ``ceil(n / 10)`` values.

    Example:
        >>> worst_tenth(np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]))
        0.05
    """
    values = np.sort(np.asarray(survival, dtype=float))
    k = max(1, math.ceil(len(values) / 10))
    return float(values[:k].mean())


@dataclass(frozen=True)
class SearchResult:
    """A robust search.

    Attributes:
        evaluations: One row per treaty evaluated: the levers, ``worst_tenth_survival``,
            ``mean_survival``, ``verification_spend``, ``false_alarms`` and ``welfare`` (means
            over the worlds), ``agreeability`` and ``agreeability_capability`` (with
            agreeability on), ``max_regret_survival``, ``max_regret_welfare``,
            ``generation``, ``on_front``.
        front: The evaluated treaties no other evaluated treaty dominates.
        files: The files written.
    """

    evaluations: pd.DataFrame
    front: pd.DataFrame
    files: tuple[Path, ...] = ()

    def describe(self) -> str:
        """The front in words."""
        lines = [
            f"Robust search: {len(self.evaluations)} treaties evaluated, "
            f"{len(self.front)} on the Pareto front (worst-tenth survival against spend"
            + (" and agreeability" if "agreeability" in self.front.columns else "")
            + "):"
        ]
        levers = [c for c in self.front.columns if c not in _OUTCOME_COLUMNS]
        for row in self.front.itertuples(index=False):
            terms = ", ".join(f"{k} = {_value_text(getattr(row, k))}" for k in levers)
            lines.append(
                f"- {terms}: survival {row.worst_tenth_survival:.2f} in the worst tenth of "
                f"worlds ({row.mean_survival:.2f} on average), spend "
                f"{row.verification_spend:.3g}"
                + (
                    f", signing pays {row.agreeability:.0%} of nations (mean over worlds)"
                    if "agreeability" in self.front.columns
                    else ""
                )
                + (
                    f" ({row.agreeability_capability:.0%} of world capability)"
                    if "agreeability_capability" in self.front.columns
                    else ""
                )
                + f"; {row.false_alarms:.3g} false alarms a month, world welfare "
                f"{row.welfare:.4g} a month; regret at most {row.max_regret_survival:.2f} in "
                f"survival and {row.max_regret_welfare:.3g} in welfare"
            )
        return "\n".join(lines)


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else f"{value:.3g}"


#: The columns of an evaluated treaty that are not levers.
_OUTCOME_COLUMNS = (
    "worst_tenth_survival",
    "mean_survival",
    "verification_spend",
    "false_alarms",
    "welfare",
    "agreeability",
    "agreeability_capability",
    "max_regret_survival",
    "max_regret_welfare",
    "generation",
    "on_front",
)

#: The search methods: NSGA-II, and uniform random treaties (the benchmark's baseline).
METHODS = ("nsga2", "random")


def robust_search(
    design: TreatyDesign,
    out: str | Path,
    *,
    method: str = "nsga2",
    seed: int | None = None,
    on_generation: Callable[[pd.DataFrame], None] | None = None,
    **run_options: Any,
) -> SearchResult:
    """Search the levers; write ``front.parquet``, ``.csv``, ``.png``, ``.md``.

    ``out/analysis/`` receives the front (``front.*``; ``front.md`` in words) and every
    evaluated treaty (``evaluations.csv``); the runs are under ``out/search/``.

    Args:
        design: A treaty design with a ``[search]`` table.
        out: The output folder.
        method: ``nsga2`` (pymoo's NSGA-II) or ``random`` (``evaluations`` treaties drawn
            uniformly in the levers' box, in batches of ``population``: a baseline).
        seed: The optimiser's (or the random draws') seed; default the design's
            ``master_seed``. The worlds and the runs' seeds never depend on it.
        on_generation: Called after each generation with every treaty evaluated so far (the
            levers, the objectives, ``generation``, and ``_survival`` / ``_welfare``: each
            treaty's outcome per world, in the worlds' order); the app's front grows with it.
        **run_options: Passed to :func:`experiments.batch.run_design`.

    Raises:
        DesignError: Without a ``[search]`` table, levers, number levers only, or a positive
            ``verification_cost`` in the world.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    levers, low, high, cost = check_search(design)
    if method not in METHODS:
        raise DesignError(f"method={method!r} is not allowed; allowed: {', '.join(METHODS)}")
    folder = Path(out)
    evaluated: list[pd.DataFrame] = []
    agree = bool(design.search.get("agreeability", 0))
    valuations: dict[int, Any] = {}  # each world's no-treaty baseline, shared by all treaties
    seed = design.master_seed if seed is None else seed

    def evaluate(x: np.ndarray) -> np.ndarray:
        frame = _evaluate(
            design, levers, x, folder / "search" / f"gen_{len(evaluated):03d}", cost, run_options
        )
        if agree:
            nations, capability = _agreeability(design, levers, x, valuations)
            frame["agreeability"] = nations
            frame["agreeability_capability"] = capability
        frame["generation"] = len(evaluated)
        evaluated.append(frame)
        if on_generation is not None:
            on_generation(pd.concat(evaluated, ignore_index=True))
        return _objectives(frame, agree)

    mixed = is_mixed(design)

    class _Treaties(Problem):  # type: ignore[misc]
        def _evaluate(self, x: np.ndarray, result: dict[str, Any], *args: Any, **kw: Any) -> None:
            result["F"] = evaluate(rows_of(x, levers) if mixed else x)

    budget, population = design.search["evaluations"], design.search["population"]
    if method == "nsga2" and mixed:  # choice levers: pymoo's mixed variables, NSGA-II survival
        from pymoo.algorithms.moo.nsga2 import RankAndCrowding
        from pymoo.core.mixed import MixedVariableGA

        problem = _Treaties(vars=pymoo_vars(design), n_obj=3 if agree else 2)
        algorithm = MixedVariableGA(pop_size=population, survival=RankAndCrowding())
        minimize(problem, algorithm, ("n_eval", budget), seed=seed % (2**32), verbose=False)
    elif method == "nsga2":
        problem = _Treaties(n_var=len(levers), n_obj=3 if agree else 2, xl=low, xu=high)
        algorithm = NSGA2(pop_size=population)
        minimize(problem, algorithm, ("n_eval", budget), seed=seed % (2**32), verbose=False)
    else:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x4A4D,)))
        done = 0
        while done < budget:
            size = min(population, budget - done)
            if mixed:
                evaluate(random_rows(design, rng, size))
            else:
                evaluate(low + rng.random((size, len(levers))) * (high - low))
            done += size
    table = pd.concat(evaluated, ignore_index=True)
    table["max_regret_survival"] = regret(np.stack(table.pop("_survival").to_list()))
    table["max_regret_welfare"] = regret(np.stack(table.pop("_welfare").to_list()))
    table["on_front"] = non_dominated(_objectives(table, agree))
    front = table[table["on_front"]].sort_values("verification_spend").reset_index(drop=True)
    return _write(SearchResult(table, front), folder / "analysis", levers)


def check_search(design: TreatyDesign) -> tuple[list[str], np.ndarray, np.ndarray, float]:
    """The levers' names, lower and upper bounds, and the world's verification_cost.

    A choice lever (and ``layers``) has no bounds: NaN.

    Raises:
        DesignError: One line: no ``[search]``, no levers, a world without a positive
            ``verification_cost`` (with ``layers`` as a lever: one of 0, the layers' own
            costs being the spend).
    """
    at = f"{design.source}: "
    if not design.search:
        raise DesignError(f"{at}[search] is missing; give population and evaluations")
    terms = design.levers.terms
    if not design.lever_names:
        raise DesignError(f"{at}[levers] is empty; name the negotiable terms to search")
    base = dict(design.base.get("params", {}) or {})
    from model.params import schema

    cost = float(base.get("verification_cost", schema()["verification_cost"].default))
    if design.layer_lever and cost != 0:
        raise DesignError(
            f"{at}[base.params] verification_cost={cost} is not allowed with the layers "
            "lever; allowed: 0 (the layers' own costs are the verification spend)"
        )
    if not design.layer_lever and cost <= 0:
        raise DesignError(
            f"{at}[base.params] verification_cost={cost} is not allowed for the search; "
            "allowed: > 0 (verification spend is verification_cost * p_detect per month)"
        )
    nan = float("nan")
    low = np.array([nan if t.low is None else float(t.low) for t in terms])
    high = np.array([nan if t.high is None else float(t.high) for t in terms])
    if design.layer_lever:
        low, high = np.append(low, nan), np.append(high, nan)
    return list(design.lever_names), low, high, cost


def _evaluate(
    design: TreatyDesign,
    levers: list[str],
    x: np.ndarray,
    folder: Path,
    cost: float,
    run_options: dict[str, Any],
) -> pd.DataFrame:
    """Run every treaty of ``x`` over the same worlds (one batch); one row per treaty."""
    from experiments.batch import run_design

    batch = _batch(design, levers, x)
    result = run_design(batch, folder, **run_options)
    worlds = world_outcomes(
        result.frame, list(batch.varied), design.steps, catastrophe_losses(batch)
    )
    n_worlds = design.n_worlds
    kinds = lever_kinds(design)
    from model.params import schema

    defaults = {name: p.default for name, p in schema().items()}
    rows = []
    for j, values in enumerate(x):
        mine = worlds[(worlds["point"] // n_worlds) == j].sort_values("point")
        treaty = treaty_values(kinds, levers, values)
        params = {**defaults, **batch.params_at(j * n_worlds)}
        rows.append(
            {
                **treaty,
                "worst_tenth_survival": worst_tenth(mine["survival"].to_numpy()),
                "mean_survival": float(mine["survival"].mean()),
                "verification_spend": spend(treaty, params, cost),
                "false_alarms": float(mine["false_alarms"].mean()),
                "welfare": float(mine["welfare"].mean()),
                "_survival": mine["survival"].to_numpy(dtype=float),
                "_welfare": mine["welfare"].to_numpy(dtype=float),
            }
        )
    return pd.DataFrame(rows)


def hypervolume(survival: Any, spend: Any, spend_max: float) -> float:
    """The share of the objectives' box that a set of treaties dominates (its hypervolume).

    The box is worst-tenth survival in ``[0, 1]`` (maximised) by verification spend in
    ``[0, spend_max]`` (minimised); the reference point is its worst corner ``(0,
    spend_max)``. The hypervolume is the area of the points of the box that some treaty is at
    least as good as in both objectives, divided by the box's area ``spend_max``: 1 for a
    treaty that survives everywhere at no spend, 0 for none better than the corner. Computed
    exactly by sweeping the treaties by spend (equal to pymoo's ``HV`` of ``(-survival,
    spend)`` against ``(0, spend_max)``, divided by ``spend_max``; tested). A treaty with
    no survival or a spend of ``spend_max`` or more adds nothing.

    Example:
        >>> hypervolume([1.0, 0.5, 0.4], [0.5, 0.25, 0.3], 1.0)
        0.625
    """
    s = np.asarray(survival, dtype=float)
    c = np.asarray(spend, dtype=float)
    keep = (s > 0) & (c < spend_max)
    s, c = s[keep], c[keep]
    area, best = 0.0, 0.0
    for i in np.lexsort((-s, c)):  # cheapest first (the surer first at a tie)
        if s[i] > best:  # a new step of the staircase: from its spend to the corner
            area += float((s[i] - best) * (spend_max - c[i]))
            best = float(s[i])
    return area / spend_max


def regret(values: np.ndarray) -> np.ndarray:
    """Each treaty's largest regret over the worlds against the best treaty evaluated there.

    Args:
        values: ``(treaties, worlds)``: an outcome to maximise, every treaty on the same
            worlds.

    Returns:
        ``(treaties,)``: ``max_w (max_j values[j, w] - values[i, w])``.

    Example:
        >>> regret(np.array([[1.0, 0.0], [0.5, 0.5]])).tolist()
        [0.5, 0.5]
    """
    values = np.asarray(values, dtype=float)
    return (values.max(axis=0, keepdims=True) - values).max(axis=1)


def _batch(design: TreatyDesign, levers: list[str], x: np.ndarray) -> Design:
    """The batch of treaties ``x`` (rows) times the design's worlds, treaty-major."""
    worlds = design.discovery_design()
    template_base = {k: v for k, v in worlds.base.items() if k not in levers}
    n = worlds.n_points
    points: dict[str, np.ndarray] = {}
    kinds = lever_kinds(design)
    for j, name in enumerate(levers):
        if kinds[name] == "choice":
            points[name] = np.repeat(np.array([str(v) for v in x[:, j]], dtype=object), n)
            continue
        column = np.repeat(x[:, j].astype(float), n)
        points[name] = np.round(column).astype(np.int64) if kinds[name] == "int" else column
    for name in worlds.varied:
        points[name] = np.tile(worlds.points[name], len(x))
    plain = [[v if isinstance(v, str) else float(v) for v in row] for row in x]
    digest = hashlib.sha256(json.dumps(plain).encode()).hexdigest()
    spec = {**dict(worlds.spec), "treaties": digest, "levers": list(levers)}
    return dataclasses.replace(
        worlds,
        name=f"{design.name}_search",
        base=template_base,
        varied=(*levers, *worlds.varied),
        points=points,
        spec=spec,
        text=None,
    )


def _objectives(table: pd.DataFrame, agree: bool) -> np.ndarray:
    """The objectives as pymoo minimises them (survival and agreeability negated)."""
    columns = [-table["worst_tenth_survival"].to_numpy(), table["verification_spend"].to_numpy()]
    if agree:
        columns.append(-table["agreeability"].to_numpy())
    return np.column_stack(columns)


def _agreeability(
    design: TreatyDesign, levers: list[str], x: np.ndarray, valuations: dict[int, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Per treaty: the mean over the worlds of the share of nations with ``S_i >= 0``, and more.

    Also the mean over the worlds of the share of world capability those nations hold.

    A nation's capability is its jurisdiction's (its own programme and its labs'), the mean
    over the valuation's common worlds at the start.

    ``S_i`` is the negotiation's simulated valuation
    (:class:`~model.negotiation.simulated.SimulatedValuation`: every nation signed, its own
    ``n_worlds`` common worlds and ``horizon`` months) against no treaty; each world's
    valuation, with its no-treaty baseline, is built once and shared by every treaty.
    """
    from model.negotiation.simulated import SimulatedValuation

    worlds = design.discovery_design()
    base = {k: v for k, v in worlds.base.items() if k not in levers}
    kinds = lever_kinds(design)
    points = [  # a choice lever (and layers) as its text, an integer one rounded
        {
            name: int(round(v)) if kinds[name] == "int" else v
            for name, v in treaty_values(kinds, levers, row).items()
        }
        for row in x
    ]
    shares = np.zeros((len(x), worlds.n_points))
    weighted = np.zeros((len(x), worlds.n_points))
    for w in range(worlds.n_points):
        if w not in valuations:
            seed = np.random.SeedSequence(design.master_seed, spawn_key=(0xA6EE, w))
            valuations[w] = SimulatedValuation(
                {**dict(worlds.scenario.params), **base, **worlds.point(w)},
                seed,
                scenario=worlds.scenario if worlds.scenario_source else None,
            )
        surplus = valuations[w].surplus(points)
        shares[:, w] = (surplus >= 0).mean(axis=1)
        weight = nation_capability(valuations[w])
        weighted[:, w] = ((surplus >= 0) * weight).sum(axis=1) / weight.sum()
    return shares.mean(axis=1), weighted.mean(axis=1)


def nation_capability(valuation: Any) -> np.ndarray:
    """``(nations,)``: each nation's jurisdiction's capability share (own and its labs').

    The mean over a :class:`~model.negotiation.simulated.SimulatedValuation`'s worlds at the
    start, in the order of its valuations' columns.
    """
    out = np.zeros(valuation.n)
    for world in valuation.worlds:
        homes = world.home[valuation.nations]
        out += np.array([world.capability[world.home == h].sum() for h in homes])
    return out / len(valuation.worlds)


def non_dominated(objectives: np.ndarray) -> np.ndarray:
    """True for the rows no other row dominates (``objectives`` minimised, pymoo's sorting)."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    mask = np.zeros(len(objectives), dtype=bool)
    mask[NonDominatedSorting().do(objectives, only_non_dominated_front=True)] = True
    return mask


def _write(found: SearchResult, folder: Path, levers: list[str]) -> SearchResult:
    from experiments.analysis.common import OKABE_ITO, new_figure, save_figure

    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "front.parquet", folder / "front.csv", folder / "evaluations.csv"]
    found.front.to_parquet(files[0], index=False)
    found.front.to_csv(files[1], index=False)
    found.evaluations.to_csv(files[2], index=False)
    fig = new_figure(7.5, 5.0)
    ax = fig.add_subplot()
    ev = found.evaluations
    ax.scatter(
        ev["verification_spend"],
        ev["worst_tenth_survival"],
        s=12,
        color="grey",
        label="treaties evaluated",
    )
    fr = found.front
    if "agreeability" in fr.columns:  # three objectives: the front's agreeability as colour
        dots = ax.scatter(
            fr["verification_spend"],
            fr["worst_tenth_survival"],
            c=fr["agreeability"],
            cmap="viridis",
            vmin=0.0,
            vmax=1.0,
            s=40,
            edgecolors="black",
            label="Pareto front (colour: agreeability)",
        )
        fig.colorbar(dots, ax=ax, label="agreeability (share of nations for whom signing pays)")
    else:
        ax.plot(
            fr["verification_spend"],
            fr["worst_tenth_survival"],
            "o-",
            drawstyle="steps-post",
            color=OKABE_ITO[5],
            label="Pareto front",
        )
    ax.set_xlabel("verification spend (verification_cost x p_detect, per unit capability/month)")
    ax.set_ylabel("survival in the worst tenth of worlds")
    ax.set_title(f"Robust search over {', '.join(levers)} (NSGA-II, pymoo)")
    ax.legend(loc="lower right", fontsize=8)
    files += save_figure(fig, folder, "front")
    files.append(folder / "front.md")
    files[-1].write_text(found.describe() + "\n", encoding="utf-8")
    return SearchResult(found.evaluations, found.front, tuple(files))
