"""What a proposal would do, before the class votes on it (:class:`Consequences`).

A room's negotiation shows every student, for each proposal, the chance that the pause holds
and each nation's expected payoff, from the batched-simulation valuation
(:class:`model.negotiation.simulated.SimulatedValuation`): ``n_worlds`` copies of the room's
own world (its nations, capabilities and alliances) over the room's months (``horizon`` =
the room's months), every proposal on the same worlds and streams (common random numbers),
on the child ``(..., 29, 1)`` of the room's seed sequence (:func:`model.negotiation.session
.negotiation_seed`, the stream a run's own negotiation uses), so the room's own draws are
untouched. As the valuation does, every proposal is valued as if every nation signed, against
the status quo of no treaty (``D_i``).

Per proposal: ``held``, the share of the worlds in which the pause never collapsed over the
months (:attr:`model.outcomes.RunSummary.held`), and per nation ``U_i`` (its jurisdiction's
discounted mean payoff a month) and ``S_i = U_i - D_i``. A proposal is valued once and the
answer shared by every student (cached by its terms).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engine import Engine
from model.negotiation.session import negotiation_seed
from model.negotiation.simulated import SimulatedValuation
from model.negotiation.valuation import Key, point_key


@dataclass(frozen=True)
class Consequence:
    """A proposal's consequence (see the module).

    Attributes:
        terms: The proposal's terms.
        held: The share of the simulated worlds in which the pause held (0 to 1).
        worlds: How many worlds were simulated.
        utility: ``(nations,)``: ``U_i``, each nation's expected payoff a month.
        status_quo: ``(nations,)``: ``D_i``, the same without a treaty.
    """

    terms: dict[str, Any]
    held: float
    worlds: int
    utility: np.ndarray
    status_quo: np.ndarray

    @property
    def gain(self) -> np.ndarray:
        """``(nations,)``: ``S_i = U_i - D_i``, what each nation gains from the proposal."""
        out: np.ndarray = self.utility - self.status_quo
        return out

    def record(self) -> dict[str, Any]:
        """The consequence as a log record's fields."""
        return {
            "terms": self.terms,
            "held": self.held,
            "worlds": self.worlds,
            "utility": [float(x) for x in self.utility],
            "status_quo": [float(x) for x in self.status_quo],
        }


class _HeldValuation(SimulatedValuation):
    """The simulated valuation that also notes the share of worlds in which the pause held."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.held_share: dict[Key, float] = {}
        super().__init__(*args, **kwargs)

    def _ran(self, keys: Sequence[Key], engines: Sequence[Engine]) -> None:
        w = self.n_worlds
        for p, key in enumerate(keys):
            held = [e.summary().held for e in engines[p * w : (p + 1) * w]]
            self.held_share[key] = float(np.mean(held))


class Consequences:
    """A room's proposals valued on common simulated worlds, each once (see the module).

    Args:
        engine: The room's engine at month 0 (its given parameters, world and seed).
        scenario: The room's scenario (None: the plain parameters).
        months: The room's months (the valuation's horizon).

    Raises:
        ConfigError: The valuation cannot value this room's world.
    """

    def __init__(self, engine: Engine, scenario: Any, months: int) -> None:
        params = engine.given_params.replace(horizon=int(months))
        seed = negotiation_seed(engine.rng)
        child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 1))
        self._valuation = _HeldValuation(params, child, scenario=scenario, world=engine.world)
        self._cache: dict[Key, Consequence] = {}

    @property
    def status_quo(self) -> np.ndarray:
        """``(nations,)``: ``D_i``, each nation's expected payoff a month without a treaty."""
        return self._valuation.disagreement

    def known(self, terms: Mapping[str, Any]) -> Consequence | None:
        """The consequence of ``terms`` if already valued (None: not yet)."""
        return self._cache.get(point_key(terms))

    def value(self, terms: Mapping[str, Any]) -> Consequence:
        """The consequence of ``terms`` (valued now unless cached).

        Raises:
            ConfigError: Terms the valuation refuses (one the world's construction reads).
        """
        key = point_key(terms)
        if key not in self._cache:
            v = self._valuation
            utility = v.utilities([dict(terms)])[0]
            self._cache[key] = Consequence(
                dict(terms), v.held_share[key], v.n_worlds, utility, v.disagreement.copy()
            )
        return self._cache[key]

    def __len__(self) -> int:
        return len(self._cache)
