"""The mean field over a world's own actors: each with its capability, shielding share and kind.

The survival boundary of :mod:`model.theory.bands` is for identical actors at one shielding
share. A world's allies shield its nations unevenly, and a capability-weighted *mean* share
hides the large, well-shielded nations that break the pause first. Here every actor ``a`` keeps
its capability ``c_a``, its shielding share ``s_a`` (its home nation's) and its kind, and the
mean field is the fixed point of the capability-weighted defection share

    x = F(x; p) = sum_a c_a * sigma_a(x; p) / C,        C = sum_a c_a,

where ``sigma_a`` is the share of the time actor ``a`` defects when the believed defection
share is ``x`` (``rho = x`` for everybody, as in the homogeneous mean field): under logit
``expit(beta * delta_a(x, p))``, under best response ``1`` if ``delta_a > tol`` else 0, with
``delta_a`` the affine advantage of :func:`model.theory.advantage` at ``s_a``. A nation sees
international verification only; a lab whose nation complied last month is checked at home
first, one whose nation defected is not, so a lab defects with
``(1 - y_h) * sigma_lab(x) + y_h * sigma_unchecked(x)``, ``y_h`` its home nation's ``sigma``.

* :func:`compliant_share`: the compliant branch, the smallest fixed point of ``F``.
* :func:`heterogeneous_boundary`: the smallest ``p_detect`` at which the compliant branch keeps
  compliance ``1 - x`` at least ``stability_threshold``. With identical actors it is the closed
  form :func:`~model.theory.survival_boundary`.
* :func:`monthly_break_probability`, :func:`collapse_probability` and
  :func:`collapse_boundary`: the fluctuations. Around the compliant branch every actor defects
  in a month independently with probability ``sigma_a``; the month breaks the pause when the
  capability-weighted defection share ``D = sum_a c_a B_a / C`` exceeds ``1 - theta``. With
  equal capabilities ``C * D / c`` is a Poisson-binomial count (:data:`scipy.stats.poisson_binom`);
  with unequal capabilities ``D`` is a *weighted* sum of Bernoulli variables, which is not
  Poisson-binomial: its distribution is computed exactly on a lattice of capability units
  (each ``c_a / C`` rounded to a multiple of ``1 / units``) by multiplying the actors'
  characteristic functions (:func:`numpy.fft.rfft`). Months are taken as independent, each
  breaking with that probability ``q``; the pause collapses when ``collapse_patience``
  consecutive months break within the horizon (a run of successes among Bernoulli trials, by the
  chain on the current run length).

Every root is found with :func:`scipy.optimize.brentq`. Nothing here is fitted to simulation.

Example:
    >>> from model.params import resolve
    >>> from model.theory import survival_boundary
    >>> params = resolve()
    >>> same = Actors(c=np.full(4, 0.25), shield=np.full(4, 0.6), is_lab=np.zeros(4, bool),
    ...               home=np.arange(4))
    >>> closed = survival_boundary(params, shield=0.6)
    >>> bool(abs(heterogeneous_boundary(params, same) - closed) < 1e-6)
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.stats import poisson_binom

from agents.rules.logit import defect_probability
from model.theory.affine import _beta, _line, _p, _rule

__all__ = [
    "Actors",
    "BatchBoundaries",
    "Population",
    "batch_boundaries",
    "collapse_boundary",
    "collapse_probability",
    "compliant_probabilities",
    "compliant_share",
    "heterogeneous_boundary",
    "monthly_break_probability",
    "survival_share",
]

#: Points of the grid on which the smallest sign change of ``F(x) - x`` is looked for.
_GRID = 257
#: Lattice units of world capability for the weighted defection share (about 1e-5 apart).
_UNITS = 1 << 17


class Population(Protocol):
    """What the heterogeneous mean field reads of a world (an :class:`~model.engine.Engine`)."""

    @property
    def c(self) -> Any:
        """Every actor's capability."""

    @property
    def shield(self) -> Any:
        """Every actor's shielding share."""

    @property
    def is_lab(self) -> Any:
        """Whether each actor is a lab."""

    @property
    def home(self) -> Any:
        """Each actor's home nation (a nation is its own)."""


@dataclass(frozen=True)
class Actors:
    """A world's actors as the heterogeneous mean field sees them.

    Attributes:
        c: Capabilities (any positive scale).
        shield: Shielding shares ``s_a`` in [0, 1].
        is_lab: True for labs.
        home: Home nation of each actor; nation ``h`` is the actor that is not a lab with home
            ``h`` (a lab whose home has no such actor is taken to have a complying nation).
    """

    c: NDArray[np.float64]
    shield: NDArray[np.float64]
    is_lab: NDArray[np.bool_]
    home: NDArray[np.int64]

    @classmethod
    def of(cls, world: Population) -> Actors:
        """The actors of a world (an engine, or anything with ``c``, ``shield``, ...)."""
        return cls(
            c=np.asarray(world.c, dtype=float).copy(),
            shield=np.clip(np.asarray(world.shield, dtype=float), 0.0, 1.0),
            is_lab=np.asarray(world.is_lab, dtype=bool).copy(),
            home=np.asarray(world.home, dtype=np.int64).copy(),
        )

    @property
    def weights(self) -> NDArray[np.float64]:
        """Capability shares ``c_a / C``."""
        return self.c / self.c.sum()


@dataclass(frozen=True)
class _Field:
    """Per-actor lines ``delta = base + race * x - deter * p`` and how to read them."""

    weights: NDArray[np.float64]
    base: NDArray[np.float64]  # the actor's own line (lab: checked at home)
    deter: NDArray[np.float64]
    base_free: NDArray[np.float64]  # a lab whose nation defected: international checks only
    deter_free: NDArray[np.float64]
    race: float
    tol: float
    is_lab: NDArray[np.bool_]
    nation_of: NDArray[np.int64]  # the actor index of each actor's home nation (-1: none)
    logit: bool
    beta: float

    def sigma(self, delta: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.logit:
            return np.asarray(defect_probability(delta, self.beta), dtype=float)
        return (delta > self.tol).astype(float)

    def probabilities(self, x: Any, p: float) -> NDArray[np.float64]:
        """Each actor's defection probability at believed share(s) ``x``: (actors, *x.shape)."""
        xs = np.asarray(x, dtype=float)[None, ...]
        shape = (-1,) + (1,) * (xs.ndim - 1)
        own = self.sigma(self.base.reshape(shape) + self.race * xs - self.deter.reshape(shape) * p)
        if not self.is_lab.any():
            return own
        free = self.sigma(
            self.base_free.reshape(shape) + self.race * xs - self.deter_free.reshape(shape) * p
        )
        has = self.nation_of >= 0
        y = np.zeros_like(own)
        y[has] = own[self.nation_of[has]]
        lab = self.is_lab.reshape(shape)
        return np.where(lab, (1.0 - y) * own + y * free, own)

    def share(self, x: Any, p: float) -> Any:
        """``F(x; p)``: the capability-weighted share that defects in reply to ``x``."""
        types = self.types
        return np.tensordot(types.weights, types.probabilities(x, p), axes=1)

    @cached_property
    def types(self) -> _Field:
        """The same field over the actors' distinct types, each weighing its actors' total.

        Actors with the same lines (and, for a lab, the same home nation's type) defect with
        the same probability, so ``F`` sums over a handful of types instead of every actor:
        a world of 100,000 labs costs what one of a few dozen does.
        """
        lines = np.column_stack([self.base, self.deter, self.base_free, self.deter_free])
        nations = ~self.is_lab
        _, first, nation_type = np.unique(
            lines[nations], axis=0, return_index=True, return_inverse=True
        )
        n_types = first.size
        type_of = np.full(self.weights.size, -1, dtype=np.int64)
        type_of[nations] = nation_type.reshape(-1)
        home = np.where(self.nation_of >= 0, type_of[np.maximum(self.nation_of, 0)], -1)
        labs = self.is_lab
        if labs.any():
            keys = np.column_stack([lines[labs], home[labs].astype(float)])
            _, lab_first, lab_type = np.unique(keys, axis=0, return_index=True, return_inverse=True)
            type_of[labs] = n_types + lab_type.reshape(-1)
        n_all = n_types + (int(lab_first.size) if labs.any() else 0)
        rep = np.empty(n_all, dtype=np.int64)
        rep[type_of] = np.arange(type_of.size)  # a representative actor of each type
        weights = np.bincount(type_of, weights=self.weights, minlength=n_all)
        return replace(
            self,
            weights=weights,
            base=self.base[rep],
            deter=self.deter[rep],
            base_free=self.base_free[rep],
            deter_free=self.deter_free[rep],
            is_lab=self.is_lab[rep],
            nation_of=home[rep],
        )


def _field(params: Mapping[str, Any], actors: Actors, rule: str | None) -> _Field:
    name = _rule(params, rule)
    n = actors.c.size
    base, deter = np.empty(n), np.empty(n)
    base_free, deter_free = np.empty(n), np.empty(n)
    lines: dict[tuple[str, float], Any] = {}
    for i in range(n):
        s = float(actors.shield[i])
        kind = "lab" if actors.is_lab[i] else "nation"
        for key in ((kind, s), ("nation", s)):
            if key not in lines:
                lines[key] = _line(params, key[0], key[1])
        own, free = lines[(kind, s)], lines[("nation", s)]
        base[i], deter[i], base_free[i], deter_free[i] = own.base, own.deter, free.base, free.deter
    first = next(iter(lines.values()))
    nation_actor = {int(h): i for i, h in enumerate(actors.home) if not actors.is_lab[i]}
    nation_of = np.array([nation_actor.get(int(h), -1) for h in actors.home], dtype=np.int64)
    return _Field(
        weights=actors.weights,
        base=base,
        deter=deter,
        base_free=base_free,
        deter_free=deter_free,
        race=first.race,
        tol=first.tol,
        is_lab=actors.is_lab,
        nation_of=nation_of,
        logit=name == "logit",
        beta=_beta(params) if name == "logit" else math.nan,
    )


def _compliant(field: _Field, p: float) -> float:
    """The smallest fixed point of ``F(.; p)`` on [0, 1]."""
    if not field.logit:  # F is a nondecreasing step function: iterate up from 0 (Tarski)
        x = 0.0
        for _ in range(field.weights.size + 2):
            nxt = float(field.share(x, p))
            if nxt <= x:
                return x
            x = nxt
        return x
    grid = np.linspace(0.0, 1.0, _GRID)
    gap = field.share(grid, p) - grid
    below = np.flatnonzero(gap <= 0.0)
    if not below.size:  # rounding: F(1) = 1
        return 1.0
    i = int(below[0])
    if gap[i] == 0.0 or i == 0:
        return float(grid[i])
    return float(brentq(lambda x: float(field.share(x, p)) - x, grid[i - 1], grid[i], xtol=1e-14))


def compliant_share(
    params: Mapping[str, Any],
    actors: Actors,
    *,
    rule: str | None = None,
    p_detect: float | None = None,
) -> float:
    """The compliant branch: the smallest capability-weighted defection share ``x = F(x)``.

    Args:
        params: The parameters.
        actors: The world's actors (:meth:`Actors.of`).
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).
        p_detect: Overrides ``params["p_detect"]``.

    Returns:
        The defection share ``x`` of the compliant branch (its compliance is ``1 - x``).
    """
    return _compliant(_field(params, actors, rule), _p(params, p_detect))


def compliant_probabilities(
    params: Mapping[str, Any],
    actors: Actors,
    *,
    rule: str | None = None,
    p_detect: float | None = None,
) -> NDArray[np.float64]:
    """Each actor's defection probability ``sigma_a`` at the compliant branch.

    The probabilities of :func:`compliant_share`'s fixed point ``x`` (a lab's mixes its home
    nation's last action, see the module); their capability-weighted sum is ``F(x) = x``.
    """
    field = _field(params, actors, rule)
    p = _p(params, p_detect)
    probs: NDArray[np.float64] = field.probabilities(_compliant(field, p), p)
    return probs


def _first_p(gap: Any) -> float:
    """The smallest ``p`` in [0, 1] with ``gap(p) <= 0`` for a nonincreasing ``gap``.

    0.0 when ``gap(0) <= 0``, NaN when ``gap(1) > 0``; otherwise Brent's method on the sign
    change (``gap`` may jump there: the root is then the jump).
    """
    if gap(0.0) <= 0.0:
        return 0.0
    if gap(1.0) > 0.0:
        return math.nan
    return float(brentq(gap, 0.0, 1.0, xtol=1e-10))


def heterogeneous_boundary(
    params: Mapping[str, Any], actors: Actors, *, rule: str | None = None
) -> float:
    """The smallest ``p_detect`` whose compliant branch keeps compliance >= the threshold.

    The compliant branch :func:`compliant_share` falls as ``p_detect`` rises (every actor's
    advantage of defecting falls with it), so the boundary is the root of
    ``x(p) - (1 - theta)`` in [0, 1] (Brent's method; at a saddle-node ``x(p)`` jumps and the
    root is the jump). With identical actors it is the closed form
    :func:`~model.theory.survival_boundary` at their shielding share and kind.

    Args:
        params: The parameters (reads ``stability_threshold``).
        actors: The world's actors.
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).

    Returns:
        The boundary in [0, 1]: 0.0 if the pause holds even at ``p_detect = 0``, NaN if it does
        not hold even at ``p_detect = 1``.
    """
    field = _field(params, actors, rule)
    x_theta = 1.0 - float(params["stability_threshold"])
    return _first_p(lambda p: _compliant(field, p) - x_theta)


def _tail(weights: NDArray[np.float64], probs: NDArray[np.float64], above: float) -> float:
    """``P(sum_a w_a B_a > above)`` for independent ``B_a ~ Bernoulli(probs_a)``, ``sum w = 1``.

    Equal weights: a Poisson-binomial count (:data:`scipy.stats.poisson_binom`). Otherwise the
    weighted sum's distribution on the lattice of ``_UNITS`` capability units, the actors'
    two-point distributions convolved one by one; only the part at most ``above`` is kept, the
    rest is collected once and for all (adding an actor never lowers the sum).
    """
    if np.allclose(weights, weights[0], rtol=1e-12, atol=0.0):
        count = math.floor(above / weights[0] * (1.0 + 1e-12))
        return float(poisson_binom.sf(count, probs))
    units = np.rint(weights * _UNITS).astype(np.int64)
    cut = math.floor(above * _UNITS * (1.0 + 1e-12))  # sums of at most `cut` units do not break
    pmf = np.zeros(cut + 1)
    pmf[0] = 1.0
    over = 0.0
    for w, q in zip(units.tolist(), probs.tolist(), strict=True):
        if w > cut:
            over += q * float(pmf.sum())
            pmf *= 1.0 - q
            continue
        over += q * float(pmf[cut + 1 - w :].sum())
        moved = q * pmf[: cut + 1 - w]
        pmf *= 1.0 - q
        pmf[w:] += moved
    return min(max(over, 0.0), 1.0)


def monthly_break_probability(
    params: Mapping[str, Any],
    actors: Actors,
    *,
    rule: str | None = None,
    p_detect: float | None = None,
) -> float:
    """The probability that one month on the compliant branch breaks the pause.

    Every actor defects independently with its probability at the compliant branch
    (:func:`compliant_share`); the month breaks the pause when the capability-weighted
    defection share exceeds ``1 - stability_threshold``.
    """
    field = _field(params, actors, rule)
    return _break(field, _p(params, p_detect), 1.0 - float(params["stability_threshold"]))


def _break(field: _Field, p: float, x_theta: float) -> float:
    probs = field.probabilities(_compliant(field, p), p)
    return _tail(field.weights, probs, x_theta)


def collapse_probability(q: float, horizon: int, patience: int) -> float:
    """The probability of ``patience`` breaking months in a row within ``horizon`` months.

    Months break independently with probability ``q``; the chain on the current run of breaking
    months (0 to ``patience - 1``, and collapsed) is taken ``horizon`` steps.

    Example:
        >>> round(collapse_probability(0.5, 3, 2), 6)  # 1 - P(no two in a row) = 1 - 5/8
        0.375
    """
    m = max(1, int(patience))
    step = np.zeros((m + 1, m + 1))
    step[:m, 0] = 1.0 - q
    for r in range(m):
        step[r, r + 1] = q
    step[m, m] = 1.0
    return float(np.linalg.matrix_power(step, int(horizon))[0, m])


def collapse_boundary(
    params: Mapping[str, Any], actors: Actors, *, rule: str | None = None
) -> float:
    """The ``p_detect`` at which collapse within the horizon has probability 0.5.

    Months on the compliant branch break independently with
    :func:`monthly_break_probability`; a collapse is ``collapse_patience`` of them in a row
    within ``steps`` months (:func:`collapse_probability`). Both fall as ``p_detect`` rises,
    so the boundary is the root of ``collapse(p) - 1/2`` (Brent's method).

    Returns:
        The boundary in [0, 1]: 0.0 if collapse is at most as likely as not even at
        ``p_detect = 0``, NaN if it is more likely than not even at ``p_detect = 1``.
    """
    field = _field(params, actors, rule)
    x_theta = 1.0 - float(params["stability_threshold"])
    horizon, patience = int(params["steps"]), int(params["collapse_patience"])
    return _first_p(
        lambda p: collapse_probability(_break(field, p, x_theta), horizon, patience) - 0.5
    )


@dataclass(frozen=True)
class BatchBoundaries:
    """Theory's boundaries over a batch's worlds (each replicate draws its own world).

    Attributes:
        heterogeneous: The ``p_detect`` from which the compliant branch keeps compliance at
            least ``stability_threshold`` in half of the worlds (the median of the worlds'
            :func:`heterogeneous_boundary`; NaN when half of them never hold).
        collapse: The ``p_detect`` at which theory's survival share over the worlds
            (:meth:`survival`) is 0.5: the mean over the worlds of the probability that no
            collapse happens within the horizon (NaN when it stays below 0.5).
        n_worlds: The number of worlds.
    """

    heterogeneous: float
    collapse: float
    n_worlds: int


def _survival_share(fields: list[_Field], p: float, params: Mapping[str, Any]) -> float:
    x_theta = 1.0 - float(params["stability_threshold"])
    horizon, patience = int(params["steps"]), int(params["collapse_patience"])
    held = [1.0 - collapse_probability(_break(f, p, x_theta), horizon, patience) for f in fields]
    return float(np.mean(held))


def survival_share(
    params: Mapping[str, Any],
    worlds: list[Actors],
    p_detect: Any,
    *,
    rule: str | None = None,
) -> NDArray[np.float64]:
    """Theory's share of runs in which the pause holds, over ``worlds``, at each ``p_detect``.

    Each world's probability of no collapse within ``steps`` months (months on its compliant
    branch breaking independently, :func:`monthly_break_probability`), averaged over worlds.
    """
    fields = [_field(params, w, rule) for w in worlds]
    ps = np.atleast_1d(np.asarray(p_detect, dtype=float))
    return np.array([_survival_share(fields, float(p), params) for p in ps])


def batch_boundaries(
    params: Mapping[str, Any], worlds: list[Actors], *, rule: str | None = None
) -> BatchBoundaries:
    """The heterogeneous and the collapse boundary over a batch's worlds.

    Half of the runs hold, in theory, where half of the worlds' compliant branches hold (the
    median of their :func:`heterogeneous_boundary`) or, counting the fluctuations, where the
    survival share over the worlds (:func:`survival_share`) is 0.5 (Brent's method).

    Raises:
        ValueError: When ``worlds`` is empty.
    """
    if not worlds:
        raise ValueError("batch_boundaries needs at least one world")
    fields = [_field(params, w, rule) for w in worlds]
    x_theta = 1.0 - float(params["stability_threshold"])
    share = np.array([_first_p(lambda p, f=f: _compliant(f, p) - x_theta) for f in fields])
    # a world that never holds counts as holding at no p_detect: last in the order
    order = np.sort(np.where(np.isnan(share), np.inf, share))
    middle = order[(order.size - 1) // 2], order[order.size // 2]
    median = float(np.mean(middle)) if np.isfinite(middle).all() else math.nan
    return BatchBoundaries(
        heterogeneous=median,
        collapse=_first_p(lambda p: 0.5 - _survival_share(fields, p, params)),
        n_worlds=len(worlds),
    )
