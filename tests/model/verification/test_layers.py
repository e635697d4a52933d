"""Verification layers (#31): the combination's formulas, the engine with layers, the params."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.engine import Engine
from model.errors import ParameterError
from model.params import resolve
from model.params.table import ledger_params, schema
from model.verification.layers import LAYER_KEYS, WATCHES, get_layer, layer_value_error, layers
from model.verification.layers.combine import (
    Channel,
    combine,
    detection,
    detection_lags,
    effective,
    false_alarm,
    median_lag,
    member_costs,
    unit_cost,
)
from model.verification.sources import registry
from tests.model.verification.shared import TEXT, use_registry

prob = st.floats(0.0, 1.0, allow_nan=False)
channel = st.builds(
    Channel,
    name=st.sampled_from("abcdefgh"),
    p=prob,
    q=prob,
    lag=st.integers(0, 6),
    declared=st.booleans(),
    undeclared=st.booleans(),
    cost_capability=st.floats(0.0, 1.0),
    cost_fixed=st.floats(0.0, 1.0),
)


def formula(ps: list[float], rho: float) -> float:
    """The issue's combination written out: common mode with rho, else independent channels."""
    if not ps:
        return 0.0
    return rho * max(ps) + (1 - rho) * (1 - math.prod(1 - p for p in ps))


@settings(max_examples=300, deadline=None)
@given(st.lists(channel, max_size=7), prob, prob)
def test_combined_detection_and_false_alarms_are_the_formula(chs, rho, u):
    declared = [c.p for c in chs if c.declared]
    undeclared = [c.p for c in chs if c.undeclared]
    want = (1 - u) * formula(declared, rho) + u * formula(undeclared, rho)
    assert detection(chs, rho, u) == pytest.approx(want, abs=1e-12)
    assert false_alarm(chs, rho) == pytest.approx(formula([c.q for c in chs], rho), abs=1e-12)
    # independent layers: a violation escapes only if every layer watching it misses
    indep = 1 - math.prod(1 - c.p for c in chs if c.declared)
    assert detection(chs, 0.0, 0.0) == pytest.approx(indep, abs=1e-12)
    # the set catches at least what its strongest layer catches, at most independent layers
    if declared:
        assert max(declared) - 1e-12 <= combine(declared, rho) <= formula(declared, 0.0) + 1e-12
    # the lags partition [0, P): their masses sum to P
    assert sum(detection_lags(chs, rho, u).values()) == pytest.approx(want, abs=1e-12)
    effect = effective(chs, rho, u)
    assert effect["coverage"] * effect["p_detect"] == pytest.approx(want, abs=1e-12)
    assert effect["verification_lag"] in {c.lag for c in chs} | ({0} if not chs else set())


@given(prob, prob, st.integers(0, 6), prob)
def test_one_layer_is_its_own_numbers_exactly(p, q, lag, rho):
    one = [Channel("a", p, q, lag, True, False)]
    assert combine([p], rho) == p and false_alarm(one, rho) == q
    assert median_lag(one, rho, 0.3) == lag
    assert effective(one, rho, 0.25) == {
        "p_detect": p,
        "p_false_alarm": q,
        "verification_lag": lag,
        "coverage": 0.75,
    }


@given(st.lists(channel, min_size=1, max_size=7), prob, prob)
def test_undeclared_compute_escapes_the_layers_that_do_not_watch_it(chs, rho, p_new):
    declared_only = [Channel(c.name, c.p, c.q, c.lag, True, False) for c in chs]
    assert detection(declared_only, rho, 1.0) == 0.0
    # a declared-only layer's rate changes nothing for violations in undeclared compute
    changed = [Channel("z", p_new, 0.0, 0, True, False), *chs]
    assert detection(changed, rho, 1.0) == detection(chs, rho, 1.0)


def test_the_median_lag_follows_the_partition_by_lag():
    fast = Channel("fast", 0.3, 0.0, 0, True, False)
    slow = Channel("slow", 0.9, 0.0, 4, True, False)
    # independent: 0.3 at lag 0, 0.9 * 0.7 = 0.63 at lag 4
    assert detection_lags([slow, fast], 0.0, 0.0) == pytest.approx({0: 0.3, 4: 0.63})
    assert median_lag([slow, fast], 0.0, 0.0) == 4
    assert median_lag([Channel("fast", 0.6, 0.0, 0, True, False), slow], 0.0, 0.0) == 0
    # common mode: one shared draw, so the fast layer is first on [0, 0.3), the slow on [0.3, 0.9)
    assert detection_lags([slow, fast], 1.0, 0.0) == pytest.approx({0: 0.3, 4: 0.6})


def test_costs_add_and_follow_what_each_layer_watches():
    a = Channel("a", 0.5, 0.0, 0, True, False, cost_capability=0.1, cost_fixed=2.0)
    b = Channel("b", 0.5, 0.0, 0, False, True, cost_capability=1.0, cost_fixed=1.0)
    assert unit_cost([a, b], 0.2) == pytest.approx(0.1 * 0.8 + 1.0 * 0.2)
    c, member = np.array([1.0, 2.0, 4.0]), np.array([True, True, False])
    got = member_costs([a, b], 0.2, c, member)
    per_unit = 0.1 * 0.8 + 0.2 + 3.0 / 3.0
    np.testing.assert_allclose(got, [per_unit, 2 * per_unit, 0.0])
    assert got.sum() == pytest.approx(member_costs([a], 0.2, c, member).sum() + 1.0 * 0.2 * 3 + 1)


#: The layers' values a source bears on (#31): (label, first source); every other is speculative.
SOURCED = {
    ("onsite_inspection", "p_detect"): ("analogy", "iaea_glossary"),
    ("onsite_inspection", "p_false_alarm"): ("estimate", "iaea_glossary"),
    ("onsite_inspection", "verification_lag"): ("analogy", "iaea_glossary"),
    ("recomputation_audit", "p_detect"): ("analogy", "ong_2025"),
    ("recomputation_audit", "p_false_alarm"): ("analogy", "ong_2025"),
    ("whistleblower", "p_detect"): ("analogy", "dyck_2023"),
}


def test_every_shipped_layer_has_its_numbers_in_the_registry():
    assert len(layers()) >= 7
    for name, layer in layers().items():
        assert layer.watches in WATCHES
        entries = registry().layers[name]
        assert set(entries) == set(LAYER_KEYS), name
        for key, e in entries.items():
            assert layer_value_error(key, e.value) == "", (name, key)
            assert e.inside, (name, key)
            label, first = SOURCED.get((name, key), ("speculative", "layer_model"))
            assert e.confidence == label and e.sources[0].key == first, (name, key)
            if label == "speculative":
                assert e.paraphrase, (name, key)
            # a quote given as the source's own words says on which text it was checked
            assert e.paraphrase or "checked on a stored" in e.quote_where, (name, key)
    assert get_layer("chip_tracking").declared and not get_layer("chip_tracking").undeclared
    assert get_layer("whistleblower").undeclared


def test_the_sourced_layer_values_are_their_analogies():
    reg = registry()
    # on-site inspection takes the IAEA goals as the onsite_inspections regime does
    for key in ("p_detect", "verification_lag"):
        layer, regime = reg.layers["onsite_inspection"][key], reg.entry("onsite_inspections", key)
        assert (layer.value, layer.range, layer.quote) == (regime.value, regime.range, regime.quote)
    # its false alarms lie between 5% a year read per month and 5% a month
    q = reg.layers["onsite_inspection"]["p_false_alarm"]
    assert 1 - 0.95 ** (1 / 12) < q.value < 0.05 and q.low == pytest.approx(0.004)
    # recomputation audits: the tests' 100% less a margin, zero false positives plus an allowance
    audit = reg.layers["recomputation_audit"]
    assert 0.95 <= audit["p_detect"].value < 1.0 == audit["p_detect"].high
    assert "100% accuracy" in audit["p_detect"].quote
    fa = audit["p_false_alarm"]
    assert fa.low == 0.0 and "no false positives" in fa.quote
    # whistleblowers: a third of frauds detected over 12 to 24 months, as a monthly hazard
    w = reg.layers["whistleblower"]["p_detect"]
    low, high = (1 - (1 - 1 / 3) ** (1 / d) for d in (24, 12))
    assert low <= w.value <= high and w.range == reg.entry("self_reporting", "p_detect").range
    # the cost ratio of timely to inventory inspections is cited beside the on-site cost
    cost = reg.layers["onsite_inspection"]["cost_capability"]
    assert "bragin_1998" in [s.key for s in cost.sources] and "two-and-a-half" in cost.note


ONE_LAYER = {"layers": "onsite_inspection", "undeclared_share": 0.25}


def _series(params: dict[str, object], seed: int = 5) -> dict[str, np.ndarray]:
    eng = Engine.from_params(params, seed)
    eng.run()
    out = {k: np.asarray(v) for k, v in eng.timeseries().items()}
    out["payoff"] = eng.payoff.copy()
    return out


def _costless(tmp_path, monkeypatch, layer: str) -> None:
    """Point the registry at a copy where ``layer`` costs nothing (its costs 0, kept outside)."""
    text = TEXT
    for key in ("cost_capability", "cost_fixed"):
        head = f"[layers.{layer}.{key}]\n"
        start = text.index(head) + len(head)
        end = text.index("\n", start)
        assert text[start:end].startswith("value = "), key
        text = text[:start] + 'value = 0.0\noutside = "a test without costs"' + text[end:]
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    use_registry(monkeypatch, path)


def _today(u: float = 0.25) -> dict[str, object]:
    v = get_layer("onsite_inspection").values
    return {
        "p_detect": v["p_detect"],
        "p_false_alarm": v["p_false_alarm"],
        "verification_lag": v["verification_lag"],
        "coverage": 1.0 - u,
    }


def test_one_layer_equals_todays_regime_draw_for_draw(tmp_path, monkeypatch):
    # a layer that costs nothing is today's regime, every number of the run (#31)
    _costless(tmp_path, monkeypatch, "onsite_inspection")
    today = _today()
    for extra in ({}, {"penalty": 1.0, "information": "detected"}):
        got, want = _series({**ONE_LAYER, **extra}), _series({**today, **extra})
        assert want["detections_international"].sum() > 0  # the catch is exercised
        assert set(got) == set(want)
        for key in want:
            assert np.array_equal(got[key], want[key], equal_nan=True), key
    # and the layer's numbers matter: another undeclared share is another run
    other = _series({**ONE_LAYER, "undeclared_share": 0.5})
    assert not np.array_equal(other["detections_international"], want["detections_international"])


def test_a_layers_costs_are_charged_to_the_members_and_change_no_draw():
    # the shipped on-site layer costs 0.03 a month per unit of declared capability watched
    # (1 - u = 0.75 of it) and 0.1 a month fixed; the world's capability is 1 and every
    # nation a member, so the members pay 0.03 * 0.75 * 1 + 0.1 = 0.1225 a month
    v = get_layer("onsite_inspection").values
    assert (v["cost_capability"], v["cost_fixed"]) == (0.03, 0.1)
    for extra in ({}, {"penalty": 1.0, "information": "detected"}):
        got, want = _series({**ONE_LAYER, **extra}), _series({**_today(), **extra})
        spend = got.pop("verification_spend")
        assert spend[0] == 0.0 and np.allclose(spend[1:], 0.1225, rtol=0, atol=1e-12)
        assert set(got) == set(want)
        for key in set(want) - {"payoff", "total_payoff", "mean_payoff"}:
            assert np.array_equal(got[key], want[key], equal_nan=True), key
        np.testing.assert_allclose(got["total_payoff"], want["total_payoff"] - spend, atol=1e-9)
        # each actor pays 0.1225 per unit of its capability in the last month
        eng = Engine.from_params({**ONE_LAYER, **extra}, 5)
        eng.run()
        np.testing.assert_allclose(
            got["payoff"], want["payoff"] - 0.1225 * eng.world.capability, atol=1e-12
        )
    assert "verification_spend" not in want  # without layers, no such column


def test_the_layers_costs_enter_the_membership_payoff_and_the_coalition_theory():
    from model.treaty import coalition_theory

    base = {"n_nations": 6, "n_labs": 0, "entry_threshold": 0.3, "membership": "negotiated"}
    plain = coalition_theory(resolve({**base, **_today()}))
    layered = coalition_theory(resolve({**base, **ONE_LAYER}))
    for k in range(1, 7):  # a member pays 0.03 * 0.75 + 0.1 / (k / 6) per unit of capability
        if k / 6 >= 0.3:
            want = plain.member_payoff[k] - (0.03 * 0.75 + 0.1 * 6 / k)
            assert layered.member_payoff[k] == pytest.approx(want, abs=1e-12), k
        else:  # not binding: nobody pays
            assert layered.member_payoff[k] == plain.member_payoff[k], k
    np.testing.assert_array_equal(layered.outsider_payoff, plain.outsider_payoff)


def test_a_violation_in_undeclared_compute_escapes_a_declared_only_layer_in_the_engine():
    hidden = _series({"layers": "onsite_inspection", "undeclared_share": 1.0})
    assert hidden["detections_international"].sum() == 0
    assert hidden["compliance"].mean() < 0.5  # violations happen, and go unseen
    seen = _series({"layers": "whistleblower", "undeclared_share": 1.0})
    assert seen["detections_international"].sum() > 0


def test_layers_unset_leave_every_parameter_as_it_was():
    assert resolve().to_dict() == resolve(layers="none").to_dict()
    assert resolve(verification="national_means").p_detect == 0.35  # regimes by name
    p = resolve(layers="chip_tracking,whistleblower", layer_correlation=0.5)
    assert "layers" not in ledger_params(resolve().to_dict())
    assert ledger_params(p.to_dict())["layers"] == "chip_tracking,whistleblower"
    assert resolve(p.to_dict()).to_dict() == p.to_dict()  # a replay of the recorded values


@pytest.mark.parametrize(
    ("given_values", "words"),
    [
        ({"layers": "satellites"}, ["layers='satellites'", "chip_tracking"]),
        ({"layers": "whistleblower,whistleblower"}, ["twice"]),
        ({"layers": 3}, ["wrong type"]),
        ({"layer_correlation": 1.5}, ["layer_correlation=1.5", "[0, 1]"]),
        ({"layer_correlation": -0.1}, ["layer_correlation=-0.1"]),
        ({"undeclared_share": 2.0}, ["undeclared_share=2.0"]),
        (
            {"layers": "chip_tracking", "verification": "national_means"},
            ["verification='national_means'", "'custom'"],
        ),
        (
            {"layers": "chip_tracking", "verification_cost": 0.5},
            ["verification_cost=0.5", "0 when"],
        ),
    ],
)
def test_bad_layer_settings_are_refused_naming_what_is_allowed(given_values, words):
    with pytest.raises(ParameterError) as info:
        resolve(given_values)
    for word in words:
        assert word in str(info.value)


def test_a_value_set_explicitly_wins_over_the_layers_as_over_a_regime():
    p = resolve(layers="chip_tracking", p_detect=0.2)
    assert (
        p.p_detect == 0.2 and p.p_false_alarm == get_layer("chip_tracking").values["p_false_alarm"]
    )
    # a negotiated run (its agreed terms replace p_detect) runs with layers; their costs are
    # beyond the theory's core treaty, so the terms are valued by simulation
    world = {"risk_cost": 3.0, "n_nations": 6, "n_labs": 6}
    eng = Engine.from_params(
        {"layers": "chip_tracking", "protocol": "nash", "steps": 6, **world}, 3
    )
    assert eng.agreement is not None and eng.agreement.source == "simulation"
    eng.run()
    assert eng.params["layers"] == "chip_tracking"
    assert eng.params["p_detect"] != eng.given_params["p_detect"]  # the adopted terms


def test_layer_names_are_a_set_in_the_registrys_order():
    assert resolve(layers=["whistleblower", "chip_tracking"]).layers == (
        "chip_tracking,whistleblower"
    )
    assert resolve(layers=" whistleblower , chip_tracking ").layers == (
        "chip_tracking,whistleblower"
    )
    assert resolve(layers="").layers == "none" and resolve(layers=[]).layers == "none"
    assert schema()["layers"].choices == ("none", *layers())


def test_a_run_with_layers_reruns_from_its_event_log_to_the_same_head():
    from model.params.table import params_from_ledger

    given = {"layers": "whistleblower,chip_tracking", "layer_correlation": 0.5, "steps": 12}
    eng = Engine.from_params(given, rng=3, event_log=True)
    eng.run()
    head = eng.close_log()
    recorded = eng.log.records[0]["params"]
    assert recorded["layers"] == "chip_tracking,whistleblower"
    assert recorded["p_detect"] == resolve(given).p_detect  # the layers' numbers are recorded
    again = Engine.from_params(params_from_ledger(recorded), rng=3, event_log=True)
    again.run()
    assert again.close_log() == head
    plain = Engine.from_params({"steps": 12}, rng=3, event_log=True)
    plain.run()
    assert plain.close_log() != head


def test_a_changed_layer_number_is_seen_by_runs_and_by_a_sweeps_resume(tmp_path, monkeypatch):
    from model.verification import sources
    from tests.model.verification.shared import edited, use_registry

    recorded = sources.provenance()
    assert recorded["layers"]["chip_tracking"]["p_detect"] == 0.6
    key = "[layers.chip_tracking.p_detect]\n"
    path = edited(tmp_path, key + "value = 0.6\n", key + "value = 0.7\n")
    use_registry(monkeypatch, path)
    assert resolve(layers="chip_tracking").p_detect == 0.7
    assert sources.changes_since(recorded) == [
        f"verification registry {path}: layers.chip_tracking.p_detect 0.6 -> 0.7"
    ]
    # a manifest written before the layers existed compares its regimes only
    before_layers = {k: v for k, v in recorded.items() if k != "layers"}
    assert sources.changes_since(before_layers) == []


def test_a_members_gain_in_the_negotiation_with_layers_matches_coalition_theory():
    # the engine's membership payoff charges the layers' costs as the theory does
    from model.treaty import coalition_theory
    from tests.model.test_treaty import IDENTICAL

    world = {k: v for k, v in IDENTICAL.items() if k not in _today()}
    params = {
        **world,
        **ONE_LAYER,
        "membership": "negotiated",
        "outsider_penalty": 5.0,
        "steps": 2,
    }
    eng = Engine.from_params(params, rng=1)
    eng.step()
    assert eng.member.all()
    th = coalition_theory(resolve(params))
    want = th.member_payoff[10] - th.outsider_payoff[9]
    np.testing.assert_allclose(eng.membership_gain * 10, want, rtol=1e-12)
    # the costs matter: without them the gain is larger by the member's per-unit cost
    plain = coalition_theory(resolve({**params, "layers": "none", **_today()}))
    cost = 0.03 * 0.75 + 0.1 / 1.0
    assert want == pytest.approx(plain.member_payoff[10] - plain.outsider_payoff[9] - cost)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(channel, min_size=1, max_size=5),
    prob,
    st.lists(st.floats(0.01, 5.0), min_size=2, max_size=6),
    st.data(),
)
def test_a_members_charge_is_its_capability_times_the_per_unit_cost(chs, u, caps, data):
    from model.verification.layers.combine import LayerCosts

    c = np.array(caps)
    member = np.array(data.draw(st.lists(st.booleans(), min_size=len(c), max_size=len(c))))
    costs = LayerCosts(chs, u)
    charged = costs.charge(c, member)
    held = float(c[member].sum())
    np.testing.assert_allclose(charged, np.where(member, c * costs.per_unit(held), 0.0))
    assert costs.spent == pytest.approx(float(charged.sum()))
    # the members pay the layers' capability costs on what they hold, and every fixed cost once
    if member.any():
        want = unit_cost(chs, u) * held + sum(ch.cost_fixed for ch in chs)
        assert costs.spent == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_the_layers_are_paid_for_only_in_months_the_treaty_binds():
    # the pause starts at month 5: nobody is bound, and nobody pays, before it
    got = _series({**ONE_LAYER, "trigger": "date", "trigger_step": 5, "steps": 10})
    spend = got["verification_spend"]
    assert spend[:5].tolist() == [0.0] * 5
    np.testing.assert_allclose(spend[5:], 0.1225, rtol=0, atol=1e-12)
