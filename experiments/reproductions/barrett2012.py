"""Barrett and Dannenberg (2012): a known catastrophe threshold is avoided, an uncertain one is not.

Barrett and Dannenberg's finding: "the fear of crossing a dangerous threshold can turn climate
negotiations into a coordination game, making collective action to avoid a dangerous
threshold virtually assured. These results are robust to uncertainty about the impact of
crossing a threshold, but uncertainty about the location of the threshold turns the game back
into a prisoners' dilemma, causing cooperation to collapse." (its abstract, p. 17372, as this
project quotes it). The paper's claims are treatment against treatment; the claims below are
of the kind *consistent with a published qualitative finding* (theirs: the paper's sentence),
and the comparisons of the simulation with this module's own theory are *our own findings*.

**Not checked: uncertain impact.** The paper finds that uncertainty about the damage changes
nothing. Here it could not fail: the actors are risk-neutral and weigh the mean damage, and
the realised damage is never seen by anyone before the catastrophe ends the run, so a run with
an uncertain damage is the run with a known one. No claim is made about it.

**Mapping.** The catastrophe is pausegame's shared hazard (``model/ODD.md`` 3.7): a month in
which the defecting capability share is ``R`` ends in catastrophe with probability
``H(R) = 1 - exp(-hazard_scale R ** hazard_exponent)``, the distribution function of a Weibull
threshold on ``R`` with shape ``k = hazard_exponent`` (the recursive-self-improvement
reading: the share of frontier capability in secret development at which self-improvement
runs away). Every case has the same median threshold ``T = 0.105``
(``hazard_scale = ln 2 / T ** k``):

- **known threshold**: ``k = 200``, a step at ``T`` (the hazard is below ``6e-5`` a month at
  ``0.95 T`` and 1 at ``1.05 T``);
- **uncertain threshold**: ``k = 4``, the threshold spread over roughly ``0.5 T`` to ``1.4 T``
  (its 5% and 95% points): every defecting share carries some risk, and only a full pause is
  safe, as only contributing the top of Barrett and Dannenberg's threshold range was.

100 identical nations (capability ``c = 0.01`` each, no labs, no alliances, no verification:
``p_detect = 0``) decide one at a time (``revision_rate = one``) with the ``hazard_aware`` rule:
logit on the gain from defecting, ``G (1 + lam rho)`` with ``lam = 0.5``, less
``X (H(R + c) - H(R))``, what a catastrophe would cost them (``X = G / (1 - discount) = 5`` at
``discount = 0.8``: it ends their future of frontier gains) times the hazard their own
defection adds. Nobody is sanctioned, so only the threshold can hold the pause. With a known
threshold the nation whose defection would cross it is pivotal (it adds the whole hazard,
``X > G (1 + lam)``): nations defect until the defecting share is just below ``T``, then no
complier defects, as Barrett and Dannenberg's groups contributed just enough to reach a known
threshold. With an uncertain one no nation's defection adds more than ``X c max H' < G``:
every nation defects when it revises, the pause unravels, and the catastrophe comes.

**Theory.** :func:`settled_share`: the share ``R*`` at which revising compliers stop defecting
(best response), the first ``R = m c`` with ``G (1 + lam R / (1 - c)) <= X (H(R + c) - H(R))``,
1 if there is none. :func:`theory_catastrophe`: the probability that a run ends in catastrophe,
from the exact Markov chain of the number of defectors (one uniformly drawn nation revises a
month with the rule's logit probabilities, then the hazard strikes). Both against the
simulated runs, for the two cases and for a sweep of ``k`` from 2 to 200.

**Beyond the paper: recursive self-improvement.** With ``rsi = on`` (defectors' capability
compounding 1% a month) even a known threshold is crossed: the nations stop adding defectors
just below it, but the defectors' own growth fills the slack, and with one decision a month no
defector turns back in time (each weighs only what its defection adds this month).

References:
    Barrett, S. and Dannenberg, A. (2012). Climate negotiations under scientific uncertainty.
    *PNAS* 109(43), 17372-17376.
    Barrett, S. (2013). Climate treaties and approaching catastrophes. *Journal of
    Environmental Economics and Management* 66(2), 235-250.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agents.rules.hazard_aware import catastrophe_loss, hazard, log_scale_of
from experiments.analysis.common import new_figure
from experiments.reproductions import register_reproduction
from experiments.reproductions.common import (
    NO_PUBLISHED_VALUE,
    OWN_FINDING,
    QUALITATIVE,
    Claim,
    Reproduction,
    save_png,
)
from model.engine import Engine
from model.params import resolve

__all__ = [
    "BASE",
    "CASES",
    "CITATION",
    "MEDIAN_THRESHOLD",
    "NAME",
    "RSI_GROWTH",
    "TITLE",
    "Outcome",
    "case_params",
    "reproduce",
    "run_case",
    "settled_share",
    "theory_catastrophe",
]

NAME = "barrett2012"
CITATION = "Barrett and Dannenberg 2012, PNAS 109(43)"
TITLE = "Threshold uncertainty: known thresholds are avoided, uncertain ones are not"

#: The median catastrophe threshold (defecting capability share) of every case.
MEDIAN_THRESHOLD = 0.105

#: 100 identical nations, no verification, one decision per month, the hazard-aware rule
#: (a catastrophe costs X = G / (1 - discount) = 5 per unit of capability).
BASE: dict[str, Any] = {
    "n_nations": 100,
    "n_labs": 0,
    "capability_dist": "equal",
    "alliance_network": "none",
    "decision_rule": "hazard_aware",
    "discount": 0.8,
    "race_pressure": 0.5,
    "p_detect": 0.0,
    "p_false_alarm": 0.0,
    "p_domestic": 0.0,
    "revision_rate": "one",
    "steps": 150,
}

#: Monthly capability growth of defectors in the recursive-self-improvement variant.
RSI_GROWTH = 0.01

#: The two cases: name -> (label, Weibull shape of the threshold).
CASES: dict[str, tuple[str, float]] = {
    "known": ("known threshold", 200.0),
    "threshold": ("uncertain threshold", 4.0),
}
#: Where the paper says what the claims compare with (its abstract; the experiment's
#: treatments are in its Fig. 1 and 2).
PAPER_WHERE = "Barrett & Dannenberg 2012, abstract, p. 17372"


def case_params(shape: float) -> dict[str, Any]:
    """A threshold of Weibull ``shape`` with median :data:`MEDIAN_THRESHOLD` (the hazard)."""
    return {
        **BASE,
        "hazard_exponent": float(shape),
        "hazard_scale": math.log(2.0) / MEDIAN_THRESHOLD ** float(shape),
    }


@dataclass(frozen=True)
class Outcome:
    """One run of a case.

    Attributes:
        catastrophe: The run ended in catastrophe.
        months: Months run (to the catastrophe, or the horizon).
        final_defecting: Defecting capability share at the end.
        complied: Share of compliers' revisions that chose to comply (NaN if none).
        defecting: The defecting share month by month (month 0 first).
    """

    catastrophe: bool
    months: int
    final_defecting: float
    complied: float
    defecting: np.ndarray


def run_case(shape: float, seed: int, *, rsi_growth: float = 0.0) -> Outcome:
    """Run one case month by month, recording what each revising complier chose.

    With ``rsi_growth > 0`` recursive self-improvement is on (``rsi = on``,
    ``growth_rate = rsi_growth``, ``rsi_exponent = 1``: a defector's capability compounds).
    """
    params = case_params(shape)
    if rsi_growth > 0:
        params = {**params, "rsi": "on", "growth_rate": float(rsi_growth), "rsi_exponent": 1.0}
    eng = Engine.from_params(params, rng=seed)
    choices, shares = [], [float(eng.c @ eng.defect)]
    for _ in range(int(params["steps"])):
        was = eng.defect.copy()
        eng.step()
        k = int(eng.last["revisers"][0])
        if not was[k]:
            choices.append(not eng.defect[k])
        shares.append(float(eng.c @ eng.defect))
        if eng.catastrophe_step is not None:
            break
    return Outcome(
        eng.catastrophe_step is not None,
        eng.t,
        shares[-1],
        float(np.mean(choices)) if choices else math.nan,
        np.asarray(shares),
    )


def _switch_probabilities(shape: float) -> tuple[np.ndarray, np.ndarray]:
    """The rule's logit probabilities per number of defectors ``m = 0 .. n``.

    Returns:
        The probability that a revising complier defects, and that a revising defector keeps
        defecting.
    """
    p = resolve(case_params(shape))
    n = int(p["n_nations"])
    c = 1.0 / n
    lam, beta, loss = float(p["race_pressure"]), float(p["beta"]), catastrophe_loss(p)
    log_scale, k = log_scale_of(p), float(p["hazard_exponent"])
    m = np.arange(n + 1, dtype=float)

    def defect(others: np.ndarray) -> np.ndarray:
        added = hazard(others * c + c, log_scale, k) - hazard(others * c, log_scale, k)
        return 1.0 / (1.0 + np.exp(-beta * (1.0 + lam * others * c / (1.0 - c) - loss * added)))

    return defect(m), defect(np.maximum(m - 1.0, 0.0))


def settled_share(shape: float) -> float:
    """Theory: the defecting share at which revising compliers stop defecting (1 if never).

    The first ``R = m c`` (``m = 0 .. n - 1``) at which a complier's gain from defecting,
    ``G (1 + lam R / (1 - c))``, is at most the expected loss its defection adds,
    ``X (H(R + c) - H(R))`` (best response).

    >>> settled_share(200.0), settled_share(4.0)
    (0.1, 1.0)
    """
    p = resolve(case_params(shape))
    n = int(p["n_nations"])
    c = 1.0 / n
    lam, loss = float(p["race_pressure"]), catastrophe_loss(p)
    log_scale, k = log_scale_of(p), float(p["hazard_exponent"])
    shares = np.arange(n) * c
    added = hazard(shares + c, log_scale, k) - hazard(shares, log_scale, k)
    stop = np.flatnonzero(1.0 + lam * shares / (1.0 - c) <= loss * added)
    return float(shares[stop[0]]) if len(stop) else 1.0


def theory_catastrophe(shape: float, steps: int | None = None) -> float:
    """Theory: the probability that a run ends in catastrophe within ``steps`` months.

    The exact chain of the simulation: each month one nation, drawn uniformly, revises (a
    complier defects, a defector keeps defecting, with the rule's logit probabilities); then
    the hazard strikes with probability ``H(m c)``.
    """
    p = resolve(case_params(shape))
    n = int(p["n_nations"])
    steps = int(p["steps"]) if steps is None else steps
    a, b = _switch_probabilities(shape)
    m = np.arange(n + 1)
    up = (n - m) / n * a  # a complier revises and defects
    down = m / n * (1.0 - b)  # a defector revises and complies
    strike = hazard(m / n, log_scale_of(p), float(p["hazard_exponent"]))
    alive = np.zeros(n + 1)
    alive[0] = 1.0
    for _ in range(steps):
        moved = alive * (1.0 - up - down)
        moved[1:] += (alive * up)[:-1]
        moved[:-1] += (alive * down)[1:]
        alive = moved * (1.0 - strike)
    return float(1.0 - alive.sum())


@register_reproduction(NAME, position=2)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """The two cases side by side over seeds, with the theory; a sweep over the shape.

    Args:
        out_dir: Where the figure goes (``barrett2012.png``).
        quick: 10 seeds per case instead of 24 and a coarser sweep (the claims are the same).

    Returns:
        The :class:`Reproduction` with the claims and the figure.
    """
    seeds = range(10 if quick else 24)
    runs = {name: [run_case(shape, s) for s in seeds] for name, (_, shape) in CASES.items()}

    def rate(name: str) -> float:
        return float(np.mean([r.catastrophe for r in runs[name]]))

    def complied(name: str) -> float:
        return float(np.nanmean([r.complied for r in runs[name]]))

    known = runs["known"]
    c = 1.0 / int(BASE["n_nations"])
    k_known, k_uncertain = CASES["known"][1], CASES["threshold"][1]
    r_known, r_uncertain = settled_share(k_known), settled_share(k_uncertain)
    final_known = np.array([r.final_defecting for r in known])
    claims: tuple[Claim, ...] = (
        Claim(
            "known threshold: share of runs ending in catastrophe within 150 months "
            f"(our exact chain: {theory_catastrophe(k_known):.3f})",
            f"collective action to avoid it 'virtually assured' ({PAPER_WHERE})",
            rate("known"),
            "<= 0.05",
            rate("known") <= 0.05,
            QUALITATIVE,
        ),
        Claim(
            "known threshold: nations coordinate just below it (final defecting share against "
            f"this module's theory R* = {r_known:.3f})",
            NO_PUBLISHED_VALUE,
            f"{final_known.min():.3f} to {final_known.max():.3f}",
            f"every run within c = {c} of R*",
            bool(np.all(np.abs(final_known - r_known) <= c + 1e-9)),
            OWN_FINDING,
        ),
        Claim(
            "cooperation: share of compliers' revisions that comply, known vs uncertain "
            f"threshold (Weibull shape 4, same median; our theory R* {r_known:g} vs "
            f"{r_uncertain:g})",
            "a coordination game vs 'a prisoners' dilemma, causing cooperation to collapse' "
            f"({PAPER_WHERE})",
            f"{complied('known'):.3f} vs {complied('threshold'):.3f}",
            ">= 0.8 vs <= 0.05, R* < 1 vs R* = 1",
            complied("known") >= 0.8
            and complied("threshold") <= 0.05
            and r_known < 1.0
            and r_uncertain == 1.0,
            QUALITATIVE,
        ),
        Claim(
            "uncertain threshold: share of runs ending in catastrophe (our exact chain: "
            f"{theory_catastrophe(k_uncertain):.3f})",
            f"cooperation collapses, the threshold is not avoided ({PAPER_WHERE})",
            rate("threshold"),
            ">= 0.9",
            rate("threshold") >= 0.9,
            QUALITATIVE,
        ),
    )
    rsi_runs = [run_case(k_known, s, rsi_growth=RSI_GROWTH) for s in seeds]
    rsi_rate = float(np.mean([r.catastrophe for r in rsi_runs]))
    rsi_months = float(np.median([r.months for r in rsi_runs]))
    claims = (
        *claims,
        Claim(
            f"known threshold under recursive self-improvement (rsi = on, defectors grow "
            f"{RSI_GROWTH:.0%} a month): share of runs ending in catastrophe",
            NO_PUBLISHED_VALUE,
            f"{rsi_rate:.2f} (median month {rsi_months:g})",
            ">= 0.9",
            rsi_rate >= 0.9,
            OWN_FINDING,
        ),
    )
    shapes = (
        (2.0, 4.0, 6.0, 8.0, 16.0, 64.0, 200.0)
        if quick
        else (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 64.0, 100.0, 200.0)
    )
    sweep_seeds = range(100, 110 if quick else 124)
    sweep = [[run_case(k, s) for s in sweep_seeds] for k in shapes]
    simulated = np.array([np.mean([r.catastrophe for r in row]) for row in sweep])
    expected = np.array([theory_catastrophe(k) for k in shapes])
    # the binomial standard error at the theory's rate, floored for rates near 0 or 1
    se = np.sqrt(np.maximum(expected * (1.0 - expected), 0.05) / len(sweep_seeds))
    worst = float(np.max(np.abs(simulated - expected) / se))
    claims = (
        *claims,
        Claim(
            "catastrophe share against the threshold's shape 2..200: simulation vs this "
            "module's exact chain (largest gap, in standard errors)",
            NO_PUBLISHED_VALUE,
            f"{worst:.2f} SE (gap {np.max(np.abs(simulated - expected)):.2f})",
            "<= 3 SE",
            worst <= 3.0,
            OWN_FINDING,
        ),
    )
    fig = new_figure(15.0, 4.6)
    ax, bx, cx = fig.subplots(1, 3)
    colours = {"known": "tab:blue", "threshold": "tab:red"}
    for name, (label, _) in CASES.items():
        for j, r in enumerate(runs[name][:8]):
            ax.plot(
                r.defecting,
                color=colours[name],
                lw=2.5 if name == "known" else 0.9,
                alpha=0.8,
                label=label if j == 0 else None,
            )
            if r.catastrophe:
                ax.plot(len(r.defecting) - 1, r.defecting[-1], "x", color=colours[name])
    for j, r in enumerate(rsi_runs[:4]):
        ax.plot(
            r.defecting,
            color="tab:purple",
            lw=0.9,
            ls=":",
            label=f"known threshold, rsi on ({RSI_GROWTH:.0%}/month)" if j == 0 else None,
        )
        if r.catastrophe:
            ax.plot(len(r.defecting) - 1, r.defecting[-1], "x", color="tab:purple")
    ax.axhline(
        MEDIAN_THRESHOLD,
        color="k",
        lw=0.8,
        ls=":",
        label=f"median threshold T = {MEDIAN_THRESHOLD}",
    )
    ax.set_xlim(0, 60)
    ax.set_xlabel("month")
    ax.set_ylabel("defecting capability share R")
    ax.set_title("Runs (x: catastrophe)")
    ax.legend(fontsize=7)
    names = list(CASES)
    bx.bar(
        np.arange(len(names)) - 0.2,
        [rate(n) for n in names],
        0.4,
        color="tab:red",
        label="catastrophe (share of runs)",
    )
    bx.bar(
        np.arange(len(names)) + 0.2,
        [complied(n) for n in names],
        0.4,
        color="tab:blue",
        label="compliers' revisions that comply",
    )
    bx.set_xticks(range(len(names)), [CASES[n][0] for n in names])
    bx.set_ylim(0, 1.3)
    bx.set_title(f"Two cases, {len(seeds)} runs each")
    bx.legend(fontsize=7, loc="upper left")
    cx.plot(shapes, simulated, "o-", color="tab:red", label="catastrophe (simulated)")
    cx.plot(shapes, expected, "s--", color="darkred", label="catastrophe (theory: exact chain)")
    cx.plot(
        shapes,
        [1.0 - settled_share(k) for k in shapes],
        "^:",
        color="tab:blue",
        label="settled compliance 1 - R* (theory)",
    )
    cx.set_xscale("log")
    cx.set_xlabel("Weibull shape k of the threshold (larger: better known)")
    cx.set_ylim(-0.02, 1.05)
    cx.set_title(f"From uncertain to known threshold ({len(sweep_seeds)} runs each)")
    cx.legend(fontsize=7)
    return Reproduction(NAME, CITATION, claims, save_png(fig, out_dir, NAME))
