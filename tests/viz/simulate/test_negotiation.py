"""The Simulate page shows the treaty's negotiation above the months' charts (#29): the
protocol, the terms on the table, each round, the agreement, who signed and the transfers;
nothing when the run did not negotiate."""

from __future__ import annotations

import dataclasses
import re

import ipyvuetify as v
import numpy as np
import pytest
import solara
import solara.widgets

from model import PauseModel
from viz.negotiation import NegotiationView, RoundRow, negotiation_view, terms_text
from viz.simulate import SimulatePage, panel_html

#: Six nations that agree at once under rotating unanimity (a high shared risk).
AGREEING = dict(protocol="rotating_unanimity", risk_cost=3, n_nations=6, n_labs=6)


def _panels(rc):
    return [
        str(w.unsafe_innerHTML)
        for w in rc.find(solara.widgets.HTML).widgets
        if "pg-negotiation" in str(w.attributes.get("class", "")).split()
    ]


def _open_group(rc, title):
    for button in rc.find(v.Btn, class_="pg-group-toggle").widgets:
        if title in str(button.children) and "▸" in str(button.children):
            button.click()


def _set(rc, **values):
    for title in ("Negotiation", "Payoffs", "Population"):
        _open_group(rc, title)
    for name, value in values.items():
        if name == "protocol":
            rc.find(v.Select, label="protocol").widget.v_model = value
        else:
            label = "risk_cost (r)" if name == "risk_cost" else name
            rc.find(v.Slider, label=label).widget.v_model = value


@pytest.fixture
def page():
    box, rc = solara.render(SimulatePage(), handle_error=False)
    yield rc
    rc.close()


def test_no_panel_without_a_negotiation(page):
    assert _texts_month(page) == ["Month: 0 of 120"]
    assert _panels(page) == []


def _texts_month(rc):
    return [w.children[0] for w in rc.find(v.Html, class_="pg-month").widgets if w.children]


def test_reset_with_a_protocol_shows_the_negotiation_above_the_charts_until_the_next_reset(page):
    _set(page, **AGREEING)
    assert _panels(page) == []  # the controls changed; the model has not yet
    page.find(v.Btn, children=["Reset"]).widget.click()
    (shown,) = _panels(page)
    assert "<h4>Negotiation: rotating_unanimity</h4>" in shown
    assert "p_detect from 0 to 1, penalty from 0 to 20" in shown
    rows = re.findall(r"<tr><td class=\"pg-num pg-neg-round\">(\d+)</td>.*?</tr>", shown)
    assert rows == ["1"]
    assert "6 yes, 0 no" in shown and 'class="pg-outcome-adopted">adopted<' in shown
    assert "<b>Agreement:</b> Adopted in month 1: p_detect" in shown
    assert "In force from month 2." in shown
    assert "6 of 6 nations, 100% of capability" in shown
    assert "<b>Transfers agreed:</b>" in shown and "receive (per month" in shown
    page.find(v.Btn, children=["Step"]).widget.click()
    assert _panels(page) == [shown]  # a month changes nothing in it
    _set(page, protocol="terms_rule")
    page.find(v.Btn, children=["Reset"]).widget.click()
    assert _panels(page) == []


def test_the_panel_comes_before_the_charts():
    # the results column, in page order: the banner, the negotiation, the charts
    box, rc = solara.render(SimulatePage(), handle_error=False)
    try:
        _set(rc, **AGREEING)
        rc.find(v.Btn, children=["Reset"]).widget.click()
        results = rc.find(v.Html, class_="pg-results").widget
        order = []

        def walk(w):
            if isinstance(w, solara.widgets.HTML) and "pg-negotiation" in str(
                w.attributes.get("class", "")
            ):
                order.append("negotiation")
            if isinstance(w, solara.widgets.VegaLite):
                order.append("chart")
            for child in getattr(w, "children", None) or []:
                if not isinstance(child, str):
                    walk(child)

        walk(results)
        assert order[0] == "negotiation" and "chart" in order[1:]
    finally:
        rc.close()


def _model(**changes):
    return PauseModel(rng=1, **{**AGREEING, **changes})


def test_the_view_of_an_agreement():
    model = _model()
    view = negotiation_view(model)
    agreement = model.engine.agreement
    assert view.protocol == "rotating_unanimity"
    assert view.rounds == (
        RoundRow(1, 1, "Nation 1", terms_text(agreement.terms), "6 yes, 0 no", "adopted"),
    )
    assert view.agreement == f"Adopted in month 1: {terms_text(agreement.terms)}."
    assert view.signed_label == "Parties"
    assert view.signed_note.startswith("membership is fixed")
    assert view.transfers is not None and view.transfers.count("Nation") == 6


def test_the_view_names_the_signatories_under_negotiated_membership_and_the_entry_threshold():
    model = _model(membership="negotiated", max_transfer_share=0.0, entry_threshold=0.6)
    agreement = model.engine.agreement
    model.engine.agreement = dataclasses.replace(
        agreement, signatories=np.array([True, False, True, True, False, True])
    )
    view = negotiation_view(model)
    assert view.signed_label == "Signed"
    assert view.signed.startswith("4 of 6 nations")
    assert view.signed.endswith(": Nation 1, Nation 3, Nation 4, Nation 6.")
    assert (
        view.in_force
        == "In force from month 2 if its members hold at least 60% of world capability."
    )
    assert view.transfers is None  # max_transfer_share = 0: no transfers


def test_the_view_without_an_agreement_says_no_treaty_binds():
    model = _model()
    agreement = model.engine.agreement
    first = agreement.rounds[0]
    rejected = dataclasses.replace(
        first, votes=np.array([True, True, False, True, True, True]), passed=False
    )
    passed = dataclasses.replace(
        first, number=2, month=2, proposer=1, terms=None, votes=np.zeros(6, bool), passed=False
    )
    model.engine.agreement = dataclasses.replace(agreement, rounds=(rejected, passed), terms=None)
    view = negotiation_view(model)
    assert [(r.proposer, r.votes, r.outcome) for r in view.rounds] == [
        ("Nation 1", "5 yes, 1 no", "rejected"),
        ("Nation 2", "", "passed"),
    ]
    assert "; transfers: " in view.rounds[0].proposal  # a rejected proposal's own transfers
    assert view.agreement == "No agreement in 2 rounds: no treaty binds anyone."
    assert (view.in_force, view.signed, view.transfers) == (None, None, None)
    shown = panel_html(view)
    assert "No agreement in 2 rounds" in shown and "Parties" not in shown
    assert 'class="pg-outcome-passed">passed<' in shown


def test_alternating_offers_names_the_proposing_bloc_and_its_nations():
    model = _model(protocol="alternating_offers", n_blocs=2)
    (row,) = negotiation_view(model).rounds
    bloc = np.asarray(model.engine.world.bloc)
    proposer = model.engine.agreement.rounds[0].proposer
    members = [f"Nation {i + 1}" for i in np.flatnonzero(bloc == np.unique(bloc)[proposer])]
    assert row.proposer == f"bloc {proposer} ({', '.join(members)})"


def test_nash_has_no_proposer_and_no_run_without_a_protocol_has_a_view():
    (row,) = negotiation_view(_model(protocol="nash")).rounds
    assert row.proposer == "the Nash bargaining solution"
    assert negotiation_view(_model(protocol="terms_rule")) is None


def test_the_panel_escapes_its_words():
    view = NegotiationView(
        protocol="nash",
        table="<script>",
        rounds=(RoundRow(1, 1, "A & B", "p_detect 1", "2 yes, 0 no", "adopted"),),
        agreement="Adopted in month 1: p_detect 1.",
        in_force="In force from month 2.",
        signed_label="Signed",
        signed_note="x < y",
        signed="2 of 2 nations, 100% of capability: <A>, B.",
        transfers=None,
    )
    shown = panel_html(view)
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "A &amp; B" in shown and "&lt;A&gt;, B." in shown and "x &lt; y" in shown
    assert "Transfers" not in shown


def test_after_a_negotiation_the_controls_are_not_marked_changed_and_the_config_is_as_given(
    monkeypatch,
):
    # the run adopts other terms than the controls give (p_detect, penalty): Reset applied the
    # controls, so nothing is "changed, press Reset"; the config file renegotiates from them
    import tomllib

    import viz.simulate.page
    from viz.session import GameSession
    from viz.simulate import differs_from_run, run_config

    opened = []
    monkeypatch.setattr(
        viz.simulate.page.GAMES,
        "open",
        lambda query: opened.append(GameSession(query)) or opened[-1],
    )
    box, rc = solara.render(SimulatePage(), handle_error=False)
    try:
        _set(rc, **AGREEING)
        rc.find(v.Btn, children=["Reset"]).widget.click()
        (session,) = opened
        engine = session.world.engine
        assert engine.agreement is not None
        assert engine.params["p_detect"] != engine.given_params["p_detect"]
        assert differs_from_run(session) == []
        assert not rc.find(v.Html, class_="pg-changed").widgets
        params = tomllib.loads(run_config(session))["params"]
        assert params["p_detect"] == engine.given_params["p_detect"]
        assert params["penalty"] == engine.given_params["penalty"]
        assert params["protocol"] == "rotating_unanimity"
    finally:
        rc.close()


def test_the_banner_says_nobody_is_bound_until_the_negotiated_treaty_binds():
    from viz.session import GameSession
    from viz.simulate import Banner

    session = GameSession("protocol=rotating_unanimity&risk_cost=3&n_nations=6&n_labs=6&seed=5")
    assert session.world.engine.agreement.month == 1
    kind, text = session.banner()
    assert kind == "negotiating"
    assert text.startswith("Month 0 of 120: the treaty is negotiated in the first 1 month and ")
    assert "binds from month 2" in text and text.endswith("Press Step or Play.")
    session.step(1)
    kind, text = session.banner()
    assert kind == "negotiating" and "nobody is bound" in text and "Press" not in text
    box, rc = solara.render(Banner(session, 1), handle_error=False)
    try:
        assert rc.find(v.Alert, class_="pg-banner pg-negotiating").widgets
        assert not rc.find(v.Alert, class_="pg-reconcile").widgets  # nothing to reconcile yet
    finally:
        rc.close()
    session.step(1)
    assert session.banner()[0] in ("holding", "collapsed")
    # without an agreement no treaty ever binds
    engine = session.world.engine
    engine.agreement = dataclasses.replace(
        engine.agreement,
        rounds=(dataclasses.replace(engine.agreement.rounds[0], passed=False),),
        terms=None,
    )
    kind, text = session.banner()
    assert kind == "negotiating"
    assert "reached no agreement in 1 round, so no treaty binds anyone" in text


def test_a_run_without_a_protocol_keeps_its_banner():
    from viz.session import GameSession

    session = GameSession("n_nations=6&n_labs=6&seed=5")
    assert session.banner()[0] == "holding"
    assert session.banner()[1].startswith("Month 0 of 120: the pause starts")
