"""Best response: defect exactly when defecting pays more than complying.

Each revising actor defects iff its advantage of defecting ``delta_k`` exceeds the tie tolerance
``1e-12 * (G + F)``; ties comply, so floating-point noise never decides. The rule is deterministic:
it ignores the decision uniforms and the generator.

References:
    Fudenberg, D. and Tirole, J. (1991). *Game Theory*. MIT Press, ch. 1.
    Schelling, T. C. (1960). *The Strategy of Conflict*. Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numba import njit

from agents.rules import Observation, register_rule
from agents.rules._compiled import CompiledDecision


@njit(cache=True, nogil=True)
def no_term(advantage, param):  # pragma: no cover
    """Nothing stands apart from the advantage itself."""
    return 0.0


@njit(cache=True, nogil=True)
def defects(uniform, advantage, term_k, tolerance):  # pragma: no cover
    """``delta_k > tolerance`` (ties comply; the uniform is not read)."""
    return advantage > tolerance


@njit(cache=True, nogil=True)
def _defects(advantage, tolerance, out):  # pragma: no cover
    """:func:`defects` for every actor."""
    for k in range(advantage.shape[0]):
        out[k] = defects(0.0, advantage[k], 0.0, tolerance)
    return out


@register_rule(
    "best_response",
    deterministic=True,
    summary="Defect iff the advantage of defecting is positive (ties comply).",
    references=("Fudenberg and Tirole (1991), Game Theory, ch. 1.",),
    compiled=CompiledDecision(no_term, defects),
)
def best_response(
    obs: Observation, params: Mapping[str, Any], rng: np.random.Generator
) -> np.ndarray:
    """Defect where ``delta_k > tolerance``."""
    advantage = np.ascontiguousarray(obs.advantage, dtype=float)
    return _defects(advantage, obs.tolerance, np.empty(len(advantage), dtype=bool))
