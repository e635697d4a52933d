"""The parameter schema: declarations, defaults, and one test per kind of bad value."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from model.errors import ParameterError
from model.params import Params, defaults, parse_text, resolve, schema

DESIGN_DEFAULTS = {
    "defect_gain": 1.0,
    "penalty": 4.0,
    "p_detect": 0.3,
    "p_domestic": 0.2,
    "p_false_alarm": 0.02,
    "race_pressure": 0.5,
    "risk_cost": 1.0,
    "risk_internalization": 0.0,
    "verification_lag": 0,
    "discount": 0.95,
    "beta": 10.0,
    "decision_rule": "logit",
    "revision_rate": 1.0,
    "information": "perfect",
    "initial_compliance": 1.0,
    "stability_threshold": 0.9,
    "collapse_patience": 3,
    "n_nations": 12,
    "n_labs": 48,
    "capability_dist": "lognormal",
    "capability_spread": 1.0,
    "state_share": 0.25,
    "alliance_network": "blocs",
    "alliance_density": 0.3,
    "alliance_weight": 0.8,
    "n_blocs": 2,
    "steps": 120,
    "seed": None,
}


def test_design_defaults():
    d = defaults()
    for name, value in DESIGN_DEFAULTS.items():
        assert d[name] == value, name


def test_every_declaration_is_complete_and_its_range_valid():
    for name, p in schema().items():
        assert p.help and p.group, name
        if p.kind in ("float", "int"):
            lo, hi = p.range
            assert math.isfinite(lo) and math.isfinite(hi) and lo < hi, name
            for end in (lo, hi, p.default):
                resolve({name: end})  # inside the validity bounds
        if p.kind == "choice":
            assert p.default in p.choices
    assert schema()["n_labs"].app_max and schema()["steps"].app_max
    assert set(schema()["decision_rule"].choices) >= {"logit", "best_response"}


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("p_detct", 0.3, "unknown parameter 'p_detct'; did you mean p_detect"),
        ("p_detect", "high", "wrong type"),
        ("p_detect", True, "wrong type"),
        ("p_detect", float("nan"), "not a finite number"),
        ("penalty", float("inf"), "not a finite number"),
        ("p_detect", 1.5, "a number in [0, 1]"),
        ("penalty", -1.0, "a number >= 0"),
        ("discount", 0.0, "a number in (0, 1]"),
        ("n_nations", 1, "an integer >= 2"),
        ("n_nations", 2.5, "not an integer"),
        ("decision_rule", "random", "one of"),
        ("information", 3, "one of"),
        ("seed", -1, "an integer >= 0, or none"),
        ("seed", 1.5, "an integer >= 0, or none"),
    ],
)
def test_bad_values_name_field_value_and_range(field, value, words):
    with pytest.raises(ParameterError) as err:
        resolve({field: value})
    message = str(err.value)
    assert field in message and words in message
    if not field.startswith("p_detct"):
        assert repr(value) in message or str(value) in message


def test_contradiction_between_fields():
    with pytest.raises(ParameterError, match="n_blocs=5.*n_nations=3"):
        resolve(n_nations=3, n_blocs=5)
    resolve(n_nations=3, n_blocs=5, alliance_network="none")  # blocs unused: fine


def test_types_are_canonical_and_params_immutable():
    p = resolve(n_nations=np.int64(7), p_detect=1, steps=30.0, seed=np.int64(3))
    assert type(p.n_nations) is int and type(p.p_detect) is float and type(p.steps) is int
    assert p.seed == 3 and isinstance(p, Params)
    with pytest.raises(AttributeError):
        p.p_detect = 0.5
    assert p.replace(p_detect=0.5).p_detect == 0.5 and p.p_detect == 1.0
    assert pickle.loads(pickle.dumps(p)) == p


def test_parse_text_from_the_command_line():
    s = schema()
    assert parse_text(s["p_detect"], " 0.25 ") == 0.25
    assert parse_text(s["steps"], "60") == 60
    assert parse_text(s["seed"], "none") is None and parse_text(s["seed"], "42") == 42
    with pytest.raises(ParameterError, match="not a number"):
        parse_text(s["penalty"], "abc")
