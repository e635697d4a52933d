"""The inspector with a budget over time: the recursive inspection game by backward induction."""

from __future__ import annotations

import numpy as np
import pytest

from model.errors import ParameterError
from model.inspector import solve_budgeted


def test_small_games_by_hand() -> None:
    # n = 2, m = 1: [[-1, 1], [v(1, 0) = 1, v(1, 1) = 0]] has value 1/3, both mixing 1/3
    game = solve_budgeted(4)
    assert game.value[2, 1] == pytest.approx(1 / 3, abs=1e-12)
    assert game.inspect[2, 1] == pytest.approx(1 / 3, abs=1e-9)
    assert game.violate[2, 1] == pytest.approx(1 / 3, abs=1e-9)
    # n = 3, m = 2: [[-1, 1], [v(2, 1) = 1/3, v(2, 2) = 0]] -> (0 - 1/3) / (-1 - 1 - 1/3) = 1/7
    assert game.value[3, 2] == pytest.approx(1 / 7, abs=1e-12)


def test_boundaries_and_monotonicity() -> None:
    game = solve_budgeted(9)
    n = np.arange(1, 10)
    assert np.all(game.value[n, 0] == 1.0) and np.all(game.value[n, n] == 0.0)
    # more inspections never help the inspectee; more periods never hurt it
    for i in range(2, 10):
        assert np.all(np.diff(game.value[i, : i + 1]) < 0)
        assert np.all(game.value[i, 1:i] > game.value[i - 1, 1:i])


def test_months_are_checked() -> None:
    with pytest.raises(ParameterError, match=r"months=0 .*allowed: an integer in 1..60"):
        solve_budgeted(0)
    with pytest.raises(ParameterError, match="months=2.5"):
        solve_budgeted(2.5)  # type: ignore[arg-type]
