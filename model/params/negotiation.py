"""The core's parameters of the treaty's negotiation (#29, DESIGN.md section 7).

Declared once here; :func:`model.params.schema` gathers them with the others and fills
``protocol``'s choices from the protocol registry (:mod:`model.negotiation`). A run reads them
when ``protocol`` is a bargaining protocol (:mod:`model.negotiation.session`; the agreed
transfers and ``transfers_conditional`` are paid and read in the months by
:mod:`model.transfers`). Each is
recorded in a run's event log only when it differs from its default (``ledger_since``
:data:`NEGOTIATION_LEDGER_FORMAT`), so every earlier run's log and head hash stay as they were.
"""

from __future__ import annotations

from agents.declare import Param

#: The event-log format that added the negotiation's parameters (model/ODD.md section 3.6).
NEGOTIATION_LEDGER_FORMAT = 1
#: The ``protocol`` that keeps today's rule: the terms are set by ``terms_rule``.
TERMS_RULE = "terms_rule"
#: What ``transfers_conditional``'s help says of the months (the bond, model/transfers.py).
_BOND = (
    " Read in the months: a receiver's expected forfeit is part of what a sanction costs it, "
    "so only 'true' changes the incentive to comply."
)
#: What the batched-simulation valuation's parameters say: when a run uses it.
SIMULATED = (
    " Read by the batched-simulation valuation (model/negotiation/simulated.py), which a run's "
    "negotiation uses where the theory does not value the terms or the world."
)

NEGOTIATION: tuple[Param, ...] = (
    Param(
        "protocol",
        "choice",
        TERMS_RULE,
        "How the treaty's terms are agreed: 'terms_rule' (by terms_rule, the rounds of "
        "membership) or a bargaining protocol, played before month 1 over the scenario's "
        "[negotiation] terms (default: p_detect and penalty).",
        choices=(TERMS_RULE,),  # the registered protocols are added by model.params.schema
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "max_term_points",
        "int",
        256,
        "The most points of the negotiable box valued for the negotiation (a grid, or a "
        "Sobol sample above 2 terms); those another point beats for every nation are dropped.",
        unit="points",
        low=1,
        range=(1, 1024),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "round_months",
        "int",
        1,
        "Months one bargaining round takes (the status quo runs meanwhile: nobody is bound).",
        unit="months",
        low=1,
        range=(1, 12),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "max_bargaining_rounds",
        "int",
        20,
        "The most bargaining rounds before the status quo stays (no treaty).",
        unit="rounds",
        low=1,
        range=(1, 100),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "transfers_conditional",
        "choice",
        "false",
        "'true': a member nation whose programme pays a sanction this month forfeits this "
        "month's receipt (a bond; the forfeit is lost, the payers still pay); 'false': "
        "transfers are paid regardless." + _BOND,
        choices=("false", "true"),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "max_transfer_share",
        "float",
        0.5,
        "The largest share of its gain a member pays in transfers (0.5, our choice: the issue "
        "gives none); 0: no transfers. Agreed transfers are paid to the members' programmes in "
        "every month the treaty is in force.",
        unit="share of gain",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "quota",
        "int",
        0,
        "Yes votes a proposal needs under baron_ferejohn, the proposer's included, at most "
        "n_nations; 0: a simple majority.",
        unit="votes",
        low=0,
        range=(0, 12),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "n_worlds",
        "int",
        8,
        "Common worlds of the batched-simulation valuation: each term point is valued as the "
        "mean over the same simulated worlds and random streams." + SIMULATED,
        unit="worlds",
        low=1,
        range=(1, 256),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
    Param(
        "horizon",
        "int",
        24,
        "The months a proposal is valued over (its payoffs averaged with the monthly "
        "discount)." + SIMULATED,
        unit="months",
        low=1,
        range=(1, 240),
        group="negotiation",
        ledger_since=NEGOTIATION_LEDGER_FORMAT,
    ),
)
