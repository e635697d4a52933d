"""The engine against the theory of DESIGN.md section 2: exact limits, logit, hysteresis.

Tolerances are Monte Carlo standard errors (batch means for autocorrelated series), not guesses.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import PauseModel, theory
from model.engine import Engine
from model.params import resolve

# Identical actors, at least two nations, no alliances, p_dom = lam = q = phi = L = 0.
EXACT = dict(
    p_domestic=0.0,
    race_pressure=0.0,
    p_false_alarm=0.0,
    risk_internalization=0.0,
    verification_lag=0,
    alliance_network="none",
    capability_dist="equal",
    n_labs=0,
    n_nations=10,
)


def br_final_compliance(initial: float, seed: int = 0, **params) -> np.ndarray:
    values = {
        **EXACT,
        "decision_rule": "best_response",
        "steps": 5,
        "initial_compliance": initial,
        **params,
    }
    eng = Engine.from_params(values, rng=seed)
    eng.run()
    return eng.timeseries()["compliance"]


@pytest.mark.parametrize("initial", [0.0, 0.5, 1.0])
@pytest.mark.parametrize(
    "p, F, complies",
    [
        (0.3, 4.0, True),
        (0.2, 4.0, False),
        (0.5, 2.0, True),  # 0.5 * 2 = 1 = G: a tie
        (0.5, 1.99, False),
        (0.51, 2.0, True),
        (0.0, 100.0, False),
        (1.0, 1.0, True),
    ],
)
def test_best_response_threshold_p_times_F_vs_G(initial, p, F, complies):
    compliance = br_final_compliance(initial, p_detect=p, penalty=F, defect_gain=1.0)
    assert compliance[1:].tolist() == [1.0 if complies else 0.0] * 5
    assert (p * F >= 1.0) == complies
    assert theory.deterrence_threshold(resolve({**EXACT, "penalty": F})) == pytest.approx(1 / F)


@pytest.mark.parametrize(
    "p, q, F, complies",
    # (p - q) * F >= G, with exactly representable ties
    [
        (0.5, 0.25, 4.0, True),
        (0.5, 0.25, 3.9, False),
        (0.75, 0.25, 2.0, True),
        (0.3, 0.1, 4.0, False),
        (0.4, 0.1, 4.0, True),
    ],
)
def test_false_alarms_move_the_threshold(p, q, F, complies):
    compliance = br_final_compliance(1.0, p_detect=p, p_false_alarm=q, penalty=F)
    assert compliance[-1] == (1.0 if complies else 0.0)
    assert ((p - q) * F >= 1.0 - 1e-12) == complies


@pytest.mark.parametrize(
    "p, L, discount, F, complies",
    # p * discount**L * F >= G
    [
        (0.5, 2, 0.5, 8.0, True),
        (0.5, 2, 0.5, 7.9, False),
        (0.5, 1, 0.5, 4.0, True),
        (0.3, 3, 0.95, 4.0, True),
        (0.3, 4, 0.95, 4.0, False),
        (0.3, 0, 0.95, 4.0, True),
        (0.3, 12, 0.95, 6.0, False),
    ],
)
def test_lag_and_discount_move_the_threshold(p, L, discount, F, complies):
    compliance = br_final_compliance(
        1.0, p_detect=p, verification_lag=L, discount=discount, penalty=F
    )
    assert compliance[-1] == (1.0 if complies else 0.0)
    assert (p * discount**L * F >= 1.0 - 1e-12) == complies


def batch_means_se(series: np.ndarray, n_batches: int = 20) -> float:
    """Standard error of the mean of an autocorrelated series by batch means."""
    batches = np.array_split(series, n_batches)
    means = np.array([b.mean() for b in batches])
    return float(means.std(ddof=1) / np.sqrt(n_batches))


@pytest.mark.parametrize("p", [0.2, 0.25, 0.3])
def test_logit_matches_closed_form_without_race_pressure(p):
    params = {**EXACT, "n_nations": 200, "beta": 10.0, "p_detect": p, "penalty": 4.0, "steps": 400}
    eng = Engine.from_params(params, rng=12)
    eng.run()
    share = eng.timeseries()["compliance"][1:]
    expected = theory.logit_compliance_closed_form(resolve(params))
    assert expected == pytest.approx(1 / (1 + np.exp(-10 * (p * 4 - 1))))
    # independent draws each step: SE = sqrt(pi (1 - pi) / (N T))
    se = np.sqrt(expected * (1 - expected) / (200 * 400))
    assert abs(share.mean() - expected) < 4 * se, (share.mean(), expected, se)


@pytest.mark.parametrize("p", [0.33, 0.36, 0.45])
def test_logit_with_race_pressure_matches_stable_mean_field_point(p):
    params = {
        **EXACT,
        "n_nations": 1000,
        "beta": 10.0,
        "race_pressure": 0.5,
        "p_detect": p,
        "penalty": 4.0,
        "steps": 300,
    }
    points = [fp for fp in theory.fixed_points(resolve(params)) if fp.stable]
    assert len(points) == 1
    eng = Engine.from_params(params, rng=13)
    eng.run()
    share = eng.timeseries()["compliance"][51:]  # after a burn-in
    se = batch_means_se(share)
    # finite-N bias of the mean field is O(1/N); allow it on top of 4 standard errors
    assert abs(share.mean() - points[0].compliance) < 4 * se + 2e-3, (share.mean(), points)


@pytest.mark.slow
def test_hysteresis_inside_the_logit_band_and_not_outside():
    base = {
        **EXACT,
        "n_nations": 1000,
        "beta": 10.0,
        "race_pressure": 0.5,
        "penalty": 4.0,
        "steps": 500,
    }
    band = theory.bistable_band(resolve(base))
    assert not band.empty and 10.0 * 1.0 * 0.5 > 4
    inside = (band.low + band.high) / 2
    low, _, high = theory.fixed_points(resolve({**base, "p_detect": inside}))
    finals = {}
    for p in (inside, 0.45):
        for start in (1.0, 0.0):
            eng = Engine.from_params({**base, "p_detect": p, "initial_compliance": start}, rng=31)
            eng.run()
            finals[p, start] = eng.timeseries()["compliance"][-100:].mean()
    # inside the band: a pause that holds keeps holding, one that broke stays broken
    assert finals[inside, 1.0] == pytest.approx(low.compliance, abs=0.03)
    assert finals[inside, 0.0] == pytest.approx(high.compliance, abs=0.03)
    assert finals[inside, 1.0] - finals[inside, 0.0] > 0.5
    # outside it, both starts end in the same state
    assert finals[0.45, 1.0] == pytest.approx(finals[0.45, 0.0], abs=0.02)
    assert finals[0.45, 1.0] > 0.95


def test_best_response_band_is_bistable():
    base = {
        **EXACT,
        "decision_rule": "best_response",
        "race_pressure": 0.5,
        "penalty": 4.0,
        "steps": 20,
    }
    # G <= p F < G (1 + lam): 0.25 <= p < 0.375
    for p, both in ((0.3, True), (0.2, False), (0.4, False)):
        ends = []
        for start in (1.0, 0.0):
            eng = Engine.from_params({**base, "p_detect": p, "initial_compliance": start}, rng=1)
            eng.run()
            ends.append(eng.timeseries()["compliance"][-1])
        assert (ends == [1.0, 0.0]) == both, (p, ends)


@settings(max_examples=25, deadline=None)
@given(
    p1=st.floats(0.0, 1.0),
    dp=st.floats(0.0, 0.5),
    penalty=st.floats(0.0, 10.0),
    d_penalty=st.floats(0.0, 5.0),
    lam=st.floats(0.0, 2.0),
    pd=st.floats(0.0, 1.0),
    revision=st.sampled_from([1.0, 0.5]),
    seed=st.integers(0, 2**31),
    network=st.sampled_from(["none", "blocs", "erdos_renyi"]),
)
def test_more_detection_or_penalty_never_lowers_best_response_compliance(
    p1, dp, penalty, d_penalty, lam, pd, revision, seed, network
):
    # monotone as long as p >= q (else a larger penalty also punishes compliers more)
    base = dict(
        decision_rule="best_response",
        n_nations=6,
        n_labs=12,
        steps=15,
        race_pressure=lam,
        p_domestic=pd,
        p_false_alarm=0.0,
        revision_rate=revision,
        alliance_network=network,
        initial_compliance=0.5,
    )
    p2 = min(1.0, p1 + dp)
    weak = Engine.from_params(base, rng=seed, p_detect=p1, penalty=penalty)
    strong = Engine.from_params(base, rng=seed, p_detect=p2, penalty=penalty + d_penalty)
    weak.run()
    strong.run()
    w = weak.timeseries()["weighted_compliance"]
    s = strong.timeseries()["weighted_compliance"]
    assert np.all(s >= w - 1e-12)
    assert np.all((0 <= w) & (w <= 1))


def test_mesa_front_equals_engine_and_mesa_idioms_work():
    from agents.actors import Lab, Nation

    params = dict(p_detect=0.34, revision_rate=0.7, information="detected", steps=40)
    model = PauseModel(rng=17, **params)
    for _ in range(40):
        model.step()
    eng = Engine.from_params(params, rng=17)
    eng.run()
    for key, col in eng.timeseries().items():
        np.testing.assert_array_equal(col, model.engine.timeseries()[key], err_msg=key)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 41
    np.testing.assert_allclose(
        frame["weighted_compliance"], eng.timeseries()["weighted_compliance"]
    )
    assert len(model.agents) == 60
    assert len(model.agents_by_type[Nation]) == 12 and len(model.agents_by_type[Lab]) == 48
    assert model.agents.agg("capability", sum) == pytest.approx(1.0)
    defecting = model.agents.select(lambda a: a.defecting).agg("capability", sum)
    assert defecting == pytest.approx(1 - eng.timeseries()["weighted_compliance"][-1])
    groups = model.agents.groupby("kind")
    assert sorted(groups.groups) == ["lab", "nation"]
    agent_frame = model.datacollector.get_agent_vars_dataframe()
    assert set(agent_frame.columns) == {"action", "capability", "belief", "payoff"}
    nation = model.nations[0]
    assert all(lab.nation is nation for lab in nation.labs)
    assert nation in model.network[0].agents


def test_seed_and_rng_together_is_an_error():
    from model.errors import ParameterError

    with pytest.raises(ParameterError, match="not both"):
        PauseModel(rng=1, seed=2)
    assert PauseModel(seed=5).engine.seed == 5
