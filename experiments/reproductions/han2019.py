"""Han, Pereira, Santos and Lenaerts, "To regulate or not" (the DSAIR race): the two thresholds.

Two strategies, always safe (AS) and always unsafe (AU), race ``W`` rounds for a prize ``B``
(:class:`model.dsair.DSAIRRace`); a population of ``Z = 100`` developers learns by pairwise
comparison (the Fermi rule of pausegame's ``imitation`` rule, ``beta = 0.01``). The paper's
Figure 1 (``b = 4``, ``c = 1``, ``B = 10^4``, ``W = 100``, ``s`` in [1, 5], ``p_r`` in [0, 1])
splits the (s, p_r) plane with two curves: society prefers safety above
``1 - (pi11 + B/2W) / (pi22 + s B/2W)`` (about ``1 - 1/s`` when B/W is large) and selection
favours AS above ``1 - (pi11 + pi12 + B/2W) / (pi21 + pi22 + 3 s B/2W)`` (about ``1 - 1/(3s)``);
between them lies the dilemma that calls for regulation.

The paper states the two thresholds for a prize large against the per-round benefits (its
Figure 1 and the dilemma zone ``1 - 1/s < p_r < 1 - 1/(3s)``); those two formulas, typed here
(:func:`paper_society_threshold`, :func:`paper_selection_threshold`), are "theirs" in every
claim: nothing of ``model/`` computes them. This module checks, for several ``s``:

* the selection threshold of the exact imitation chain (``model.learning_theory.ImitationChain``
  with the race's payoffs; small-mutation stationary distribution ``rho_AS / (rho_AS +
  rho_AU)`` at ``Z = 100``) against ``1 - 1/(3s)``;
* the same threshold from a stand-alone stochastic simulation of the pairwise-comparison
  process (seeded numpy Generator; fixation of one mutant counted over many runs, the log
  ratio of the two fixation frequencies fitted against ``p_r``), a second check;
* the society threshold (where ``Pi11 = Pi22`` of ``model.dsair``'s payoff matrix, found by
  root finding) against ``1 - 1/s``, a check of the matrix;
* the selection threshold through the engine: pausegame's own ``imitation`` rule, run by
  :class:`model.engine.Engine` with the settings that make it the paper's well-mixed
  pairwise-comparison process (:data:`ENGINE_SETTINGS`) and the race's payoffs expressed in
  the pause game's (:func:`engine_params`), from half the developers safe: AS is ahead in
  under half the runs just below ``1 - 1/(3s)`` and in over half just above
  (:func:`engine_ahead`);

and draws the plane: the exact chain's AS share, the paper's two curves, the simulated
preference on a grid and the simulated thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy.optimize import brentq

from experiments.reproductions import register_reproduction
from experiments.reproductions.common import (
    PALETTE,
    PUBLISHED_NUMBER,
    Claim,
    Reproduction,
    save_png,
)
from model.dsair import DSAIRRace
from model.engine import Engine

__all__ = [
    "BETA",
    "CITATION",
    "NAME",
    "SEED",
    "TITLE",
    "Z",
    "ENGINE_SETTINGS",
    "SimulatedThreshold",
    "engine_ahead",
    "engine_params",
    "paper_selection_threshold",
    "paper_society_threshold",
    "reproduce",
    "simulate_fixations",
    "simulated_threshold",
]

NAME = "han2019"
TITLE = "DSAIR race: when society prefers safety and when selection favours it"
CITATION = "Han, Pereira, Santos & Lenaerts 2020 (arXiv 1907.12393)"

#: Population size and selection intensity of the paper's Figure 1.
Z = 100
BETA = 0.01
#: The master seed of the simulations.
SEED = 20190726
#: Speed advantages at which the thresholds are checked (all, quick).
CHECK_S: tuple[float, ...] = (1.5, 2.0, 3.0, 4.0, 5.0)
CHECK_S_SOCIETY: tuple[float, ...] = (1.5, 3.0, 5.0)
SIM_S: tuple[float, ...] = (1.5, 3.0, 5.0)
SIM_S_QUICK: tuple[float, ...] = (1.5, 3.0)
#: Where the paper states the two thresholds (the dilemma zone ``1 - 1/s < p_r < 1 - 1/(3s)``
#: between its regions of Figure 1, for a prize large against the per-round benefits, B/W >> b).
PAPER_WHERE = "Han et al. 2020, Fig. 1 and its dilemma zone 1 - 1/s < p_r < 1 - 1/(3s)"
#: Tolerances (absolute, in p_r): the paper's thresholds are the large-B/W limits; at B/W = 100
#: and Z = 100 the exact thresholds differ from them by at most 0.005 on s in [1.5, 5].
TOL_CHAIN = 0.01
TOL_SIM = 0.01
TOL_LIMIT = 0.01

#: The engine's settings that make its ``imitation`` rule the paper's process: well mixed (no
#: alliances, peers drawn from all), equal capabilities, one revision a month (1/N), the
#: paper's selection intensity, and mutation 0 (the paper's small-mutation limit: the
#: population settles before a mutant arrives); a complier is always safe, a defector always
#: unsafe. The race's payoffs enter through ``defect_gain``, ``race_pressure`` and
#: ``penalty`` (:func:`engine_params`); nothing else of the pause game acts.
ENGINE_SETTINGS: dict[str, Any] = {
    "n_nations": Z,
    "n_labs": 0,
    "alliance_network": "none",
    "capability_dist": "equal",
    "decision_rule": "imitation",
    "imitation_peers": "all",
    "imitate_on": "expected",
    "beta": BETA,
    "mutation": 0.0,
    "revision_rate": "one",
    "information": "perfect",
    "initial_compliance": 0.5,
    "p_detect": 1.0,
    "p_false_alarm": 0.0,
    "p_domestic": 0.0,
    "verification_lag": 0,
    "risk_internalization": 0.0,
}
#: The engine's check: speed advantages (all, quick), how far either side of the paper's
#: threshold, runs a point and months a run.
ENGINE_S: tuple[float, ...] = (3.0, 5.0)
ENGINE_S_QUICK: tuple[float, ...] = (5.0,)
ENGINE_OFFSET = 0.03
ENGINE_RUNS, ENGINE_RUNS_QUICK = 40, 16
ENGINE_MONTHS = 1000


def paper_society_threshold(s: float) -> float:
    """``1 - 1/s``: above it society prefers safety (typed from the paper, large B/W).

    >>> round(paper_society_threshold(1.5), 4)
    0.3333
    """
    return 1.0 - 1.0 / s


def paper_selection_threshold(s: float) -> float:
    """``1 - 1/(3s)``: above it selection favours always-safe (typed from the paper, large B/W).

    >>> round(paper_selection_threshold(1.5), 4)
    0.7778
    """
    return 1.0 - 1.0 / (3.0 * s)


def engine_params(race: DSAIRRace, s: float, p_r: float, n: int = Z) -> dict[str, Any]:
    """The engine's parameters whose payoffs are the race's (with :data:`ENGINE_SETTINGS`).

    With ``j`` of the ``n`` developers unsafe, an AU earns ``Pi21 + (Pi22 - Pi21) (j - 1) /
    (n - 1)`` and an AS ``Pi11 + (Pi12 - Pi11) j / (n - 1)``, so the gap the Fermi rule sees,
    AU's payoff minus AS's, is ``I + K (j - 1) / (n - 1)`` with ``K = Pi11 - Pi12 - Pi21 +
    Pi22`` and ``I = Pi21 - Pi11 + (Pi11 - Pi12) / (n - 1)``. The engine's expected payoffs
    (``Engine.expected_payoffs``; no false alarms, no lag, no risk weighed) are 0 for a
    complier and ``G (1 + lam rho) - F p`` for a defector, with ``rho = (j - 1) / (n - 1)`` its
    rivals' defecting share under perfect information: the same gap when ``G lam = K`` and
    ``G - F p = I`` (``p = 1``; ``G = max(1, I + 1)`` keeps ``F >= 1``). Only differences of
    payoffs enter the Fermi rule, so the constants both sides share do not matter.

    Raises:
        ValueError: ``K < 0`` (``race_pressure`` cannot be negative): the race is not a
            coordination game there; near the paper's selection threshold it always is.
    """
    (a, b), (c, d) = race.payoff_matrix(s, p_r)
    slope = a - b - c + d
    if slope < 0:
        raise ValueError(f"s={s}, p_r={p_r}: Pi11 - Pi12 - Pi21 + Pi22 < 0; not expressible")
    offset = c - a + (a - b) / (n - 1)
    gain = max(1.0, offset + 1.0)
    return {
        **ENGINE_SETTINGS,
        "n_nations": n,
        "defect_gain": gain,
        "race_pressure": slope / gain,
        "penalty": gain - offset,
    }


def engine_ahead(
    race: DSAIRRace, s: float, p_r: float, *, runs: int, months: int, seed: int
) -> float:
    """Share of engine runs in which AS is ahead after ``months`` (ties count one half).

    Each run is the engine (:class:`model.engine.Engine`, its ``imitation`` rule) with
    :func:`engine_params`, from half the developers safe, seeded ``[seed, run]``. The race's
    gap is linear in the number of AS, so at the selection threshold of the small-mutation
    process (where the two fixation probabilities are equal, ``sum_k d_k = 0``) the gap
    vanishes at the half-half population and the process is symmetric about it: AS is ahead
    with probability 1/2 after any number of months; above that ``p_r`` more often, below it
    less often. (The first month's beliefs are ``1 - initial_compliance = 1/2`` instead of
    the rivals' ``49/99``: one month of 1000.)
    """
    params = {**engine_params(race, s, p_r), "steps": int(months)}
    ahead = 0.0
    for run in range(int(runs)):
        eng = Engine.from_params(params, rng=np.random.default_rng([seed, run]))
        eng.run()
        safe = int(np.count_nonzero(~eng.defect))
        ahead += 1.0 if 2 * safe > Z else 0.5 if 2 * safe == Z else 0.0
    return ahead / int(runs)


def simulate_fixations(
    gaps: NDArray[np.float64], start: int, runs: int, beta: float, rng: np.random.Generator
) -> NDArray[np.int64]:
    """Run the pairwise-comparison process from ``start`` AS developers until it fixes.

    Each run is one chain of the number ``k`` of AS developers among ``n``; ``gaps[i, k]`` is an
    AU's payoff minus an AS's at parameter point ``i`` (``DSAIRRace.gap``). Only revisions where
    the revising developer and its random peer differ can change ``k``; of those, half have an
    AS revising (it copies the AU with probability ``1 / (1 + exp(-beta d_k))``) and half an AU
    revising (it copies the AS with ``1 / (1 + exp(beta d_k))``), the Fermi rule of pausegame's
    ``imitation`` rule. Revisions between equals change nothing and are skipped.

    Args:
        gaps: ``(P, n + 1)`` gaps, one row per parameter point.
        start: AS developers at the start, 1..n-1.
        runs: Runs per point.
        beta: Selection intensity.
        rng: The random stream (two uniforms per revision, runs one after another).

    Returns:
        ``(P,)`` counts of runs that ended all AS.
    """
    n = gaps.shape[1] - 1
    if not 0 < start < n:
        raise ValueError(f"start={start!r} is out of bounds; allowed: 1..{n - 1}")
    if runs < 1:
        raise ValueError(f"runs={runs!r} is out of bounds; allowed: an integer >= 1")
    return np.asarray(
        _fixations(
            np.ascontiguousarray(gaps, dtype=np.float64), int(start), int(runs), float(beta), rng
        ),
        dtype=np.int64,
    )


@njit(cache=True, nogil=True)
def _fixations(gaps, start, runs, beta, rng):  # pragma: no cover - compiled
    """The runs of :func:`simulate_fixations`, one after another, point by point."""
    n = gaps.shape[1] - 1
    out = np.zeros(gaps.shape[0], dtype=np.int64)
    for i in range(gaps.shape[0]):
        for _ in range(runs):
            k = start
            while 0 < k < n:
                safe_revises = rng.random() < 0.5
                d = gaps[i, k]
                z = -beta * d if safe_revises else beta * d
                if rng.random() < 1.0 / (1.0 + math.exp(z)):
                    k += -1 if safe_revises else 1
            if k == n:
                out[i] += 1
    return out


@dataclass(frozen=True)
class SimulatedThreshold:
    """The selection threshold at one ``s`` estimated by simulation.

    Attributes:
        s: The speed advantage.
        p_r: The estimated threshold (where the fitted log ratio of the two fixation
            frequencies is 0).
        stderr: Its standard error (delta method on the weighted line fit).
        grid: The p_r values simulated.
        rho_safe, rho_unsafe: Simulated fixation frequencies of one AS and of one AU.
        runs: Runs per point and direction.
    """

    s: float
    p_r: float
    stderr: float
    grid: tuple[float, ...]
    rho_safe: tuple[float, ...]
    rho_unsafe: tuple[float, ...]
    runs: int


def simulated_threshold(
    race: DSAIRRace,
    s: float,
    rng: np.random.Generator,
    *,
    runs: int,
    centre: float,
    half_width: float = 0.03,
    points: int = 7,
) -> SimulatedThreshold:
    """Estimate the selection threshold at ``s`` from simulated fixation frequencies.

    Simulates ``runs`` fixations of one AS among AU and of one AU among AS at ``points`` values
    of ``p_r`` spread over ``centre +- half_width`` and fits ``log(rho_AS / rho_AU)`` against
    ``p_r`` by weighted least squares (weights: the inverse Poisson variances ``1 / (1/n_AS +
    1/n_AU)``); the threshold is where the line crosses 0.
    """
    grid = np.linspace(centre - half_width, centre + half_width, points)
    grid = grid[(grid >= 0) & (grid <= 1)]
    gaps = np.array([race.gap(s, p, Z) for p in grid])
    safe = simulate_fixations(gaps, 1, runs, BETA, rng)
    unsafe = runs - simulate_fixations(gaps, Z - 1, runs, BETA, rng)
    ok = (safe > 0) & (unsafe > 0)
    if ok.sum() < 2:
        raise RuntimeError(f"too few fixations at s={s} to fit the threshold; raise runs")
    y = np.log(safe[ok] / unsafe[ok])
    w = 1.0 / (1.0 / safe[ok] + 1.0 / unsafe[ok])
    x = grid[ok]
    (slope, icpt), cov = np.polyfit(x, y, 1, w=np.sqrt(w), cov="unscaled")
    root = -icpt / slope
    grad = np.array([icpt / slope**2, -1.0 / slope])
    stderr = float(math.sqrt(max(grad @ cov @ grad, 0.0)))
    return SimulatedThreshold(
        s=s,
        p_r=float(root),
        stderr=stderr,
        grid=tuple(map(float, grid)),
        rho_safe=tuple(float(v) for v in safe / runs),
        rho_unsafe=tuple(float(v) for v in unsafe / runs),
        runs=runs,
    )


def _society_root(race: DSAIRRace, s: float) -> float:
    """The p_r where an all-AS population earns what an all-AU one does (root finding)."""

    def gap(p_r: float) -> float:
        m = race.payoff_matrix(s, p_r)
        return float(m[0, 0] - m[1, 1])

    return float(brentq(gap, 0.0, 1.0, xtol=1e-12)) if gap(0.0) < 0 else 0.0


def _figure(
    race: DSAIRRace,
    out_dir: Path,
    sims: list[SimulatedThreshold],
    grid_s: NDArray[np.float64],
    grid_p: NDArray[np.float64],
    prefer: NDArray[np.float64],
) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    s_fine = np.linspace(1.0, 5.0, 81)
    p_fine = np.linspace(0.0, 1.0, 101)
    share = np.array([[race.safe_share(s, p, Z, BETA) for s in s_fine] for p in p_fine])
    mesh = ax.pcolormesh(
        s_fine, p_fine, share, cmap="Greys", vmin=0, vmax=1, shading="auto", alpha=0.55
    )
    fig.colorbar(mesh, ax=ax, label="exact chain: share of time all always-safe (Z = 100)")
    ax.plot(
        s_fine,
        [paper_society_threshold(s) for s in s_fine],
        color=PALETTE[0],
        lw=2,
        label="paper: society prefers safety above 1 - 1/s",
    )
    ax.plot(
        s_fine,
        [paper_selection_threshold(s) for s in s_fine],
        color=PALETTE[1],
        lw=2,
        label="paper: selection favours safety above 1 - 1/(3s)",
    )
    ax.plot(
        s_fine,
        [race.selection_threshold_exact(s, Z, BETA) for s in s_fine],
        color="black",
        lw=1,
        ls="--",
        label="exact chain, Z = 100: AS half the time",
    )
    ss, pp = np.meshgrid(grid_s, grid_p)
    for value, marker, colour, label in (
        (1, "o", PALETTE[2], "simulated: AS favoured"),
        (-1, "x", PALETTE[3], "simulated: AU favoured"),
    ):
        mask = prefer == value
        ax.scatter(ss[mask], pp[mask], marker=marker, s=14, color=colour, label=label)
    ax.errorbar(
        [t.s for t in sims],
        [t.p_r for t in sims],
        yerr=[2 * t.stderr for t in sims],
        fmt="D",
        color=PALETTE[4],
        ms=6,
        capsize=3,
        label="simulated threshold (+- 2 s.e.)",
    )
    for x, y, text in (
        (3.3, 0.97, "safety favoured and preferred"),
        (3.0, 0.79, "dilemma: selection favours unsafe, society prefers safe"),
        (2.6, 0.25, "unsafe favoured and preferred"),
    ):
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
        )
    ax.set_xlim(1.0, 5.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("speed advantage of the unsafe s")
    ax.set_ylabel("risk of disaster p_r")
    ax.set_title("DSAIR race (Han et al.): b = 4, c = 1, B = 1e4, W = 100, beta = 0.01")
    ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    return save_png(fig, out_dir, NAME)


@register_reproduction(NAME, position=1)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """Check both thresholds (exact chain and simulation) and draw the (s, p_r) plane."""
    race = DSAIRRace(b=4.0, c=1.0, B=1e4, W=100.0)
    rng = np.random.default_rng(SEED)
    claims: list[Claim] = []

    for s in CHECK_S_SOCIETY:
        ours = _society_root(race, s)
        theirs = paper_society_threshold(s)
        claims.append(
            Claim(
                f"society prefers safety above p_r, s = {s:g} (theirs: {PAPER_WHERE}, "
                "1 - 1/s); ours: root of Pi11 = Pi22 of model.dsair's payoff matrix "
                "(b = 4, c = 1, B = 1e4, W = 100)",
                theirs,
                ours,
                f"abs {TOL_LIMIT}",
                abs(ours - theirs) <= TOL_LIMIT,
                PUBLISHED_NUMBER,
            )
        )
    for s in CHECK_S:
        theirs = paper_selection_threshold(s)
        ours = race.selection_threshold_exact(s, Z, BETA)
        claims.append(
            Claim(
                f"selection favours always-safe above p_r, s = {s:g} (theirs: "
                f"{PAPER_WHERE}, 1 - 1/(3s)); ours: exact imitation chain "
                "(model.learning_theory), Z = 100, small mutation",
                theirs,
                ours,
                f"abs {TOL_CHAIN}",
                abs(ours - theirs) <= TOL_CHAIN,
                PUBLISHED_NUMBER,
            )
        )

    sims: list[SimulatedThreshold] = []
    runs = 60_000 if quick else 200_000
    for s in SIM_S_QUICK if quick else SIM_S:
        exact = race.selection_threshold_exact(s, Z, BETA)
        sim = simulated_threshold(race, s, rng, runs=runs, centre=exact)
        sims.append(sim)
        paper = paper_selection_threshold(s)
        claims.append(
            Claim(
                f"selection threshold at s = {s:g} (theirs: 1 - 1/(3s)); ours: simulated "
                f"pairwise comparison (this module's stand-alone kernel, a second check), "
                f"{runs} fixations a point (s.e. {sim.stderr:.4f}; exact chain {exact:.4f})",
                paper,
                sim.p_r,
                f"abs {TOL_SIM}, and within 4 s.e. of the exact chain",
                abs(sim.p_r - paper) <= TOL_SIM
                and abs(sim.p_r - exact) <= max(4 * sim.stderr, 0.002),
                PUBLISHED_NUMBER,
            )
        )

    for s in ENGINE_S_QUICK if quick else ENGINE_S:
        theirs = paper_selection_threshold(s)
        runs_e = ENGINE_RUNS_QUICK if quick else ENGINE_RUNS
        below, above = (
            engine_ahead(race, s, theirs + side, runs=runs_e, months=ENGINE_MONTHS, seed=SEED)
            for side in (-ENGINE_OFFSET, ENGINE_OFFSET)
        )
        claims.append(
            Claim(
                f"selection threshold at s = {s:g} (theirs: 1 - 1/(3s)); ours: the engine's "
                "imitation rule (well mixed, equal capabilities, revision 1/N, beta = "
                f"{BETA}, mutation 0), {runs_e} runs of {ENGINE_MONTHS} months from half "
                f"safe at 1 - 1/(3s) -+ {ENGINE_OFFSET}: share with AS ahead {below:.2f} "
                f"and {above:.2f}",
                theirs,
                f"in ({theirs - ENGINE_OFFSET:.3f}, {theirs + ENGINE_OFFSET:.3f})"
                if below < 0.5 < above
                else "outside",
                f"abs {ENGINE_OFFSET}: AS ahead in under half the runs below, over half above",
                below < 0.5 < above,
                PUBLISHED_NUMBER,
            )
        )

    grid_s = np.arange(1.0, 5.01, 0.5)
    grid_p = np.round(np.arange(0.0, 1.001, 0.05), 10)
    gaps = np.array([race.gap(s, p, Z) for p in grid_p for s in grid_s])
    grid_runs = 300 if quick else 1000
    safe = simulate_fixations(gaps, 1, grid_runs, BETA, rng)
    unsafe = grid_runs - simulate_fixations(gaps, Z - 1, grid_runs, BETA, rng)
    prefer = np.sign(safe - unsafe).reshape(grid_p.size, grid_s.size).astype(float)
    distance = np.array([[p - paper_selection_threshold(s) for s in grid_s] for p in grid_p])
    far = np.abs(distance) > 0.02
    against = int(np.sum((prefer == -np.sign(distance)) & far))
    decided = int(np.sum((prefer != 0) & far))
    claims.append(
        Claim(
            f"simulated preference on the (s, p_r) grid ({grid_runs} fixations each "
            "way a point, stand-alone kernel; points over 0.02 from the paper's selection "
            f"curve 1 - 1/(3s), {decided} of {int(far.sum())} decided): share on the wrong "
            "side",
            0.0,
            against / max(decided, 1),
            "none",
            against == 0,
            PUBLISHED_NUMBER,
        )
    )

    figure = _figure(race, Path(out_dir), sims, grid_s, grid_p, prefer)
    return Reproduction(NAME, CITATION, tuple(claims), figure)
