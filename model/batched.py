"""Many runs advanced together in one compiled kernel: the batched engine path.

A sweep runs thousands of runs of one world size. :meth:`model.engine.Engine.step` pays a fixed
cost in Python every period (the parts' bookkeeping, a handful of kernel calls); here the runs
of a batch are stacked into arrays shaped (runs, actors) and one numba kernel advances all of
them through a block of periods, calling the engine's own compiled kernels
(:mod:`model.kernels`, the decision rule's) on each run's rows. Nothing about a run changes:

- each run keeps its own :class:`numpy.random.Generator` and draws exactly what
  :meth:`Engine.step` draws, in the same order (with every actor revising, one period's draws are
  ``rng.random((3, N))``, so a block of K periods is ``rng.random((K, 3, N))``, the identical
  stream);
- the arithmetic is the engine's, in the same order, so every number is bit for bit the one
  :meth:`Engine.run` gives (``tests/model/test_batched.py`` holds them equal, every record and
  every final array, for the golden runs and for random parameters);
- after :func:`advance` each engine is in exactly the state its own steps would have left (its
  records, actions, beliefs, payoffs, sanctions pending, generator), so it can be stepped on,
  summarised or replayed as if it had run alone.

The kernel covers the mechanisms a period needs when the treaty's own rules are off: every
decision rule that reads only the period's advantage and uniforms (``logit``,
``best_response``), any revision rate, perfect or detected information, any lag, global
inspection without a quota, every adjudication without a vote, and a scenario's fixed actions.
:func:`unbatchable` names what an engine uses beyond that (negotiated membership or terms, a
quota, graduated sanctions, votes, Bayesian beliefs, club costs, recursive self-improvement, the
hazard, the event log, a rule with its own state or draws); such runs take the single-run path
(:func:`run_all` runs them one by one and says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from agents.rules.logit import exp_terms
from model import kernels
from model.records import Rec

if TYPE_CHECKING:
    from model.engine import Engine
    from model.outcomes import RunSummary

__all__ = ["BATCHED_RULES", "advance", "run_all", "summaries", "unbatchable"]

#: Decision rules the kernel applies, with their codes in the kernel.
BATCHED_RULES = {"logit": 0, "best_response": 1}

#: Bytes of uniforms drawn ahead per block (all runs of a batch together).
BLOCK_BYTES = 16 * 2**20


def unbatchable(engine: Engine) -> str | None:
    """Why ``engine`` cannot take the batched path (None: it can).

    The reason names the mechanism (and the parameter that switches it on).
    """
    p = engine.params
    rule = p["decision_rule"]
    if rule not in BATCHED_RULES:
        return f"decision_rule={rule!r} (batched: {', '.join(sorted(BATCHED_RULES))})"
    checks = (
        (engine.treaty.on, "the treaty's own rules (membership='negotiated' or terms_rule)"),
        (engine.treaty.club_on, "club costs (outsider_penalty or verification_cost > 0)"),
        (engine.inspectorate.limited, "an inspection quota (inspection_quota > 0)"),
        (engine.inspectorate.changes, "graduated sanctions or a quota's plans"),
        (engine.structure.voting, f"adjudication={p['adjudication']!r} (a vote)"),
        (engine.posterior is not None, "information='bayesian'"),
        (engine._rsi, "rsi='on'"),
        (engine._hazard_scale > 0, "the hazard (hazard_scale > 0)"),
        (engine.log is not None, "the event log (a ledger)"),
        (engine.catastrophe_step is not None, "a run ended by a catastrophe"),
    )
    for used, why in checks:
        if used:
            return why
    return None


@njit(cache=True, nogil=True)
def _settle_and_record_next(
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
    c_total,
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
    actor_bloc,
    prev_row,
    row,
    bloc_row,
    actions_stand,
    belief_stands,
):  # pragma: no cover
    """``kernels.settle_and_record`` for a period after the first of a block: the same bits.

    :func:`model.kernels.record` sums every column over the actors each period; here a column
    is summed only when its terms can differ from the previous period's (``prev_row``, the
    record of the period just before, computed by that kernel or by this one):

    - the columns of capability, bound capability, the largest capability, the inspections,
      ``pause_active`` and ``n_revised`` never change on the batched path (no mechanism there
      changes capabilities, membership, inspections or the revision count): copied;
    - the columns of actions (compliance counts and capability, the largest defector and
      complier) are copied when nobody changed action (``actions_stand``) and summed, in
      the same order, otherwise; ``belief_sum`` likewise with ``belief_stands``;
    - the columns of the period's draws (catches, flags, sanctions applied and paid, the
      blocs' sanctions) are summed in :func:`model.kernels.settle`'s own pass over the actors,
      and the payoffs' total in its second pass: each the same additions in the same order
      as :func:`model.kernels.record`'s.

    ``c_total`` is ``c.sum()`` (as ``settle`` computes it). Returns the defecting capability.
    """
    n = new.shape[0]
    size = ring.shape[0]
    put = (t + size - 1) % size
    take = t % size
    defecting = 0.0
    dom = intl = fa_n = flags = applied = paid_sum = 0.0
    for i in range(bloc_row.shape[0]):
        bloc_row[i] = 0.0
    cur_bloc = actor_bloc[0] if n else 0
    bloc_acc = 0.0
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
        pk = ring[take, k]
        paid[k] = pk
        ring[take, k] = 0.0
        if d:
            defecting += c[k]
            payoff[k] = gc[k] + gc_lam[k] * belief[k] - pk
        else:
            payoff[k] = -pk
        cif = 1.0 if ci else 0.0
        fkf = 1.0 if fa else 0.0
        dom += 1.0 if cd else 0.0
        intl += cif
        fa_n += fkf
        flags += cif + fkf - cif * fkf
        applied += 1.0 if amount > 0.0 else 0.0
        paid_sum += pk
        b = actor_bloc[k]
        if b != cur_bloc:
            bloc_row[cur_bloc] += bloc_acc
            cur_bloc = b
            bloc_acc = 0.0
        bloc_acc += pk
    if n:
        bloc_row[cur_bloc] += bloc_acc
    share = defecting / c_total
    pay_sum = 0.0
    for k in range(n):
        payoff[k] -= rc[k] * share
        pay_sum += payoff[k]
    if perfect_information and belief_stands:
        for k in range(n):
            new_belief[k] = belief[k]
    elif perfect_information:
        kernels.rival_share(new, c, home, n_nations, indptr, indices, weights, inv_den, new_belief)
    elif p_eff > p_false:
        flagged = np.empty(n)
        for k in range(n):
            flagged[k] = 1.0 if (caught_int[k] or false_alarm[k]) else 0.0
        kernels.rival_share(
            flagged, c, home, n_nations, indptr, indices, weights, inv_den, new_belief
        )
        for k in range(n):
            v = (new_belief[k] - p_false) / (p_eff - p_false)
            new_belief[k] = 0.0 if v < 0.0 else (1.0 if v > 1.0 else v)
    else:
        for k in range(n):
            new_belief[k] = belief[k]
    for i in range(row.shape[0]):
        row[i] = prev_row[i]
    if not actions_stand:
        comply_n = comply_l = cap_cn = cap_cl = cap_cb = 0.0
        max_d = -1.0
        max_c_ok = -1.0
        for k in range(n):
            ck = c[k]
            lab = 1.0 if is_lab[k] else 0.0
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
    if not (perfect_information and belief_stands):
        bel_sum = 0.0
        for k in range(n):
            bel_sum += new_belief[k]
        row[Rec.BELIEF_SUM] = bel_sum
    row[Rec.CAUGHT_DOMESTIC] = dom
    row[Rec.CAUGHT_INTERNATIONAL] = intl
    row[Rec.FALSE_ALARMS] = fa_n
    row[Rec.SANCTIONS_PAID] = paid_sum
    row[Rec.TOTAL_PAYOFF] = pay_sum
    row[Rec.FLAGS] = flags
    row[Rec.SANCTIONS_APPLIED] = applied
    return defecting


@njit(cache=True, nogil=True)
def _advance(
    t0,
    n_steps,
    uniforms,
    revise,
    fixed,
    fixed_action,
    use_revise,
    use_fixed,
    defect,
    belief,
    payoff,
    ring,
    flagged_ever,
    caught_last,
    flagged_last,
    home,
    is_lab,
    bound,
    all_bound,
    active,
    base,
    jump,
    g_lam,
    free,
    rule,
    beta,
    tolerance,
    p_dom,
    p_eff,
    p_false,
    fc,
    fcs,
    c,
    gc,
    gc_lam,
    rc,
    perfect,
    inv_den,
    n_nations,
    indptr,
    indices,
    weights,
    actor_bloc,
    n_revised,
    rows,
    bloc_rows,
    error,
    delta,
    new,
    belief_used,
    caught_dom,
    caught_int,
    false_alarm,
    imposed,
    paid,
):  # pragma: no cover
    """Advance every run ``r`` of the batch ``n_steps`` periods from step ``t0``.

    Per run and period, :meth:`model.engine.Engine.step`'s sequence when the treaty's rules are
    off: the advantage (``kernels.advantage``, or the free advantage for actors not bound), the
    rule (``logit``'s compiled test, or ``delta > tolerance``), revisers and fixed actions, then
    ``kernels.settle_and_record`` and step (6)'s updates. ``rows`` and ``bloc_rows`` receive
    the periods' records; ``error`` the per-actor belief errors (when information is not
    perfect); ``delta`` ... ``paid`` the last period's outputs.
    """
    n_runs = defect.shape[0]
    n = defect.shape[1]
    c_total = np.empty(n_runs)
    for r in range(n_runs):
        c_total[r] = c[r].sum()
    inspected = np.ones(n, dtype=np.bool_)
    nobody = np.zeros(n, dtype=np.bool_)
    new_belief = np.empty(n)
    truth = np.empty(n)
    terms = np.empty(n)
    for r in range(n_runs):
        d = delta[r]
        nw = new[r]
        bel = belief[r]
        act = defect[r]
        hm = home[r]
        bnd = bound[r] if active[r] else nobody
        # Under perfect information, once a period's beliefs are rho of its actions, a period
        # in which nobody changes action leaves beliefs, and so the advantage and the logit
        # terms, exactly as they were: they are kept instead of computed again (same bits).
        stands = False
        for j in range(n_steps):
            t = t0 + 1 + j
            if not stands:
                # (2) the advantage, as Engine.advantage
                if active[r]:
                    kernels.advantage(bel, act, hm, base[r], jump[r], g_lam[r], d)
                    if not all_bound[r]:
                        for k in range(n):
                            if not bound[r, k]:
                                d[k] = g_lam[r, k] * bel[k] + free[r, k]
                else:
                    for k in range(n):
                        d[k] = g_lam[r, k] * bel[k] + free[r, k]
                if rule[r] == 0:
                    exp_terms(d, beta[r], terms)
            u = uniforms[r, j]
            u0 = u[0]
            logit = rule[r] == 0
            tol = tolerance[r]
            unchanged = True
            for k in range(n):
                # the rule: logit's test (defects_given_terms) or best_response's
                v = u0[k] * (1.0 + terms[k]) < 1.0 if logit else d[k] > tol
                if use_revise and not revise[r, j, k]:
                    v = act[k]
                if use_fixed and fixed[r, j, k]:
                    v = fixed_action[r, j, k]
                nw[k] = v
                if v != act[k]:
                    unchanged = False
            # beliefs are rho of last period's actions from the second period of the call on
            belief_stands = perfect[r] and j > 0 and unchanged
            # (3)-(5) and next beliefs, recorded (after a block's first period, from the
            # previous period's record: the same bits, see _settle_and_record_next)
            if j == 0:
                kernels.settle_and_record(
                    t,
                    nw,
                    u[1],
                    u[2],
                    hm,
                    is_lab[r],
                    bnd,
                    inspected,
                    p_dom[r],
                    p_eff[r],
                    p_false[r],
                    fc[r],
                    fcs[r],
                    c[r],
                    gc[r],
                    gc_lam[r],
                    rc[r],
                    bel,
                    ring[r],
                    perfect[r],
                    inv_den[r],
                    n_nations,
                    indptr[r],
                    indices[r],
                    weights[r],
                    caught_dom[r],
                    caught_int[r],
                    false_alarm[r],
                    imposed[r],
                    paid[r],
                    payoff[r],
                    new_belief,
                    active[r],
                    n_revised[r],
                    actor_bloc[r],
                    rows[r, j],
                    bloc_rows[r, j],
                    belief_stands,
                )
            else:
                _settle_and_record_next(
                    t,
                    nw,
                    u[1],
                    u[2],
                    hm,
                    is_lab[r],
                    bnd,
                    inspected,
                    p_dom[r],
                    p_eff[r],
                    p_false[r],
                    fc[r],
                    fcs[r],
                    c[r],
                    c_total[r],
                    gc[r],
                    gc_lam[r],
                    rc[r],
                    bel,
                    ring[r],
                    perfect[r],
                    inv_den[r],
                    n_nations,
                    indptr[r],
                    indices[r],
                    weights[r],
                    caught_dom[r],
                    caught_int[r],
                    false_alarm[r],
                    imposed[r],
                    paid[r],
                    payoff[r],
                    new_belief,
                    actor_bloc[r],
                    rows[r, j - 1],
                    rows[r, j],
                    bloc_rows[r, j],
                    unchanged,
                    belief_stands,
                )
            # (6) updates
            if not perfect[r]:
                kernels.rival_share(
                    nw, c[r], hm, n_nations, indptr[r], indices[r], weights[r], inv_den[r], truth
                )
                for k in range(n):
                    error[r, j, k] = abs(new_belief[k] - truth[k])
            if j == n_steps - 1:  # what only the last period leaves behind
                for k in range(n):
                    belief_used[r, k] = bel[k]
                    ci = caught_int[r, k]
                    caught_last[r, k] = caught_dom[r, k] or ci
                    flagged_last[r, k] = ci or false_alarm[r, k]
            for k in range(n):
                bel[k] = new_belief[k]
                act[k] = nw[k]
                if caught_int[r, k] or false_alarm[r, k]:
                    flagged_ever[r, k] = True
            stands = belief_stands


def _group_key(e: Engine) -> tuple[int, ...]:
    st = e.structure
    return (e.n_actors, e.n_nations, len(e._ring), len(st.indices), e.records.bloc_paid.shape[1])


def _stack(engines: Sequence[Engine], get: Any, dtype: Any = float) -> np.ndarray:
    return np.ascontiguousarray(np.stack([np.asarray(get(e), dtype=dtype) for e in engines]))


def _advance_group(engines: Sequence[Engine], steps: int) -> None:
    """Advance engines of one shape (actors, nations, lag, alliance ties, blocs) together."""
    r_n = len(engines)
    e0 = engines[0]
    n, n_nat = e0.n_actors, e0.n_nations
    for e in engines:
        if e.t + steps + 1 > len(e.records):
            e.records.reserve(e.t + steps + 1)
    t0 = e0.t
    floats = {
        "base": lambda e: e.costs.base,
        "jump": lambda e: e.costs.jump,
        "g_lam": lambda e: e.structure.g_lam,
        "free": lambda e: e.structure.free,
        "fc": lambda e: e.costs.fc,
        "fcs": lambda e: e.costs.fcs,
        "c": lambda e: e.structure.c,
        "gc": lambda e: e.structure.gc,
        "gc_lam": lambda e: e.structure.gc_lam,
        "rc": lambda e: e.structure.rc,
        "inv_den": lambda e: e.structure.inv_den,
        "weights": lambda e: e.structure.weights,
    }
    a = {name: _stack(engines, get) for name, get in floats.items()}
    a["home"] = _stack(engines, lambda e: e.home, np.int64)
    a["indptr"] = _stack(engines, lambda e: e.structure.indptr, np.int64)
    a["indices"] = _stack(engines, lambda e: e.structure.indices, np.int64)
    a["actor_bloc"] = _stack(engines, lambda e: e._actor_bloc, np.int64)
    a["is_lab"] = _stack(engines, lambda e: e.is_lab, bool)
    a["bound"] = _stack(engines, lambda e: e.bound, bool)
    scalars = {
        "all_bound": ([e._all_bound for e in engines], bool),
        "active": ([e.treaty.pause_active for e in engines], bool),
        "rule": ([BATCHED_RULES[e.params["decision_rule"]] for e in engines], np.int64),
        "beta": ([float(e.params["beta"]) for e in engines], float),
        "tolerance": ([e.tolerance for e in engines], float),
        "p_dom": ([e.costs.p_domestic for e in engines], float),
        "p_eff": ([e.costs.p_effective for e in engines], float),
        "p_false": ([e.costs.p_false_alarm for e in engines], float),
        "perfect": ([e._perfect for e in engines], bool),
        "n_revised": ([e.n_revise for e in engines], np.int64),
    }
    for name, (values, dtype) in scalars.items():
        a[name] = np.asarray(values, dtype=dtype)
    state = {
        "defect": _stack(engines, lambda e: e.defect, bool),
        "belief": _stack(engines, lambda e: e.belief),
        "payoff": _stack(engines, lambda e: e.payoff),
        "ring": _stack(engines, lambda e: e._ring),
        "flagged_ever": _stack(engines, lambda e: e.inspectorate.flagged_ever, bool),
        "caught_last": _stack(engines, lambda e: e.caught_last, bool),
        "flagged_last": _stack(engines, lambda e: e.flagged_last, bool),
    }
    out = {name: np.zeros((r_n, n)) for name in ("delta", "belief_used", "imposed", "paid")}
    out.update(
        {
            name: np.zeros((r_n, n), dtype=bool)
            for name in ("new", "caught_dom", "caught_int", "false_alarm")
        }
    )
    use_revise = any(e.n_revise < n for e in engines)
    use_fixed = any(e._has_fixed for e in engines)
    block = max(1, min(steps, BLOCK_BYTES // max(1, r_n * 3 * n * 8)))
    n_blocs = e0.records.bloc_paid.shape[1]
    revisers: list[np.ndarray] = [e._everyone for e in engines]
    done = 0
    while done < steps:
        k_n = min(block, steps - done)
        start = t0 + done
        uniforms = np.empty((r_n, k_n, 3, n))
        revise = np.ones((r_n, k_n if use_revise else 0, n), dtype=bool)
        fixed = np.zeros((r_n, k_n if use_fixed else 0, n), dtype=bool)
        fixed_action = np.zeros_like(fixed)
        for r, e in enumerate(engines):
            if e.n_revise < n:
                # Engine.step's order: the revisers' permutation, then the period's uniforms
                for j in range(k_n):
                    revisers[r] = e.rng.permutation(n)[: e.n_revise]
                    revise[r, j] = False
                    revise[r, j, revisers[r]] = True
                    e.rng.random(out=uniforms[r, j])
            else:
                e.rng.random(out=uniforms[r])
            if e._has_fixed:
                for j in range(k_n):
                    fixed[r, j], fixed_action[r, j] = e.world.fixed_actions(start + 1 + j)
        rows = np.zeros((r_n, k_n, e0.records.rows.shape[1]))
        bloc_rows = np.zeros((r_n, k_n, n_blocs))
        error = np.zeros((r_n, k_n if not all(a["perfect"]) else 0, n))
        _advance(
            start,
            k_n,
            uniforms,
            revise,
            fixed,
            fixed_action,
            use_revise,
            use_fixed,
            state["defect"],
            state["belief"],
            state["payoff"],
            state["ring"],
            state["flagged_ever"],
            state["caught_last"],
            state["flagged_last"],
            a["home"],
            a["is_lab"],
            a["bound"],
            a["all_bound"],
            a["active"],
            a["base"],
            a["jump"],
            a["g_lam"],
            a["free"],
            a["rule"],
            a["beta"],
            a["tolerance"],
            a["p_dom"],
            a["p_eff"],
            a["p_false"],
            a["fc"],
            a["fcs"],
            a["c"],
            a["gc"],
            a["gc_lam"],
            a["rc"],
            a["perfect"],
            a["inv_den"],
            n_nat,
            a["indptr"],
            a["indices"],
            a["weights"],
            a["actor_bloc"],
            a["n_revised"],
            rows,
            bloc_rows,
            error,
            out["delta"],
            out["new"],
            out["belief_used"],
            out["caught_dom"],
            out["caught_int"],
            out["false_alarm"],
            out["imposed"],
            out["paid"],
        )
        for r, e in enumerate(engines):
            sl = slice(start + 1, start + 1 + k_n)
            e.records.rows[sl] = rows[r]
            e.records.bloc_paid[sl] = bloc_rows[r]
            if not e._perfect:
                e.records.belief_error[sl] = np.mean(error[r], axis=1)
        done += k_n
    for r, e in enumerate(engines):
        _restore(e, r, t0, steps, state, out, revisers[r])


def _restore(
    e: Engine,
    r: int,
    t0: int,
    steps: int,
    state: dict[str, np.ndarray],
    out: dict[str, np.ndarray],
    revisers: np.ndarray,
) -> None:
    """Leave engine ``e`` as its own steps would have (state, last period, take-off)."""
    e.t = t0 + steps
    e.defect = state["defect"][r].copy()
    e.belief = state["belief"][r].copy()
    e.payoff = state["payoff"][r].copy()
    e._ring = state["ring"][r].copy()
    e.inspectorate.flagged_ever = state["flagged_ever"][r].copy()
    e.caught_last = state["caught_last"][r].copy()
    e.flagged_last = state["flagged_last"][r].copy()
    if steps:
        e.last = {
            "advantage": out["delta"][r].copy(),
            "revisers": revisers,
            "caught_domestic": out["caught_dom"][r].copy(),
            "caught_international": out["caught_int"][r].copy(),
            "false_alarm": out["false_alarm"][r].copy(),
            "sanction_imposed": out["imposed"][r].copy(),
            "sanction_paid": out["paid"][r].copy(),
            "belief_used": out["belief_used"][r].copy(),
            "inspected": e.inspectorate.draw(e.rng),
        }
    if e.takeoff_step is None and steps:
        above = np.flatnonzero(
            e.records.rows[t0 + 1 : t0 + steps + 1, Rec.MAX_CAPABILITY]
            > e._takeoff_share * e.structure.c_total
        )
        if len(above):
            e.takeoff_step = t0 + 1 + int(above[0])


def advance(engines: Sequence[Engine], steps: int) -> None:
    """Advance every engine ``steps`` periods, batched: as ``e.run(steps)`` for each, exactly.

    Raises:
        ValueError: An engine cannot take the batched path (:func:`unbatchable` says why), or
            the engines are not all at the same step.
    """
    for e in engines:
        why = unbatchable(e)
        if why is not None:
            raise ValueError(f"this run cannot take the batched path: it uses {why}")
    if len({e.t for e in engines}) > 1:
        raise ValueError(
            "a batch's engines must all be at the same step; they are at steps "
            f"{sorted({e.t for e in engines})}"
        )
    groups: dict[tuple[int, ...], list[Engine]] = {}
    for e in engines:
        groups.setdefault(_group_key(e), []).append(e)
    for group in groups.values():
        _advance_group(group, int(steps))


def summaries(engines: Sequence[Engine]) -> list[RunSummary]:
    """Every engine's :meth:`~model.engine.Engine.summary`, exactly, computed together.

    The summary's columns are computed once for all runs of the same length and size (their
    records stacked), then each run is summarised from its own row of them.
    """
    from model.metrics import metrics_from_records
    from model.outcomes import SUMMARY_COLUMNS

    out: list[RunSummary | None] = [None] * len(engines)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, e in enumerate(engines):
        key = (e.t, e.n_nations, e.n_actors, float(e.params["stability_threshold"]))
        groups.setdefault(key, []).append(i)
    for (t, n_nat, n, threshold), members in groups.items():
        rec = np.stack([engines[i].records.rows[: t + 1] for i in members])
        base = metrics_from_records(rec, n_nat, n, threshold, 0, SUMMARY_COLUMNS)
        for r, i in enumerate(members):
            out[i] = engines[i].summary({name: col[r] for name, col in base.items()})
    return [s for s in out if s is not None]


def run_all(engines: Sequence[Engine], steps: int) -> tuple[list[RunSummary], dict[str, int]]:
    """Run every engine ``steps`` periods: batched where it can, alone where not.

    Returns the summaries (in order) and, for the runs that took the single-run path, how many
    there were per reason (:func:`unbatchable`).
    """
    batch: list[Engine] = []
    alone: list[Engine] = []
    fallbacks: dict[str, int] = {}
    for e in engines:
        why = unbatchable(e)
        if why is None:
            batch.append(e)
        else:
            alone.append(e)
            fallbacks[why] = fallbacks.get(why, 0) + 1
    if batch:
        advance(batch, steps)
    for e in alone:
        e.run(steps)
    return summaries(engines), fallbacks
