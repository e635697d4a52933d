"""Decision rules: who defects, computed for all actors at once.

A rule is a vectorised function ``decide(obs, params, rng) -> defect`` registered by name. It maps
an :class:`Observation` (arrays indexed by actor) and the resolved parameters to a boolean array
(True = defect) for every actor; the engine then keeps the choices of the actors that revise this
period and overrides committed actors. A rule must not draw from ``rng`` before the engine's own
per-period draws are done: the engine hands it the period's decision uniforms (``obs.uniforms``),
one per actor in actor-id order, and a rule that needs more randomness draws it from ``rng`` after.

Adding a rule is one file in this folder that calls :func:`register_rule`; the registry picks it
up, and it appears in the schema, the CLI, scenario validation, the app and the contract tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.declare import Param
from agents.registry import Registry
from agents.rules._compiled import CompiledDecision as CompiledDecision

#: Ties comply: an actor defects only if its advantage exceeds this times (G + F).
TIE_TOLERANCE = 1e-12

#: The observations a rule can ask for in ``needs`` (see :class:`Observation`).
EXTRA_KEYS = (
    "t",
    "state",
    "capability",
    "home",
    "is_lab",
    "n_nations",
    "alliances",
    "expected_payoff",
    "realized_payoff",
    "caught_last",
    "flagged_last",
    "rival_share",
    "member",
    "pledged_last",
    "breached_last",
)


@dataclass(slots=True)
class Observation:
    """What the actors see when they decide, as arrays indexed by actor id.

    Attributes:
        advantage: ``delta_k``, the per-unit advantage of defecting (DESIGN.md section 2).
        uniforms: The period's decision uniforms, one per actor, in [0, 1).
        defect: Last period's actions (True = defect).
        belief: ``rho_k``, the capability- and rivalry-weighted believed defection share.
        tolerance: Advantages with absolute value at most this are ties (and ties comply).
        extra: Further observations, only those the rule declares in ``needs``. Keys:
            ``t`` (this step), ``state`` (a dict the rule may keep arrays in across steps;
            the engine keeps it, empty at the start), ``capability``, ``home`` (home nation
            index), ``is_lab``, ``n_nations``, ``alliances`` (the nation alliance matrix as
            CSR arrays ``(indptr, indices, weights)``), ``expected_payoff`` (array of shape
            (2, N): expected per-unit payoff of complying and of defecting this period, whose
            difference is ``advantage``), ``realized_payoff`` (last period's realised payoff
            per unit of capability), ``caught_last`` (caught defecting last period, at home or
            internationally), ``flagged_last`` (flagged internationally last period: detections
            and false alarms), ``rival_share`` (a function ``x -> rho(x)``, the rivalry- and
            capability-weighted share of any per-actor quantity, DESIGN.md section 2),
            ``member`` (treaty membership, one per nation), ``pledged_last`` (last month's
            pledges, one per nation, True = defect; None before month 1 or without pledges),
            ``breached_last`` (last month's detected breaches, one per nation; None likewise).
    """

    advantage: np.ndarray
    uniforms: np.ndarray
    defect: np.ndarray
    belief: np.ndarray
    tolerance: float
    extra: Mapping[str, Any] = field(default_factory=dict)


Decide = Callable[[Observation, Mapping[str, Any], np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Rule:
    """A registered decision rule.

    Attributes:
        name: Registry name (``logit``).
        decide: The vectorised decision function.
        params: The parameters this rule reads.
        deterministic: True when the rule ignores the uniforms and the generator.
        summary: The rule in one sentence.
        references: Literature the rule follows.
        needs: The ``Observation.extra`` keys the rule reads.
        compiled: The rule's compiled per-actor decision (``agents/rules/_compiled.py``), for
            rules that read only the advantage and the uniforms; None otherwise.
        requires: ``(parameter, value)`` pairs a run of the rule must have (validation refuses
            others).
    """

    name: str
    decide: Decide
    params: tuple[Param, ...]
    deterministic: bool
    summary: str
    references: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    compiled: CompiledDecision | None = None
    requires: tuple[tuple[str, str], ...] = ()


#: Every decision rule, one file each in this folder (imported on the first lookup).
RULES: Registry[Rule] = Registry(
    "decision rule",
    package=__name__,
    order=lambda name, rule: name,
    word="registered",
    same=lambda old, new: old.decide is new.decide,
)
_REGISTRY = RULES  # registering under a taken name with another function raises


def register_rule(
    name: str,
    *,
    params: tuple[Param, ...] = (),
    deterministic: bool,
    summary: str,
    references: tuple[str, ...] = (),
    needs: tuple[str, ...] = (),
    compiled: CompiledDecision | None = None,
    requires: tuple[tuple[str, str], ...] = (),
) -> Callable[[Decide], Decide]:
    """Register a decision function under ``name`` (used as a decorator)."""
    unknown = set(needs) - set(EXTRA_KEYS)
    if unknown:
        raise ValueError(
            f"rule {name!r} needs unknown observations {sorted(unknown)}; "
            f"available: {', '.join(EXTRA_KEYS)}"
        )

    def wrap(fn: Decide) -> Decide:
        _REGISTRY[name] = Rule(
            name,
            fn,
            tuple(params),
            deterministic,
            summary,
            references,
            tuple(needs),
            compiled,
            tuple(requires),
        )
        return fn

    return wrap


def rules() -> dict[str, Rule]:
    """All registered rules by name, in name order."""
    return RULES.as_dict()


def get_rule(name: str) -> Rule:
    """The rule registered as ``name``; KeyError names the registered ones."""
    return RULES.get(name)


def strictly_positive(advantage: np.ndarray, tolerance: float) -> np.ndarray:
    """True where the advantage exceeds the tie tolerance (ties comply)."""
    return advantage > tolerance
