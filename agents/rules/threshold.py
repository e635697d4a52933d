"""Threshold (conditional compliance): defect once enough others are believed to defect.

Each actor ``k`` has its own threshold ``theta_k``, drawn once, on the rule's first call, as
``clip(threshold_mean + threshold_spread * Z_k, 0, 1)`` with ``Z_k`` standard normal (N draws
from the run's generator, whatever the spread, so the stream does not depend on it); the
thresholds are kept in the rule state and are reproducible from the seed. An actor with
``theta_k = 0`` defects unconditionally (Granovetter's instigator). Each period actor ``k``
defects iff its believed defection share ``b_k >= theta_k`` (within ``1e-9``, so rounding never
decides), and complies otherwise:

- ``threshold_scope = "rivals"``: ``b_k`` is the belief ``rho_k`` (DESIGN.md section 2);
- ``threshold_scope = "allies"``: ``b_k`` is the capability- and tie-weighted defection share
  among k's alliance neighbours (its own nation's actors and those of allied nations), from last
  period's actions under ``information=perfect``, or inferred from public flags under
  ``information=detected`` (``clip((f - q) / (p - q), 0, 1)`` as for ``rho``; unchanged when
  ``p <= q``).

The advantage of defecting does not enter: the rule models actors who follow the crowd, not the
payoffs. On a random alliance graph, seeded by one defector, it gives Watts' global cascades
(``model/learning_theory.py``).

References:
    Granovetter, M. (1978). Threshold models of collective behavior. *American Journal of
    Sociology* 83(6), 1420-1443.
    Watts, D. J. (2002). A simple model of global cascades on random networks.
    *PNAS* 99(9), 5766-5771.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.declare import Param
from agents.rules import Observation, register_rule
from agents.rules._network import neighbour_share

#: Shares within this of a threshold count as reaching it.
REACH_TOLERANCE = 1e-9

THRESHOLD_MEAN = Param(
    name="threshold_mean",
    kind="float",
    default=0.3,
    low=0.0,
    high=1.0,
    range=(0.0, 1.0),
    help="Threshold rule: mean of the actors' thresholds (the believed defection share at "
    "which an actor starts to defect).",
    group="decisions",
    symbol="theta",
)

THRESHOLD_SPREAD = Param(
    name="threshold_spread",
    kind="float",
    default=0.1,
    low=0.0,
    range=(0.0, 0.5),
    help="Threshold rule: standard deviation of the actors' thresholds (normal, clipped to "
    "[0, 1]); 0 gives everyone the same threshold.",
    group="decisions",
)

THRESHOLD_SCOPE = Param(
    name="threshold_scope",
    kind="choice",
    default="rivals",
    choices=("rivals", "allies"),
    help="Threshold rule: whose defection an actor watches: its 'rivals' (the belief rho) or "
    "its alliance neighbours ('allies').",
    group="decisions",
)


def thresholds(
    state: dict[str, Any], n: int, params: Mapping[str, Any], rng: np.random.Generator
) -> np.ndarray:
    """The actors' thresholds, drawn on first use (N normals) and kept in ``state``."""
    theta = state.get("threshold")
    if theta is None or len(theta) != n:
        z = rng.standard_normal(n)
        theta = np.clip(
            float(params["threshold_mean"]) + float(params["threshold_spread"]) * z, 0.0, 1.0
        )
        state["threshold"] = theta
    return np.asarray(theta)


def neighbour_belief(obs: Observation, params: Mapping[str, Any]) -> np.ndarray:
    """The believed defection share among each actor's alliance neighbours."""
    extra = obs.extra
    args = (extra["capability"], extra["home"], int(extra["n_nations"]), extra["alliances"])
    if params.get("information", "perfect") == "perfect":
        return neighbour_share(np.asarray(obs.defect, dtype=float), *args)
    state = extra["state"]
    n = len(obs.defect)
    if "neighbour_belief" not in state or len(state["neighbour_belief"]) != n:
        state["neighbour_belief"] = np.full(n, 1.0 - float(params["initial_compliance"]))
    p, q = float(params["p_detect"]), float(params["p_false_alarm"])
    if p > q:
        flagged = neighbour_share(np.asarray(extra["flagged_last"], dtype=float), *args)
        state["neighbour_belief"] = np.clip((flagged - q) / (p - q), 0.0, 1.0)
    return np.asarray(state["neighbour_belief"])


@register_rule(
    "threshold",
    params=(THRESHOLD_MEAN, THRESHOLD_SPREAD, THRESHOLD_SCOPE),
    deterministic=False,
    summary="Defect iff the believed defection share among rivals (or alliance neighbours) "
    "reaches the actor's own threshold.",
    references=(
        "Granovetter (1978), American Journal of Sociology 83(6), 1420-1443.",
        "Watts (2002), PNAS 99(9), 5766-5771.",
    ),
    needs=("state", "capability", "home", "n_nations", "alliances", "flagged_last"),
)
def threshold(obs: Observation, params: Mapping[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Defect where the believed share reaches the actor's threshold."""
    theta = thresholds(obs.extra["state"], len(obs.defect), params, rng)
    if params["threshold_scope"] == "rivals":
        belief = np.asarray(obs.belief, dtype=float)
    else:
        belief = neighbour_belief(obs, params)
    return belief >= theta - REACH_TOLERANCE
