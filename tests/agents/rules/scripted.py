"""Helpers shared by the test files beside this one."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from agents.rules import Observation


def csr(n_nations: int, edges: list[tuple[int, int, float]]):
    rows = [a for a, b, _ in edges] + [b for a, b, _ in edges]
    cols = [b for a, b, _ in edges] + [a for a, b, _ in edges]
    data = [w for *_, w in edges] * 2
    m = sp.csr_array((data, (rows, cols)), shape=(n_nations, n_nations))
    m.sort_indices()
    return m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data.astype(float)


def world(n_nations: int, lab_homes: list[int], edges: list[tuple[int, int, float]]):
    home = np.array(list(range(n_nations)) + sorted(lab_homes), dtype=np.int64)
    n = len(home)
    return {
        "home": home,
        "is_lab": np.arange(n) >= n_nations,
        "n_nations": n_nations,
        "alliances": csr(n_nations, edges),
        "capability": np.full(n, 1.0 / n),
    }


def obs(
    extra,
    *,
    defect=None,
    caught=None,
    belief=None,
    uniforms=None,
    state=None,
    advantage=None,
    expected=None,
    realized=None,
) -> Observation:
    n = len(extra["home"])
    zeros = np.zeros(n, dtype=bool)
    advantage = np.zeros(n) if advantage is None else np.asarray(advantage, float)
    full = {
        **extra,
        "state": {} if state is None else state,
        "t": 1,
        "caught_last": zeros if caught is None else np.asarray(caught, bool),
        "flagged_last": zeros if caught is None else np.asarray(caught, bool),
        "expected_payoff": (
            np.stack([np.zeros(n), advantage]) if expected is None else np.asarray(expected, float)
        ),
        "realized_payoff": np.zeros(n) if realized is None else np.asarray(realized, float),
    }
    return Observation(
        advantage=advantage,
        uniforms=np.full(n, 0.5) if uniforms is None else np.asarray(uniforms),
        defect=zeros if defect is None else np.asarray(defect, bool),
        belief=np.zeros(n) if belief is None else np.asarray(belief, float),
        tolerance=5e-12,
        extra=full,
    )
