"""Outside events a period starts with: the one way to change a running game from outside.

A classroom's teacher injects events into a running room (:mod:`experiments.room.injects`); the
engine receives them as a :class:`Shock` on the period's :class:`model.held.Held`
(``Engine.step(held=Held(..., shock=Shock(...)))``) and applies them as that period starts
(``model/ODD.md`` section 3.11):

- ``detect``: each named nation is inspected this period for certain and its international
  uniform is taken as 0, so a bound nation that defects is caught internationally (and
  sanctioned as any caught defector is); a complier is flagged only where the regime has false
  alarms at all (``q > 0``). One period only.
- ``capability``: each named nation's own capability (its government's programme, not its labs)
  is multiplied by the factor from this period on.
- ``sceptic``: each named nation's leadership turns pause-sceptic from this period on: it
  weighs the gain of defecting twice, deciding on ``delta_k + G_k`` (``G_k`` the per-unit gain
  of :mod:`model.payoffs`) wherever the model decides for it. Payoffs are unchanged.

A shock never changes which numbers are drawn (every uniform is still drawn; ``detect`` replaces
the drawn uniform's value after the draw), and an engine stepped without one runs exactly as
before (no shock, no number changed).

Example:
    >>> from model.engine import Engine
    >>> from model.held import Held
    >>> eng = Engine.from_params({"n_nations": 3, "n_labs": 0, "steps": 2}, rng=1)
    >>> eng.step(held=Held(actions={0: True}, shock=Shock(detect=frozenset({0}))))
    >>> bool(eng.last["caught_international"][0])
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from model.engine import Engine

#: The largest capability factor a shock may apply (and its inverse the smallest).
MAX_CAPABILITY_FACTOR = 10.0


@dataclass(frozen=True)
class Shock:
    """A period's outside events (see the module).

    Attributes:
        detect: Nations inspected this period for certain, their international uniform 0.
        capability: Nation -> factor (from ``1 / MAX_CAPABILITY_FACTOR`` to
            ``MAX_CAPABILITY_FACTOR``) on its own capability, from this period on.
        sceptic: Nations whose leadership turns pause-sceptic from this period on.
    """

    detect: frozenset[int] = frozenset()
    capability: Mapping[int, float] = field(default_factory=dict)
    sceptic: frozenset[int] = frozenset()

    def check(self, n_nations: int) -> None:
        """Raise ValueError naming a nation out of range or a factor out of range."""
        for k in (*self.detect, *self.capability, *self.sceptic):
            if not 0 <= int(k) < n_nations:
                raise ValueError(
                    f"a shock names actor {k}; allowed: a nation id in 0..{n_nations - 1}"
                )
        for k, f in self.capability.items():
            if not 1.0 / MAX_CAPABILITY_FACTOR <= float(f) <= MAX_CAPABILITY_FACTOR:
                raise ValueError(
                    f"capability factor {f!r} for nation {k} is out of range; allowed: "
                    f"{1.0 / MAX_CAPABILITY_FACTOR:g} to {MAX_CAPABILITY_FACTOR:g}"
                )

    def start(self, e: Engine) -> None:
        """Apply the lasting parts as the period starts: capability, then sceptic leaders."""
        self.check(e.n_nations)
        if self.capability:
            factor = np.ones(e.n_actors)
            for k, f in self.capability.items():
                factor[int(k)] *= float(f)
            # a new array (never edited in place): structure caches tell worlds apart by it
            e.world.capability = np.asarray(e.world.capability, dtype=float) * factor
            e._rebuild()
        if self.sceptic:
            sceptic = np.zeros(e.n_actors, dtype=bool) if e.sceptic is None else e.sceptic.copy()
            sceptic[sorted(int(k) for k in self.sceptic)] = True
            e.sceptic = sceptic

    def checked(self, inspected: np.ndarray, u_int: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(inspected, u_int)`` with :attr:`detect`'s nations inspected and their uniform 0."""
        if not self.detect:
            return inspected, u_int
        who = sorted(int(k) for k in self.detect)
        inspected, u_int = np.array(inspected, dtype=bool), np.array(u_int, dtype=float)
        inspected[who] = True
        u_int[who] = 0.0
        return inspected, u_int

    def record(self) -> dict[str, Any]:
        """The shock as a log record's field (JSON; :meth:`of_record` reads it back)."""
        return {
            "detect": sorted(int(k) for k in self.detect),
            "capability": {str(k): float(f) for k, f in sorted(self.capability.items())},
            "sceptic": sorted(int(k) for k in self.sceptic),
        }

    @classmethod
    def of_record(cls, raw: Mapping[str, Any]) -> Shock:
        """The shock of a log record's field (:meth:`record`)."""
        return cls(
            detect=frozenset(int(k) for k in raw.get("detect", ())),
            capability={int(k): float(f) for k, f in raw.get("capability", {}).items()},
            sceptic=frozenset(int(k) for k in raw.get("sceptic", ())),
        )

    def __bool__(self) -> bool:
        return bool(self.detect or self.capability or self.sceptic)


def sceptic_premium(e: Engine) -> np.ndarray:
    """``G_k`` for each pause-sceptic actor, 0 for the others (added to ``delta``)."""
    assert e.sceptic is not None
    gain = np.broadcast_to(np.asarray(e.structure.gain_unit, dtype=float), (e.n_actors,))
    return np.where(e.sceptic, gain, 0.0)
