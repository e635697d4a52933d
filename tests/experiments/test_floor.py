"""The floor kernel of `pausegame sweep-benchmark` computes what it claims (floor.py)."""

import numpy as np

from experiments.floor import TOTALS, floor_block, floor_reference, floor_world, time_floor


def _case(seed):
    c, home, is_lab = floor_world(3, 5, seed)
    rng = np.random.default_rng(seed)
    u = rng.random((4, 7, 3, len(c)))
    defect = rng.random((4, len(c))) < 0.5
    return u, c, home, is_lab, defect


def test_floor_sums_equal_a_numpy_loop_on_the_same_draws():
    for seed, p, f in ((1, 0.3, 2.0), (2, 0.9, 0.5), (3, 0.0, 0.0)):
        u, c, home, is_lab, defect = _case(seed)
        want = floor_reference(u, c, home, is_lab, 3, p, f, defect)
        got = np.zeros((4, len(TOTALS)))
        d = defect.copy()
        floor_block(u, c, home, is_lab, 3, p, f, d, got)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        # counts are exact, and the runs did not all comply or all defect
        np.testing.assert_array_equal(got[:, 1], want[:, 1])
        assert 0 < got[:, 1].sum() < 4 * 7 * len(c)


def test_floor_block_by_block_equals_one_block():
    u, c, home, is_lab, defect = _case(4)
    whole = np.zeros((4, len(TOTALS)))
    floor_block(u, c, home, is_lab, 3, 0.5, 1.0, defect.copy(), whole)
    parts = np.zeros((4, len(TOTALS)))
    d = defect.copy()
    floor_block(np.ascontiguousarray(u[:, :3]), c, home, is_lab, 3, 0.5, 1.0, d, parts)
    floor_block(np.ascontiguousarray(u[:, 3:]), c, home, is_lab, 3, 0.5, 1.0, d, parts)
    np.testing.assert_allclose(parts, whole, rtol=1e-12)


def test_time_floor_counts_actor_months_and_is_reproducible():
    a = time_floor(np.array([0.2, 0.8]), np.array([1.0, 5.0]), 3, 10, 2, 4, master_seed=5)
    b = time_floor(np.array([0.2, 0.8]), np.array([1.0, 5.0]), 3, 10, 2, 4, master_seed=5)
    assert a.actor_months == 2 * 3 * 10 * 6
    np.testing.assert_array_equal(a.totals, b.totals)
    assert a.totals[1] > 0
