"""Compiled per-period kernels of the engine (numba), each O(actors + alliance edges).

These loops are the formulas of DESIGN.md section 2 written per actor, compiled with numba so a
period at 130 actors costs microseconds rather than the ~50 numpy calls it takes vectorised.
They draw no random numbers: the engine draws every uniform with the run's numpy Generator and
passes them in, so the stream is the one ``model/ODD.md`` describes.

Compiled code is cached beside this file (``__pycache__``), so only the first import on a
machine pays the compilation (a few seconds).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.records import Rec


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
def settle(
    t,
    new,
    u_dom,
    u_int,
    home,
    is_lab,
    bound,
    inspected,
    p_dom,
    p_eff,
    p_false,
    fc,
    fcs,
    c,
    gc,
    gc_lam,
    rc,
    belief,
    ring,
    perfect_information,
    inv_den,
    n_nations,
    indptr,
    indices,
    weights,
    caught_dom,
    caught_int,
    false_alarm,
    imposed,
    paid,
    payoff,
    new_belief,
    belief_stands=False,
):  # pragma: no cover
    """Steps (3)-(6) of a period after the decisions; returns the defecting capability.

    (3) A defecting lab of a complying nation is caught at home if ``u_dom < p_dom`` (pays
    ``F c``); otherwise an inspected defector is caught internationally if ``u_int < p_eff`` (pays
    ``F c s``; ``p_eff`` is the effective ``coverage * p_detect``); an inspected complier is flagged
    if ``u_int < q`` (pays ``F c s``). Only bound actors are checked. ``fc`` and ``fcs`` are the
    per-actor amounts (``F_k c_k`` and ``F_k c_k`` times the adjudicated share).
    (4) Sanctions go into slot ``(t + L) mod (L + 1)`` of ``ring`` and slot ``t mod (L + 1)``
    is paid and emptied. (5) ``payoff = gain - paid - r c R``. (6) Beliefs for next period:
    ``information=perfect`` uses this period's actions; ``detected`` uses the flags,
    ``rho = clip((f - q) / (p - q), 0, 1)`` when ``p > q`` and unchanged otherwise.
    ``belief_stands``: the caller knows ``belief`` is already ``rho`` of this period's actions
    (perfect information, nobody changed action): it is copied instead of summed again, the
    same numbers.
    """
    n = new.shape[0]
    size = ring.shape[0]
    put = (t + size - 1) % size
    take = t % size
    defecting = 0.0
    for k in range(n):
        d = new[k]
        cd = False
        ci = False
        fa = False
        if bound[k]:
            if d:
                if is_lab[k] and not new[home[k]] and u_dom[k] < p_dom:
                    cd = True
                elif inspected[k] and u_int[k] < p_eff:
                    ci = True
            elif inspected[k] and u_int[k] < p_false:
                fa = True
        caught_dom[k] = cd
        caught_int[k] = ci
        false_alarm[k] = fa
        amount = fc[k] if cd else (fcs[k] if (ci or fa) else 0.0)
        imposed[k] = amount
        ring[put, k] += amount
        paid[k] = ring[take, k]
        ring[take, k] = 0.0
        if d:
            defecting += c[k]
            payoff[k] = gc[k] + gc_lam[k] * belief[k] - paid[k]
        else:
            payoff[k] = -paid[k]
    share = defecting / c.sum()
    for k in range(n):
        payoff[k] -= rc[k] * share
    if perfect_information and belief_stands:
        for k in range(n):
            new_belief[k] = belief[k]
    elif perfect_information:
        rival_share(new, c, home, n_nations, indptr, indices, weights, inv_den, new_belief)
    elif p_eff > p_false:
        flagged = np.empty(n)
        for k in range(n):
            flagged[k] = 1.0 if (caught_int[k] or false_alarm[k]) else 0.0
        rival_share(flagged, c, home, n_nations, indptr, indices, weights, inv_den, new_belief)
        for k in range(n):
            v = (new_belief[k] - p_false) / (p_eff - p_false)
            new_belief[k] = 0.0 if v < 0.0 else (1.0 if v > 1.0 else v)
    else:
        for k in range(n):
            new_belief[k] = belief[k]
    return defecting


@njit(cache=True, nogil=True)
def record(
    defect,
    is_lab,
    bound,
    c,
    caught_dom,
    caught_int,
    false_alarm,
    paid,
    payoff,
    belief,
    pause_active,
    n_revised,
    imposed,
    inspected,
    actor_bloc,
    row,
    bloc_row,
):  # pragma: no cover
    """Sum one period's metrics into ``row`` (columns :class:`model.records.Rec`).

    The sanctions paid by each bloc's actors go into ``bloc_row``.
    """
    # branch-free sums (actions and draws are unpredictable, so branches would mispredict)
    comply_n = comply_l = cap_cn = cap_cl = cap_cb = 0.0
    cap_n = cap_l = cap_b = dom = intl = fa = paid_sum = pay_sum = bel_sum = 0.0
    flags = applied = insp = 0.0
    max_c = 0.0
    max_d = -1.0
    max_c_ok = -1.0
    for i in range(bloc_row.shape[0]):
        bloc_row[i] = 0.0
    cur_bloc = actor_bloc[0] if defect.shape[0] else 0
    bloc_acc = 0.0
    for k in range(defect.shape[0]):
        ck = c[k]
        lab = 1.0 if is_lab[k] else 0.0
        nat = 1.0 - lab
        ok = 0.0 if defect[k] else 1.0
        bd = 1.0 if bound[k] else 0.0
        comply_n += ok * nat
        comply_l += ok * lab
        cap_cn += ok * nat * ck
        cap_cl += ok * lab * ck
        cap_cb += ok * bd * ck
        cap_n += nat * ck
        cap_l += lab * ck
        cap_b += bd * ck
        ci = 1.0 if caught_int[k] else 0.0
        fk = 1.0 if false_alarm[k] else 0.0
        dom += 1.0 if caught_dom[k] else 0.0
        intl += ci
        fa += fk
        flags += ci + fk - ci * fk
        applied += 1.0 if imposed[k] > 0.0 else 0.0
        insp += 1.0 if inspected[k] else 0.0
        paid_sum += paid[k]
        pay_sum += payoff[k]
        bel_sum += belief[k]
        max_c = max(max_c, ck)
        max_d = max(max_d, ck if ok == 0.0 else -1.0)
        max_c_ok = max(max_c_ok, ck if ok == 1.0 else -1.0)
        b = actor_bloc[k]
        if b != cur_bloc:
            bloc_row[cur_bloc] += bloc_acc
            cur_bloc = b
            bloc_acc = 0.0
        bloc_acc += paid[k]
    if defect.shape[0]:
        bloc_row[cur_bloc] += bloc_acc
    row[Rec.COMPLY_NATIONS] = comply_n
    row[Rec.COMPLY_LABS] = comply_l
    row[Rec.COMPLY_CAPABILITY_NATIONS] = cap_cn
    row[Rec.COMPLY_CAPABILITY_LABS] = cap_cl
    row[Rec.COMPLY_CAPABILITY_BOUND] = cap_cb
    row[Rec.CAUGHT_DOMESTIC] = dom
    row[Rec.CAUGHT_INTERNATIONAL] = intl
    row[Rec.FALSE_ALARMS] = fa
    row[Rec.SANCTIONS_PAID] = paid_sum
    row[Rec.TOTAL_PAYOFF] = pay_sum
    row[Rec.BELIEF_SUM] = bel_sum
    row[Rec.CAPABILITY_NATIONS] = cap_n
    row[Rec.CAPABILITY_LABS] = cap_l
    row[Rec.CAPABILITY_BOUND] = cap_b
    row[Rec.FLAGS] = flags
    row[Rec.SANCTIONS_APPLIED] = applied
    row[Rec.INSPECTIONS] = insp
    row[Rec.MAX_CAPABILITY] = max_c
    row[Rec.MAX_CAPABILITY_DEFECTING] = max_d
    row[Rec.MAX_CAPABILITY_COMPLYING] = max_c_ok
    row[Rec.PAUSE_ACTIVE] = 1.0 if pause_active else 0.0
    row[Rec.N_REVISED] = n_revised
    return row


@njit(cache=True, nogil=True)
def settle_and_record(
    t,
    new,
    u_dom,
    u_int,
    home,
    is_lab,
    bound,
    inspected,
    p_dom,
    p_eff,
    p_false,
    fc,
    fcs,
    c,
    gc,
    gc_lam,
    rc,
    belief,
    ring,
    perfect_information,
    inv_den,
    n_nations,
    indptr,
    indices,
    weights,
    caught_dom,
    caught_int,
    false_alarm,
    imposed,
    paid,
    payoff,
    new_belief,
    pause_active,
    n_revised,
    actor_bloc,
    row,
    bloc_row,
    belief_stands=False,
):  # pragma: no cover
    """:func:`settle` then :func:`record` in one call (when nothing changes in between)."""
    defecting = settle(
        t,
        new,
        u_dom,
        u_int,
        home,
        is_lab,
        bound,
        inspected,
        p_dom,
        p_eff,
        p_false,
        fc,
        fcs,
        c,
        gc,
        gc_lam,
        rc,
        belief,
        ring,
        perfect_information,
        inv_den,
        n_nations,
        indptr,
        indices,
        weights,
        caught_dom,
        caught_int,
        false_alarm,
        imposed,
        paid,
        payoff,
        new_belief,
        belief_stands,
    )
    record(
        new,
        is_lab,
        bound,
        c,
        caught_dom,
        caught_int,
        false_alarm,
        paid,
        payoff,
        new_belief,
        pause_active,
        n_revised,
        imposed,
        inspected,
        actor_bloc,
        row,
        bloc_row,
    )
    return defecting
