"""Many runs advanced together in one compiled kernel: the batched engine path.

A sweep runs thousands of runs of one world size. :meth:`model.engine.Engine.step` pays a fixed
cost in Python every period (the parts' bookkeeping, a handful of kernel calls); here the runs
of a batch are stacked into arrays shaped (runs, actors) and one numba kernel advances all of
them through a block of periods (:func:`model.batched_kernel.advance_block`), calling the
engine's own compiled kernels (:mod:`model.kernels`) and the decision rule's compiled decision
(``Rule.compiled``) on each run's rows. It reads each engine through
:meth:`~model.engine.Engine.kernel_view` and writes back only through public attributes and
:meth:`~model.engine.Engine.set_pending_sanctions`. Nothing about a run changes:

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
decision rule registered with a compiled decision (``logit``, ``best_response``; see
``agents/rules/_compiled.py``), any revision rate, perfect or detected information, any lag, global
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

from agents.rules import rules
from model.batched_kernel import Block, Last, Rows, RuleKey, Runs, State, advance_block
from model.kernel_view import KernelView
from model.kernels import Gains, Stakes, World
from model.records import Rec

if TYPE_CHECKING:
    from model.engine import Engine
    from model.outcomes import RunSummary

__all__ = ["BATCHED_RULES", "advance", "run_all", "summaries", "unbatchable"]


def batched_rules() -> dict[str, int]:
    """The decision rules the kernel applies (those registered with a compiled decision)."""
    names = [name for name, rule in rules().items() if rule.compiled is not None]
    return {name: i for i, name in enumerate(names)}


#: Decision rules the kernel applies, with an index each (derived from the rule registry:
#: the rules registered with ``compiled=``).
BATCHED_RULES = batched_rules()

#: Bytes of uniforms drawn ahead per block (all runs of a batch together).
BLOCK_BYTES = 16 * 2**20


def unbatchable(engine: Engine) -> str | None:
    """Why ``engine`` cannot take the batched path (None: it can).

    The reason names the mechanism (and the parameter that switches it on).
    """
    p = engine.params
    rule = p["decision_rule"]
    if engine.rule.compiled is None:
        return f"decision_rule={rule!r} (batched: {', '.join(sorted(BATCHED_RULES))})"
    checks = (
        (
            engine.treaty.on,
            "the treaty's own rules (a negotiation under protocol, membership='negotiated' "
            "or terms_rule)",
        ),
        (
            engine.treaty.club_on,
            "club costs (outsider_penalty or verification_cost > 0, or layers that cost)",
        ),
        (engine.inspectorate.limited, "an inspection quota (inspection_quota > 0)"),
        (engine.inspectorate.changes, "graduated sanctions or a quota's plans"),
        (engine.structure.voting, f"adjudication={p['adjudication']!r} (a vote)"),
        (engine.posterior is not None, "information='bayesian'"),
        (p["rsi"] == "on", "rsi='on'"),
        (float(p["hazard_scale"]) > 0, "the hazard (hazard_scale > 0)"),
        (engine.log is not None, "the event log (a ledger)"),
        (engine.pledges is not None, "pledges (pledges='on')"),
        (engine.catastrophe_step is not None, "a run ended by a catastrophe"),
    )
    for used, why in checks:
        if used:
            return why
    return None


def _group_key(e: Engine, v: KernelView) -> tuple[Any, ...]:
    return (
        e.n_actors,
        e.n_nations,
        len(v.ring),
        len(v.world.indices),
        e.records.bloc_paid.shape[1],
        e.params["decision_rule"],
    )


def _stack(values: Sequence[Any], dtype: Any) -> np.ndarray:
    return np.ascontiguousarray(np.stack([np.asarray(v, dtype=dtype) for v in values]))


def _stacked(cls: Any, items: Sequence[Any], shared: tuple[str, ...] = ()) -> Any:
    """One named tuple of ``cls`` whose fields stack the items' (``shared`` ones: the first's)."""
    first = items[0]
    fields = {}
    for name in cls._fields:
        value = getattr(first, name)
        if name in shared:
            fields[name] = value
        else:
            dtype = value.dtype if isinstance(value, np.ndarray) else type(value)
            fields[name] = _stack([getattr(x, name) for x in items], dtype)
    return cls(**fields)


def _draw_block(
    engines: Sequence[Engine], views: Sequence[KernelView], start: int, k_n: int, revisers: list
) -> Block:
    """A block's draws, from each run's generator in :meth:`Engine.step`'s order."""
    r_n, n = len(engines), engines[0].n_actors
    use_revise = any(v.n_revise < n for v in views)
    use_fixed = any(v.has_fixed for v in views)
    uniforms = np.empty((r_n, k_n, 3, n))
    revise = np.ones((r_n, k_n if use_revise else 0, n), dtype=bool)
    fixed = np.zeros((r_n, k_n if use_fixed else 0, n), dtype=bool)
    fixed_action = np.zeros_like(fixed)
    for r, (e, v) in enumerate(zip(engines, views, strict=True)):
        if v.n_revise < n:
            # Engine.step's order: the revisers' permutation, then the period's uniforms
            for j in range(k_n):
                revisers[r] = e.rng.permutation(n)[: v.n_revise]
                revise[r, j] = False
                revise[r, j, revisers[r]] = True
                e.rng.random(out=uniforms[r, j])
        else:
            e.rng.random(out=uniforms[r])
        if v.has_fixed:
            for j in range(k_n):
                fixed[r, j], fixed_action[r, j] = e.world.fixed_actions(start + 1 + j)
    return Block(uniforms, revise, fixed, fixed_action, use_revise, use_fixed)


def _advance_group(
    engines: Sequence[Engine],
    views: Sequence[KernelView],
    steps: int,
    payoffs: Sequence[np.ndarray] | None = None,
) -> None:
    """Advance engines of one shape (actors, nations, lag, alliance ties, blocs, rule).

    ``payoffs``: one ``(steps, N)`` array per engine to receive its periods' payoffs.
    """
    r_n = len(engines)
    e0 = engines[0]
    n = e0.n_actors
    for e in engines:
        if e.t + steps + 1 > len(e.records):
            e.records.reserve(e.t + steps + 1)
    t0 = e0.t
    worlds = _stacked(World, [v.world for v in views], shared=("n_nations",))
    stakes = _stacked(Stakes, [v.stakes for v in views])
    gains = _stacked(Gains, [v.gains for v in views])
    runs = Runs(
        _stack([v.bound for v in views], bool),
        _stack([v.all_bound for v in views], bool),
        _stack([v.pause_active for v in views], bool),
        _stack([v.n_revise for v in views], np.int64),
        _stack([v.tolerance for v in views], float),
        _stack([v.param for v in views], float),
        _stack([v.fcs for v in views], float),
    )
    state = State(
        _stack([e.defect for e in engines], bool),
        _stack([e.belief for e in engines], float),
        _stack([e.payoff for e in engines], float),
        _stack([v.ring for v in views], float),
        _stack([e.inspectorate.flagged_ever for e in engines], bool),
        _stack([e.caught_last for e in engines], bool),
        _stack([e.flagged_last for e in engines], bool),
    )
    flags = ("new", "caught_dom", "caught_int", "false_alarm")
    last = Last(*(np.zeros((r_n, n), dtype=bool if f in flags else float) for f in Last._fields))
    block = max(1, min(steps, BLOCK_BYTES // max(1, r_n * 3 * n * 8)))
    n_blocs = e0.records.bloc_paid.shape[1]
    revisers: list[np.ndarray] = [v.everyone for v in views]
    perfect = all(v.world.perfect for v in views)
    done = 0
    while done < steps:
        k_n = min(block, steps - done)
        start = t0 + done
        draws = _draw_block(engines, views, start, k_n, revisers)
        rows = Rows(
            np.zeros((r_n, k_n, e0.records.rows.shape[1])),
            np.zeros((r_n, k_n, n_blocs)),
            np.zeros((r_n, k_n if not perfect else 0, n)),
            np.zeros((r_n, k_n if payoffs is not None else 0, n)),
        )
        advance_block(
            start,
            k_n,
            draws,
            state,
            worlds,
            stakes,
            gains,
            runs,
            last,
            rows,
            RuleKey(str(e0.params["decision_rule"])),
        )
        for r, (e, v) in enumerate(zip(engines, views, strict=True)):
            sl = slice(start + 1, start + 1 + k_n)
            e.records.rows[sl] = rows.rows[r]
            e.records.bloc_paid[sl] = rows.bloc_rows[r]
            if not v.world.perfect:
                e.records.belief_error[sl] = np.mean(rows.error[r], axis=1)
            if payoffs is not None:
                payoffs[r][done : done + k_n] = rows.payoff[r]
        done += k_n
    for r, (e, v) in enumerate(zip(engines, views, strict=True)):
        _restore(e, v, r, t0, steps, state, last, revisers[r])


def _restore(
    e: Engine,
    v: KernelView,
    r: int,
    t0: int,
    steps: int,
    state: State,
    last: Last,
    revisers: np.ndarray,
) -> None:
    """Leave engine ``e`` as its own steps would have (state, last period, take-off)."""
    e.t = t0 + steps
    e.defect = state.defect[r].copy()
    e.belief = state.belief[r].copy()
    e.payoff = state.payoff[r].copy()
    e.set_pending_sanctions(state.ring[r])
    e.inspectorate.flagged_ever = state.flagged_ever[r].copy()
    e.caught_last = state.caught_last[r].copy()
    e.flagged_last = state.flagged_last[r].copy()
    if steps:
        e.last = {
            "advantage": last.delta[r].copy(),
            "revisers": revisers,
            "caught_domestic": last.caught_dom[r].copy(),
            "caught_international": last.caught_int[r].copy(),
            "false_alarm": last.false_alarm[r].copy(),
            "sanction_imposed": last.imposed[r].copy(),
            "sanction_paid": last.paid[r].copy(),
            "belief_used": last.belief_used[r].copy(),
            "inspected": e.inspectorate.draw(e.rng),
        }
    if e.takeoff_step is None and steps:
        above = np.flatnonzero(
            e.records.rows[t0 + 1 : t0 + steps + 1, Rec.MAX_CAPABILITY]
            > v.takeoff_share * e.structure.c_total
        )
        if len(above):
            e.takeoff_step = t0 + 1 + int(above[0])


def advance(
    engines: Sequence[Engine], steps: int, *, payoffs: Sequence[np.ndarray] | None = None
) -> None:
    """Advance every engine ``steps`` periods, batched: as ``e.run(steps)`` for each, exactly.

    Args:
        engines: The runs (all at the same step).
        steps: Periods to advance.
        payoffs: One ``(steps, N)`` array per engine, filled with each period's payoffs
            (``Engine.payoff`` after that period; the records keep only their total).

    Raises:
        ValueError: An engine cannot take the batched path (:func:`unbatchable` says why), or
            the engines are not all at the same step, or ``payoffs`` does not fit.
    """
    if payoffs is not None and (
        len(payoffs) != len(engines)
        or any(a.shape != (int(steps), e.n_actors) for a, e in zip(payoffs, engines, strict=False))
    ):
        raise ValueError(f"payoffs must be one (steps={steps}, actors) array per engine")
    for e in engines:
        why = unbatchable(e)
        if why is not None:
            raise ValueError(f"this run cannot take the batched path: it uses {why}")
    if len({e.t for e in engines}) > 1:
        raise ValueError(
            "a batch's engines must all be at the same step; they are at steps "
            f"{sorted({e.t for e in engines})}"
        )
    groups: dict[tuple[Any, ...], list[tuple[int, Engine, KernelView]]] = {}
    for i, e in enumerate(engines):
        v = e.kernel_view()
        groups.setdefault(_group_key(e, v), []).append((i, e, v))
    for group in groups.values():
        _advance_group(
            [e for _, e, _ in group],
            [v for _, _, v in group],
            int(steps),
            None if payoffs is None else [payoffs[i] for i, _, _ in group],
        )


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
