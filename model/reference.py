"""The per-agent reference: one period of DESIGN.md section 2 as an idiomatic Mesa agent loop.

Every actor is a :class:`RefActor` holding its own Python floats and bools; each computes its own
advantage of defecting, decision, detection, sanction, payoff and belief from per-nation
aggregates the model gathers with plain loops. Nothing here is shared with the vectorised engine
(``model.engine``) or the rule functions (``agents.rules``): the world comes from
:func:`model.world.build_world`, so the construction draws are the same, and the period is written
again from the design. The tests hold the two equal draw for draw; the benchmarks use this as the
idiomatic Mesa baseline.

Only the core game is covered: every nation is a member, the pause is always active, and the
``best_response`` and ``logit`` rules are supported.

Example:
    >>> from model.reference import ReferenceModel
    >>> m = ReferenceModel(7, p_detect=0.5, n_nations=4, n_labs=8)
    >>> for _ in range(3):
    ...     m.step()
    >>> m.defect.shape
    (12,)
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import mesa
import networkx as nx
import numpy as np

from model.params import resolve_run
from model.scenario import Scenario, scenario_from_mapping
from model.world import World, build_world

#: Ties comply: an actor defects only if its advantage exceeds this times (G + F).
TIE_TOLERANCE = 1e-12

#: The decision rules the reference implements.
RULES = ("best_response", "logit")


def logit_probability(advantage: float, beta: float, tolerance: float) -> float:
    """``1 / (1 + exp(-beta * delta))``, an advantage within ``tolerance`` counting as 0.

    Written so that ``math.exp`` never overflows (its argument is never positive).
    """
    if abs(advantage) <= tolerance:
        advantage = 0.0
    x = beta * advantage
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class RefActor(mesa.Agent):
    """A nation's own programme or a lab, deciding for itself each period.

    Attributes:
        index: Actor id (nations first, then labs), the position in every per-actor array.
        capability: World capability share c_k.
        home: Home nation index h(k) (a nation is its own home).
        is_lab: True for a lab.
        defect: The current action (True = defect).
        belief: rho_k, the believed defection share of k's rivals.
        payoff: This period's realised payoff.
        rival_weight: ``sum_{m != k} v_km c_m``, the denominator of every rival share.
    """

    def __init__(
        self,
        model: ReferenceModel,
        index: int,
        capability: float,
        home: int,
        is_lab: bool,
        defect: bool,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.capability = capability
        self.home = home
        self.is_lab = is_lab
        self.defect = defect
        self.proposal = defect
        self.belief = 0.0
        self.advantage = 0.0
        self.payoff = 0.0
        self.rival_weight = 0.0
        self.caught_domestic = False
        self.caught_international = False
        self.false_alarm = False
        self.sanction_imposed = 0.0
        self.sanction_paid = 0.0
        self.signal = 0.0
        self.pending: deque[float] = deque([0.0] * model.lag)

    # ------------------------------------------------------------------ helpers
    @property
    def nation(self) -> RefActor:
        """The actor of k's home nation (itself for a nation)."""
        return self.model.actors[self.home]

    def rival_sum(
        self,
        mass: Sequence[float],
        own: float,
        nation_own: float,
        total: float,
        allied: Sequence[float],
    ) -> float:
        """``sum_{m != k} v_km c_m x_m`` from per-nation sums of ``c_m x_m``.

        Args:
            mass: Per nation, ``sum c_m x_m`` over the nation and its labs.
            own: ``c_k x_k``.
            nation_own: ``c_m x_m`` of k's home nation's own programme.
            total: ``sum`` of ``mass``.
            allied: Per nation j, ``sum_i w(i, j) * mass_i``.
        """
        others = total - allied[self.home]  # every actor, allies discounted by (1 - w)
        if self.is_lab:
            # its own nation is no rival; the nation's other labs are full rivals
            return others - (own + nation_own)
        # a nation's own labs are no rivals
        return others - mass[self.home]

    def rival_share(self, numerator: float) -> float:
        """``numerator / rival_weight`` clipped to [0, 1] (0 when k has no rivals)."""
        if self.rival_weight <= 1e-12 * self.model.total_capability:
            return 0.0
        return min(1.0, max(0.0, numerator / self.rival_weight))

    # ------------------------------------------------------------------ the period
    def compute_advantage(self) -> float:
        """delta_k from k's belief and its nation's action last period (DESIGN.md section 2)."""
        p = self.model.p
        s = self.model.shield[self.home]
        if self.is_lab and not self.nation.defect:
            # checked at home first, then internationally if not caught there
            catch = p["p_domestic"] + (1.0 - p["p_domestic"]) * p["p_detect"] * s
        else:
            catch = p["p_detect"] * s
        gain = p["defect_gain"] * (1.0 + p["race_pressure"] * self.belief)
        expected_sanction = (
            p["discount"] ** p["verification_lag"] * p["penalty"] * (catch - p["p_false_alarm"] * s)
        )
        self.advantage = gain - expected_sanction - p["risk_internalization"] * p["risk_cost"]
        return self.advantage

    def decide(self, revisers: set[int], u_dec: Sequence[float]) -> None:
        """Propose this period's action; only revisers may change theirs."""
        delta = self.compute_advantage()
        if self.index not in revisers:
            self.proposal = self.defect
            return
        model = self.model
        if model.rule == "best_response":
            self.proposal = delta > model.tolerance
        else:
            prob = logit_probability(delta, model.p["beta"], model.tolerance)
            self.proposal = bool(u_dec[self.index] < prob)

    def adopt(self, fixed: Mapping[int, bool]) -> None:
        """Take the proposed action, unless committed or held by an event."""
        self.defect = fixed.get(self.index, self.proposal)

    def verify(self, u_dom: Sequence[float], u_int: Sequence[float]) -> None:
        """Detection this period, and the sanction it imposes (landing ``lag`` periods later)."""
        p = self.model.p
        s = self.model.shield[self.home]
        i = self.index
        shielded_by_nation = self.nation.defect
        self.caught_domestic = (
            self.is_lab and self.defect and not shielded_by_nation and u_dom[i] < p["p_domestic"]
        )
        self.caught_international = (
            self.defect and not self.caught_domestic and u_int[i] < p["p_detect"]
        )
        self.false_alarm = (not self.defect) and u_int[i] < p["p_false_alarm"]
        if self.caught_domestic:
            imposed = p["penalty"] * self.capability
        elif self.caught_international or self.false_alarm:
            imposed = p["penalty"] * self.capability * s
        else:
            imposed = 0.0
        self.sanction_imposed = imposed
        self.pending.append(imposed)
        self.sanction_paid = self.pending.popleft()
        # what the others learn: the action itself (perfect information), or only an
        # international flag, caught or falsely alarmed (detected; domestic catches stay private)
        if p["information"] == "perfect":
            self.signal = float(self.defect)
        else:
            self.signal = float(self.caught_international or self.false_alarm)

    def realise(self, defecting_share: float) -> None:
        """This period's payoff: gain if defecting, minus sanctions landing, minus shared risk."""
        p = self.model.p
        c = self.capability
        gain = (
            p["defect_gain"] * c * (1.0 + p["race_pressure"] * self.belief) if self.defect else 0.0
        )
        self.payoff = gain - self.sanction_paid - p["risk_cost"] * c * defecting_share

    def update_belief(self, mass: Sequence[float], total: float, allied: Sequence[float]) -> None:
        """New belief from this period's public signal (``mass`` = per-nation ``c_m b_m``)."""
        model = self.model
        nation = self.nation
        share = self.rival_share(
            self.rival_sum(
                mass,
                self.capability * self.signal,
                nation.capability * nation.signal,
                total,
                allied,
            )
        )
        if model.p["information"] == "perfect":
            self.belief = share
            return
        p, q = model.p["p_detect"], model.p["p_false_alarm"]
        if p > q:
            self.belief = min(1.0, max(0.0, (share - q) / (p - q)))


class ReferenceModel(mesa.Model):
    """The core game as an idiomatic Mesa model of :class:`RefActor` agents.

    Args:
        rng: Integer seed (with the same seed, the same trajectory as ``model.engine.Engine``).
        scenario: A scenario mapping or :class:`Scenario`; its ``[params]`` are overridden by
            keyword arguments.
        graph: An explicit alliance graph.
        **params: Schema parameters.

    Attributes (per-actor arrays in actor-id order, read from the agents when accessed):
        defect, belief, payoff, advantage, caught_domestic, caught_international, false_alarm,
        sanction_imposed, sanction_paid; and ``revisers``, the actor ids that revised.
    """

    def __init__(
        self,
        rng: int,
        scenario: Scenario | Mapping[str, Any] | None = None,
        graph: nx.Graph | None = None,
        **params: Any,
    ) -> None:
        super().__init__(rng=rng)
        sc = None if scenario is None else scenario_from_mapping(scenario)
        self.params = resolve_run(params, sc, graph, draw_seed=False)
        self.p: dict[str, Any] = self.params.to_dict()  # plain dict: cheap look-ups per agent
        if self.p["decision_rule"] not in RULES:
            raise ValueError(
                f"the reference implements {', '.join(RULES)}, not {self.p['decision_rule']!r}"
            )
        self.rule = self.p["decision_rule"]
        self.lag = int(self.p["verification_lag"])
        self.tolerance = TIE_TOLERANCE * (self.p["defect_gain"] + self.p["penalty"])
        self.world: World = build_world(self.params, self.rng, scenario=sc, graph=graph)
        w = self.world
        self.n_nations = w.n_nations
        self.t = 0

        # one agent per actor, in actor-id order (AgentSet keeps insertion order)
        self.actors: list[RefActor] = [
            RefActor(
                self,
                k,
                float(w.capability[k]),
                int(w.home[k]),
                bool(w.is_lab[k]),
                bool(w.initial_defect[k]),
            )
            for k in range(w.n_actors)
        ]
        rate = self.p["revision_rate"]
        self.n_revise = 1 if rate == "one" else max(1, round(rate * len(self.actors)))
        self.total_capability = sum(a.capability for a in self.actors)
        self.graph: nx.Graph = w.graph
        # alliance ties per nation as (ally, weight) lists, read once from the graph
        self.allies: list[list[tuple[int, float]]] = [
            [(int(i), float(d["weight"])) for i, d in self.graph.adj[j].items()]
            for j in range(self.n_nations)
        ]

        # enforcement weights e_i and shielding s_j (static in the core)
        enforcement = self.nation_sums(lambda a: a.capability)
        e_total = sum(enforcement)
        self.shield: list[float] = []
        for j in range(self.n_nations):
            others = e_total - enforcement[j]
            allied = sum(wt * enforcement[i] for i, wt in self.allies[j])
            s = (others - allied) / others if others > 1e-15 else 0.0
            self.shield.append(min(1.0, max(0.0, s)))

        # rivalry denominators, then the initial beliefs from 1 - initial_compliance
        allied_enforcement = self.allied_sums(enforcement)
        for a in self.actors:
            a.rival_weight = a.rival_sum(
                enforcement, a.capability, a.nation.capability, e_total, allied_enforcement
            )
        b0 = 1.0 - self.p["initial_compliance"]
        mass = self.nation_sums(lambda a: a.capability * b0)
        allied_mass = self.allied_sums(mass)
        for a in self.actors:
            a.belief = a.rival_share(
                a.rival_sum(
                    mass, a.capability * b0, a.nation.capability * b0, sum(mass), allied_mass
                )
            )
        self.revisers = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ aggregates
    def nation_sums(self, value: Any) -> list[float]:
        """Per nation, ``value(actor)`` summed over the nation and its labs."""
        sums = [0.0] * self.n_nations
        for a in self.actors:
            sums[a.home] += value(a)
        return sums

    def allied_sums(self, mass: Sequence[float]) -> list[float]:
        """Per nation j, ``sum_i w(i, j) * mass_i`` over j's alliance ties."""
        return [sum(wt * mass[i] for i, wt in ties) for ties in self.allies]

    def fixed_actions(self) -> dict[int, bool]:
        """Actor id -> held action, from commitments and then events active at step t."""
        w = self.world
        fixed = {k: bool(w.committed_defect[k]) for k in range(w.n_actors) if w.committed[k]}
        for start, end, idx, defect in w.events:
            if start <= self.t and (end is None or self.t < end):
                for k in idx:
                    fixed[int(k)] = bool(defect)
        return fixed

    # ------------------------------------------------------------------ the period
    def step(self) -> None:
        """One period: decisions, verification, sanctions, payoffs, beliefs (in that order)."""
        self.t += 1
        n = len(self.actors)
        # (1) negotiation: none in the core.
        # (2) decisions: the revision subset (the first n_revise of a random permutation; no
        # draw when everyone revises), then one decision uniform per actor
        if self.n_revise < n:
            revisers = self.rng.permutation(n)[: self.n_revise]
        else:
            revisers = np.arange(n)
        u_dec = self.rng.random(n)
        self.agents.do("decide", set(revisers.tolist()), u_dec.tolist())
        self.agents.do("adopt", self.fixed_actions())
        # (3)-(4) verification draws, domestic then international, and sanctions
        u_dom = self.rng.random(n)
        u_int = self.rng.random(n)
        self.agents.do("verify", u_dom.tolist(), u_int.tolist())
        # (5) realised payoffs with R_t, the capability share defecting this period
        defecting = sum(a.capability for a in self.actors if a.defect)
        self.agents.do("realise", defecting / self.total_capability)
        # (6) beliefs from this period's public signals (capabilities, alliances fixed)
        mass = self.nation_sums(lambda a: a.capability * a.signal)
        self.agents.do("update_belief", mass, sum(mass), self.allied_sums(mass))
        # (7) metrics: read from the agents on demand (the properties below)
        self.revisers = revisers

    # ------------------------------------------------------------------ per-actor results
    def column(self, name: str, dtype: type = float) -> np.ndarray:
        """One agent attribute for every actor, in actor-id order."""
        return np.array(self.agents.get(name), dtype=dtype)

    @property
    def defect(self) -> np.ndarray:
        """Actions this period (True = defect)."""
        return self.column("defect", bool)

    @property
    def belief(self) -> np.ndarray:
        """Beliefs after this period's update (used next period)."""
        return self.column("belief")

    @property
    def payoff(self) -> np.ndarray:
        """Realised payoffs this period."""
        return self.column("payoff")

    @property
    def advantage(self) -> np.ndarray:
        """delta_k as seen when deciding this period."""
        return self.column("advantage")

    @property
    def caught_domestic(self) -> np.ndarray:
        """Labs caught by their own (complying) nation this period."""
        return self.column("caught_domestic", bool)

    @property
    def caught_international(self) -> np.ndarray:
        """Defectors caught by international verification this period."""
        return self.column("caught_international", bool)

    @property
    def false_alarm(self) -> np.ndarray:
        """Compliers wrongly flagged this period."""
        return self.column("false_alarm", bool)

    @property
    def sanction_imposed(self) -> np.ndarray:
        """Sanctions imposed this period (landing ``verification_lag`` periods later)."""
        return self.column("sanction_imposed")

    @property
    def sanction_paid(self) -> np.ndarray:
        """Sanctions landing (paid) this period."""
        return self.column("sanction_paid")
