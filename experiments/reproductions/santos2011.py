"""Santos and Pacheco (2011), the collective-risk dilemma, against an independent library.

Groups of ``N`` drawn at random from a population of ``Z``; each player has an endowment ``b``.
A cooperator gives ``c b``, a defector nothing; a group with at least ``M`` cooperators is safe,
and otherwise every member loses what it has left with probability ``r`` (the risk). With ``j``
cooperators in the group a defector earns ``b (theta(j - M) + (1 - r)(1 - theta(j - M)))``
(``theta(x) = 1`` for ``x >= 0``) and a cooperator that less ``c b``; in the finite population
each player's fitness averages this over its co-players, drawn without replacement
(hypergeometric). The population learns by pairwise comparison (the Fermi rule of pausegame's
``imitation`` rule, one revision at a time): a cooperator is the complier, a defector the
defector. Santos and Pacheco find that cooperation is more likely the higher the risk of
collective failure (their abstract, p. 10421, paraphrased).

Ours: the fitness typed from the paper's definitions (:func:`crd_gap`) and pausegame's
imitation chain (:class:`model.learning_theory.ImitationChain`: its gradient of selection
``T+(k) - T-(k)`` and its fixation probabilities). Theirs: ``egttools`` (a maintained library,
``egttools.games.OneShotCRD`` with ``egttools.analytical.PairwiseComparison``), an independent
implementation of the same game and process; nothing of ``model/`` computes it. The
parameters (``Z = 50``, ``N = 6``, ``M = 3``, ``c = 0.1``, ``b = 1``, ``beta = 5``) are ours,
chosen for a population the size of the paper's; no figure of the paper is read.

References:
    Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape
    from the tragedy of the commons. *PNAS* 108(26), 10421-10425.
    Fernandez Domingos, E. et al. egttools: evolutionary game dynamics in Python
    (``pip install egttools``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.stats import hypergeom

from experiments.analysis.common import new_figure
from experiments.reproductions import register_reproduction
from experiments.reproductions.common import (
    PALETTE,
    PUBLISHED_NUMBER,
    QUALITATIVE,
    Claim,
    Reproduction,
    save_png,
)
from model.learning_theory import ImitationChain

__all__ = ["BETA", "CITATION", "NAME", "RISKS", "TITLE", "crd_chain", "crd_gap", "reproduce"]

NAME = "santos2011"
TITLE = "Collective-risk dilemma: gradient of selection and fixation against egttools"
CITATION = "Santos & Pacheco 2011, PNAS 108(26); egttools (independent implementation)"

#: Population, group size, threshold, cost share, endowment, selection intensity (ours).
Z, N, M = 50, 6, 3
COST, ENDOWMENT = 0.1, 1.0
BETA = 5.0
#: Risks compared (all, quick).
RISKS: tuple[float, ...] = (0.1, 0.3, 0.5, 0.7, 0.9)
RISKS_QUICK: tuple[float, ...] = (0.1, 0.5, 0.9)
#: Tolerances: the gradient (absolute), the fixation probabilities (relative, or absolute for
#: the smallest: egttools 0.1.14 returns 0 where ours is 3.5e-10, one cooperator at r = 0.1).
TOL_GRADIENT = 1e-12
TOL_FIXATION_REL, TOL_FIXATION_ABS = 1e-9, 1e-9


def crd_gap(risk: float, z: int = Z, group: int = N, threshold: int = M) -> NDArray[np.float64]:
    """``d_k`` for k = 0..Z cooperators: a defector's fitness minus a cooperator's.

    At k = 0 (no cooperator) and k = Z (no defector) the missing type's fitness is that of a
    single one among the others, as in :meth:`model.dsair.DSAIRRace.gap`.

    >>> round(float(crd_gap(0.5)[25]), 4)
    -0.0465
    """
    co = np.arange(group)  # cooperating co-players, 0..N-1

    def payoff(j: NDArray[np.int64]) -> NDArray[np.float64]:
        safe = j >= threshold
        return np.asarray(ENDOWMENT * np.where(safe, 1.0, 1.0 - risk), dtype=float)

    gap = np.empty(z + 1)
    for k in range(z + 1):
        as_defector = hypergeom.pmf(co, z - 1, min(k, z - 1), group - 1) @ payoff(co)
        as_cooperator = hypergeom.pmf(co, z - 1, max(k - 1, 0), group - 1) @ (
            payoff(co + 1) - COST * ENDOWMENT
        )
        gap[k] = as_defector - as_cooperator
    return gap


def crd_chain(risk: float) -> ImitationChain:
    """Pausegame's imitation chain of the number of cooperators, no mutation."""
    return ImitationChain.from_gap(crd_gap(risk), BETA)


def _theirs(risk: float) -> tuple[NDArray[np.float64], float, float]:
    """The library's gradient of selection (k = 0..Z) and both fixation probabilities."""
    try:
        from egttools.analytical import PairwiseComparison
        from egttools.games import OneShotCRD
    except ImportError as exc:  # pragma: no cover - a dev dependency
        raise RuntimeError(
            "santos2011 compares with egttools, a development dependency: pip install -e '.[dev]'"
        ) from exc

    # the game must outlive the model (the library keeps a reference it does not own)
    game = OneShotCRD(ENDOWMENT, COST, risk, N, M)
    model = PairwiseComparison(Z, game)
    # strategy 0 defects, 1 cooperates; a state counts (defectors, cooperators)
    gradient = np.array(
        [model.calculate_gradient_of_selection(BETA, np.array([Z - k, k]))[1] for k in range(Z + 1)]
    )
    cooperator = float(model.calculate_fixation_probability(1, 0, BETA))
    defector = float(model.calculate_fixation_probability(0, 1, BETA))
    del model, game
    return gradient, cooperator, defector


def _close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= max(TOL_FIXATION_REL * abs(theirs), TOL_FIXATION_ABS)


@register_reproduction(NAME, position=5)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """Compare the gradient and the fixation probabilities at each risk; draw the gradients."""
    risks = RISKS_QUICK if quick else RISKS
    rows = []
    for r in risks:
        chain = crd_chain(r)
        gradient, c_theirs, d_theirs = _theirs(r)
        c_ours = chain.fixation_probability(1)
        d_ours = 1.0 - chain.fixation_probability(Z - 1)
        rows.append((r, chain.up - chain.down, gradient, c_ours, c_theirs, d_ours, d_theirs))
    worst = max(float(np.max(np.abs(ours - theirs))) for _, ours, theirs, *_ in rows)
    fixation_ok = all(_close(c, ct) and _close(d, dt) for *_, c, ct, d, dt in rows)
    worst_fix = max(abs(o - t) for *_, c, ct, d, dt in rows for o, t in ((c, ct), (d, dt)))
    cooperators = [c for *_, c, _, _, _ in rows]
    defectors = [d for *_, d, _ in rows]
    label = ", ".join(f"{r:g}" for r in risks)
    claims = (
        Claim(
            f"gradient of selection T+(k) - T-(k), k = 0..{Z}, at risk r = {label} "
            f"(Z = {Z}, N = {N}, M = {M}, c = {COST}, beta = {BETA}); theirs: egttools "
            "OneShotCRD + PairwiseComparison; ours: the paper's fitness and "
            "model.learning_theory's imitation chain: largest difference",
            0.0,
            worst,
            f"abs {TOL_GRADIENT:g}",
            worst <= TOL_GRADIENT,
            PUBLISHED_NUMBER,
        ),
        Claim(
            f"fixation probability of one cooperator among defectors, and of one defector "
            f"among cooperators, at r = {label}; theirs: egttools; ours: the imitation "
            f"chain (largest difference {worst_fix:.1e}); shown: one cooperator "
            f"at r = {risks[-1]:g}",
            rows[-1][4],
            rows[-1][3],
            f"rel {TOL_FIXATION_REL:g} (abs {TOL_FIXATION_ABS:g})",
            fixation_ok,
            PUBLISHED_NUMBER,
        ),
        Claim(
            f"cooperation more likely as the risk grows: fixation of one cooperator rises "
            f"and of one defector falls with r = {label} (ours: the imitation chain)",
            "cooperation is more likely when the risk of collective failure is high "
            "(Santos & Pacheco 2011, abstract, p. 10421, paraphrased)",
            "cooperator "
            + ", ".join(f"{v:.2g}" for v in cooperators)
            + "; defector "
            + ", ".join(f"{v:.2g}" for v in defectors),
            "strictly monotone in r",
            bool(np.all(np.diff(cooperators) > 0) and np.all(np.diff(defectors) < 0)),
            QUALITATIVE,
        ),
    )
    fig = new_figure(7.5, 4.8)
    ax = fig.add_subplot()
    x = np.arange(Z + 1) / Z
    for i, (r, ours, theirs, *_) in enumerate(rows):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(x, ours, "-", color=colour, lw=1.5, label=f"ours, r = {r:g}")
        ax.plot(x[::2], theirs[::2], "o", color=colour, mfc="none", ms=4)
    ax.plot([], [], "o", color="black", mfc="none", ms=4, label="egttools (markers)")
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlabel("cooperators k / Z")
    ax.set_ylabel("gradient of selection T+(k) - T-(k)")
    ax.set_title(
        f"Collective-risk dilemma: Z = {Z}, N = {N}, M = {M}, c = {COST}, beta = {BETA}",
        fontsize=9,
    )
    ax.legend(fontsize=7)
    return Reproduction(NAME, CITATION, claims, save_png(fig, out_dir, NAME))
