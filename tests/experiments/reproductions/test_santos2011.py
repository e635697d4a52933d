"""Santos and Pacheco (2011), the collective-risk dilemma: our fitness and imitation chain
against egttools, an independent implementation of the same game and process.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import comb

from experiments.reproductions import santos2011 as crd
from experiments.reproductions.common import PUBLISHED_NUMBER, QUALITATIVE

pytestmark = pytest.mark.reproduction


def test_the_gap_is_the_papers_fitness_by_direct_enumeration() -> None:
    # k = 20 cooperators of Z = 50: count the groups of N - 1 co-players by hand
    k, r = 20, 0.5
    total = comb(crd.Z - 1, crd.N - 1, exact=True)
    defector = cooperator = 0.0
    for j in range(crd.N):  # cooperating co-players
        ways_d = comb(k, j, exact=True) * comb(crd.Z - 1 - k, crd.N - 1 - j, exact=True)
        ways_c = comb(k - 1, j, exact=True) * comb(crd.Z - k, crd.N - 1 - j, exact=True)
        defector += ways_d / total * (1.0 if j >= crd.M else 1.0 - r)
        cooperator += ways_c / total * ((1.0 if j + 1 >= crd.M else 1.0 - r) - crd.COST)
    assert crd.crd_gap(r)[k] == pytest.approx(defector - cooperator, abs=1e-14)


@pytest.mark.parametrize("risk", [0.2, 0.6])
def test_gradient_agrees_with_egttools(risk: float) -> None:
    chain = crd.crd_chain(risk)
    gradient, _, _ = crd._theirs(risk)
    np.testing.assert_allclose(chain.up - chain.down, gradient, atol=crd.TOL_GRADIENT, rtol=0)


def test_a_wrong_game_would_be_caught() -> None:
    # the same chain with the threshold one higher is not egttools' game
    chain = crd.ImitationChain.from_gap(crd.crd_gap(0.6, threshold=crd.M + 1), crd.BETA)
    gradient, _, _ = crd._theirs(0.6)
    assert np.max(np.abs(chain.up - chain.down - gradient)) > 1e-3


def test_reproduce_holds_with_the_kinds_stated(reproduced) -> None:
    result, out = reproduced("santos2011")
    assert result.holds, result.table()
    assert [c.kind for c in result.claims] == [PUBLISHED_NUMBER, PUBLISHED_NUMBER, QUALITATIVE]
    assert "p. 10421" in str(result.claims[2].paper)
    assert result.figure == out / "santos2011.png"
