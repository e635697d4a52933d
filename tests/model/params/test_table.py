"""The parameter schema: declarations, defaults, and one test per kind of bad value."""

from __future__ import annotations

import math

import pytest

from model.errors import ParameterError
from model.params import defaults, parse_text, resolve, schema

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


def test_parse_text_from_the_command_line():
    s = schema()
    assert parse_text(s["p_detect"], " 0.25 ") == 0.25
    assert parse_text(s["steps"], "60") == 60
    assert parse_text(s["seed"], "none") is None and parse_text(s["seed"], "42") == 42
    with pytest.raises(ParameterError, match="not a number"):
        parse_text(s["penalty"], "abc")
