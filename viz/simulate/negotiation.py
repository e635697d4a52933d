"""The Simulate page's negotiation panel: the treaty bargained before the months (#29).

Shown above the months' charts when the run negotiated (``protocol`` other than
``terms_rule``): the protocol, the terms on the table, each round (proposer, proposal, votes,
outcome), the adopted terms or that no treaty binds, who signed and the transfers. The
negotiation happens when the model is built, so the panel changes only on Reset
(:func:`viz.negotiation.negotiation_view` builds its words).
"""

from __future__ import annotations

import html

import solara

from viz.negotiation import NegotiationView, negotiation_view
from viz.session import GameSession

#: The panel's look: a compact bordered box; the rounds' table scrolls inside it (at most
#: ``max_bargaining_rounds`` rows) and wraps its cells on a phone instead of widening the page.
NEGOTIATION_CSS = """
.pg-negotiation { border: 1px solid #c9d3e0; border-radius: 6px; padding: 6px 10px;
                  margin: 6px 0 10px 0; font-size: 0.85rem; color: #222; max-width: 100%;
                  box-sizing: border-box; overflow-wrap: break-word; }
.pg-negotiation h4 { margin: 0 0 4px 0; font-size: 1rem; }
.pg-negotiation p { margin: 2px 0; }
.pg-negotiation .pg-note { color: #555; }
.pg-negotiation-rounds-box { max-height: 240px; overflow: auto; margin: 4px 0;
                             max-width: 100%; }
.pg-negotiation-rounds { border-collapse: collapse; width: 100%; }
.pg-negotiation-rounds th, .pg-negotiation-rounds td { border-bottom: 1px solid #e3e3e3;
  padding: 2px 6px; text-align: left; vertical-align: top; }
.pg-negotiation-rounds th { background: #f3f6fa; position: sticky; top: 0; }
.pg-negotiation-rounds td.pg-num, .pg-negotiation-rounds td.pg-neg-votes,
.pg-negotiation-rounds td[class^="pg-outcome-"] { white-space: nowrap; }
.pg-outcome-adopted { color: #1b5e20; font-weight: bold; }
.pg-outcome-rejected { color: #b00020; }
.pg-outcome-passed { color: #666; }
@media (max-width: 720px) {
  /* a phone: each round is one wrapped line, "Round 1, month 1: Nation 1: terms; votes; outcome" */
  .pg-negotiation-rounds thead { display: none; }
  .pg-negotiation-rounds tr { display: block; border-bottom: 1px solid #e3e3e3;
                              padding: 3px 0; }
  .pg-negotiation-rounds td { display: inline; border: none; padding: 0; }
  .pg-negotiation-rounds td.pg-neg-round::before { content: "Round "; }
  .pg-negotiation-rounds td.pg-neg-round::after { content: ", "; }
  .pg-negotiation-rounds td.pg-neg-month::before { content: "month "; }
  .pg-negotiation-rounds td.pg-neg-month::after,
  .pg-negotiation-rounds td.pg-neg-proposer::after { content: ": "; }
  .pg-negotiation-rounds td.pg-neg-proposal::after,
  .pg-negotiation-rounds td.pg-neg-votes:not(:empty)::after { content: "; "; }
}
"""


def _line(label: str, text: str, cls: str) -> str:
    return f'<p class="{cls}"><b>{html.escape(label)}:</b> {html.escape(text)}</p>'


def panel_html(view: NegotiationView) -> str:
    """The panel's inner HTML (every text escaped)."""
    e = html.escape
    rows = "".join(
        f'<tr><td class="pg-num pg-neg-round">{r.number}</td>'
        f'<td class="pg-num pg-neg-month">{r.month}</td>'
        f'<td class="pg-neg-proposer">{e(r.proposer)}</td>'
        f'<td class="pg-neg-proposal">{e(r.proposal)}</td>'
        f'<td class="pg-neg-votes">{e(r.votes)}</td>'
        f'<td class="pg-outcome-{r.outcome}">{e(r.outcome)}</td></tr>'
        for r in view.rounds
    )
    parts = [
        f"<h4>Negotiation: {e(view.protocol)}</h4>",
        _line("Terms on the table", view.table, "pg-negotiation-table"),
        '<div class="pg-negotiation-rounds-box"><table class="pg-negotiation-rounds">'
        "<thead><tr><th>Round</th><th>Month</th><th>Proposer</th><th>Proposal</th>"
        f"<th>Votes</th><th>Outcome</th></tr></thead><tbody>{rows}</tbody></table></div>",
    ]
    if view.in_force is None:
        parts.append(_line("Agreement", view.agreement, "pg-negotiation-agreement"))
    else:
        parts.append(
            _line("Agreement", f"{view.agreement} {view.in_force}", "pg-negotiation-agreement")
        )
    if view.signed is not None:
        parts.append(
            f'<p class="pg-negotiation-signed"><b>{e(view.signed_label)}</b> '
            f'<span class="pg-note">({e(view.signed_note)})</span>: {e(view.signed)}</p>'
        )
    if view.transfers is not None:
        parts.append(_line("Transfers agreed", view.transfers, "pg-negotiation-transfers"))
    return "".join(parts)


@solara.component
def NegotiationPanel(session: GameSession, model_id: int) -> None:
    """The run's negotiation, or nothing when it did not negotiate.

    ``model_id`` changes on every Reset: the panel re-renders only then (not every month).
    """
    content = solara.use_memo(lambda: _content(session), [model_id])
    if content is None:
        return
    solara.Style(NEGOTIATION_CSS)
    solara.HTML(tag="div", unsafe_innerHTML=content, classes=["pg-negotiation"])


def _content(session: GameSession) -> str | None:
    if session.model is None:
        return None
    try:
        view = negotiation_view(session.model, session.model_scenario)
    except Exception as exc:  # noqa: BLE001 - the panel is a view; never break the page
        return html.escape(f"The negotiation could not be shown: {type(exc).__name__}: {exc}")
    return None if view is None else panel_html(view)
