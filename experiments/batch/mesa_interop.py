"""Running the model as a Mesa batch: ``batch_run`` on Mesa 3.5, Scenarios on Mesa 4.

:class:`~model.mesa_model.PauseModel` runs under ``mesa.batch_run`` as it is, and on Mesa 4 from
a :class:`~model.mesa_scenario.PauseScenario` (:mod:`experiments.batch.mesa_scenarios`; Mesa 4
has no ``batch_run``). The per-agent reference (:class:`~model.reference.ReferenceModel`) has no
DataCollector, which ``batch_run`` needs; :class:`ReferenceBatchModel` adds one
(capability-weighted compliance and detections), so that the benchmark can time Mesa's batch
over the idiomatic Mesa loop. Both live in importable modules, as the "spawn" workers require.

Example (the same rows on Mesa 3.5 and 4):
    >>> from model.mesa_model import PauseModel
    >>> frame = batch_run_frame(PauseModel, {"p_detect": [0.2, 0.8], "n_labs": 4, "steps": 5,
    ...                                      "collect_agents": False}, [1, 2], 5)
    >>> len(frame)  # 2 values x 2 seeds; with agent data (the default), a row per agent
    4
    >>> sorted(zip(frame["p_detect"], frame["rng"]))
    [(0.2, 1), (0.2, 2), (0.8, 1), (0.8, 2)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mesa
import numpy as np

from model.mesa_scenario import PauseScenario
from model.reference import ReferenceModel

__all__ = ["ReferenceBatchModel", "batch_run_frame"]


class ReferenceBatchModel(ReferenceModel):
    """The per-agent reference with a DataCollector, for ``mesa.batch_run``.

    Args:
        rng: Integer seed (the same trajectory as the engine with that seed).
        scenario: Mesa 4's way: a PauseScenario with the parameters and seed (then neither
            ``rng`` nor parameters).
        **params: Schema parameters.
    """

    def __init__(
        self, rng: int | None = None, scenario: PauseScenario | None = None, **params: Any
    ) -> None:
        if scenario is not None:
            params = scenario.params()
            rng = params.pop("seed")
        assert rng is not None, "ReferenceBatchModel needs rng= or scenario="
        super().__init__(rng, **params)
        self.running = True
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "weighted_compliance": _reference_compliance,
                "detections": _reference_detections,
            }
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """One period of the reference, then collect."""
        super().step()
        self.datacollector.collect(self)


def _reference_compliance(model: ReferenceBatchModel) -> float:
    c = np.array([a.capability for a in model.actors])
    return float(c[~model.defect].sum() / c.sum())


def _reference_detections(model: ReferenceBatchModel) -> int:
    return int(model.caught_domestic.sum() + model.caught_international.sum())


def batch_run_frame(
    model_cls: type[mesa.Model],
    parameters: Mapping[str, Any],
    seeds: Sequence[int],
    steps: int,
    *,
    processes: int | None = 1,
    every_step: bool = False,
) -> Any:
    """Mesa's batch over ``model_cls`` as a DataFrame (seeds as plain ints).

    Mesa 3.5: ``mesa.batch_run``, which runs ``max_steps`` steps (``while model.steps <
    max_steps``). Mesa 4: the same grid as PauseScenarios, each model built as
    ``model_cls(scenario=...)`` and run for ``steps`` (:mod:`experiments.batch.mesa_scenarios`).
    """
    import pandas as pd

    if not hasattr(mesa, "batch_run"):
        from experiments.batch.mesa_scenarios import grid_scenarios, scenario_frame

        scenarios, keywords = grid_scenarios(parameters, seeds, keywords=("collect_agents",))
        names = [k for k in parameters if k not in keywords]
        return scenario_frame(
            model_cls,
            scenarios,
            steps,
            keywords,
            processes=processes,
            every_step=every_step,
            names=names,
        )

    rows = mesa.batch_run(
        model_cls,
        dict(parameters),
        rng=[int(s) for s in seeds],
        max_steps=steps,
        number_processes=processes,
        data_collection_period=1 if every_step else -1,
        display_progress=False,
    )
    return pd.DataFrame(rows)
