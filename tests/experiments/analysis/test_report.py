"""Hardening of the statistics and analysis outputs ([hardening], part C).

Each table row is one bad input or one misleading output found by trying the commands as a
hostile user would: separated threshold fits, small-n Sobol indices, claims labelled "NOT SHOWN"
at too few replicates, outputs overwriting each other, and bad flags that gave tracebacks or
were silently accepted. The theory text is in tests/model/theory/ (marker hardening).
"""

from __future__ import annotations

import pytest

from experiments.analysis.report import sensitivity_stem, threshold_stem

pytestmark = pytest.mark.hardening


@pytest.mark.parametrize(
    ("at", "level", "stem"),
    [
        ({}, 0.5, "threshold"),
        ({"penalty": 8.0}, 0.5, "threshold_penalty-8"),
        ({"penalty": 8.0, "beta": 2.5}, 0.25, "threshold_penalty-8_beta-2.5_level-0.25"),
        ({"alliance_network": "a/b c"}, 0.5, "threshold_alliance_network-a_b_c"),
    ],
)
def test_threshold_stems_are_distinct_and_safe(at, level, stem):
    assert threshold_stem(at, level) == stem


@pytest.mark.parametrize(
    ("outputs", "stem"),
    [
        (["held", "final_compliance"], "sensitivity"),
        (["detections"], "sensitivity_detections"),
        (["held"], "sensitivity_held"),
    ],
)
def test_sensitivity_stems(outputs, stem):
    assert sensitivity_stem(outputs) == stem
