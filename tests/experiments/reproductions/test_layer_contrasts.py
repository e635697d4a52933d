"""The layer contrasts (#31): the set-ups' costs and numbers by hand, the scenario, the claims."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.reproductions import layer_contrasts as lc
from experiments.scenarios import load_scenario
from model.engine import Engine
from model.params import resolve
from model.verification.layers import get_layer

pytestmark = pytest.mark.reproduction


def _v(name: str, key: str) -> float:
    return float(get_layer(name).values[key])


def test_the_set_ups_cost_about_the_same_by_the_formula() -> None:
    u = 0.1  # the default undeclared share; world capability 1, every nation a member

    def cost(name: str) -> float:
        layer = get_layer(name)
        watched = (1 - u if layer.declared else 0.0) + (u if layer.undeclared else 0.0)
        return _v(name, "cost_capability") * watched + _v(name, "cost_fixed")

    for setup in lc.SETUPS:
        want = sum(cost(name) for name in setup.split(","))
        assert lc.monthly_cost(setup) == pytest.approx(want, abs=1e-12), setup
    costs = [lc.monthly_cost(s) for s in lc.SETUPS]
    assert costs == pytest.approx([0.135, 0.130, 0.127], abs=5e-4)
    assert max(costs) / min(costs) < 1.07  # "similar cost": within 7%


def test_the_many_cheap_layers_catch_less_net_of_false_alarms() -> None:
    # many: P = 0.9 (1 - 0.4 * 0.7 * 0.97) + 0.1 (1 - 0.7 * 0.97) at rho 0
    p = resolve(lc.arm(lc.MANY, 0.0))
    assert p.coverage * p.p_detect == pytest.approx(0.9 * (1 - 0.4 * 0.7 * 0.97) + 0.1 * 0.321)
    assert p.p_false_alarm == pytest.approx(1 - 0.98 * 0.925 * 0.99)
    net = {}
    for setup in lc.SETUPS:
        for rho in lc.RHOS:
            q = resolve(lc.arm(setup, rho))
            net[setup, rho] = q.coverage * q.p_detect - q.p_false_alarm
    for rho in lc.RHOS:
        assert net[lc.MANY, rho] < net[lc.ONE, rho] < net[lc.MIDDLE, rho]
    assert net[lc.MANY, 0.5] < net[lc.MANY, 0.0]  # failing together costs the many layers
    assert net[lc.ONE, 0.5] == net[lc.ONE, 0.0]  # one layer has no common mode


def test_the_scenario_is_the_one_expensive_set_up_and_its_contrast_the_many() -> None:
    scenario, narrative = load_scenario("layered_verification")
    assert narrative is not None and "illustrative" in narrative.lower()
    contrast = scenario.meta["contrast"]["params"]
    assert contrast == {"layers": lc.MANY, "layer_correlation": 0.5}
    for seed in (1, 2):
        ours = Engine.from_params(dict(scenario.params), seed, scenario=scenario)
        ours.run()
        theirs = Engine.from_params(lc.arm(lc.ONE, 0.0), seed)
        theirs.run()
        a, b = ours.timeseries(), theirs.timeseries()
        for column in ("weighted_compliance", "detections", "verification_spend"):
            assert np.array_equal(a[column], b[column], equal_nan=True), column
        assert a["verification_spend"][1] == pytest.approx(lc.monthly_cost(lc.ONE))


def test_the_claims_read_their_direction_and_count_the_worlds(reproduced) -> None:
    result, _ = reproduced("layer_contrasts")
    assert lc.REPLICATES >= 200
    assert len(result.claims) == 4
    for claim in result.claims:
        assert "of 200 worlds the claimed way" in str(claim.ours)
        assert claim.holds
    assert "above 0" in result.claims[0].tolerance  # one expensive above many cheap, rho 0
    assert "above 0" in result.claims[1].tolerance  # and at rho 0.5
    assert "below 0" in result.claims[2].tolerance  # the common mode hurts the many
    assert "above 0" in result.claims[3].tolerance  # the middle above the one
