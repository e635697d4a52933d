"""Who decides on a flag, who inspects whom, and what that means for the expected sanction.

Detection and adjudication are separate (DESIGN.md section 1: detection is a lower bar than
verification). A flag (an international detection or a false alarm) against an actor of nation
``h`` becomes a sanction ``F_k c_k * share``, where ``share`` depends on the adjudication rule,
one file each in this folder, registered by name and selected with ``adjudication=``:

- ``coalition``: ``s_h = sum_{i in L_h} e_i (1 - w(i, h)) / T_h`` (the core's shielding share);
- ``independent_body``: ``1``: every flag is sanctioned in full;
- ``members_vote``: every member ``i`` in ``L_h`` votes with weight ``e_i``; a non-ally votes yes,
  an ally votes no with probability ``w(i, h)``; with ``Y`` the yes weight over ``T_h``, the
  sanction passes iff ``Y >= sanction_quorum`` and is then paid in proportion to ``Y``;
- ``great_power_veto``: as ``members_vote``, and each of the ``n_veto_powers`` nations with the
  largest enforcement weight blocks every sanction against itself and its labs, and one against
  an ally ``h`` with probability ``w(v, h)``.

``L_h`` is who learns of the violation: every other member nation under a ``global``
inspectorate, the other members of ``h``'s bloc under ``per_bloc``; ``T_h = sum_{i != h} e_i``
over all other members either way, so a bloc can sanction with at most its share of the world's
enforcement weight. Domestic catches are sanctioned under domestic law, in full.

The expected share an actor weighs in its advantage is ``E[Y 1(Y >= Q)]`` for a vote (times the
probability that no veto power blocks it): exact by enumerating the allies' votes when a nation
has at most :data:`EXACT_ALLIES` voting allies, else a Monte Carlo estimate with a fixed seed
(deterministic, independent of the run's stream).

A rule is an :class:`AdjudicationRule`: its name, a one-sentence summary, the parameters it reads,
whether flags are put to a vote, and its behaviour as methods the engine's parts call (the
expected share in :mod:`model.structure`, the veto powers, the share a nation weighs when it
weighs membership in :mod:`model.treaty`, the parameters' joint check in :mod:`model.params`).
Adding a rule is one new file here that calls :func:`register_adjudication`: the registry picks
it up, and it appears in the parameter's choices, the CLI, scenario validation, the app and the
contract tests (``tests/model/test_adjudication.py``). The shared maths (votes, vetoes, shares,
and the inspectorate's sampling) is in ``_maths.py`` and importable from here.

Example:
    >>> rule = get_adjudication("members_vote")
    >>> rule.votes, rule.params
    (True, ('sanction_quorum',))
    >>> tuple(adjudication_rules())
    ('coalition', 'independent_body', 'members_vote', 'great_power_veto')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents.registry import Registry
from model.adjudication._maths import (
    EXACT_ALLIES,
    coalition_share,
    draw_vetoes,
    draw_votes,
    expected_vote_share,
    inclusion_probabilities,
    learners,
    no_veto_probability,
    systematic_sample,
    veto_powers,
)

__all__ = [
    "ADJUDICATION_RULES",
    "EXACT_ALLIES",
    "AdjudicationRule",
    "adjudication_rules",
    "coalition_share",
    "draw_vetoes",
    "draw_votes",
    "expected_share",
    "expected_vote_share",
    "get_adjudication",
    "inclusion_probabilities",
    "learners",
    "no_veto_probability",
    "register_adjudication",
    "systematic_sample",
    "veto_powers",
]

#: No veto powers (every rule without a veto).
NO_POWERS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class AdjudicationRule:
    """A registered adjudication rule: who decides on a flag, and what a flag then costs.

    A rule file subclasses this and overrides :meth:`sanction_share` (and the other methods
    where the rule differs from the defaults).

    Attributes:
        name: Registry name, the value of ``adjudication`` (``members_vote``).
        summary: The rule in one sentence.
        gloss: A few words for the parameter's help ("weighted vote with a quorum").
        params: The parameters the rule reads, besides ``adjudication``.
        votes: True when every flag is put to a vote the engine draws each month (the votes a
            player's nation casts); the structure then keeps the dense alliance matrix and who
            learns of a violation.
        dense: True when :meth:`sanction_share` reads the dense alliance matrix and who learns.
        order: Place among the parameter's choices (the default, ``coalition``, first).
        references: Literature and documents the rule follows.
    """

    name: str
    summary: str
    gloss: str
    params: tuple[str, ...] = ()
    votes: bool = False
    dense: bool = False
    order: int = 0
    references: tuple[str, ...] = ()

    def sanction_share(
        self,
        params: Mapping[str, Any],
        shield: np.ndarray,
        e: np.ndarray,
        w: np.ndarray | None,
        learn: np.ndarray | None,
        powers: np.ndarray,
    ) -> np.ndarray:
        """The expected share of a flag's sanction per nation.

        Args:
            params: The run's parameters (the rule reads those in :attr:`params`).
            shield: The coalition's shielding share ``s_h`` per nation.
            e: Member nations' enforcement weight (0 for an outsider).
            w: The dense alliance matrix (None unless :attr:`dense` or ``per_bloc``).
            learn: ``learn[h, i]``: nation ``i`` learns of a violation by ``h`` (None likewise).
            powers: The veto powers (:meth:`veto_powers`).
        """
        raise NotImplementedError(f"adjudication rule {self.name!r} has no sanction_share")

    def veto_powers(self, params: Mapping[str, Any], e: np.ndarray) -> np.ndarray:
        """The nations holding a veto, from the members' enforcement weight ``e`` (none here)."""
        return NO_POWERS

    def member_share(self, shield: float, others: float, current: float) -> float:
        """The share a member nation weighs when it weighs its membership (``model.treaty``).

        Args:
            shield: The shielding share the other members would give it.
            others: The other members' enforcement weight.
            current: Its expected share under the current membership (the structure's).
        """
        return current

    def check(self, values: Mapping[str, Any]) -> None:
        """Raise ParameterError when the parameters do not fit together under this rule."""


#: Every adjudication rule, one file each in this folder (imported on the first lookup).
ADJUDICATION_RULES: Registry[AdjudicationRule] = Registry(
    "adjudication rule",
    package=__name__,
    order=lambda name, rule: (rule.order, name),
    word="registered",
)


def register_adjudication(rule: AdjudicationRule) -> AdjudicationRule:
    """Add a rule to the registry (called once by each rule file)."""
    return ADJUDICATION_RULES.register(rule.name, rule)


def adjudication_rules() -> dict[str, AdjudicationRule]:
    """Every registered rule by name, in the order of the parameter's choices."""
    return ADJUDICATION_RULES.as_dict()


def get_adjudication(name: str) -> AdjudicationRule:
    """The rule registered as ``name``; KeyError names the registered ones."""
    return ADJUDICATION_RULES.get(name)


def expected_share(
    kind: str, e: np.ndarray, w: np.ndarray, learn: np.ndarray, quorum: float, powers: np.ndarray
) -> np.ndarray:
    """The expected sanction share per nation under adjudication rule ``kind``.

    Raises:
        ValueError: ``kind`` is not a registered rule.
    """
    if kind not in ADJUDICATION_RULES:
        raise ValueError(f"unknown adjudication {kind!r}")
    rule = ADJUDICATION_RULES.get(kind)
    shield = coalition_share(e, w, learn)
    return rule.sanction_share({"sanction_quorum": quorum}, shield, e, w, learn, powers)
