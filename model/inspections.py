"""Who is inspected, and what an actor's next offence will cost (step (3) and its update).

An engine part, not a regime (so it lives here, not among the regimes in
``model/verification/``): it holds the verification state every regime shares. Without an
``inspection_quota`` everyone is inspected every period; with a quota of ``k`` actors the
inspectorate plans each actor's probability of being inspected and draws who is:

- ``random``: ``k / N`` each, a random permutation's first ``k``;
- ``capability``: proportional to capability, capped at 1, by systematic sampling on one uniform
  (``model.adjudication.inclusion_probabilities`` and ``systematic_sample``);
- ``risk``: 1 for the ``k`` actors flagged before or with the largest advantages last period
  (flagged first), else 0 (actors know where they rank); no draw.

Graduated sanctions (``sanction_escalation``): the n-th sanctioned offence costs
``penalty * min(1 + escalation * (n - 1), max_escalation)``.
"""

from __future__ import annotations

import numpy as np

from model import adjudication
from model.params import Params


class Inspectorate:
    """The verification state of one run.

    Attributes:
        quota: Actors that can be inspected each period (0: everyone is).
        inspect_prob: Each actor's probability of being inspected this period.
        offences: Sanctioned offences of each actor so far.
        penalty_next: The penalty each actor's next sanctioned offence costs.
        flagged_ever: Actors flagged at least once.
    """

    def __init__(self, params: Params, capability: np.ndarray) -> None:
        self.params = params
        self.n = len(capability)
        self.quota = int(params["inspection_quota"])
        self.offences = np.zeros(self.n, dtype=np.int64)
        self.penalty_next = np.full(self.n, float(params["penalty"]))
        self.flagged_ever = np.zeros(self.n, dtype=bool)
        self._all = np.ones(self.n, dtype=bool)
        #: True when a quota limits who is inspected
        self.limited = 0 < self.quota < self.n
        self.inspect_prob = self.plan(None, capability)
        #: False when :meth:`update` can never change anything (no escalation, fixed plan)
        self.changes = float(params["sanction_escalation"]) > 0 or self.replans

    @property
    def replans(self) -> bool:
        """True when the plan depends on last period (``risk`` allocation of a quota)."""
        return bool(self.quota) and self.params["quota_allocation"] == "risk"

    def plan(self, delta: np.ndarray | None, capability: np.ndarray) -> np.ndarray:
        """Each actor's probability of being inspected this period (1 without a quota)."""
        n, k = self.n, self.quota
        if not self.limited:
            return np.ones(n)
        how = self.params["quota_allocation"]
        if how == "random":
            return np.full(n, k / n)
        if how == "capability":
            return adjudication.inclusion_probabilities(capability, k)
        score = np.zeros(n) if delta is None else delta
        order = np.lexsort((np.arange(n), -score, ~self.flagged_ever))
        out = np.zeros(n)
        out[order[:k]] = 1.0
        return out

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """Who is inspected this period (everyone without a quota).

        Draws a permutation (``random``) or one uniform (``capability``); nothing otherwise.
        """
        n, k = self.n, self.quota
        if not self.limited:
            return self._all
        how = self.params["quota_allocation"]
        if how == "random":
            out = np.zeros(n, dtype=bool)
            out[rng.permutation(n)[:k]] = True
            return out
        if how == "capability":
            return adjudication.systematic_sample(self.inspect_prob, float(rng.random()))
        return self.inspect_prob > 0.5

    def update(self, imposed: np.ndarray, delta: np.ndarray, capability: np.ndarray) -> bool:
        """Step (6): graduated penalties and the next period's plan.

        Returns True when expected sanctions changed (the costs must be recomputed).
        """
        p = self.params
        escalation = float(p["sanction_escalation"])
        if escalation > 0 and imposed.any():
            self.offences += imposed > 0
            self.penalty_next = float(p["penalty"]) * np.minimum(
                1.0 + escalation * self.offences, float(p["max_escalation"])
            )
            self.inspect_prob = self.plan(delta, capability)
            return True
        if self.replans:
            self.inspect_prob = self.plan(delta, capability)
            return True
        return False
