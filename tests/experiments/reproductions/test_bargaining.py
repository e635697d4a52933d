"""Bargaining protocols on a unit surplus: the model's general solver against the closed forms
of Rubinstein (1982), Baron and Ferejohn (1989), Nash (1950) and Binmore, Rubinstein and
Wolinsky (1986), typed from the papers in the module.
"""

from __future__ import annotations

import pytest

from experiments.reproductions import bargaining as bg
from experiments.reproductions.common import OWN_FINDING, PUBLISHED_NUMBER, QUALITATIVE

pytestmark = pytest.mark.reproduction


def test_the_typed_formulas_give_the_issues_numbers() -> None:
    # issue #29: 0.5263, 0.9091, 0.1818; 0.64 and 0.18; 1 - 3 delta / 5; 0.2442 ... 0.1602
    assert round(bg.rubinstein_first(0.9, 0.9), 4) == 0.5263
    assert round(bg.rubinstein_first(0.9, 0.5), 4) == 0.9091
    assert round(bg.rubinstein_first(0.5, 0.9), 4) == 0.1818
    assert bg.baron_ferejohn_shares(5, 0.9, 3) == pytest.approx((0.64, 0.18), abs=1e-15)
    assert bg.baron_ferejohn_shares(5, 0.9, 4)[0] == pytest.approx(1 - 3 * 0.9 / 5, abs=1e-15)
    assert [round(float(x), 4) for x in bg.rotating_shares(5, 0.9)] == [
        0.2442,
        0.2198,
        0.1978,
        0.1780,
        0.1602,
    ]
    assert float(bg.rotating_shares(7, 0.8).sum()) == pytest.approx(1.0, abs=1e-15)


def test_reproduce_holds(reproduced) -> None:
    result, out = reproduced("bargaining")
    assert result.holds, result.table()
    kinds = [c.kind for c in result.claims]
    assert kinds == [PUBLISHED_NUMBER] * 10 + [QUALITATIVE, QUALITATIVE, OWN_FINDING]
    for claim in result.claims[:10]:
        assert isinstance(claim.paper, float) and isinstance(claim.ours, float)
        assert abs(claim.paper - claim.ours) <= bg.NASH_TOLERANCE
    assert result.figure == out / "bargaining.png"
    for cited in ("Rubinstein 1982", "Baron & Ferejohn 1989", "Nash 1950", "Wolinsky 1986"):
        assert cited in result.citation


def test_the_asymmetric_nations_disagree_and_their_nash_is_a_lottery() -> None:
    values = bg.asymmetric_values()
    best0, best1 = values[values[:, 0].argmax()], values[values[:, 1].argmax()]
    assert best1[0] <= 0.6 * best0[0] and best0[1] <= 0.6 * best1[1]  # a real conflict
    nash = bg.nash_over_lotteries(values)
    # no term point is within 0.1% of it: the Nash solution mixes two points
    assert not (abs(values / nash - 1.0) <= 1e-3).all(axis=1).any()
    assert (nash * 0.999 > values).any(axis=1).all()  # no point dominates it
