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

from agents.rules import Observation, register_rule, strictly_positive


@register_rule(
    "best_response",
    deterministic=True,
    summary="Defect iff the advantage of defecting is positive (ties comply).",
    references=("Fudenberg and Tirole (1991), Game Theory, ch. 1.",),
)
def best_response(
    obs: Observation, params: Mapping[str, Any], rng: np.random.Generator
) -> np.ndarray:
    """Defect where ``delta_k > tolerance``."""
    return strictly_positive(obs.advantage, obs.tolerance)
