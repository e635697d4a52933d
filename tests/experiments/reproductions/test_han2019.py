"""Han et al. (DSAIR race): both thresholds on p_r against the closed forms, and the figure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.reproductions import han2019
from experiments.reproductions.common import PUBLISHED_NUMBER
from model.dsair import DSAIRRace
from model.engine import Engine
from model.errors import ParameterError

pytestmark = pytest.mark.reproduction

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("s", [1.0, 1.5, 2.0, 3.0, 4.0, 5.0])
def test_exact_chain_threshold_is_the_closed_form(s: float) -> None:
    race = DSAIRRace()
    exact = race.selection_threshold_exact(s, han2019.Z, han2019.BETA)
    assert abs(exact - race.selection_threshold(s)) <= han2019.TOL_CHAIN
    # AS is favoured just above the exact threshold and not just below it
    assert race.safe_share(s, min(exact + 0.01, 1.0), han2019.Z, han2019.BETA) > 0.5
    assert race.safe_share(s, exact - 0.01, han2019.Z, han2019.BETA) < 0.5


def test_large_prize_limits_at_s_one_and_a_half() -> None:
    race = DSAIRRace()
    assert race.society_threshold(1.5) == pytest.approx(1 - 1 / 1.5, abs=0.01)
    assert race.selection_threshold(1.5) == pytest.approx(1 - 1 / 4.5, abs=0.01)
    huge = DSAIRRace(B=1e9)
    assert huge.society_threshold(1.5) == pytest.approx(1 - 1 / 1.5, abs=1e-5)
    assert huge.selection_threshold(1.5) == pytest.approx(1 - 1 / 4.5, abs=1e-5)


def test_payoff_matrix_is_the_papers() -> None:
    m = DSAIRRace().payoff_matrix(1.5, 0.2)
    # [[b/2 - c + B/2W, b/(s+1) - c], [(1-p_r)(sb/(s+1) + sB/W), (1-p_r)(b/2 + sB/2W)]]
    assert m == pytest.approx(np.array([[51.0, 0.6], [0.8 * (2.4 + 150), 0.8 * (2 + 75)]]))


def test_safe_share_is_the_chains_fixation_ratio_and_its_rare_mutation_limit() -> None:
    race = DSAIRRace()
    rho_as, rho_au = race.fixation(1.5, 0.78, 100, 0.01)
    share = race.safe_share(1.5, 0.78, 100, 0.01)
    assert share == pytest.approx(rho_as / (rho_as + rho_au), rel=1e-9)
    chain = race.imitation_chain(1.5, 0.78, 100, 0.01, mutation=1e-6)
    assert chain.mean_compliance() == pytest.approx(share, abs=1e-3)


def test_simulated_fixation_matches_the_exact_chain() -> None:
    race = DSAIRRace()
    rng = np.random.default_rng(3)
    gaps = np.array([race.gap(1.5, 0.9, 100)])
    runs = 20_000
    count = int(han2019.simulate_fixations(gaps, 1, runs, 0.01, rng)[0])
    rho, _ = race.fixation(1.5, 0.9, 100, 0.01)
    assert abs(count / runs - rho) <= 4 * math.sqrt(rho * (1 - rho) / runs)
    neutral = han2019.simulate_fixations(
        np.zeros((1, 11)), 1, runs, 0.01, np.random.default_rng(4)
    )[0]
    assert abs(neutral / runs - 0.1) <= 4 * math.sqrt(0.09 / runs)


def test_simulation_is_seeded() -> None:
    gaps = np.array([DSAIRRace().gap(3.0, 0.89, 100)])
    a = han2019.simulate_fixations(gaps, 99, 2000, 0.01, np.random.default_rng(5))
    b = han2019.simulate_fixations(gaps, 99, 2000, 0.01, np.random.default_rng(5))
    assert a.tolist() == b.tolist()


def test_bad_input_names_what_is_allowed() -> None:
    with pytest.raises(ParameterError, match=r"W=0.0 .*allowed: a finite number in \(0"):
        DSAIRRace(W=0.0)
    with pytest.raises(ParameterError, match=r"s=0.5 .*allowed: a finite number in \[1"):
        DSAIRRace().payoff_matrix(0.5, 0.1)
    with pytest.raises(ParameterError, match=r"p_r=1.5 .*\[0, 1\]"):
        DSAIRRace().payoff_matrix(2.0, 1.5)
    with pytest.raises(ValueError, match="start=0 is out of bounds"):
        han2019.simulate_fixations(np.zeros((1, 5)), 0, 10, 0.01, np.random.default_rng(1))


def test_theirs_is_the_papers_two_formulas_typed_not_model_dsair() -> None:
    # the dilemma zone 1 - 1/s < p_r < 1 - 1/(3s) (Han et al. 2020, Fig. 1), typed here again
    assert han2019.paper_society_threshold(1.5) == pytest.approx(1 / 3, rel=1e-12)
    assert han2019.paper_selection_threshold(1.5) == pytest.approx(7 / 9, rel=1e-12)
    assert han2019.paper_selection_threshold(5.0) == pytest.approx(14 / 15, rel=1e-12)
    # model.dsair's finite-B/W closed form is not theirs: it differs from the paper's limit
    assert DSAIRRace().selection_threshold(1.5) != han2019.paper_selection_threshold(1.5)


def test_the_engines_settings_are_the_papers_process() -> None:
    settings = han2019.ENGINE_SETTINGS
    assert settings["decision_rule"] == "imitation" and settings["imitation_peers"] == "all"
    assert settings["alliance_network"] == "none" and settings["capability_dist"] == "equal"
    assert settings["revision_rate"] == "one" and settings["n_labs"] == 0
    assert settings["beta"] == 0.01 and settings["mutation"] == 0.0 and settings["n_nations"] == 100


@pytest.mark.parametrize("s, p_r", [(1.5, 0.75), (3.0, 0.86), (5.0, 0.95)])
@pytest.mark.parametrize("compliance", [0.1, 0.5, 0.93])
def test_the_engines_imitation_sees_the_races_payoff_gap(s, p_r, compliance) -> None:
    # the engine's own expected payoffs (what its imitation rule compares), one month in
    race = DSAIRRace()
    params = {**han2019.engine_params(race, s, p_r), "initial_compliance": compliance}
    eng = Engine.from_params({**params, "steps": 3}, rng=5)
    eng.step()
    payoff = eng.expected_payoffs()
    safe = int(np.count_nonzero(~eng.defect))
    gap = payoff[1][eng.defect][0] - payoff[0][~eng.defect][0]
    assert gap == pytest.approx(race.gap(s, p_r, 100)[safe], rel=1e-12, abs=1e-12)


def test_a_race_that_is_no_coordination_game_is_refused() -> None:
    with pytest.raises(ValueError, match="not expressible"):
        han2019.engine_params(DSAIRRace(), 5.0, 0.5)


def test_the_engine_favours_safety_above_the_threshold_and_not_below() -> None:
    race, s = DSAIRRace(), 5.0
    theirs = 1 - 1 / (3 * s)
    below = han2019.engine_ahead(race, s, theirs - 0.05, runs=8, months=1000, seed=1)
    above = han2019.engine_ahead(race, s, theirs + 0.05, runs=8, months=1000, seed=1)
    assert below < 0.5 < above


@pytest.mark.slow
def test_reproduce_holds_and_writes_the_figure(reproduced) -> None:
    # the quick run the contract test checks too (conftest.py runs it once a session)
    result, out = reproduced("han2019")
    failed = [c.what for c in result.claims if not c.holds]
    assert not failed, failed
    assert {c.kind for c in result.claims} == {PUBLISHED_NUMBER}
    selection = [c.paper for c in result.claims if c.what.startswith("selection favours")]
    assert selection == [1 - 1 / (3 * s) for s in han2019.CHECK_S]
    society = [c.paper for c in result.claims if c.what.startswith("society prefers")]
    assert society == [1 - 1 / s for s in han2019.CHECK_S_SOCIETY]
    engine = [c for c in result.claims if "the engine's imitation rule" in c.what]
    assert len(engine) == len(han2019.ENGINE_S_QUICK) and all(c.holds for c in engine)
    simulated = [c for c in result.claims if "simulated pairwise" in c.what]
    assert len(simulated) == len(han2019.SIM_S_QUICK)
    for claim in simulated:
        assert isinstance(claim.ours, float) and isinstance(claim.paper, float)
        assert abs(claim.ours - claim.paper) <= han2019.TOL_SIM
    data = result.figure.read_bytes()
    assert result.figure.parent == out and data.startswith(PNG) and len(data) > 10_000
    assert (
        han2019.CITATION in result.table() and result.table().count("\n") == len(result.claims) + 1
    )
