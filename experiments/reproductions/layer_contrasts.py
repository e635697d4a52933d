"""Many cheap verification layers against one expensive one, at two correlations (#31).

Our own findings, each a paired contrast as in :mod:`.negotiation_contrasts` (the same replicate
world, seed ``r`` of :func:`experiments.teaching.replicate_seed` from :data:`MASTER_SEED`, run
under two set-ups; the mean paired difference of an outcome with its 95% Student's t interval;
a claim holds when the interval lies wholly on its side of 0). The outcome is whether the pause
*held* for the whole run (:attr:`model.outcomes.RunSummary.held`), 1 or 0 per world.

The world (:data:`WORLD`, the scenario ``layered_verification``): 6 nations, 6 labs, 60 months,
``penalty = 3``, ``undeclared_share`` 0.1 (its default), everything else at its default. Three
set-ups of verification layers (model/ODD.md 3.6) whose members pay about the same each month
(G per month with the world's capability 1 and every nation a member, from the registry's
numbers: :func:`monthly_cost`):

- **many cheap** (:data:`MANY`): ``chip_tracking``, ``national_technical_means``,
  ``whistleblower``, 0.135 a month;
- **middle** (:data:`MIDDLE`): ``hardware_governance``, ``whistleblower``, 0.130;
- **one expensive** (:data:`ONE`): ``onsite_inspection``, 0.127;

each at ``layer_correlation`` 0 and 0.5. The combination gives (catch ``P``, false alarms
``Q``, lag): many 0.688 / 0.103 / 1 at rho 0 and 0.629 / 0.089 / 1 at rho 0.5; middle 0.816 /
0.020 / 0 and 0.814 / 0.015 / 0; one 0.81 / 0.03 / 1 at both (one layer has no common mode).
The issue expected the many cheap layers to beat the one expensive one. **With the registry's
numbers they do not**: the cheap layers are each weak (national technical means 0.3 a month,
whistleblower channels 0.03, chip tracking 0.6 on declared compute) and their false alarms add
(national technical means alone 0.075), so the set catches less and flags compliers more than
one on-site inspection of the same cost. The claims stated are what the runs show:

1. at rho 0 the one expensive layer holds the pause more often than the many cheap ones;
2. at rho 0.5 likewise;
3. the common mode hurts the many cheap layers: they hold the pause less often at rho 0.5 than
   at rho 0 (a set of one layer is unchanged by rho, so contrast 2 is contrast 1 plus this);
4. the middle set-up, two layers, holds the pause more often than the one expensive layer (at
   rho 0; its catch moves by 0.002 at rho 0.5): a strong cheap-to-run on-chip layer and a
   channel that reaches undeclared compute, with few false alarms and no lag.

So the ordering is middle above one above many, at both correlations; what decides it here is
each set-up's catch net of its false alarms (``P - Q``: many 0.585 and 0.540, middle 0.796 and
0.799, one 0.780) and its lag, not the number of layers. Every number is illustrative: most
layer values are ``speculative`` (``pausegame params --sources``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from experiments.analysis.common import new_figure
from experiments.reproductions import register_reproduction
from experiments.reproductions.common import PALETTE, Reproduction, save_png
from experiments.reproductions.negotiation_contrasts import Contrast
from experiments.teaching import MASTER_SEED, replicate_seed
from model.engine import Engine
from model.params import resolve
from model.verification.layers.combine import LayerCosts

NAME = "layer_contrasts"
TITLE = "Many cheap verification layers against one expensive one, at rho 0 and 0.5, 200 worlds"
CITATION = "pausegame (#31): layer contrasts"
#: Replicate worlds of each contrast (the quick run's too: the issue asks for at least 200).
REPLICATES = 200
#: The world of every set-up (see the module; the scenario ``layered_verification``).
WORLD: dict[str, Any] = {"n_nations": 6, "n_labs": 6, "steps": 60, "penalty": 3.0}
#: The three set-ups, many cheap layers to one expensive one.
MANY = "chip_tracking,national_technical_means,whistleblower"
MIDDLE = "hardware_governance,whistleblower"
ONE = "onsite_inspection"
SETUPS: tuple[str, ...] = (MANY, MIDDLE, ONE)
#: The two common modes compared.
RHOS: tuple[float, ...] = (0.0, 0.5)


def arm(layers: str, rho: float) -> dict[str, Any]:
    """The parameters of one set-up at ``layer_correlation`` ``rho`` in :data:`WORLD`."""
    return {**WORLD, "layers": layers, "layer_correlation": rho}


def monthly_cost(layers: str) -> float:
    """What the members pay a month for ``layers`` in :data:`WORLD` (world capability 1).

    Example:
        >>> round(monthly_cost("onsite_inspection"), 4)
        0.127
    """
    costs = LayerCosts.of(resolve(arm(layers, 0.0)))
    return 0.0 if costs is None else costs.per_unit(1.0)


def world_outcomes(seed: int) -> np.ndarray:
    """Whether the pause held in one world, ``(len(RHOS), len(SETUPS))``, and what it cost.

    Returns:
        Shape ``(2, len(RHOS), len(SETUPS))``: ``[0]`` held (1.0 or 0.0), ``[1]`` the
        members' verification spend over the run (G).
    """
    out = np.empty((2, len(RHOS), len(SETUPS)))
    for i, rho in enumerate(RHOS):
        for j, layers in enumerate(SETUPS):
            engine = Engine.from_params(arm(layers, rho), seed)
            out[0, i, j] = float(engine.run().held)
            out[1, i, j] = float(engine.timeseries()["verification_spend"].sum())
    return out


def contrasts(replicates: int = REPLICATES) -> tuple[list[Contrast], np.ndarray]:
    """The contrasts (see the module) over ``replicates`` worlds, and every arm's outcomes.

    Returns:
        The contrasts, and the ``(replicates, 2, len(RHOS), len(SETUPS))`` outcomes.
    """
    seeds = [replicate_seed(MASTER_SEED, r) for r in range(replicates)]
    out = np.array([world_outcomes(s) for s in seeds])
    held = out[:, 0]
    many, middle, one = (SETUPS.index(s) for s in (MANY, MIDDLE, ONE))
    found = [
        Contrast(
            "at layer_correlation 0 one expensive layer (onsite_inspection, 0.127 a month) "
            "holds the pause more often than many cheap ones of similar cost (chip_tracking, "
            "national_technical_means, whistleblower, 0.135): held, one minus many",
            held[:, 0, one],
            held[:, 0, many],
            True,
        ),
        Contrast(
            "at layer_correlation 0.5 likewise: held, one minus many",
            held[:, 1, one],
            held[:, 1, many],
            True,
        ),
        Contrast(
            "the common mode hurts the many cheap layers: held at layer_correlation 0.5 minus at 0",
            held[:, 1, many],
            held[:, 0, many],
            False,
        ),
        Contrast(
            "the middle set-up (hardware_governance, whistleblower, 0.130 a month) holds the "
            "pause more often than the one expensive layer at layer_correlation 0: held, "
            "middle minus one",
            held[:, 0, middle],
            held[:, 0, one],
            True,
        ),
    ]
    return found, out


@register_reproduction(NAME, position=12)
def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
    """The contrasts over :data:`REPLICATES` worlds each (``quick`` changes nothing)."""
    found, out = contrasts(REPLICATES)
    figure = _figure(out_dir, found, out)
    return Reproduction(NAME, CITATION, tuple(c.claim() for c in found), figure)


def _figure(out_dir: Path, found: list[Contrast], out: np.ndarray) -> Path:
    fig = new_figure(8.0, 3.6)
    held_ax, cost_ax = fig.subplots(1, 2)
    names = ("many cheap", "middle", "one expensive")
    n = out.shape[0]
    width = 0.38
    for i, rho in enumerate(RHOS):
        held = out[:, 0, i, :]
        means = held.mean(axis=0)
        errors = stats.sem(held, axis=0) * stats.t.ppf(0.975, n - 1)
        xs = np.arange(len(SETUPS)) + (i - 0.5) * width
        held_ax.bar(xs, means, width, yerr=errors, color=PALETTE[i], capsize=3, label=f"rho {rho}")
    held_ax.set_xticks(np.arange(len(SETUPS)), list(names), fontsize=7)
    held_ax.set_ylim(0.0, 1.0)
    held_ax.set_ylabel("share of worlds the pause held", fontsize=7)
    held_ax.legend(fontsize=7)
    low, high = found[0].interval()
    held_ax.set_title(f"one minus many at rho 0: 95% [{low:+.3f}, {high:+.3f}]", fontsize=8)
    spend = out[:, 1, 0, :].mean(axis=0) / float(WORLD["steps"])
    cost_ax.bar(np.arange(len(SETUPS)), spend, color=PALETTE[2])
    cost_ax.set_xticks(np.arange(len(SETUPS)), list(names), fontsize=7)
    cost_ax.set_ylabel("verification spend, G a month", fontsize=7)
    cost_ax.set_title("what the members paid (similar by design)", fontsize=8)
    return save_png(fig, out_dir, NAME)
