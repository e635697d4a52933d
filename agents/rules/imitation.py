"""Imitation (pairwise comparison, Fermi rule): copy a random peer that does better.

A revising actor copies its peer with probability
``1 / (1 + exp(-beta * (payoff_peer - payoff_self)))``.

Each revising actor picks one peer uniformly at random from its peer set (``imitation_peers``:
``all`` actors, its alliance neighbours ``allies``, or actors of the ``same_kind``) and adopts the
peer's action with the Fermi probability above, payoffs per unit of capability; with probability
``mutation`` it instead switches to the other action. Payoffs are the expected payoffs of the two
actors' current actions (``imitate_on=expected``) or their realised payoffs last period
(``imitate_on=realized``, where a detection makes a defector look worse than it expected).
``beta`` is the selection intensity (0: neutral drift). With ``revision_rate = "one"`` this is the
classic one-at-a-time pairwise-comparison process whose stationary distribution and fixation
probabilities ``model/learning_theory.py`` computes exactly.

Randomness: the period's decision uniform decides acceptance; the rule then draws two uniforms
per actor from the generator (peer choice, then mutation), for all actors, used or not.

References:
    Szabo, G. and Toke, C. (1998). Evolutionary prisoner's dilemma game on a square lattice.
    *Physical Review E* 58(1), 69-73.
    Traulsen, A., Nowak, M. A. and Pacheco, J. M. (2006). Stochastic dynamics of invasion and
    fixation. *Physical Review E* 74(1), 011909.
    Traulsen, A., Pacheco, J. M. and Nowak, M. A. (2007). Pairwise comparison and selection
    temperature in evolutionary game dynamics. *J. Theoretical Biology* 246(3), 522-529.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numba import njit

from agents.declare import Param
from agents.rules import Observation, register_rule
from agents.rules._network import sample_peers
from agents.rules.logit import BETA

MUTATION = Param(
    name="mutation",
    kind="float",
    default=0.01,
    low=0.0,
    high=1.0,
    range=(0.0, 0.2),
    unit="per revision",
    help="Imitation rule: probability that a revising actor switches to the other action "
    "instead of comparing itself with a peer.",
    group="decisions",
    symbol="mu",
)

IMITATION_PEERS = Param(
    name="imitation_peers",
    kind="choice",
    default="all",
    choices=("all", "allies", "same_kind"),
    help="Imitation rule: whom an actor compares itself with: 'all' (well mixed), 'allies' "
    "(actors of its own and allied nations) or 'same_kind' (nations with nations, labs with "
    "labs).",
    group="decisions",
)

IMITATE_ON = Param(
    name="imitate_on",
    kind="choice",
    default="expected",
    choices=("expected", "realized"),
    help="Imitation rule: compare expected payoffs of the current actions, or last period's "
    "realised payoffs (detections and sanctions included).",
    group="decisions",
)


@register_rule(
    "imitation",
    params=(BETA, MUTATION, IMITATION_PEERS, IMITATE_ON),
    deterministic=False,
    summary="Copy a random peer's action with probability 1 / (1 + exp(-beta * (payoff gap))); "
    "with probability mutation switch instead.",
    references=(
        "Szabo and Toke (1998), Physical Review E 58(1), 69-73.",
        "Traulsen, Nowak and Pacheco (2006), Physical Review E 74(1), 011909.",
        "Traulsen, Pacheco and Nowak (2007), J. Theoretical Biology 246(3), 522-529.",
    ),
    needs=("home", "is_lab", "n_nations", "alliances", "expected_payoff", "realized_payoff"),
)
def imitation(obs: Observation, params: Mapping[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Each actor's proposal: the peer's action, its own, or (mutation) the other one."""
    extra = obs.extra
    defect = np.ascontiguousarray(obs.defect, dtype=np.bool_)
    n = len(defect)
    u_peer, u_mutation = rng.random((2, n))
    peers = str(params["imitation_peers"])
    well_mixed = peers == "all"
    peer = (
        _NO_PEERS
        if well_mixed
        else sample_peers(
            u_peer,
            peers,
            extra["home"],
            extra["is_lab"],
            int(extra["n_nations"]),
            extra["alliances"],
        )
    )
    if params["imitate_on"] == "expected":
        expected = np.asarray(extra["expected_payoff"], dtype=float)
        comply, defecting = expected[0], expected[1]
    else:
        comply = defecting = np.asarray(extra["realized_payoff"], dtype=float)
    return _imitate(
        defect,
        np.asarray(obs.uniforms, dtype=float),
        u_peer,
        u_mutation,
        peer,
        well_mixed,
        np.ascontiguousarray(comply),
        np.ascontiguousarray(defecting),
        float(params["beta"]),
        float(params["mutation"]),
        np.empty(n, np.bool_),
    )


_NO_PEERS = np.zeros(0, dtype=np.int64)


@njit(cache=True, nogil=True)
def _imitate(
    defect, uniforms, u_peer, u_mutation, peer, well_mixed, comply, defecting, beta, mutation, out
):  # pragma: no cover
    """The rule for every actor in one compiled pass (numpy would take ~15 calls).

    Well mixed, the peer is ``r + (r >= k)`` with ``r = floor(u_peer * (N - 1))``; otherwise
    ``peer`` holds it (-1: none, keep the action). Payoffs are ``comply`` or ``defecting`` by
    the actor's current action.
    """
    n = defect.shape[0]
    for k in range(n):
        if well_mixed:
            if n < 2:
                m = -1
            else:
                m = int(u_peer[k] * (n - 1))
                if m > n - 2:
                    m = n - 2
                if m >= k:
                    m += 1
        else:
            m = peer[k]
        action = defect[k]
        if m >= 0:
            own = defecting[k] if defect[k] else comply[k]
            other = defecting[m] if defect[m] else comply[m]
            if uniforms[k] < 1.0 / (1.0 + np.exp(-beta * (other - own))):
                action = defect[m]
        if u_mutation[k] < mutation:
            action = not defect[k]
        out[k] = action
    return out
