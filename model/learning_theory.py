"""Theory of the learning rules: the imitation chain, fixation, replicator dynamics, Watts cascades.

**Imitation** (``agents/rules/imitation.py``) among ``N`` identical actors, well mixed
(``imitation_peers=all``), no alliances, one revising actor per step (``revision_rate = "one"``),
expected payoffs, perfect information. With ``k`` compliers, a defector believes the defection
share of the others is ``(N - k - 1) / (N - 1)``, so a defector's payoff exceeds a complier's by

    d_k = delta((N - k - 1) / (N - 1))          (``model.theory.advantage``; per unit capability),

and the number of compliers is a birth-death chain on ``0..N`` (Traulsen et al. 2006):

    T+(k) = (N - k) / N * [(1 - mu) * k / (N - 1) * sigma(-beta d_k) + mu],
    T-(k) = k / N       * [(1 - mu) * (N - k) / (N - 1) * sigma(+beta d_k) + mu],

``sigma(z) = 1 / (1 + exp(-z))``, ``mu = mutation``. With ``mu > 0`` its stationary distribution is
``pi(k) ~ prod_{j < k} T+(j) / T-(j + 1)``. With ``mu = 0`` the states ``0`` and ``N`` absorb and
the fixation probability of ``i`` compliers is

    phi_i = (1 + sum_{j=1}^{i-1} prod_{m=1}^{j} g_m) / (1 + sum_{j=1}^{N-1} prod_{m=1}^{j} g_m),
    g_m = T-(m) / T+(m),

which is ``i / N`` under neutral drift (``beta = 0``).

**Mean dynamics** (``N -> infinity``). With compliance share ``x`` and ``d(x) = delta(1 - x)``, the
chain's drift is ``(1 - mu) x (1 - x) tanh(-beta d(x) / 2) + mu (1 - 2 x)`` (the pairwise-comparison
mean dynamics); ``form="replicator"`` gives the replicator-mutator equation
``(1 - mu) x (1 - x) (-d(x)) + mu (1 - 2 x)``. Without mutation both have the same fixed points
(0, 1 and the ``x`` with ``d(x) = 0``) with the same stability.

**Watts cascades** (``agents/rules/threshold.py`` with ``threshold_scope="allies"``) on an
Erdos-Renyi alliance graph of mean degree ``z`` (degrees Poisson(z)): a node of degree ``k`` is
*vulnerable* when one defecting neighbour is enough, ``rho_k = P(theta <= 1 / k)``. A single
defector can set off a global cascade iff (Watts 2002, eq. 6)

    sum_k k (k - 1) rho_k p_k > z,

and the mean degrees where this holds are the cascade window.

Example:
    >>> from model.params import resolve
    >>> from model.learning_theory import imitation_chain, cascade_window
    >>> chain = imitation_chain(resolve(beta=0.0, mutation=0.0), 20)
    >>> round(chain.fixation_probability(1), 6)
    0.05
    >>> window = cascade_window(0.18, 0.0)
    >>> round(window.low, 2), round(window.high, 2)
    (1.02, 5.76)

References:
    Traulsen, A., Nowak, M. A. and Pacheco, J. M. (2006). Stochastic dynamics of invasion and
    fixation. *Physical Review E* 74(1), 011909.
    Traulsen, A., Claussen, J. C. and Hauert, C. (2005). Coevolutionary dynamics: from finite to
    infinite populations. *Physical Review Letters* 95(23), 238701.
    Nowak, M. A. (2006). *Evolutionary Dynamics*. Harvard University Press, ch. 6.
    Hofbauer, J. and Sigmund, K. (1998). *Evolutionary Games and Population Dynamics*.
    Cambridge University Press.
    Watts, D. J. (2002). A simple model of global cascades on random networks.
    *PNAS* 99(9), 5766-5771.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.special import expit, logsumexp
from scipy.stats import norm, poisson

from agents.rules.threshold import REACH_TOLERANCE
from model.theory import Kind, advantage

__all__ = [
    "CascadeWindow",
    "ImitationChain",
    "ReplicatorPoint",
    "cascade_condition",
    "cascade_window",
    "describe",
    "imitation_chain",
    "mean_dynamics",
    "replicator_fixed_points",
    "vulnerable_probability",
]

Form = Literal["fermi", "replicator"]


# --------------------------------------------------------------------------------------------
# The imitation chain
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImitationChain:
    """The birth-death chain of the number of compliers under one-at-a-time imitation.

    Attributes:
        n: Number of actors ``N``.
        up: ``T+(k)``, k = 0..N: probability per step that compliers go from k to k + 1.
        down: ``T-(k)``, k = 0..N: probability per step that compliers go from k to k - 1.
        gap: ``d_k``, k = 0..N: a defector's payoff minus a complier's (per unit capability).
    """

    n: int
    up: NDArray[np.float64]
    down: NDArray[np.float64]
    gap: NDArray[np.float64]

    @classmethod
    def from_gap(
        cls, gap: NDArray[np.floating[Any]], beta: float, mutation: float = 0.0
    ) -> ImitationChain:
        """The chain of any game whose gap ``d_k`` (k = 0..N compliers) is given.

        The transition probabilities are the module's ``T+(k)`` and ``T-(k)``; only the gap
        comes from elsewhere (a game other than the pause's, such as a threshold public good).

        Example:
            >>> chain = ImitationChain.from_gap(np.zeros(11), beta=1.0)
            >>> round(chain.fixation_probability(1), 6)
            0.1
        """
        d = np.asarray(gap, dtype=float)
        n = d.size - 1
        if n < 2:
            raise ValueError(f"gap of {d.size} states; allowed: at least 3 (N >= 2)")
        k = np.arange(n + 1, dtype=float)
        mu = float(mutation)
        up = (n - k) / n * ((1 - mu) * k / (n - 1) * expit(-beta * d) + mu)
        down = k / n * ((1 - mu) * (n - k) / (n - 1) * expit(beta * d) + mu)
        return cls(n=n, up=up, down=down, gap=d)

    def stationary(self) -> NDArray[np.float64]:
        """The stationary distribution over 0..N compliers (needs ``mutation > 0``).

        Raises:
            ValueError: when a state is absorbing (``mutation = 0``): use
                :meth:`fixation_probability`.
        """
        if np.any(self.up[:-1] <= 0) or np.any(self.down[1:] <= 0):
            raise ValueError(
                "the chain has absorbing states (mutation = 0); it has no unique "
                "stationary distribution: use fixation_probability"
            )
        log_ratio = np.log(self.up[:-1]) - np.log(self.down[1:])
        log_pi = np.concatenate([[0.0], np.cumsum(log_ratio)])
        return np.asarray(np.exp(log_pi - logsumexp(log_pi)), dtype=float)

    def mean_compliers(self) -> float:
        """The stationary mean number of compliers."""
        return float(np.arange(self.n + 1) @ self.stationary())

    def mean_compliance(self) -> float:
        """The stationary mean compliance share ``E[k] / N`` (the long-run time average)."""
        return self.mean_compliers() / self.n

    def variance_compliance(self) -> float:
        """The stationary variance of the compliance share."""
        k = np.arange(self.n + 1) / self.n
        pi = self.stationary()
        m = float(k @ pi)
        return float((k - m) ** 2 @ pi)

    def fixation_probability(self, compliers: int = 1) -> float:
        """Probability that ``compliers`` compliers take over (reach N) without mutation.

        Args:
            compliers: Initial number of compliers, 0..N.

        Raises:
            ValueError: when ``compliers`` is outside 0..N, or the chain cannot reach an
                absorbing state (a transition probability inside is 0).
        """
        n = self.n
        if not 0 <= compliers <= n:
            raise ValueError(f"compliers={compliers!r} is out of bounds; allowed: 0..{n}")
        if compliers in (0, n):
            return float(compliers == n)
        inner = slice(1, n)
        if np.any(self.up[inner] <= 0) or np.any(self.down[inner] <= 0):
            raise ValueError("a transition probability inside the chain is 0")
        log_g = np.log(self.down[inner]) - np.log(self.up[inner])
        log_prod = np.concatenate([[0.0], np.cumsum(log_g)])  # j = 0..N-1
        return float(np.exp(logsumexp(log_prod[:compliers]) - logsumexp(log_prod)))


def imitation_chain(
    params: Mapping[str, Any],
    n: int,
    *,
    kind: Kind = "nation",
    shield: float = 1.0,
    p_detect: float | None = None,
) -> ImitationChain:
    """The one-at-a-time, well-mixed imitation chain for ``n`` identical actors.

    Args:
        params: The parameters (core names, ``beta`` and ``mutation``).
        n: Number of actors ``N`` (at least 2).
        kind: ``"nation"`` or ``"lab"`` (see :func:`model.theory.advantage`).
        shield: The shielding share ``s`` (1 without alliances).
        p_detect: Overrides ``params["p_detect"]``.

    Returns:
        The chain's transition probabilities.
    """
    if n < 2:
        raise ValueError(f"n={n!r} is out of bounds; allowed: an integer >= 2")
    beta = float(params["beta"])
    mu = float(params["mutation"])
    k = np.arange(n + 1, dtype=float)
    believed = np.clip((n - k - 1) / (n - 1), 0.0, 1.0)
    gap = np.asarray(
        advantage(believed, params, kind=kind, shield=shield, p_detect=p_detect), dtype=float
    )
    up = (n - k) / n * ((1 - mu) * k / (n - 1) * expit(-beta * gap) + mu)
    down = k / n * ((1 - mu) * (n - k) / (n - 1) * expit(beta * gap) + mu)
    return ImitationChain(n=n, up=up, down=down, gap=gap)


# --------------------------------------------------------------------------------------------
# Mean dynamics (N -> infinity)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicatorPoint:
    """A rest point of the mean dynamics.

    Attributes:
        compliance: The compliance share ``x``.
        stable: True when nearby shares return to it (the drift's slope is negative).
        slope: The drift's derivative at the point.
    """

    compliance: float
    stable: bool
    slope: float


def mean_dynamics(
    x: float | NDArray[np.floating[Any]],
    params: Mapping[str, Any],
    *,
    form: Form = "fermi",
    kind: Kind = "nation",
    shield: float = 1.0,
    p_detect: float | None = None,
) -> NDArray[np.float64]:
    """The drift ``dx/dt`` of the compliance share ``x`` (time in revisions per actor).

    ``form="fermi"``: ``(1 - mu) x (1 - x) tanh(-beta d(x) / 2) + mu (1 - 2 x)``;
    ``form="replicator"``: ``(1 - mu) x (1 - x) (-d(x)) + mu (1 - 2 x)``; ``d(x) = delta(1 - x)``.
    """
    xs = np.asarray(x, dtype=float)
    mu = float(params["mutation"])
    d = np.asarray(
        advantage(1.0 - xs, params, kind=kind, shield=shield, p_detect=p_detect), dtype=float
    )
    selection = np.tanh(-float(params["beta"]) * d / 2.0) if form == "fermi" else -d
    return np.asarray((1 - mu) * xs * (1 - xs) * selection + mu * (1 - 2 * xs), dtype=float)


def replicator_fixed_points(
    params: Mapping[str, Any],
    *,
    form: Form = "replicator",
    kind: Kind = "nation",
    shield: float = 1.0,
    p_detect: float | None = None,
    grid: int = 2001,
) -> tuple[ReplicatorPoint, ...]:
    """The rest points of the mean dynamics in [0, 1] and their stability.

    Without mutation: ``x = 0`` (all defect), ``x = 1`` (all comply) and, with race pressure,
    the interior ``x`` where defecting and complying pay the same (unstable: a coordination
    threshold). With mutation the points move inside (0, 1).

    Args:
        params: The parameters (core names, ``beta``, ``mutation``).
        form: ``"replicator"`` (default) or ``"fermi"`` (see :func:`mean_dynamics`).
        kind: ``"nation"`` or ``"lab"``.
        shield: The shielding share ``s``.
        p_detect: Overrides ``params["p_detect"]``.
        grid: Grid points used to bracket the roots.

    Returns:
        The rest points by compliance share.
    """

    def f(x: float) -> float:
        return float(
            mean_dynamics(x, params, form=form, kind=kind, shield=shield, p_detect=p_detect)
        )

    xs = np.linspace(0.0, 1.0, grid)
    values = mean_dynamics(xs, params, form=form, kind=kind, shield=shield, p_detect=p_detect)
    scale = 1e-12
    roots: list[float] = []
    for i, v in enumerate(values):
        if abs(v) <= scale:
            roots.append(float(xs[i]))
    for i in range(grid - 1):
        a, b = values[i], values[i + 1]
        if abs(a) > scale and abs(b) > scale and a * b < 0:
            roots.append(float(brentq(f, xs[i], xs[i + 1], xtol=1e-14)))
    roots.sort()
    merged: list[float] = []
    for r in roots:
        if not merged or r - merged[-1] > 1e-9:
            merged.append(r)
    points = []
    h = 1e-7
    for r in merged:
        lo, hi = max(r - h, 0.0), min(r + h, 1.0)
        slope = (f(hi) - f(lo)) / (hi - lo)
        points.append(ReplicatorPoint(compliance=r, stable=slope < 0, slope=slope))
    return tuple(points)


# --------------------------------------------------------------------------------------------
# Watts cascades
# --------------------------------------------------------------------------------------------


def vulnerable_probability(
    degree: int | NDArray[np.integer[Any]], threshold_mean: float, threshold_spread: float
) -> NDArray[np.float64]:
    """``rho_k = P(theta <= 1 / k)``: one defecting neighbour of ``k`` tips a node.

    Thresholds are ``clip(threshold_mean + threshold_spread * Z, 0, 1)``, as in the threshold
    rule (within its reach tolerance). Degree 0: ``P(theta <= 0)`` (an instigator).
    """
    k = np.asarray(degree, dtype=float)
    with np.errstate(divide="ignore"):
        share = np.where(k > 0, 1.0 / np.where(k > 0, k, 1.0), 0.0) + REACH_TOLERANCE
    if threshold_spread > 0:
        prob = norm.cdf((share - threshold_mean) / threshold_spread)
    else:
        prob = (min(max(threshold_mean, 0.0), 1.0) <= share).astype(float)
    return np.asarray(np.where(share >= 1.0, 1.0, prob), dtype=float)


def _cascade_measure(
    z: NDArray[np.float64], threshold_mean: float, threshold_spread: float
) -> NDArray[np.float64]:
    """:func:`cascade_condition` for an array of mean degrees (0 where ``z <= 0``)."""
    zmax = float(z.max()) if len(z) else 0.0
    kmax = int(zmax + 20 * math.sqrt(max(zmax, 0.0)) + 40)
    k = np.arange(kmax + 1)
    rho = vulnerable_probability(k, threshold_mean, threshold_spread)
    safe = np.where(z > 0, z, 1.0)
    pk = poisson.pmf(k[None, :], safe[:, None])
    measure = (pk * (k * (k - 1) * rho)[None, :]).sum(axis=1) / safe
    return np.asarray(np.where(z > 0, measure, 0.0), dtype=float)


def cascade_condition(mean_degree: float, threshold_mean: float, threshold_spread: float) -> float:
    """Watts' cascade measure ``sum_k k (k - 1) rho_k p_k / z`` on an Erdos-Renyi graph.

    Global cascades from one seeded defector are possible iff the measure exceeds 1.

    Args:
        mean_degree: The mean degree ``z`` (``alliance_density * (n_nations - 1)``).
        threshold_mean: ``threshold_mean``.
        threshold_spread: ``threshold_spread``.
    """
    z = np.array([float(mean_degree)])
    return float(_cascade_measure(z, threshold_mean, threshold_spread)[0])


@dataclass(frozen=True)
class CascadeWindow:
    """The mean degrees at which one defector can set off a global cascade.

    Attributes:
        low: Lower edge (NaN when the window is empty).
        high: Upper edge (NaN when empty; ``inf`` when it does not close).
    """

    low: float
    high: float

    @property
    def empty(self) -> bool:
        """True when no mean degree allows global cascades."""
        return not self.low < self.high

    def contains(self, mean_degree: float) -> bool:
        """Whether global cascades are possible at this mean degree."""
        return not self.empty and self.low < mean_degree < self.high


def cascade_window(
    threshold_mean: float, threshold_spread: float, *, z_max: float = 60.0
) -> CascadeWindow:
    """The cascade window in mean degree for a threshold distribution (Watts 2002, fig. 2).

    Args:
        threshold_mean: ``threshold_mean``.
        threshold_spread: ``threshold_spread``.
        z_max: Largest mean degree searched.

    Returns:
        The window ``(low, high)``, the first interval where :func:`cascade_condition` exceeds 1.
    """

    def g(z: float) -> float:
        return cascade_condition(z, threshold_mean, threshold_spread) - 1.0

    zs = np.linspace(1e-3, z_max, 2000)
    values = _cascade_measure(zs, threshold_mean, threshold_spread) - 1.0
    inside = np.flatnonzero(values > 0)
    if len(inside) == 0:
        return CascadeWindow(math.nan, math.nan)
    i = int(inside[0])
    low = float(zs[0]) if i == 0 else float(brentq(g, zs[i - 1], zs[i], xtol=1e-10))
    after = np.flatnonzero(values[i:] <= 0)
    if len(after) == 0:
        return CascadeWindow(low, math.inf)
    j = i + int(after[0])
    return CascadeWindow(low, float(brentq(g, zs[j - 1], zs[j], xtol=1e-10)))


# --------------------------------------------------------------------------------------------
# Plain English
# --------------------------------------------------------------------------------------------


def describe(params: Mapping[str, Any], n_actors: int | None = None) -> str:
    """What this module's theory says about ``params`` for a learning rule, in a few sentences.

    For the CLI and the app, where ``model.theory.summarize`` covers only ``best_response`` and
    ``logit``. Returns an empty string for a rule this module does not cover.

    Args:
        params: The parameters (``decision_rule`` selects the rule).
        n_actors: Number of actors (default ``n_nations + n_labs``).
    """
    rule = str(params["decision_rule"])
    n = int(
        n_actors
        if n_actors is not None
        else int(params.get("n_nations", 12)) + int(params.get("n_labs", 0))
    )
    if rule == "imitation":
        chain = imitation_chain(params, max(n, 2))
        if float(params["mutation"]) > 0:
            return (
                f"Imitation theory (well-mixed, identical actors, one reviser per step): "
                f"among {chain.n} actors the long-run mean compliance is "
                f"{chain.mean_compliance():.3f}."
            )
        return (
            f"Imitation theory (well-mixed, identical actors, no mutation): one complier "
            f"among {chain.n} takes over with probability "
            f"{chain.fixation_probability(1):.3f} (neutral drift: {1 / chain.n:.3f})."
        )
    if rule == "threshold":
        mean, spread = float(params["threshold_mean"]), float(params["threshold_spread"])
        window = cascade_window(mean, spread)
        if window.empty:
            return (
                f"Threshold theory (Watts 2002): with thresholds {mean:g} +- {spread:g} no "
                "Erdos-Renyi alliance graph lets one defector set off a global cascade."
            )
        return (
            f"Threshold theory (Watts 2002): on an Erdos-Renyi alliance graph, one defector "
            f"can set off a global cascade when the mean degree is between "
            f"{window.low:.2f} and {window.high:.2f}."
        )
    if rule == "grim_trigger":
        return (
            "Grim trigger: a pause in which nobody is seen defecting holds for ever; one "
            "caught violation sets off punishment by every actor in scope."
        )
    if rule == "reciprocity":
        return (
            "Reciprocity: actors only mirror caught neighbours, so a pause holds unless "
            "someone defects for another reason (a committed defector, a false alarm "
            "under detected information)."
        )
    return ""
