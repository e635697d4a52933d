"""The verification valley: survival against detection falls, then rises, only where beliefs
come from the 'detected' inversion in a voluntary pause; everywhere else searched it is
monotone.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.reproductions import verification_valley as vv
from experiments.reproductions.common import NO_PUBLISHED_VALUE, OWN_FINDING

pytestmark = [pytest.mark.reproduction, pytest.mark.slow]


def test_the_valley_floor_is_just_above_the_false_alarm_rate():
    # the valley's world at three detections: below q (holds), just above (collapses),
    # well above (holds again); 6 seeds each
    s = vv.sweep({**vv.VOLUNTARY, "information": "detected"}, (0.01, 0.03, 0.3), range(6))
    np.testing.assert_allclose(s.survival, [1.0, 0.0, 1.0], atol=1 / 6 + 1e-9)
    # in the valley the actors believe in a race that is not there; outside it they do not
    assert s.belief[1] > 0.15 > max(s.belief[0], s.belief[2])


def test_without_false_alarms_the_same_world_has_no_valley():
    s = vv.sweep(
        {**vv.VOLUNTARY, "information": "detected", "p_false_alarm": 0.0},
        (0.01, 0.03, 0.05, 0.3),
        range(4),
    )
    assert vv.largest_drop(s.survival) == 0.0 and (s.survival == 1.0).all()


def test_valley_and_largest_drop_measure_what_they_say():
    assert vv.valley(np.array([1.0, 0.5, 1.0])) == (1, 0.5)
    assert vv.valley(np.array([0.0, 0.5, 1.0]))[1] == 0.0
    assert vv.largest_drop(np.array([0.2, 0.9, 0.3, 1.0])) == pytest.approx(0.6)


def test_every_claim_is_our_own_finding(reproduced):
    result, _ = reproduced("verification_valley")
    assert {c.kind for c in result.claims} == {OWN_FINDING}
    assert {c.paper for c in result.claims} == {NO_PUBLISHED_VALUE}
