"""Review and the pledge-action gap of strategic pledgers over the run (#30).

The issue's third claim: under ``pledge_binding = reviewed`` the gap between what strategic
nations pledge and what they do shrinks over the run. A strategic nation always pledges
comply, so month ``t``'s gap is the share of nations defecting:

    gap_t = pledged_comply_t - compliance_nations_t     (both count shares of the nations)

Each replicate world (seed ``r`` of :func:`experiments.teaching.replicate_seed`) runs twice on
the same seed, under ``reviewed`` and under ``cheap_talk`` (the control: the same pledges with
no consequence). Per run the change is the mean gap over the last third of the months minus
the mean over the first third (negative: the gap shrinks); each force's mean change, and the
paired difference of the changes (reviewed minus cheap talk: negative when review shrinks the
gap more), come with 95% Student t intervals over the replicates (:func:`scipy.stats.t`).

The scenario (:data:`SCENARIO`): the model's defaults (perfect information, ``p_detect`` 0.3, so
a breach is caught about one time in three; the ``blocs`` alliances, whose ties betrayal
lowers) in a small world of 6 nations without labs over 36 months, ``betrayal_penalty`` 0.3,
and ``penalty`` 5.0, a contested pause (at the default 4.0 it collapses under either force).
**The penalty was chosen after looking at 4, 5, 5.5 and 6, and the claim against cheap talk
holds at 5 only** (below). ``overrides`` change any of it. What review does, in the model
(model/ODD.md 3.10): trust starts at 1, so early on the nations believe the strategic pledges
of comply, believe less defection and defect less (the gap is lower from the first month); as
detected breaches wear the trust down the beliefs return to their own; detected breaches
also lower the breakers' alliance ties (which adds to cheap talk's betrayal only where a
detected breach goes unsanctioned).

Found (200 replicates from :data:`experiments.teaching.MASTER_SEED`; the change is last third
minus first third, 95% intervals):

- :data:`SCENARIO` (``penalty`` 5): reviewed 0.504 -> 0.254, change -0.250 [-0.285, -0.215];
  cheap talk 0.893 -> 0.806, change -0.087 [-0.119, -0.055]; difference -0.163 [-0.209,
  -0.117]: review shrinks the gap, and more than cheap talk (master seed 12345: difference
  -0.156 [-0.197, -0.115]).
- ``penalty`` 5.5 and 6: the gap shrinks under review (changes -0.230 [-0.250, -0.210] and
  -0.179 [-0.196, -0.163]) but *more* under cheap talk (differences +0.077 [0.035, 0.119] and
  +0.122 [0.094, 0.149]): review's believed pledges lower the gap from the start (first thirds
  0.326 vs 0.697 and 0.228 vs 0.412), leaving less to shrink.
- ``penalty`` 4 (the pause collapses): the gap grows under both, more under review (change
  +0.073 [0.065, 0.081], difference +0.061 [0.054, 0.069]). At ``betrayal_penalty`` 0.6 both
  shrink alike (difference -0.014 [-0.062, 0.033]); under ``information = bayesian`` review
  shrinks it slightly less (difference +0.024 [0.005, 0.043]); without alliances the pause
  holds and there is no gap (about 0.02 under both).
- Why it shrinks at ``penalty`` 5: switching off review's own tie-lowering changes no number
  (under the ``coalition`` adjudication a detected breach is sanctioned, so its ties fall
  under cheap talk too); switching off its beliefs gives cheap talk's numbers exactly;
  freezing trust at 1 shrinks the gap more (-0.318). So the gap shrinks because ties broken
  by sanctioned defections (both forces) expose defectors to sanctions while nations that
  believe the pledges feel less race pressure; review's penalty on trust *slows* it. With
  ``betrayal_penalty`` 0 (no tie falls) review's gap stays flat (0.590 -> 0.591).

So the issue's claim, that review shrinks the gap over the run, holds wherever the pause is
not collapsing, but it is not review's doing: cheap talk's gap shrinks as much or more except
at the edge of collapse, and the breach's cost in trust works against it.

Example:
    >>> found = review_gap_contrast(n_replicates=3, steps=6)
    >>> sorted(found.forces)
    ['cheap_talk', 'reviewed']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from experiments.teaching import MASTER_SEED, replicate_seed
from model.engine import Engine

#: The world and treaty of the contrast (see the module's docstring for why these values).
SCENARIO: dict[str, Any] = {
    "n_nations": 6,
    "n_labs": 0,
    "steps": 36,
    "pledges": "on",
    "pledge_honesty": "strategic",
    "betrayal_penalty": 0.3,
    "penalty": 5.0,
}


@dataclass(frozen=True)
class Interval:
    """A mean over replicates with its 95% Student t interval."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, x: np.ndarray) -> Interval:
        """The mean of ``x`` and its 95% t interval (``len(x) - 1`` degrees of freedom)."""
        mean = float(np.mean(x))
        half = float(stats.t.ppf(0.975, len(x) - 1) * np.std(x, ddof=1) / np.sqrt(len(x)))
        return cls(mean, mean - half, mean + half)


@dataclass(frozen=True)
class ForceGap:
    """One force's gap: mean over the first and last thirds of the months, and the change.

    Attributes:
        first: Mean gap over the first third, averaged over the replicates.
        last: The same over the last third.
        change: ``last - first`` per replicate: its mean and 95% interval.
    """

    first: float
    last: float
    change: Interval


@dataclass(frozen=True)
class ReviewGapContrast:
    """The contrast's result.

    Attributes:
        params: The scenario run (:data:`SCENARIO` with the overrides).
        n_replicates: Paired replicate worlds.
        forces: ``"reviewed"`` and ``"cheap_talk"`` -> :class:`ForceGap`.
        difference: Reviewed's change minus cheap talk's, paired by world (negative: review
            shrinks the gap more than cheap talk), with its 95% interval.
    """

    params: dict[str, Any]
    n_replicates: int
    forces: dict[str, ForceGap]
    difference: Interval

    @property
    def shrinks(self) -> bool:
        """Reviewed's gap shrinks (interval below 0), and more than cheap talk's."""
        return self.forces["reviewed"].change.high < 0 and self.difference.high < 0


def thirds(params: dict[str, Any], seed: int) -> tuple[float, float]:
    """One run's mean gap over the first and the last third of its months."""
    engine = Engine.from_params(params, rng=seed)
    engine.run()
    ts = engine.timeseries()
    gap = ts["pledged_comply"][1:] - ts["compliance_nations"][1:]
    k = len(gap) // 3
    return float(gap[:k].mean()), float(gap[-k:].mean())


def review_gap_contrast(
    n_replicates: int = 200, seed: int = MASTER_SEED, **overrides: Any
) -> ReviewGapContrast:
    """The gap's change over the run under reviewed and cheap talk, over paired worlds.

    Args:
        n_replicates: Replicate worlds (each run under both forces on the same seed).
        seed: The master seed of :func:`experiments.teaching.replicate_seed`.
        **overrides: Parameters replacing :data:`SCENARIO`'s (``steps`` at least 3).
    """
    params = {**SCENARIO, **overrides}
    if int(params["steps"]) < 3 or n_replicates < 2:
        raise ValueError("review_gap_contrast needs steps >= 3 and n_replicates >= 2")
    seeds = [replicate_seed(seed, r) for r in range(n_replicates)]
    forces, changes = {}, {}
    for force in ("reviewed", "cheap_talk"):
        runs = np.array([thirds({**params, "pledge_binding": force}, s) for s in seeds])
        changes[force] = runs[:, 1] - runs[:, 0]
        forces[force] = ForceGap(
            float(runs[:, 0].mean()), float(runs[:, 1].mean()), Interval.of(changes[force])
        )
    difference = Interval.of(changes["reviewed"] - changes["cheap_talk"])
    return ReviewGapContrast(params, n_replicates, forces, difference)
