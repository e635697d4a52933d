"""The mean field over a world's own actors (model/theory/heterogeneous.py, issue #28).

With identical actors it is the closed form; the weighted defection share's tail is checked
against enumeration and, with equal weights, against scipy's Poisson-binomial distribution.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import poisson_binom

from model import theory
from model.params import resolve
from model.theory.heterogeneous import _tail


def _same(n: int, shield: float, lab: bool = False) -> theory.Actors:
    return theory.Actors(
        c=np.full(n, 1.0 / n),
        shield=np.full(n, shield),
        is_lab=np.full(n, lab),
        home=np.arange(n) if not lab else np.full(n, 99),
    )


@pytest.mark.parametrize("shield", [1.0, 0.8, 0.55])
@pytest.mark.parametrize("rule", ["logit", "best_response"])
@pytest.mark.parametrize("penalty", [4.0, 9.0])
def test_identical_nations_give_the_closed_form(shield: float, rule: str, penalty: float) -> None:
    params = resolve(penalty=penalty, seed=1)
    closed = theory.survival_boundary(params, rule=rule, shield=shield)
    own = theory.heterogeneous_boundary(params, _same(6, shield), rule=rule)
    assert own == pytest.approx(closed, abs=2e-6)


def test_identical_labs_of_complying_nations_give_the_lab_closed_form() -> None:
    params = resolve(seed=1)  # labs without a nation actor count as labs of complying nations
    closed = theory.survival_boundary(params, kind="lab", shield=0.7)
    assert theory.heterogeneous_boundary(params, _same(5, 0.7, lab=True)) == pytest.approx(
        closed, abs=2e-6
    )


def test_a_large_well_shielded_nation_moves_the_boundary_above_the_mean_share() -> None:
    params = resolve(seed=1)
    actors = theory.Actors(
        c=np.array([0.4, 0.2, 0.2, 0.2]),
        shield=np.array([0.4, 0.8, 0.8, 0.8]),
        is_lab=np.zeros(4, bool),
        home=np.arange(4),
    )
    mean = float(actors.c @ actors.shield)
    assert theory.heterogeneous_boundary(params, actors) > theory.survival_boundary(
        params, shield=mean
    )


def _enumerate(w: np.ndarray, q: np.ndarray, above: float) -> float:
    total = 0.0
    for bits in itertools.product([0, 1], repeat=w.size):
        b = np.array(bits)
        if float(w @ b) > above:
            total += float(np.prod(np.where(b == 1, q, 1 - q)))
    return total


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weighted_tail_is_exact_against_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    w = rng.lognormal(size=9)
    w /= w.sum()
    q = rng.uniform(0.0, 0.4, size=9)
    assert _tail(w, q, 0.1) == pytest.approx(_enumerate(w, q, 0.1), abs=1e-9)


def test_equal_weights_are_a_poisson_binomial_count() -> None:
    q = np.linspace(0.01, 0.3, 10)
    w = np.full(10, 0.1)
    expected = float(poisson_binom.sf(2, q))  # more than 2 of 10 defect: share above 0.25
    assert _tail(w, q, 0.25) == pytest.approx(expected, abs=1e-12)
    assert _tail(w, q, 0.25) == pytest.approx(_enumerate(w, q, 0.25), abs=1e-12)


def test_collapse_falls_with_detection_and_its_boundary_lies_past_the_mean_field_one() -> None:
    params = resolve(seed=1)
    from model import Engine

    actors = theory.Actors.of(Engine(params, rng=1))
    own = theory.heterogeneous_boundary(params, actors)
    half = theory.collapse_boundary(params, actors)
    assert 0.0 < own < half < 1.0
    q = [theory.monthly_break_probability(params, actors, p_detect=p) for p in (0.5, 0.55, 0.6)]
    assert q[0] > q[1] > q[2]
    assert theory.collapse_probability(0.0, 120, 3) == 0.0
    assert math.isclose(theory.collapse_probability(1.0, 120, 3), 1.0)
