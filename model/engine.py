"""The vectorised game engine: one period of DESIGN.md section 2 for all actors at once.

State lives in numpy arrays indexed by actor id (nations first, then labs) and alliances in a
scipy.sparse matrix; a step costs O(actors + alliance edges). ``model/ODD.md`` states every
formula as implemented here, and ``model/reference.py`` re-implements the same period as an
idiomatic Mesa agent loop; the tests hold the two equal draw for draw.

Example:
    >>> from model.engine import Engine
    >>> eng = Engine.from_params({"p_detect": 0.5}, rng=7)
    >>> summary = eng.run()
    >>> summary.held
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from agents.rules import TIE_TOLERANCE, Observation, get_rule
from model import adjudication, kernels, treaty
from model.beliefs import GridPosterior
from model.held import NOTHING_HELD, Held
from model.kernels import N_REC
from model.ledger import EventLog
from model.metrics import TIMESERIES_COLUMNS, TREATY_FIELDS, metrics_from_records
from model.params import Params, resolve
from model.scenario import Scenario, scenario_from_mapping
from model.verification import get_regime
from model.world import World, build_world

__all__ = ["TIMESERIES_COLUMNS", "Engine", "RunSummary", "collapse_step", "new_seed",
           "prepare_params", "revision_count"]


def new_seed() -> int:
    """A fresh seed from the operating system's entropy, to be recorded with the run."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)
    return entropy % (2**63)


def prepare_params(
    values: Mapping[str, Any], scenario: Scenario | None = None, graph: nx.Graph | None = None
) -> Params:
    """Validate parameter values, filling what a scenario or graph implies.

    A ``[[nations]]`` table sets ``n_nations`` (and ``n_labs`` when it places labs), and
    ``[[alliances]]`` or an explicit graph set ``alliance_network='explicit'``, unless the
    values say otherwise (a contradiction is then reported when the world is built).
    """
    merged = dict(values)
    if scenario is not None and scenario.nations:
        merged.setdefault("n_nations", len(scenario.nations))
        if any(n.labs is not None for n in scenario.nations):
            merged.setdefault("n_labs", sum(n.labs if isinstance(n.labs, int)
                                            else len(n.labs or ()) for n in scenario.nations))
        if scenario.alliances:
            merged.setdefault("alliance_network", "explicit")
    if graph is not None:
        merged.setdefault("alliance_network", "explicit")
    return resolve(merged)


def revision_count(rate: float | str, n_actors: int) -> int:
    """Actors revising per period: ``max(1, round(rate * N))``, or 1 for ``"one"``.

    Python's ``round`` (halves to even).
    """
    if rate == "one":
        return 1
    return max(1, round(float(rate) * n_actors))


def make_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """A numpy Generator from a Generator, an integer seed, or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


@dataclass(frozen=True)
class RunSummary:
    """The outcome of one run.

    Attributes:
        held: True when the pause never collapsed.
        collapse_step: First step of the first run of ``collapse_patience`` consecutive active
            steps below ``stability_threshold``; None when the pause held.
        final_compliance: Capability-weighted compliance of all actors at the last step.
        final_bound_compliance: The same over bound actors (NaN with no active pause).
        mean_compliance: Capability-weighted compliance averaged over steps 1..T.
        detections: Violations caught over the run (domestic and international).
        false_alarms: Compliers wrongly flagged over the run.
        sanctions_paid: Total sanctions that landed during the run (units of G).
        total_payoff: Sum of all actors' realised payoffs over the run.
        steps: Number of steps run.
        seed: The integer seed, when the run was seeded by one.
        flags: International flags (detections and false alarms) over the run.
        sanctions_applied: Sanctions imposed with a positive amount (domestic included).
        sanctions_blocked_by_vote: Flags whose sanction failed the vote.
        sanctions_blocked_by_veto: Flags whose sanction a great power vetoed.
        inspections: Actor-inspections used over the run.
        sanctions_paid_by_bloc: Sanctions paid by the actors of each alliance bloc.
        ledger_head: Head hash of the event log, when one was recorded.
        ledger_records: Number of records in the event log.
        active_steps: Steps in which a pause bound at least one actor (only these count
            towards holding or collapsing).
        catastrophe_step: The step a catastrophe ended the run (None: no catastrophe).
        takeoff_step: The first step an actor held more than ``takeoff_share`` of world
            capability (None: never).
        final_leader_share: The largest capability share at the last step.
        mean_belief_error: Mean absolute belief error over the run (None with perfect
            information).
    """

    held: bool
    collapse_step: int | None
    final_compliance: float
    final_bound_compliance: float
    mean_compliance: float
    detections: int
    false_alarms: int
    sanctions_paid: float
    total_payoff: float
    steps: int
    seed: int | None
    flags: int = 0
    sanctions_applied: int = 0
    sanctions_blocked_by_vote: int = 0
    sanctions_blocked_by_veto: int = 0
    inspections: int = 0
    sanctions_paid_by_bloc: tuple[float, ...] = ()
    ledger_head: str | None = None
    ledger_records: int = 0
    active_steps: int = 0
    catastrophe_step: int | None = None
    takeoff_step: int | None = None
    final_leader_share: float = float("nan")
    mean_belief_error: float | None = None

    @property
    def catastrophe(self) -> bool:
        """True when a catastrophe ended the run."""
        return self.catastrophe_step is not None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON-friendly)."""
        out = asdict(self)
        out["sanctions_paid_by_bloc"] = list(self.sanctions_paid_by_bloc)
        return out


def collapse_step(holds: np.ndarray, active: np.ndarray, patience: int) -> int | None:
    """First step starting ``patience`` consecutive active steps in which the pause fails.

    Args:
        holds: For steps 1..T, whether the pause held (ignored where not active).
        active: For steps 1..T, whether a pause was active; inactive steps count neither way
            (they neither extend nor break a run of failures).
        patience: Length of the run of failures that makes a collapse.

    Returns:
        The step (1-based) where that run starts, or None.
    """
    run_start = None
    run = 0
    for t in range(len(holds)):
        if not active[t]:
            continue
        if holds[t]:
            run = 0
            continue
        if run == 0:
            run_start = t + 1
        run += 1
        if run >= patience:
            return run_start
    return None


class _LazyObservations(Mapping[str, Any]):
    """A read-only mapping whose values are computed on first access."""

    def __init__(self, makers: dict[str, Any]) -> None:
        self._makers = makers
        self._values: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            self._values[key] = self._makers[key]()
        return self._values[key]

    def __iter__(self) -> Any:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


class Engine:
    """The array state of one run and its period (DESIGN.md section 2).

    Args:
        params: Validated parameters (see :func:`model.params.resolve`).
        rng: The run's generator, or an integer seed (``default_rng(seed)``).
        scenario: Named nations, labs, alliances, commitments and events (optional).
        graph: An explicit alliance graph (optional; needs ``alliance_network='explicit'``).
        world: A prebuilt world (skips construction draws; for tests and replays).
        event_log: Record the hash-chained event log (``model.ledger``): True, False, or None
            for the regime's default (on under ``hardware_ledger``).
    """

    def __init__(
        self,
        params: Params,
        rng: np.random.Generator | int | None = None,
        *,
        scenario: Scenario | Mapping[str, Any] | None = None,
        graph: nx.Graph | None = None,
        world: World | None = None,
        event_log: bool | None = None,
    ) -> None:
        self.params = params
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else params["seed"]
        self.rng = make_rng(rng)
        sc = None if scenario is None else scenario_from_mapping(scenario)
        self.world = world if world is not None else build_world(params, self.rng, scenario=sc,
                                                                 graph=graph)
        self.rule = get_rule(params["decision_rule"])
        w = self.world
        self.n_nations = w.n_nations
        self.n_actors = w.n_actors
        self.home = w.home
        self.is_lab = w.is_lab
        self.t = 0
        self.defect = w.initial_defect.copy()
        # treaty: membership, entry into force, the pause's trigger and lift, terms, trust
        self.member = self._initial_members(sc)
        self.p_detect = float(params["p_detect"])
        self.in_force = True
        self.pause_active = params["trigger"] == "immediate"
        self.pause_started: int | None = 1 if self.pause_active else None
        self.pause_lifted: int | None = None
        self.safety = 0.0
        self.comply_streak = np.zeros(w.n_nations, dtype=np.int64)
        self.alliance_changes = 0
        self.membership_gain = np.zeros(w.n_nations)
        self.would_leave = np.zeros(w.n_nations, dtype=bool)
        self.would_join = np.zeros(w.n_nations, dtype=bool)
        self.proposals = np.zeros(0)
        self._update_in_force()
        self.bound = self.member[self.home] & self.in_force & self.pause_active
        self.n_revise = revision_count(params["revision_rate"], self.n_actors)
        self.rule_state: dict[str, Any] = {}
        self.caught_last = np.zeros(self.n_actors, dtype=bool)
        self.flagged_last = np.zeros(self.n_actors, dtype=bool)
        self.tolerance = TIE_TOLERANCE * (params["defect_gain"] + params["penalty"])
        lag = int(params["verification_lag"])
        self._ring = np.zeros((lag + 1, self.n_actors))
        self._everyone = np.arange(self.n_actors)
        self._all_true = np.ones(self.n_actors, dtype=bool)
        self._has_fixed = bool(self.world.committed.any() or self.world.events)
        # verification state: graduated penalties, inspection quota, logs
        self.offences = np.zeros(self.n_actors, dtype=np.int64)
        self.penalty_next = np.full(self.n_actors, float(params["penalty"]))
        self.flagged_ever = np.zeros(self.n_actors, dtype=bool)
        self.quota = int(params["inspection_quota"])
        self.inspect_prob = self._planned_inspections(None)
        self.log: EventLog | None = None
        if event_log or (event_log is None
                         and get_regime(params["verification"]).records_ledger):
            self.log = EventLog()
        self._refresh_structure()
        belief0 = 1.0 - float(params["initial_compliance"])
        self.belief = self.rival_share(np.full(self.n_actors, belief0))
        self.posterior: GridPosterior | None = None
        if params["information"] == "bayesian":
            self.posterior = GridPosterior(self.n_actors, float(params["belief_prior_mean"]),
                                           float(params["belief_prior_strength"]))
            self.belief = self.posterior.mean()
        self.catastrophe_step: int | None = None
        self.takeoff_step: int | None = None
        self.payoff = np.zeros(self.n_actors)
        self.last: dict[str, np.ndarray] = {}
        self._records = np.zeros((int(params["steps"]) + 1, N_REC))
        self._belief_error = np.full(int(params["steps"]) + 1, np.nan)
        self._blocked = np.zeros((int(params["steps"]) + 1, 2))
        self._actor_bloc = np.asarray(self.world.bloc, dtype=np.int64)[self.home]
        self._bloc_paid = np.zeros((int(params["steps"]) + 1, int(self.world.bloc.max()) + 1))
        none = np.zeros(self.n_actors, dtype=bool)
        self._record(none, none, none, np.zeros(self.n_actors), 0)
        self._treaty = self._treaty_on
        self._club = self._club_on
        self._club_cost = self._club_costs() if self._club_on else np.zeros(self.n_actors)
        self._treaty_rec = np.zeros((int(params["steps"]) + 1, len(TREATY_FIELDS)))
        self._treaty_rec[0] = self._treaty_row()
        if self.log is not None:
            self._log_header()

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, Any] | None = None,
        rng: np.random.Generator | int | None = None,
        *,
        scenario: Scenario | Mapping[str, Any] | None = None,
        graph: nx.Graph | None = None,
        event_log: bool | None = None,
        **overrides: Any,
    ) -> Engine:
        """Build from raw parameter values (scenario's ``[params]`` < ``params`` < overrides).

        If no ``rng`` is given, the ``seed`` parameter seeds the run; if that is none too, a
        fresh seed is drawn and recorded in ``engine.seed``.
        """
        sc = None if scenario is None else scenario_from_mapping(scenario)
        merged = {**(dict(sc.params) if sc else {}), **dict(params or {}), **overrides}
        p = prepare_params(merged, sc, graph)
        if rng is None:
            seed = p["seed"] if p["seed"] is not None else new_seed()
            p = p.replace(seed=seed)
            rng = seed
        return cls(p, rng, scenario=sc, graph=graph, event_log=event_log)

    # ------------------------------------------------------------------ structure
    def _refresh_structure(self) -> None:
        """Recompute everything derived from capabilities, alliances and membership."""
        p = self.params
        w = self.world
        c = np.ascontiguousarray(w.capability, dtype=float)
        n = self.n_nations
        self.c = c
        self.c_total = float(c.sum())
        self.enforcement = np.bincount(self.home, weights=c, minlength=n)
        csr = w.alliances.tocsr()
        csr.sort_indices()
        self._indptr = csr.indptr.astype(np.int64)
        self._indices = csr.indices.astype(np.int64)
        self._weights_w = csr.data.astype(float)
        # rivalry denominators: sum_{m != k} v_km c_m
        den = self._rival_sum(np.ones(self.n_actors))
        self._inv_den = np.where(den > 1e-12 * self.c_total, 1.0 / np.where(den > 0, den, 1.0),
                                 0.0)
        # who learns of a violation, shielding share s_j, and the adjudicator's expected share
        # only member nations sanction (all nations are members in the core)
        e = self.enforcement * self.member
        self._member_e = e
        per_bloc = p["inspectorate"] == "per_bloc"
        if per_bloc or p["adjudication"] in ("members_vote", "great_power_veto"):
            dense = csr.toarray()
            self._learn = adjudication.learners(np.asarray(w.bloc), per_bloc)
            self._dense_w = dense
            self.shield_nation = adjudication.coalition_share(e, dense, self._learn)
        else:  # the core's global coalition, in O(nations + edges)
            others = e.sum() - e
            allied = csr @ e
            with np.errstate(invalid="ignore", divide="ignore"):
                s = np.where(others > 1e-15, (others - allied) / others, 0.0)
            self.shield_nation = np.clip(s, 0.0, 1.0)
        self.shield = self.shield_nation[self.home]
        kind = p["adjudication"]
        self.veto_powers = (adjudication.veto_powers(e, int(p["n_veto_powers"]))
                            if kind == "great_power_veto" else np.zeros(0, dtype=np.int64))
        if kind == "coalition":
            share_nation = self.shield_nation
        else:
            dense = getattr(self, "_dense_w", None)
            if dense is None:
                dense = csr.toarray()
                self._learn = adjudication.learners(np.asarray(w.bloc), per_bloc)
            share_nation = adjudication.expected_share(kind, e, dense, self._learn,
                                                       float(p["sanction_quorum"]),
                                                       self.veto_powers)
        self.sanction_share_nation = share_nation
        self.sanction_share = share_nation[self.home]
        self._voting = kind in ("members_vote", "great_power_veto")
        lam = float(p["race_pressure"])
        risk = float(p["risk_internalization"]) * float(p["risk_cost"])
        # per-unit gain: G, or under rsi=on G * (c / mean c) ** (rsi_exponent - 1)
        self.gain_unit = self._unit_gain(c)
        self._g_lam = self.gain_unit * lam
        self._free = self.gain_unit - risk
        self._gc = self.gain_unit * c
        self._gc_lam = self.gain_unit * lam * c
        # effective number of rivals (Kish) for the Bayesian likelihood
        den = self._rival_sum(np.ones(self.n_actors))
        sq = self._rival_sum(c)
        with np.errstate(invalid="ignore", divide="ignore"):
            self._n_eff = np.where(sq > 0, den * den / np.where(sq > 0, sq, 1.0), 0.0)
        self._rc = float(p["risk_cost"]) * c
        self._perfect = p["information"] == "perfect"
        # switches read every period, looked up once
        self._escalation = float(p["sanction_escalation"])
        self._risk_quota = bool(self.quota) and p["quota_allocation"] == "risk"
        self._rsi = p["rsi"] == "on"
        self._hazard = float(p["hazard_scale"])
        self._all_bound = bool(self.bound.all())
        self._refresh_costs()

    def _unit_gain(self, c: np.ndarray) -> np.ndarray:
        """Per-unit gain of defecting: ``G``, or ``G (c_k / mean c) ** (rsi_exponent - 1)``."""
        p = self.params
        G = float(p["defect_gain"])
        if p["rsi"] != "on":
            return np.full(len(c), G)
        rel = c / c.mean()
        power = float(p["rsi_exponent"]) - 1.0
        with np.errstate(divide="ignore"):
            return G * np.where(rel > 0, rel, 0.0 if power > 0 else 1.0) ** power

    def _grow(self) -> None:
        """rsi=on: defectors' capability compounds, compliers' grows safely; then renormalise."""
        p = self.params
        c = self.world.capability
        rel = c / c.mean()
        power = float(p["rsi_exponent"]) - 1.0
        with np.errstate(divide="ignore"):
            boost = np.where(rel > 0, rel, 0.0 if power > 0 else 1.0) ** power
        factor = np.where(self.defect, 1.0 + float(p["growth_rate"]) * boost,
                          1.0 + float(p["safe_growth_rate"]))
        grown = c * factor
        self.world.capability = grown / grown.sum()
        self._refresh_structure()

    def _refresh_costs(self) -> None:
        """Per-actor expected sanctions: catch probabilities, penalties, adjudication shares.

        ``pi_k = g_k * coverage * p * s_k`` for international verification (``g_k`` the
        probability of being inspected, 1 without a quota; ``s_k`` the adjudicator's expected
        share), ``pi_k = p_dom + (1 - p_dom) * that`` for a lab of a complying nation; the
        expected false-alarm cost is ``g_k * q * s_k``; the penalty is the actor's next-offence
        penalty ``F_k`` (graduated sanctions).
        """
        p = self.params
        pd = float(p["p_domestic"])
        p_eff = float(p["coverage"]) * self.p_detect
        q = float(p["p_false_alarm"])
        risk = float(p["risk_internalization"]) * float(p["risk_cost"])
        disc = float(p["discount"]) ** int(p["verification_lag"])
        F = self.penalty_next
        s = self.sanction_share
        g = self.inspect_prob
        G = self.gain_unit
        self.pi_international = g * p_eff * s
        self.pi_domestic = pd + (1.0 - pd) * self.pi_international
        self.false_alarm_cost = g * q * s
        # delta_k = G + G*lam*rho_k - cost_k, with cost_k depending on whether k's nation
        # defected last period (only a lab of a complying nation faces the domestic check).
        pi_if_complied = np.where(self.is_lab, self.pi_domestic, self.pi_international)
        disc_F = disc * F
        cost_complied = disc_F * (pi_if_complied - self.false_alarm_cost) + risk
        cost_defected = disc_F * (self.pi_international - self.false_alarm_cost) + risk
        self._base = G - cost_complied
        self._cost_jump = cost_defected - cost_complied
        self._fc = F * self.c
        self._fcs = F * self.c * s
        self._p = (pd, p_eff, q)
        self._discounted_penalty = disc_F

    def _rival_sum(self, x: np.ndarray) -> np.ndarray:
        """``sum_{m != k} v_km c_m x_m`` for every actor k (see :func:`kernels.rival_sum`)."""
        return kernels.rival_sum(x, self.c, self.home, self.n_nations, self._indptr,
                                 self._indices, self._weights_w, np.empty(self.n_actors))

    def rival_share(self, x: np.ndarray) -> np.ndarray:
        """``rho_k = sum v_km c_m x_m / sum v_km c_m`` (0 when k has no rivals), in [0, 1]."""
        return kernels.rival_share(x, self.c, self.home, self.n_nations, self._indptr,
                                   self._indices, self._weights_w, self._inv_den,
                                   np.empty(self.n_actors))

    # ------------------------------------------------------------------ the period
    def advantage(self) -> np.ndarray:
        """``delta_k`` for every actor from the current beliefs and last period's actions.

        Bound actors: ``G (1 + lam rho) - discount**L F (pi - q s) - phi r``; actors not bound
        (no active pause, or outside the treaty): ``G (1 + lam rho) - phi r``.
        """
        delta = kernels.advantage(self.belief, self.defect, self.home, self._base,
                                  self._cost_jump, self._g_lam, np.empty(self.n_actors))
        if self.pause_active and self._all_bound:
            return delta
        free = self._g_lam * self.belief + self._free
        if not self.pause_active:
            return free
        return np.where(self.bound, delta, free)

    def expected_payoffs(self, delta: np.ndarray | None = None) -> np.ndarray:
        """Expected per-unit payoffs of complying and of defecting this period, shape (2, N).

        Complying risks a false alarm (``-discount**L F q s`` for a bound actor); defecting pays
        ``G (1 + lam rho) - discount**L F pi - phi r``; their difference is ``delta``. The shared
        risk ``r R`` that everyone pays is left out of both (it cancels in every comparison).
        """
        delta = self.advantage() if delta is None else delta
        comply = -self._discounted_penalty * self.false_alarm_cost
        if not self.pause_active:
            comply = np.zeros(self.n_actors)
        elif not self._all_bound:
            comply = np.where(self.bound, comply, 0.0)
        return np.stack([comply, comply + delta])

    def _extras(self, t: int, delta: np.ndarray) -> Mapping[str, Any]:
        """The observations the rule declares in ``needs`` (see ``agents.rules.Observation``).

        Computed lazily: an observation costs nothing until the rule reads it.
        """
        def realized() -> np.ndarray:
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(self.c > 0, self.payoff / np.where(self.c > 0, self.c, 1.0),
                                0.0)

        makers: dict[str, Any] = {
            "t": lambda: t,
            "state": lambda: self.rule_state,
            "capability": lambda: self.c,
            "home": lambda: self.home,
            "is_lab": lambda: self.is_lab,
            "n_nations": lambda: self.n_nations,
            "alliances": lambda: (self._indptr, self._indices, self._weights_w),
            "expected_payoff": lambda: self.expected_payoffs(delta),
            "realized_payoff": realized,
            "caught_last": lambda: self.caught_last,
            "flagged_last": lambda: self.flagged_last,
            "rival_share": lambda: self.rival_share,
        }
        return _LazyObservations({key: makers[key] for key in self.rule.needs})

    def fixed_actions(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """The fixed-action mask at step t: (held, defect) from commitments and active events."""
        w = self.world
        held, action = w.committed, w.committed_defect
        active = [ev for ev in w.events if ev[0] <= t and (ev[1] is None or t < ev[1])]
        if active:
            held, action = held.copy(), action.copy()
            for _, _, idx, defect in active:
                held[idx] = True
                action[idx] = defect
        return held, action

    def step(self, held: Held | None = None) -> None:
        """Advance one period (DESIGN.md section 2).

        In order: negotiation, decisions, verification, sanctions, payoffs, updates, metrics.
        ``held`` replaces the model's choices for some actors and nations in this period only
        (a player's, see :class:`model.held.Held`); it never changes which numbers are drawn.

        Draws, in this order: a permutation of the actors whose first ``n_revise`` entries
        revise (not drawn when every actor revises); then, always for all N actors in actor-id
        order, N decision uniforms, N domestic-check uniforms and N international uniforms.
        After these, only when the mechanism is switched on: the rule's own draws, the
        inspection allocation of a quota (a permutation for ``random``, one uniform for
        ``capability``, none for ``risk``), the votes (an N x n_nations array) and the vetoes
        (an N x n_veto_powers array).
        """
        p = self.params
        n = self.n_actors
        rng = self.rng
        if self.t + 1 >= len(self._records):
            self._reserve(2 * len(self._records))
        self.t += 1
        t = self.t
        held = NOTHING_HELD if held is None else held
        revisers = rng.permutation(n)[: self.n_revise] if self.n_revise < n else self._everyone
        # one call, filled row by row: identical to three successive rng.random(n) draws
        uniforms, u_dom, u_int = rng.random((3, n))
        # (1) negotiation and the pause's trigger and lift (only when those mechanisms are on)
        if self._treaty:
            self._treaty_period(t, held.membership)
        # (2) decisions
        delta = self.advantage()
        obs = Observation(advantage=delta, uniforms=uniforms, defect=self.defect,
                          belief=self.belief, tolerance=self.tolerance,
                          extra=self._extras(t, delta) if self.rule.needs else {})
        new = np.asarray(self.rule.decide(obs, p, rng), dtype=bool)
        if self.n_revise < n:
            kept = self.defect.copy()
            kept[revisers] = new[revisers]
            new = kept
        if self._has_fixed:
            fixed, fixed_action = self.fixed_actions(t)
            if fixed.any():
                new = np.where(fixed, fixed_action, new)
        if held.actions:
            fixed, fixed_action = held.action_mask(n)
            new = np.where(fixed, fixed_action, new)
        # (3) verification: who is inspected, and what adjudication would make of a flag
        inspected = self._draw_inspections()
        fcs = self._fcs
        passed = vetoed = None
        if self._voting:
            share, passed = adjudication.draw_votes(
                self.home, self._member_e, self._dense_w, self._learn,
                float(p["sanction_quorum"]), rng.random((n, self.n_nations)), held.votes)
            # n_veto_powers columns always (fewer powers when fewer nations are members): the
            # stream does not depend on membership
            vetoed = adjudication.draw_vetoes(
                self.home, self._dense_w, self.veto_powers,
                rng.random((n, int(p["n_veto_powers"]))), held.votes, self._learn)
            fcs = self._fc * share * (passed & ~vetoed)
        # (3)-(6) verification, sanctions, payoffs, beliefs: one compiled pass
        bound = self.bound if self.pause_active else np.zeros(n, dtype=bool)
        caught_dom = np.empty(n, dtype=bool)
        caught_int = np.empty(n, dtype=bool)
        false_alarm = np.empty(n, dtype=bool)
        imposed = np.empty(n)
        paid = np.empty(n)
        payoff = np.empty(n)
        belief = np.empty(n)
        pd, pi, q = self._p
        # nothing changes the payoffs or beliefs between settling and recording unless club
        # costs or a Bayesian update apply: then settle and record in one compiled call
        fused = self.posterior is None and not (self._club and self.pause_active
                                                and self.in_force)
        if fused:
            kernels.settle_and_record(
                t, new, u_dom, u_int, self.home, self.is_lab, bound, inspected, pd, pi, q,
                self._fc, fcs, self.c, self._gc, self._gc_lam, self._rc, self.belief,
                self._ring, self._perfect, self._inv_den, self.n_nations, self._indptr,
                self._indices, self._weights_w, caught_dom, caught_int, false_alarm, imposed,
                paid, payoff, belief, self.pause_active, len(revisers), self._actor_bloc,
                self._records[t], self._bloc_paid[t])
        else:
            kernels.settle(
                t, new, u_dom, u_int, self.home, self.is_lab, bound, inspected, pd, pi, q,
                self._fc, fcs, self.c, self._gc, self._gc_lam, self._rc, self.belief,
                self._ring, self._perfect, self._inv_den, self.n_nations, self._indptr,
                self._indices, self._weights_w, caught_dom, caught_int, false_alarm, imposed,
                paid, payoff, belief)
        flagged = caught_int | false_alarm
        blocked_vote = blocked_veto = 0
        if passed is not None and vetoed is not None:
            blocked_veto = int((flagged & vetoed).sum())
            blocked_vote = int((flagged & ~vetoed & ~passed).sum())
        belief_used = self.belief
        if self._club and self.pause_active and self.in_force:
            payoff -= self._club_cost
        self.payoff = payoff
        if self.posterior is not None:
            coverage_p = pi * float(np.mean(self.inspect_prob))
            q_seen = q * float(np.mean(self.inspect_prob))
            self.posterior.update(self.rival_share(flagged), self._n_eff, coverage_p, q_seen,
                                  float(p["belief_forgetting"]))
            belief = self.posterior.mean()
        if not self._perfect:
            truth = self.rival_share(new)
            self._belief_error[t] = float(np.mean(np.abs(belief - truth)))
        self.belief = belief
        self.defect = new
        self.caught_last = caught_dom | caught_int
        self.flagged_last = flagged
        self.flagged_ever |= flagged
        self.last = {"advantage": delta, "revisers": revisers, "caught_domestic": caught_dom,
                     "caught_international": caught_int, "false_alarm": false_alarm,
                     "sanction_imposed": imposed, "sanction_paid": paid,
                     "belief_used": belief_used, "inspected": inspected}
        if passed is not None and vetoed is not None:
            self.last.update(vote_share=share, vote_passed=passed, vetoed=vetoed)
        # (6) updates: graduated penalties and the next period's planned inspections
        escalation = self._escalation
        if escalation > 0 and imposed.any():
            self.offences += imposed > 0
            self.penalty_next = float(p["penalty"]) * np.minimum(
                1.0 + escalation * self.offences, float(p["max_escalation"]))
            self.inspect_prob = self._planned_inspections(delta)
            self._refresh_costs()
        elif self._risk_quota:
            self.inspect_prob = self._planned_inspections(delta)
            self._refresh_costs()
        # (7) metrics
        if not fused:
            self._record(caught_dom, caught_int, false_alarm, paid, len(revisers), imposed,
                         inspected)
        if self.takeoff_step is None and self._records[t, 19] > float(p["takeoff_share"]) * \
                self.c_total:
            self.takeoff_step = t
        if self._treaty:
            self._treaty_after(t, new, flagged & (imposed > 0))
            self._treaty_rec[t] = self._treaty_row()
        # updates that change the world for the next period, and the shared hazard
        if self._rsi:
            self._grow()
        scale = self._hazard
        if scale > 0:
            rate = float(self._records[t, 2] + self._records[t, 3])  # complying capability
            defecting_share = float(np.clip(1.0 - rate / self.c_total, 0.0, 1.0))
            hazard = 1.0 - np.exp(-scale * defecting_share ** float(p["hazard_exponent"]))
            if rng.random() < hazard:
                self.catastrophe_step = t
        if self._voting:
            self._blocked[t] = (blocked_vote, blocked_veto)
        if self.log is not None:
            self._log_step(t, inspected, caught_dom, caught_int, false_alarm, imposed, paid,
                           passed, vetoed, len(revisers))

    def _reserve(self, rows: int) -> None:
        """Grow every per-step record to ``rows`` rows (runs past the ``steps`` parameter)."""
        for name in ("_records", "_blocked", "_bloc_paid", "_belief_error", "_treaty_rec"):
            old = getattr(self, name)
            if len(old) >= rows:
                continue
            grown = np.full((rows, *old.shape[1:]), np.nan if old.ndim == 1 else 0.0)
            grown[: len(old)] = old
            setattr(self, name, grown)

    def _planned_inspections(self, delta: np.ndarray | None) -> np.ndarray:
        """Each actor's probability of being inspected this period (1 without a quota).

        ``random``: ``k / N``; ``capability``: proportional to capability, capped at 1;
        ``risk``: 1 for the ``k`` actors flagged before or with the largest advantages last
        period (flagged first), else 0 (actors know where they rank).
        """
        p = self.params
        n = self.n_actors
        k = self.quota
        if k == 0 or k >= n:
            return np.ones(n)
        how = p["quota_allocation"]
        if how == "random":
            return np.full(n, k / n)
        if how == "capability":
            return adjudication.inclusion_probabilities(self.world.capability, k)
        score = np.zeros(n) if delta is None else delta
        order = np.lexsort((np.arange(n), -score, ~self.flagged_ever))
        out = np.zeros(n)
        out[order[:k]] = 1.0
        return out

    def _draw_inspections(self) -> np.ndarray:
        """Who is inspected this period (all actors without a quota)."""
        n = self.n_actors
        k = self.quota
        if k == 0 or k >= n:
            return self._all_true
        how = self.params["quota_allocation"]
        if how == "random":
            out = np.zeros(n, dtype=bool)
            out[self.rng.permutation(n)[:k]] = True
            return out
        if how == "capability":
            return adjudication.systematic_sample(self.inspect_prob, float(self.rng.random()))
        return self.inspect_prob > 0.5

    def _record(self, caught_dom: np.ndarray, caught_int: np.ndarray, false_alarm: np.ndarray,
                paid: np.ndarray, n_revised: int, imposed: np.ndarray | None = None,
                inspected: np.ndarray | None = None) -> None:
        bound = self.bound if self.pause_active else np.zeros(self.n_actors, dtype=bool)
        kernels.record(self.defect, self.is_lab, bound, self.c, caught_dom, caught_int,
                       false_alarm, paid, self.payoff, self.belief, self.pause_active,
                       n_revised, paid if imposed is None else imposed,
                       caught_dom if inspected is None else inspected, self._actor_bloc,
                       self._records[self.t], self._bloc_paid[self.t])

    def run(self, steps: int | None = None) -> RunSummary:
        """Run ``steps`` more periods (default: the ``steps`` parameter) and summarise."""
        todo = int(self.params["steps"]) if steps is None else int(steps)
        if self.t + todo + 1 > len(self._records):
            self._reserve(self.t + todo + 1)
        for _ in range(todo):
            if self.catastrophe_step is not None:
                break
            self.step()
        return self.summary()

    # ------------------------------------------------------------------ treaty
    def _initial_members(self, sc: Scenario | None) -> np.ndarray:
        """Initial member nations: the scenario's ``member`` fields, else an exact share.

        With ``initial_membership < 1`` (and no scenario membership) a permutation of the
        nations is drawn after the world's construction draws; its first
        ``round(initial_membership * n)`` are members.
        """
        n = self.world.n_nations
        p = self.params
        specs = sc.nations if sc is not None else ()
        if specs and any(s.member is not None for s in specs):
            return np.array([s.member is not False for s in specs], dtype=bool)
        share = float(p["initial_membership"])
        if share >= 1.0:
            return np.ones(n, dtype=bool)
        member = np.zeros(n, dtype=bool)
        member[self.rng.permutation(n)[: round(share * n)]] = True
        return member

    @property
    def _treaty_on(self) -> bool:
        p = self.params
        return bool(p["membership"] == "negotiated" or p["terms_rule"] != "fixed"
                    or p["trigger"] != "immediate" or p["lift"] != "never"
                    or p["betrayal_penalty"] > 0 or p["trust_building"] > 0
                    or p["entry_threshold"] > 0 or not self.member.all()
                    or self._club_on)

    @property
    def _club_on(self) -> bool:
        p = self.params
        return bool(p["outsider_penalty"] > 0 or p["verification_cost"] > 0)

    def _member_capability(self, member: np.ndarray) -> float:
        c = self.world.capability
        return float(c[member[self.world.home]].sum() / c.sum())

    def _update_in_force(self) -> None:
        share = self._member_capability(self.member)
        self.in_force = bool(self.member.any()) and share >= float(
            self.params["entry_threshold"]) - 1e-12

    def _club_costs(self) -> np.ndarray:
        """Per-actor club costs while the treaty binds.

        Verification costs for members' actors, the club penalty ``P c M_i`` for outsiders'.
        """
        p = self.params
        c = self.world.capability
        member_actor = self.member[self.home]
        dense = self.world.alliances.toarray()
        exposure = treaty.club_exposure(np.bincount(self.home, weights=c,
                                                    minlength=self.n_nations),
                                        dense, self.member)
        return np.where(member_actor,
                        float(p["verification_cost"]) * self.p_detect * c,
                        float(p["outsider_penalty"]) * c * exposure[self.home])

    def _treaty_period(self, t: int, held_membership: Mapping[int, bool]) -> None:
        """Step (1): negotiation rounds, entry into force, the pause's trigger and lift."""
        p = self.params
        structure_changed = False
        rounds = p["membership"] == "negotiated" or p["terms_rule"] != "fixed"
        if rounds and (t - 1) % int(p["negotiation_interval"]) == 0:
            if p["membership"] == "negotiated":
                order = self.rng.permutation(self.n_nations)
                for i in order:
                    held = held_membership.get(int(i))
                    self.member[i] = self.prefers_membership(int(i)) if held is None else held
            if p["terms_rule"] != "fixed":
                adopted = self._negotiate_terms()
                if not math.isnan(adopted):
                    self.p_detect = adopted
            self._diagnose()
            structure_changed = True
        if self.pause_started is None and self.pause_lifted is None:
            if (p["trigger"] == "date" and t >= int(p["trigger_step"])) or (
                    p["trigger"] == "capability"
                    and self.c.max() / self.c_total > float(p["trigger_level"])):
                self.pause_active, self.pause_started = True, t
        if self.pause_active and self.pause_started is not None:
            if (p["lift"] == "duration" and t >= self.pause_started + int(p["pause_duration"])) \
                    or (p["lift"] == "safety" and self.safety >= float(p["lift_level"])):
                self.pause_active, self.pause_lifted = False, t
        self._update_in_force()
        bound = self.member[self.home] & self.in_force & self.pause_active
        if structure_changed or not np.array_equal(bound, self.bound):
            self.bound = bound
            self._refresh_structure()
        if self._club_on:
            self._club_cost = self._club_costs()

    def negotiation_round_next(self) -> bool:
        """True when the next period opens with a membership round (``membership=negotiated``)."""
        p = self.params
        return bool(self._treaty and p["membership"] == "negotiated"
                    and self.t % int(p["negotiation_interval"]) == 0)

    def _hypothetical_payoff(self, i: int, member: np.ndarray, dense: np.ndarray) -> float:
        """Nation ``i``'s national payoff per period if the membership were ``member``."""
        p = self.params
        idx = np.flatnonzero(self.home == i)
        c = self.c[idx]
        weight = np.where(self.is_lab[idx], float(p["national_interest"]), 1.0)
        binding = (bool(member.any()) and self.pause_active
                   and self._member_capability(member) >= float(p["entry_threshold"]) - 1e-12)
        outsider_actor = ~member[self.home] if binding else np.ones(self.n_actors, bool)
        rho = self.rival_share(outsider_actor.astype(float))[idx]
        lam = float(p["race_pressure"])
        risk = float(p["risk_internalization"]) * float(p["risk_cost"])
        gain = self.gain_unit[idx] * (1.0 + lam * rho) - risk
        free = np.maximum(0.0, gain)
        if not binding:
            return float(np.sum(weight * c * free))
        e = self.enforcement
        if member[i]:
            others = member.copy()
            others[i] = False
            total = float(e[others].sum())
            s = float(e[others] @ (1.0 - dense[others, i]) / total) if total > 0 else 0.0
            if p["adjudication"] == "independent_body":
                s = 1.0 if total > 0 else 0.0
            elif p["adjudication"] != "coalition":
                s = float(self.sanction_share_nation[i])
            disc_f = float(p["discount"]) ** int(p["verification_lag"]) * self.penalty_next[idx]
            g = self.inspect_prob[idx]
            p_eff = float(p["coverage"]) * self.p_detect
            pd = float(p["p_domestic"])
            pi = np.where(self.is_lab[idx], pd + (1.0 - pd) * g * p_eff * s, g * p_eff * s)
            q_cost = g * float(p["p_false_alarm"]) * s
            u_comply = -disc_f * q_cost
            u_defect = gain - disc_f * (pi - q_cost)
            vc = float(p["verification_cost"]) * self.p_detect
            return float(np.sum(weight * c * (np.maximum(u_comply, u_defect) - vc)))
        exposure = treaty.club_exposure(e, dense, member)[i]
        return float(np.sum(weight * c * (free - float(p["outsider_penalty"]) * exposure)))

    def prefers_membership(self, i: int) -> bool:
        """Join or stay iff membership pays at least as much (others' membership fixed)."""
        dense = self.world.alliances.toarray()
        with_i = self.member.copy()
        with_i[i] = True
        without = self.member.copy()
        without[i] = False
        return self._hypothetical_payoff(i, with_i, dense) >= \
            self._hypothetical_payoff(i, without, dense) - 1e-12

    def _diagnose(self) -> None:
        """Per nation: would a member gain by leaving, would an outsider gain by joining."""
        dense = self.world.alliances.toarray()
        gain = np.zeros(self.n_nations)
        for i in range(self.n_nations):
            with_i = self.member.copy()
            with_i[i] = True
            without = self.member.copy()
            without[i] = False
            gain[i] = self._hypothetical_payoff(i, with_i, dense) - \
                self._hypothetical_payoff(i, without, dense)
        self.membership_gain = gain
        self.would_leave = self.member & (gain < -1e-12)
        self.would_join = ~self.member & (gain >= -1e-12)

    def _negotiate_terms(self) -> float:
        """Members' proposed detection and the adopted terms (see ``model.treaty``)."""
        p = self.params
        members = np.flatnonzero(self.member)
        if len(members) == 0:
            return math.nan
        lam = float(p["race_pressure"])
        risk = float(p["risk_internalization"]) * float(p["risk_cost"])
        disc_f = float(p["discount"]) ** int(p["verification_lag"]) * self.penalty_next
        g, s = self.inspect_prob, self.sanction_share
        pd = float(p["p_domestic"])
        dom = np.where(self.is_lab, pd, 0.0)
        slope = np.where(self.is_lab, 1.0 - pd, 1.0)
        a = self.gain_unit * (1.0 + lam * self.belief) - risk \
            - disc_f * (dom - g * float(p["p_false_alarm"]) * s)
        b = disc_f * g * float(p["coverage"]) * s * slope
        with np.errstate(invalid="ignore", divide="ignore"):
            needed = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.where(a > 0, 1.0, 0.0))
        needed = np.clip(needed, 0.0, 1.0)
        e = self.enforcement
        proposals = []
        for i in members:
            others = self.member[self.home] & (self.home != i)
            best = float(needed[others].max()) if others.any() else 0.0
            aversion = float(p["intrusion_aversion"]) * e[i] / e[members].max()
            proposals.append(best * (1.0 - aversion))
        self.proposals = np.array(proposals)
        return treaty.adopt_terms(self.proposals, e[members], p["terms_rule"])

    def _treaty_row(self) -> tuple[float, ...]:
        """This step's treaty record (layout :data:`TREATY_FIELDS`)."""
        dense_edges = self.world.alliances
        return (float(self.member.sum()), self._member_capability(self.member),
                float(self.in_force), self.safety, self.p_detect,
                float(dense_edges.nnz // 2), float(dense_edges.sum() / 2),
                float(self.would_leave.sum()), float(self.would_join.sum()))

    def _treaty_after(self, t: int, new: np.ndarray, sanctioned: np.ndarray) -> None:
        """Step (6) for the treaty: safety progress, betrayal and trust in alliances."""
        p = self.params
        row = self._records[t]
        if p["lift"] == "safety" and self.pause_active and row[13] > 0 and \
                row[4] / row[13] >= float(p["stability_threshold"]):
            self.safety += float(p["safety_rate"])
        n = self.n_nations
        complied = ~new[:n]
        self.comply_streak = np.where(self.member & complied, self.comply_streak + 1, 0)
        penalty, build = float(p["betrayal_penalty"]), float(p["trust_building"])
        if penalty <= 0 and build <= 0:
            return
        dense = self.world.alliances.toarray()
        before = dense.copy()
        if penalty > 0 and sanctioned.any():
            for h in np.unique(self.home[sanctioned]):
                allies = np.flatnonzero((dense[h] > 0) & complied)
                dense[allies, h] -= penalty
                dense[h, allies] -= penalty
        if build > 0:
            trusted = self.member & (self.comply_streak >= int(p["trust_window"]))
            pair = np.outer(trusted, trusted) & (dense > 0)
            dense[pair] = np.minimum(1.0, dense[pair] + build)
        dense[dense < float(p["min_alliance_weight"])] = 0.0
        np.fill_diagonal(dense, 0.0)
        if not np.array_equal(dense, before):
            self._set_alliances(dense)

    def _set_alliances(self, dense: np.ndarray) -> None:
        """Replace the alliance weights (graph and sparse matrix) and refresh."""
        import scipy.sparse as sp

        g = self.world.graph
        g.remove_edges_from(list(g.edges))
        rows, cols = np.nonzero(np.triu(dense))
        g.add_weighted_edges_from((int(i), int(j), float(dense[i, j]))
                                  for i, j in zip(rows, cols, strict=True))
        self.world.alliances = sp.csr_array(dense)
        self.alliance_changes += 1
        self._refresh_structure()

    # ------------------------------------------------------------------ outputs
    def latest(self, column: str) -> float:
        """The latest value of one time-series column (cached per step)."""
        if getattr(self, "_latest_t", -1) != self.t:
            self._latest = self._metrics(self._records[self.t: self.t + 1], self.t)
            self._latest_t = self.t
        return float(self._latest[column][0])

    def timeseries(self) -> dict[str, np.ndarray]:
        """Per-step metrics for steps 0..t (row 0 is the starting state).

        Columns (:data:`TIMESERIES_COLUMNS`): count and capability-weighted compliance (all,
        nations, labs), ``bound_compliance`` (weighted, over actors bound by an active pause;
        NaN when none), ``defecting_share`` (R_t), detections (domestic, international, both),
        false alarms, sanctions paid (G), mean and total payoff, mean belief, whether a pause
        was active, and ``holds`` (1.0 / 0.0; NaN when no pause was active).
        """
        return self._metrics(self._records[: self.t + 1], 0)

    def _metrics(self, rec: np.ndarray, first_step: int) -> dict[str, np.ndarray]:
        out = metrics_from_records(rec, self.n_nations, self.n_actors,
                                   float(self.params["stability_threshold"]), first_step)
        blocked = self._blocked[first_step: first_step + len(rec)]
        out["sanctions_blocked_by_vote"] = np.rint(blocked[:, 0]).astype(np.int64)
        out["sanctions_blocked_by_veto"] = np.rint(blocked[:, 1]).astype(np.int64)
        out["belief_error"] = self._belief_error[first_step: first_step + len(rec)].copy()
        if self._treaty:
            tr = self._treaty_rec[first_step: first_step + len(rec)]
        else:
            tr = np.tile(self._treaty_row(), (len(rec), 1))
        for i, name in enumerate(TREATY_FIELDS):
            out[name] = tr[:, i].copy()
        steps = out["step"]
        out["catastrophe"] = (steps == self.catastrophe_step).astype(np.int64)
        bloc_paid = self._bloc_paid[first_step: first_step + len(rec)]
        for b in range(bloc_paid.shape[1]):
            out[f"sanctions_paid_bloc_{b}"] = bloc_paid[:, b].copy()
        return out

    def _log_header(self) -> None:
        assert self.log is not None
        w = self.world
        self.log.append("run", 0, params=self.params.to_dict(), names=list(w.names),
                        n_nations=self.n_nations, capability=self.c, home=self.home,
                        is_lab=self.is_lab, bloc=w.bloc, seed=self.seed,
                        initial_actions="".join("1" if d else "0" for d in self.defect))

    def _log_step(self, t: int, inspected: np.ndarray, caught_dom: np.ndarray,
                  caught_int: np.ndarray, false_alarm: np.ndarray, imposed: np.ndarray,
                  paid: np.ndarray, passed: np.ndarray | None, vetoed: np.ndarray | None,
                  n_revised: int) -> None:
        """Append this period's records: inspections, detections, votes, sanctions, state."""
        log = self.log
        assert log is not None
        lag = len(self._ring) - 1
        if self.quota:
            log.append("inspection", t, actors=np.flatnonzero(inspected))
        for k in np.flatnonzero(caught_dom):
            log.append("detection", t, actor=int(k), where="domestic")
        for k in np.flatnonzero(caught_int):
            log.append("detection", t, actor=int(k), where="international")
        for k in np.flatnonzero(false_alarm):
            log.append("false_alarm", t, actor=int(k))
        flagged = caught_int | false_alarm
        if passed is not None and vetoed is not None:
            for k in np.flatnonzero(flagged):
                if vetoed[k]:
                    log.append("veto", t, actor=int(k))
                else:
                    log.append("vote", t, actor=int(k), passed=bool(passed[k]))
        for k in np.flatnonzero(imposed > 0):
            log.append("sanction", t, actor=int(k), amount=float(imposed[k]), lands=t + lag)
        log.append("state", t, actions="".join("1" if d else "0" for d in self.defect),
                   belief=self.belief, payoff=self.payoff, paid=paid,
                   pause_active=self.pause_active, n_revised=n_revised,
                   treaty=list(self._treaty_rec[t] if self._treaty else self._treaty_row()),
                   belief_error=self._belief_error[t],
                   catastrophe=self.catastrophe_step == t,
                   **({} if self._all_bound else {"bound": self.bound}))

    def close_log(self) -> str | None:
        """Close the event log (append its end record); returns the head hash."""
        if self.log is None:
            return None
        if not self.log.records or self.log.records[-1]["type"] != "end":
            self.log.close(self.t)
        return self.log.head

    def summary(self) -> RunSummary:
        """The run's outcome so far (see :class:`RunSummary`)."""
        ts = self.timeseries()
        p = self.params
        holds = ts["holds"][1:]
        active = ts["pause_active"][1:] > 0.5
        cs = collapse_step(np.nan_to_num(holds, nan=1.0) > 0.5, active,
                           int(p["collapse_patience"]))
        wc = ts["weighted_compliance"]
        return RunSummary(
            held=cs is None,
            collapse_step=cs,
            final_compliance=float(wc[-1]),
            final_bound_compliance=float(ts["bound_compliance"][-1]),
            mean_compliance=float(np.mean(wc[1:])) if self.t else float(wc[0]),
            detections=int(ts["detections"].sum()),
            false_alarms=int(ts["false_alarms"].sum()),
            sanctions_paid=float(ts["sanctions_paid"].sum()),
            total_payoff=float(ts["total_payoff"].sum()),
            steps=self.t,
            seed=self.seed,
            flags=int(ts["flags"].sum()),
            sanctions_applied=int(ts["sanctions_applied"].sum()),
            sanctions_blocked_by_vote=int(ts["sanctions_blocked_by_vote"].sum()),
            sanctions_blocked_by_veto=int(ts["sanctions_blocked_by_veto"].sum()),
            inspections=int(ts["inspections"][1:].sum()),
            sanctions_paid_by_bloc=tuple(float(x) for x in self._bloc_paid[: self.t + 1].sum(0)),
            ledger_head=None if self.log is None else self.log.head,
            ledger_records=0 if self.log is None else len(self.log),
            active_steps=int(np.sum(~np.isnan(ts["bound_compliance"][1:]))),
            catastrophe_step=self.catastrophe_step,
            takeoff_step=self.takeoff_step,
            final_leader_share=float(ts["leader_share"][-1]),
            mean_belief_error=(float(np.nanmean(ts["belief_error"][1:]))
                               if self.t and not np.all(np.isnan(ts["belief_error"][1:]))
                               else None),
        )
