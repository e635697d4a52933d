"""Theory valuations shared between runs with identical inputs (#29, model/negotiation/shared.py).

A shared valuation gives the numbers of a run's own; one different parameter or capability is
valued again; the cache and each valuation's points are bounded; the simulated valuation (on
the run's own stream) is never shared.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.engine import Engine
from model.errors import ConfigError
from model.negotiation.session import _theory, negotiate, negotiation_seed
from model.negotiation.shared import BARGAINING_ONLY, ValuationCache, fingerprint
from model.negotiation.valuation import TheoryValuation
from model.params import resolve_run
from model.params.terms import term_box
from model.theory import Actors

WORTH = {
    "protocol": "rotating_unanimity",
    "risk_cost": 3.0,
    "steps": 6,
    "n_nations": 6,
    "n_labs": 6,
    "max_term_points": 16,
}
BOX = term_box({"p_detect": [0.0, 1.0], "penalty": [0.0, 20.0]})


def _run(seed: int = 1, **params: object) -> tuple[object, object]:
    """Validated parameters and the world of a run."""
    p = resolve_run({**WORTH, "seed": seed, **params}, draw_seed=False)
    return p, Engine(p, seed).world


def _agreement(params, world, seed, cache=None):
    rng = np.random.default_rng(seed)
    return negotiate(params, world, None, negotiation_seed(rng), valuations=cache)


def _same(a, b) -> None:
    assert a.terms == b.terms and a.source == b.source == "theory"
    assert np.array_equal(a.transfers, b.transfers) and np.array_equal(a.surplus, b.surplus)
    assert np.array_equal(a.deltas, b.deltas) and len(a.rounds) == len(b.rounds)


def test_a_shared_valuation_gives_every_number_of_a_runs_own() -> None:
    params, world = _run()
    cache = ValuationCache()
    first = _agreement(params, world, 1, cache)
    # another seed, and a protocol the valuation does not read: the same inputs
    other = params.replace(seed=2, protocol="nash")
    second = _agreement(other, world, 2, cache)
    assert (cache.misses, cache.hits) == (1, 1)
    _same(first, _agreement(params, world, 1))
    _same(second, _agreement(other, world, 2))


def test_one_different_parameter_or_capability_is_valued_again() -> None:
    params, world = _run()
    cache = ValuationCache()
    base = _theory(params, world, BOX, cache)
    assert _theory(params.replace(seed=9), world, BOX, cache) is base
    assert _theory(params.replace(defect_gain=1.5), world, BOX, cache) is not base
    assert (cache.misses, cache.hits) == (2, 1)
    richer = dataclasses.replace(world, capability=world.capability * np.r_[1.01, np.ones(11)])
    again = _theory(params, richer, BOX, cache)
    assert again is not base
    point = [{"p_detect": 0.5, "penalty": 10.0}]
    assert not np.array_equal(again.surplus(point), base.surplus(point))


def test_a_changed_risk_cost_is_a_miss_with_its_own_numbers() -> None:
    params, world = _run()
    cache = ValuationCache()
    point = [{"p_detect": 0.9, "penalty": 6.0}]
    low = _theory(params, world, BOX, cache).surplus(point)
    high = _theory(params.replace(risk_cost=4.0), world, BOX, cache).surplus(point)
    assert cache.misses == 2 and cache.hits == 0
    assert not np.array_equal(low, high)
    assert np.array_equal(high, _theory(params.replace(risk_cost=4.0), world, BOX).surplus(point))


def test_the_valuation_is_not_given_what_only_the_bargaining_reads() -> None:
    params, world = _run(protocol="rotating_unanimity")
    valuation = _theory(params, world, BOX)
    assert not set(BARGAINING_ONLY) & set(valuation.params)
    assert valuation.params["risk_cost"] == 3.0


def test_the_cache_keeps_the_most_recently_used_valuations() -> None:
    params, world = _run()
    cache = ValuationCache(max_valuations=2)
    a = _theory(params, world, BOX, cache)
    _theory(params.replace(risk_cost=2.0), world, BOX, cache)
    assert _theory(params, world, BOX, cache) is a  # a is now the most recent
    _theory(params.replace(risk_cost=1.0), world, BOX, cache)  # evicts risk_cost 2
    assert len(cache) == 2
    assert _theory(params, world, BOX, cache) is a
    misses = cache.misses
    _theory(params.replace(risk_cost=2.0), world, BOX, cache)
    assert cache.misses == misses + 1


def test_a_valuation_keeps_at_most_max_points_with_the_same_values() -> None:
    two = Actors(
        c=np.array([0.6, 0.4]), shield=np.ones(2), is_lab=np.zeros(2, bool), home=np.arange(2)
    )
    params = resolve_run({"risk_cost": 3.0}, draw_seed=False)
    points = [{"p_detect": p, "penalty": 6.0} for p in np.linspace(0.0, 1.0, 9)]
    bounded = TheoryValuation(params, two, max_points=4)
    values = bounded.surplus(points)
    assert bounded.points_kept == 4
    assert np.array_equal(values, TheoryValuation(params, two).surplus(points))
    assert np.array_equal(bounded.surplus(points[:1]), values[:1])  # forgotten, computed again
    with pytest.raises(ConfigError, match="max_points=0"):
        TheoryValuation(params, two, max_points=0)
    with pytest.raises(ConfigError, match="max_valuations=0"):
        ValuationCache(max_valuations=0)


def test_the_fingerprint_tells_a_float_from_an_int_and_arrays_apart() -> None:
    one = Actors(c=np.ones(2) / 2, shield=np.ones(2), is_lab=np.zeros(2, bool), home=np.arange(2))
    other = dataclasses.replace(one, shield=np.array([1.0, 0.5]))
    assert fingerprint({"penalty": 1.0}, one) != fingerprint({"penalty": 1}, one)
    assert fingerprint({"penalty": 1.0}, one) != fingerprint({"penalty": 1.0}, other)


def test_the_simulated_valuation_is_never_shared() -> None:
    params, world = _run(rsi="on", n_worlds=2, horizon=2, max_term_points=4)
    cache = ValuationCache()
    agreement = _agreement(params, world, 1, cache)
    assert agreement.source == "simulation"
    assert len(cache) == 0 and cache.misses == cache.hits == 0
