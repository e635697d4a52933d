"""The core's parameters of pledges before each month (#30, model/ODD.md section 3.10).

Declared once here; :func:`model.params.schema` gathers them with the others. A run reads them
in the months (:mod:`model.pledges`). Each is recorded in a run's event log only when it
differs from its default (``ledger_since`` :data:`PLEDGES_LEDGER_FORMAT`), so every earlier
run's log and head hash stay as they were.
"""

from __future__ import annotations

from agents.declare import Param

#: The event-log format that added the pledges' parameters (model/ODD.md section 3.6).
PLEDGES_LEDGER_FORMAT = 2

PLEDGES: tuple[Param, ...] = (
    Param(
        "pledges",
        "choice",
        "off",
        "'on': before each month every nation pledges comply or defect for its own programme "
        "(labs do not pledge); 'off': no pledges.",
        choices=("off", "on"),
        group="pledges",
        ledger_since=PLEDGES_LEDGER_FORMAT,
    ),
    Param(
        "pledge_honesty",
        "choice",
        "truthful",
        "What a nation pledges: 'truthful' (the action its rule takes this month) or "
        "'strategic' (always comply).",
        choices=("truthful", "strategic"),
        group="pledges",
        ledger_since=PLEDGES_LEDGER_FORMAT,
    ),
    Param(
        "pledge_binding",
        "choice",
        "cheap_talk",
        "A pledge's force: 'cheap_talk' (recorded, no consequence); 'reviewed' (a detected "
        "breach, pledged comply and defected, multiplies the others' trust in the breaker by "
        "1 - betrayal_penalty and lowers its alliance ties as a sanction's betrayal does; "
        "everyone decides on beliefs that start from the nations' last pledges, weighted by "
        "trust); or 'binding' (a detected breach is sanctioned with breach_penalty on top; a "
        "strategic nation weighs it when deciding).",
        choices=("cheap_talk", "reviewed", "binding"),
        group="pledges",
        ledger_since=PLEDGES_LEDGER_FORMAT,
    ),
    Param(
        "breach_penalty",
        "float",
        4.0,
        "Sanction per unit of capability for a detected breach under pledge_binding = "
        "'binding', added to the offence's own and shared out like it (4.0: the base "
        "penalty's default, so a binding breach at the defaults doubles the sanction).",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 20.0),
        group="pledges",
        ledger_since=PLEDGES_LEDGER_FORMAT,
    ),
)
