"""Nordhaus (2015), climate clubs: the stable coalition jumps from 1 to 15 at the critical
outsider penalty, and the simulated membership agrees with ``coalition_theory``.
"""

from __future__ import annotations

import pytest

from experiments.reproductions import nordhaus2015
from experiments.reproductions.common import NO_PUBLISHED_VALUE, OWN_FINDING, QUALITATIVE
from model.params import resolve
from model.treaty import coalition_theory

pytestmark = [pytest.mark.reproduction, pytest.mark.slow]


@pytest.fixture(scope="module")
def result(reproduced):
    """The quick run the contract test checks too (conftest.py runs it once)."""
    return reproduced("nordhaus2015")[0]


def test_the_jump_is_at_g_n_over_n_minus_1_in_theory_and_simulation(result):
    n = nordhaus2015.BASE["n_nations"]
    jump = next(c for c in result.claims if c.what.startswith("where the stable size jumps"))
    # our theory against our simulation: an own finding, theirs is no number of the paper's
    assert jump.kind == OWN_FINDING and jump.paper == NO_PUBLISHED_VALUE
    assert f"G n/(n-1) = {n / (n - 1):.4f}" in jump.what
    assert abs(float(jump.ours) - n / (n - 1)) <= nordhaus2015.JUMP_TOLERANCE


def test_the_papers_finding_is_compared_in_its_own_words(result):
    qualitative = [c for c in result.claims if c.kind == QUALITATIVE]
    assert len(qualitative) == 2
    assert all("Nordhaus 2015, abstract, p. 1339" in str(c.paper) for c in qualitative)
    assert "minimal abatement" in str(qualitative[0].paper)


@pytest.mark.parametrize("penalty, size", [(0.0, 1), (1.0, 1), (1.1, 15), (2.0, 15)])
def test_full_membership_settles_at_the_theorys_largest_stable_size(penalty, size):
    # 1.0 and 1.1 bracket the critical penalty 15/14 = 1.0714
    assert nordhaus2015.settled_membership(penalty, 1.0, seed=3) == size
    theory = coalition_theory(resolve(nordhaus2015.BASE, outsider_penalty=penalty))
    assert max(theory.stable_sizes) == size


def test_below_the_critical_mass_even_a_large_penalty_unravels():
    theory = coalition_theory(resolve(nordhaus2015.BASE, outsider_penalty=2.0))
    assert theory.critical_mass is not None and theory.critical_mass > 3
    assert nordhaus2015.settled_membership(2.0, 3 / 15, seed=4) == 1
