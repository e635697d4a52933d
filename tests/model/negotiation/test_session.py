"""The treaty negotiated in a run (#29): the engine's negotiation before the months."""

from __future__ import annotations

import numpy as np
import pytest

from model.engine import Engine
from model.errors import ConfigError, ParameterError
from model.ledger import replay
from model.negotiation.session import DEFAULT_BOX, negotiation_columns

#: A world where a treaty is worth something to every nation (at the default risk_cost a
#: treaty is worth about nothing: every S_i <= 0).
WORTH = {"risk_cost": 3.0, "steps": 12, "n_nations": 6, "n_labs": 6}


def _engine(seed: int = 1, **params: object) -> Engine:
    return Engine.from_params({**WORTH, **params}, seed)


def test_the_default_protocol_negotiates_nothing() -> None:
    engine = _engine()
    assert engine.agreement is None
    assert engine.params is engine.given_params
    assert "proposer" not in engine.timeseries()


def test_the_adopted_terms_are_in_force_after_the_round() -> None:
    engine = _engine(protocol="rotating_unanimity")
    agreement = engine.agreement
    assert agreement is not None and agreement.terms is not None
    assert agreement.month == 1 and len(agreement.rounds) == 1
    low, high = DEFAULT_BOX["p_detect"]
    assert low <= agreement.terms["p_detect"] <= high
    assert engine.params["p_detect"] == agreement.terms["p_detect"]
    assert engine.params["penalty"] == agreement.terms["penalty"]
    assert engine.given_params["p_detect"] != engine.params["p_detect"]
    # unanimity: every nation voted yes, and each gets at least nothing
    assert agreement.rounds[0].votes.all()
    assert (agreement.surplus >= -1e-12).all()
    engine.run()
    ts = engine.timeseries()
    # month 1 is bargaining: nobody bound; the treaty binds from month 2
    assert ts["pause_active"][1] == 0.0 and ts["members"][1] == 0.0
    assert ts["pause_active"][2] == 1.0 and ts["members"][2] == 6.0
    assert ts["proposer"][1] == 0.0 and ts["yes_votes"][1] == 6.0
    assert ts["agreed"].tolist()[:3] == [0.0, 1.0, 1.0]


def test_transfers_sum_to_zero_and_leave_nobody_below_its_reserve() -> None:
    agreement = _engine(protocol="rotating_unanimity").agreement
    assert agreement is not None
    assert abs(agreement.transfers.sum()) < 1e-12
    assert np.abs(agreement.transfers).max() > 0.0  # nations differ: payments happen
    without = _engine(protocol="rotating_unanimity", max_transfer_share=0.0).agreement
    assert without is not None
    assert np.all(without.transfers == 0.0)


def test_the_runs_own_draws_are_untouched_by_the_negotiation() -> None:
    plain = _engine(seed=7)
    negotiated = _engine(seed=7, protocol="baron_ferejohn", max_transfer_share=0.0)
    assert plain.rng.bit_generator.state == negotiated.rng.bit_generator.state
    assert np.array_equal(plain.world.capability, negotiated.world.capability)


def test_the_same_seed_gives_the_same_negotiation() -> None:
    first = _engine(seed=3, protocol="baron_ferejohn", max_transfer_share=0.0).agreement
    again = _engine(seed=3, protocol="baron_ferejohn", max_transfer_share=0.0).agreement
    assert first is not None and again is not None
    assert first.terms == again.terms
    assert [r.proposer for r in first.rounds] == [r.proposer for r in again.rounds]
    proposers = {
        a.rounds[0].proposer
        for s in range(12)
        if (a := _engine(seed=s, protocol="baron_ferejohn", max_transfer_share=0.0).agreement)
    }
    assert len(proposers) > 1  # recognition is drawn, from the run's seed


def test_negotiated_membership_signs_iff_the_agreement_pays() -> None:
    engine = _engine(
        protocol="baron_ferejohn", max_transfer_share=0.0, membership="negotiated", seed=2
    )
    agreement = engine.agreement
    assert agreement is not None and agreement.terms is not None
    assert np.array_equal(agreement.signatories, agreement.surplus >= -1e-12)
    engine.run()
    assert np.array_equal(engine.treaty.member, agreement.signatories)


def test_without_an_acceptable_point_there_is_no_agreement_and_no_pause() -> None:
    # at the default risk_cost every point with detection costs every nation something
    scenario = {"negotiation": {"p_detect": [0.6, 1.0], "penalty": [10.0, 20.0]}}
    engine = Engine.from_params(
        {"steps": 6, "n_nations": 4, "n_labs": 0, "protocol": "rotating_unanimity"},
        1,
        scenario=scenario,
    )
    agreement = engine.agreement
    assert agreement is not None
    assert agreement.terms is None and agreement.month is None
    assert len(agreement.rounds) == 20  # max_bargaining_rounds, each proposer passing
    assert all(r.terms is None for r in agreement.rounds)
    engine.run()
    assert engine.timeseries()["pause_active"].sum() == 0.0


def test_urgency_lowers_the_discount_per_round() -> None:
    calm = _engine(protocol="rotating_unanimity").agreement
    urgent = _engine(protocol="rotating_unanimity", hazard_scale=0.5).agreement
    slow = _engine(protocol="rotating_unanimity", round_months=3).agreement
    assert calm is not None and urgent is not None and slow is not None
    assert calm.deltas[0] == pytest.approx(0.95)
    assert urgent.deltas[0] < calm.deltas[0]
    assert slow.deltas[0] == pytest.approx(0.95**3)


def test_the_event_log_replays_the_negotiation() -> None:
    engine = Engine.from_params({**WORTH, "protocol": "rotating_unanimity"}, 4, event_log=True)
    engine.run()
    engine.close_log()
    kinds = [r["type"] for r in engine.log.records[:3]]  # type: ignore[union-attr]
    assert kinds == ["run", "proposal", "agreement"]
    assert engine.log.records[0]["params"]["protocol"] == "rotating_unanimity"  # type: ignore[union-attr]
    ours, theirs = engine.timeseries(), replay(engine.log.records)  # type: ignore[union-attr]
    for name in ("proposer", "yes_votes", "agreed", "pause_active"):
        assert np.array_equal(ours[name][1:], theirs[name], equal_nan=True), name


def test_negotiation_columns_mark_rounds_and_the_agreement() -> None:
    cols = negotiation_columns([(1, 2, -1, False), (2, 0, 3, True)], 4)
    assert np.isnan(cols["proposer"][0]) and cols["proposer"][1] == 2.0
    assert np.isnan(cols["yes_votes"][1]) and cols["yes_votes"][2] == 3.0
    assert cols["agreed"].tolist() == [0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("params", "scenario", "words"),
    [
        ({"protocol": "nash", "terms_rule": "unanimity"}, None, "terms_rule"),
        ({"protocol": "alternating_offers", "n_blocs": 3}, None, "two blocs"),
        ({"protocol": "nash", "discount": 1.0}, None, "discount below 1"),
        (
            {"protocol": "nash"},
            {"negotiation": {"n_labs": [1, 10]}},
            "'n_labs' is not a negotiable term",
        ),
    ],
)
def test_what_the_negotiation_cannot_do_is_named(
    params: dict[str, object], scenario: dict[str, object] | None, words: str
) -> None:
    with pytest.raises((ConfigError, ParameterError), match=words):
        Engine.from_params({**WORTH, **params}, 1, scenario=scenario)


def test_baron_ferejohn_with_transfers_mixes_partners_and_agrees() -> None:
    # between unequal nations the cheapest partners keep changing in the pure recursion;
    # the solver's smoothed choice of partners (model/negotiation/_mixing.py) finds the mix
    engine = _engine(protocol="baron_ferejohn", seed=5)
    agreement = engine.agreement
    assert agreement is not None and agreement.terms is not None
    (only,) = agreement.rounds
    assert only.passed and int(only.votes.sum()) >= 4  # a simple majority of 6
    assert abs(agreement.transfers.sum()) < 1e-12
    # the capped payments: nobody pays more than half of its gain from the terms
    gain = agreement.surplus - agreement.transfers
    paying = agreement.transfers < 0
    assert np.all(-agreement.transfers[paying] <= 0.5 * np.maximum(gain[paying], 0) + 1e-9)


def test_only_undominated_points_are_bargained_over() -> None:
    from model.negotiation.session import pareto_points

    values = np.array([[1.0, 0.0], [0.5, 0.5], [0.4, 0.4], [1.0, 0.0], [0.0, 1.0]])
    assert pareto_points(values).tolist() == [0, 1, 4]
    agreement = _engine(protocol="rotating_unanimity").agreement
    assert agreement is not None
    assert agreement.n_points == 256  # the table, before the dominated points are dropped


def test_where_the_theory_does_not_reach_the_worlds_are_simulated() -> None:
    # a term the theory does not value (the trigger's date): the batched-simulation valuation
    # over copies of the run's own world, on a stream of the negotiation's
    scenario = {"negotiation": {"p_detect": [0.3, 1.0], "trigger_step": [1, 12]}}
    params = {**WORTH, "protocol": "rotating_unanimity", "n_worlds": 2, "horizon": 6}
    engine = Engine.from_params(params, 1, scenario=scenario)
    agreement = engine.agreement
    assert agreement is not None and agreement.source == "simulation"
    assert agreement.terms is not None and set(agreement.terms) == {"p_detect", "trigger_step"}
    again = Engine.from_params(params, 1, scenario=scenario).agreement
    assert again is not None and again.terms == agreement.terms
    assert np.array_equal(again.surplus, agreement.surplus)
    theory = _engine(protocol="rotating_unanimity").agreement
    assert theory is not None and theory.source == "theory"


def test_a_simulated_hazard_lowers_the_discount_per_round() -> None:
    # (everyone complies at first: the hazard grows as defectors appear, over 6-month rounds)
    params = {**WORTH, "protocol": "rotating_unanimity", "n_worlds": 2, "horizon": 6}
    params["round_months"] = 6
    calm = Engine.from_params({**params, "decision_rule": "imitation"}, 1).agreement
    urgent = Engine.from_params(
        {**params, "decision_rule": "imitation", "hazard_scale": 0.5}, 1
    ).agreement
    assert calm is not None and urgent is not None
    assert calm.source == urgent.source == "simulation"
    assert calm.deltas[0] == pytest.approx(0.95**6)
    assert urgent.deltas[0] < calm.deltas[0]


def test_theorys_verdict_before_the_treaty_binds_is_on_the_agreed_treaty() -> None:
    from model import theory

    engine = _engine(protocol="rotating_unanimity", seed=3)
    assert engine.agreement is not None and engine.agreement.terms is not None
    assert not engine.treaty.member.any()  # month 0: nobody is a member yet
    agreed = Engine.from_params({**WORTH, **engine.agreement.terms}, 3)  # every nation a member
    before = theory.Verdict.of(engine.params, engine)
    assert before.shield == pytest.approx(theory.Verdict.of(agreed.params, agreed).shield)
    assert before.shield < 1.0  # allies shield each other once they are members
