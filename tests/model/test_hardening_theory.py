"""Hardening of the theory text ([hardening], part C): no negative or infinite thresholds.

``p* = -0.203 for labs of complying nations`` and ``p* = none (no p deters)`` are said in words:
domestic detection deters them at any p_detect; no p_detect deters them.
"""

from __future__ import annotations

import math

import pytest

from model import theory
from model.params import resolve


@pytest.mark.parametrize(
    ("value", "who", "domestic", "words"),
    [
        (
            -0.203,
            "labs of complying nations",
            True,
            "domestic detection deters labs of complying nations at any p_detect",
        ),
        (-math.inf, "labs of complying nations", True, "at any p_detect"),
        (-0.5, "nations", False, "nations are deterred at any p_detect"),
        (0.0, "nations", False, "at any p_detect"),
        (math.inf, "nations", False, "no p_detect deters nations"),
        (1.7, "nations", False, "above 1, so no p_detect deters them"),
    ],
)
def test_threshold_clause(value, who, domestic, words):
    text = theory.threshold_clause(value, who, domestic=domestic)
    assert words in text
    assert "-0." not in text and "inf" not in text and "none (" not in text


@pytest.mark.parametrize(
    ("nation", "lab", "words"),
    [
        (
            0.445,
            -0.810,
            ["p* = 0.445", "domestic detection deters labs of complying nations at any p_detect"],
        ),
        (math.inf, math.inf, ["no p_detect deters nations or labs"]),
    ],
)
def test_shielded_thresholds_in_words(nation, lab, words):
    text = theory.shielded_thresholds_text(nation, lab, 0.59)
    for word in words:
        assert word in text
    assert "-0." not in text and "none (" not in text


@pytest.mark.parametrize(
    ("overrides", "kind", "words"),
    [
        (
            {"risk_internalization": 1.0, "risk_cost": 3.0},
            "nation",
            [
                "Every p_detect deters",
                "only at values outside [0, 1]",
                "survives (mean-field compliance >= 0.9) at any p_detect",
            ],
        ),
        ({"p_domestic": 0.9}, "lab", ["Domestic detection deters a lone defecting lab"]),
    ],
)
def test_theory_summary_never_prints_a_negative_threshold(overrides, kind, words):
    summary = theory.summarize(resolve(**overrides), kind=kind)
    assert summary.threshold < 0
    text = summary.describe()
    for word in words:
        assert word in text
    assert "p* = -" not in text and "-0." not in text


def test_run_verdict_says_negative_lab_threshold_in_words():
    from experiments.run import theory_verdict
    from model.engine import Engine

    params = resolve(p_domestic=0.5, seed=3)
    engine = Engine.from_params(dict(params))
    text = theory_verdict(params, engine)
    assert "domestic detection deters labs of complying nations at any p_detect" in text
    assert "-0." not in text
    off = resolve(penalty=0.0, seed=3)
    text = theory_verdict(off, Engine.from_params(dict(off)))
    assert "none (no p deters)" not in text and "no p_detect deters nations or labs" in text
