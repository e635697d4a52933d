"""The Play page with pledges (#30): the force is picked, the player pledges before each
month's action, and the page reports the pledge, its breach and the pledges so far."""

from __future__ import annotations

import ipyvuetify as v
import solara

from viz.play import PlayPage


def _cards(rc, name):
    return [w for w in rc.find(v.Card).widgets if name in (w.class_ or "").split()]


def _texts(rc, cls):
    return [str(w.children[0]) for w in rc.find(v.Html, class_=cls).widgets if w.children]


def test_the_player_pledges_before_acting_and_sees_the_breach():
    box, rc = solara.render(PlayPage(), handle_error=False)
    try:
        assert not _cards(rc, "pg-play-pledge")  # no pledges by default
        force = rc.find(v.Select, label="Pledges").widget
        assert force.items[0] == "off" and "binding" in force.items
        force.v_model = "binding"
        (card,) = _cards(rc, "pg-play-pledge")
        assert "Your pledge for month 1" in str(card.children)
        toggle = rc.find(v.BtnToggle, class_="pg-pledge").widget
        labels = [b.children[0] for b in toggle.children]
        assert labels == ["Pledge comply", "Pledge defect"]
        assert _texts(rc, "pg-play-breach-cost")  # comply is pledged: breaking it would cost
        toggle.v_model = labels.index("Pledge defect")
        assert not _texts(rc, "pg-play-breach-cost")
        rc.find(v.Btn, children=["Defect"]).widget.click()
        last = str(rc.find(v.Alert, class_="pg-play-last").widget.children)
        assert "You pledged to defect and kept your pledge." in last
        toggle = rc.find(v.BtnToggle, class_="pg-pledge").widget
        toggle.v_model = labels.index("Pledge comply")
        rc.find(v.Btn, children=["Defect"]).widget.click()
        last = str(rc.find(v.Alert, class_="pg-play-last").widget.children)
        assert "You pledged to comply and broke your pledge" in last
        (record,) = _texts(rc, "pg-play-pledges")
        assert record.startswith("Your pledges so far: 2 made, 1 broken (months: 2)")
    finally:
        rc.close()
