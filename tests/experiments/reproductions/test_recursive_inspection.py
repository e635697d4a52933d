"""Dresher's recursive inspection game: pausegame's inspector (backward induction by linear
programmes) against Dresher's closed form, typed from the paper.
"""

from __future__ import annotations

import pytest

from experiments.reproductions import recursive_inspection as ri
from experiments.reproductions.common import PUBLISHED_NUMBER

pytestmark = pytest.mark.reproduction


def test_the_typed_formula_gives_the_values_worked_by_hand() -> None:
    # v(2, 1) = 1/3, v(3, 1) = 1/2, v(3, 2) = 1/7, v(4, 2) = 3/11 (the 2 x 2 games by hand)
    assert ri.dresher_value(2, 1) == pytest.approx(1 / 3, rel=1e-15)
    assert ri.dresher_value(3, 1) == pytest.approx(1 / 2, rel=1e-15)
    assert ri.dresher_value(3, 2) == pytest.approx(1 / 7, rel=1e-15)
    assert ri.dresher_value(4, 2) == pytest.approx(3 / 11, rel=1e-15)
    assert ri.dresher_value(5, 0) == 1.0 and ri.dresher_value(5, 5) == 0.0


def test_reproduce_holds(reproduced) -> None:
    result, out = reproduced("recursive_inspection")
    assert result.holds, result.table()
    (claim,) = result.claims
    assert claim.kind == PUBLISHED_NUMBER and claim.paper == claim.ours
    assert result.figure == out / "recursive_inspection.png"
