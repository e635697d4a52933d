"""A verification valley: survival of the pause falls, then rises, as detection grows.

Our own finding (every claim's kind: no publication states a number or a result to compare
with). The folk claim: half-hearted monitoring catches some cheaters without deterring anyone,
so weak verification can be worse than none. This module searches pausegame for it: the
pause's survival probability against ``p_detect`` (the international detection probability
per violation per month) in a small grid of worlds: deterrence alone (the defaults, nobody
weighs the shared risk) or a voluntary pause (actors weigh the world's risk from their own
defection, ``risk_internalization * risk_cost = 1.5 > G``, with race pressure 1, so the pause
holds on trust while rivals are believed to comply); under each information mode
(``perfect``, ``detected``, ``bayesian``); and for the valley's world, other false-alarm rates,
best response, a 3-month lag, graduated sanctions and imitation of realised payoffs.

**What it finds.** A valley exists, and only where beliefs come from flags by the
``detected`` inversion ``rho = clip((f - q) / (p - q), 0, 1)`` (``f`` the flagged share of
rivals, ``q = p_false_alarm``) in a voluntary pause. At ``p <= q`` flags carry no information
and beliefs stay put: the pause holds. Just above ``q`` the inversion divides false alarms by
the small ``p - q``: a few innocent flags read as a race, race pressure breaks the voluntary
pause, and detection is too weak to deter (``F (p - q)`` is near 0). From about
``p = 0.15`` beliefs are accurate and deterrence bites: the pause holds again. The valley opens
at ``p = q`` and moves with it; without false alarms (``q = 0``) it is gone; with Bayesian
beliefs (which discount uninformative flags) or perfect information there is none; a lag or
graduated sanctions leave it as it is; under imitation of realised payoffs there is none (a
voluntary pause fails at low detection there, since defectors earn more); with deterrence
alone survival only rises with detection. So in pausegame the folk claim holds in
the form "monitoring barely better than its false-alarm rate, read naively, starts the race
it was meant to prevent", not as "catching cheaters deters nobody".

References:
    Green, E. J. and Porter, R. H. (1984). Noncooperative collusion under imperfect price
    information. *Econometrica* 52(1), 87-100 (noise in public monitoring triggers
    punishment phases).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from experiments.analysis.common import new_figure
from experiments.reproductions import register_reproduction
from experiments.reproductions.common import (
    NO_PUBLISHED_VALUE,
    OWN_FINDING,
    Claim,
    Reproduction,
    save_png,
)
from model.engine import Engine

__all__ = [
    "CITATION",
    "NAME",
    "P_GRID",
    "TITLE",
    "VOLUNTARY",
    "WORLDS",
    "Sweep",
    "largest_drop",
    "reproduce",
    "sweep",
    "valley",
]

NAME = "verification_valley"
CITATION = "Verification valley (folk claim)"
TITLE = "Verification valley: survival against detection probability"

#: Detection probabilities searched (dense near the false-alarm rates 0.02 and 0.05).
P_GRID: tuple[float, ...] = (
    0.0,
    0.01,
    0.02,
    0.025,
    0.03,
    0.05,
    0.06,
    0.07,
    0.1,
    0.15,
    0.2,
    0.3,
    0.5,
    0.7,
    0.9,
)

#: A voluntary pause: actors weigh the world's risk of their defection (phi r = 1.5 > G).
VOLUNTARY: dict[str, Any] = {"risk_internalization": 1.0, "risk_cost": 1.5, "race_pressure": 1.0}

#: The worlds searched: name -> (label, parameters over the defaults; steps = 60).
WORLDS: dict[str, tuple[str, dict[str, Any]]] = {
    "deterrence/perfect": ("deterrence only, perfect information", {}),
    "deterrence/detected": ("deterrence only, detected", {"information": "detected"}),
    "deterrence/bayesian": ("deterrence only, bayesian", {"information": "bayesian"}),
    "voluntary/perfect": ("voluntary pause, perfect information", dict(VOLUNTARY)),
    "voluntary/detected": (
        "voluntary pause, detected (q = 0.02)",
        {**VOLUNTARY, "information": "detected"},
    ),
    "voluntary/bayesian": ("voluntary pause, bayesian", {**VOLUNTARY, "information": "bayesian"}),
    "voluntary/detected/q0.05": (
        "voluntary pause, detected, q = 0.05",
        {**VOLUNTARY, "information": "detected", "p_false_alarm": 0.05},
    ),
    "voluntary/detected/q0": (
        "voluntary pause, detected, q = 0",
        {**VOLUNTARY, "information": "detected", "p_false_alarm": 0.0},
    ),
    "voluntary/detected/best_response": (
        "voluntary pause, detected, best response",
        {**VOLUNTARY, "information": "detected", "decision_rule": "best_response"},
    ),
    "voluntary/detected/lag3": (
        "voluntary pause, detected, lag 3 months",
        {**VOLUNTARY, "information": "detected", "verification_lag": 3},
    ),
    "voluntary/detected/graduated": (
        "voluntary pause, detected, graduated sanctions",
        {**VOLUNTARY, "information": "detected", "sanction_escalation": 1.0},
    ),
    "voluntary/imitation": (
        "voluntary pause, imitation of realised payoffs",
        {**VOLUNTARY, "decision_rule": "imitation", "imitate_on": "realized"},
    ),
}

#: How much survival may fall as detection grows and still count as monotone (Monte Carlo
#: noise: same seeds at every p, so differences are small; 12 runs give a standard error of at
#: most 0.14 per point).
MONOTONE_MARGIN = 0.25
#: The depth a valley must have to count (survival probability).
VALLEY_DEPTH = 0.8


@dataclass(frozen=True)
class Sweep:
    """Survival and what goes with it along ``p_detect``, for one world.

    Attributes:
        p: The detection probabilities.
        survival: Share of runs in which the pause held, per ``p``.
        belief: Mean believed rival defection over the run, averaged over runs.
        sanctions: Sanctions paid per month (units of G), averaged over runs.
    """

    p: np.ndarray
    survival: np.ndarray
    belief: np.ndarray
    sanctions: np.ndarray


def sweep(params: dict[str, Any], p_grid: tuple[float, ...], seeds: range) -> Sweep:
    """Run ``params`` at every ``p_detect`` of ``p_grid`` with every seed (60 months)."""
    surv, belief, sanctions = [], [], []
    for p in p_grid:
        held, bel, paid = [], [], []
        for seed in seeds:
            eng = Engine.from_params({"steps": 60, **params, "p_detect": float(p)}, rng=seed)
            summary = eng.run()
            held.append(summary.held)
            bel.append(float(np.mean(eng.timeseries()["mean_belief"][1:])))
            paid.append(summary.sanctions_paid / summary.steps)
        surv.append(np.mean(held))
        belief.append(np.mean(bel))
        sanctions.append(np.mean(paid))
    return Sweep(np.asarray(p_grid), np.asarray(surv), np.asarray(belief), np.asarray(sanctions))


def largest_drop(values: np.ndarray) -> float:
    """The largest fall ``values[i] - values[j]`` over ``i < j`` (0 for a non-decreasing one).

    >>> largest_drop(np.array([0.0, 0.5, 0.4, 1.0])), largest_drop(np.array([0.0, 1.0]))
    (0.1, 0.0)
    """
    best = 0.0
    for i in range(len(values) - 1):
        best = max(best, float(values[i] - values[i + 1 :].min()))
    return round(best, 12)


def valley(values: np.ndarray) -> tuple[int, float]:
    """The deepest valley: its index and depth ``min(max left, max right) - value``.

    The depth is 0 when there is none (a monotone or single-peaked sequence).

    >>> valley(np.array([1.0, 0.2, 0.0, 0.9, 1.0]))
    (2, 1.0)
    """
    best, at = 0.0, 0
    for i in range(1, len(values) - 1):
        depth = min(values[:i].max(), values[i + 1 :].max()) - values[i]
        if depth > best:
            best, at = float(depth), i
    return at, round(best, 12)


@register_reproduction(NAME, position=9)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """Search for a verification valley; state what is found with a figure.

    Args:
        out_dir: Where the figure goes (``verification_valley.png``).
        quick: 6 seeds per point instead of 12 (the claims are the same).

    Returns:
        The :class:`Reproduction` with the claims and the figure.
    """
    seeds = range(6 if quick else 12)
    found = {name: sweep(params, P_GRID, seeds) for name, (_, params) in WORLDS.items()}
    main = found["voluntary/detected"]
    q = 0.02
    floor_at, depth = valley(main.survival)
    floor_p = float(main.p[floor_at])
    left = float(main.survival[main.p <= q].min())
    right = float(main.survival[main.p >= 0.2].min())

    def opens(s: Sweep) -> float:
        """The first p at which survival falls below 1/2."""
        below = np.flatnonzero(s.survival < 0.5)
        return float(s.p[below[0]]) if len(below) else float("nan")

    opens_02, opens_05 = opens(main), opens(found["voluntary/detected/q0.05"])
    no_valley = {
        name: largest_drop(found[name].survival)
        for name in (
            "voluntary/bayesian",
            "voluntary/perfect",
            "voluntary/detected/q0",
            "deterrence/perfect",
            "deterrence/detected",
            "deterrence/bayesian",
        )
    }
    br_at, br_depth = valley(found["voluntary/detected/best_response"].survival)
    variants = ("voluntary/detected/lag3", "voluntary/detected/graduated")
    variant_depths = {name: valley(found[name].survival) for name in variants}
    imitation_drop = largest_drop(found["voluntary/imitation"].survival)
    imitation_low = float(found["voluntary/imitation"].survival[0])

    def drops(names: tuple[str, ...]) -> str:
        return ", ".join(f"{WORLDS[n][0].split(', ', 1)[-1]}: {no_valley[n]:.2f}" for n in names)

    claims = (
        Claim(
            "a valley: voluntary pause (phi r = 1.5 > G, lam = 1) with detected information "
            "(q = 0.02): survival at p <= q, its floor, survival at p >= 0.2 (the folk claim: "
            "falls, then rises; no publication states it)",
            NO_PUBLISHED_VALUE,
            f"{left:.2f}; floor {main.survival[floor_at]:.2f} at p = "
            f"{floor_p:g} (depth {depth:.2f}); {right:.2f}",
            f"depth >= {VALLEY_DEPTH}, floor in (q, 0.1], both sides >= 0.9",
            depth >= VALLEY_DEPTH and q < floor_p <= 0.1 and left >= 0.9 and right >= 0.9,
            OWN_FINDING,
        ),
        Claim(
            "the valley opens at the false-alarm rate: first p with survival < 1/2, for "
            "q = 0.02 and q = 0.05",
            NO_PUBLISHED_VALUE,
            f"{opens_02:g}; {opens_05:g}",
            "in (q, q + 0.01]",
            0.02 < opens_02 <= 0.03 + 1e-12 and 0.05 < opens_05 <= 0.06 + 1e-12,
            OWN_FINDING,
        ),
        Claim(
            "the valley does not need logit noise: the same world under best response",
            NO_PUBLISHED_VALUE,
            f"depth {br_depth:.2f} at p = {P_GRID[br_at]:g}",
            f"depth >= {VALLEY_DEPTH}",
            br_depth >= VALLEY_DEPTH,
            OWN_FINDING,
        ),
        Claim(
            "the valley survives a 3-month lag and graduated sanctions (escalation 1): "
            "depth and floor",
            NO_PUBLISHED_VALUE,
            "; ".join(
                f"{WORLDS[n][0].split(', ')[-1]}: depth {d:.2f} at p = {P_GRID[i]:g}"
                for n, (i, d) in variant_depths.items()
            ),
            f"depth >= {VALLEY_DEPTH}, floor in (q, 0.1]",
            all(d >= VALLEY_DEPTH and q < P_GRID[i] <= 0.1 for i, d in variant_depths.values()),
            OWN_FINDING,
        ),
        Claim(
            "imitation of realised payoffs in the voluntary pause: no valley (largest fall; "
            "survival only rises, from 0 at low p)",
            NO_PUBLISHED_VALUE,
            f"{imitation_drop:.2f} (survival {imitation_low:.2f} at p = 0)",
            f"<= {MONOTONE_MARGIN}, <= 0.1 at p = 0",
            imitation_drop <= MONOTONE_MARGIN and imitation_low <= 0.1,
            OWN_FINDING,
        ),
        Claim(
            "no valley in the same world with Bayesian beliefs, perfect information or no "
            "false alarms (largest fall in survival as p grows)",
            NO_PUBLISHED_VALUE,
            drops(("voluntary/bayesian", "voluntary/perfect", "voluntary/detected/q0")),
            f"each <= {MONOTONE_MARGIN}",
            all(
                no_valley[n] <= MONOTONE_MARGIN
                for n in ("voluntary/bayesian", "voluntary/perfect", "voluntary/detected/q0")
            ),
            OWN_FINDING,
        ),
        Claim(
            "deterrence alone (defaults, phi = 0): survival only rises with p, under every "
            "information mode (largest fall)",
            NO_PUBLISHED_VALUE,
            drops(("deterrence/perfect", "deterrence/detected", "deterrence/bayesian")),
            f"each <= {MONOTONE_MARGIN}",
            all(
                no_valley[n] <= MONOTONE_MARGIN
                for n in ("deterrence/perfect", "deterrence/detected", "deterrence/bayesian")
            ),
            OWN_FINDING,
        ),
    )
    fig = new_figure(16.0, 5.0)
    ax, bx, cx = fig.subplots(1, 3)
    for name, style in (
        ("voluntary/detected", "o-"),
        ("voluntary/bayesian", "s--"),
        ("voluntary/perfect", "^:"),
        ("deterrence/detected", "d-."),
    ):
        ax.plot(found[name].p, found[name].survival, style, ms=4, label=WORLDS[name][0])
    ax.axvline(q, color="0.5", lw=0.8, ls="--", label="q = p_false_alarm = 0.02")
    ax.set_xscale("symlog", linthresh=0.02)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("p_detect (per violation per month; symlog)")
    ax.set_ylabel(f"survival probability ({len(seeds)} runs of 60 months)")
    ax.set_title("A valley only under 'detected' beliefs")
    ax.legend(fontsize=7)
    bx.plot(main.p, main.survival, "o-", ms=4, label="survival")
    bx.plot(main.p, main.belief, "s-", ms=4, label="mean believed rival defection")
    bx.plot(main.p, main.sanctions, "^-", ms=4, label="sanctions paid per month (G)")
    bx.axvline(q, color="0.5", lw=0.8, ls="--")
    bx.set_xscale("symlog", linthresh=0.02)
    bx.set_xlim(0.0, 1.0)
    bx.set_xlabel("p_detect (symlog)")
    bx.set_title("Voluntary pause, detected: false alarms read as a race")
    bx.legend(fontsize=7)
    grid = np.array([found[name].survival for name in WORLDS])
    image = cx.imshow(grid, aspect="auto", cmap="RdYlGn", vmin=0.0, vmax=1.0)
    cx.set_yticks(range(len(WORLDS)), [label for label, _ in WORLDS.values()], fontsize=7)
    cx.set_xticks(range(len(P_GRID)), [f"{p:g}" for p in P_GRID], fontsize=6, rotation=90)
    cx.set_xlabel("p_detect")
    cx.set_title("Survival in every world searched")
    fig.colorbar(image, ax=cx, label="survival probability")
    return Reproduction(NAME, CITATION, claims, save_png(fig, out_dir, NAME))
