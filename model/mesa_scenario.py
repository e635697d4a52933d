"""``PauseScenario``: one run's parameters and seed as a Mesa ``Scenario`` (Mesa 3.5 and 4).

Mesa's ``Scenario`` carries a model's parameters and its random seed; Mesa 4 builds models as
``Model(scenario=...)``. ``PauseScenario`` is that scenario for :class:`~model.PauseModel`: its
parameters are the schema's (``pausegame params``), every one present with its default, every
given value validated as the model validates it, and its seed is always a recorded integer
(``seed=`` or an integer ``rng=``; neither: a fresh one is drawn, as for a run).

Example:
    >>> from model.mesa_scenario import PauseScenario
    >>> sc = PauseScenario(rng=7, p_detect=0.3)
    >>> sc.p_detect, sc.seed, sc.penalty
    (0.3, 7, 4.0)
    >>> PauseScenario(p_detect=2.0)
    Traceback (most recent call last):
    ...
    model.errors.ParameterError: p_detect=2.0 is out of bounds; allowed: a number in [0, 1]
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from model.errors import ParameterError
from model.params import defaults, new_seed, resolve

__all__ = ["MESA_MAJOR", "PauseScenario", "scenario_index"]

#: Mesa's major version: 3 (``seed``, ``steps``, ``batch_run``) or 4 (``Scenario`` only).
MESA_MAJOR = int(mesa.__version__.split(".")[0])


class PauseScenario(MesaScenario):
    """Pausegame's parameters and the run's seed, as Mesa's ``Scenario``.

    Args:
        rng: The run's seed: an integer, or a ``numpy.random.SeedSequence`` (Mesa 4's
            replications), from which an integer seed is derived. A ``Generator`` is refused:
            a run's seed must be recordable.
        scenario_id: Mesa's design-point index (default: Mesa's counter).
        replication_id: Mesa 4's replication index (ignored by Mesa 3.5's ``Scenario``).
        **params: Schema parameters (``seed`` may be given instead of ``rng``).

    Raises:
        ParameterError: an unknown parameter, a bad value, ``rng`` and ``seed`` together, or
            an ``rng`` that is not a seed.
    """

    def __init__(
        self,
        *,
        rng: int | np.integer | np.random.SeedSequence | None = None,
        scenario_id: int | None = None,
        replication_id: int | None = None,
        **params: Any,
    ) -> None:
        seed = _seed_of(rng, params.pop("seed", None))
        values = resolve({**params, "seed": seed}).to_dict()
        if MESA_MAJOR >= 4:
            super().__init__(  # type: ignore[call-arg,unused-ignore]
                rng=seed, scenario_id=scenario_id, replication_id=replication_id, **values
            )
        else:
            if scenario_id is not None:
                values["_scenario_id"] = scenario_id
            super().__init__(rng=seed, **values)

    def params(self) -> dict[str, Any]:
        """The run's schema parameters (with ``seed``), as ``PauseModel`` takes them."""
        return {name: getattr(self, name) for name in defaults()}

    def copy(self) -> PauseScenario:
        """The same parameters, seed and ids, unbound (Mesa 3.5 binds a scenario to a model)."""
        rep = getattr(self, "replication_id", None)
        values = self.params()
        seed = values.pop("seed")
        return PauseScenario(
            rng=seed, scenario_id=scenario_index(self), replication_id=rep, **values
        )

    def spawn_replications(self, n: int) -> list[PauseScenario]:
        """``n`` replications: these parameters, seeds derived from this one's seed.

        The same seeds on Mesa 3.5 and 4 (``SeedSequence(seed).spawn(n)``, each reduced to
        an integer seed as ``rng=SeedSequence`` is).
        """
        values = self.params()
        children = np.random.SeedSequence(values.pop("seed")).spawn(n)
        return [
            PauseScenario(
                rng=_seed_of(child, None),
                scenario_id=scenario_index(self),
                replication_id=i,
                **values,
            )
            for i, child in enumerate(children)
        ]


# Mesa's own mechanism for a subclass's defaults (both versions read it at construction).
PauseScenario._scenario_defaults = defaults()


def scenario_index(scenario: MesaScenario) -> int:
    """A Mesa scenario's design-point index (Mesa 3.5: ``_scenario_id``; 4: ``scenario_id``)."""
    found = getattr(scenario, "scenario_id", None)
    return int(getattr(scenario, "_scenario_id", 0) if found is None else found)


def _seed_of(rng: Any, seed: Any) -> int:
    """The run's integer seed from ``rng`` (int or SeedSequence) or the schema's ``seed``."""
    if rng is not None and seed is not None:
        raise ParameterError(
            "seed",
            seed,
            "give either rng= or seed=, not both",
            message="give either rng= (Mesa's spelling) or seed= (the schema's), not both",
        )
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0]) % (2**63)
    if rng is not None and (isinstance(rng, bool) or not isinstance(rng, (int, np.integer))):
        raise ParameterError(
            "rng",
            rng,
            "an integer seed >= 0 or a numpy SeedSequence",
            why="is not a seed (a PauseScenario records its run's seed)",
        )
    chosen = rng if rng is not None else seed
    if chosen is None:
        return new_seed()
    return int(resolve({"seed": chosen})["seed"])
