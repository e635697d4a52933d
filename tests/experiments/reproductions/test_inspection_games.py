"""Inspection games: the engine's deterrence threshold, leadership and the mixed equilibrium."""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.reproductions import inspection_games as ig
from model.engine import Engine
from model.errors import ParameterError
from model.inspector import AdaptiveInspector, run_adaptive, set_inspection_probability

pytestmark = pytest.mark.reproduction

PNG = b"\x89PNG\r\n\x1a\n"


def test_threshold_is_the_papers_formula_with_the_presets_typed_here() -> None:
    # onsite_inspections' presets, typed from model/verification/sources.toml: p_detect 0.9,
    # coverage 0.8, q 0.05, lag 1 month at discount 0.95; penalty 8, gain 1 (BASE)
    params = ig._params(verification="onsite_inspections", n_nations=10)
    g_star = 1.0 / (0.95 * 8.0 * (0.8 * 0.9 - 0.05))
    assert ig.deterrence_threshold(params) == pytest.approx(g_star, rel=1e-12)
    game = ig.closed_form_game(params)
    assert game.inspection_rate == pytest.approx(g_star, rel=1e-12)
    assert game.violation_rate == pytest.approx(ig.COST / (0.72 * ig.LOSS), rel=1e-12)


@pytest.mark.parametrize("g, violates", [(0.19, True), (0.20, False)])
def test_the_engines_best_response_switches_at_the_typed_threshold(g: float, violates: bool):
    # g* = 0.1964 (above): the engine's own actors decide, nothing here computes an advantage
    eng = Engine.from_params(
        {**ig.BASE, "verification": "onsite_inspections", "n_nations": 100, "steps": 3},
        rng=1,
    )
    set_inspection_probability(eng, g)
    eng.run()
    assert bool(np.all(eng.defect)) is violates and bool(np.any(eng.defect)) is violates


@pytest.mark.parametrize("regime", ["custom", "onsite_inspections", "national_means"])
def test_engine_violates_at_or_below_the_threshold_and_never_above(regime: str) -> None:
    sweep = ig.sweep_regime(regime, n=20)
    assert 0 < sweep.threshold < 1
    assert sweep.step_exact
    assert sweep.threshold < sweep.deterring <= sweep.threshold + 1 / 20 + 1e-12
    assert sweep.violation[0] == 1.0 and sweep.violation[-1] == 0.0


def test_regimes_that_cannot_deter_violate_at_every_quota() -> None:
    for regime in ("self_reporting", "open_letter"):
        sweep = ig.sweep_regime(regime, n=10)
        assert sweep.threshold > 1
        assert np.all(sweep.violation == 1.0) and math.isinf(sweep.deterring)


def test_fictitious_play_reaches_the_mixed_equilibrium() -> None:
    params = ig._params(verification=ig.GAME_REGIME, n_nations=ig.N_GAME)
    game = ig.closed_form_game(params)
    eng = Engine.from_params(
        {**ig.BASE, "verification": ig.GAME_REGIME, "n_nations": ig.N_GAME, "steps": 1500}, rng=3
    )
    play = run_adaptive(eng, AdaptiveInspector(ig.COST, ig.LOSS), 1500)
    assert abs(play.violation.mean() - game.violation_rate) <= ig.TOL_GAME
    assert abs(play.inspection.mean() - game.inspection_rate) <= ig.TOL_GAME
    # the actors best-respond: all violate when g <= g*, none when g > g*
    assert np.all(play.violation[play.inspection <= game.inspection_rate] == 1.0)
    assert np.all(play.violation[play.inspection > game.inspection_rate] == 0.0)


def test_adaptive_inspector_checks_its_input() -> None:
    eng = Engine.from_params({**ig.BASE, "n_nations": 5, "steps": 3}, rng=1)
    with pytest.raises(ParameterError, match=r"probability=1.5 .*allowed: a number in \[0, 1\]"):
        set_inspection_probability(eng, 1.5)
    with pytest.raises(ParameterError, match="steps=4 .*allowed: an integer in 1..3"):
        run_adaptive(eng, AdaptiveInspector(0.1, 1.0), 4)
    with pytest.raises(ParameterError, match="cost=0.0"):
        AdaptiveInspector(0.0, 1.0)
    other = Engine.from_params(
        {**ig.BASE, "n_nations": 5, "steps": 3, "quota_allocation": "capability"}, rng=1
    )
    with pytest.raises(ParameterError, match="quota_allocation='capability'"):
        set_inspection_probability(other, 0.4)


def test_zero_inspection_inspects_nobody() -> None:
    eng = Engine.from_params({**ig.BASE, "n_nations": 8, "steps": 2}, rng=2)
    assert set_inspection_probability(eng, 0.0) == 0.0
    eng.step()
    assert eng.timeseries()["inspections"][1] == 0
    assert np.all(eng.defect)  # nothing deters without inspections


@pytest.mark.slow
def test_reproduce_holds_and_writes_the_figure(tmp_path) -> None:
    result = ig.reproduce(tmp_path, quick=True)
    failed = [c.what for c in result.claims if not c.holds]
    assert not failed, failed
    assert any("leadership is better" in c.what for c in result.claims)
    data = result.figure.read_bytes()
    assert result.figure.parent == tmp_path and data.startswith(PNG) and len(data) > 10_000
