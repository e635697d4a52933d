"""The batched path's compiled kernel: many runs advanced a block of periods at once.

:func:`advance_block` runs, for each run of a batch and each period, the month that
:meth:`model.engine.Engine.step` runs when the treaty's own rules are off, through the same
compiled code: the advantage (:func:`model.kernels.month_advantage`), the rule's compiled
decision (``Rule.compiled``, :mod:`agents.rules._compiled`), the revisers and fixed actions,
then verification, sanctions, payoffs, beliefs and the record
(:func:`model.kernels.settle_month`) and step (6)'s updates. The runs' arrays come
stacked (index ``[r]`` is run r) in the engine's own named tuples (:class:`model.kernels.World`,
:class:`model.kernels.Stakes`) and in the ones below.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, types
from numba.extending import (
    NativeValue,
    models,
    overload,
    register_model,
    typeof_impl,
    unbox,
)

from agents.rules import get_rule
from model.kernels import (
    Gains,
    Stakes,
    World,
    month_advantage,
    rho,
    settle_month,
)


class Block(NamedTuple):
    """A block's draws, per run and period.

    Attributes:
        uniforms: ``(runs, periods, 3, N)``: decision, domestic and international uniforms.
        revise: ``(runs, periods, N)``: who revises (empty when everyone always does).
        fixed: ``(runs, periods, N)``: whose action is fixed (empty without fixed actions).
        fixed_action: The fixed actions.
        use_revise: Whether ``revise`` is read.
        use_fixed: Whether ``fixed`` is read.
    """

    uniforms: np.ndarray
    revise: np.ndarray
    fixed: np.ndarray
    fixed_action: np.ndarray
    use_revise: bool
    use_fixed: bool


class Runs(NamedTuple):
    """Each run's switches and per-actor amounts the block does not change.

    Attributes:
        bound: Bound by the treaty, ``(runs, N)``.
        all_bound: Every actor is bound.
        active: A pause is active.
        n_revised: Actors revising per period.
        tolerance: The rule's tie tolerance.
        param: The rule's compiled parameter.
        fcs: What a flag costs each actor.
    """

    bound: np.ndarray
    all_bound: np.ndarray
    active: np.ndarray
    n_revised: np.ndarray
    tolerance: np.ndarray
    param: np.ndarray
    fcs: np.ndarray


class State(NamedTuple):
    """The runs' state, read and left as the engines' own steps would leave it."""

    defect: np.ndarray
    belief: np.ndarray
    payoff: np.ndarray
    ring: np.ndarray
    flagged_ever: np.ndarray
    caught_last: np.ndarray
    flagged_last: np.ndarray


class Last(NamedTuple):
    """The last period's outputs (``Engine.last``), ``(runs, N)`` each."""

    delta: np.ndarray
    new: np.ndarray
    belief_used: np.ndarray
    caught_dom: np.ndarray
    caught_int: np.ndarray
    false_alarm: np.ndarray
    imposed: np.ndarray
    paid: np.ndarray


class Rows(NamedTuple):
    """Where the block's records go: ``(runs, periods, ...)``.

    ``error`` and ``payoff`` are per actor, ``(runs, periods, N)``, or ``(runs, 0, N)`` when
    not wanted: the belief errors (information not perfect) and the realised payoffs
    (:func:`model.batched.advance` with ``payoffs``).
    """

    rows: np.ndarray
    bloc_rows: np.ndarray
    error: np.ndarray
    payoff: np.ndarray


class RuleKey:
    """A decision rule's name as a kernel argument: numba types it by the name.

    :func:`advance_block` is compiled (and cached) once per rule, with that rule's compiled
    decision, found in the registry by name when it compiles.
    """

    def __init__(self, name: str) -> None:
        self.name = name


class RuleKeyType(types.Dummy):
    """The numba type of a :class:`RuleKey`: one type per rule name (stable across processes)."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(name=f"RuleKey({rule})")


@typeof_impl.register(RuleKey)
def _typeof_rule_key(val: RuleKey, c: object) -> RuleKeyType:
    return RuleKeyType(val.name)


register_model(RuleKeyType)(models.OpaqueModel)


@unbox(RuleKeyType)
def _unbox_rule_key(typ: RuleKeyType, obj: object, c: object) -> NativeValue:
    return NativeValue(c.context.get_dummy_value())  # type: ignore[attr-defined]


def rule_term(rule: RuleKey, advantage: float, param: float) -> float:
    """The compiled ``term`` of the rule named ``rule`` (``Rule.compiled``), in compiled code."""
    raise NotImplementedError("only in compiled code")


def rule_decides(rule: RuleKey, uniform: float, advantage: float, term: float, tol: float) -> bool:
    """The compiled ``decide`` of the rule named ``rule`` (``Rule.compiled``), in compiled code."""
    raise NotImplementedError("only in compiled code")


def _compiled(rule: types.Type) -> object:
    if not isinstance(rule, RuleKeyType):
        return None
    compiled = get_rule(rule.rule).compiled
    if compiled is None:
        raise ValueError(f"rule {rule.rule!r} has no compiled decision")
    return compiled


@overload(rule_term)
def _rule_term(rule, advantage, param):  # type: ignore[no-untyped-def]  # pragma: no cover
    compiled = _compiled(rule)
    if compiled is None:
        return None
    term = compiled.term  # type: ignore[attr-defined]
    return lambda rule, advantage, param: term(advantage, param)


@overload(rule_decides)
def _rule_decides(rule, uniform, advantage, term, tol):  # type: ignore[no-untyped-def]  # pragma: no cover
    compiled = _compiled(rule)
    if compiled is None:
        return None
    decide = compiled.decide  # type: ignore[attr-defined]
    return lambda rule, uniform, advantage, term, tol: decide(uniform, advantage, term, tol)


@njit(cache=True, nogil=True)
def run_world(w, r):  # pragma: no cover
    """Run ``r``'s :class:`World` from the stacked one."""
    return World(
        w.home[r],
        w.is_lab[r],
        w.c[r],
        w.c_total[r],
        w.n_nations,
        w.indptr[r],
        w.indices[r],
        w.weights[r],
        w.inv_den[r],
        w.actor_bloc[r],
        w.perfect[r],
    )


@njit(cache=True, nogil=True)
def run_stakes(s, r):  # pragma: no cover
    """Run ``r``'s :class:`Stakes` from the stacked one."""
    return Stakes(
        s.p_dom[r],
        s.p_eff[r],
        s.p_false[r],
        s.fc[r],
        s.gc[r],
        s.gc_lam[r],
        s.rc[r],
    )


@njit(cache=True, nogil=True)
def advance_block(
    t0, n_steps, block, state, worlds, stakes, gains, runs, last, rows, rule
):  # pragma: no cover
    """Advance every run ``r`` of the batch ``n_steps`` periods from step ``t0``.

    ``rule`` (a :class:`RuleKey`) names the decision rule of every run of the call; its
    compiled decision (``Rule.compiled``, ``agents/rules/_compiled.py``) is looked up in the
    rule registry when this kernel is compiled for that rule (once per rule, and cached).
    ``rows`` receives the periods' records (and the per-actor belief errors when information
    is not perfect, the per-actor payoffs when asked), ``last`` the last period's outputs.
    """
    n_runs = state.defect.shape[0]
    n = state.defect.shape[1]
    inspected = np.ones(n, dtype=np.bool_)
    nobody = np.zeros(n, dtype=np.bool_)
    no_row = np.empty(0)
    new_belief = np.empty(n)
    truth = np.empty(n)
    terms = np.empty(n)
    acted = np.empty(n)
    settles = n_runs >= 0  # True, typed bool (a constant would be typed Literal[bool])
    for r in range(n_runs):
        w = run_world(worlds, r)
        world = (
            w.home,
            w.is_lab,
            w.c,
            w.c_total,
            w.n_nations,
            w.indptr,
            w.indices,
            w.weights,
            w.inv_den,
            w.actor_bloc,
            w.perfect,
        )
        s = run_stakes(stakes, r)
        g = Gains(gains.base[r], gains.jump[r], gains.g_lam[r], gains.free[r])
        d = last.delta[r]
        nw = last.new[r]
        bel = state.belief[r]
        act = state.defect[r]
        active = runs.active[r]
        bnd = runs.bound[r] if active else nobody
        tol = runs.tolerance[r]
        # Under perfect information, once a period's beliefs are rho of its actions, a period
        # in which nobody changes action leaves beliefs, and so the advantage and the rule's
        # terms, exactly as they were: they are kept instead of computed again (same bits).
        stands = False
        for j in range(n_steps):
            t = t0 + 1 + j
            if not stands:  # (2) the advantage, as Engine.advantage
                month_advantage(bel, act, w.home, g, bnd, active, runs.all_bound[r], d)
                for k in range(n):
                    terms[k] = rule_term(rule, d[k], runs.param[r])
            u = block.uniforms[r, j]
            u0 = u[0]
            unchanged = settles  # True, typed bool like the single-run path's
            for k in range(n):
                v = rule_decides(rule, u0[k], d[k], terms[k], tol)
                if block.use_revise and not block.revise[r, j, k]:
                    v = act[k]
                if block.use_fixed and block.fixed[r, j, k]:
                    v = block.fixed_action[r, j, k]
                nw[k] = v
                if v != act[k]:
                    unchanged = False
            # beliefs are rho of last period's actions from the second period of the call on
            belief_stands = w.perfect and j > 0 and unchanged
            # (3)-(5) and next beliefs, recorded (after a block's first period, the columns
            # that cannot have changed are copied from the previous period's record)
            # plain tuples and a non-constant ``settles``: the very argument types of the
            # single-run path's call (model.kernels.settle_and_record), so settle_month is
            # compiled once for both paths instead of once each
            settle_month(
                (nw, bnd, inspected, active, runs.n_revised[r], unchanged),
                (t, u[1], u[2], runs.fcs[r], bel, state.ring[r], belief_stands),
                world,
                (s.p_dom, s.p_eff, s.p_false, s.fc, s.gc, s.gc_lam, s.rc),
                (
                    last.caught_dom[r],
                    last.caught_int[r],
                    last.false_alarm[r],
                    last.imposed[r],
                    last.paid[r],
                    state.payoff[r],
                    new_belief,
                    rows.rows[r, j],
                    rows.bloc_rows[r, j],
                    rows.rows[r, j - 1] if j > 0 else no_row,
                ),
                settles,
            )
            if rows.payoff.shape[1] > 0:
                for k in range(n):
                    rows.payoff[r, j, k] = state.payoff[r, k]
            # (6) updates
            if not w.perfect:
                for k in range(n):  # as floats: rival_share's one specialisation
                    acted[k] = 1.0 if nw[k] else 0.0
                rho(acted, w, truth)
                for k in range(n):
                    rows.error[r, j, k] = abs(new_belief[k] - truth[k])
            if j == n_steps - 1:  # what only the last period leaves behind
                for k in range(n):
                    last.belief_used[r, k] = bel[k]
                    ci = last.caught_int[r, k]
                    state.caught_last[r, k] = last.caught_dom[r, k] or ci
                    state.flagged_last[r, k] = ci or last.false_alarm[r, k]
            for k in range(n):
                bel[k] = new_belief[k]
                act[k] = nw[k]
                if last.caught_int[r, k] or last.false_alarm[r, k]:
                    state.flagged_ever[r, k] = True
            stands = belief_stands
