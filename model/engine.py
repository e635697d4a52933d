"""The vectorised game engine: one period of DESIGN.md section 2 for all actors at once.

State lives in numpy arrays indexed by actor id (nations first, then labs) and alliances in a
scipy.sparse matrix; a step costs O(actors + alliance edges). The engine holds a run's state;
the month's steps, in order, are in ``model/month.py`` (``Engine.step`` runs them), and each
part of a period lives in its own module:

- the payoff (the advantage of defecting): ``model/payoffs.py``;
- what the formulas read of the world (rivalry, shielding, sanction shares): ``model/structure.py``;
- the treaty (membership, entry into force, trigger and lift, terms, trust): ``model/treaty.py``;
- inspections and graduated penalties: ``model/inspections.py``; votes and vetoes:
  ``model/adjudication/``; the compiled advantage and settle-and-record pass (the batched
  path runs the same): ``model/kernels.py``;
- the per-step records and time series: ``model/records.py``, ``model/metrics.py``; the run's
  outcome: ``model/outcomes.py``; the event log: ``model/ledger.py``;
- decision rules: ``agents/rules/``; a player's choices: ``model/held.py``.

``model/ODD.md`` states every formula as implemented, and ``model/reference.py`` re-implements
the same period as an idiomatic Mesa agent loop; the tests hold the two equal draw for draw.

Example:
    >>> from model.engine import Engine
    >>> summary = Engine.from_params({"p_detect": 0.9, "penalty": 12.0}, rng=7).run()
    >>> summary.held, summary.steps
    (True, 120)
    >>> Engine.from_params({"p_detect": 0.5}, rng=7).run().collapse_step
    1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from agents.rules import TIE_TOLERANCE, get_rule
from model import kernels, month
from model.beliefs import GridPosterior
from model.held import Held
from model.inspections import Inspectorate
from model.kernel_view import KernelView, read_only
from model.ledger import EventLog
from model.metrics import TIMESERIES_COLUMNS, TREATY_FIELDS, Records
from model.negotiation.session import (
    Agreement,
    log_negotiation,
    negotiate,
    negotiation_columns,
    negotiation_seed,
    round_tuples,
)
from model.negotiation.shared import ValuationCache
from model.outcomes import SUMMARY_COLUMNS, RunSummary, collapse_step, summarize
from model.params import Params, ledger_params, resolve_run
from model.params.negotiation import TERMS_RULE
from model.payoffs import Costs
from model.pledges import Pledges
from model.scenario import Scenario, scenario_from_mapping
from model.structure import Structure, StructureCache
from model.transfers import Payments, transfers_column
from model.treaty import Treaty
from model.verification import get_regime
from model.world import World, build_world

__all__ = [
    "TIMESERIES_COLUMNS",
    "Engine",
    "RunSummary",
    "collapse_step",
    "make_rng",
    "revision_count",
]


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


class _Part:
    """An attribute of one of the engine's parts: ``engine.c`` is ``engine.structure.c``."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return getattr(getattr(obj, self.part), self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(getattr(obj, self.part), self.name, value)


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
        structures: Reuse structures built on the same world
            (:class:`model.structure.StructureCache`; for sweeps that build many engines on
            one world). The numbers are the same either way.
        valuations: Share the negotiation's theory valuations with earlier engines whose
            valuation inputs are identical (:class:`model.negotiation.shared.ValuationCache`;
            for sweeps). The numbers are the same either way.
    """

    # the parts' state, read through the engine (``engine.c`` is ``engine.structure.c``)
    c = _Part("structure")
    enforcement = _Part("structure")
    shield = _Part("structure")
    shield_nation = _Part("structure")
    sanction_share = _Part("structure")
    sanction_share_nation = _Part("structure")
    veto_powers = _Part("structure")
    gain_unit = _Part("structure")
    member = _Part("treaty")
    in_force = _Part("treaty")
    pause_active = _Part("treaty")
    p_detect = _Part("treaty")
    proposals = _Part("treaty")
    alliance_changes = _Part("treaty")
    membership_gain = _Part("treaty")
    would_leave = _Part("treaty")
    would_join = _Part("treaty")
    safety = _Part("treaty")
    pause_started = _Part("treaty")
    pause_lifted = _Part("treaty")
    comply_streak = _Part("treaty")
    penalty_next = _Part("inspectorate")
    offences = _Part("inspectorate")
    inspect_prob = _Part("inspectorate")
    flagged_ever = _Part("inspectorate")
    quota = _Part("inspectorate")
    pi_international = _Part("costs")
    pi_domestic = _Part("costs")
    false_alarm_cost = _Part("costs")

    def __init__(
        self,
        params: Params,
        rng: np.random.Generator | int | None = None,
        *,
        scenario: Scenario | Mapping[str, Any] | None = None,
        graph: nx.Graph | None = None,
        world: World | None = None,
        event_log: bool | None = None,
        structures: StructureCache | None = None,
        valuations: ValuationCache | None = None,
    ) -> None:
        self.params = params
        self._structures = structures
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else params["seed"]
        self.rng = make_rng(rng)
        sc = None if scenario is None else scenario_from_mapping(scenario)
        self.world = (
            world if world is not None else build_world(params, self.rng, scenario=sc, graph=graph)
        )
        self.rule = get_rule(params["decision_rule"])
        w = self.world
        self.n_nations, self.n_actors = w.n_nations, w.n_actors
        self.home, self.is_lab = w.home, w.is_lab
        self.t = 0
        self.defect = w.initial_defect.copy()
        #: The run's negotiation (``protocol`` other than ``terms_rule``; None: none).
        self.agreement: Agreement | None = None
        #: The parameters as given (``params`` holds the adopted terms after a negotiation).
        self.given_params = params
        if params["protocol"] != TERMS_RULE:
            self.agreement = negotiate(
                params, w, sc, negotiation_seed(self.rng), valuations=valuations
            )
            if self.agreement.terms:
                params = params.replace(**self.agreement.terms)
                self.params = params
        self.treaty = Treaty(params, w, sc, self.rng, self.agreement)
        #: What the members paid for the layers in each month they were charged (ODD 3.6).
        self.verification_spend: dict[int, float] = {}
        #: The agreed transfers paid in the months (``model.transfers``; None: none agreed).
        self.payments = Payments.of(self.agreement, params)
        #: The nations' pledges before each month (``model.pledges``; None: ``pledges = off``).
        self.pledges = Pledges.of(params, self.n_nations)
        self.bound = self.treaty.bound(self.home)
        self.n_revise = revision_count(params["revision_rate"], self.n_actors)
        self.rule_state: dict[str, Any] = {}
        #: Actors whose leadership turned pause-sceptic (``model.shocks``; None: none ever).
        self.sceptic: np.ndarray | None = None
        self.caught_last = np.zeros(self.n_actors, dtype=bool)
        self.flagged_last = np.zeros(self.n_actors, dtype=bool)
        self.tolerance = TIE_TOLERANCE * (params["defect_gain"] + params["penalty"])
        self._ring = np.zeros((int(params["verification_lag"]) + 1, self.n_actors))
        self._everyone = np.arange(self.n_actors)
        # the last period was settled and recorded in one kernel call (model.month.settle)
        self._fused = True
        self._has_fixed = bool(w.committed.any() or w.events)
        # switches read every period, looked up once
        self._perfect = params["information"] == "perfect"
        self._rsi = params["rsi"] == "on"
        self._hazard_scale = float(params["hazard_scale"])
        self._takeoff_share = float(params["takeoff_share"])
        self.inspectorate = Inspectorate(params, w.capability)
        self.log: EventLog | None = None
        if event_log or (event_log is None and get_regime(params["verification"]).records_ledger):
            self.log = EventLog()
        self._actor_bloc = np.asarray(w.bloc, dtype=np.int64)[self.home]
        self._rebuild()
        belief0 = 1.0 - float(params["initial_compliance"])
        self.belief = self.rival_share(np.full(self.n_actors, belief0))
        self.posterior: GridPosterior | None = None
        if params["information"] == "bayesian":
            self.posterior = GridPosterior(
                self.n_actors,
                float(params["belief_prior_mean"]),
                float(params["belief_prior_strength"]),
            )
            self.belief = self.posterior.mean()
        self.catastrophe_step: int | None = None
        self.takeoff_step: int | None = None
        self.payoff = np.zeros(self.n_actors)
        self.last: dict[str, np.ndarray] = {}
        self.records = Records(int(params["steps"]), int(w.bloc.max()) + 1)
        none = np.zeros(self.n_actors, dtype=bool)
        month.record(self, none, none, none, np.zeros(self.n_actors), 0, None, None)
        self._club_cost = (
            self.treaty.club_costs(w) if self.treaty.club_on else np.zeros(self.n_actors)
        )
        self.records.treaty[0] = self.treaty.row(w)
        if self.log is not None:
            self.log.append(
                "run",
                0,
                params=ledger_params(self.given_params.to_dict()),
                names=list(w.names),
                n_nations=self.n_nations,
                capability=self.c,
                home=self.home,
                is_lab=self.is_lab,
                bloc=w.bloc,
                seed=self.seed,
                initial_actions="".join("1" if d else "0" for d in self.defect),
            )
            if self.agreement is not None:
                log_negotiation(self.log, self.agreement)

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
        fresh seed is drawn and recorded in ``engine.seed`` (:func:`model.params.resolve_run`).
        """
        sc = None if scenario is None else scenario_from_mapping(scenario)
        p = resolve_run({**dict(params or {}), **overrides}, sc, graph, draw_seed=rng is None)
        return cls(
            p, p["seed"] if rng is None else rng, scenario=sc, graph=graph, event_log=event_log
        )

    # ------------------------------------------------------------------ structure
    def _rebuild(self) -> None:
        """Rebuild what the formulas read of the world, then the expected sanctions."""
        if self._structures is None:
            self.structure = Structure(self.params, self.world, self.treaty.member)
        else:
            self.structure = self._structures.get(self.params, self.world, self.treaty.member)
        self._all_bound = bool(self.bound.all())
        st = self.structure
        self._world = kernels.World(
            self.home,
            self.is_lab,
            st.c,
            kernels.total(st.c),
            self.n_nations,
            st.indptr,
            st.indices,
            st.weights,
            st.inv_den,
            self._actor_bloc,
            self._perfect,
        )
        self._world_flat = tuple(self._world)
        self._recost()

    def _recost(self) -> None:
        """Recompute every actor's expected sanctions (:class:`model.payoffs.Costs`)."""
        st = self.structure
        self.costs = Costs(
            self.params,
            self.treaty.p_detect,
            self.inspectorate.penalty_next,
            st.sanction_share,
            self.inspectorate.inspect_prob,
            st.gain_unit,
            self.is_lab,
            st.c,
            None
            if self.payments is None
            else self.payments.bond(self.treaty.member, self.n_actors),
        )
        c = self.costs
        self._stakes = kernels.Stakes(
            c.p_domestic,
            c.p_effective,
            c.p_false_alarm,
            c.fc,
            st.gc,
            st.gc_lam,
            st.rc,
        )
        self._stakes_flat = tuple(self._stakes)
        self._gains = kernels.Gains(c.base, c.jump, st.g_lam, st.free)

    def recost(self) -> None:
        """Recompute every actor's expected sanctions after a caller changed what they read.

        For code that drives an engine from outside (:mod:`model.inspector` sets an inspection
        quota between periods): the inspectorate's probabilities or penalties, or the treaty's
        detection probability. The next period's advantage uses the new costs.
        """
        self._recost()

    def kernel_view(self) -> KernelView:
        """The run's arrays and switches as its compiled kernels read them (frozen)."""
        compiled = self.rule.compiled
        param = 0.0
        if compiled is not None and compiled.param is not None:
            param = float(self.params[compiled.param])
        return KernelView(
            world=self._world,
            stakes=self._stakes,
            gains=self._gains,
            fcs=read_only(self.costs.fcs),
            bound=read_only(self.bound),
            pause_active=bool(self.treaty.pause_active),
            all_bound=self._all_bound,
            tolerance=self.tolerance,
            n_revise=self.n_revise,
            everyone=read_only(self._everyone),
            has_fixed=self._has_fixed,
            ring=read_only(self._ring),
            decision=compiled,
            param=param,
            takeoff_share=self._takeoff_share,
            rsi=self._rsi,
            hazard_scale=self._hazard_scale,
        )

    def set_pending_sanctions(self, ring: np.ndarray) -> None:
        """Replace the sanctions pending, ``(L + 1, N)`` (a batched run's, written back)."""
        if ring.shape != self._ring.shape:
            raise ValueError(f"pending sanctions of shape {ring.shape}, not {self._ring.shape}")
        self._ring = np.array(ring, dtype=float)

    def rival_share(self, x: np.ndarray) -> np.ndarray:
        """``rho_k = sum v_km c_m x_m / sum v_km c_m`` (0 when k has no rivals), in [0, 1]."""
        return self.structure.rival_share(x)

    # ------------------------------------------------------------------ the period
    def advantage(self, belief: np.ndarray | None = None) -> np.ndarray:
        """``delta_k`` for every actor from the current beliefs and last period's actions.

        Bound actors: ``G (1 + lam rho) - discount**L F (pi - q s) - phi r``; actors not bound
        (no active pause, or outside the treaty): ``G (1 + lam rho) - phi r``
        (:mod:`model.payoffs`). ``belief``: the ``rho`` decided on (default ``self.belief``).
        """
        belief = self.belief if belief is None else belief
        out = np.empty(self.n_actors)
        active = self.treaty.pause_active
        if active and self._all_bound:  # the common case, in the fewest arguments
            g = self._gains
            return kernels.advantage(belief, self.defect, self.home, g.base, g.jump, g.g_lam, out)
        return kernels.month_advantage(
            belief, self.defect, self.home, tuple(self._gains), self.bound, active, False, out
        )

    def expected_payoffs(self, delta: np.ndarray | None = None) -> np.ndarray:
        """Expected per-unit payoffs of complying and of defecting this period, shape (2, N).

        Complying risks a false alarm (``-discount**L F q s`` for a bound actor); defecting pays
        ``G (1 + lam rho) - discount**L F pi - phi r``; their difference is ``delta``. The shared
        risk ``r R`` that everyone pays is left out of both (it cancels in every comparison).
        """
        delta = self.advantage() if delta is None else delta
        comply = -self.costs.discounted * self.costs.false_alarm_cost
        if not self.pause_active:
            comply = np.zeros(self.n_actors)
        elif not self._all_bound:
            comply = np.where(self.bound, comply, 0.0)
        return np.stack([comply, comply + delta])

    def fixed_actions(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """The fixed-action mask at step t (:meth:`model.world.World.fixed_actions`)."""
        return self.world.fixed_actions(t)

    def negotiation_round_next(self) -> bool:
        """True when the next period opens with a membership round (``membership=negotiated``)."""
        return self.treaty.membership_round_at(self.t + 1)

    def prefers_membership(self, i: int) -> bool:
        """Would nation ``i`` join or stay now (others' membership fixed; ``model.treaty``)."""
        return self.treaty.prefers_membership(
            i, self.structure, self.world, self.inspect_prob, self.penalty_next
        )

    @property
    def club_cost(self) -> np.ndarray:
        """Each actor's club cost this month, as the treaty last set it (read-only).

        Members pay verification dues, outsiders a penalty; zeros without a club.
        """
        view = self._club_cost.view()
        view.flags.writeable = False
        return view

    @property
    def sanctions_due(self) -> np.ndarray:
        """Each actor's earlier sanctions falling due now (read-only).

        The ``verification_lag`` ring's slot at this month; zeros without a lag.
        """
        view = self._ring[self.t % len(self._ring)].view()
        view.flags.writeable = False
        return view

    def step(self, held: Held | None = None) -> None:
        """Advance one period (DESIGN.md section 2): :func:`model.month.step`, the month's steps.

        ``held`` replaces the model's choices for some actors and nations in this period only
        (a player's, :class:`model.held.Held`); it never changes which numbers are drawn.
        """
        month.step(self, held)

    def _set_alliances(self, dense: np.ndarray) -> None:
        """Replace the alliance weights (a new graph and sparse matrix) and rebuild.

        The old graph is left as it was (a world may share it with other engines' worlds).
        """
        old = self.world.graph
        g = nx.Graph(**old.graph)
        g.add_nodes_from(old.nodes(data=True))
        rows, cols = np.nonzero(np.triu(dense))
        g.add_weighted_edges_from(
            (int(i), int(j), float(dense[i, j])) for i, j in zip(rows, cols, strict=True)
        )
        self.world.graph = g
        self.world.alliances = sp.csr_array(dense)
        self._rebuild()

    def run(self, steps: int | None = None) -> RunSummary:
        """Run ``steps`` more periods (default: the ``steps`` parameter) and summarise."""
        todo = int(self.params["steps"]) if steps is None else int(steps)
        if self.t + todo + 1 > len(self.records):
            self.records.reserve(self.t + todo + 1)
        for _ in range(todo):
            if self.catastrophe_step is not None:
                break
            self.step()
        return self.summary()

    # ------------------------------------------------------------------ outputs
    def latest(self, column: str) -> float:
        """The latest value of one time-series column (cached per step)."""
        if getattr(self, "_latest_t", -1) != self.t:
            self._latest = self._series(self.t, self.t + 1)
            self._latest_t = self.t
        return float(self._latest[column][0])

    def timeseries(self) -> dict[str, np.ndarray]:
        """Per-step metrics for steps 0..t (row 0 is the starting state).

        Columns (:data:`TIMESERIES_COLUMNS`): count and capability-weighted compliance (all,
        nations, labs), ``bound_compliance`` (weighted, over actors bound by an active pause;
        NaN when none), ``defecting_share`` (R_t), detections (domestic, international, both),
        false alarms, sanctions paid (G), mean and total payoff, mean belief, whether a pause
        was active, and ``holds`` (1.0 / 0.0; NaN when no pause was active). A negotiated run
        adds ``proposer``, ``yes_votes``, ``agreed`` and ``transfers_paid`` (model/ODD.md 3.9);
        a run with pledges ``pledged_comply``, ``breaches`` and ``breaches_detected``, and
        ``mean_trust`` under ``pledge_binding = reviewed`` (3.10); a run whose layers cost
        something ``verification_spend`` (G a month the members paid for them, 3.6).
        """
        series = self._series(0, self.t + 1)
        if self.agreement is not None:
            series.update(negotiation_columns(round_tuples(self.agreement), self.t + 1))
            paid = {} if self.payments is None else self.payments.paid
            series["transfers_paid"] = transfers_column(paid, 0, self.t + 1)
        if self.pledges is not None:
            series.update(self.pledges.columns(0, self.t + 1))
        if self.treaty.layer_costs is not None:
            series["verification_spend"] = self._spend_column()
        return series

    def _spend_column(self) -> np.ndarray:
        """The ``verification_spend`` column, steps 0..t (0 where the members paid nothing)."""
        spend = self.verification_spend
        return np.array([spend.get(t, 0.0) for t in range(self.t + 1)])

    def _series(
        self,
        first: int,
        stop: int,
        columns: tuple[str, ...] | None = None,
        base: Mapping[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        treaty_off = not self.treaty.on and (
            columns is None or any(c in TREATY_FIELDS for c in columns)
        )
        return self.records.series(
            first,
            stop,
            self.n_nations,
            self.n_actors,
            float(self.params["stability_threshold"]),
            self.catastrophe_step,
            self.treaty.row(self.world) if treaty_off else None,
            columns,
            base,
        )

    def close_log(self) -> str | None:
        """Close the event log (append its end record); returns the head hash."""
        if self.log is None:
            return None
        if not self.log.records or self.log.records[-1]["type"] != "end":
            self.log.close(self.t)
        return self.log.head

    def summary(self, base: Mapping[str, np.ndarray] | None = None) -> RunSummary:
        """The run's outcome so far (see :class:`model.outcomes.RunSummary`).

        ``base``: the summary's columns of steps 0..t already computed from this run's records
        (``model.batched.summaries`` does it for many runs at once).
        """
        return summarize(
            self._series(0, self.t + 1, SUMMARY_COLUMNS, base),
            patience=int(self.params["collapse_patience"]),
            steps=self.t,
            seed=self.seed,
            bloc_paid=self.records.bloc_paid[: self.t + 1],
            ledger_head=None if self.log is None else self.log.head,
            ledger_records=0 if self.log is None else len(self.log),
            catastrophe_step=self.catastrophe_step,
            takeoff_step=self.takeoff_step,
            verification_spend=(
                None if self.treaty.layer_costs is None else float(np.sum(self._spend_column()))
            ),
        )
