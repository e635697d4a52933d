"""Running the model under ``mesa.batch_run``: the Mesa front and the per-agent reference.

:class:`~model.mesa_model.PauseModel` runs under ``mesa.batch_run`` as it is. The per-agent
reference (:class:`~model.reference.ReferenceModel`) has no DataCollector, which ``batch_run``
needs; :class:`ReferenceBatchModel` adds one (capability-weighted compliance and detections), so
that the benchmark can time ``batch_run`` over the idiomatic Mesa loop. Both live in importable
modules, as ``batch_run``'s "spawn" workers require.

Example:
    >>> import mesa
    >>> from model.mesa_model import PauseModel
    >>> rows = mesa.batch_run(PauseModel, {"p_detect": [0.2, 0.8], "n_labs": 4, "steps": 5,
    ...                                    "collect_agents": False},
    ...                       rng=[1, 2], max_steps=5, number_processes=1,
    ...                       data_collection_period=-1, display_progress=False)
    >>> len(rows)  # 2 values x 2 seeds; with agent data (the default), a row per agent
    4
    >>> sorted({(row["p_detect"], row["rng"]) for row in rows})
    [(0.2, 1), (0.2, 2), (0.8, 1), (0.8, 2)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mesa
import numpy as np

from model.reference import ReferenceModel

__all__ = ["ReferenceBatchModel", "batch_run_frame"]


class ReferenceBatchModel(ReferenceModel):
    """The per-agent reference with a DataCollector, for ``mesa.batch_run``.

    Args:
        rng: Integer seed (the same trajectory as the engine with that seed).
        **params: Schema parameters.
    """

    def __init__(self, rng: int, **params: Any) -> None:
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
    """``mesa.batch_run`` over ``model_cls`` as a DataFrame (seeds as plain ints).

    ``batch_run`` runs ``max_steps`` steps (Mesa 3.5: ``while model.steps < max_steps``).
    """
    import pandas as pd

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
