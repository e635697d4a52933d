"""Mixed choices of partners: the stationary equilibria a pure choice cannot reach.

When members differ (unequal discount factors, or unequal surpluses at a term point), a
Baron-Ferejohn proposer's cheapest partners depend on the continuation values, and the values
on who is bought: in the stationary equilibrium the marginal partners cost the same and the
proposer *mixes* among them, buying each with a probability that keeps them equally cheap
(Eraslan 2002 shows the stationary payoffs are then unique). The pure recursion of
:mod:`model.negotiation._solver` cycles there.

The solver then follows a *smoothed* choice to its limit. With a band ``b > 0`` a proposer who
needs ``k`` of the candidates with costs ``c_j`` buys candidate ``j`` with probability
``p_j = clip((c* - c_j) / b + 1/2, 0, 1)``, the cutoff ``c*`` chosen so that the ``p_j`` sum to
``k`` (:func:`inclusion`): those cheaper than ``c*`` by more than ``b / 2`` for sure, those dearer
by more than ``b / 2`` never, and in between in proportion (a surplus over term points smooths
its choice of points likewise). The recursion is then continuous (piecewise linear) in the
values. Its fixed point ``V(b)`` is found by a root finder (:func:`scipy.optimize.root`,
Powell's hybrid method) from the last one as ``b`` shrinks by a factor of 3 from
:data:`BAND_START` towards :data:`BAND_END` (times the surplus's scale): at the first band
damped iteration may bring the values near first, and where a step's fixed point is not found
the step is shortened (at most :data:`MAX_RETRIES` times). Since ``V(b)`` approaches the
equilibrium linearly in ``b``, the last two are extrapolated to ``b = 0`` (Richardson). At
``b -> 0`` the smoothed choice is the equilibrium's mix: only equally cheap partners are mixed,
with the probabilities the fixed point needs. In play the partners are drawn with the last
band's probabilities at that band's fixed point (:func:`draw_inclusion`; the extrapolated values
tie the marginal partners exactly and so carry no mix).

Reference:
    Eraslan, H. (2002). Uniqueness of stationary equilibrium payoffs in the Baron-Ferejohn
    model. *Journal of Economic Theory* 103(1), 11-30.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy.optimize import root

#: The first band of the continuation, as a share of the surplus's scale.
BAND_START = 1.0
#: The smallest band tried, as a share of the surplus's scale.
BAND_END = 1e-7
#: How much the band shrinks per step of the continuation.
BAND_STEP = 3.0
#: The residual ``max |T_b(V) - V|`` at which a smoothed fixed point counts as found.
ROOT_RESIDUAL = 1e-12
#: Halvings (in log scale) of a band step whose fixed point was not found, before giving up.
MAX_RETRIES = 4
#: Damped iterations that may precede the root finder at the first band.
FIRST_ITERATIONS = 500


def inclusion(costs: np.ndarray, k: int, band: float) -> np.ndarray:
    """Each candidate's probability of being bought when ``k`` are, cheapest first, smoothed.

    ``p_j = clip((c* - c_j) / band + 1/2, 0, 1)`` with the cutoff ``c*`` that makes the ``p_j``
    sum to ``k`` (exactly: the sum is piecewise linear and nondecreasing in ``c*``). ``costs``
    may be ``(m,)`` or ``(rows, m)`` (each row on its own).

    Example:
        >>> inclusion(np.array([0.1, 0.2, 0.2, 0.9]), 2, 0.01).tolist()
        [1.0, 0.5, 0.5, 0.0]
    """
    costs = np.asarray(costs, dtype=float)
    rows = costs.reshape(-1, costs.shape[-1]) if costs.size else costs.reshape(0, 0)
    m = rows.shape[1]
    if k <= 0 or k >= m:
        return np.full(costs.shape, 0.0 if k <= 0 else 1.0)
    half = band / 2.0
    points = np.sort(np.concatenate([rows - half, rows + half], axis=1), axis=1)
    sums = np.clip((points[:, :, None] - rows[:, None, :]) / band + 0.5, 0.0, 1.0).sum(axis=2)
    i = np.argmax(sums >= k - 1e-12, axis=1)
    at = np.arange(len(rows))
    before = np.maximum(i - 1, 0)
    lo, hi = points[at, before], points[at, i]
    s0, s1 = sums[at, before], sums[at, i]
    exact = (i == 0) | (np.abs(s1 - k) <= 1e-12) | (s1 == s0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cut = np.where(exact, hi, lo + (k - s0) * (hi - lo) / np.where(s1 == s0, 1.0, s1 - s0))
    p = np.clip((cut[:, None] - rows) / band + 0.5, 0.0, 1.0)
    p *= k / p.sum(axis=1, keepdims=True)  # the rounding of the cutoff, not the shape
    out: np.ndarray = p.reshape(costs.shape)
    return out


def draw_inclusion(p: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """Indices of a draw of ``round(sum p)`` candidates, candidate ``j`` with probability ``p_j``.

    Systematic sampling (Madow 1949): candidates in a random order laid end to end on
    ``[0, k)``, each over a length ``p_j``; one uniform ``u`` picks those covering
    ``u, u + 1, ..., u + k - 1``. Without ``rng`` the ``k`` likeliest (lowest index first).
    """
    k = int(round(float(p.sum())))
    if rng is None:
        chosen: np.ndarray = np.sort(np.argsort(-p, kind="stable")[:k])
        return chosen
    order = rng.permutation(len(p))
    edges = np.concatenate([[0.0], np.cumsum(p[order])])
    marks = rng.random() + np.arange(k)
    picked = np.searchsorted(edges, marks, side="right") - 1
    return order[np.clip(picked, 0, len(p) - 1)]


def smoothed_fixed_point(
    step_at: Callable[[float], Callable[[np.ndarray], np.ndarray]],
    start: np.ndarray,
    scale: float,
) -> tuple[np.ndarray, float, np.ndarray, int] | None:
    """The fixed point of the smoothed recursions as the band shrinks, extrapolated to 0.

    Args:
        step_at: ``step_at(band)`` is the recursion ``T_b`` with that band.
        start: Where the continuation starts (the values the pure recursion reached).
        scale: The surplus's scale (bands are shares of it).

    Returns:
        ``(values, band, at_band, evaluations)``: the extrapolated values, the last band whose
        fixed point was found, that fixed point, and the evaluations of ``T_b`` made; None when
        fewer than two bands' fixed points were found.
    """
    values = start
    found: list[tuple[float, np.ndarray]] = []
    used = 0
    band = BAND_START * scale
    retries = 0
    while band >= BAND_END * scale:
        candidate, evaluations = _fixed_point_at(step_at(band), values, scale, first=not found)
        used += evaluations
        if candidate is not None:
            values = candidate
            found.append((band, candidate))
            band /= BAND_STEP
            retries = 0
        elif found and retries < MAX_RETRIES:  # a smaller step from the last band found
            band = float(np.sqrt(band * found[-1][0]))
            retries += 1
        else:
            break
    if len(found) < 2:
        return None
    (b1, v1), (b2, v2) = found[-2], found[-1]
    extrapolated: np.ndarray = v2 + (v2 - v1) * b2 / (b1 - b2)
    return extrapolated, b2, v2, used


def _fixed_point_at(
    step: Callable[[np.ndarray], np.ndarray], start: np.ndarray, scale: float, *, first: bool
) -> tuple[np.ndarray | None, int]:
    """The fixed point of one band's recursion from ``start`` (None: not found) and its cost.

    Powell's hybrid method; at the first band, if it fails, damped iteration (half steps, at
    most :data:`FIRST_ITERATIONS`) brings the values near the fixed point and the method runs
    again from there.
    """
    shape = start.shape

    def residual(flat: np.ndarray) -> np.ndarray:
        v = flat.reshape(shape)
        out: np.ndarray = (v - step(v)).ravel()
        return out

    def attempt(at: np.ndarray) -> tuple[np.ndarray | None, int]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol = root(residual, at.ravel(), method="hybr", options={"xtol": 1e-15})
        found = np.asarray(sol.x, dtype=float).reshape(shape)
        ok = bool(np.all(np.isfinite(found))) and float(
            np.max(np.abs(residual(found.ravel())))
        ) <= ROOT_RESIDUAL * max(scale, 1.0)
        return (found if ok else None), int(sol.nfev) + 1

    found, used = attempt(start)
    if found is not None or not first:
        return found, used
    values = start
    for _ in range(FIRST_ITERATIONS):
        values = values + 0.5 * (step(values) - values)
    found, more = attempt(values)
    return found, used + FIRST_ITERATIONS + more
