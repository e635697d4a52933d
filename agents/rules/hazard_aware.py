"""Hazard-aware logit: weigh the catastrophe one's own defection would add to the hazard.

The logit rule on the advantage of defecting less the expected catastrophe loss the actor's
own defection adds this period:

    delta'_k = delta_k - X (H(R_k + c_k) - H(R_k)),    X = G / (1 - discount)

with ``H(R) = 1 - exp(-hazard_scale * R ** hazard_exponent)`` the engine's shared hazard (the
probability that a month with defecting capability share ``R`` ends in catastrophe,
``model/ODD.md`` 3.7), ``c_k`` the actor's capability share and ``R_k = rho_k (C - c_k)`` the
capability the actor believes the others put into defection (``rho_k`` its belief, ``C`` the
world's capability). A catastrophe ends the run, so what it costs an actor per unit of its
capability is the discounted value of the frontier gains it would have had, ``X = G / (1 -
discount)`` (infinite at ``discount = 1``: then no actor tips the hazard knowingly), and
``X c_k (H(R_k + c_k) - H(R_k))`` is its own expected loss from tipping the hazard. The actor
defects iff its decision uniform is below ``1 / (1 + exp(-beta * delta'_k))``; it draws
nothing else. With ``hazard_scale = 0`` it is the logit rule.

Read as Barrett and Dannenberg's threshold model, ``H`` is the distribution function of a
catastrophe threshold on ``R``, a Weibull with shape ``hazard_exponent`` and median
``(ln 2 / hazard_scale) ** (1 / hazard_exponent)``: a large exponent is a threshold whose
location is known (a step), a small one a threshold whose location is uncertain.

The rule declares no parameter of its own (it reads ``beta``, ``defect_gain``, ``discount``
and the hazard's two), so switching it on changes nothing else in a run's record.

**Choice**: ``R_k`` from the rivalry-weighted belief is exact for nations without labs or
alliances under perfect information (then ``rho_k = R_-k / (C - c_k)``); elsewhere it takes
the believed rival defection rate for everyone's.

References:
    Barrett, S. and Dannenberg, A. (2012). Climate negotiations under scientific uncertainty.
    *PNAS* 109(43), 17372-17376.
    McKelvey, R. D. and Palfrey, T. R. (1995). Quantal response equilibria for normal form games.
    *Games and Economic Behavior* 10(1), 6-38.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.rules import Observation, register_rule
from agents.rules.logit import BETA, _defects


def catastrophe_loss(params: Mapping[str, Any]) -> float:
    """``X = G / (1 - discount)``, what a catastrophe costs per unit of capability (inf at 1).

    >>> round(catastrophe_loss({"defect_gain": 1.0, "discount": 0.8}), 12)
    5.0
    """
    discount = float(params["discount"])
    return math.inf if discount >= 1.0 else float(params["defect_gain"]) / (1.0 - discount)


def log_scale_of(params: Mapping[str, Any]) -> float:
    """``ln hazard_scale`` (``-inf`` for no hazard)."""
    scale = float(params["hazard_scale"])
    return math.log(scale) if scale > 0 else -math.inf


def hazard(share: np.ndarray, log_scale: float, exponent: float) -> np.ndarray:
    """``H(R) = 1 - exp(-scale * R ** exponent)`` at defecting shares R (``log_scale = ln scale``).

    >>> np.round(hazard(np.array([0.0, 0.5, 1.0]), 0.0, 1.0), 4)
    array([0.    , 0.3935, 0.6321])
    """
    r = np.clip(np.asarray(share, dtype=float), 0.0, None)
    with np.errstate(divide="ignore", over="ignore"):
        rate = np.exp(log_scale + exponent * np.log(r))
    return -np.expm1(-rate)


def tipping(
    capability: np.ndarray, belief: np.ndarray, log_scale: float, exponent: float
) -> np.ndarray:
    """``H(R_k + c_k) - H(R_k)``: the hazard each actor's own defection adds.

    >>> c = np.full(10, 0.1)
    >>> # a step at R = 0.25 (shape 200): the third defector tips it, the second does not
    >>> log_scale = math.log(math.log(2)) - 200 * math.log(0.25)
    >>> np.round(tipping(c, np.array([1 / 9, 2 / 9] + [0.0] * 8), log_scale, 200.0)[:3], 6)
    array([0., 1., 0.])
    """
    others = belief * (capability.sum() - capability)
    return hazard(others + capability, log_scale, exponent) - hazard(others, log_scale, exponent)


@register_rule(
    "hazard_aware",
    params=(BETA,),
    deterministic=False,
    summary="Logit on the advantage less G / (1 - discount) times the shared hazard one's own "
    "defection adds.",
    references=(
        "Barrett and Dannenberg (2012), PNAS 109(43), 17372-17376.",
        "McKelvey and Palfrey (1995), Games and Economic Behavior 10(1), 6-38.",
    ),
    needs=("capability",),
)
def hazard_aware(
    obs: Observation, params: Mapping[str, Any], rng: np.random.Generator
) -> np.ndarray:
    """Defect where the decision uniform is below the logit of the hazard-weighed advantage."""
    advantage = obs.advantage
    loss = catastrophe_loss(params)
    log_scale = log_scale_of(params)
    if loss > 0 and log_scale > -math.inf:
        added = tipping(
            np.asarray(obs.extra["capability"], dtype=float),
            obs.belief,
            log_scale,
            float(params["hazard_exponent"]),
        )
        advantage = advantage - np.where(added > 0, loss * added, 0.0)
    out = np.empty(len(obs.uniforms), dtype=bool)
    return _defects(
        obs.uniforms, np.ascontiguousarray(advantage, dtype=float), float(params["beta"]), out
    )
