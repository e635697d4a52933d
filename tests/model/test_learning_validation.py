"""The learning rules in the engine against model/learning_theory.py (slow validation).

Tolerances are Monte Carlo standard errors: batch means for the autocorrelated compliance series
of one long run, a 99% binomial interval for fixation frequencies.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pytest
from scipy.stats import binomtest

from model.engine import Engine
from model.learning_theory import cascade_condition, cascade_window, imitation_chain
from model.params import resolve, resolve_run
from model.world import build_world

# Identical nations, no alliances, p_dom = lam = q = phi = L = 0: the gap is G - p F.
WELL_MIXED = dict(
    n_labs=0,
    alliance_network="none",
    capability_dist="equal",
    p_domestic=0.0,
    race_pressure=0.0,
    p_false_alarm=0.0,
    risk_internalization=0.0,
    verification_lag=0,
    decision_rule="imitation",
    imitation_peers="all",
    imitate_on="expected",
    revision_rate="one",
)


def advance(eng: Engine, steps: int) -> None:
    """Step without summarising (``run`` summarises the whole series each time)."""
    for _ in range(steps):
        eng.step()


def batch_means(series: np.ndarray, n_batches: int = 25) -> tuple[float, float]:
    """Mean and its standard error by batch means."""
    means = np.array([b.mean() for b in np.array_split(series, n_batches)])
    return float(series.mean()), float(means.std(ddof=1) / np.sqrt(n_batches))


@pytest.mark.slow
@pytest.mark.parametrize(
    "p, race, seed",
    # p F < G (defection pays), p F = G (the border: neutral), p F > G; race pressure (the
    # gap then depends on the state, monostable here)
    [(0.2, 0.0, 1), (0.25, 0.0, 2), (0.3, 0.0, 3), (0.4, 0.5, 4)],
)
def test_imitation_time_average_matches_the_exact_stationary_mean(p, race, seed):
    n, steps, burn_in = 20, 20_000, 500
    values = {
        **WELL_MIXED,
        "n_nations": n,
        "beta": 10.0,
        "mutation": 0.1,
        "p_detect": p,
        "penalty": 4.0,
        "race_pressure": race,
        "initial_compliance": 0.5,
        "steps": steps,
    }
    eng = Engine.from_params(values, rng=seed)
    eng.run()
    mean, se = batch_means(eng.timeseries()["compliance"][1 + burn_in :])
    chain = imitation_chain(resolve(values), n)
    theory = chain.mean_compliance()
    print(f"imitation p={p} lam={race}: model {mean:.4f} +- {se:.4f}, theory {theory:.4f}")
    assert abs(mean - theory) < 4 * se
    assert se < 0.03  # the test can fail: the error bar is narrow enough to tell


FIXATION_N = 20
FIXATION = {
    **WELL_MIXED,
    "n_nations": FIXATION_N,
    "beta": 0.0,
    "mutation": 0.0,
    "initial_compliance": 1.0 / FIXATION_N,
    "steps": 100,
}


def count_fixations(runs: range) -> int:
    """Runs (seeded by their index) in which the single complier takes over."""
    params = resolve_run(FIXATION, draw_seed=False)
    world = build_world(params, np.random.default_rng(0))
    assert int((~world.initial_defect).sum()) == 1
    fixed = 0
    for run in runs:
        eng = Engine(params, rng=run, world=world)
        compliers = 1
        while 0 < compliers < FIXATION_N:
            advance(eng, 10)  # the absorbing states stay absorbed
            compliers = FIXATION_N - int(eng.defect.sum())
        fixed += compliers == FIXATION_N
    return fixed


@pytest.mark.slow
def test_neutral_fixation_probability_is_one_over_n():
    runs = 2000
    # two processes, each run seeded by its index: the same count as one process would give
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        fixed = sum(pool.map(count_fixations, [range(0, runs, 2), range(1, runs, 2)]))
    theory = imitation_chain(resolve(FIXATION), FIXATION_N).fixation_probability(1)
    assert theory == pytest.approx(1 / FIXATION_N)
    interval = binomtest(fixed, runs).proportion_ci(0.99)
    print(
        f"fixation: {fixed}/{runs} = {fixed / runs:.4f}, 99% CI "
        f"[{interval.low:.4f}, {interval.high:.4f}], theory {theory:.4f}"
    )
    assert interval.low <= theory <= interval.high


@pytest.mark.slow
def test_fixation_counting_is_the_same_in_any_split():
    runs = range(0, 30)  # 4 of these 30 fix: the split must count the same ones
    assert count_fixations(runs) == count_fixations(runs[::2]) + count_fixations(runs[1::2])


def cascade_sizes(mean_degree: float, runs: int, n: int = 2000, seed: int = 1) -> np.ndarray:
    """Final defecting shares after one committed defector, on one Erdos-Renyi graph."""
    values = dict(
        n_nations=n,
        n_labs=0,
        alliance_network="erdos_renyi",
        alliance_density=mean_degree / (n - 1),
        alliance_weight=1.0,
        capability_dist="equal",
        decision_rule="threshold",
        threshold_scope="allies",
        threshold_mean=0.18,
        threshold_spread=0.0,
        p_false_alarm=0.0,
        steps=400,
    )
    params = resolve_run(values, draw_seed=False)
    base = build_world(params, np.random.default_rng(seed))
    pick = np.random.default_rng(seed + 1)
    sizes = []
    for run in range(runs):
        held = np.zeros(n, dtype=bool)
        held[pick.integers(n)] = True  # the seeded defector
        world = dataclasses.replace(
            base, committed=held, committed_defect=held.copy(), initial_defect=held.copy()
        )
        eng = Engine(params, rng=run, world=world)
        last = -1
        while int(eng.defect.sum()) != last:  # run to the cascade's end
            last = int(eng.defect.sum())
            advance(eng, 10)
        sizes.append(last / n)
    return np.array(sizes)


@pytest.mark.slow
def test_watts_global_cascades_inside_the_window_and_not_outside():
    window = cascade_window(0.18, 0.0)
    assert 1.0 < window.low < 1.1 and 5.5 < window.high < 6.0
    share = {}
    for z in (0.5, 3.0, 10.0):
        sizes = cascade_sizes(z, runs=40)
        share[z] = float(np.mean(sizes > 0.1))
        print(
            f"z={z}: condition {cascade_condition(z, 0.18, 0.0):.3f}, "
            f"global cascades in {share[z]:.2f} of runs"
        )
    assert window.contains(3.0) and not window.contains(0.5) and not window.contains(10.0)
    assert share[3.0] >= 0.5
    assert share[0.5] <= 0.05 and share[10.0] <= 0.05
