"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import pytest

from model import theory


# --------------------------------------------------------------------------- inspection game
def test_inspection_game_equilibrium():
    game = theory.InspectionGame(gain=1.0, penalty=4.0, cost=0.5, loss=5.0)
    assert game.inspection_rate == pytest.approx(0.2)
    assert game.violation_rate == pytest.approx(0.1)
    # at the equilibrium each side is indifferent
    r, v = game.inspection_rate, game.violation_rate
    assert game.inspectee_payoff(r, 1.0) == pytest.approx(game.inspectee_payoff(r, 0.0))
    assert game.inspector_payoff(1.0, v) == pytest.approx(game.inspector_payoff(0.0, v))
    assert game.inspectee_payoff(game.leadership_rate + 0.01, 1.0) < 0
