"""Tests of the mean-field theory against DESIGN.md section 2's exact limits and invariants.

Hardening of the theory text ([hardening], part C): no negative or infinite thresholds.

``p* = -0.203 for labs of complying nations`` and ``p* = none (no p deters)`` are said in words:
domestic detection deters them at any p_detect; no p_detect deters them.
"""

from __future__ import annotations

import math

import pytest

from model import theory
from model.theory import (
    Band,
)


def test_band_clip():
    band = Band(-0.5, 0.25, "best_response")
    assert band.clip() == Band(0.0, 0.25, "best_response")
    assert Band(1.2, 1.5, "logit").clip().empty


@pytest.mark.hardening
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


@pytest.mark.hardening
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
