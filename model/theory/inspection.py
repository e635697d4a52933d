"""The classic two-player inspection game (a teaching aid)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InspectionGame"]


@dataclass(frozen=True)
class InspectionGame:
    """The classic two-player inspection game and its equilibria.

    An inspectee gains ``gain`` from a violation and pays ``penalty`` when caught; inspecting
    costs the inspector ``cost``, and an undetected violation costs it ``loss``. With
    simultaneous moves the unique equilibrium is mixed: the inspector inspects with probability
    ``gain / (gain + penalty)`` (making the inspectee indifferent) and the inspectee violates
    with probability ``cost / loss`` (making the inspector indifferent). Under *inspector
    leadership* the inspector commits to an inspection rate first; committing to (just above)
    ``gain / (gain + penalty)`` deters every violation, which is why announced, verifiable
    inspection regimes are worth more than secret ones.

    References:
        Avenhaus, R., von Stengel, B. and Zamir, S. (2002). Inspection games. In *Handbook of
        Game Theory with Economic Applications* 3, 1947-1987.
    """

    gain: float
    penalty: float
    cost: float
    loss: float

    @property
    def inspection_rate(self) -> float:
        """Equilibrium inspection probability ``g / (g + F)``."""
        return self.gain / (self.gain + self.penalty) if self.gain + self.penalty > 0 else 0.0

    @property
    def violation_rate(self) -> float:
        """Equilibrium violation probability ``k / d`` (capped at 1)."""
        return min(1.0, self.cost / self.loss) if self.loss > 0 else 1.0

    @property
    def leadership_rate(self) -> float:
        """The inspection rate a committed inspector needs to deter: ``g / (g + F)``."""
        return self.inspection_rate

    def inspector_payoff(self, rate: float, violation: float) -> float:
        """The inspector's expected payoff for an inspection and a violation probability."""
        return -self.cost * rate - self.loss * violation * (1.0 - rate)

    def inspectee_payoff(self, rate: float, violation: float) -> float:
        """The inspectee's expected payoff for an inspection and a violation probability."""
        return violation * (self.gain * (1.0 - rate) - self.penalty * rate)
