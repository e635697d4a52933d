"""The batched engine path (model/batched.py) equals the single-run path, bit for bit.

Every record, the summary, every final array, the last period's outputs and the generator's
state are compared with ``numpy.array_equal`` (NaN equal to NaN); then both engines take one
more ordinary step, which must agree too (the batched engine is left in the exact state).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.scenarios import load_scenario
from model.batched import BATCHED_RULES, advance, run_all, unbatchable
from model.engine import Engine

STATE = ("defect", "belief", "payoff", "_ring", "caught_last", "flagged_last")


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def assert_identical(alone: Engine, batched: Engine) -> None:
    """Records, summary, state, last period and generator of two engines are identical."""
    assert alone.t == batched.t
    for name in ("rows", "bloc_paid", "belief_error", "blocked", "treaty"):
        assert _same(getattr(alone.records, name), getattr(batched.records, name)), name
    sa, sb = alone.summary().to_dict(), batched.summary().to_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        va, vb = sa[key], sb[key]
        if isinstance(va, float) and np.isnan(va):
            assert isinstance(vb, float) and np.isnan(vb), key
        else:
            assert va == vb, key
    for name in STATE:
        assert _same(getattr(alone, name), getattr(batched, name)), name
    assert _same(alone.inspectorate.flagged_ever, batched.inspectorate.flagged_ever)
    assert alone.takeoff_step == batched.takeoff_step
    for key, value in alone.last.items():
        assert _same(value, batched.last[key]), key
    assert alone.rng.bit_generator.state == batched.rng.bit_generator.state
    ta, tb = alone.timeseries(), batched.timeseries()
    for key in ta:
        assert _same(ta[key], tb[key]), key


def pair(params: dict[str, Any], seed: int, scenario: Any = None) -> tuple[Engine, Engine]:
    return (
        Engine.from_params(params, seed, scenario=scenario),
        Engine.from_params(params, seed, scenario=scenario),
    )


def check(
    params: dict[str, Any],
    seeds: tuple[int, ...] = (1, 2, 3),
    steps: int = 60,
    scenario: Any = None,
) -> None:
    """Runs alone and batched together (one call for all seeds): identical, and one step on."""
    pairs = [pair(params, s, scenario) for s in seeds]
    for alone, _ in pairs:
        alone.run(steps)
    advance([b for _, b in pairs], steps)
    for alone, batched in pairs:
        assert_identical(alone, batched)
        alone.step()
        batched.step()
        assert_identical(alone, batched)


STANDARD_MAP = {
    "n_nations": 30,
    "n_labs": 100,
    "alliance_network": "barabasi_albert",
    "decision_rule": "logit",
}


@pytest.mark.parametrize(
    "p_detect,penalty", [(0.0, 0.0), (0.3, 4.0), (0.5, 10.0), (0.9, 20.0), (1.0, 12.0)]
)
def test_standard_map_points(p_detect: float, penalty: float) -> None:
    check({**STANDARD_MAP, "p_detect": p_detect, "penalty": penalty}, steps=200)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"information": "detected"},
        {"information": "detected", "p_false_alarm": 0.1, "p_detect": 0.05},
        {"revision_rate": 0.3},
        {"revision_rate": "one"},
        {"verification_lag": 4, "discount": 0.9},
        {"decision_rule": "best_response", "p_detect": 0.6, "penalty": 3.0},
        {"adjudication": "independent_body"},
        {"inspectorate": "per_bloc", "alliance_network": "blocs"},
        {"coverage": 0.5, "p_domestic": 0.6, "race_pressure": 2.0},
        {"initial_compliance": 0.4, "risk_internalization": 0.7, "beta": 1.0},
        {"verification": "onsite_inspections"},
        {"n_nations": 3, "n_labs": 0},
    ],
)
def test_mechanisms(extra: dict[str, Any]) -> None:
    check({"p_detect": 0.7, "penalty": 8.0, **extra})


def shipped(name: str) -> Any:
    return load_scenario(name)[0]


@pytest.mark.parametrize(
    "name",
    [
        "default",
        "unilateral_pause",
        "open_letter_2023",
        "verified_pause",
        "false_alarms",
        "slow_verification",
        "bipolar_blocs",
        "defection_cascade",
        "trust_but_verify",
        "great_power_veto",
        "critical_mass_club",
        "rsi_takeoff",
    ],
)
def test_shipped_scenarios(name: str) -> None:
    sc = shipped(name)
    probe = Engine.from_params({}, 1, scenario=sc)
    if unbatchable(probe) is not None:
        # it takes the single-run path; run_all does that and says why
        pairs = [pair({}, s, sc) for s in (1, 2)]
        summaries, fallbacks = run_all([b for _, b in pairs], 40)
        assert sum(fallbacks.values()) == 2
        for (alone, batched), summary in zip(pairs, summaries, strict=True):
            alone.run(40)
            assert_identical(alone, batched)
            assert summary.to_dict().keys() == alone.summary().to_dict().keys()
            assert summary.steps == alone.summary().steps == 40
        with pytest.raises(ValueError, match="cannot take the batched path: it uses"):
            advance([Engine.from_params({}, 1, scenario=sc)], 5)
        return
    check({}, seeds=(1, 2), steps=80, scenario=sc)


def test_mixed_shapes_in_one_call() -> None:
    """Engines of different sizes and lags in one call are grouped and each is exact."""
    configs = [
        {"verification_lag": 0},
        {"verification_lag": 3},
        {"n_nations": 5, "n_labs": 7},
        {"verification_lag": 3, "p_detect": 0.2},
        {"n_nations": 5, "n_labs": 7},
    ]
    pairs = [pair(c, 10 + i) for i, c in enumerate(configs)]
    for alone, _ in pairs:
        alone.run(50)
    advance([b for _, b in pairs], 50)
    for alone, batched in pairs:
        assert_identical(alone, batched)


def test_each_periods_payoffs_are_handed_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """``payoffs`` receives each period's ``Engine.payoff``, across groups and blocks."""
    import model.batched as batched_module

    monkeypatch.setattr(batched_module, "BLOCK_BYTES", 3 * 60 * 8 * 3 * 4)  # blocks of 4
    configs = [{"verification_lag": 2}, {"n_nations": 5, "n_labs": 7}, {"information": "detected"}]
    pairs = [pair(c, 30 + i) for i, c in enumerate(configs)]
    expected = []
    for alone, _ in pairs:
        paid = []
        for _ in range(11):
            alone.step()
            paid.append(alone.payoff.copy())
        expected.append(np.array(paid))
    out = [np.full((11, b.n_actors), np.nan) for _, b in pairs]
    advance([b for _, b in pairs], 11, payoffs=out)
    for (alone, batched), got, want in zip(pairs, out, expected, strict=True):
        assert np.array_equal(got, want)
        assert_identical(alone, batched)
    with pytest.raises(ValueError, match="one \\(steps=3, actors\\) array per engine"):
        advance([pairs[0][1]], 3, payoffs=[np.zeros((2, pairs[0][1].n_actors))])


def test_blocks_and_continuation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uniforms drawn a few periods at a time, and a batch resumed later, change nothing."""
    import model.batched as batched_module

    monkeypatch.setattr(batched_module, "BLOCK_BYTES", 3 * 130 * 8 * 3 * 7)
    alone, batched = pair({**STANDARD_MAP, "p_detect": 0.6, "penalty": 9.0}, 4)
    alone.run(30)
    for _ in range(3):
        alone.step()
    advance([batched], 30)
    advance([batched], 3)
    assert_identical(alone, batched)


def test_unbatchable_names_the_mechanism() -> None:
    cases = {
        "decision_rule": {"decision_rule": "imitation"},
        "membership": {"membership": "negotiated"},
        "inspection_quota": {"inspection_quota": 5},
        "bayesian": {"information": "bayesian"},
        "rsi": {"rsi": "on"},
        "hazard": {"hazard_scale": 0.5},
        "vote": {"adjudication": "members_vote"},
        "ledger": {"verification": "hardware_ledger"},
    }
    for word, params in cases.items():
        why = unbatchable(Engine.from_params(params, 1))
        assert why is not None and word.split("_")[0] in why, (word, why)
    assert unbatchable(Engine.from_params({}, 1)) is None
    assert set(BATCHED_RULES) == {"logit", "best_response"}


def test_engines_at_different_steps_are_refused() -> None:
    a, b = Engine.from_params({}, 1), Engine.from_params({}, 2)
    a.step()
    with pytest.raises(ValueError, match="same step"):
        advance([a, b], 3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    p_detect=st.floats(0, 1),
    penalty=st.floats(0, 20),
    lag=st.integers(0, 5),
    q=st.floats(0, 0.2),
    info=st.sampled_from(["perfect", "detected"]),
    rule=st.sampled_from(sorted(BATCHED_RULES)),
    rate=st.sampled_from([1.0, 0.5, "one"]),
    init=st.floats(0, 1),
    seed=st.integers(0, 2**31),
)
def test_random_parameters(
    p_detect: float,
    penalty: float,
    lag: int,
    q: float,
    info: str,
    rule: str,
    rate: Any,
    init: float,
    seed: int,
) -> None:
    check(
        {
            "p_detect": p_detect,
            "penalty": penalty,
            "verification_lag": lag,
            "p_false_alarm": q,
            "information": info,
            "decision_rule": rule,
            "revision_rate": rate,
            "initial_compliance": init,
            "n_nations": 6,
            "n_labs": 9,
        },
        seeds=(seed, seed + 1),
        steps=30,
    )


def test_summaries_together_equal_each_alone() -> None:
    """model.batched.summaries stacks runs of one length and size; each summary is exact."""
    from model.batched import summaries

    engines = [
        Engine.from_params({**STANDARD_MAP, "p_detect": p, "penalty": 8.0}, s)
        for p in (0.1, 0.5, 0.9)
        for s in (1, 2)
    ]
    engines += [Engine.from_params({"n_nations": 5, "n_labs": 4, "information": "detected"}, 3)]
    for k, e in enumerate(engines):
        e.run(30 + 10 * (k % 2))
    together = summaries(engines)
    for e, s in zip(engines, together, strict=True):
        a, b = s.to_dict(), e.summary().to_dict()
        assert a.keys() == b.keys()
        for key in a:
            assert _same(a[key], b[key]) if a[key] is not None else b[key] is None, key
