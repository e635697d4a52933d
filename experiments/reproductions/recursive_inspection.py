"""Dresher's recursive inspection game: an inspector's budget of inspections over time.

An inspectorate may inspect in at most ``m`` of ``n`` periods; the inspectee may violate once
(or never). A violation in a period the inspector inspects is caught (the inspectee's payoff
-1), one in a period it does not goes undetected (+1); never violating is worth 0. Each period
both choose at once, knowing the periods and inspections left, and the game is zero-sum. Dresher
(1962) found its value in closed form,

    v(n, m) = C(n - 1, m) / sum_{i=0}^{m} C(n, i),

the formula typed below (:func:`dresher_value`) from the statement of Dresher's game in
Avenhaus, von Stengel and Zamir (2002), which von Stengel (2016) generalises to several
violations. It is "theirs": nothing of ``model/`` computes it.

Ours is pausegame's inspector with a budget (:func:`model.inspector.solve_budgeted`): the game
solved by backward induction, each period's 2 x 2 game as a linear programme
(``scipy.optimize.linprog``), with no closed form. The claim: the two agree for every
``m <= n <= 12``. The figure shows the value against the inspections per period, with the
inspector's equilibrium probability of inspecting in the first period.

References:
    Dresher, M. (1962). A sampling inspection problem in arms control agreements: a
    game-theoretic analysis. Memorandum RM-2972-ARPA, The RAND Corporation.
    Avenhaus, R., von Stengel, B. and Zamir, S. (2002). Inspection games. In *Handbook of Game
    Theory with Economic Applications* 3, 1947-1987.
    von Stengel, B. (2016). Recursive inspection games. *Mathematics of Operations Research*
    41(3), 935-952.
"""

from __future__ import annotations

from math import comb
from pathlib import Path

import numpy as np

from experiments.analysis.common import new_figure
from experiments.reproductions import register_reproduction
from experiments.reproductions.common import (
    PALETTE,
    PUBLISHED_NUMBER,
    Claim,
    Reproduction,
    save_png,
)
from model.inspector import solve_budgeted

__all__ = ["CITATION", "MONTHS", "NAME", "TITLE", "TOLERANCE", "dresher_value", "reproduce"]

NAME = "recursive_inspection"
TITLE = "Recursive inspection game: the value of a budget of inspections (Dresher)"
CITATION = "Dresher 1962 (RAND RM-2972-ARPA), in Avenhaus, von Stengel & Zamir 2002"

#: Largest number of periods checked (all, quick).
MONTHS, MONTHS_QUICK = 12, 8
#: Absolute tolerance on the value (the linear programmes' accuracy).
TOLERANCE = 1e-9


def dresher_value(n: int, m: int) -> float:
    """``C(n - 1, m) / sum_{i=0}^{m} C(n, i)``: Dresher's value, typed from the paper.

    >>> dresher_value(2, 1), dresher_value(4, 2)
    (0.3333333333333333, 0.2727272727272727)
    """
    return comb(n - 1, m) / sum(comb(n, i) for i in range(m + 1))


@register_reproduction(NAME, position=6)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """Solve the game for every ``m <= n <= MONTHS`` and compare with Dresher's formula."""
    months = MONTHS_QUICK if quick else MONTHS
    game = solve_budgeted(months)
    pairs = [(n, m) for n in range(1, months + 1) for m in range(n + 1)]
    gaps = [abs(float(game.value[n, m]) - dresher_value(n, m)) for n, m in pairs]
    worst = max(gaps)
    n_mid, m_mid = months, months // 3
    claims = (
        Claim(
            f"value of the recursive inspection game for every m <= n <= {months} "
            f"({len(pairs)} games; theirs: Dresher's C(n-1, m) / sum_i<=m C(n, i); ours: "
            "model.inspector.solve_budgeted, backward induction by linear programmes): "
            f"largest difference; v({n_mid}, {m_mid}) shown",
            round(dresher_value(n_mid, m_mid), 6),
            round(float(game.value[n_mid, m_mid]), 6),
            f"every value within abs {TOLERANCE:g} (largest {worst:.1e})",
            worst <= TOLERANCE,
            PUBLISHED_NUMBER,
        ),
    )
    fig = new_figure(11.0, 4.4)
    ax, bx = fig.subplots(1, 2)
    for i, n in enumerate(sorted({2, months // 2, months})):
        m = np.arange(n + 1)
        ax.plot(
            m / n,
            [game.value[n, j] for j in m],
            "o",
            color=PALETTE[i],
            mfc="none",
            label=f"ours, n = {n} (backward induction)",
        )
        ax.plot(
            m / n,
            [dresher_value(n, int(j)) for j in m],
            "-",
            color=PALETTE[i],
            lw=1,
            label=f"Dresher's formula, n = {n}",
        )
        bx.plot(
            m[1:n] / n,
            [game.inspect[n, j] for j in m[1:n]],
            "s-",
            color=PALETTE[i],
            ms=4,
            label=f"n = {n}",
        )
    ax.set_xlabel("inspections per period m / n")
    ax.set_ylabel("value to the inspectee v(n, m)")
    ax.set_title("Value: +1 undetected violation, -1 caught, 0 never violating", fontsize=9)
    ax.legend(fontsize=7)
    bx.set_xlabel("inspections per period m / n")
    bx.set_ylabel("probability of inspecting in the first period")
    bx.set_title("The inspector's equilibrium first move (ours)", fontsize=9)
    bx.legend(fontsize=7)
    return Reproduction(NAME, CITATION, claims, save_png(fig, out_dir, NAME))
