"""A set-up of verification layers combined into the engine's numbers (#31, model/ODD.md 3.6).

Pure functions of the layers' numbers, the common mode ``rho`` (``layer_correlation``) and the
undeclared share ``u`` (``undeclared_share``). For a set of layers ``K`` with detection
probabilities ``p_k``:

- ``combine(p, rho) = rho * max_k p_k + (1 - rho) * (1 - prod_k (1 - p_k))`` (0 for no layer;
  ``p_1`` itself for one layer). A violation is caught when any layer catches it, and each
  layer keeps its own rate ``p_k``. With probability ``rho`` the layers fail together (one
  shared draw against every ``p_k``: an evader who gets past the strongest layer gets past
  every layer), so the set catches with the strongest layer's ``max p``, the least any
  coupling of the layers can give; otherwise they miss independently.
- Detection of a violation: ``P = (1 - u) combine(p_K_declared) + u combine(p_K_undeclared)``,
  ``K_declared`` the layers watching declared compute, ``K_undeclared`` those watching
  undeclared compute. Under ``evasion = strategic`` the violation goes to the less-watched
  channel (:func:`strategic_share`): ``u`` is replaced by 1 or 0 in ``P`` and its lags.
- False alarms: ``Q = combine(q_K, rho)`` over every layer of the set-up.
- The lag: the median lag of a detection (:func:`detection_lags`, :func:`median_lag`).
- The cost a month of an actor of capability ``c`` in a member nation: ``c * (sum_k
  cost_capability_k w_k + sum_k cost_fixed_k / C_members)``, ``w_k`` the share of compute the
  layer watches (``1 - u``, ``u`` or 1).

Example:
    >>> combine([0.5, 0.5], 0.0), combine([0.5, 0.5], 1.0), combine([0.5, 0.2], 0.5)
    (0.75, 0.5, 0.55)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.errors import ParameterError
from model.params.layers import NO_LAYERS


@dataclass(frozen=True)
class Channel:
    """One layer's numbers as the combination reads them.

    Attributes:
        name: The layer's name (ties in lag are broken by it).
        p: Detection probability per violation per month in the compute it watches.
        q: False-alarm probability per complier per month.
        lag: Months between a detection and its sanction.
        declared: True when it watches declared compute.
        undeclared: True when it watches undeclared compute.
        cost_capability: G a month per unit of capability watched.
        cost_fixed: G a month, shared by the members.
    """

    name: str
    p: float
    q: float
    lag: int
    declared: bool
    undeclared: bool
    cost_capability: float = 0.0
    cost_fixed: float = 0.0


def combine(probabilities: Sequence[float], rho: float) -> float:
    """``rho * max p + (1 - rho) * (1 - prod (1 - p))``: the set's probability of a signal.

    No layer gives 0; one layer gives its own probability exactly (the formula's value, with
    no rounding from ``1 - (1 - p)``).
    """
    ps = [float(p) for p in probabilities]
    if not ps:
        return 0.0
    if len(ps) == 1:
        return ps[0]
    independent = 1.0 - math.prod(1.0 - p for p in ps)
    if rho == 0.0:
        return independent
    return rho * max(ps) + (1.0 - rho) * independent


def detection(channels: Sequence[Channel], rho: float, u: float) -> float:
    """``P = (1 - u) combine(declared) + u combine(undeclared)``, the catch of a violation."""
    declared = combine([c.p for c in channels if c.declared], rho)
    undeclared = combine([c.p for c in channels if c.undeclared], rho)
    return (1.0 - u) * declared + u * undeclared


def strategic_share(channels: Sequence[Channel], rho: float, u: float) -> float:
    """The undeclared share a strategic evader acts on: 1 or 0 (``evasion = strategic``).

    With undeclared compute (``u > 0``) it puts the violation in the less-watched channel:
    undeclared (1) when ``combine(undeclared) < combine(declared)``, else declared (0; a tie
    stays declared). Without undeclared compute it has no choice (0).

    Example:
        >>> a = Channel("a", 0.5, 0.0, 0, True, False)
        >>> b = Channel("b", 0.2, 0.0, 0, True, True)
        >>> strategic_share([a], 0.0, 0.1), strategic_share([a, b], 0.0, 0.1)
        (1.0, 1.0)
        >>> strategic_share([a], 0.0, 0.0), strategic_share([b], 0.0, 0.1)
        (0.0, 0.0)
    """
    if u <= 0.0:
        return 0.0
    declared = combine([c.p for c in channels if c.declared], rho)
    undeclared = combine([c.p for c in channels if c.undeclared], rho)
    return 1.0 if undeclared < declared else 0.0


def false_alarm(channels: Sequence[Channel], rho: float) -> float:
    """``Q = combine(q, rho)`` over every layer: a complier is watched by all of them."""
    return combine([c.q for c in channels], rho)


def _first_detections(channels: Sequence[Channel], rho: float) -> list[float]:
    """How likely each layer (in ``channels``' order) is the first to catch a violation.

    ``channels`` sorted by lag: with probability ``rho`` one shared draw ``U`` meets every
    layer, and layer ``j`` is first when ``max_{i < j} p_i <= U < p_j`` (mass
    ``max(0, p_j - max_{i < j} p_i)``); otherwise layer ``j`` is first with
    ``p_j prod_{i < j} (1 - p_i)``. The masses sum to :func:`combine` of the ``p``.
    """
    mass = [0.0] * len(channels)
    missed = 1.0
    best = 0.0
    for j, c in enumerate(channels):
        mass[j] = rho * max(0.0, c.p - best) + (1.0 - rho) * c.p * missed
        missed *= 1.0 - c.p
        best = max(best, c.p)
    return mass


def detection_lags(channels: Sequence[Channel], rho: float, u: float) -> dict[int, float]:
    """The probability of a detection by lag: ``[0, P)`` partitioned by the first detecting layer.

    The declared channel's share ``(1 - u)`` and the undeclared one's ``u`` are each split
    among the layers watching it in order of lag (then name), by :func:`_first_detections`.
    The values sum to :func:`detection` (up to rounding).

    Example:
        >>> fast = Channel("a", 0.5, 0.0, 0, True, False)
        >>> slow = Channel("b", 0.5, 0.0, 3, True, False)
        >>> detection_lags([slow, fast], 0.0, 0.0)
        {0: 0.5, 3: 0.25}
    """
    order = sorted(channels, key=lambda c: (c.lag, c.name))
    out: dict[int, float] = {}
    for share, watching in (
        (1.0 - u, [c for c in order if c.declared]),
        (u, [c for c in order if c.undeclared]),
    ):
        for c, m in zip(watching, _first_detections(watching, rho), strict=True):
            out[c.lag] = out.get(c.lag, 0.0) + share * m
    return {lag: out[lag] for lag in sorted(out)}


def median_lag(channels: Sequence[Channel], rho: float, u: float) -> int:
    """The lag of the set-up: the smallest lag by which at least half the detections are made.

    The engine sanctions every detection after one lag (its ring of pending sanctions has one
    slot per month of lag), so the set-up's lag is the median of :func:`detection_lags`; one
    layer gives its own lag. Without any possible detection, the smallest lag of the set-up.

    Example:
        >>> fast = Channel("a", 0.2, 0.0, 0, True, False)
        >>> slow = Channel("b", 0.9, 0.0, 3, True, False)
        >>> median_lag([fast, slow], 0.0, 0.0), median_lag([fast, slow], 1.0, 0.0)
        (3, 3)
        >>> median_lag([Channel("a", 0.6, 0.0, 0, True, False), slow], 1.0, 0.0)
        0
    """
    if not channels:
        return 0
    lags = detection_lags(channels, rho, u)
    total = sum(lags.values())
    if total <= 0.0:
        return min(c.lag for c in channels)
    cumulative = 0.0
    for lag, mass in lags.items():
        cumulative += mass
        if cumulative >= 0.5 * total:
            return lag
    return max(lags)  # pragma: no cover (rounding: the last lag holds the rest)


def unit_cost(channels: Sequence[Channel], u: float) -> float:
    """``sum_k cost_capability_k w_k``: G a month per unit of a member's capability.

    ``w_k`` is the share of compute layer ``k`` watches: ``1 - u`` (declared), ``u``
    (undeclared) or 1 (both).
    """
    total = 0.0
    for c in channels:
        watched = (1.0 - u if c.declared else 0.0) + (u if c.undeclared else 0.0)
        total += c.cost_capability * watched
    return total


def member_costs(
    channels: Sequence[Channel], u: float, capability: np.ndarray, member: np.ndarray
) -> np.ndarray:
    """Each actor's cost a month: ``c (unit_cost + sum_k cost_fixed_k / C_members)``, 0 off members.

    The fixed costs are shared by the members' actors in proportion to capability. Costs add:
    the cost of a set-up is the sum of its layers' costs.

    Example:
        >>> a = Channel("a", 0.5, 0.0, 0, True, False, cost_capability=0.1, cost_fixed=1.0)
        >>> member_costs([a], 0.0, np.array([1.0, 3.0, 2.0]), np.array([True, True, False]))
        array([0.35, 1.05, 0.  ])
    """
    c = np.asarray(capability, dtype=float)
    on = np.asarray(member, dtype=bool)
    held = float(c[on].sum())
    fixed = sum(ch.cost_fixed for ch in channels)
    per_unit = unit_cost(channels, u) + (fixed / held if held > 0.0 else 0.0)
    return np.where(on, c * per_unit, 0.0)


def channels_of(names: str) -> list[Channel]:
    """The registered layers ``names`` (a value of ``layers``) with their registry numbers.

    Raises:
        ConfigError: The registry is damaged or lacks one of a layer's numbers.
        KeyError: A name that is not a registered layer.
    """
    from model.verification.layers import get_layer

    out = []
    for name in [] if names == NO_LAYERS else names.split(","):
        layer = get_layer(name)
        v = layer.values
        out.append(
            Channel(
                name=name,
                p=float(v["p_detect"]),
                q=float(v["p_false_alarm"]),
                lag=int(v["verification_lag"]),
                declared=layer.declared,
                undeclared=layer.undeclared,
                cost_capability=float(v["cost_capability"]),
                cost_fixed=float(v["cost_fixed"]),
            )
        )
    return out


def effective(channels: Sequence[Channel], rho: float, u: float) -> dict[str, Any]:
    """The engine's verification numbers of a set-up (what ``resolve`` sets).

    ``p_false_alarm = Q`` and ``verification_lag`` = :func:`median_lag`. The engine's catch is
    ``coverage * p_detect``: when no layer watches undeclared compute, ``coverage = 1 - u``
    and ``p_detect = combine(declared)`` (today's regime is this with one layer); otherwise
    ``coverage = 1`` and ``p_detect = P``. Either way ``coverage * p_detect = P``.

    Example:
        >>> a = Channel("a", 0.5, 0.02, 1, True, False)
        >>> effective([a], 0.0, 0.25)
        {'p_detect': 0.5, 'p_false_alarm': 0.02, 'verification_lag': 1, 'coverage': 0.75}
    """
    if any(c.undeclared for c in channels):
        p_detect, coverage = detection(channels, rho, u), 1.0
    else:
        p_detect, coverage = combine([c.p for c in channels if c.declared], rho), 1.0 - u
    return {
        "p_detect": p_detect,
        "p_false_alarm": false_alarm(channels, rho),
        "verification_lag": median_lag(channels, rho, u),
        "coverage": coverage,
    }


def apply_layers(values: dict[str, Any], given: Mapping[str, Any]) -> None:
    """Set the verification numbers of ``values`` from its ``layers`` (``resolve`` calls it).

    Nothing changes when ``layers`` is ``none``. As with a regime's presets, a value set
    explicitly wins over the layers' (so negotiated terms replace the layers' ``p_detect`` as
    they replace an explicit one, and a replayed event log, which records both, gives both).

    Raises:
        ParameterError: A regime other than ``custom``, or a ``verification_cost`` other than 0,
            is chosen with layers (the layers' own costs replace ``verification_cost``).
    """
    names = values["layers"]
    if names == NO_LAYERS:
        return
    if values["verification"] != "custom":
        raise ParameterError(
            "verification",
            values["verification"],
            "'custom' when layers are set",
            why=f"is not allowed with layers={names!r}, which set the verification numbers",
        )
    if float(values["verification_cost"]) != 0.0:
        raise ParameterError(
            "verification_cost",
            values["verification_cost"],
            "0 when layers are set",
            why=f"is not allowed with layers={names!r}, whose own costs are charged instead",
        )
    channels = channels_of(names)
    rho, u = float(values["layer_correlation"]), float(values["undeclared_share"])
    if values["evasion"] == "strategic":
        u = strategic_share(channels, rho, u)  # where the violation goes; costs keep the real u
    derived = effective(channels, rho, u)
    for name, value in derived.items():
        if name not in given:
            values[name] = value


@dataclass
class LayerCosts:
    """What members pay a month for a set-up of layers (``model.treaty`` charges it).

    Attributes:
        channels: The set-up's layers.
        u: The undeclared share.
        spent: The members' total of the last :meth:`charge` (G a month).
    """

    channels: Sequence[Channel]
    u: float
    spent: float = 0.0

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> LayerCosts | None:
        """The costs of ``params``' layers; None without layers or when they cost nothing.

        Example:
            >>> LayerCosts.of({"layers": "none"}) is None
            True
        """
        names = str(params.get("layers", NO_LAYERS))
        if names == NO_LAYERS:
            return None
        channels = channels_of(names)
        if not any(c.cost_capability > 0.0 or c.cost_fixed > 0.0 for c in channels):
            return None
        return cls(channels, float(params["undeclared_share"]))

    def per_unit(self, held: float) -> float:
        """G a month per unit of a member's capability when members hold ``held`` in all.

        ``unit_cost + sum_k cost_fixed_k / held`` (the fixed part only when ``held > 0``).
        """
        fixed = sum(c.cost_fixed for c in self.channels)
        return unit_cost(self.channels, self.u) + (fixed / held if held > 0.0 else 0.0)

    def charge(self, capability: np.ndarray, member: np.ndarray) -> np.ndarray:
        """Each actor's cost a month (:func:`member_costs`); records the members' total."""
        costs = member_costs(self.channels, self.u, capability, member)
        self.spent = float(costs.sum())
        return costs
