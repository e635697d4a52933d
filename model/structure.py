"""What the period's formulas need from the world, computed once per change of the world.

A :class:`Structure` is derived from capabilities, alliances and treaty membership: the
rivalry weights behind ``rho`` (DESIGN.md section 2), the enforcement weights, every actor's
shielding share ``s_k``, the adjudicator's expected sanction share, the veto powers and the
per-unit gains. The engine builds a new one whenever capabilities, alliances or membership
change (``rsi`` growth, betrayal and trust, negotiation rounds) and never edits one in place.
Every sum costs O(actors + alliance edges) (``model.kernels``), except under ``per_bloc``
inspection or a vote, which need the dense alliance matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model import adjudication, kernels
from model.params import Params
from model.world import World


def unit_gain(params: Params, c: np.ndarray) -> np.ndarray:
    """Per-unit gain of defecting: ``G``, or ``G (c_k / mean c) ** (rsi_exponent - 1)``."""
    G = float(params["defect_gain"])
    if params["rsi"] != "on":
        return np.full(len(c), G)
    rel = c / c.mean()
    power = float(params["rsi_exponent"]) - 1.0
    with np.errstate(divide="ignore"):
        return G * np.where(rel > 0, rel, 0.0 if power > 0 else 1.0) ** power


def grown_capability(params: Params, capability: np.ndarray, defect: np.ndarray) -> np.ndarray:
    """``rsi=on``, one period: defectors' capability compounds, compliers' grows safely.

    A defector grows by ``1 + growth_rate (c_k / mean c) ** (rsi_exponent - 1)``, a complier by
    ``1 + safe_growth_rate``; the result is renormalised to sum to 1.
    """
    p = params
    c = capability
    rel = c / c.mean()
    power = float(p["rsi_exponent"]) - 1.0
    with np.errstate(divide="ignore"):
        boost = np.where(rel > 0, rel, 0.0 if power > 0 else 1.0) ** power
    factor = np.where(
        defect, 1.0 + float(p["growth_rate"]) * boost, 1.0 + float(p["safe_growth_rate"])
    )
    grown = c * factor
    return grown / grown.sum()


class Structure:
    """The world as the period's formulas see it (read-only once built).

    Attributes:
        c: Capabilities (contiguous float array).
        c_total: Their sum.
        enforcement: ``e_i``, each nation's capability with its labs'.
        member_e: ``e_i`` of member nations, 0 for outsiders.
        shield_nation: ``s_j`` per nation: the share of the learning members' enforcement not
            allied with ``j`` (who learns of a violation: everyone, or the bloc under
            ``per_bloc``).
        shield: ``s_k`` per actor (its home nation's).
        sanction_share_nation: The adjudication rule's expected share of a flag's sanction per
            nation (``shield_nation`` under ``coalition``; ``model/adjudication/``).
        sanction_share: The same per actor.
        veto_powers: The nations holding a veto (``great_power_veto``; only members).
        voting: True when sanctions are voted on (the rule's ``votes``: ``members_vote``,
            ``great_power_veto``).
        learn: ``learn[h, v]``: does nation ``v`` learn of a violation by nation ``h``'s
            actors (None when not needed).
        dense_w: The dense alliance matrix (None when not needed).
        gain_unit: Per-unit gain of defecting, ``G`` (``rsi`` scales it with capability).
        n_eff: Effective number of rivals (Kish), for the Bayesian likelihood.
    """

    def __init__(self, params: Params, world: World, member: np.ndarray) -> None:
        p = params
        c = np.ascontiguousarray(world.capability, dtype=float)
        n = world.n_nations
        self.home = world.home
        self.n_nations = n
        self.n_actors = world.n_actors
        self.c = c
        self.c_total = float(c.sum())
        self.enforcement = np.bincount(self.home, weights=c, minlength=n)
        csr = world.alliances.tocsr()
        csr.sort_indices()
        self.indptr = csr.indptr.astype(np.int64)
        self.indices = csr.indices.astype(np.int64)
        self.weights = csr.data.astype(float)
        # rivalry denominators: sum_{m != k} v_km c_m
        den = self.rival_sum(np.ones(self.n_actors))
        self.inv_den = np.where(den > 1e-12 * self.c_total, 1.0 / np.where(den > 0, den, 1.0), 0.0)
        # who learns of a violation, shielding share s_j, and the adjudicator's expected share;
        # only member nations sanction (all nations are members in the core)
        e = self.enforcement * member
        self.member_e = e
        per_bloc = p["inspectorate"] == "per_bloc"
        rule = adjudication.get_adjudication(p["adjudication"])
        self.learn: np.ndarray | None = None
        self.dense_w: np.ndarray | None = None
        if per_bloc or rule.votes:
            self.dense_w = csr.toarray()
            self.learn = adjudication.learners(np.asarray(world.bloc), per_bloc)
            self.shield_nation = adjudication.coalition_share(e, self.dense_w, self.learn)
        else:  # the core's global coalition, in O(nations + edges)
            others = e.sum() - e
            allied = csr @ e
            with np.errstate(invalid="ignore", divide="ignore"):
                s = np.where(others > 1e-15, (others - allied) / others, 0.0)
            self.shield_nation = np.clip(s, 0.0, 1.0)
        self.shield = self.shield_nation[self.home]
        self.veto_powers = rule.veto_powers(p, e)
        dense = self.dense_w
        if rule.dense and dense is None:
            dense = csr.toarray()
            self.learn = adjudication.learners(np.asarray(world.bloc), per_bloc)
        share_nation = rule.sanction_share(
            p, self.shield_nation, e, dense, self.learn, self.veto_powers
        )
        self.sanction_share_nation = share_nation
        self.sanction_share = share_nation[self.home]
        self.voting = rule.votes
        lam = float(p["race_pressure"])
        risk = float(p["risk_internalization"]) * float(p["risk_cost"])
        self.gain_unit = unit_gain(p, c)
        # the kernels' per-actor factors: G lam, G - phi r, G c, G lam c, r c
        self.g_lam = self.gain_unit * lam
        self.free = self.gain_unit - risk
        self.gc = self.gain_unit * c
        self.gc_lam = self.gain_unit * lam * c
        self.rc = float(p["risk_cost"]) * c
        # effective number of rivals (Kish) for the Bayesian likelihood
        den = self.rival_sum(np.ones(self.n_actors))
        sq = self.rival_sum(c)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.n_eff = np.where(sq > 0, den * den / np.where(sq > 0, sq, 1.0), 0.0)

    @property
    def alliances(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The alliance matrix in CSR form: ``(indptr, indices, weights)``."""
        return self.indptr, self.indices, self.weights

    def rival_sum(self, x: np.ndarray) -> np.ndarray:
        """``sum_{m != k} v_km c_m x_m`` for every actor k (see :func:`kernels.rival_sum`)."""
        return kernels.rival_sum(
            x,
            self.c,
            self.home,
            self.n_nations,
            self.indptr,
            self.indices,
            self.weights,
            np.empty(self.n_actors),
        )

    def rival_share(self, x: np.ndarray) -> np.ndarray:
        """``rho_k = sum v_km c_m x_m / sum v_km c_m`` (0 when k has no rivals), in [0, 1].

        ``x`` is passed as float64 (actions as 0.0 and 1.0, the same products), the one type
        the kernel is compiled for.
        """
        return kernels.rival_share(
            np.asarray(x, dtype=np.float64),
            self.c,
            self.home,
            self.n_nations,
            self.indptr,
            self.indices,
            self.weights,
            self.inv_den,
            np.empty(self.n_actors),
        )

    def member_capability(self, member: np.ndarray) -> float:
        """Capability share of the actors of ``member`` nations."""
        return float(self.c[member[self.home]].sum() / self.c.sum())


class StructureCache:
    """Structures already built, reused by engines built again and again on one world.

    A sweep with common seeds builds hundreds of engines on the same world (the same
    capability, home, bloc and alliance objects) with different parameters, most of which a
    :class:`Structure` never reads. :meth:`get` builds a structure once per world, membership
    and values of the parameters it reads (noted while building it), and hands the same
    object to every engine that asks with the same; structures are never edited in place, so
    sharing one is the same as building it again. Worlds are told apart by the identity of
    their arrays, which the cache keeps alive (so an identity is never reused while cached).

    Args:
        size: Worlds kept (least recently used dropped first).
    """

    def __init__(self, size: int = 64) -> None:
        from collections import OrderedDict

        self.size = size
        self._worlds: OrderedDict[tuple[int, ...], tuple[tuple[Any, ...], list[Any]]] = (
            OrderedDict()
        )

    def get(self, params: Params, world: World, member: np.ndarray) -> Structure:
        """The structure of ``world`` under ``params`` and ``member`` (built or reused)."""
        from model.params import RecordingParams

        parts = (world.capability, world.home, world.is_lab, world.alliances, world.bloc)
        key = tuple(id(x) for x in parts)
        hit = self._worlds.get(key)
        if hit is None:
            hit = (parts, [])
            self._worlds[key] = hit
            while len(self._worlds) > self.size:
                self._worlds.popitem(last=False)
        else:
            self._worlds.move_to_end(key)
        member_key = member.tobytes()
        for names, values, m, structure in hit[1]:
            if m == member_key and tuple(params[n] for n in names) == values:
                return structure
        recording = RecordingParams(params)
        structure = Structure(recording, world, member)
        names = tuple(sorted(recording.seen))
        hit[1].append((names, tuple(params[n] for n in names), member_key, structure))
        return structure
