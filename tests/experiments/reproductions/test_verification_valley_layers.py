"""The verification valley holds when detection comes from a set-up of layers (#31)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.reproductions import verification_valley as vv
from model.engine import Engine
from model.params import resolve
from model.verification.layers import get_layer

pytestmark = [pytest.mark.reproduction, pytest.mark.slow]


def _survival(params: dict[str, object], seeds: range) -> float:
    held = [Engine.from_params({"steps": 60, **params}, rng=s).run().held for s in seeds]
    return float(np.mean(held))


def test_the_valley_holds_with_one_declared_layer_and_undeclared_compute():
    # one on-site inspection layer (p 0.9), its reach cut by undeclared compute so that the
    # catch (1 - u) 0.9 is below q = 0.02, just above it, and well above it; q as in the valley
    p = get_layer("onsite_inspection").values["p_detect"]
    world = {**vv.VOLUNTARY, "information": "detected", "p_false_alarm": 0.02}
    got = []
    for catch in (0.01, 0.03, 0.3):
        u = 1.0 - catch / p
        got.append(
            _survival({**world, "layers": "onsite_inspection", "undeclared_share": u}, range(6))
        )
    np.testing.assert_allclose(got, [1.0, 0.0, 1.0], atol=1 / 6 + 1e-9)


def _catch(params: dict[str, object]) -> float:
    p = resolve(params)
    return float(p.coverage * p.p_detect)


def test_the_valley_is_crossed_by_adding_a_layer():
    # chip tracking alone with most compute undeclared sits in the valley; adding national
    # technical means, which watch undeclared compute too, lifts the catch out of it. A
    # whistleblower channel at its sourced rate (about 0.03 a month, #31) lifts it too little.
    world = {**vv.VOLUNTARY, "information": "detected", "p_false_alarm": 0.02}
    alone = {**world, "layers": "chip_tracking", "undeclared_share": 0.95}
    both = {**alone, "layers": "chip_tracking,national_technical_means"}
    weak = {**alone, "layers": "chip_tracking,whistleblower"}
    assert _catch(alone) < _catch(weak) < 0.1 < 0.3 < _catch(both)
    assert _survival(alone, range(6)) <= 1 / 6
    assert _survival(both, range(6)) >= 5 / 6
    assert _survival(weak, range(6)) <= 1 / 6
