"""Agreed transfers paid in the months, and the bond of conditional transfers (#29).

``model/transfers.py``: a member nation's programme gets its scheduled transfer in every month
the treaty is in force; under ``transfers_conditional = true`` a receiver whose programme pays
a sanction that month forfeits it, and its advantage counts the expected forfeit.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.engine import Engine
from model.held import Held
from model.ledger import replay
from model.params import resolve
from model.payoffs import Costs, discounted_penalty
from model.transfers import Payments, scheduled

#: A world where a treaty is worth something to every nation, and transfers are agreed.
WORTH = {
    "risk_cost": 3.0,
    "steps": 24,
    "n_nations": 6,
    "n_labs": 6,
    "protocol": "rotating_unanimity",
}


def _engine(seed: int = 1, event_log: bool = False, **params: object) -> Engine:
    return Engine.from_params({**WORTH, **params}, seed, event_log=event_log)


def _stripped(seed: int = 1, **params: object) -> Engine:
    """The same negotiated run with its transfers never paid (the agreement unchanged)."""
    engine = _engine(seed, **params)
    engine.payments = None
    engine.recost()
    return engine


def test_the_schedule_is_the_agreement_when_every_party_to_a_transfer_is_a_member() -> None:
    tau = np.array([-0.3, 0.1, 0.2, 0.0])
    assert scheduled(tau, np.array([True, True, True, False])).tolist() == tau.tolist()
    assert scheduled(tau, np.zeros(4, dtype=bool)).tolist() == [0.0] * 4


def test_without_a_payer_the_receipts_shrink_pro_rata_and_the_schedule_sums_to_zero() -> None:
    tau = np.array([-0.3, -0.1, 0.2, 0.2])
    # nation 0 does not sign: 0.1 is paid, shared by the receivers in proportion
    x = scheduled(tau, np.array([False, True, True, True]))
    assert x.tolist() == pytest.approx([0.0, -0.1, 0.05, 0.05])
    # a receiver does not sign: the payers pay 0.2 of their 0.4, in proportion
    y = scheduled(tau, np.array([True, True, True, False]))
    assert y.tolist() == pytest.approx([-0.15, -0.05, 0.2, 0.0])
    assert abs(x.sum()) < 1e-15 and abs(y.sum()) < 1e-15
    # only payers are members: nobody receives, so nobody pays
    assert scheduled(tau, np.array([True, True, False, False])).tolist() == [0.0] * 4


def test_a_sanctioned_receiver_forfeits_its_receipt_only_when_conditional() -> None:
    tau = np.array([-0.5, 0.2, 0.3])
    member = np.ones(3, dtype=bool)
    paid = np.array([0.0, 1.0, 0.0, 0.0])  # nation 1's programme pays a sanction; a lab is 3
    for conditional, got in ((False, 0.2), (True, 0.0)):
        payments = Payments(tau, conditional)
        payoff = np.zeros(4)
        assert payments.pay(5, member, True, paid, payoff)
        assert payoff.tolist() == [-0.5, got, 0.3, 0.0]
        assert payments.paid == {5: pytest.approx(0.3 + got)}
    # out of force nothing moves
    payments, payoff = Payments(tau, True), np.zeros(4)
    assert not payments.pay(5, member, False, paid, payoff)
    assert payoff.tolist() == [0.0] * 4 and payments.paid == {}


def test_members_are_paid_their_transfer_every_month_in_force_and_the_total_is_unchanged() -> None:
    paid_run, plain = _engine(), _stripped()
    agreement = paid_run.agreement
    assert agreement is not None and agreement.month == 1
    n = paid_run.n_nations
    for t in range(1, 13):
        paid_run.step()
        plain.step()
        # unconditional: the decisions and draws are those of the run without payments
        assert np.array_equal(paid_run.last["advantage"], plain.last["advantage"])
        assert np.array_equal(paid_run.defect, plain.defect)
        expected = agreement.transfers if t >= 2 else np.zeros(n)  # in effect from month 2
        assert paid_run.payoff[:n] - plain.payoff[:n] == pytest.approx(expected, abs=1e-12)
        assert np.array_equal(paid_run.payoff[n:], plain.payoff[n:])  # labs get nothing
    ours, theirs = paid_run.timeseries(), plain.timeseries()
    assert ours["total_payoff"] == pytest.approx(theirs["total_payoff"], abs=1e-12)
    receipts = float(np.maximum(agreement.transfers, 0.0).sum())
    assert ours["transfers_paid"].tolist() == pytest.approx([0.0, 0.0] + [receipts] * 11)


def test_unconditional_transfers_leave_every_advantage_as_without_them() -> None:
    paid_run, plain = _engine(), _stripped()
    paid_run.run()
    plain.run()
    assert (
        paid_run.payments is not None
        and paid_run.payments.bond(paid_run.treaty.member, paid_run.n_actors) is None
    )
    assert np.array_equal(paid_run.costs.base, plain.costs.base)
    assert np.array_equal(paid_run.costs.jump, plain.costs.jump)
    assert np.array_equal(paid_run.last["advantage"], plain.last["advantage"])


def test_a_bond_deters_a_receiver_more_and_leaves_payers_and_labs_as_they_were() -> None:
    bonded, free = _engine(transfers_conditional="true"), _engine()
    for engine in (bonded, free):
        engine.step()
        engine.step()  # month 2: the treaty binds and the transfers are paid
        assert engine.treaty.pause_active and engine.bound.all()
    a_bonded, a_free = bonded.advantage(), free.advantage()
    tau = free.agreement.transfers  # type: ignore[union-attr]
    n = free.n_nations
    receiver = np.flatnonzero(tau > 0.0)
    assert len(receiver) >= 1
    assert np.all(a_bonded[receiver] < a_free[receiver])
    others = np.setdiff1d(np.arange(free.n_actors), receiver)
    assert np.array_equal(a_bonded[others], a_free[others])
    # by the expected forfeit: discount**L g (p_eff - q) tau_i / c_i per unit of capability
    c = free.structure.c
    g = free.inspectorate.inspect_prob
    costs = free.costs
    weight = g * (costs.p_effective - costs.p_false_alarm) / c
    expected = discounted_penalty(free.params, tau[receiver] * weight[receiver])
    assert (a_free - a_bonded)[receiver] == pytest.approx(expected, rel=1e-9)
    assert n == 6


def test_a_receiver_caught_violating_forfeits_its_receipt_in_the_month_its_sanction_lands() -> None:
    probe = _engine()
    tau = probe.agreement.transfers  # type: ignore[union-attr]
    receiver = int(np.argmax(tau))
    # every action held: the receiver violates, everyone else complies, in both runs alike
    held = Held(actions={k: k == receiver for k in range(probe.n_actors)})
    bonded, free = _engine(transfers_conditional="true"), _engine()
    forfeits = 0
    for t in range(1, 13):
        for engine in (bonded, free):
            engine.step(held)
        assert np.array_equal(bonded.last["sanction_paid"], free.last["sanction_paid"])
        lost = t >= 2 and bool(free.last["sanction_paid"][receiver] > 0.0)
        forfeits += lost
        gap = free.payoff - bonded.payoff
        assert gap[receiver] == pytest.approx(tau[receiver] if lost else 0.0, abs=1e-12)
        others = np.arange(free.n_actors) != receiver
        assert np.array_equal(free.payoff[others], bonded.payoff[others])  # payers still pay
        assert bonded.payments is not None
        assert (bonded.payments.last[receiver] == 0.0) == (lost or t < 2)
    assert forfeits >= 5  # caught in most months: the test exercises the forfeit
    lost_total = sum(bonded.payments.forfeited.values())  # type: ignore[union-attr]
    assert lost_total == pytest.approx(forfeits * tau[receiver])
    ts_b, ts_f = bonded.timeseries(), free.timeseries()
    assert ts_f["transfers_paid"].sum() - ts_b["transfers_paid"].sum() == pytest.approx(lost_total)
    # the forfeit is lost: the month's total payoff falls by it
    assert ts_f["total_payoff"].sum() - ts_b["total_payoff"].sum() == pytest.approx(lost_total)


@pytest.mark.parametrize("conditional", ["false", "true"])
def test_the_event_log_replays_the_transfers_paid(conditional: str) -> None:
    engine = _engine(4, event_log=True, transfers_conditional=conditional, p_false_alarm=0.2)
    engine.run()
    engine.close_log()
    assert engine.log is not None
    ours, theirs = engine.timeseries(), replay(engine.log.records)
    for name in ("transfers_paid", "total_payoff", "agreed"):
        assert np.array_equal(ours[name][1:], theirs[name], equal_nan=True), name
    assert ours["transfers_paid"].max() > 0.0
    states = [r for r in engine.log.records if r["type"] == "state"]
    assert all(len(r["transfers"]) == engine.n_nations for r in states)


def test_without_transfers_nothing_is_paid_and_the_state_records_are_as_before() -> None:
    engine = _engine(4, event_log=True, max_transfer_share=0.0, transfers_conditional="true")
    assert engine.payments is None
    engine.run()
    assert engine.timeseries()["transfers_paid"].tolist() == [0.0] * 25
    assert engine.log is not None
    assert not any("transfers" in r for r in engine.log.records if r["type"] == "state")
    assert replay(engine.log.records)["transfers_paid"].tolist() == [0.0] * 24


def test_a_run_paying_transfers_never_takes_the_batched_path() -> None:
    from model.batched import unbatchable

    engine = _engine(transfers_conditional="true")
    assert engine.payments is not None
    assert unbatchable(engine) == (
        "the treaty's own rules (a negotiation under protocol, membership='negotiated' "
        "or terms_rule)"
    )


def test_a_bond_is_weighed_as_part_of_a_sanction_but_never_imposed() -> None:
    params = resolve({"p_false_alarm": 0.1, "verification_lag": 2, "discount": 0.9})
    c = np.array([2.0, 1.0, 0.5])
    share = np.array([0.5, 0.0, 1.0])  # nation 1: nobody sanctions it, so nothing is forfeited
    inspected = np.array([1.0, 1.0, 0.5])
    is_lab = np.array([False, False, True])
    args = (params, 0.8, np.full(3, 4.0), share, inspected, np.ones(3), is_lab, c)
    plain, zero = Costs(*args), Costs(*args, bond=np.zeros(3))
    bonded = Costs(*args, bond=np.array([0.6, 0.6, 0.0]))
    assert np.array_equal(zero.base, plain.base) and np.array_equal(zero.jump, plain.jump)
    assert np.array_equal(bonded.fcs, plain.fcs) and np.array_equal(bonded.fc, plain.fc)
    # nation 0: 0.9**2 * g (p_eff - q) * 0.6 / c more expected sanction; nothing else moves
    extra = 0.81 * 1.0 * (0.8 - 0.1) * 0.6 / 2.0
    assert plain.base[0] - bonded.base[0] == pytest.approx(extra, rel=1e-12)
    assert bonded.base[1:].tolist() == plain.base[1:].tolist()
    assert np.array_equal(bonded.jump, plain.jump)
