"""The batched-simulation valuation of term points over common worlds (#29).

Its values are checked against the engine run from each world's seed, against the mean-field
theory on the core world (:class:`~model.negotiation.valuation.TheoryValuation`), and for the
common worlds: the same seed gives the same numbers, every point runs on the same worlds and
streams, and the run's own generator is never touched.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.scenarios import load_scenario
from model.engine import Engine
from model.errors import ConfigError
from model.negotiation import simulated
from model.negotiation.simulated import FIXED_BY_VALUATION, SimulatedValuation, world_seeds
from model.negotiation.valuation import TheoryValuation
from model.params import resolve
from model.theory import Actors

SMALL = {"n_nations": 4, "n_labs": 8, "n_worlds": 3, "horizon": 10}
WEAK = {"p_detect": 0.2, "penalty": 2.0}
STRONG = {"p_detect": 0.9, "penalty": 12.0}


def _theory(v: SimulatedValuation, points: list[dict[str, float]]) -> np.ndarray:
    """``(points, worlds, nations)``: the theory's ``U_i`` on each of ``v``'s worlds."""
    rows = [
        TheoryValuation(v.params, Actors.of(Engine(v.params, s))).utilities(points) for s in v.seeds
    ]
    return np.stack(rows, axis=1)


def test_values_are_the_engines_run_from_each_worlds_seed() -> None:
    params = resolve(**SMALL)
    v = SimulatedValuation(params, np.random.SeedSequence(4))
    point = {"p_detect": 0.4, "penalty": 6.0}
    d, months = float(params["discount"]), int(params["horizon"])
    weight = d ** np.arange(months)
    expected = []
    for s in v.seeds:
        e = Engine(params.replace(**point, **FIXED_BY_VALUATION), s)
        paid = []
        for _ in range(months):
            e.step()
            paid.append(np.bincount(e.home, weights=e.payoff, minlength=v.n))
        expected.append(weight @ np.array(paid) / weight.sum())
    # the same runs; only the order of the sums over actors and months may differ
    np.testing.assert_allclose(v.world_utilities([point])[0], expected, rtol=1e-12, atol=1e-15)
    assert v.n == 4 and v.nations.tolist() == [0, 1, 2, 3]


def test_on_the_core_world_without_race_pressure_the_theory_holds_within_the_noise() -> None:
    # At race_pressure 0 every actor's defection probability is a logit of a constant, so the
    # mean field's month payoff is the engine's expected one exactly, from the second month
    # (in the first a lab sees its nation's initial action: a small bias, measured on 256
    # worlds at -0.0016 +- 0.0010 in the nations' total). What is left is Monte Carlo noise:
    # 4 standard errors over the 32 worlds, per nation and in total.
    params = resolve(race_pressure=0.0, n_worlds=32, horizon=120)
    v = SimulatedValuation(params, np.random.SeedSequence(29))
    points = [WEAK, STRONG]
    gap = v.world_utilities(points) - _theory(v, points)  # (points, worlds, nations)
    for diff in (gap, gap.sum(axis=2, keepdims=True)):
        stderr = diff.std(axis=1, ddof=1) / np.sqrt(v.n_worlds)
        assert np.all(np.abs(diff.mean(axis=1)) <= 4.0 * stderr)


def test_on_the_default_core_world_the_theory_orders_and_roughly_values_the_points() -> None:
    # With race pressure the mean field is an approximation: it takes every actor's believed
    # share to be the world's share x (the engine weighs rivals by alliance) and the stationary
    # branch (the engine starts from initial_compliance). Measured on 256 worlds its error is
    # 0.027 +- 0.001 in the nations' total for WEAK (at most 0.003 per nation): a bias, not
    # noise (STRONG agrees within the noise). So the check is loose: the order of two points
    # far apart (0.37 in total), every nation alike, and 0.01 per nation, 0.05 in total, about
    # twice the error seen and far below the gap between the points.
    params = resolve(n_worlds=32, horizon=120)
    v = SimulatedValuation(params, np.random.SeedSequence(29))
    points = [WEAK, STRONG]
    simulated = v.utilities(points)
    theory = _theory(v, points).mean(axis=1)
    assert np.all(simulated[0] > simulated[1]) and np.all(theory[0] > theory[1])
    assert simulated[0].sum() - simulated[1].sum() > 0.3
    np.testing.assert_allclose(simulated, theory, rtol=0.0, atol=0.01)
    np.testing.assert_allclose(simulated.sum(axis=1), theory.sum(axis=1), rtol=0.0, atol=0.05)


def test_the_same_seed_gives_the_same_numbers_and_every_point_the_same_worlds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = resolve(**SMALL)
    a = SimulatedValuation(params, np.random.SeedSequence(7))
    b = SimulatedValuation(params, np.random.SeedSequence(7))
    other = {"p_detect": 0.6}
    first = a.surplus([WEAK, STRONG, other])
    # another batch (one point at a time), another order, the keys written the other way
    # round: the same values
    monkeypatch.setattr(simulated, "CHUNK_RUNS", 3)
    again = b.surplus([other, {"penalty": 12.0, "p_detect": 0.9}, WEAK])
    assert np.array_equal(first, again[[2, 1, 0]])
    assert np.array_equal(a.disagreement, b.disagreement)
    assert a.seeds == b.seeds == world_seeds(np.random.SeedSequence(7), 3)
    c = SimulatedValuation(params, np.random.SeedSequence(8))
    assert not np.array_equal(c.surplus([WEAK]), first[:1])


def test_the_status_quo_is_worth_exactly_zero() -> None:
    params = resolve(**SMALL)
    in_force = {"p_detect": 0.5, "penalty": 5.0}
    v = SimulatedValuation(params, np.random.SeedSequence(3), status_quo=in_force)
    assert v.surplus([{"penalty": 5.0, "p_detect": 0.5}]).tolist() == [[0.0] * 4]
    assert not np.any(v.surplus([STRONG]) == 0.0)
    # no treaty: nobody bound, on the points' very streams, so a treaty without penalties,
    # where binding changes no payoff, is worth nothing either (noise would be ~1e-3)
    none = SimulatedValuation(params, np.random.SeedSequence(3))
    assert np.abs(none.surplus([{"penalty": 0.0}])).max() < 1e-12
    assert np.abs(none.surplus([STRONG])).max() > 1e-3


def test_a_scenarios_member_fields_do_not_decide() -> None:
    scenario, _ = load_scenario("bipolar_blocs")
    outsiders = scenario.to_mapping()
    for nation in outsiders["nations"][:3]:
        nation["member"] = False
    given = {"n_worlds": 2, "horizon": 8}  # the scenario's [params] come in too
    a = SimulatedValuation(given, np.random.SeedSequence(3), scenario=scenario)
    b = SimulatedValuation(given, np.random.SeedSequence(3), scenario=outsiders)
    assert a.params["inspectorate"] == "per_bloc" and a.n == len(scenario.nations)
    assert np.array_equal(a.utilities([STRONG]), b.utilities([STRONG]))
    assert np.array_equal(a.disagreement, b.disagreement)


def test_a_runs_protocol_does_not_bargain_inside_the_valued_runs() -> None:
    # a run negotiating under a protocol values points with its own parameters: the valued
    # runs have the point's terms in force, with no bargaining of their own
    under_nash = SimulatedValuation(resolve(**SMALL, protocol="nash"), np.random.SeedSequence(1))
    plain = SimulatedValuation(resolve(**SMALL), np.random.SeedSequence(1))
    assert np.array_equal(under_nash.surplus([STRONG]), plain.surplus([STRONG]))


def test_a_horizon_beyond_the_runs_steps_is_run_in_full() -> None:
    short = SimulatedValuation(resolve(**SMALL, steps=5), np.random.SeedSequence(3))
    long = SimulatedValuation(resolve(**SMALL, steps=30), np.random.SeedSequence(3))
    assert np.array_equal(short.utilities([STRONG]), long.utilities([STRONG]))


def test_transfers_are_added() -> None:
    v = SimulatedValuation(resolve(**SMALL), np.random.SeedSequence(3))
    tau = np.array([0.01, -0.01, 0.02, -0.02])
    np.testing.assert_allclose(v.surplus([STRONG], tau), v.surplus([STRONG]) + tau, atol=1e-15)


def test_the_runs_own_generator_is_untouched() -> None:
    params = resolve(**SMALL, steps=20)

    def run(build_valuation: bool) -> dict[str, np.ndarray]:
        root = np.random.SeedSequence(2026)
        rng = np.random.default_rng(root)
        if build_valuation:
            SimulatedValuation(params, root.spawn(1)[0]).surplus([WEAK])
            SimulatedValuation(params, root).surplus([STRONG])
        return Engine(params, rng).run().to_dict() | {"next": rng.random(3)}

    alone, beside = run(False), run(True)
    assert alone.keys() == beside.keys()
    for key, value in alone.items():
        assert np.array_equal(np.asarray(value), np.asarray(beside[key])), key


@pytest.mark.parametrize(
    ("point", "named"),
    [
        ({"p_detekt": 0.5}, "p_detekt"),
        ({"p_detect": 1.5}, "p_detect"),
        ({"membership": "negotiated"}, "membership"),
        ({"protocol": "nash"}, "protocol"),
        ({"n_nations": 5}, "n_nations"),
        ({"horizon": 12}, "horizon"),
    ],
)
def test_a_bad_point_is_refused_naming_it(point: dict[str, object], named: str) -> None:
    v = SimulatedValuation(resolve(**SMALL), np.random.SeedSequence(3))
    with pytest.raises(ConfigError, match=named):
        v.utilities([point])
    with pytest.raises(ConfigError, match=named):
        SimulatedValuation(resolve(**SMALL), np.random.SeedSequence(3), status_quo=point)


def test_no_hazard_no_catastrophe() -> None:
    v = SimulatedValuation(resolve(**SMALL), np.random.SeedSequence(3))
    assert v.hazard(0) == v.hazard(10) == v.hazard(30) == 0.0
    with pytest.raises(ConfigError, match="months=-1"):
        v.hazard(-1)


def test_the_hazard_grows_with_the_months_and_matches_the_engines_catastrophes() -> None:
    # no treaty: the actors defect, and each month a catastrophe may end the run
    params = resolve(n_nations=4, n_labs=8, n_worlds=64, horizon=6, hazard_scale=0.05)
    v = SimulatedValuation(params, np.random.SeedSequence(5))
    h = [v.hazard(m) for m in (1, 3, 6, 12)]
    assert 0.0 < h[0] < h[1] < h[2] < h[3] < 1.0
    # the engine's own runs on the same worlds: the share ended by month 12 is the hazard,
    # within 4 standard errors of a proportion over 64 runs
    none = params.replace(**{**FIXED_BY_VALUATION, "initial_membership": 0.0})
    ended = [Engine(none, s).run(12).catastrophe_step is not None for s in v.seeds]
    assert abs(np.mean(ended) - h[3]) <= 4.0 * np.sqrt(h[3] * (1.0 - h[3]) / len(ended))
    # a deterring treaty in force: fewer defect, so fewer catastrophes
    deterred = SimulatedValuation(params, np.random.SeedSequence(5), status_quo=STRONG)
    assert deterred.hazard(12) < h[3] / 2
