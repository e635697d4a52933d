"""The month: one period of DESIGN.md section 2, step by step, for one engine.

:meth:`model.engine.Engine.step` runs :func:`step`, which calls the steps below in order:
(1) :func:`negotiate`, (2) ``Engine.advantage`` and :func:`decide`, (3) the inspectorate's draw
and :func:`adjudicate`, (3)-(5) :func:`settle` (the compiled kernel
:func:`model.kernels.settle_month`, which the batched path runs too), (6) :func:`update`, (7)
:func:`measure` and :func:`record`, then :func:`log`. These functions are the engine's own
steps (they read and write its state as its methods would); they live here so the month reads
top to bottom in one file. The batched sweep path (:mod:`model.batched_kernel`) runs the same
month for runs without the treaty's own rules, through the same compiled kernels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from agents.rules import Observation
from model import adjudication, kernels
from model.held import NOTHING_HELD, Held
from model.ledger import log_period
from model.observations import observations
from model.records import Rec
from model.shocks import sceptic_premium
from model.structure import grown_capability

if TYPE_CHECKING:
    from model.engine import Engine


def step(e: Engine, held: Held | None = None) -> None:
    """Advance one period (DESIGN.md section 2).

    In order: (1) negotiation, (2) decisions, (3) verification, (4) sanctions, (5) payoffs,
    (6) updates, (7) metrics. ``held`` replaces the model's choices for some actors and
    nations in this period only (a player's, :class:`model.held.Held`); it never changes
    which numbers are drawn.

    Draws, in this order: a permutation of the actors whose first ``n_revise`` entries
    revise (not drawn when every actor revises); then, always for all N actors in actor-id
    order, N decision uniforms, N domestic-check uniforms and N international uniforms.
    After these, only when the mechanism is switched on: the membership round's order of
    nations, the rule's own draws, the inspection allocation of a quota (a permutation for
    ``random``, one uniform for ``capability``, none for ``risk``), the votes (an N x
    n_nations array) and the vetoes (an N x n_veto_powers array), and the hazard's uniform.
    """
    held = NOTHING_HELD if held is None else held
    n, rng = e.n_actors, e.rng
    if e.t + 1 >= len(e.records.rows):
        e.records.reserve(2 * len(e.records.rows))
    e.t += 1
    t = e.t
    revisers = rng.permutation(n)[: e.n_revise] if e.n_revise < n else e._everyone
    # one call, filled row by row: identical to three successive rng.random(n) draws
    uniforms, u_dom, u_int = rng.random((3, n))
    shock = held.shock  # outside events (model/shocks.py); None in every run but a room's
    if shock is not None:
        shock.start(e)
    if e.treaty.on:
        negotiate(e, t, held.membership)  # (1)
    used = e.belief  # (2); under reviewed pledges, the pledges weighted by trust
    if e.pledges is not None:
        used = e.pledges.believed(e.belief, e.rival_share)
    delta = e.advantage(used)
    if e.pledges is not None and e.pause_active:  # a strategic binding pledge weighs a breach
        delta = e.pledges.weigh(delta, e.costs.pi_international, e.bound)
    seen = delta  # what the rule decides on: a pause-sceptic leadership's is higher (ODD 3.11)
    if e.sceptic is not None:
        seen = delta + sceptic_premium(e)
    new = decide(e, t, seen, uniforms, revisers, held, used)
    inspected = e.inspectorate.draw(rng)  # (3)
    if shock is not None:
        inspected, u_int = shock.checked(inspected, u_int)
    fcs, votes = adjudicate(e, held)
    if e.pledges is not None:  # a binding breach's sanction, if caught (model/pledges.py)
        fcs = e.pledges.charge(fcs, new, e.structure.c, e.structure.sanction_share, votes)
    out, payoff, belief = settle(e, t, new, u_dom, u_int, inspected, fcs, len(revisers))  # (3)-(5)
    if e.pledges is not None:
        e.pledges.settle(t, new, out["caught_domestic"] | out["caught_international"])
    e.last = {
        "advantage": delta,
        "revisers": revisers,
        **out,
        "belief_used": used,
        "inspected": inspected,
        **votes,
    }
    update(e, t, new, delta, payoff, belief)  # (6)
    measure(e, t, new, len(revisers), votes)  # (7)
    if e.log is not None:
        log(e, t, len(revisers))


def decide(
    e: Engine,
    t: int,
    delta: np.ndarray,
    uniforms: np.ndarray,
    revisers: np.ndarray,
    held: Held,
    belief: np.ndarray | None = None,
) -> np.ndarray:
    """Step (2): the rule decides; non-revisers keep their action; fixed and held apply.

    ``belief``: the beliefs the actors decide on (default ``e.belief``; under reviewed
    pledges :meth:`model.pledges.Pledges.believed`). With pledges on, the nations pledge from
    the decided actions before held choices apply (:meth:`model.pledges.Pledges.pledge`); a
    held pledge replaces the model's (:meth:`model.pledges.Pledges.hold`).
    """
    obs = Observation(
        advantage=delta,
        uniforms=uniforms,
        defect=e.defect,
        belief=e.belief if belief is None else belief,
        tolerance=e.tolerance,
        extra=observations(e, t, delta, e.rule.needs) if e.rule.needs else {},
    )
    new = np.asarray(e.rule.decide(obs, e.params, e.rng), dtype=bool)
    if e.n_revise < e.n_actors:
        kept = e.defect.copy()
        kept[revisers] = new[revisers]
        new = kept
    if e._has_fixed:
        fixed, fixed_action = e.world.fixed_actions(t)
        if fixed.any():
            new = np.where(fixed, fixed_action, new)
    if e.pledges is not None:
        e.pledges.pledge(new)
        if held.pledges:  # a player's own pledge, in place of the model's
            e.pledges.hold(held.pledges)
    if held.actions:
        fixed, fixed_action = held.action_mask(e.n_actors)
        new = np.where(fixed, fixed_action, new)
    return new


def adjudicate(e: Engine, held: Held) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Step (3), adjudication: what a flag would cost each actor, with the votes' draws.

    Without a vote every flag costs its expected amount ``F c s``; under a vote (and veto)
    it costs ``F c`` times the yes share if the vote passes and no veto blocks it.
    """
    st = e.structure
    if not st.voting:
        return e.costs.fcs, {}
    assert st.dense_w is not None and st.learn is not None
    n, p = e.n_actors, e.params
    share, passed = adjudication.draw_votes(
        e.home,
        st.member_e,
        st.dense_w,
        st.learn,
        float(p["sanction_quorum"]),
        e.rng.random((n, e.n_nations)),
        held.votes,
    )
    # n_veto_powers columns always (fewer powers when fewer nations are members): the
    # stream does not depend on membership
    vetoed = adjudication.draw_vetoes(
        e.home,
        st.dense_w,
        st.veto_powers,
        e.rng.random((n, int(p["n_veto_powers"]))),
        held.votes,
        st.learn,
    )
    return e.costs.fc * share * (passed & ~vetoed), {
        "vote_share": share,
        "vote_passed": passed,
        "vetoed": vetoed,
    }


def settle(
    e: Engine,
    t: int,
    new: np.ndarray,
    u_dom: np.ndarray,
    u_int: np.ndarray,
    inspected: np.ndarray,
    fcs: np.ndarray,
    n_revised: int,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Steps (3)-(5) and the next beliefs in one compiled pass (``kernels.settle``).

    Settles and records in one call when nothing changes the payoffs or beliefs in
    between (no club costs, no transfers, no Bayesian update). Then the club's costs and the
    month's agreed transfers (:meth:`model.transfers.Payments.pay`: a member nation's programme
    gets its scheduled transfer while the treaty is in force; a sanctioned receiver forfeits
    it under ``transfers_conditional = true``). Returns the period's verification and
    sanction outcomes, the realised payoffs and the next beliefs.
    """
    n, treaty, rec = e.n_actors, e.treaty, e.records
    bound = e.bound if treaty.pause_active else np.zeros(n, dtype=bool)
    out = {
        "caught_domestic": np.empty(n, dtype=bool),
        "caught_international": np.empty(n, dtype=bool),
        "false_alarm": np.empty(n, dtype=bool),
        "sanction_imposed": np.empty(n),
        "sanction_paid": np.empty(n),
    }
    payoff, belief = np.empty(n), np.empty(n)
    acts = (new, bound, inspected, treaty.pause_active, n_revised, False)
    period = (t, u_dom, u_int, fcs, e.belief, e._ring, False)
    outcome = (*out.values(), payoff, belief, rec.rows[t], rec.bloc_paid[t], kernels.NO_ROW)
    club = treaty.club_on and treaty.pause_active and treaty.in_force
    e._fused = e.posterior is None and not club
    # records the period too; unless fused, step (7) records it again after (6)
    kernels.settle_month(acts, period, e._world_flat, e._stakes_flat, outcome, True)
    if club:
        payoff -= e._club_cost
        if treaty.layer_costs is not None:  # what the members paid for the layers (ODD 3.6)
            e.verification_spend[t] = treaty.layer_costs.spent
    paying = e.payments
    if paying is not None and paying.pay(
        t, treaty.member, treaty.in_force, out["sanction_paid"], payoff
    ):
        e._fused = False  # the payoffs changed after the kernel recorded them
    return out, payoff, belief


def update(
    e: Engine, t: int, new: np.ndarray, delta: np.ndarray, payoff: np.ndarray, belief: np.ndarray
) -> None:
    """Step (6): payoffs, beliefs, actions, what was caught, penalties, inspection plans."""
    last, p = e.last, e.params
    flagged = last["caught_international"] | last["false_alarm"]
    e.payoff = payoff
    if e.posterior is not None:
        g = float(np.mean(e.inspect_prob))
        e.posterior.update(
            e.rival_share(flagged),
            e.structure.n_eff,
            e.costs.p_effective * g,
            e.costs.p_false_alarm * g,
            float(p["belief_forgetting"]),
        )
        belief = e.posterior.mean()
    if not e._perfect:
        truth = e.rival_share(new)
        e.records.belief_error[t] = float(np.mean(np.abs(belief - truth)))
    e.belief, e.defect = belief, new
    e.caught_last = last["caught_domestic"] | last["caught_international"]
    e.flagged_last = flagged
    e.inspectorate.flagged_ever |= flagged
    if e.inspectorate.changes and e.inspectorate.update(
        last["sanction_imposed"], delta, e.world.capability
    ):
        e._recost()


def measure(
    e: Engine, t: int, new: np.ndarray, n_revised: int, votes: Mapping[str, np.ndarray]
) -> None:
    """Step (7): the period's record; then the treaty's and the world's own updates."""
    last, rec, p = e.last, e.records, e.params
    if not e._fused:
        record(
            e,
            last["caught_domestic"],
            last["caught_international"],
            last["false_alarm"],
            last["sanction_paid"],
            n_revised,
            last["sanction_imposed"],
            last["inspected"],
        )
    if (
        e.takeoff_step is None
        and rec.rows[t, Rec.MAX_CAPABILITY] > e._takeoff_share * e.structure.c_total
    ):
        e.takeoff_step = t
    flagged = e.flagged_last
    if e.treaty.on:
        sanctioned = flagged & (last["sanction_imposed"] > 0)
        if e.pledges is not None:  # under reviewed, a detected breach betrays too
            sanctioned = e.pledges.betrayers(sanctioned)
        dense = e.treaty.after(rec.rows[t], new, sanctioned, e.world, e.home)
        if dense is not None:
            e._set_alliances(dense)
        rec.treaty[t] = e.treaty.row(e.world)
    if e._rsi:
        e.world.capability = grown_capability(p, e.world.capability, e.defect)
        e._rebuild()
    if e._hazard_scale > 0:
        hazard(e, t)
    if votes:
        rec.blocked[t] = (
            int((flagged & ~votes["vetoed"] & ~votes["vote_passed"]).sum()),
            int((flagged & votes["vetoed"]).sum()),
        )


def negotiate(e: Engine, t: int, held_membership: Mapping[int, bool]) -> None:
    """Step (1): the treaty's round, entry into force, trigger and lift; then who is bound."""
    changed = e.treaty.period(
        t,
        e.rng,
        e.structure,
        e.world,
        e.inspect_prob,
        e.penalty_next,
        e.belief,
        held_membership,
    )
    bound = e.treaty.bound(e.home)
    if changed or not np.array_equal(bound, e.bound):
        e.bound = bound
        e._rebuild()
    if e.treaty.club_on:
        e._club_cost = e.treaty.club_costs(e.world)


def record(
    e: Engine,
    caught_dom: np.ndarray,
    caught_int: np.ndarray,
    false_alarm: np.ndarray,
    paid: np.ndarray,
    n_revised: int,
    imposed: np.ndarray | None,
    inspected: np.ndarray | None,
) -> None:
    """Sum the period into its record row (``kernels.record``)."""
    bound = e.bound if e.pause_active else np.zeros(e.n_actors, dtype=bool)
    acts = (
        e.defect,
        bound,
        caught_dom if inspected is None else inspected,
        e.pause_active,
        n_revised,
        False,
    )
    outcome = (
        caught_dom,
        caught_int,
        false_alarm,
        paid if imposed is None else imposed,
        paid,
        e.payoff,
        e.belief,
        e.records.rows[e.t],
        e.records.bloc_paid[e.t],
        kernels.NO_ROW,
    )
    kernels.record(acts, e._world_flat, outcome)


def catastrophe_probability(e: Engine, t: int) -> float:
    """Period ``t``'s catastrophe probability ``1 - exp(-scale R ** exponent)`` (no draw).

    ``R`` the defecting capability share of period ``t``'s record; 0 when ``hazard_scale``
    is 0. The batched-simulation valuation (:mod:`model.negotiation.simulated`) reads it too.
    """
    p, row = e.params, e.records.rows[t]
    rate = float(row[Rec.COMPLY_CAPABILITY_NATIONS] + row[Rec.COMPLY_CAPABILITY_LABS])
    defecting_share = float(np.clip(1.0 - rate / e.structure.c_total, 0.0, 1.0))
    return float(
        1.0 - np.exp(-float(p["hazard_scale"]) * defecting_share ** float(p["hazard_exponent"]))
    )


def hazard(e: Engine, t: int) -> None:
    """The shared hazard: a catastrophe with :func:`catastrophe_probability` (one draw)."""
    if e.rng.random() < catastrophe_probability(e, t):
        e.catastrophe_step = t


def log(e: Engine, t: int, n_revised: int) -> None:
    """Append this period's records to the event log (``model.ledger.log_period``)."""
    assert e.log is not None
    last = e.last
    log_period(
        e.log,
        t,
        lag=len(e._ring) - 1,
        quota=e.quota,
        events=last,
        state={
            "actions": e.defect,
            "belief": e.belief,
            "payoff": e.payoff,
            "paid": last["sanction_paid"],
            "pause_active": e.pause_active,
            "n_revised": n_revised,
            "treaty": list(e.records.treaty[t] if e.treaty.on else e.treaty.row(e.world)),
            "belief_error": e.records.belief_error[t],
            "catastrophe": e.catastrophe_step == t,
            **({} if e._all_bound else {"bound": e.bound}),
            **({} if e.payments is None else {"transfers": e.payments.last}),
            **({} if e.pledges is None else {"pledges": e.pledges.bits()}),
            **spend_field(e, t),
        },
    )


def spend_field(e: Engine, t: int) -> dict[str, float]:
    """The state record's ``spend`` (the layers' spend at ``t``); none without layers."""
    if e.treaty.layer_costs is None:
        return {}
    return {"spend": e.verification_spend.get(t, 0.0)}
