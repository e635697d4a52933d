"""The Play page where the treaty has votes and negotiation rounds: the page offers both and
sends the player's choices to the game (the game itself: tests/experiments/play/).
"""

from __future__ import annotations

import ipyvuetify as v
import solara

from experiments.play import VOTE_POLICIES
from viz.play import PlayPage


def _render(component):
    box, rc = solara.render(component, handle_error=False)
    return rc


def _with_class(rc, widget, name):
    return [w for w in rc.find(widget).widgets if name in (w.class_ or "").split()]


def _pick_scenario(rc, name):
    select = [w for w in rc.find(v.Select).widgets if w.label == "Scenario"]
    assert select, "no scenario picker"
    select[0].v_model = name


def _toggle(rc, classes, label):
    toggle = rc.find(v.BtnToggle, class_=classes).widget
    labels = [b.children[0] for b in toggle.children]
    toggle.v_model = labels.index(label)


def test_the_page_offers_votes_under_a_veto_and_sends_them():
    rc = _render(PlayPage())
    try:
        _pick_scenario(rc, "great_power_veto")
        assert rc.find(v.BtnToggle, class_="pg-vote-policy").widgets
        assert _with_class(rc, v.Card, "pg-play-votes")
        _toggle(rc, "pg-vote-policy", VOTE_POLICIES["shield_all"])
        shown = " ".join(str(w.children) for w in rc.find(v.Html).widgets)
        assert "Now: you vote no on every sanction" in shown
        rc.find(v.Btn, children=["Defect"]).widget.click()
        text = str(rc.find(v.Alert, class_="pg-play-last").widget.children)
        assert "Month 1: you defected" in text and "Sanction votes" not in text
        flags = [str(w.children[0]) for w in rc.find(v.Html, tag="li").widgets]
        assert all("vetoed" in f and ", you voted no" in f for f in flags), flags
        assert not _with_class(rc, v.Card, "pg-play-round")  # no rounds here
    finally:
        rc.close()


def test_the_page_asks_for_membership_at_a_round():
    rc = _render(PlayPage())
    try:
        _pick_scenario(rc, "critical_mass_club")
        assert _with_class(rc, v.Card, "pg-play-round")
        assert not _with_class(rc, v.Card, "pg-play-votes")  # coalition: no vote
        toggle = rc.find(v.BtnToggle, class_="pg-membership").widget
        assert toggle.children[toggle.v_model].children == ["Let the model decide"]
        _toggle(rc, "pg-membership", "Leave")
        rc.find(v.Btn, children=["Comply"]).widget.click()
        text = str(rc.find(v.Alert, class_="pg-play-last").widget.children)
        assert "Negotiation round: you are outside the treaty" in text
        assert not _with_class(rc, v.Card, "pg-play-round")  # month 2: no round
    finally:
        rc.close()


def test_play_names_bad_link_values_as_the_other_pages_do():
    # the game is headless (experiments/ imports nothing of viz/): the same words as Simulate
    from experiments.play import LINK_NOTICE, PlayGame
    from viz import session

    assert LINK_NOTICE == session.LINK_NOTICE
    game = PlayGame("periods=0&colour=red")
    assert game.notice.startswith(session.LINK_NOTICE)
    assert "unknown parameter 'colour' in the link" in game.notice  # as session's check_link
    assert "unknown parameter 'colour' in the link" in session.check_link("colour=red").notice


def test_play_page_renders_and_plays_to_the_debrief(monkeypatch):
    rc = _render(PlayPage())
    try:
        for _ in range(12):
            rc.find(v.Btn, children=["Comply"]).widget.click()
        assert rc.find(v.Html, class_="pg-debrief-numbers").widgets
        assert not rc.find(v.Btn, children=["Comply"]).widgets
    finally:
        rc.close()
