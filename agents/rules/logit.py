"""Logit (quantal) response: defect with probability ``1 / (1 + exp(-beta * delta_k))``.

Noisy best response. ``beta`` is the precision: 0 is a coin flip, large values approach best
response. The actor defects iff its decision uniform is below the defection probability.

References:
    McKelvey, R. D. and Palfrey, T. R. (1995). Quantal response equilibria for normal form games.
    *Games and Economic Behavior* 10(1), 6-38.
    Blume, L. E. (1993). The statistical mechanics of strategic interaction.
    *Games and Economic Behavior* 5(3), 387-424.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numba import njit

from agents.declare import Param
from agents.rules import Observation, register_rule
from agents.rules._compiled import CompiledDecision

BETA = Param(
    name="beta",
    kind="float",
    default=10.0,
    low=0.0,
    range=(0.0, 50.0),
    unit="1 / (G per unit capability)",
    help="Precision of the logit and imitation rules: 0 decides by coin flip, large values "
    "approach best response (imitation: always copy the better-off).",
    group="decisions",
    symbol="beta",
)


def defect_probability(advantage: np.ndarray, beta: float) -> np.ndarray:
    """``1 / (1 + exp(-beta * delta))``.

    No tie snapping is needed: at an advantage within the tie tolerance the probability is
    1/2 to within ``beta * 1e-12``, which no decision uniform can tell apart in practice.
    """
    from scipy.special import expit  # here, not at import: workers start faster

    return expit(beta * advantage)


@njit(cache=True, nogil=True)
def term(advantage, beta):  # pragma: no cover
    """``exp(-beta delta_k)``: the part of the test that stands while the advantage stands."""
    return math.exp(-beta * advantage)


@njit(cache=True, nogil=True)
def defects_given_term(uniform, advantage, term_k, tolerance):  # pragma: no cover
    """``u_k < 1 / (1 + exp(-beta delta_k))``, as ``u_k (1 + exp(-beta delta_k)) < 1``."""
    return uniform * (1.0 + term_k) < 1.0


@njit(cache=True, nogil=True)
def _defects(uniforms, advantage, beta, out):  # pragma: no cover
    """:func:`defects_given_term` for every actor."""
    for k in range(uniforms.shape[0]):
        out[k] = defects_given_term(uniforms[k], advantage[k], term(advantage[k], beta), 0.0)
    return out


@njit(cache=True, nogil=True)
def exp_terms(advantage, beta, out):  # pragma: no cover
    """:func:`term` for every actor (kept while delta stands)."""
    for k in range(advantage.shape[0]):
        out[k] = term(advantage[k], beta)
    return out


@njit(cache=True, nogil=True)
def defects_given_terms(uniforms, terms, out):  # pragma: no cover
    """:func:`_defects` given :func:`exp_terms` (the same bits)."""
    for k in range(uniforms.shape[0]):
        out[k] = defects_given_term(uniforms[k], 0.0, terms[k], 0.0)
    return out


@register_rule(
    "logit",
    params=(BETA,),
    deterministic=False,
    summary="Defect with probability 1 / (1 + exp(-beta * delta)).",
    references=(
        "McKelvey and Palfrey (1995), Games and Economic Behavior 10(1), 6-38.",
        "Blume (1993), Games and Economic Behavior 5(3), 387-424.",
    ),
    compiled=CompiledDecision(term, defects_given_term, "beta"),
)
def logit(obs: Observation, params: Mapping[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Defect where the decision uniform is below the logit defection probability."""
    out = np.empty(len(obs.uniforms), dtype=bool)
    return _defects(obs.uniforms, obs.advantage, float(params["beta"]), out)
