"""The negotiable terms, declared once beside the parameters, and the sampler of their box (#29)."""

from __future__ import annotations

import numpy as np
import pytest

from model.errors import ConfigError
from model.params import schema
from model.params.terms import (
    MAX_NEGOTIABLE,
    TERMS,
    negotiable,
    term_box,
    term_points,
)


def test_every_term_is_a_schema_parameter_read_from_the_schema():
    table = schema()
    params = negotiable()
    assert tuple(params) == tuple(t.name for t in TERMS)
    for name, p in params.items():
        assert p == table[name]  # unit, bounds, choices and help: the schema's
    aspects = {t.aspect for t in TERMS}
    assert aspects == {"verification", "sanctions", "entry", "trigger", "lift", "adjudication"}
    assert params["adjudication"].choices == table["adjudication"].choices


def test_the_default_budget_is_256_points():
    box = term_box({"p_detect": [0.0, 1.0], "penalty": [0.0, 20.0], "lift_level": [0.5, 2.0]})
    assert schema()["max_term_points"].default == 256  # the parameter, no second constant
    assert len(term_points(box, np.random.default_rng(0))) == 256


def test_a_box_keeps_each_range():
    box = term_box({"p_detect": [0.2, 0.8], "n_veto_powers": [0, 3], "lift": ["never", "safety"]})
    assert box.names == ("p_detect", "n_veto_powers", "lift")
    assert (box.terms[0].low, box.terms[0].high) == (0.2, 0.8)
    assert (box.terms[1].low, box.terms[1].high) == (0, 3)
    assert box.terms[2].choices == ("never", "safety")


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ({"p_detect": [0.8, 0.2]}, r"p_detect=\[0.8, 0.2\] is an empty range; allowed: \[low"),
        ({"trigger": []}, r"trigger=\[\] is an empty range; allowed: a non-empty list"),
        ({"p_detect": [0.2, 1.5]}, r"p_detect=1.5 is out of bounds; allowed: a number in \[0, 1\]"),
        ({"penalty": [-1, 5]}, r"penalty=-1.0 is out of bounds; allowed: a number >= 0"),
        ({"n_veto_powers": [0, 2.5]}, "n_veto_powers=2.5 is not an integer"),
        ({"trigger": ["soon"]}, "trigger='soon' is not allowed; allowed: one of 'immediate'"),
        ({"discount": [0.5, 0.9]}, "'discount' is not a negotiable term; negotiable: p_detect"),
        ({"penalty": "high"}, r"penalty='high' must be a range \[low, high\] of two numbers"),
        (
            dict.fromkeys(["p_detect", "penalty", "entry_threshold", "lift_level", "safety"], [1]),
            "'safety' is not a negotiable term",
        ),
        (
            dict.fromkeys(
                ["p_detect", "penalty", "entry_threshold", "lift_level", "trigger_level"]
            ),
            r"5 negotiable terms \(p_detect, penalty, .*\); allowed: at most 4",
        ),
    ],
)
def test_a_bad_box_is_one_clear_line(ranges, message):
    with pytest.raises(ConfigError, match=message) as info:
        term_box(ranges)
    assert "\n" not in str(info.value)
    assert MAX_NEGOTIABLE == 4


def test_up_to_two_number_terms_make_a_grid_within_the_budget():
    box = term_box({"p_detect": [0.2, 0.8], "penalty": [0.0, 10.0]})
    points = term_points(box, np.random.default_rng(0), 256)
    assert len(points) == 256  # 16 x 16
    assert sorted({p["p_detect"] for p in points}) == pytest.approx(np.linspace(0.2, 0.8, 16))
    one = term_points(term_box({"penalty": [2.0, 4.0]}), np.random.default_rng(0), 5)
    assert [p["penalty"] for p in one] == [2.0, 2.5, 3.0, 3.5, 4.0]
    ints = term_points(term_box({"n_veto_powers": [0, 3]}), np.random.default_rng(0), 256)
    assert [p["n_veto_powers"] for p in ints] == [0, 1, 2, 3]  # integers without repeats


def test_above_two_number_terms_a_seeded_scrambled_sobol_sample():
    ranges = {"p_detect": [0.2, 0.8], "penalty": [0.0, 10.0], "entry_threshold": [0.5, 0.9]}
    box = term_box(ranges)
    points = term_points(box, np.random.default_rng(7), 200)
    assert len(points) == 128  # the largest power of 2 within the budget
    assert points == term_points(box, np.random.default_rng(7), 200)  # seeded from the stream
    assert points != term_points(box, np.random.default_rng(8), 200)  # scrambled
    values = np.array([[p[name] for name in ranges] for p in points])
    low, high = np.array([r[0] for r in ranges.values()]), np.array([r[1] for r in ranges.values()])
    assert np.all((values >= low) & (values <= high))


def test_choice_terms_are_enumerated_each_with_the_same_number_points():
    box = term_box({"trigger": ["immediate", "date"], "p_detect": [0.1, 0.9], "lift": ["never"]})
    points = term_points(box, np.random.default_rng(0), 10)
    assert len(points) == 10  # 2 combinations x 5 grid points
    assert [p["trigger"] for p in points] == ["immediate"] * 5 + ["date"] * 5
    assert {p["lift"] for p in points} == {"never"}
    assert [p["p_detect"] for p in points[:5]] == [p["p_detect"] for p in points[5:]]
    with pytest.raises(
        ConfigError, match="make 2 combinations; allowed: at most max_term_points=1"
    ):
        term_points(box, np.random.default_rng(0), 1)
