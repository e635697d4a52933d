"""Mesa 4's batch: one Mesa ``Scenario`` per run, each model built as ``Model(scenario=...)``.

Mesa 4 drops ``mesa.batch_run``; the 4.0.0a0 pre-release ships ``Scenario`` but no runner of
its own yet (no ``run_scenarios``). :func:`scenario_frame` runs a list of scenarios as Mesa 4
builds models (``model_cls(scenario=sc)``, then ``run_for(steps)``), in a process pool when
asked, and returns ``batch_run``'s rows (``RunId``, ``iteration``, ``Step``, the parameters,
``rng``, the model reporters; a row per agent when the model collects agent data), so that
:func:`~experiments.batch.mesa_interop.batch_run_frame` gives the same frame on Mesa 3.5 and 4.
:func:`scenarios_from_design` turns a ``pausegame sweep`` design into one PauseScenario per run
with the run's own seed: the same numbers, run for run, as ``pausegame sweep``.

Example:
    >>> from model.mesa_model import PauseModel
    >>> from model.mesa_scenario import PauseScenario
    >>> scenarios = [PauseScenario(rng=s, p_detect=p, n_labs=4, steps=5)
    ...              for p in (0.2, 0.8) for s in (1, 2)]
    >>> frame = scenario_frame(PauseModel, scenarios, 5, {"collect_agents": False})
    >>> len(frame), int(frame["Step"].max())
    (4, 5)
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

import mesa
import numpy as np

from experiments.batch.design import Design, derive_seeds, point_keys
from experiments.batch.executors.local import start_method_for
from model.mesa_scenario import PauseScenario

__all__ = ["grid_scenarios", "scenario_frame", "scenarios_from_design"]


def grid_scenarios(
    parameters: Mapping[str, Any], seeds: Sequence[int], keywords: Sequence[str] = ()
) -> tuple[list[PauseScenario], dict[str, Any]]:
    """``batch_run``'s grid (points x seeds) as PauseScenarios, and the model keywords.

    A list value is swept, anything else fixed (as ``batch_run`` reads its parameters); the
    names in ``keywords`` are the model's own keywords (not schema parameters), fixed for all.
    """
    fixed = {k: v for k, v in parameters.items() if k in keywords}
    swept = {k: v for k, v in parameters.items() if k not in keywords}
    names = list(swept)
    values = [v if isinstance(v, list | tuple) else [v] for v in swept.values()]
    scenarios = [
        PauseScenario(
            rng=int(seed), scenario_id=i, replication_id=j, **dict(zip(names, point, strict=True))
        )
        for i, point in enumerate(itertools.product(*values))
        for j, seed in enumerate(seeds)
    ]
    return scenarios, fixed


def scenario_frame(
    model_cls: type[mesa.Model],
    scenarios: Sequence[PauseScenario],
    steps: int,
    keywords: Mapping[str, Any] | None = None,
    *,
    processes: int | None = 1,
    every_step: bool = False,
    names: Sequence[str] | None = None,
) -> Any:
    """Each scenario run for ``steps`` steps as ``model_cls(scenario=sc, **keywords)``.

    Returns ``batch_run``'s rows as a DataFrame, in the scenarios' order, with the parameters
    in ``names`` (default: every schema parameter) as columns.
    """
    import pandas as pd

    run = partial(
        _run_one,
        model_cls,
        steps=steps,
        keywords=dict(keywords or {}),
        every=every_step,
        names=None if names is None else tuple(names),
    )
    jobs = list(enumerate(scenarios))
    if processes == 1 or len(jobs) < 2:
        parts = [run(job) for job in jobs]
    else:
        # the start method pausegame's local pool uses ("auto": fork where that is safe)
        context = multiprocessing.get_context(start_method_for("auto"))
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            parts = list(pool.map(run, jobs))
    return pd.DataFrame(list(itertools.chain.from_iterable(parts)))


def _run_one(
    model_cls: type[mesa.Model],
    job: tuple[int, PauseScenario],
    *,
    steps: int,
    keywords: dict[str, Any],
    every: bool,
    names: tuple[str, ...] | None,
) -> list[dict[str, Any]]:
    """One run's rows, as ``batch_run`` writes them."""
    run_id, sc = job
    model = model_cls(scenario=sc, **keywords)
    model.run_for(steps)
    collector = model.datacollector
    model_vars = collector.get_model_vars_dataframe()
    agents = collector.get_agent_vars_dataframe() if collector.agent_reporters else None
    params = {k: v for k, v in sc.params().items() if k != "seed" and (names is None or k in names)}
    head = {"RunId": run_id, "iteration": getattr(sc, "replication_id", None) or 0}
    rows: list[dict[str, Any]] = []
    for step in range(len(model_vars)) if every else [len(model_vars) - 1]:
        base = {**head, "Step": step, **params, "rng": sc.seed, **model_vars.iloc[step].to_dict()}
        if agents is None:
            rows.append(base)
            continue
        for (_, agent_id), values in agents.xs(step, level="Step", drop_level=False).iterrows():
            rows.append({**base, "AgentID": agent_id, **values.to_dict()})
    return rows


def scenarios_from_design(design: Design) -> list[PauseScenario]:
    """One PauseScenario per run of ``design``, carrying ``pausegame sweep``'s own run seed.

    In run order (run id = point x replicates + replicate): ``scenario_id`` is the point,
    ``replication_id`` (Mesa 4) the replicate, the seed the one ``pausegame sweep`` gives the
    run (:func:`~experiments.batch.design.derive_seeds`), so that the same runs under Mesa's
    scenarios give the same numbers.

    Raises:
        ValueError: the design's base scenario places nations, alliances or events, which a
            PauseScenario (parameters and seed) does not carry.
    """
    sc = design.scenario
    if sc.nations or sc.alliances or sc.events:
        raise ValueError(
            f"{design.source}: its scenario {sc.name!r} places nations, alliances or events; "
            "a PauseScenario carries parameters and a seed only (run it with pausegame sweep)"
        )
    runs = np.arange(design.n_runs)
    point, replicate = runs // design.replicates, runs % design.replicates
    keys = point_keys(design)[point]
    seeds = derive_seeds(design.master_seed, design.seed_scheme, keys, replicate)
    return [
        PauseScenario(
            rng=int(seed), scenario_id=int(p), replication_id=int(r), **design.params_at(int(p))
        )
        for seed, p, r in zip(seeds.tolist(), point.tolist(), replicate.tolist(), strict=True)
    ]
