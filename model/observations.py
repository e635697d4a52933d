"""What a decision rule observes: the observation mapping the engine hands to a rule.

A rule declares in ``needs`` which observations it reads (``agents.rules.Observation``); the
engine builds only those, and each lazily, so an observation costs nothing until it is read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from model.engine import Engine


class _LazyObservations(Mapping[str, Any]):
    """A read-only mapping whose values are computed on first access."""

    def __init__(self, makers: dict[str, Any]) -> None:
        self._makers = makers
        self._values: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            self._values[key] = self._makers[key]()
        return self._values[key]

    def __iter__(self) -> Any:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def observations(
    engine: Engine, t: int, delta: np.ndarray, needs: Collection[str]
) -> Mapping[str, Any]:
    """The observations in ``needs`` of ``engine`` at step ``t`` (advantages ``delta``)."""
    st = engine.structure

    def realized() -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(st.c > 0, engine.payoff / np.where(st.c > 0, st.c, 1.0), 0.0)

    makers: dict[str, Any] = {
        "t": lambda: t,
        "state": lambda: engine.rule_state,
        "capability": lambda: st.c,
        "home": lambda: engine.home,
        "is_lab": lambda: engine.is_lab,
        "n_nations": lambda: engine.n_nations,
        "alliances": lambda: st.alliances,
        "expected_payoff": lambda: engine.expected_payoffs(delta),
        "realized_payoff": realized,
        "caught_last": lambda: engine.caught_last,
        "flagged_last": lambda: engine.flagged_last,
        "rival_share": lambda: engine.rival_share,
        "member": lambda: engine.treaty.member,
        "pledged_last": lambda: None if engine.pledges is None else engine.pledges.last,
        "breached_last": lambda: None if engine.pledges is None else engine.pledges.detected,
    }
    return _LazyObservations({key: makers[key] for key in needs})
