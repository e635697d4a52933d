"""One run's arrays and switches as its compiled kernels read them: a frozen view.

:meth:`model.engine.Engine.kernel_view` returns it; the batched sweep path
(:mod:`model.batched`) stacks many runs' views and advances them in one kernel, reading
nothing else of the engine's inside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.rules import CompiledDecision
from model.kernels import Gains, Stakes, World


@dataclass(frozen=True)
class KernelView:
    """What a period's kernels read of one run (arrays are read-only views).

    Attributes:
        world: The world as the kernels read it (:class:`model.kernels.World`).
        stakes: What actions cost and gain (:class:`model.kernels.Stakes`).
        gains: The advantage's terms (:class:`model.kernels.Gains`).
        fcs: What a flag costs each actor without a vote (``F c s``).
        bound: Bound by the treaty if a pause is active.
        pause_active: Whether a pause is active.
        all_bound: Every actor is bound.
        tolerance: The tie tolerance of the decision rule.
        n_revise: Actors revising per period.
        everyone: ``arange(N)``, the revisers when everyone revises.
        has_fixed: The scenario fixes some actions (commitments or events).
        ring: Sanctions pending, ``(L + 1, N)`` (set with ``Engine.set_pending_sanctions``).
        decision: The rule's compiled decision (None: the rule has none).
        param: The value of the rule's compiled parameter (0.0 without one).
        takeoff_share: Capability share that counts as a take-off.
        rsi: ``rsi='on'``.
        hazard_scale: The hazard's scale (0: no hazard).
    """

    world: World
    stakes: Stakes
    gains: Gains
    fcs: np.ndarray
    bound: np.ndarray
    pause_active: bool
    all_bound: bool
    tolerance: float
    n_revise: int
    everyone: np.ndarray
    has_fixed: bool
    ring: np.ndarray
    decision: CompiledDecision | None
    param: float
    takeoff_share: float
    rsi: bool
    hazard_scale: float


def read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a``."""
    v = a.view()
    v.flags.writeable = False
    return v
