"""The one solver of stationary subgame-perfect play, for every game protocol and surplus.

Continuation values ``V[s, j]`` (what member ``j`` expects at the start of a round in state
``s``, before the proposer is recognised) are the fixed point of the protocol's recursion::

    V[s] = sum_p pi[s, p] * x(s, p)

where ``pi[s]`` is the recognition in state ``s`` and ``x(s, p)`` the payoffs of what ``p``
does there: it needs ``quota - 1`` partners, each accepting iff offered at least
``r_j = delta_j V[s', j]`` (``s'`` the state after a rejection; accepting when indifferent), and
buys the cheapest (the surplus's :meth:`~model.negotiation.Surplus.expected_offer`, ties
averaged); when no acceptable proposal pays the proposer its own ``r_p`` it delays and
everyone gets ``r``. The fixed point is first sought by a Newton-Krylov root of
``V - T(V)`` (:func:`scipy.optimize.newton_krylov`, from the equal split), which reaches it in a
few dozen evaluations of ``T`` where plain iteration needs tens of thousands (discount factors
near 1, many players). Where ``T`` has kinks (a surplus whose frontier is piecewise linear, such
as lotteries over term points), Newton-Krylov's directional differences can straddle a kink and
its steps cycle between linear pieces; when it fails, a small system (at most :data:`LM_SIZE`
values) is given to a Levenberg-Marquardt root of ``V - T(V)`` instead
(:func:`scipy.optimize.root`, ``method="lm"``: MINPACK with a forward-difference Jacobian, one
evaluation of ``T`` per value and Jacobian, its steps shortened by a trust region until the
residual falls). Whichever root is found (or the equal split, when neither finds one within
their share of the budget) then starts the damped iteration ``V <- V + a (T(V) - V)``, which
stops, as before, when the residual ``max |T(V) - V|`` is at most :data:`TOLERANCE` and so is
the distance the values still have to go at the observed rate of convergence (the residual
times ``rate / (1 - rate)``, ``rate`` the ratio of the last two residuals, so at least two
iterations).
At most :data:`MAX_ITERATIONS` evaluations of ``T`` are made in all; otherwise
:class:`NoEquilibriumError` names the protocol. It says so sooner when the change has not
reached a new minimum for :data:`STALLED` iterations: the iteration then cycles, typically
because a proposer's cheapest partners keep changing, where a stationary equilibrium needs mixed
choices of partners (``baron_ferejohn`` with unequal discount factors, or with transfers between
unequal nations). The solver then follows a smoothed choice of partners to its limit
(:mod:`model.negotiation._mixing`), and says so only when that fails too.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import NoConvergence, newton_krylov, root

from model.errors import ConfigError
from model.negotiation._mixing import BAND_START, smoothed_fixed_point
from model.negotiation._play import by_role
from model.negotiation._surplus import TIE_TOLERANCE, Proposal, Surplus

if TYPE_CHECKING:
    from model.negotiation import Protocol

#: The largest change of a continuation value at which the iteration stops.
TOLERANCE = 1e-9
#: The most evaluations of the recursion (Newton-Krylov's and the iteration's) before giving up.
MAX_ITERATIONS = 10_000
#: The residual at which the Newton-Krylov start is good enough (the iteration then confirms it).
ROOT_TOLERANCE = 1e-13
#: The damping ``a`` of ``V <- V + a (T(V) - V)``.
DAMPING = 0.5
#: How often (in iterations) the damped iteration over a piecewise surplus tries a root finder.
POLISH_EVERY = 50
#: The change below which it does (the right pieces are probably found by then).
POLISH_FROM = 1e-3
#: Iterations without a new smallest change after which the recursion is said to cycle.
STALLED = 300
#: The most values (states times members) for which Levenberg-Marquardt follows a failed
#: Newton-Krylov start (each of its Jacobians costs one evaluation of ``T`` per value).
LM_SIZE = 64


class NoEquilibriumError(ConfigError):
    """The recursion of a protocol did not converge (the message names the protocol)."""


@dataclass(frozen=True)
class Equilibrium:
    """Stationary subgame-perfect play of one protocol over one surplus.

    Attributes:
        protocol: The protocol.
        surplus: What proposals are possible.
        deltas: ``(n,)``: each member's per-round discount factor.
        quota: The yes votes (the proposer's included) a proposal needs.
        values: ``(states, n)``: the continuation values ``V``.
        iterations: How many iterations the fixed point took.
        play_values: Under a smoothed choice of partners, the values of the last band, at
            which proposals are made and judged (the mix's probabilities live in their small
            differences; ``values`` are their limit); None: ``values``.
    """

    protocol: Protocol
    surplus: Surplus
    deltas: np.ndarray
    quota: int
    values: np.ndarray
    iterations: int
    play_values: np.ndarray | None = None

    @property
    def partners(self) -> int:
        """How many other members' yes a proposal needs."""
        return self.quota - 1

    def reserve(self, state: int) -> np.ndarray:
        """``(n,)``: the least payoff each member accepts in ``state`` (``delta_j V[s', j]``)."""
        after = int(self.protocol.successor(len(self.deltas))[state])
        values = self.values if self.play_values is None else self.play_values
        reserve: np.ndarray = self.deltas * values[after]
        return reserve

    def proposal(
        self, state: int, proposer: int, rng: np.random.Generator | None = None
    ) -> Proposal | None:
        """What ``proposer`` proposes in ``state`` (None: it delays); ties drawn from ``rng``."""
        reserve = self.reserve(state)
        made = self.surplus.offer(proposer, reserve, self.partners, rng)
        # (proposing when indifferent, within the tie tolerance, as responders accept)
        if made is None or made.payoffs[proposer] < reserve[proposer] - TIE_TOLERANCE:
            return None
        return made

    def shares(self) -> np.ndarray:
        """``(n,)``: the theory's shares, in the order bots report theirs.

        By player in turn order (the values at the start, state 0), or for a protocol that
        reports by role the expected payoffs of the first round's proposer, its partners (in
        decreasing payoff) and the excluded, over who is recognised (ties between partners do
        not change them: tied partners cost the same).

        Raises:
            ConfigError: A proposer would delay, so the first round has no roles.
        """
        if not self.protocol.by_role:
            start: np.ndarray = self.values[0]
            return start
        n = len(self.deltas)
        recognition = self.protocol.recognition(n)[0]
        shares = np.zeros(n)
        for proposer in np.flatnonzero(recognition):
            made = self.proposal(0, int(proposer))
            if made is None:
                raise ConfigError(
                    f"{self.protocol.name}: member {proposer} would delay; no roles to report"
                )
            shares += recognition[proposer] * by_role(made.payoffs, made.proposer, made.partners)
        return shares


def _step(
    protocol: Protocol, surplus: Surplus, deltas: np.ndarray, quota: int, values: np.ndarray
) -> np.ndarray:
    """``T(V)``: the values one round of equilibrium play gives, for continuation values ``V``."""
    n = len(deltas)
    recognition = protocol.recognition(n)
    successor = protocol.successor(n)
    new = np.zeros_like(values)
    for state in range(values.shape[0]):
        reserve = deltas * values[successor[state]]
        for proposer in np.flatnonzero(recognition[state]):
            offered = surplus.expected_offer(int(proposer), reserve, quota - 1)
            # (a smoothed choice weighs in delaying itself, continuously)
            late = offered is not None and offered[proposer] < reserve[proposer] - TIE_TOLERANCE
            if offered is None or (surplus.band == 0.0 and late):
                offered = reserve
            new[state] += recognition[state, proposer] * offered
    return new


def solve(
    protocol: Protocol,
    surplus: Surplus,
    deltas: object,
    quota: int | None = None,
    *,
    damping: float = DAMPING,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
) -> Equilibrium:
    """The stationary subgame-perfect play of ``protocol`` over ``surplus``.

    Args:
        protocol: A game protocol (not an axiomatic one such as ``nash``).
        surplus: What proposals are possible among the members.
        deltas: Each member's per-round discount factor, in (0, 1).
        quota: Yes votes needed, the proposer's included (None: the protocol's default).
        damping: ``a`` in ``V <- V + a (T(V) - V)``, in (0, 1].
        tolerance: Stop when no value moves by more than this.
        max_iterations: Give up after this many evaluations of the recursion in all.

    Raises:
        ConfigError: Bad discounts, number of players or quota (the message says what is
            allowed); :class:`NoEquilibriumError` when the iteration does not converge.
    """
    from model.negotiation import check_discounts

    if protocol.axiomatic:
        raise ConfigError(f"{protocol.name} is a solution, not a game of offers: use its surplus")
    factors = check_discounts(deltas)
    n = len(factors)
    if n != surplus.n:
        raise ConfigError(f"{n} discount factors for {surplus.n} members; give one per member")
    quota = protocol.check(n, quota)
    start = np.full((protocol.states(n), n), 1.0 / n)

    def step(values: np.ndarray) -> np.ndarray:
        return _step(protocol, surplus, factors, quota, values)

    if surplus.piecewise:  # root finders stumble on its kinks; damped iteration does not
        values, used = start, 0
    else:
        values, used = _newton_start(step, start, max_iterations)
    before, best, best_at = np.inf, np.inf, 0
    change, rate = np.inf, 0.0
    for iteration in range(used + 1, max_iterations + 1):
        target = step(values)
        change = float(np.max(np.abs(target - values)))
        values = values + damping * (target - values)
        if surplus.piecewise and iteration % POLISH_EVERY == 0 and change < POLISH_FROM:
            values = _polish(step, values, tolerance)
        # the values still move by about change * rate / (1 - rate), rate the last ratio
        rate = change / before if before > 0.0 else 0.0
        measured = before < np.inf
        if (
            measured
            and change <= tolerance
            and (rate >= 1.0 or change * rate <= tolerance * (1.0 - rate))
        ):
            if surplus.piecewise:  # the exact root of the piece, where ties are ties
                values = _polish(step, values, tolerance)
            return Equilibrium(protocol, surplus, factors, quota, values, iteration)
        before = change
        if change < best:
            best, best_at = change, iteration
        elif iteration - best_at >= STALLED:
            mixed = _mixed_equilibrium(protocol, surplus, factors, quota, values, iteration)
            if mixed is not None:
                return mixed
            raise NoEquilibriumError(
                f"the {protocol.name} recursion cycles (no progress in {STALLED} iterations, "
                f"change {change:.1e} > {tolerance:g}): a proposer's cheapest partners keep "
                "changing, so its stationary equilibrium needs mixed choices of partners, and "
                "the smoothed choice found no fixed point either; use equal discount factors"
            )
    raise NoEquilibriumError(
        f"the {protocol.name} recursion did not converge within {max_iterations} iterations "
        f"(last change {change:.1e}, at rate {rate:.4f} per iteration; tolerance {tolerance:g}); "
        "discount factors nearer 1 converge slower, try smaller ones"
    )


def _mixed_equilibrium(
    protocol: Protocol,
    surplus: Surplus,
    factors: np.ndarray,
    quota: int,
    values: np.ndarray,
    iteration: int,
) -> Equilibrium | None:
    """The equilibrium with mixed choices of partners (:mod:`model.negotiation._mixing`).

    None when the surplus offers no smoothed choice or the continuation finds no fixed point.
    """
    if surplus.smoothed(surplus.scale * BAND_START) is None:
        return None

    def step_at(band: float) -> Callable[[np.ndarray], np.ndarray]:
        smooth = surplus.smoothed(band)
        assert smooth is not None
        return lambda v: _step(protocol, smooth, factors, quota, v)

    found = smoothed_fixed_point(step_at, values, surplus.scale)
    if found is None:
        return None
    limit, band, last, used = found
    smooth = surplus.smoothed(band)
    assert smooth is not None
    return Equilibrium(protocol, smooth, factors, quota, limit, iteration + used, last)


def _polish(
    step: Callable[[np.ndarray], np.ndarray], values: np.ndarray, tolerance: float
) -> np.ndarray:
    """A root of ``V - T(V)`` from ``values`` if Powell's method finds one, else ``values``.

    Where the recursion is piecewise linear the damped iteration, once it has found the
    right pieces, still creeps towards the fixed point at the rate ``1 - a (1 - delta)``; a root
    finder solves the piece's linear system at once. The iteration goes on from the root (it
    confirms it), or from where it was when no root within the tolerance was found.
    """
    shape = values.shape

    def residual(flat: np.ndarray) -> np.ndarray:
        v = flat.reshape(shape)
        out: np.ndarray = (v - step(v)).ravel()
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = root(residual, values.ravel(), method="hybr", options={"maxfev": 4 * values.size + 4})
    found = np.asarray(sol.x, dtype=float).reshape(shape)
    if np.all(np.isfinite(found)) and float(np.max(np.abs(residual(found.ravel())))) <= tolerance:
        return found
    return values


class _OutOfBudget(Exception):
    """The Newton-Krylov start used its share of the evaluations."""


def _newton_start(
    step: Callable[[np.ndarray], np.ndarray], start: np.ndarray, budget: int
) -> tuple[np.ndarray, int]:
    """A root of ``V - T(V)`` near ``start`` and the evaluations of ``T`` it took.

    Newton-Krylov first, then (when it fails and ``start`` has at most :data:`LM_SIZE` values)
    Levenberg-Marquardt from ``start``, together using at most a quarter of ``budget`` evaluations;
    when neither finds a root within them it returns ``start``, so the damped iteration
    proceeds as without it.
    """
    shape = start.shape
    used = 0

    def residual(flat: np.ndarray) -> np.ndarray:
        nonlocal used
        if used >= budget // 4:
            raise _OutOfBudget
        used += 1
        values = flat.reshape(shape)
        out: np.ndarray = (values - step(values)).ravel()
        return out

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = newton_krylov(residual, start.ravel(), f_tol=ROOT_TOLERANCE)
    except (_OutOfBudget, NoConvergence, ValueError, ArithmeticError, np.linalg.LinAlgError):
        found = None
    if found is not None and np.all(np.isfinite(found)):
        return np.asarray(found, dtype=float).reshape(shape), used
    if start.size > LM_SIZE:
        return start, used
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = root(residual, start.ravel(), method="lm", options={"xtol": 0.0, "ftol": 0.0})
    except (_OutOfBudget, ValueError, ArithmeticError, np.linalg.LinAlgError):
        return start, used
    found = np.asarray(result.x, dtype=float)
    if not np.all(np.isfinite(found)) or np.max(np.abs(result.fun)) > ROOT_TOLERANCE:
        return start, used
    return found.reshape(shape), used
