"""The treaty's lifecycle: membership, negotiated terms, trigger and lift, coalition theory.

:class:`Treaty` holds one run's treaty state (members, entry into force, the pause's trigger
and lift, the terms in force, trust in alliances) and carries out its parts of the period: step
(1), negotiation rounds, entry into force, trigger and lift, and step (6), safety progress,
betrayal and trust. It takes what it reads of the world explicitly (a
:class:`model.structure.Structure`, the verification state), so it imports no engine. The pure
functions below it serve it and the theory.

**Membership payoff** (issue [treaty]; after Nordhaus 2015's climate clubs). Nation ``i``
compares its national payoff, its own programme's expected per-period payoff plus
``national_interest`` times its labs', as a member and as an outsider, holding the others'
membership fixed, and joins or stays iff membership pays at least as much. Per actor ``a``
(capability ``c_a``, believed rival defection ``rho_a``, per-unit gain ``G_a``):

- treaty binding, member: ``c_a * max(u_comply, u_defect) - verification_cost * p * c_a``, with
  the core's per-unit expected payoffs ``u_comply = -D F g q s`` and
  ``u_defect = G_a (1 + lam rho_a) - D F pi - phi r``;
- treaty binding, outsider: ``c_a * max(0, G_a (1 + lam rho_a) - phi r)
  - outsider_penalty * c_a * M_i``, where ``M_i = sum_{j member} e_j (1 - w(j, i)) / sum_j e_j``
  (allies do not penalise allies);
- treaty not binding (members below ``entry_threshold`` of world capability, or no active
  pause): ``c_a * max(0, G_a (1 + lam rho_a) - phi r)`` either way: signing is free until it
  binds, so ties join.

**Choice**: a negotiating nation expects members to comply and outsiders to develop, so the
``rho_a`` it uses for each hypothesis is the rivalry-weighted share of outsiders' capability
(everyone's when the treaty would not bind).

**Terms.** At each round every member proposes the lowest ``p_detect`` that deters every other
member's actors at the current penalty (the largest of their thresholds ``p*_a = A_a / B_a``,
clipped to [0, 1]), scaled down by ``1 - intrusion_aversion * e_i / max_j e_j``; ``unanimity``
adopts the lowest proposal, ``weighted_median`` the enforcement-weighted (lower) median.

References:
    Nordhaus, W. (2015). Climate clubs: overcoming free-riding in international climate policy.
    *American Economic Review* 105(4), 1339-1370.
    Barrett, S. (1994). Self-enforcing international environmental agreements. *Oxford
    Economic Papers* 46, 878-894.
    Carraro, C. and Siniscalco, D. (1993). Strategies for the international protection of the
    environment. *Journal of Public Economics* 52(3), 309-328.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from model import payoffs
from model.adjudication import get_adjudication
from model.params import Params
from model.records import Rec
from model.scenario import Scenario
from model.structure import Structure
from model.verification.layers.combine import LayerCosts
from model.world import World

if TYPE_CHECKING:
    from model.negotiation.session import Agreement


def club_exposure(e: np.ndarray, w: np.ndarray, member: np.ndarray) -> np.ndarray:
    """``M_i = sum_{j member, j != i} e_j (1 - w(j, i)) / sum_j e_j`` for every nation ``i``."""
    total = e.sum()
    if total <= 0:
        return np.zeros(len(e))
    em = e * member
    return (em.sum() - em - np.sum(w * em[:, None], axis=0)) / total


def adopt_terms(proposals: np.ndarray, weights: np.ndarray, rule: str) -> float:
    """The detection adopted from the members' proposals under ``rule``."""
    if len(proposals) == 0:
        return math.nan
    if rule == "unanimity":
        return float(np.min(proposals))
    if rule == "weighted_median":
        order = np.argsort(proposals, kind="stable")
        cum = np.cumsum(weights[order])
        idx = int(np.searchsorted(cum, 0.5 * cum[-1], side="left"))
        return float(proposals[order][min(idx, len(order) - 1)])
    raise ValueError(f"unknown terms_rule {rule!r}")


def member_capability(capability: np.ndarray, home: np.ndarray, member: np.ndarray) -> float:
    """Capability share of the actors of ``member`` nations."""
    return float(capability[member[home]].sum() / capability.sum())


def initial_members(
    params: Params, world: World, scenario: Scenario | None, rng: np.random.Generator
) -> np.ndarray:
    """Initial member nations: the scenario's ``member`` fields, else an exact share.

    With ``initial_membership < 1`` (and no scenario membership) a permutation of the nations
    is drawn after the world's construction draws; its first
    ``round(initial_membership * n)`` are members.
    """
    n = world.n_nations
    specs = scenario.nations if scenario is not None else ()
    if specs and any(s.member is not None for s in specs):
        return np.array([s.member is not False for s in specs], dtype=bool)
    share = float(params["initial_membership"])
    if share >= 1.0:
        return np.ones(n, dtype=bool)
    member = np.zeros(n, dtype=bool)
    member[rng.permutation(n)[: round(share * n)]] = True
    return member


class Treaty:
    """One run's treaty: membership, entry into force, the pause, the terms, trust.

    Attributes:
        member: Member nations.
        in_force: The treaty binds (members hold at least ``entry_threshold`` of capability).
        pause_active: A pause is active (triggered and not lifted).
        pause_started, pause_lifted: Steps of the trigger and the lift (None: not yet).
        p_detect: The detection in force (negotiated terms move it).
        safety: Safety progress towards ``lift_level``.
        comply_streak: Consecutive complying periods of each member nation.
        alliance_changes: How often betrayal or trust changed the alliances.
        membership_gain, would_leave, would_join: The last round's coalition diagnostics.
        proposals: The members' proposed detection at the last round.
        on: Any treaty mechanism is switched on (else steps (1) and (6) do nothing).
        club_on: Outsider penalties or verification costs apply.
        layer_costs: The layers' costs, which replace ``verification_cost`` (None: no layers).
    """

    def __init__(
        self,
        params: Params,
        world: World,
        scenario: Scenario | None,
        rng: np.random.Generator,
        agreement: Agreement | None = None,
    ) -> None:
        p = params
        self.params = params
        self.member = initial_members(params, world, scenario, rng)
        #: The run's negotiation (``protocol``): until it takes effect no nation is a member.
        self.agreement = agreement
        #: The members the scenario or ``initial_membership`` makes (the parties).
        self.parties = self.member.copy()
        if agreement is not None:
            self.member = np.zeros(world.n_nations, dtype=bool)
        self.p_detect = float(p["p_detect"])
        self.in_force = True
        self.pause_active = p["trigger"] == "immediate" and agreement is None
        self.pause_started: int | None = 1 if self.pause_active else None
        self.pause_lifted: int | None = None
        self.safety = 0.0
        self.comply_streak = np.zeros(world.n_nations, dtype=np.int64)
        self.alliance_changes = 0
        self.membership_gain = np.zeros(world.n_nations)
        self.would_leave = np.zeros(world.n_nations, dtype=bool)
        self.would_join = np.zeros(world.n_nations, dtype=bool)
        self.proposals = np.zeros(0)
        costs = self.layer_costs = LayerCosts.of(p)
        self.club_on = bool(p["outsider_penalty"] > 0 or p["verification_cost"] > 0 or costs)
        self.on = bool(
            agreement is not None
            or p["membership"] == "negotiated"
            or p["terms_rule"] != "fixed"
            or p["trigger"] != "immediate"
            or p["lift"] != "never"
            or p["betrayal_penalty"] > 0
            or p["trust_building"] > 0
            or p["entry_threshold"] > 0
            or not self.member.all()
            or self.club_on
        )
        self.update_in_force(world)

    def update_in_force(self, world: World) -> None:
        """The treaty is in force while members hold at least ``entry_threshold``."""
        share = member_capability(world.capability, world.home, self.member)
        self.in_force = (
            bool(self.member.any()) and share >= float(self.params["entry_threshold"]) - 1e-12
        )

    def bound(self, home: np.ndarray) -> np.ndarray:
        """Actors bound by the pause: their nation is a member, in force, pause active."""
        return self.member[home] & self.in_force & self.pause_active

    def club_costs(self, world: World) -> np.ndarray:
        """Per-actor club costs while the treaty binds.

        Verification costs for members' actors (the layers' when set, model/ODD.md 3.6), the
        club penalty ``P c M_i`` for outsiders'.
        """
        p, c, home = self.params, world.capability, world.home
        exposure = club_exposure(
            np.bincount(home, weights=c, minlength=world.n_nations),
            world.alliances.toarray(),
            self.member,
        )
        mine, costs, vc = self.member[home], self.layer_costs, float(p["verification_cost"])
        paid = vc * self.p_detect * c if costs is None else costs.charge(c, mine)
        return np.where(mine, paid, float(p["outsider_penalty"]) * c * exposure[home])

    def round_due(self, t: int) -> bool:
        """True when period ``t`` opens a negotiation round (membership or terms)."""
        p = self.params
        if self.agreement is not None:  # the protocol's negotiation replaces the rounds
            return False
        rounds = p["membership"] == "negotiated" or p["terms_rule"] != "fixed"
        return bool(rounds and (t - 1) % int(p["negotiation_interval"]) == 0)

    def agreed_by(self, t: int) -> bool:
        """True when the treaty exists at period ``t`` (always, unless a negotiation is due)."""
        if self.agreement is None:
            return True
        month = self.agreement.month
        return month is not None and t > month

    def take_effect(self, t: int) -> bool:
        """At the month after the agreement, its signatories become the members."""
        agreement = self.agreement
        if agreement is None or agreement.month is None or t != agreement.month + 1:
            return False
        negotiated = self.params["membership"] == "negotiated"
        self.member = (agreement.signatories if negotiated else self.parties).copy()
        if self.params["trigger"] == "immediate":
            self.pause_active, self.pause_started = True, t
        return True

    def membership_round_at(self, t: int) -> bool:
        """True when period ``t`` opens a membership round (``membership=negotiated``)."""
        return bool(self.on and self.params["membership"] == "negotiated" and self.round_due(t))

    def period(
        self,
        t: int,
        rng: np.random.Generator,
        st: Structure,
        world: World,
        inspect_prob: np.ndarray,
        penalty_next: np.ndarray,
        belief: np.ndarray,
        held_membership: Mapping[int, bool],
    ) -> bool:
        """Step (1): negotiation rounds, entry into force, the pause's trigger and lift.

        At a round the nations decide membership in an order drawn with ``rng`` (a nation in
        ``held_membership`` takes that choice instead of its own), then members negotiate
        the terms. Returns True when a round was held (the world's structure must be rebuilt).
        """
        p = self.params
        structure_changed = self.take_effect(t)
        if self.round_due(t):
            if p["membership"] == "negotiated":
                order = rng.permutation(world.n_nations)
                for i in order:
                    held = held_membership.get(int(i))
                    self.member[i] = (
                        self.prefers_membership(int(i), st, world, inspect_prob, penalty_next)
                        if held is None
                        else held
                    )
            if p["terms_rule"] != "fixed":
                adopted = self.negotiate_terms(st, world, inspect_prob, penalty_next, belief)
                if not math.isnan(adopted):
                    self.p_detect = adopted
            self.diagnose(st, world, inspect_prob, penalty_next)
            structure_changed = True
        if self.pause_started is None and self.pause_lifted is None and self.agreed_by(t):
            if (p["trigger"] == "date" and t >= int(p["trigger_step"])) or (
                p["trigger"] == "capability" and st.c.max() / st.c_total > float(p["trigger_level"])
            ):
                self.pause_active, self.pause_started = True, t
        if self.pause_active and self.pause_started is not None:
            if (p["lift"] == "duration" and t >= self.pause_started + int(p["pause_duration"])) or (
                p["lift"] == "safety" and self.safety >= float(p["lift_level"])
            ):
                self.pause_active, self.pause_lifted = False, t
        self.update_in_force(world)
        return structure_changed

    def hypothetical_payoff(
        self,
        i: int,
        member: np.ndarray,
        st: Structure,
        world: World,
        inspect_prob: np.ndarray,
        penalty_next: np.ndarray,
        dense: np.ndarray,
    ) -> float:
        """Nation ``i``'s national payoff per period if the membership were ``member``."""
        p = self.params
        idx = np.flatnonzero(st.home == i)
        is_lab = world.is_lab[idx]
        c = st.c[idx]
        weight = np.where(is_lab, float(p["national_interest"]), 1.0)
        binding = (
            bool(member.any())
            and self.pause_active
            and member_capability(world.capability, world.home, member)
            >= float(p["entry_threshold"]) - 1e-12
        )
        outsider_actor = ~member[st.home] if binding else np.ones(st.n_actors, bool)
        rho = st.rival_share(outsider_actor.astype(float))[idx]
        gain = payoffs.gain_from_defecting(
            st.gain_unit[idx], float(p["race_pressure"]), rho, payoffs.risk_weight(p)
        )
        free = np.maximum(0.0, gain)
        if not binding:
            return float(np.sum(weight * c * free))
        e = st.enforcement
        if member[i]:
            others = member.copy()
            others[i] = False
            total = float(e[others].sum())
            s = float(np.sum(e[others] * (1.0 - dense[others, i])) / total) if total > 0 else 0.0
            s = get_adjudication(p["adjudication"]).member_share(
                s, total, float(st.sanction_share_nation[i])
            )
            disc_f = payoffs.discounted_penalty(p, penalty_next[idx])
            g = inspect_prob[idx]
            p_eff = payoffs.effective_detection(p, self.p_detect)
            pi = payoffs.catch_probability(
                payoffs.international_catch(g, p_eff, s), float(p["p_domestic"]), is_lab
            )
            q_cost = payoffs.false_alarm_share(g, float(p["p_false_alarm"]), s)
            # complying risks false alarms, defecting the catch (a defector is never falsely
            # flagged): u_defect - u_comply is the advantage of model.payoffs
            u_comply = -disc_f * q_cost
            u_defect = gain - disc_f * pi
            vc = float(p["verification_cost"]) * self.p_detect
            if self.layer_costs is not None:
                vc = self.layer_costs.per_unit(float(world.capability[member[world.home]].sum()))
            return float(np.sum(weight * c * (np.maximum(u_comply, u_defect) - vc)))
        exposure = club_exposure(e, dense, member)[i]
        return float(np.sum(weight * c * (free - float(p["outsider_penalty"]) * exposure)))

    def membership_gain_of(
        self,
        i: int,
        st: Structure,
        world: World,
        inspect_prob: np.ndarray,
        penalty_next: np.ndarray,
        dense: np.ndarray,
    ) -> float:
        """What nation ``i`` gains per period by membership (others' membership fixed)."""
        with_i = self.member.copy()
        with_i[i] = True
        without = self.member.copy()
        without[i] = False
        return self.hypothetical_payoff(
            i, with_i, st, world, inspect_prob, penalty_next, dense
        ) - self.hypothetical_payoff(i, without, st, world, inspect_prob, penalty_next, dense)

    def prefers_membership(
        self,
        i: int,
        st: Structure,
        world: World,
        inspect_prob: np.ndarray,
        penalty_next: np.ndarray,
    ) -> bool:
        """Join or stay iff membership pays at least as much (others' membership fixed)."""
        dense = world.alliances.toarray()
        with_i = self.member.copy()
        with_i[i] = True
        without = self.member.copy()
        without[i] = False
        return (
            self.hypothetical_payoff(i, with_i, st, world, inspect_prob, penalty_next, dense)
            >= self.hypothetical_payoff(i, without, st, world, inspect_prob, penalty_next, dense)
            - 1e-12
        )

    def diagnose(
        self, st: Structure, world: World, inspect_prob: np.ndarray, penalty_next: np.ndarray
    ) -> None:
        """Per nation: would a member gain by leaving, would an outsider gain by joining."""
        dense = world.alliances.toarray()
        gain = np.array(
            [
                self.membership_gain_of(i, st, world, inspect_prob, penalty_next, dense)
                for i in range(world.n_nations)
            ]
        )
        self.membership_gain = gain
        self.would_leave = self.member & (gain < -1e-12)
        self.would_join = ~self.member & (gain >= -1e-12)

    def negotiate_terms(
        self,
        st: Structure,
        world: World,
        inspect_prob: np.ndarray,
        penalty_next: np.ndarray,
        belief: np.ndarray,
    ) -> float:
        """Members' proposed detection and the adopted terms (see the module docstring)."""
        p = self.params
        members = np.flatnonzero(self.member)
        if len(members) == 0:
            return math.nan
        disc_f = payoffs.discounted_penalty(p, penalty_next)
        g, s = inspect_prob, st.sanction_share
        pd = float(p["p_domestic"])
        is_lab = world.is_lab
        dom = np.where(is_lab, pd, 0.0)
        slope = np.where(is_lab, 1.0 - pd, 1.0)
        # the advantage at p_detect = 0, and how fast detection lowers it
        a = payoffs.advantage(
            st.gain_unit,
            float(p["race_pressure"]),
            belief,
            payoffs.risk_weight(p),
            disc_f,
            dom,
            payoffs.false_alarm_share(g, float(p["p_false_alarm"]), s),
        )
        b = payoffs.deterrence_slope(disc_f, g, float(p["coverage"]), s, slope)
        with np.errstate(invalid="ignore", divide="ignore"):
            needed = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.where(a > 0, 1.0, 0.0))
        needed = np.clip(needed, 0.0, 1.0)
        e = st.enforcement
        proposals = []
        for i in members:
            others = self.member[st.home] & (st.home != i)
            best = float(needed[others].max()) if others.any() else 0.0
            aversion = float(p["intrusion_aversion"]) * e[i] / e[members].max()
            proposals.append(best * (1.0 - aversion))
        self.proposals = np.array(proposals)
        return adopt_terms(self.proposals, e[members], p["terms_rule"])

    def row(self, world: World) -> tuple[float, ...]:
        """This step's treaty record (layout :data:`model.metrics.TREATY_FIELDS`)."""
        edges = world.alliances
        return (
            float(self.member.sum()),
            member_capability(world.capability, world.home, self.member),
            float(self.in_force),
            self.safety,
            self.p_detect,
            float(edges.nnz // 2),
            float(edges.sum() / 2),
            float(self.would_leave.sum()),
            float(self.would_join.sum()),
        )

    def after(
        self,
        row: np.ndarray,
        new: np.ndarray,
        sanctioned: np.ndarray,
        world: World,
        home: np.ndarray,
    ) -> np.ndarray | None:
        """Step (6) for the treaty: safety progress, betrayal and trust in alliances.

        Returns the new dense alliance matrix when betrayal or trust changed it, else None.
        """
        p = self.params
        if (
            p["lift"] == "safety"
            and self.pause_active
            and row[Rec.CAPABILITY_BOUND] > 0
            and row[Rec.COMPLY_CAPABILITY_BOUND] / row[Rec.CAPABILITY_BOUND]
            >= float(p["stability_threshold"])
        ):
            self.safety += float(p["safety_rate"])
        complied = ~new[: world.n_nations]
        self.comply_streak = np.where(self.member & complied, self.comply_streak + 1, 0)
        penalty, build = float(p["betrayal_penalty"]), float(p["trust_building"])
        if penalty <= 0 and build <= 0:
            return None
        dense = world.alliances.toarray()
        before = dense.copy()
        if penalty > 0 and sanctioned.any():
            for h in np.unique(home[sanctioned]):
                allies = np.flatnonzero((dense[h] > 0) & complied)
                dense[allies, h] -= penalty
                dense[h, allies] -= penalty
        if build > 0:
            trusted = self.member & (self.comply_streak >= int(p["trust_window"]))
            pair = np.outer(trusted, trusted) & (dense > 0)
            dense[pair] = np.minimum(1.0, dense[pair] + build)
        dense[dense < float(p["min_alliance_weight"])] = 0.0
        np.fill_diagonal(dense, 0.0)
        if np.array_equal(dense, before):
            return None
        self.alliance_changes += 1
        return dense


@dataclass(frozen=True)
class CoalitionTheory:
    """Membership stability for identical nations (no labs, no alliances, equal capability).

    Attributes:
        n_nations: Number of nations.
        member_payoff: ``P_in(k)`` for k = 0..n (per unit capability; ``nan`` at k = 0).
        outsider_payoff: ``P_out(k)`` for k = 0..n (``nan`` at k = n).
        stable_sizes: Sizes that are internally (no member gains by leaving) and externally
            (no outsider gains by joining) stable.
        critical_penalty: The ``outsider_penalty`` above which full membership is internally
            stable.
        critical_mass: The smallest membership from which joining pays at every size up to
            full membership (None if there is none below full).
    """

    n_nations: int
    member_payoff: np.ndarray
    outsider_payoff: np.ndarray
    stable_sizes: tuple[int, ...]
    critical_penalty: float
    critical_mass: int | None

    def internally_stable(self, k: int) -> bool:
        """No member gains by leaving a coalition of ``k``."""
        return k == 0 or self.member_payoff[k] >= self.outsider_payoff[k - 1] - 1e-12

    def externally_stable(self, k: int) -> bool:
        """No outsider gains by joining a coalition of ``k`` (ties join)."""
        return k == self.n_nations or self.member_payoff[k + 1] < self.outsider_payoff[k] - 1e-12


def coalition_theory(params: Mapping[str, Any]) -> CoalitionTheory:
    """Stable coalition sizes of the membership game for identical nations.

    Nations are identical (capability ``1/n``, no labs, no alliances); members comply when
    deterred and outsiders develop, as in the negotiation's expectation. With ``k`` members
    (binding iff ``k / n >= entry_threshold``), per unit of capability:

    - ``P_in(k) = max(-D F q, G (1 + lam rho_in) - D F p - phi r) - vc p`` when binding,
      ``rho_in = (n - k) / (n - 1)``; a lone member is sanctioned by nobody (``s = 0``);
    - ``P_out(k) = max(0, G (1 + lam rho_out) - phi r) - P k / n`` when binding,
      ``rho_out = (n - 1 - k) / (n - 1)``;
    - both ``max(0, G (1 + lam) - phi r)`` when not binding.

    Args:
        params: The parameters (``n_nations``, payoff, verification and treaty fields).

    Returns:
        A :class:`CoalitionTheory`.
    """
    n = int(params["n_nations"])
    G = float(params["defect_gain"])
    lam = float(params["race_pressure"])
    F = float(params["penalty"])
    p = payoffs.effective_detection(params)
    q = float(params["p_false_alarm"])
    D = float(params["discount"]) ** int(params["verification_lag"])
    risk = float(params["risk_internalization"]) * float(params["risk_cost"])
    vc = float(params["verification_cost"]) * float(params["p_detect"])
    layer_costs = LayerCosts.of(params)  # world capability 1: the members hold k / n
    penalty = float(params["outsider_penalty"])
    threshold = float(params["entry_threshold"])

    def binding(k: int) -> bool:
        return k > 0 and k / n >= threshold - 1e-12

    free = max(0.0, G * (1.0 + lam) - risk)

    def p_in(k: int) -> float:
        if not binding(k):
            return free
        s = 1.0 if k >= 2 else 0.0
        rho = (n - k) / (n - 1)
        comply = -D * F * q * s
        defect = G * (1.0 + lam * rho) - D * F * p * s - risk
        return max(comply, defect) - (vc if layer_costs is None else layer_costs.per_unit(k / n))

    def p_out(k: int) -> float:
        if not binding(k):
            return free
        rho = (n - 1 - k) / (n - 1)
        return max(0.0, G * (1.0 + lam * rho) - risk) - penalty * k / n

    member = np.array([math.nan] + [p_in(k) for k in range(1, n + 1)])
    outsider = np.array([p_out(k) for k in range(n)] + [math.nan])
    partial = CoalitionTheory(n, member, outsider, (), math.nan, None)
    stable = tuple(
        k for k in range(n + 1) if partial.internally_stable(k) and partial.externally_stable(k)
    )
    # full membership is internally stable iff P_in(n) >= P_out(n - 1)
    if binding(n - 1):
        rho0 = 0.0
        critical = (max(0.0, G * (1 + lam * rho0) - risk) - p_in(n)) * n / (n - 1)
    else:
        critical = math.inf if p_in(n) < free else 0.0
    mass = None
    for k in range(n - 1, -1, -1):
        if member[k + 1] >= outsider[k] - 1e-12:
            mass = k
        else:
            break
    return CoalitionTheory(n, member, outsider, stable, max(0.0, critical), mass)
