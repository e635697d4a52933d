"""The core's parameters of incentives: payoffs, verification, sanctions and decisions.

Declared once here (DESIGN.md section 2); :func:`model.params.schema` gathers them with the
setting's (:mod:`model.params.setting`) and every registered rule's.
"""

from __future__ import annotations

from agents.declare import Param

INCENTIVES: tuple[Param, ...] = (
    # --- payoffs -------------------------------------------------------------------------
    Param(
        "defect_gain",
        "float",
        1.0,
        "Gain per period from frontier development per unit of "
        "capability when defecting (the numeraire G = 1).",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 5.0),
        group="payoffs",
        symbol="G",
    ),
    Param(
        "race_pressure",
        "float",
        0.5,
        "How much the gain from defecting grows with the "
        "believed defection share of rivals: G * (1 + race_pressure * rho).",
        unit="",
        low=0.0,
        range=(0.0, 3.0),
        group="payoffs",
        symbol="lam",
    ),
    Param(
        "risk_cost",
        "float",
        1.0,
        "Shared risk: every actor pays risk_cost * c * R each "
        "period, R being the capability share that defects.",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 5.0),
        group="payoffs",
        symbol="r",
    ),
    Param(
        "risk_internalization",
        "float",
        0.0,
        "Share of the world's risk from its own "
        "defection that an actor weighs when deciding (0 ignores it, 1 like a planner).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="payoffs",
        symbol="phi",
    ),
    # --- verification --------------------------------------------------------------------
    Param(
        "p_detect",
        "float",
        0.3,
        "Probability per period that international verification catches a defector.",
        unit="per period",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="verification",
        symbol="p",
    ),
    Param(
        "p_domestic",
        "float",
        0.2,
        "Probability per period that a complying nation catches "
        "its own defecting lab under domestic law.",
        unit="per period",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="verification",
        symbol="p_dom",
    ),
    Param(
        "p_false_alarm",
        "float",
        0.02,
        "Probability per period that international verification wrongly flags a complier.",
        unit="per period",
        low=0.0,
        high=1.0,
        range=(0.0, 0.2),
        group="verification",
        symbol="q",
    ),
    Param(
        "verification_lag",
        "int",
        0,
        "Periods between a violation and its sanction.",
        unit="periods",
        low=0,
        range=(0, 24),
        group="verification",
        symbol="L",
    ),
    Param(
        "verification",
        "choice",
        "custom",
        "Verification regime: a named, illustrative preset "
        "of p_detect, p_false_alarm, verification_lag and coverage (values you set win).",
        group="verification",
    ),
    Param(
        "coverage",
        "float",
        1.0,
        "Share of violations observable at all; effective "
        "international detection is coverage * p_detect.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="verification",
    ),
    Param(
        "inspectorate",
        "choice",
        "global",
        "Who inspects whom: one international "
        "inspectorate ('global') or each alliance bloc its own members ('per_bloc'; only the "
        "bloc learns of a violation and can sanction it).",
        choices=("global", "per_bloc"),
        group="verification",
    ),
    Param(
        "inspection_quota",
        "int",
        0,
        "Actors that can be inspected each period (0: no limit, everyone is inspected).",
        unit="actors per period",
        low=0,
        range=(0, 60),
        group="verification",
    ),
    Param(
        "quota_allocation",
        "choice",
        "random",
        "How a quota is allocated: 'random', "
        "'capability' (in proportion to capability) or 'risk' (to last period's largest "
        "advantages to defect, flagged actors first).",
        choices=("random", "capability", "risk"),
        group="verification",
    ),
    # --- sanctions -----------------------------------------------------------------------
    Param(
        "penalty",
        "float",
        4.0,
        "Sanction per unit of capability when caught (or falsely "
        "flagged), before shielding by allies.",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 20.0),
        group="sanctions",
        symbol="F",
    ),
    Param(
        "discount",
        "float",
        0.95,
        "Per-period discount factor applied to lagged sanctions when actors decide.",
        unit="per period",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.5, 1.0),
        group="sanctions",
        symbol="delta",
    ),
    Param(
        "adjudication",
        "choice",
        "coalition",
        "Who decides on a flag: 'coalition' (members "
        "sanction, allies shield), 'independent_body' (every flag sanctioned in full), "
        "'members_vote' (weighted vote with a quorum), 'great_power_veto' (a vote, and the "
        "most capable nations can veto).",
        choices=("coalition", "independent_body", "members_vote", "great_power_veto"),
        group="sanctions",
    ),
    Param(
        "sanction_quorum",
        "float",
        0.5,
        "Share of the voting weight that must vote yes for a "
        "sanction to pass (members_vote, great_power_veto).",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.05, 1.0),
        group="sanctions",
    ),
    Param(
        "n_veto_powers",
        "int",
        5,
        "Number of most capable nations holding a veto (great_power_veto).",
        unit="nations",
        low=0,
        range=(0, 10),
        group="sanctions",
    ),
    Param(
        "sanction_escalation",
        "float",
        0.0,
        "Graduated sanctions: the n-th sanctioned "
        "offence costs penalty * (1 + sanction_escalation * (n - 1)).",
        low=0.0,
        range=(0.0, 2.0),
        group="sanctions",
    ),
    Param(
        "max_escalation",
        "float",
        5.0,
        "Cap of graduated sanctions, as a multiple of penalty.",
        low=1.0,
        range=(1.0, 10.0),
        group="sanctions",
    ),
    # --- decisions -----------------------------------------------------------------------
    Param(
        "decision_rule",
        "choice",
        "logit",
        "How actors decide (a registered rule).",
        group="decisions",
    ),
    Param(
        "revision_rate",
        "float",
        1.0,
        "Share of actors that revise their action each period "
        "(exactly max(1, round(revision_rate * N)) of them; 'one' for exactly one).",
        unit="per period",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.01, 1.0),
        group="decisions",
        aliases=("one",),
    ),
    Param(
        "information",
        "choice",
        "perfect",
        "What actors know of others: 'perfect' (last "
        "period's actions), 'detected' (only international flags) or 'bayesian' (a posterior "
        "learned from the flags).",
        choices=("perfect", "detected", "bayesian"),
        group="decisions",
    ),
    Param(
        "belief_prior_mean",
        "float",
        0.1,
        "information=bayesian: prior mean of rivals' defection rate.",
        low=0.0,
        high=1.0,
        low_open=True,
        high_open=True,
        range=(0.01, 0.99),
        group="escalation",
    ),
    Param(
        "belief_prior_strength",
        "float",
        10.0,
        "information=bayesian: strength of the "
        "prior (Beta a + b, in pseudo-observations; 0 is uniform).",
        low=0.0,
        range=(0.0, 100.0),
        group="escalation",
    ),
    Param(
        "belief_forgetting",
        "float",
        0.1,
        "information=bayesian: share of the posterior "
        "forgotten (pulled back to the prior) each period, so beliefs track a changing "
        "world.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="escalation",
    ),
    Param(
        "rsi",
        "choice",
        "off",
        "Recursive self-improvement: defectors' capability "
        "compounds, faster for leaders when rsi_exponent > 1.",
        choices=("off", "on"),
        group="escalation",
    ),
    Param(
        "growth_rate",
        "float",
        0.1,
        "rsi=on: a defector's capability grows by growth_rate * "
        "(c / mean c) ** (rsi_exponent - 1) per period.",
        unit="per period",
        low=0.0,
        range=(0.0, 0.5),
        group="escalation",
    ),
    Param(
        "rsi_exponent",
        "float",
        1.5,
        "rsi=on: returns to relative capability (> 1: the "
        "leader runs away; 1: exponential growth).",
        low=0.0,
        low_open=True,
        range=(0.5, 3.0),
        group="escalation",
    ),
    Param(
        "safe_growth_rate",
        "float",
        0.0,
        "rsi=on: growth per period of compliers' capability (safety-compatible progress).",
        unit="per period",
        low=0.0,
        range=(0.0, 0.2),
        group="escalation",
    ),
    Param(
        "takeoff_share",
        "float",
        0.5,
        "Takeoff: the first step an actor holds more than this share of world capability.",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.1, 1.0),
        group="escalation",
    ),
    Param(
        "hazard_scale",
        "float",
        0.0,
        "Shared hazard: each period a catastrophe ends the run "
        "with probability 1 - exp(-hazard_scale * R ** hazard_exponent).",
        low=0.0,
        range=(0.0, 1.0),
        group="escalation",
    ),
    Param(
        "hazard_exponent",
        "float",
        1.0,
        "Shared hazard: how the catastrophe rate grows with the defecting capability share R.",
        low=0.0,
        low_open=True,
        range=(0.5, 3.0),
        group="escalation",
    ),
    Param(
        "initial_compliance",
        "float",
        1.0,
        "Share of actors complying at the start (an exact count, chosen at random).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="decisions",
    ),
)
