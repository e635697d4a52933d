"""Theory valuations shared between the runs of a sweep whose valuation inputs are identical (#29).

A run's negotiation values its term points by the mean-field theory
(:class:`~model.negotiation.valuation.TheoryValuation`) where the theory covers the world and
the terms. That valuation reads exactly: the parameters it is given, the actors' capability
``c``, shielding share ``shield``, ``is_lab`` and ``home`` (:class:`model.theory.Actors`, built
from the run's world and structure), and the term points it is asked about. Several runs of a
sweep can give it identical inputs:

- the replicates of a point whose scenario fixes the nations' and labs' capabilities, their
  homes and the alliances (``bipolar_blocs``, ``great_power_veto``): their seeds differ, but
  the seed only draws the initial actions and the negotiation's stream, neither of which the
  theory reads, and the grid of term points (up to two negotiable terms) does not depend on
  the stream;
- under ``common`` seeds, the points of one replicate that differ only in what the bargaining
  reads (:data:`BARGAINING_ONLY`: ``protocol``, ``quota``, ...).

:class:`ValuationCache` keeps the valuations of the last :data:`MAX_VALUATIONS` distinct inputs
in a process (least recently used first out), each keeping the values of at most
:data:`MAX_POINTS` term points, so a run whose inputs equal an earlier run's is served the same
object and computes only the points it has not seen. The key is the inputs themselves (every
parameter passed, by type and ``repr``, and the four actor arrays' bytes), compared exactly,
so one different parameter or one different capability is a different valuation. The values
are the same numbers either way: the valuation is a deterministic function of its inputs.

The simulated valuation (:class:`~model.negotiation.simulated.SimulatedValuation`) is not
shared: its worlds are drawn from the negotiation stream, a child of the run's seed, so the
replicates of a point (different seeds) value on different worlds.

Example:
    >>> import numpy as np
    >>> from model.params import resolve
    >>> from model.theory import Actors
    >>> two = Actors(c=np.array([0.5, 0.5]), shield=np.ones(2), is_lab=np.zeros(2, bool),
    ...              home=np.arange(2))
    >>> cache = ValuationCache()
    >>> first = cache.theory(resolve(risk_cost=3.0).to_dict(), two)
    >>> cache.theory(resolve(risk_cost=3.0).to_dict(), two) is first
    True
    >>> cache.theory(resolve(risk_cost=2.0).to_dict(), two) is first
    False
    >>> (cache.hits, cache.misses)
    (1, 2)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from model.errors import ConfigError
from model.negotiation.valuation import TheoryValuation
from model.theory import Actors

__all__ = ["BARGAINING_ONLY", "MAX_POINTS", "MAX_VALUATIONS", "ValuationCache", "fingerprint"]

#: Parameters a run's negotiation reads that the theory valuation does not: they are left out
#: of the parameters it is given (so reading one would fail loudly) and so out of the key.
BARGAINING_ONLY: tuple[str, ...] = (
    "seed",
    "protocol",
    "quota",
    "max_term_points",
    "round_months",
    "max_bargaining_rounds",
    "max_transfer_share",
)
#: The most valuations a :class:`ValuationCache` keeps (distinct inputs).
MAX_VALUATIONS = 32
#: The most term points whose values each kept valuation keeps.
MAX_POINTS = 4096


def fingerprint(params: Mapping[str, Any], actors: Actors) -> tuple[Any, ...]:
    """The exact inputs of a theory valuation, as a key: every parameter and the actor arrays.

    Parameters by name, type and ``repr`` (a float's ``repr`` is exact); the arrays by dtype,
    shape and bytes.

    Example:
        >>> a = Actors(c=np.ones(2) / 2, shield=np.ones(2), is_lab=np.zeros(2, bool),
        ...            home=np.arange(2))
        >>> fingerprint({"penalty": 1.0}, a) == fingerprint({"penalty": 1.0}, a)
        True
        >>> fingerprint({"penalty": 1.0}, a) == fingerprint({"penalty": 1}, a)
        False
    """
    items = tuple(sorted((name, type(v).__name__, repr(v)) for name, v in params.items()))
    arrays = tuple(
        (x.dtype.str, x.shape, x.tobytes())
        for x in (
            np.ascontiguousarray(actors.c),
            np.ascontiguousarray(actors.shield),
            np.ascontiguousarray(actors.is_lab),
            np.ascontiguousarray(actors.home),
        )
    )
    return items, arrays


class ValuationCache:
    """Theory valuations by their exact inputs, least recently used first out (see the module).

    Memory: at most ``max_valuations`` valuations, each keeping at most ``max_points`` points'
    values of ``n_nations`` floats, so at most ``max_valuations * max_points * 8`` bytes per
    nation (1 MiB per nation at the defaults, 12 MiB for 12 nations), besides the keys (about
    25 bytes per actor each).

    Args:
        max_valuations: The most valuations kept (>= 1).
        max_points: The most points each keeps (>= 1).

    Attributes:
        hits: Valuations served from the cache.
        misses: Valuations built.
    """

    def __init__(self, max_valuations: int = MAX_VALUATIONS, max_points: int = MAX_POINTS):
        if max_valuations < 1 or max_points < 1:
            raise ConfigError(
                f"max_valuations={max_valuations!r}, max_points={max_points!r}: allowed: "
                "integers >= 1"
            )
        self.max_valuations = max_valuations
        self.max_points = max_points
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[Any, ...], TheoryValuation] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def theory(self, params: Mapping[str, Any], actors: Actors) -> TheoryValuation:
        """``TheoryValuation(params, actors)``, the kept one when the inputs are identical.

        Raises:
            ConfigError: What the theory does not cover (nothing is kept then).
        """
        key = fingerprint(params, actors)
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return kept
        valuation = TheoryValuation(params, actors, max_points=self.max_points)
        self.misses += 1
        self._entries[key] = valuation
        while len(self._entries) > self.max_valuations:
            self._entries.popitem(last=False)
        return valuation

    def clear(self) -> None:
        """Forget every valuation and reset the counts."""
        self._entries.clear()
        self.hits = self.misses = 0
