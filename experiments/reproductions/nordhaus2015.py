"""Nordhaus (2015), climate clubs: a modest penalty on outsiders makes a large coalition stable.

Nordhaus's finding: "without sanctions against non-participants there are no stable coalitions
other than those with minimal abatement. By contrast, a regime with small trade penalties on
non-participants, a Climate Club, can induce a large stable coalition". Here the club is the
pause treaty, membership is negotiated (``membership = negotiated``: at each round every
nation joins or stays iff membership pays at least as much as staying out, the others held
fixed) and the trade penalty is ``outsider_penalty`` (an outsider pays it per unit of
capability, times the members' share of world enforcement weight).

**Mapping.** Nordhaus's 15 identical-in-kind regions become 15 identical nations (equal
capability, no labs, no alliances, best response); abatement is complying with the pause,
the climate damage of not abating is replaced by the pause's deterrence (``p_detect * penalty
= 2 >= G (1 + lam)``, so members comply). Without a club penalty a member always gains by
leaving (it develops freely instead of complying), so the only stable coalition is a single
nation, which nobody sanctions: a coalition "with minimal abatement". With the penalty, full
membership becomes stable at the critical penalty ``G n / (n - 1)`` of
:func:`model.treaty.coalition_theory`, and the stable size jumps from 1 to 15.

**What is compared.** The paper's finding, in its own words (abstract, p. 1339; a claim
*consistent with a published qualitative finding*): no stable coalition but a minimal one
without sanctions, a large one with a small penalty. Nordhaus's penalty is a tariff in percent
with no unit in common with ours, so no number of his is compared. Our own findings: the
stable coalition sizes of :func:`model.treaty.coalition_theory`
against the engine's negotiated membership: the membership a run settles at, from full
membership (is the grand coalition stable?) and from random initial memberships, on a grid of
``outsider_penalty``; and the jump's location, found in simulation by bisection on the
penalty, against the theory's critical penalty.

References:
    Nordhaus, W. (2015). Climate clubs: overcoming free-riding in international climate
    policy. *American Economic Review* 105(4), 1339-1370.
    Barrett, S. (1994). Self-enforcing international environmental agreements. *Oxford
    Economic Papers* 46, 878-894.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

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
from model.treaty import coalition_theory

__all__ = ["BASE", "CITATION", "NAME", "TITLE", "reproduce", "settled_membership"]

NAME = "nordhaus2015"
CITATION = "Nordhaus 2015, AER 105(4)"
TITLE = "Climate clubs: the jump in stable coalition size with an outsider penalty"
#: Where the paper says what the qualitative claims compare with.
PAPER_WHERE = "Nordhaus 2015, abstract, p. 1339"

#: The club game: 15 identical nations (Nordhaus's 15 regions), deterred members.
BASE: dict[str, Any] = {
    "n_nations": 15,
    "n_labs": 0,
    "capability_dist": "equal",
    "alliance_network": "none",
    "decision_rule": "best_response",
    "p_false_alarm": 0.0,
    "verification_lag": 0,
    "risk_internalization": 0.0,
    "p_domestic": 0.0,
    "race_pressure": 0.5,
    "p_detect": 0.5,
    "penalty": 4.0,
    "membership": "negotiated",
    "entry_threshold": 0.0,
    "negotiation_interval": 2,
    "steps": 24,
}

#: Tolerance of the simulated jump against the theory's critical penalty (units of G).
JUMP_TOLERANCE = 0.01


def settled_membership(outsider_penalty: float, initial_membership: float, seed: int) -> int:
    """The number of members a negotiated-membership run settles at (after ``steps``)."""
    eng = Engine.from_params(
        {
            **BASE,
            "outsider_penalty": float(outsider_penalty),
            "initial_membership": float(initial_membership),
        },
        rng=seed,
    )
    eng.run()
    return int(eng.member.sum())


def _simulated_jump(low: float, high: float, n: int, tol: float) -> float:
    """The smallest penalty at which full membership stays full, by bisection in [low, high].

    ``low`` must unravel and ``high`` stay full; returns the midpoint of the final bracket,
    which is narrower than ``tol``.
    """
    if settled_membership(low, 1.0, 0) == n or settled_membership(high, 1.0, 0) != n:
        raise ValueError(f"no jump bracketed in outsider_penalty [{low}, {high}]")
    while high - low > tol:
        mid = 0.5 * (low + high)
        if settled_membership(mid, 1.0, 0) == n:
            high = mid
        else:
            low = mid
    return 0.5 * (low + high)


@register_reproduction(NAME, position=3)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """Stable coalition size against ``outsider_penalty``: theory and simulation.

    Args:
        out_dir: Where the figure goes (``nordhaus2015.png``).
        quick: A coarser penalty grid and fewer random starts (the claims are the same).

    Returns:
        The :class:`Reproduction` with the claims and the figure.
    """
    n = int(BASE["n_nations"])
    grid = np.round(np.arange(0.0, 2.001, 0.25 if quick else 0.1), 3)
    n_starts = 3 if quick else 8
    theories = [coalition_theory(resolve(BASE, outsider_penalty=float(P))) for P in grid]
    largest = np.array([max(th.stable_sizes) for th in theories])
    critical = theories[0].critical_penalty
    from_full = np.array([settled_membership(P, 1.0, 0) for P in grid])
    rng = np.random.default_rng(2015)
    starts = rng.random((len(grid), n_starts))
    from_random = np.array(
        [
            [settled_membership(P, s, 1 + j) for j, s in enumerate(row)]
            for P, row in zip(grid, starts, strict=True)
        ]
    )
    in_theory = all(
        int(m) in th.stable_sizes
        for th, row in zip(theories, from_random, strict=True)
        for m in row
    ) and all(int(m) in th.stable_sizes for th, m in zip(theories, from_full, strict=True))
    below, above = grid < critical, grid > critical
    jump = _simulated_jump(
        float(grid[below].max()), float(grid[above].min()), n, JUMP_TOLERANCE / 2
    )
    size_before = int(from_full[grid == 0.0][0])
    size_after = int(from_full[above].min())
    theory_before = int(largest[0])
    theory_after = int(largest[above].min())
    claims = (
        Claim(
            "stable coalition without an outsider penalty (largest; simulated from full "
            f"membership; our coalition_theory: {theory_before})",
            f"'no stable coalitions other than those with minimal abatement' ({PAPER_WHERE})",
            f"{size_before} of {n} (a lone member nobody sanctions)",
            "exact: 1 of 15, theory = simulation",
            size_before == theory_before == 1,
            QUALITATIVE,
        ),
        Claim(
            "stable coalition above the critical penalty (smallest over the grid; simulated "
            f"from full membership; our coalition_theory: {theory_after})",
            f"small penalties on non-participants 'can induce a large stable coalition' "
            f"({PAPER_WHERE})",
            f"{size_after} of {n}",
            "exact: 15 of 15, theory = simulation",
            size_after == theory_after == n,
            QUALITATIVE,
        ),
        Claim(
            "where the stable size jumps: simulation's bisection against our "
            f"coalition_theory's critical penalty G n/(n-1) = {critical:.4f}",
            NO_PUBLISHED_VALUE,
            round(jump, 4),
            f"abs {JUMP_TOLERANCE} of the theory",
            abs(jump - critical) <= JUMP_TOLERANCE,
            OWN_FINDING,
        ),
        Claim(
            "the jump is a jump: from full membership the simulated size is 1 below the "
            "critical penalty and 15 above, nothing between",
            NO_PUBLISHED_VALUE,
            f"{sorted(set(from_full[below].tolist()))} -> {sorted(set(from_full[above].tolist()))}",
            "exact: 1 -> 15",
            bool((from_full[below] == 1).all() and (from_full[above] == n).all()),
            OWN_FINDING,
        ),
        Claim(
            "every simulated membership (full and random starts) is a stable size of our "
            "coalition_theory",
            NO_PUBLISHED_VALUE,
            f"{from_random.size + from_full.size} runs, {'all' if in_theory else 'not all'} stable",
            "all",
            in_theory,
            OWN_FINDING,
        ),
    )
    fig = new_figure(11.0, 4.5)
    ax, bx = fig.subplots(1, 2)
    for P, th in zip(grid, theories, strict=True):
        ax.scatter(
            [P] * len(th.stable_sizes),
            th.stable_sizes,
            s=90,
            facecolors="none",
            edgecolors="0.5",
            zorder=2,
        )
    ax.scatter(
        [], [], s=90, facecolors="none", edgecolors="0.5", label="stable sizes (coalition_theory)"
    )
    jitter = (np.arange(n_starts) - (n_starts - 1) / 2) * 0.012
    for j in range(n_starts):
        ax.scatter(
            grid + jitter[j],
            from_random[:, j],
            s=8,
            color="tab:orange",
            zorder=3,
            label="simulated, random initial membership" if j == 0 else None,
        )
    ax.plot(
        grid,
        from_full,
        "o-",
        color="tab:blue",
        ms=4,
        zorder=4,
        label="simulated, from full membership",
    )
    ax.axvline(
        critical, color="k", ls="--", lw=1, label=f"critical penalty G n/(n-1) = {critical:.3f}"
    )
    ax.set_xlabel("outsider penalty (G per unit capability, times members' share)")
    ax.set_ylabel(f"members (of {n} nations)")
    ax.set_title("Stable club size jumps at the critical penalty")
    ax.legend(fontsize=7, loc="center right")
    k = np.arange(1, n + 1)
    for P, colour in ((0.0, "tab:red"), (0.5, "tab:purple"), (1.5, "tab:green")):
        th = coalition_theory(resolve(BASE, outsider_penalty=P))
        stay = th.member_payoff[1:] - th.outsider_payoff[:-1]
        bx.plot(k, stay, "o-", color=colour, ms=3, label=f"outsider penalty {P}")
    bx.axhline(0.0, color="k", lw=0.8)
    bx.set_xlabel("coalition size k")
    bx.set_ylabel("P_in(k) - P_out(k-1): a member's gain from staying")
    bx.set_title("Members stay where the gain is >= 0")
    bx.legend(fontsize=7)
    return Reproduction(NAME, CITATION, claims, save_png(fig, out_dir, NAME))
