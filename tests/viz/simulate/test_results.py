"""The Simulate page's results: a sentence reconciles the banner with theory's answer (#27)."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara

from viz.session import GameSession
from viz.simulate import Banner, reconcile, reconciling_sentence, theory_sentences

pytestmark = pytest.mark.hardening

NOW = {"month": 30, "steps": 120, "compliance": 0.20, "threshold": 0.9, "patience": 3}


@pytest.mark.parametrize(
    ("answer", "collapse_month", "month"),
    [
        ("holds", None, 30),  # both: the pause holds
        ("does not hold", 4, 30),  # both: it breaks
        ("is at risk", 4, 30),  # at risk, and it fell
        ("does not hold", None, 0),  # month 0: the run has no path yet
    ],
)
def test_no_sentence_where_the_banner_and_theory_agree(answer, collapse_month, month):
    now = {**NOW, "month": month}
    assert reconciling_sentence(answer, collapse_month=collapse_month, now=now, settles=0.5) is None


def test_a_collapse_beside_a_holding_theory_is_explained():
    text = reconciling_sentence("holds", collapse_month=1, now=NOW, settles=0.9999)
    assert text is not None
    assert text.startswith("Why the banner and theory differ: this run dipped below 0.9 early")
    assert "from month 1, 3 months in a row" in text
    assert "where the mean field settles (compliance 1.00" in text
    assert "this run is at 0.20 now" in text  # still below: said as it is
    back = reconciling_sentence(
        "holds", collapse_month=1, now={**NOW, "compliance": 0.95}, settles=0.9999
    )
    assert back is not None and back.endswith("this run has since come back to 0.95.")
    late = reconciling_sentence("holds", collapse_month=80, now={**NOW, "month": 90}, settles=1)
    assert late is not None and "dipped below 0.9 (from month 80" in late  # not "early"


def test_a_holding_run_beside_a_breaking_theory_is_explained():
    text = reconciling_sentence(
        "does not hold", collapse_month=None, now={**NOW, "compliance": 0.97}, settles=0.025
    )
    assert text is not None
    assert "this run has not collapsed so far (compliance 0.97 at month 30)" in text
    assert "where the mean field settles (compliance 0.03" in text
    end = reconciling_sentence(
        "does not hold", collapse_month=None, now={**NOW, "month": 120}, settles=0.025
    )
    assert end is not None and "not collapsed to its last month" in end


def _banner(query, months):
    session = GameSession(query)
    session.step(months)
    box, rc = solara.render(Banner(session, 1), handle_error=False)
    try:
        notes = [str(w.children[0]) for w in rc.find(v.Alert, class_="pg-reconcile").widgets]
    finally:
        rc.close()
    return session, notes


def test_the_banner_shows_the_sentence_only_where_they_disagree():
    # the run holds where theory (over this world's own shielding) says the pause does not;
    # with theory at the mean shielding share the reported case was the reverse (seed 2:
    # collapsed at month 1 beside "holds"), which theory over each actor's share now agrees with
    session, notes = _banner("p_detect=0.5&seed=2", 5)
    assert session.banner()[1].startswith("The pause collapsed at step 1 (month 1)")
    assert theory_sentences(session)[0] == (
        "Theory's answer for this world: the pause does not hold."
    )
    assert notes == []
    session, notes = _banner("p_detect=0.5&seed=1", 5)
    assert session.banner()[0] == "holding"
    assert theory_sentences(session)[0] == (
        "Theory's answer for this world: the pause does not hold."
    )
    assert notes == [reconcile(session)]
    assert "this run has not collapsed so far" in notes[0]
    # holding, and theory says it holds: nothing to reconcile
    session, notes = _banner("p_detect=0.5&seed=3", 5)
    assert session.banner()[0] == "holding"
    assert theory_sentences(session)[0] == "Theory's answer for this world: the pause holds."
    assert notes == []
