"""Compiled per-period kernels of the engine (numba), each O(actors + alliance edges).

These loops are the formulas of DESIGN.md section 2 written per actor, compiled with numba so a
period at 130 actors costs microseconds rather than the ~50 numpy calls it takes vectorised.
They draw no random numbers: the engine draws every uniform with the run's numpy Generator and
passes them in, so the stream is the one ``model/ODD.md`` describes.

Both engine paths run a period's verification, sanctions, payoffs, beliefs and record through
the same compiled code here: the single run (:meth:`model.engine.Engine.step`) through the
entry points :func:`settle`, :func:`settle_and_record` and :func:`record`, the batched sweep
path (:mod:`model.batched_kernel`) through :func:`settle_and_record_named` on each run's rows.
The catch rule is :func:`catch`, the sanctions' ring, the payoffs and the shared risk are
:func:`settle_named`, the belief update is :func:`next_beliefs`, and the record's columns are
summed by :func:`tally_draw`, :func:`action_columns` and :func:`static_columns`.

Arguments travel in named tuples (:class:`Acts`, :class:`Period`, :class:`World`,
:class:`Stakes`, :class:`Outcome`). The entry points called from Python take them as plain
tuples (``tuple(world)``): numba types a plain tuple argument in C but a named tuple in Python
(about 0.25 us a field, a tenth of a period at 130 actors); inside, they are named again.

Compiled code is cached beside this file (``__pycache__``), so only the first import on a
machine pays the compilation (a few seconds).
"""

from __future__ import annotations

from typing import NamedTuple

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
        base: The advantage of a bound actor whose nation complied.
        jump: What the advantage loses when its nation defected.
        g_lam: ``G lam``.
        free: ``G - phi r``, the advantage of an actor not bound, before ``G lam rho``.
    """

    p_dom: float
    p_eff: float
    p_false: float
    fc: np.ndarray
    gc: np.ndarray
    gc_lam: np.ndarray
    rc: np.ndarray
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
    """``delta_k = G + G lam rho_k - cost_k`` for every actor.

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
def month_advantage(
    belief, defect, home, stakes, bound, active, all_bound, out
):  # pragma: no cover
    """Step (2)'s advantage: :func:`advantage` for bound actors, the free one for the rest.

    Bound actors (an active pause): ``G (1 + lam rho) - discount**L F (pi - q s) - phi r``;
    actors not bound: ``G lam rho + (G - phi r)``.
    """
    s = stakes
    if active:
        advantage(belief, defect, home, s.base, s.jump, s.g_lam, out)
        if all_bound:
            return out
    for k in range(belief.shape[0]):
        if not (active and bound[k]):
            out[k] = s.g_lam[k] * belief[k] + s.free[k]
    return out


@njit(cache=True, nogil=True)
def month_advantage_flat(
    belief, defect, home, stakes, bound, active, all_bound, out
):  # pragma: no cover
    """:func:`month_advantage` with ``stakes`` as a plain tuple (called from Python)."""
    return month_advantage(belief, defect, home, Stakes(*stakes), bound, active, all_bound, out)


@njit(cache=True, nogil=True)
def catch(k, acts, period, w, s):  # pragma: no cover
    """Step (3) for actor ``k``: (caught at home, caught internationally, false alarm).

    Only bound actors are checked. A defecting lab of a complying nation is caught at home if
    ``u_dom < p_dom``; otherwise an inspected defector is caught internationally if
    ``u_int < p_eff`` (``p_eff`` is the effective ``coverage * p_detect``); an inspected complier
    is flagged if ``u_int < q``.
    """
    cd = False
    ci = False
    fa = False
    if acts.bound[k]:
        if acts.new[k]:
            if w.is_lab[k] and not acts.new[w.home[k]] and period.u_dom[k] < s.p_dom:
                cd = True
            elif acts.inspected[k] and period.u_int[k] < s.p_eff:
                ci = True
        elif acts.inspected[k] and period.u_int[k] < s.p_false:
            fa = True
    return cd, ci, fa


@njit(cache=True, nogil=True)
def tally_draw(tally, cd, ci, fa, amount, paid, bloc, bloc_row):  # pragma: no cover
    """Add one actor's catches, flags and sanctions to the period's ``tally``.

    ``tally`` is ``(domestic, international, false alarms, flags, applied, paid, current bloc,
    its running sum)``; a bloc's sum goes into ``bloc_row`` when the next bloc starts (actors
    of one bloc are mostly contiguous: summed in a register).
    """
    dom, intl, fa_n, flags, applied, paid_sum, cur, acc = tally
    cif = 1.0 if ci else 0.0
    fkf = 1.0 if fa else 0.0
    if bloc != cur:
        bloc_row[cur] += acc
        cur = bloc
        acc = 0.0
    return (
        dom + (1.0 if cd else 0.0),
        intl + cif,
        fa_n + fkf,
        flags + (cif + fkf - cif * fkf),
        applied + (1.0 if amount > 0.0 else 0.0),
        paid_sum + paid,
        cur,
        acc + paid,
    )


@njit(cache=True, nogil=True)
def open_tally(actor_bloc, bloc_row):  # pragma: no cover
    """An empty :func:`tally_draw` tally (``bloc_row`` zeroed)."""
    for i in range(bloc_row.shape[0]):
        bloc_row[i] = 0.0
    cur = actor_bloc[0] if actor_bloc.shape[0] else 0
    return (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, cur, 0.0)


@njit(cache=True, nogil=True)
def close_tally(tally, pay_sum, n, row, bloc_row):  # pragma: no cover
    """Write a finished tally and the payoffs' total into the record ``row``."""
    dom, intl, fa_n, flags, applied, paid_sum, cur, acc = tally
    if n:
        bloc_row[cur] += acc
    row[Rec.CAUGHT_DOMESTIC] = dom
    row[Rec.CAUGHT_INTERNATIONAL] = intl
    row[Rec.FALSE_ALARMS] = fa_n
    row[Rec.SANCTIONS_PAID] = paid_sum
    row[Rec.TOTAL_PAYOFF] = pay_sum
    row[Rec.FLAGS] = flags
    row[Rec.SANCTIONS_APPLIED] = applied


@njit(cache=True, nogil=True)
def action_columns(new, bound, w, row):  # pragma: no cover
    """The record's columns of actions: compliance counts and capability, largest of each."""
    # branch-free sums (actions and draws are unpredictable, so branches would mispredict)
    comply_n = comply_l = cap_cn = cap_cl = cap_cb = 0.0
    max_d = -1.0
    max_c_ok = -1.0
    for k in range(new.shape[0]):
        ck = w.c[k]
        lab = 1.0 if w.is_lab[k] else 0.0
        nat = 1.0 - lab
        ok = 0.0 if new[k] else 1.0
        bd = 1.0 if bound[k] else 0.0
        comply_n += ok * nat
        comply_l += ok * lab
        cap_cn += ok * nat * ck
        cap_cl += ok * lab * ck
        cap_cb += ok * bd * ck
        max_d = max(max_d, ck if ok == 0.0 else -1.0)
        max_c_ok = max(max_c_ok, ck if ok == 1.0 else -1.0)
    row[Rec.COMPLY_NATIONS] = comply_n
    row[Rec.COMPLY_LABS] = comply_l
    row[Rec.COMPLY_CAPABILITY_NATIONS] = cap_cn
    row[Rec.COMPLY_CAPABILITY_LABS] = cap_cl
    row[Rec.COMPLY_CAPABILITY_BOUND] = cap_cb
    row[Rec.MAX_CAPABILITY_DEFECTING] = max_d
    row[Rec.MAX_CAPABILITY_COMPLYING] = max_c_ok


@njit(cache=True, nogil=True)
def static_columns(acts, w, row):  # pragma: no cover
    """The record's columns no action or draw changes: capability, inspections, switches."""
    cap_n = cap_l = cap_b = insp = 0.0
    max_c = 0.0
    for k in range(w.c.shape[0]):
        ck = w.c[k]
        lab = 1.0 if w.is_lab[k] else 0.0
        cap_n += (1.0 - lab) * ck
        cap_l += lab * ck
        cap_b += (1.0 if acts.bound[k] else 0.0) * ck
        insp += 1.0 if acts.inspected[k] else 0.0
        max_c = max(max_c, ck)
    row[Rec.CAPABILITY_NATIONS] = cap_n
    row[Rec.CAPABILITY_LABS] = cap_l
    row[Rec.CAPABILITY_BOUND] = cap_b
    row[Rec.INSPECTIONS] = insp
    row[Rec.MAX_CAPABILITY] = max_c
    row[Rec.PAUSE_ACTIVE] = 1.0 if acts.pause_active else 0.0
    row[Rec.N_REVISED] = acts.n_revised


@njit(cache=True, nogil=True)
def next_beliefs(acts, period, w, s, o):  # pragma: no cover
    """Step (6)'s beliefs for next period into ``o.belief``.

    ``information=perfect`` uses this period's actions; ``detected`` uses the flags,
    ``rho = clip((f - q) / (p - q), 0, 1)`` when ``p > q`` and unchanged otherwise.
    """
    n = acts.new.shape[0]
    if w.perfect and period.belief_stands:
        for k in range(n):
            o.belief[k] = period.belief[k]
    elif w.perfect:
        rho(acts.new, w, o.belief)
    elif s.p_eff > s.p_false:
        flagged = np.empty(n)
        for k in range(n):
            flagged[k] = 1.0 if (o.caught_int[k] or o.false_alarm[k]) else 0.0
        rho(flagged, w, o.belief)
        for k in range(n):
            v = (o.belief[k] - s.p_false) / (s.p_eff - s.p_false)
            o.belief[k] = 0.0 if v < 0.0 else (1.0 if v > 1.0 else v)
    else:
        for k in range(n):
            o.belief[k] = period.belief[k]


@njit(cache=True, nogil=True)
def settle_named(acts, period, w, s, o):  # pragma: no cover
    """Steps (3)-(6) of a period after the decisions; returns (defecting capability, tally).

    (3) :func:`catch`; a domestic catch pays ``F c`` (``s.fc``), an international catch or a
    false alarm ``period.fcs``. (4) Sanctions go into slot ``(t + L) mod (L + 1)`` of ``ring``
    and slot ``t mod (L + 1)`` is paid and emptied. (5) ``payoff = gain - paid - r c R``.
    (6) :func:`next_beliefs`. The tally is :func:`tally_draw`'s, with the payoffs' total last.
    """
    n = acts.new.shape[0]
    ring = period.ring
    size = ring.shape[0]
    put = (period.t + size - 1) % size
    take = period.t % size
    defecting = 0.0
    tally = open_tally(w.actor_bloc, o.bloc_row)
    for k in range(n):
        d = acts.new[k]
        cd, ci, fa = catch(k, acts, period, w, s)
        o.caught_dom[k] = cd
        o.caught_int[k] = ci
        o.false_alarm[k] = fa
        amount = s.fc[k] if cd else (period.fcs[k] if (ci or fa) else 0.0)
        o.imposed[k] = amount
        ring[put, k] += amount
        pk = ring[take, k]
        o.paid[k] = pk
        ring[take, k] = 0.0
        if d:
            defecting += w.c[k]
            o.payoff[k] = s.gc[k] + s.gc_lam[k] * period.belief[k] - pk
        else:
            o.payoff[k] = -pk
        tally = tally_draw(tally, cd, ci, fa, amount, pk, w.actor_bloc[k], o.bloc_row)
    share = defecting / w.c_total
    pay_sum = 0.0
    for k in range(n):
        o.payoff[k] -= s.rc[k] * share
        pay_sum += o.payoff[k]
    next_beliefs(acts, period, w, s, o)
    return defecting, tally, pay_sum


@njit(cache=True, nogil=True)
def settle_and_record_named(acts, period, w, s, o):  # pragma: no cover
    """:func:`settle_named`, then the period's record into ``o.row`` and ``o.bloc_row``.

    With ``o.prev_row`` (the batched path after a block's first period), a column is summed
    only when its terms can differ from that period's: capability, inspections and the
    switches are copied; the columns of actions are copied when ``acts.unchanged`` and
    ``belief_sum`` when ``period.belief_stands``. Every sum is the same additions in the same
    order as :func:`record_named`'s, so the record is the same bits either way.
    """
    defecting, tally, pay_sum = settle_named(acts, period, w, s, o)
    n = acts.new.shape[0]
    row = o.row
    prev = o.prev_row.shape[0] > 0
    if prev:
        for i in range(row.shape[0]):
            row[i] = o.prev_row[i]
    else:
        static_columns(acts, w, row)
    if not (prev and acts.unchanged):
        action_columns(acts.new, acts.bound, w, row)
    if not (prev and w.perfect and period.belief_stands):
        row[Rec.BELIEF_SUM] = total(o.belief)
    close_tally(tally, pay_sum, n, row, o.bloc_row)
    return defecting


@njit(cache=True, nogil=True)
def record_named(acts, w, o):  # pragma: no cover
    """Sum one period's metrics into ``o.row`` (columns :class:`model.records.Rec`).

    Reads the actions (``acts.new``), the outcome's catches, flags, sanctions, payoffs and
    beliefs (``o.belief``); the sanctions paid by each bloc's actors go into ``o.bloc_row``.
    """
    static_columns(acts, w, o.row)
    action_columns(acts.new, acts.bound, w, o.row)
    o.row[Rec.BELIEF_SUM] = total(o.belief)
    n = acts.new.shape[0]
    tally = open_tally(w.actor_bloc, o.bloc_row)
    for k in range(n):
        tally = tally_draw(
            tally,
            o.caught_dom[k],
            o.caught_int[k],
            o.false_alarm[k],
            o.imposed[k],
            o.paid[k],
            w.actor_bloc[k],
            o.bloc_row,
        )
    close_tally(tally, total(o.payoff), n, o.row, o.bloc_row)
    return o.row


@njit(cache=True, nogil=True)
def settle(acts, period, world, stakes, out):  # pragma: no cover
    """:func:`settle_named` from plain tuples; returns the defecting capability."""
    return settle_named(
        Acts(*acts), Period(*period), World(*world), Stakes(*stakes), Outcome(*out)
    )[0]


@njit(cache=True, nogil=True)
def settle_and_record(acts, period, world, stakes, out):  # pragma: no cover
    """:func:`settle_and_record_named` from plain tuples; returns the defecting capability."""
    return settle_and_record_named(
        Acts(*acts), Period(*period), World(*world), Stakes(*stakes), Outcome(*out)
    )


@njit(cache=True, nogil=True)
def record(acts, world, out):  # pragma: no cover
    """:func:`record_named` from plain tuples."""
    return record_named(Acts(*acts), World(*world), Outcome(*out))
