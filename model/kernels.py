"""Compiled per-period kernels of the engine (numba), each O(actors + alliance edges).

These loops are the formulas of DESIGN.md section 2 written per actor, compiled with numba so a
period at 130 actors costs microseconds rather than the ~50 numpy calls it takes vectorised.
They draw no random numbers: the engine draws every uniform with the run's numpy Generator and
passes them in, so the stream is the one ``model/ODD.md`` describes.

Both engine paths run a month through the same compiled code here: the advantage is
:func:`month_advantage`; verification (the catch rule), sanctions, payoffs, the shared risk,
next period's beliefs and the period's record are :func:`settle_month`. The single run
(:func:`model.month.step`) calls them once a period (through :func:`settle_and_record`; a
record alone is :func:`record`); the batched sweep path (:func:`model.batched_kernel.advance_block`)
calls them on each run's rows. A change to the catch rule, the belief update or the record is
made once, in :func:`settle_month`.

Arguments travel in named tuples (:class:`Acts`, :class:`Period`, :class:`World`,
:class:`Stakes`, :class:`Outcome`). From Python they are passed as plain tuples of the same
fields (``tuple(world)``) and named again inside (``World(*world)``): numba types a plain tuple
argument in C but a named tuple in Python (about 0.25 us a field, a tenth of a period at 130
actors). Few, large compiled functions: each one compiled costs the first run on a machine.

Compiled code is cached beside this file (``__pycache__``), so only the first import on a
machine pays the compilation (a few seconds).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numba import njit

from model.records import Rec


class Acts(NamedTuple):
    """The period's actions and who answers for them.

    Attributes:
        new: This period's actions (True = defect).
        bound: Bound by an active pause (all False when no pause is active).
        inspected: Inspected this period.
        pause_active: Whether a pause is active (recorded).
        n_revised: How many actors revised (recorded).
        unchanged: Nobody changed action since the period of ``Outcome.prev_row``.
    """

    new: np.ndarray
    bound: np.ndarray
    inspected: np.ndarray
    pause_active: bool
    n_revised: int
    unchanged: bool


class Period(NamedTuple):
    """The period's step, draws and carried state.

    Attributes:
        t: The step.
        u_dom: The domestic-check uniforms.
        u_int: The international uniforms.
        fcs: What a flag costs each actor (``F c s``, or the vote's amount).
        belief: The beliefs the actors decided on.
        ring: Sanctions pending, ``(L + 1, N)``; slot ``t mod (L + 1)`` is paid this period.
        belief_stands: ``belief`` is already ``rho`` of this period's actions (perfect
            information, nobody changed action): it is copied instead of summed again.
    """

    t: int
    u_dom: np.ndarray
    u_int: np.ndarray
    fcs: np.ndarray
    belief: np.ndarray
    ring: np.ndarray
    belief_stands: bool


class World(NamedTuple):
    """What a period reads of the world; the engine builds it again when the world changes.

    Attributes:
        home: Home nation of each actor.
        is_lab: True for labs.
        c: Capabilities.
        c_total: Their sum (:func:`total`, the kernels' order of additions).
        n_nations: Number of nations (actors ``0..n_nations-1``).
        indptr: Alliance CSR row pointers.
        indices: Alliance CSR column indices.
        weights: Alliance CSR weights.
        inv_den: ``1 / sum_m v_km c_m`` (0 without rivals).
        actor_bloc: Each actor's bloc.
        perfect: ``information=perfect``.
    """

    home: np.ndarray
    is_lab: np.ndarray
    c: np.ndarray
    c_total: float
    n_nations: int
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    inv_den: np.ndarray
    actor_bloc: np.ndarray
    perfect: bool


class Stakes(NamedTuple):
    """What actions cost and gain (from :class:`model.payoffs.Costs` and the structure).

    Attributes:
        p_dom: ``p_domestic``.
        p_eff: The effective international detection probability.
        p_false: The false-alarm probability.
        fc: ``F_k c_k``, a domestic catch's sanction.
        gc: ``G c``.
        gc_lam: ``G lam c``.
        rc: ``r c``.
    """

    p_dom: float
    p_eff: float
    p_false: float
    fc: np.ndarray
    gc: np.ndarray
    gc_lam: np.ndarray
    rc: np.ndarray


class Gains(NamedTuple):
    """The advantage of defecting, less its belief term (:func:`month_advantage`).

    Attributes:
        base: The advantage of a bound actor whose nation complied, before ``G lam rho``.
        jump: What a bound actor's advantage loses when its nation defected last period.
        g_lam: ``G lam``.
        free: ``G - phi r``, the advantage of an actor not bound, before ``G lam rho``.
    """

    base: np.ndarray
    jump: np.ndarray
    g_lam: np.ndarray
    free: np.ndarray


class Outcome(NamedTuple):
    """Where a period's results go (filled by the kernels).

    Attributes:
        caught_dom: Caught at home.
        caught_int: Caught internationally.
        false_alarm: Flagged while complying.
        imposed: Sanctions imposed this period.
        paid: Sanctions paid this period.
        payoff: Realised payoffs.
        belief: Next period's beliefs.
        row: The period's record (columns :class:`model.records.Rec`).
        bloc_row: Sanctions paid per bloc.
        prev_row: The previous period's record when the columns that cannot have changed are
            copied from it (the batched path after a block's first period); empty otherwise.
    """

    caught_dom: np.ndarray
    caught_int: np.ndarray
    false_alarm: np.ndarray
    imposed: np.ndarray
    paid: np.ndarray
    payoff: np.ndarray
    belief: np.ndarray
    row: np.ndarray
    bloc_row: np.ndarray
    prev_row: np.ndarray


#: ``Outcome.prev_row`` when every column is summed.
NO_ROW = np.empty(0)


@njit(cache=True, nogil=True)
def total(x):  # pragma: no cover
    """``sum_k x_k`` in actor order (``World.c_total``; the record's belief and payoff sums)."""
    s = 0.0
    for k in range(x.shape[0]):
        s += x[k]
    return s


@njit(cache=True, nogil=True)
def rival_sum(x, c, home, n_nations, indptr, indices, weights, out):  # pragma: no cover
    """``out[k] = sum_{m != k} v_km c_m x_m`` from per-nation aggregates.

    ``A_j`` sums ``c x`` over nation j's actors; ``T_j = sum_i A_i - sum_i w_ji A_i``. A nation's
    sum is ``T_j - A_j`` (its own labs are not its rivals); a lab's is ``T_h - c_h x_h - c_k x_k``
    (every actor but itself and its nation's programme; other labs of its nation are rivals).
    """
    n = c.shape[0]
    agg = np.zeros(n_nations)
    # actors of one nation are mostly contiguous (labs are sorted by home): sum each run in a
    # register instead of chaining stores to the same element
    cur = home[0] if n else 0
    acc = 0.0
    for k in range(n):
        h = home[k]
        if h != cur:
            agg[cur] += acc
            cur = h
            acc = 0.0
        acc += c[k] * x[k]
    if n:
        agg[cur] += acc
    total = 0.0
    for j in range(n_nations):
        total += agg[j]
    t = np.empty(n_nations)
    for j in range(n_nations):
        allied = 0.0
        for e in range(indptr[j], indptr[j + 1]):
            allied += weights[e] * agg[indices[e]]
        t[j] = total - allied
    for k in range(n_nations):
        out[k] = t[k] - agg[k]
    for k in range(n_nations, n):
        h = home[k]
        out[k] = t[h] - c[h] * x[h] - c[k] * x[k]
    return out


@njit(cache=True, nogil=True)
def rival_share(x, c, home, n_nations, indptr, indices, weights, inv_den, out):  # pragma: no cover
    """``rho_k = rival_sum(x) / rival_sum(1)``, 0 without rivals, clipped to [0, 1]."""
    rival_sum(x, c, home, n_nations, indptr, indices, weights, out)
    for k in range(out.shape[0]):
        v = out[k] * inv_den[k]
        out[k] = 0.0 if v < 0.0 else (1.0 if v > 1.0 else v)
    return out


@njit(cache=True, nogil=True)
def rho(x, w, out):  # pragma: no cover
    """:func:`rival_share` of ``x`` on the world ``w`` (a :class:`World`)."""
    return rival_share(x, w.c, w.home, w.n_nations, w.indptr, w.indices, w.weights, w.inv_den, out)


@njit(cache=True, nogil=True)
def advantage(belief, defect, home, base, jump, g_lam, out):  # pragma: no cover
    """``delta_k = G + G lam rho_k - cost_k`` for every actor (every actor bound).

    ``cost_k`` jumps by ``jump_k`` when k's nation defected last period (``base = G - cost``
    when it complied).
    """
    for k in range(belief.shape[0]):
        v = base[k] + g_lam[k] * belief[k]
        if defect[home[k]]:
            v -= jump[k]
        out[k] = v
    return out


@njit(cache=True, nogil=True)
def month_advantage(belief, defect, home, gains, bound, active, all_bound, out):  # pragma: no cover
    """Step (2)'s advantage ``delta_k`` for every actor (``gains``: a :class:`Gains`).

    Bound actors (an active pause): ``G (1 + lam rho) - discount**L F (pi - q s) - phi r``
    (:func:`advantage`); actors not bound: ``G lam rho + (G - phi r)``.
    """
    g = Gains(*gains)
    if active:
        advantage(belief, defect, home, g.base, g.jump, g.g_lam, out)
        if all_bound:
            return out
    for k in range(belief.shape[0]):
        if not (active and bound[k]):
            out[k] = g.g_lam[k] * belief[k] + g.free[k]
    return out


@njit(cache=True, nogil=True)
def settle_month(acts, period, world, stakes, out, settles):  # pragma: no cover
    """Steps (3)-(6) of a period after the decisions, and its record.

    Returns the defecting capability. The arguments are :class:`Acts`, :class:`Period`,
    :class:`World`, :class:`Stakes` and :class:`Outcome`, named or as plain tuples of their
    fields (from Python). With ``settles`` False only the record is summed, from ``out`` as
    given (``period`` and ``stakes`` unread).

    (3) Only bound actors are checked. A defecting lab of a complying nation is caught at home
    if ``u_dom < p_dom`` (pays ``F c``, ``stakes.fc``); otherwise an inspected defector is
    caught internationally if ``u_int < p_eff`` (``p_eff`` is the effective
    ``coverage * p_detect``); an inspected complier is flagged if ``u_int < q``; either pays
    ``period.fcs``. (4) Sanctions go into slot ``(t + L) mod (L + 1)`` of ``ring`` and slot
    ``t mod (L + 1)`` is paid and emptied. (5) ``payoff = gain - paid - r c R``. (6) Beliefs
    for next period: ``information=perfect`` uses this period's actions; ``detected`` uses the
    flags, ``rho = clip((f - q) / (p - q), 0, 1)`` when ``p > q``, unchanged otherwise
    (``period.belief_stands``: the beliefs are already ``rho`` of this period's actions, as
    under perfect information when nobody changed action: copied, the same numbers).

    The record (columns :class:`model.records.Rec`): with ``out.prev_row`` (the batched path
    after a block's first period) a column is summed only when its terms can differ from that
    period's: capability, inspections and the switches are copied, the columns of actions
    when ``acts.unchanged`` and ``belief_sum`` when ``period.belief_stands``. Every sum is the
    same additions in the same order either way, so the record is the same bits.
    """
    a, w, o = Acts(*acts), World(*world), Outcome(*out)
    p, s = Period(*period), Stakes(*stakes)
    n = a.new.shape[0]
    row, bloc_row = o.row, o.bloc_row
    defecting = 0.0
    dom = intl = fa_n = flags = applied = paid_sum = 0.0
    for i in range(bloc_row.shape[0]):
        bloc_row[i] = 0.0
    cur_bloc = w.actor_bloc[0] if n else 0
    bloc_acc = 0.0
    size = p.ring.shape[0]
    put = (p.t + size - 1) % size
    take = p.t % size
    for k in range(n):
        if settles:  # (3)-(5) before the shared risk
            d = a.new[k]
            cd = False
            ci = False
            fa = False
            if a.bound[k]:
                if d:
                    if w.is_lab[k] and not a.new[w.home[k]] and p.u_dom[k] < s.p_dom:
                        cd = True
                    elif a.inspected[k] and p.u_int[k] < s.p_eff:
                        ci = True
                elif a.inspected[k] and p.u_int[k] < s.p_false:
                    fa = True
            o.caught_dom[k] = cd
            o.caught_int[k] = ci
            o.false_alarm[k] = fa
            amount = s.fc[k] if cd else (p.fcs[k] if (ci or fa) else 0.0)
            o.imposed[k] = amount
            p.ring[put, k] += amount
            pk = p.ring[take, k]
            o.paid[k] = pk
            p.ring[take, k] = 0.0
            if d:
                defecting += w.c[k]
                o.payoff[k] = s.gc[k] + s.gc_lam[k] * p.belief[k] - pk
            else:
                o.payoff[k] = -pk
        else:  # the outcome as given
            cd, ci, fa = o.caught_dom[k], o.caught_int[k], o.false_alarm[k]
            amount, pk = o.imposed[k], o.paid[k]
        # the record's columns of the draws, branch-free
        cif = 1.0 if ci else 0.0
        fkf = 1.0 if fa else 0.0
        dom += 1.0 if cd else 0.0
        intl += cif
        fa_n += fkf
        flags += cif + fkf - cif * fkf
        applied += 1.0 if amount > 0.0 else 0.0
        paid_sum += pk
        # actors of one bloc are mostly contiguous: each run summed in a register
        b = w.actor_bloc[k]
        if b != cur_bloc:
            bloc_row[cur_bloc] += bloc_acc
            cur_bloc = b
            bloc_acc = 0.0
        bloc_acc += pk
    if n:
        bloc_row[cur_bloc] += bloc_acc
    pay_sum = 0.0
    if settles:  # (5) the shared risk, then (6) next period's beliefs
        share = defecting / w.c_total
        for k in range(n):
            o.payoff[k] -= s.rc[k] * share
            pay_sum += o.payoff[k]
        if w.perfect and p.belief_stands:
            for k in range(n):
                o.belief[k] = p.belief[k]
        elif w.perfect:
            # the actions as 0.0 and 1.0 (c_m times True is c_m times 1.0, the same number):
            # rival_share is compiled for float64 alone, as every other caller passes
            acted = np.empty(n)
            for k in range(n):
                acted[k] = 1.0 if a.new[k] else 0.0
            rival_share(
                acted, w.c, w.home, w.n_nations, w.indptr, w.indices, w.weights, w.inv_den, o.belief
            )
        elif s.p_eff > s.p_false:
            flagged = np.empty(n)
            for k in range(n):
                flagged[k] = 1.0 if (o.caught_int[k] or o.false_alarm[k]) else 0.0
            rival_share(
                flagged,
                w.c,
                w.home,
                w.n_nations,
                w.indptr,
                w.indices,
                w.weights,
                w.inv_den,
                o.belief,
            )
            for k in range(n):
                v = (o.belief[k] - s.p_false) / (s.p_eff - s.p_false)
                o.belief[k] = 0.0 if v < 0.0 else (1.0 if v > 1.0 else v)
        else:
            for k in range(n):
                o.belief[k] = p.belief[k]
    else:
        pay_sum = total(o.payoff)
    prev = o.prev_row.shape[0] > 0
    if prev:
        for i in range(row.shape[0]):
            row[i] = o.prev_row[i]
    actions_change = not (prev and a.unchanged)
    # branch-free sums (actions and draws are unpredictable, so branches would mispredict)
    comply_n = comply_l = cap_cn = cap_cl = cap_cb = 0.0
    cap_n = cap_l = cap_b = insp = 0.0
    max_c = 0.0
    max_d = -1.0
    max_c_ok = -1.0
    for k in range(n if (actions_change or not prev) else 0):
        ck = w.c[k]
        lab = 1.0 if w.is_lab[k] else 0.0
        nat = 1.0 - lab
        bd = 1.0 if a.bound[k] else 0.0
        if actions_change:
            ok = 0.0 if a.new[k] else 1.0
            comply_n += ok * nat
            comply_l += ok * lab
            cap_cn += ok * nat * ck
            cap_cl += ok * lab * ck
            cap_cb += ok * bd * ck
            max_d = max(max_d, ck if ok == 0.0 else -1.0)
            max_c_ok = max(max_c_ok, ck if ok == 1.0 else -1.0)
        if not prev:
            cap_n += nat * ck
            cap_l += lab * ck
            cap_b += bd * ck
            insp += 1.0 if a.inspected[k] else 0.0
            max_c = max(max_c, ck)
    if actions_change:
        row[Rec.COMPLY_NATIONS] = comply_n
        row[Rec.COMPLY_LABS] = comply_l
        row[Rec.COMPLY_CAPABILITY_NATIONS] = cap_cn
        row[Rec.COMPLY_CAPABILITY_LABS] = cap_cl
        row[Rec.COMPLY_CAPABILITY_BOUND] = cap_cb
        row[Rec.MAX_CAPABILITY_DEFECTING] = max_d
        row[Rec.MAX_CAPABILITY_COMPLYING] = max_c_ok
    if not prev:
        row[Rec.CAPABILITY_NATIONS] = cap_n
        row[Rec.CAPABILITY_LABS] = cap_l
        row[Rec.CAPABILITY_BOUND] = cap_b
        row[Rec.INSPECTIONS] = insp
        row[Rec.MAX_CAPABILITY] = max_c
        row[Rec.PAUSE_ACTIVE] = 1.0 if a.pause_active else 0.0
        row[Rec.N_REVISED] = a.n_revised
    if not (prev and w.perfect and p.belief_stands):
        row[Rec.BELIEF_SUM] = total(o.belief)
    row[Rec.CAUGHT_DOMESTIC] = dom
    row[Rec.CAUGHT_INTERNATIONAL] = intl
    row[Rec.FALSE_ALARMS] = fa_n
    row[Rec.SANCTIONS_PAID] = paid_sum
    row[Rec.TOTAL_PAYOFF] = pay_sum
    row[Rec.FLAGS] = flags
    row[Rec.SANCTIONS_APPLIED] = applied
    return defecting


def settle_and_record(
    acts: tuple[Any, ...],
    period: tuple[Any, ...],
    world: tuple[Any, ...],
    stakes: tuple[Any, ...],
    out: tuple[Any, ...],
) -> float:
    """:func:`settle_month` (settle and record); returns the defecting capability."""
    return settle_month(acts, period, world, stakes, out, True)


#: ``settle`` records too; a caller that changes payoffs or beliefs after it records again.
settle = settle_and_record

_NO_F = np.empty(0)
#: The period and stakes :func:`record` passes (unread when only recording).
_NO_PERIOD = (0, _NO_F, _NO_F, _NO_F, _NO_F, np.empty((1, 0)), False)
_NO_STAKES = (0.0, 0.0, 0.0, *(_NO_F,) * 4)


def record(acts: tuple[Any, ...], world: tuple[Any, ...], out: tuple[Any, ...]) -> np.ndarray:
    """Sum one period's record into ``out.row`` from the outcome given (:func:`settle_month`).

    Reads the actions (``acts.new``) and the outcome's catches, flags, sanctions, payoffs and
    beliefs (``out.belief``); the sanctions paid by each bloc's actors go into
    ``out.bloc_row``. Returns the row.
    """
    settle_month(acts, _NO_PERIOD, world, _NO_STAKES, out, False)
    return out[7]
