"""Inspection games (Avenhaus, von Stengel & Zamir 2002; Avenhaus & Canty): closed forms, engine.

The inspection game: an inspectee gains from a violation and is penalised when an inspection
catches it; an inspector pays for each inspection and loses from each undetected violation. With
simultaneous moves the equilibrium is mixed: the inspector inspects with the probability that
makes the inspectee indifferent, the inspectee violates with the probability that makes the
inspector indifferent. Under *inspector leadership* the inspector commits to its inspection
probability first; committing to just above the indifference point deters with certainty and
is better for the inspector than the simultaneous equilibrium.

pausegame's engine holds the inspectee's side: each actor is inspected with probability
``g = inspection_quota / N`` (``quota_allocation = "random"``), an inspected violation is caught
with ``p = coverage * p_detect``, a complier is falsely flagged with ``q``, and the penalty ``F``
lands ``L`` months later, discounted by ``D = discount ** L``; with no alliances the sanction
share is ``s = 1``. The engine's own advantage of violating is ``G - D F g s (p - q)``, so the
deterrence threshold is

    g* = G / (D F s (p - q))          (the classic ``gain / (gain + penalty)`` with
                                       gain = G and penalty = D F s (p - q) - G),

and the verification regimes' presets (``verification=``) move it. "Theirs" in every claim
is the paper's formula typed in this module (:class:`InspectionEquilibrium`: each side's
probability makes the other indifferent) with the regime's preset numbers; nothing of
``model/`` (neither the engine's payoff code nor the project's theory) computes it. The
inspector is the mechanism :mod:`model.inspector` (off unless used): inspection ``cost``,
``loss`` per undetected violation, indifferent at ``v* = cost / (p loss)``.

This module checks, with the engine's ``best_response`` actors:

* for each regime, the engine's actors violate at every quota with ``g <= g*`` and at none above
  (the smallest deterring ``g`` is within one quota step ``1/N`` above the closed form; a regime
  whose ``g* > 1`` never deters);
* leadership: an inspector committed to the first quota above ``g*`` sees no violation in a long
  run and earns ``-cost g`` per actor;
* the simultaneous game: with the inspector playing fictitious play, the long-run violation
  frequency is ``v*`` and the inspection frequency ``g*``; the inspector earns about
  ``-cost / p``, less than under leadership.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from experiments.reproductions import register_reproduction
from experiments.reproductions.common import (
    PALETTE,
    PUBLISHED_NUMBER,
    Claim,
    Reproduction,
    save_png,
)
from model.engine import Engine
from model.inspector import AdaptiveInspector, AdaptivePlay, run_adaptive
from model.params import Params, resolve

__all__ = [
    "BASE",
    "CITATION",
    "NAME",
    "REGIMES",
    "TITLE",
    "InspectionEquilibrium",
    "RegimeSweep",
    "closed_form_game",
    "deterrence_threshold",
    "paper_equilibrium",
    "reproduce",
    "sweep_regime",
]

NAME = "inspection_games"
TITLE = "Inspection games: mixed equilibrium and inspector leadership against the engine"
CITATION = "Avenhaus, von Stengel & Zamir 2002; Avenhaus & Canty (inspector leadership)"

#: Identical nations, no labs, no alliances, no race pressure or risk: the inspection game.
BASE: dict[str, Any] = {
    "n_labs": 0,
    "alliance_network": "none",
    "capability_dist": "equal",
    "decision_rule": "best_response",
    "race_pressure": 0.0,
    "risk_internalization": 0.0,
    "defect_gain": 1.0,
    "penalty": 8.0,
    "information": "perfect",
    "initial_compliance": 1.0,
    "quota_allocation": "random",
    "revision_rate": 1.0,
}
#: The regimes swept (all registered ones but custom's twin).
REGIMES: tuple[str, ...] = (
    "custom",
    "hardware_ledger",
    "onsite_inspections",
    "national_means",
    "self_reporting",
    "open_letter",
)
#: Nations in the regime sweep (quota steps of 1/N) and in the simultaneous game.
N_SWEEP = 40
N_GAME = 100
#: The inspector of the simultaneous game and leadership, under this regime.
GAME_REGIME = "onsite_inspections"
COST, LOSS = 0.2, 1.0
#: Periods of the fictitious-play run and of the leadership run.
STEPS_GAME = 2000
STEPS_LEAD = 240
TOL_GAME = 0.02
SEED = 2002


#: Where the formulas typed below come from (the basic inspection game's mixed equilibrium:
#: each side's probability makes the other indifferent).
PAPER_WHERE = "Avenhaus, von Stengel & Zamir 2002, the basic inspection game"


@dataclass(frozen=True)
class InspectionEquilibrium:
    """The mixed equilibrium of the basic inspection game, typed from the paper.

    The inspectee gains ``gain`` from an undetected violation and loses ``penalty`` when an
    inspection catches it; the inspector pays ``cost`` per inspection and loses ``loss`` per
    violation an inspection would have caught. The inspection probability makes the inspectee
    indifferent, ``g* = gain / (gain + penalty)``; the violation probability makes the
    inspector indifferent, ``v* = cost / loss``. With ``loss = p * LOSS`` (an inspection
    catches with ``p``; an undetected violation costs ``LOSS``) the inspector earns what not
    inspecting earns, ``-LOSS v* = -cost / p`` per inspectee.

    >>> e = InspectionEquilibrium(gain=1.0, penalty=3.0, cost=0.2, loss=0.5)
    >>> e.inspection_rate, e.violation_rate
    (0.25, 0.4)
    """

    gain: float
    penalty: float
    cost: float
    loss: float

    @property
    def inspection_rate(self) -> float:
        """``g* = gain / (gain + penalty)`` (``inf`` when nothing deters, penalty <= 0)."""
        total = self.gain + self.penalty
        return self.gain / total if self.penalty > 0 else math.inf

    @property
    def violation_rate(self) -> float:
        """``v* = cost / loss``."""
        return self.cost / self.loss


def _params(**overrides: Any) -> Params:
    return resolve({**BASE, **overrides})


def _regime_numbers(params: Params) -> tuple[float, float, float, float, float]:
    """``(G, D F, p, q)`` read from the resolved presets, and ``D`` (typed arithmetic).

    ``p = coverage * p_detect`` (inspected violations observable and detected), ``D =
    discount ** verification_lag``; nothing here calls the engine's payoff code.
    """
    d = float(params["discount"]) ** int(params["verification_lag"])
    p = float(params["coverage"]) * float(params["p_detect"])
    return (
        float(params["defect_gain"]),
        d * float(params["penalty"]),
        p,
        float(params["p_false_alarm"]),
        d,
    )


def paper_equilibrium(
    params: Params, cost: float = COST, loss: float = LOSS
) -> InspectionEquilibrium:
    """The paper's game with the regime's numbers: gain ``G``, penalty ``D F (p - q) - G``.

    A violator inspected is caught with ``p`` and pays the discounted penalty ``D F``; a
    complier inspected is flagged with ``q`` and pays it too, so inspecting costs a violator
    ``D F (p - q)`` more than a complier; the inspector's loss avoided per inspected violation
    is ``p * loss``. (Our reading of the engine's regime as the paper's game; the two
    formulas are the paper's.)
    """
    gain, df, p, q, _ = _regime_numbers(params)
    return InspectionEquilibrium(gain=gain, penalty=df * (p - q) - gain, cost=cost, loss=p * loss)


def deterrence_threshold(params: Params) -> float:
    """``g* = gain / (gain + penalty) = G / (D F (p - q))`` (``inf``: nothing deters)."""
    return paper_equilibrium(params).inspection_rate


def closed_form_game(
    params: Params, cost: float = COST, loss: float = LOSS
) -> InspectionEquilibrium:
    """The paper's equilibrium in the regime's terms (:func:`paper_equilibrium`)."""
    return paper_equilibrium(params, cost, loss)


@dataclass(frozen=True)
class RegimeSweep:
    """The engine's violation rate at every quota under one regime.

    Attributes:
        regime: The regime's name.
        threshold: The closed-form ``g*`` from its presets (``inf``: nothing deters).
        inspection: ``k / N`` for k = 1..N.
        violation: The engine's violation rate (share of actor-months defecting, months 1..T).
    """

    regime: str
    threshold: float
    inspection: np.ndarray
    violation: np.ndarray

    @property
    def deterring(self) -> float:
        """The smallest swept ``g`` with no violation (``inf`` when none)."""
        none = self.inspection[self.violation == 0]
        return float(none.min()) if none.size else math.inf

    @property
    def step_exact(self) -> bool:
        """Violation 1 at every ``g <= g*`` and 0 at every ``g > g*``."""
        below = self.inspection <= self.threshold
        return bool(np.all(self.violation[below] == 1) and np.all(self.violation[~below] == 0))


def sweep_regime(regime: str, *, n: int = N_SWEEP, steps: int = 4, seed: int = SEED) -> RegimeSweep:
    """Run the engine at every quota 1..n under ``regime`` (see :class:`RegimeSweep`)."""
    params = _params(verification=regime, n_nations=n)
    rates = np.zeros(n)
    for k in range(1, n + 1):
        eng = Engine.from_params(
            {**BASE, "verification": regime, "n_nations": n, "inspection_quota": k, "steps": steps},
            rng=seed + k,
        )
        eng.run()
        rates[k - 1] = 1.0 - float(np.mean(eng.timeseries()["compliance"][1:]))
    return RegimeSweep(regime, deterrence_threshold(params), np.arange(1, n + 1) / n, rates)


def _leadership(params: Params, g_star: float) -> tuple[float, float, float]:
    """Committed to the first quota above ``g*``: (g, violation rate, inspector payoff)."""
    k = math.floor(g_star * N_GAME) + 1
    eng = Engine.from_params(
        {
            **BASE,
            "verification": GAME_REGIME,
            "n_nations": N_GAME,
            "inspection_quota": k,
            "steps": STEPS_LEAD,
        },
        rng=SEED,
    )
    eng.run()
    ts = eng.timeseries()
    violation = 1.0 - float(np.mean(ts["compliance"][1:]))
    inspected = float(np.mean(ts["inspections"][1:])) / N_GAME
    undetected = violation - float(np.mean(ts["detections_international"][1:])) / N_GAME
    return k / N_GAME, violation, AdaptiveInspector(COST, LOSS).payoff(inspected, undetected)


def _figure(
    out_dir: Path,
    sweeps: list[RegimeSweep],
    game: InspectionEquilibrium,
    play: AdaptivePlay,
    lead: tuple[float, float, float],
) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.8), layout="constrained")
    ax, bx = fig.subplots(1, 2, width_ratios=(1.35, 1.0))
    for i, sw in enumerate(sweeps):
        colour = PALETTE[i % len(PALETTE)]
        offset = 0.012 * (i - len(sweeps) / 2)
        label = (
            f"{sw.regime}: g* = {sw.threshold:.3f}"
            if math.isfinite(sw.threshold)
            else f"{sw.regime}: never deters"
        )
        ax.step(
            sw.inspection, sw.violation + offset, where="post", color=colour, lw=1.6, label=label
        )
        if sw.threshold <= 1:
            ax.axvline(sw.threshold, color=colour, ls=":", lw=1)
    h = len(play.violation)
    ax.plot(
        [game.inspection_rate],
        [game.violation_rate],
        "k*",
        ms=13,
        label=f"simultaneous equilibrium ({GAME_REGIME}): (g*, v*) closed form",
    )
    ax.plot(
        [play.inspection.mean()],
        [play.violation.mean()],
        "o",
        mfc="none",
        mec="black",
        ms=11,
        label=f"engine + fictitious-play inspector, {h} months",
    )
    ax.plot(
        [lead[0]],
        [lead[1]],
        "s",
        color="black",
        ms=7,
        label=f"leadership: committed to g = {lead[0]:.2f}, engine",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.06, 1.06)
    ax.set_xlabel("inspection probability g = inspection_quota / N")
    ax.set_ylabel("violation rate (share of actor-months defecting)")
    ax.set_title(
        "Engine (best_response) against g* = G / (D F (p - q)) (dotted); curves "
        "offset by up to 0.04 to show each",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="center right")
    t = np.arange(1, h + 1)
    bx.plot(t, np.cumsum(play.inspection) / t, color=PALETTE[0], label="inspection frequency")
    bx.plot(t, np.cumsum(play.violation) / t, color=PALETTE[1], label="violation frequency")
    bx.axhline(
        game.inspection_rate,
        color=PALETTE[0],
        ls="--",
        lw=1,
        label=f"g* = {game.inspection_rate:.3f}",
    )
    bx.axhline(
        game.violation_rate,
        color=PALETTE[1],
        ls="--",
        lw=1,
        label=f"v* = cost / (p loss) = {game.violation_rate:.3f}",
    )
    bx.set_xscale("log")
    bx.set_ylim(0, 1)
    bx.set_xlabel("month")
    bx.set_ylabel("running frequency")
    bx.set_title(f"Simultaneous game, fictitious play ({GAME_REGIME})", fontsize=9)
    bx.legend(fontsize=7)
    return save_png(fig, out_dir, NAME)


@register_reproduction(NAME, position=4)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """Check the deterrence threshold per regime, leadership and the simultaneous equilibrium.

    ``quick`` sweeps fewer regimes (custom, onsite_inspections, self_reporting); the claims
    checked are the same kind and their tolerances the same.
    """
    claims: list[Claim] = []
    regimes = ("custom", "onsite_inspections", "self_reporting") if quick else REGIMES
    sweeps = [sweep_regime(r) for r in regimes]
    step = 1 / N_SWEEP
    for sw in sweeps:
        if sw.threshold <= 1:
            ok = sw.step_exact and sw.threshold < sw.deterring <= sw.threshold + step + 1e-12
            claims.append(
                Claim(
                    f"{sw.regime}: smallest inspection probability that deters (theirs: "
                    "g* = gain / (gain + penalty) with the regime's presets, gain G, penalty "
                    "D F (p - q) - G; engine: violates at every g <= g*, at none above)",
                    sw.threshold,
                    sw.deterring,
                    f"in (g*, g* + 1/N], N = {N_SWEEP}",
                    ok,
                    PUBLISHED_NUMBER,
                )
            )
        else:
            ok = bool(np.all(sw.violation == 1))
            claims.append(
                Claim(
                    f"{sw.regime}: g* = {sw.threshold:.3g} > 1, no inspection probability deters",
                    "violates at every g",
                    "violates at every g" if ok else "deterred somewhere",
                    "all N quotas",
                    ok,
                    PUBLISHED_NUMBER,
                )
            )

    params = _params(verification=GAME_REGIME, n_nations=N_GAME)
    game = closed_form_game(params)
    g_star = deterrence_threshold(params)
    lead = _leadership(params, g_star)
    claims.append(
        Claim(
            f"leadership: committed to the first quota above g* (g = {lead[0]:.2f}, "
            f"{STEPS_LEAD} months, {GAME_REGIME}) deters with certainty",
            0.0,
            lead[1],
            "exactly 0",
            lead[1] == 0.0,
            PUBLISHED_NUMBER,
        )
    )
    eng = Engine.from_params(
        {**BASE, "verification": GAME_REGIME, "n_nations": N_GAME, "steps": STEPS_GAME}, rng=SEED
    )
    play = run_adaptive(eng, AdaptiveInspector(COST, LOSS), STEPS_GAME)
    v_bar, g_bar = float(play.violation.mean()), float(play.inspection.mean())
    claims.append(
        Claim(
            f"simultaneous game: equilibrium violation rate v* = cost / (p loss) "
            f"(cost {COST}, loss {LOSS}); ours: engine with a fictitious-play "
            f"inspector, {STEPS_GAME} months",
            game.violation_rate,
            v_bar,
            f"abs {TOL_GAME}",
            abs(v_bar - game.violation_rate) <= TOL_GAME,
            PUBLISHED_NUMBER,
        )
    )
    claims.append(
        Claim(
            "simultaneous game: equilibrium inspection probability g* (the engine's "
            "deterrence threshold); ours: the same run's inspection frequency",
            game.inspection_rate,
            g_bar,
            f"abs {TOL_GAME}",
            abs(g_bar - game.inspection_rate) <= TOL_GAME,
            PUBLISHED_NUMBER,
        )
    )
    p = _regime_numbers(params)[2]
    sim_pay, lead_pay = float(play.payoff.mean()), lead[2]
    paper_sim = -COST / p
    claims.append(
        Claim(
            "inspector's payoff per actor-month in the simultaneous equilibrium, "
            "-cost / p; ours: the fictitious-play run",
            paper_sim,
            sim_pay,
            f"abs {TOL_GAME}",
            abs(sim_pay - paper_sim) <= TOL_GAME,
            PUBLISHED_NUMBER,
        )
    )
    claims.append(
        Claim(
            f"leadership is better for the inspector: -cost g = {-COST * lead[0]:.3f} "
            f"against {paper_sim:.3f}; ours: engine leadership run minus the "
            "fictitious-play run",
            -COST * lead[0] - paper_sim,
            lead_pay - sim_pay,
            f"positive, abs {TOL_GAME}",
            lead_pay > sim_pay
            and abs((lead_pay - sim_pay) - (-COST * lead[0] - paper_sim)) <= TOL_GAME,
            PUBLISHED_NUMBER,
        )
    )
    figure = _figure(Path(out_dir), sweeps, game, play, lead)
    return Reproduction(NAME, CITATION, tuple(claims), figure)
