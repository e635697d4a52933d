"""Strategic evasion with layers (#31): the violation goes to the less-watched channel."""

from __future__ import annotations

import pytest

from model.errors import ParameterError
from model.params import resolve
from model.verification.layers.combine import channels_of, combine

from .test_layers import _series


def _catch(p) -> float:
    return float(p.coverage * p.p_detect)


def test_drawn_is_the_default_and_changes_nothing():
    given = {"layers": "onsite_inspection,whistleblower", "undeclared_share": 0.3}
    assert resolve(given).to_dict() == {
        **resolve({**given, "evasion": "drawn"}).to_dict(),
        "evasion": "drawn",
    }


def test_a_strategic_evader_with_untracked_compute_escapes_declared_only_layers():
    given = {"layers": "onsite_inspection", "undeclared_share": 0.1}
    assert _catch(resolve(given)) == pytest.approx(0.9 * combine([_p("onsite_inspection")], 0))
    assert _catch(resolve({**given, "evasion": "strategic"})) == 0.0
    # without untracked compute it has no choice: the drawn numbers exactly
    none = {**given, "undeclared_share": 0.0}
    drawn, strategic = resolve(none).to_dict(), resolve({**none, "evasion": "strategic"})
    assert {**drawn, "evasion": "strategic"} == strategic.to_dict()


def test_a_strategic_evader_takes_the_channel_its_layers_watch_less():
    names = "onsite_inspection,whistleblower"  # declared: both; undeclared: the whistleblower
    chs = channels_of(names)
    declared = combine([c.p for c in chs if c.declared], 0.0)
    undeclared = combine([c.p for c in chs if c.undeclared], 0.0)
    assert undeclared < declared
    drawn = resolve({"layers": names, "undeclared_share": 0.2})
    strategic = resolve({"layers": names, "undeclared_share": 0.2, "evasion": "strategic"})
    assert _catch(drawn) == pytest.approx(0.8 * declared + 0.2 * undeclared)
    assert _catch(strategic) == pytest.approx(undeclared)
    assert strategic.verification_lag == _lag("whistleblower")  # the channel it uses


def test_strategic_evasion_in_the_engine_is_never_caught_by_declared_only_layers():
    hidden = _series(
        {"layers": "onsite_inspection", "undeclared_share": 0.05, "evasion": "strategic"}
    )
    assert hidden["detections_international"].sum() == 0
    seen = _series({"layers": "onsite_inspection", "undeclared_share": 0.05})
    assert seen["detections_international"].sum() > 0


def test_an_unknown_evasion_is_refused_naming_the_choices():
    with pytest.raises(ParameterError) as info:
        resolve({"evasion": "sneaky"})
    assert "evasion='sneaky'" in str(info.value) and "strategic" in str(info.value)


def _p(name: str) -> float:
    return next(c.p for c in channels_of(name))


def _lag(name: str) -> int:
    return next(c.lag for c in channels_of(name))
