"""The outcome of a run: whether the pause held, when it collapsed, and the run's totals.

The pause *holds* at step t while the capability-weighted compliance of bound actors is at
least ``stability_threshold``; :func:`collapse_step` finds the first of ``collapse_patience``
consecutive active steps below it (steps with no active pause count neither way), and
:func:`summarize` turns a run's time series into a :class:`RunSummary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


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
        verification_spend: What the members paid for the verification layers over the run
            (G; the sum of the ``verification_spend`` column, model/ODD.md 3.6); None for a run
            without layers. In :meth:`record`, not in :meth:`to_dict`.
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
    verification_spend: float | None = None

    @property
    def catastrophe(self) -> bool:
        """True when a catastrophe ended the run."""
        return self.catastrophe_step is not None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON-friendly) of the fields but ``verification_spend``.

        The dict is what it was before the layers' spend was a field (the golden runs pin it,
        tests/model/test_golden.py); :meth:`record` adds the spend.
        """
        out = dict(self.__dict__)  # the fields, in order (as dataclasses.asdict, faster)
        out["sanctions_paid_by_bloc"] = list(self.sanctions_paid_by_bloc)
        del out["verification_spend"]
        return out

    def record(self) -> dict[str, Any]:
        """:meth:`to_dict` with ``verification_spend`` last when the run had layers.

        What ``summary.json`` and a sweep's results hold.
        """
        out = self.to_dict()
        if self.verification_spend is not None:
            out["verification_spend"] = self.verification_spend
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
    steps = np.flatnonzero(active)  # the active steps, in order (0-based)
    fails = ~np.asarray(holds, dtype=bool)[steps]
    patience = max(1, int(patience))
    if len(fails) < patience:
        return None
    # failures among the first i active steps; a window of `patience` active steps that all
    # failed ends where the count rose by `patience` across it. The first such window starts
    # the first run of failures that reaches `patience` (a failure just before it would have
    # made an earlier window).
    count = np.concatenate(([0], np.cumsum(fails)))
    full = np.flatnonzero(count[patience:] - count[:-patience] == patience)
    return int(steps[full[0]]) + 1 if len(full) else None


#: The time-series columns :func:`summarize` reads.
SUMMARY_COLUMNS = (
    "holds",
    "pause_active",
    "weighted_compliance",
    "bound_compliance",
    "detections",
    "false_alarms",
    "sanctions_paid",
    "total_payoff",
    "flags",
    "sanctions_applied",
    "sanctions_blocked_by_vote",
    "sanctions_blocked_by_veto",
    "inspections",
    "leader_share",
    "belief_error",
)


def summarize(
    ts: Mapping[str, np.ndarray],
    *,
    patience: int,
    steps: int,
    seed: int | None,
    bloc_paid: np.ndarray,
    ledger_head: str | None,
    ledger_records: int,
    catastrophe_step: int | None,
    takeoff_step: int | None,
    verification_spend: float | None = None,
) -> RunSummary:
    """The :class:`RunSummary` of a run's time series (steps 0..``steps``).

    Args:
        ts: The time series (``Engine.timeseries()``; only :data:`SUMMARY_COLUMNS` are read).
        patience: ``collapse_patience``.
        steps: Steps run.
        seed: The run's integer seed, if any.
        bloc_paid: Sanctions paid by each bloc per step (rows 0..steps).
        ledger_head: Head hash of the event log (None without one).
        ledger_records: Records in the event log.
        catastrophe_step: The step a catastrophe ended the run (None: none).
        takeoff_step: The first step an actor held more than ``takeoff_share``.
        verification_spend: The layers' spend over the run (None: a run without layers).
    """
    holds = ts["holds"][1:]
    active = ts["pause_active"][1:] > 0.5
    cs = collapse_step(~(holds <= 0.5), active, patience)  # NaN (no pause) holds
    wc = ts["weighted_compliance"]
    return RunSummary(
        held=cs is None,
        collapse_step=cs,
        final_compliance=float(wc[-1]),
        final_bound_compliance=float(ts["bound_compliance"][-1]),
        mean_compliance=float(np.mean(wc[1:])) if steps else float(wc[0]),
        detections=int(ts["detections"].sum()),
        false_alarms=int(ts["false_alarms"].sum()),
        sanctions_paid=float(ts["sanctions_paid"].sum()),
        total_payoff=float(ts["total_payoff"].sum()),
        steps=steps,
        seed=seed,
        flags=int(ts["flags"].sum()),
        sanctions_applied=int(ts["sanctions_applied"].sum()),
        sanctions_blocked_by_vote=int(ts["sanctions_blocked_by_vote"].sum()),
        sanctions_blocked_by_veto=int(ts["sanctions_blocked_by_veto"].sum()),
        inspections=int(ts["inspections"][1:].sum()),
        sanctions_paid_by_bloc=tuple(float(x) for x in bloc_paid.sum(0)),
        ledger_head=ledger_head,
        ledger_records=ledger_records,
        active_steps=int(np.sum(~np.isnan(ts["bound_compliance"][1:]))),
        catastrophe_step=catastrophe_step,
        takeoff_step=takeoff_step,
        final_leader_share=float(ts["leader_share"][-1]),
        mean_belief_error=(
            float(np.nanmean(ts["belief_error"][1:]))
            if steps and not np.all(np.isnan(ts["belief_error"][1:]))
            else None
        ),
        verification_spend=verification_spend,
    )
