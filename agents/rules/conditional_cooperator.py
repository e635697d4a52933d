"""Conditional cooperator: comply while the other members pledge to and none was caught breaching.

A nation ``i`` (``i < n_nations``) complies iff, reading what it could know before deciding
month ``t``:

- the capability-weighted pledged compliance of the other members,
  ``S_i = sum_{j in M, j != i} c_j [P_j,t-1 = comply] / sum_{j in M, j != i} c_j`` (``M`` the
  treaty's member nations as of month ``t``, ``c_j`` the nation actor's capability, ``P`` last
  month's pledges), is at least ``cc_threshold`` (to within ``1e-9``), and
- no member nation other than ``i`` had a detected breach (pledged comply, defected, caught;
  :mod:`model.pledges`) in months ``t - cc_memory .. t - 1``;

otherwise it does what ``cc_fallback`` (another registered rule) decides. **Choices.** It reads
last month's pledges and breaches, not this month's (these are made from the actions decided
now, so reading them would be circular); with truthful pledges its own pledge is what it
decides. In month 1 (no pledges yet) and when no other nation is a member (``S_i`` undefined)
it follows the fallback. A breach by *any* other member counts, whatever its size. Labs do not
pledge and follow the fallback always. The fallback decides every month for every actor (so
its state and its draws are as if it ran alone) and the test above overrides it with comply.
The rule needs ``pledges = on`` (validation refuses it otherwise).

References:
    Fischbacher, U., Gachter, S. and Fehr, E. (2001). Are people conditionally cooperative?
    Evidence from a public goods experiment. *Economics Letters* 71(3), 397-404.
    Barrett, S. and Dannenberg, A. (2016). An experimental investigation into 'pledge and
    review' in climate negotiations. *Climatic Change* 138, 339-351.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.declare import Param
from agents.rules import EXTRA_KEYS, Observation, get_rule, register_rule

#: The event-log format that added the pledges (``model.params.pledges.PLEDGES_LEDGER_FORMAT``).
_LEDGER_FORMAT = 2
#: A pledged share this close below ``cc_threshold`` meets it (rounding of the weighted sums).
SHARE_TOLERANCE = 1e-9

CC_THRESHOLD = Param(
    name="cc_threshold",
    kind="float",
    default=0.9,
    low=0.0,
    high=1.0,
    range=(0.0, 1.0),
    unit="share of capability",
    help="Conditional cooperator: the capability-weighted share of the other members that "
    "must have pledged comply (last month) for a nation to comply.",
    group="decisions",
    ledger_since=_LEDGER_FORMAT,
)

CC_MEMORY = Param(
    name="cc_memory",
    kind="int",
    default=3,
    low=1,
    range=(1, 24),
    unit="months",
    help="Conditional cooperator: months a detected breach by another member keeps a nation "
    "from complying unconditionally.",
    group="decisions",
    ledger_since=_LEDGER_FORMAT,
)

CC_FALLBACK = Param(
    name="cc_fallback",
    kind="choice",
    default="logit",
    help="Conditional cooperator: the registered rule a nation follows when its condition "
    "fails (and labs always).",
    group="decisions",
    tags=("rule_name",),
    ledger_since=_LEDGER_FORMAT,
)


def condition(
    pledged_defect: np.ndarray,
    member: np.ndarray,
    capability: np.ndarray,
    recent_breach: np.ndarray,
    threshold: float,
) -> np.ndarray:
    """Per nation: the other members pledged comply enough and none breached recently.

    Example:
        >>> condition(np.array([False, False, True]), np.array([True, True, True]),
        ...           np.array([1.0, 1.0, 1.0]), np.zeros(3, dtype=bool), 0.5).tolist()
        [True, True, True]
        >>> condition(np.array([False, False, True]), np.array([True, True, True]),
        ...           np.array([1.0, 1.0, 1.0]), np.zeros(3, dtype=bool), 0.9).tolist()
        [False, False, True]
    """
    w = np.where(member, capability, 0.0)
    pledged = np.where(pledged_defect, 0.0, w)
    others = w.sum() - w
    share = (pledged.sum() - pledged) / np.where(others > 0, others, 1.0)
    breaching = recent_breach & member
    others_breached = breaching.sum() - breaching > 0
    return (others > 0) & (share >= threshold - SHARE_TOLERANCE) & ~others_breached


@register_rule(
    "conditional_cooperator",
    params=(CC_THRESHOLD, CC_MEMORY, CC_FALLBACK),
    deterministic=False,
    summary="A nation complies iff the other members' capability-weighted pledged compliance "
    "last month is at least cc_threshold and none was caught breaching in the last cc_memory "
    "months; otherwise (and labs always) it follows cc_fallback.",
    references=(
        "Fischbacher, Gachter and Fehr (2001), Economics Letters 71(3), 397-404.",
        "Barrett and Dannenberg (2016), Climatic Change 138, 339-351.",
    ),
    needs=EXTRA_KEYS,
    requires=(("pledges", "on"),),
)
def conditional_cooperator(
    obs: Observation, params: Mapping[str, Any], rng: np.random.Generator
) -> np.ndarray:
    """The fallback's actions, with comply where a nation's condition holds."""
    extra = obs.extra
    fallback = get_rule(str(params["cc_fallback"]))
    out = np.array(fallback.decide(obs, params, rng), dtype=bool)
    n = int(extra["n_nations"])
    t = int(extra["t"])
    state = extra["state"]
    since = state.get("cc_breach_month")
    if since is None or len(since) != n:
        since = np.full(n, -np.inf)
    breached = extra["breached_last"]
    if breached is not None:
        since = np.where(breached, float(t - 1), since)
    state["cc_breach_month"] = since
    pledged = extra["pledged_last"]
    if pledged is None:
        return out
    recent = since >= t - int(params["cc_memory"])
    ok = condition(
        np.asarray(pledged, dtype=bool),
        np.asarray(extra["member"], dtype=bool),
        np.asarray(extra["capability"][:n], dtype=float),
        recent,
        float(params["cc_threshold"]),
    )
    out[:n] &= ~ok
    return out
