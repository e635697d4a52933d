"""Play a nation, headless: the player's choices, votes and membership reach the engine, the
random stream stays the same, and the debrief compares the player with a best responder on the
same seed (:mod:`experiments.play`, the game the app's Play page and ``pausegame play`` share).
"""

from __future__ import annotations

import pytest

from experiments.play import PlayGame, best_response_run, build_engine


def test_a_best_responding_world_gives_the_counterfactual_its_own_run():
    """With the best-response rule everywhere, holding a nation to its best response changes
    nothing: the counterfactual equals the plain run, period by period, on the same seed."""
    game = PlayGame("seed=5&periods=3")
    extra = {"decision_rule": "best_response"}
    plain = build_engine(game.scenario, 5, 10, extra)
    total = 0.0
    for _ in range(10):
        plain.step()
        total += float(plain.payoff[2])
    assert best_response_run(game.scenario, 5, 10, 2, extra)[0] == pytest.approx(total, rel=1e-12)
