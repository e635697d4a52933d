"""A rule's compiled decision: the per-actor test both engine paths run.

A rule that decides from the period's advantage and decision uniforms alone can register a
:class:`CompiledDecision` (``register_rule(..., compiled=...)``): two numba functions of one
actor. Its vectorised ``decide`` loops over them, and the batched sweep path
(:mod:`model.batched`) calls them inside its compiled kernel, so a batchable rule is one file
(``agents/rules/logit.py`` is the example) and its test is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CompiledDecision:
    """A rule's decision as compiled (numba ``@njit``) functions of one actor.

    Attributes:
        term: ``term(advantage_k, param) -> float``: the part that depends on the advantage
            only (kept while the advantage stands, e.g. logit's ``exp(-beta delta_k)``).
        decide: ``decide(uniform_k, advantage_k, term_k, tolerance) -> bool`` (True = defect).
        param: The float parameter passed to ``term`` as ``param`` (None: 0.0 is passed).
    """

    term: Any
    decide: Any
    param: str | None = None
