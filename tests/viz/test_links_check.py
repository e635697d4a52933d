"""The link checks other pages reuse (viz.session), and the top bar's link helpers (viz.main),
without a browser."""

from __future__ import annotations

from viz import classroom
from viz.session import (
    LAYOUT_KEYS,
    LINK_NOTICE,
    GameSession,
    check_link,
    check_link_value,
    layout_query,
    link_pairs,
)


def test_projector_is_the_top_bar_key_and_no_page_parameter():
    assert "projector" in LAYOUT_KEYS
    game = GameSession("projector=1&p_detect=0.4")
    assert game.notice is None
    assert game.query() == "p_detect=0.4"
    assert classroom.page_query("projector=1&seed=5") == "seed=5"
    assert link_pairs("?projector=1&seed=5") == {"seed": "5"}
    assert layout_query("seed=5&projector=1") == "projector=1"


def test_check_link_names_each_bad_value_and_keeps_the_good_ones():
    got = check_link(
        "seed=-5&p_detect=0.4&penalty=abc&zz=1&nation=999&projector=1",
        extra={"nation": lambda text: int(text)},
    )
    assert got.values == {"p_detect": 0.4, "nation": 999}
    assert len(got.problems) == 3
    assert any("seed" in p for p in got.problems)
    assert any("penalty" in p for p in got.problems)
    assert any("'zz'" in p for p in got.problems)
    assert got.notice is not None and got.notice.startswith(LINK_NOTICE)
    assert check_link("seed=5").notice is None


def test_check_link_only_the_pages_names_and_its_own_keys():
    def periods(text: str) -> int:
        value = int(text)
        if not 1 <= value <= 60:
            raise ValueError("must be a whole number of months from 1 to 60")
        return value

    got = check_link("seed=3&p_detect=0.5&periods=abc", ["seed"], extra={"periods": periods})
    assert got.values == {"seed": 3}
    assert got.problems[0] == "unknown parameter 'p_detect' in the link"
    assert got.problems[1].startswith("periods='abc'")
    assert check_link_value("seed", "7") == (7, None)
    value, why = check_link_value("p_detect", "7")
    assert value is None and "p_detect" in why
    assert check_link_value("nope", "1")[1] == "unknown parameter 'nope' in the link"


def test_picking_a_scenario_keeps_a_typed_seed_and_only_a_typed_one():
    game = GameSession()
    other = next(n for n in game.scenario_names if n not in ("default", "(none)"))
    game.set_text("seed", "77")
    game.pick_scenario(other)
    assert game.values["seed"] == 77 and game.texts["seed"] == "77"
    assert "seed=77" in game.query()
    fresh = GameSession()
    fresh.pick_scenario(other)
    assert "seed" not in fresh.query()


def test_clean_address_and_page_link():
    from viz.main import clean_address, page_link

    # outside a Solara session nothing is kept: the address stays, the link is the address's
    assert clean_address("", "seed=abc") is None
    assert page_link("learn", "projector=1") == "/learn"
    assert page_link("play", "seed=5&projector=1") == "/play?seed=5"
