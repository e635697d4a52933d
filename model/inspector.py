"""An adaptive inspector: the inspectorate as a player that sets the inspection quota each period.

A mechanism of its own, used by nothing in the engine unless a caller drives an engine with it
(so off by default; the engine's numbers do not change). In the engine the inspection quota is a
parameter (``inspection_quota``, ``quota_allocation = "random"``: each actor is inspected with
probability ``g = k / N``). Here the inspector is the second player of the inspection game
(Avenhaus, von Stengel and Zamir 2002): each inspection costs it ``cost``, each violation that
goes undetected costs it ``loss``; an inspected violation is detected with probability ``p``
(``coverage * p_detect``). Its expected payoff per actor and period, at inspection probability
``g`` and violation share ``v``, is

    -cost * g - loss * v * (1 - p * g),

so inspecting pays exactly when ``v * p * loss > cost``: the inspector is indifferent at
``v* = cost / (p * loss)``, the simultaneous game's equilibrium violation rate.

:func:`run_adaptive` plays the game in time as fictitious play (Brown 1951): the inspector's
inspection probability is the running frequency of its past best replies, each reply made to the
running mean of the violation shares it has seen (inspect when ``v_bar p loss > cost``). Each
period the engine's actors decide with the current inspection probability, by their own rule on
the engine's own advantage (``best_response``: violate iff ``G > D F g (p - q) s``). In a 2x2
game with a unique mixed equilibrium fictitious play converges to it (Miyasawa 1961), so the
long-run inspection frequency approaches the engine's deterrence threshold ``g*`` and the
long-run violation frequency approaches ``v*``.

Example:
    >>> from model.engine import Engine
    >>> eng = Engine.from_params({"n_nations": 10, "n_labs": 0, "steps": 3,
    ...                           "alliance_network": "none"}, rng=1)
    >>> set_inspection_probability(eng, 0.3)
    0.3
    >>> float(eng.inspect_prob[0]), int(eng.quota)
    (0.3, 3)

References:
    Avenhaus, R., von Stengel, B. and Zamir, S. (2002). Inspection games. In *Handbook of Game
    Theory with Economic Applications* 3, 1947-1987.
    Brown, G. W. (1951). Iterative solution of games by fictitious play. In *Activity Analysis of
    Production and Allocation*, Wiley, 374-376.
    Miyasawa, K. (1961). On the convergence of the learning process in a 2 x 2 non-zero-sum
    two-person game. Research Memorandum 33, Econometric Research Program, Princeton.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model import payoffs
from model.engine import Engine
from model.errors import ParameterError

__all__ = [
    "AdaptiveInspector",
    "AdaptivePlay",
    "BudgetedInspection",
    "run_adaptive",
    "set_inspection_probability",
    "solve_budgeted",
]


def set_inspection_probability(engine: Engine, probability: float) -> float:
    """Inspect ``round(probability * N)`` actors at random from the next period on.

    Sets the engine's quota (``quota_allocation = "random"`` only) and recomputes every actor's
    expected sanctions, as a quota given at the start would have. Returns the probability set,
    ``k / N``. A probability of 0 inspects nobody (a quota parameter of 0 means everyone).

    Raises:
        ParameterError: ``probability`` outside [0, 1], or an allocation other than random.
    """
    if not (math.isfinite(probability) and 0.0 <= probability <= 1.0):
        raise ParameterError("probability", probability, "a number in [0, 1]")
    if engine.params["quota_allocation"] != "random":
        raise ParameterError(
            "quota_allocation",
            engine.params["quota_allocation"],
            "'random' (the adaptive inspector sets a uniform probability)",
        )
    if float(engine.params["sanction_escalation"]) > 0:
        raise ParameterError(
            "sanction_escalation",
            engine.params["sanction_escalation"],
            "0 (graduated sanctions replan the inspections themselves)",
        )
    inspectorate = engine.inspectorate
    n = inspectorate.n
    k = int(round(probability * n))
    inspectorate.quota = k
    inspectorate.limited = k < n
    inspectorate.inspect_prob = np.full(n, k / n)
    engine.recost()
    return k / n


@dataclass(frozen=True)
class AdaptiveInspector:
    """The inspector's payoffs.

    Attributes:
        cost: Cost of one inspection (> 0).
        loss: Cost of one undetected violation (> 0).
    """

    cost: float
    loss: float

    def __post_init__(self) -> None:
        for name in ("cost", "loss"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ParameterError(name, value, "a finite number > 0")

    def indifferent_violation(self, p_effective: float) -> float:
        """``v* = cost / (p * loss)``: the violation share at which inspecting just pays."""
        return self.cost / (p_effective * self.loss) if p_effective > 0 else math.inf

    def best_response(self, violation: float, p_effective: float) -> float:
        """1 when inspecting pays (``v p loss > cost``), else 0 (ties: do not inspect)."""
        return 1.0 if violation * p_effective * self.loss > self.cost else 0.0

    def payoff(self, inspected: Any, undetected: Any) -> Any:
        """``-cost * inspected - loss * undetected`` (both per actor; numbers or arrays)."""
        return -self.cost * inspected - self.loss * undetected


@dataclass(frozen=True)
class AdaptivePlay:
    """One run of :func:`run_adaptive`, period by period (t = 1..T).

    Attributes:
        inspection: The inspection probability the actors decided with.
        violation: The share of actors that defected.
        inspected: The share of actors inspected.
        undetected: The share of actors that defected and were not caught.
        payoff: The inspector's payoff per actor.
    """

    inspection: NDArray[np.float64]
    violation: NDArray[np.float64]
    inspected: NDArray[np.float64]
    undetected: NDArray[np.float64]
    payoff: NDArray[np.float64]


def run_adaptive(
    engine: Engine, inspector: AdaptiveInspector, steps: int, *, start: float = 1.0
) -> AdaptivePlay:
    """Play ``steps`` periods of ``engine`` with ``inspector`` by fictitious play (see module).

    Args:
        engine: A fresh engine (``quota_allocation = "random"``); its actors decide with its
            own rule.
        inspector: The inspector's payoffs.
        steps: Periods to play.
        start: The inspection probability of the first period (its first "reply").
    """
    left = int(engine.params["steps"]) - int(engine.t)
    if int(steps) != steps or not 1 <= steps <= left:
        raise ParameterError("steps", steps, f"an integer in 1..{left} (the engine's periods left)")
    n = engine.n_actors
    p_effective = payoffs.effective_detection(engine.params, engine.p_detect)
    plan = float(start)
    seen = 0.0
    first = int(engine.t) + 1
    inspection = np.zeros(int(steps))
    violation = np.zeros(int(steps))
    for t in range(int(steps)):
        inspection[t] = set_inspection_probability(engine, plan)
        engine.step()
        violation[t] = float(np.mean(engine.defect))
        seen += (violation[t] - seen) / (t + 1)
        plan += (inspector.best_response(seen, p_effective) - plan) / (t + 2)
    ts = engine.timeseries()
    inspected = ts["inspections"][first:] / n
    undetected = violation - ts["detections_international"][first:] / n
    rows = (inspection, violation, inspected, undetected, inspector.payoff(inspected, undetected))
    return AdaptivePlay(*rows)


# --------------------------------------------------------------------------------------------
# An inspector with a budget over time: the recursive inspection game
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetedInspection:
    """The recursive inspection game solved by backward induction (:func:`solve_budgeted`).

    An inspectorate may inspect one actor in at most ``m`` of ``n`` months; the actor may
    violate once (or never). A violation in a month the inspector inspects is caught (the
    actor's payoff -1); one in a month it does not goes undetected (+1); never violating is
    worth 0. Each month both choose at once, knowing the months and inspections left; the game
    is zero-sum. ``value[n, m]`` is the actor's equilibrium payoff with ``n`` months and ``m``
    inspections left, ``inspect[n, m]`` the inspector's equilibrium probability of inspecting
    this month and ``violate[n, m]`` the actor's of violating (0 where the month is no game:
    ``m = 0``, the actor violates for sure; ``m >= n``, it never does).

    Attributes:
        value: ``(n + 1, n + 1)`` values, ``value[i, j]`` for ``i`` months and ``j`` inspections.
        inspect: The inspector's probability of inspecting this month.
        violate: The actor's probability of violating this month.
    """

    value: NDArray[np.float64]
    inspect: NDArray[np.float64]
    violate: NDArray[np.float64]


def _zero_sum(matrix: NDArray[np.float64]) -> tuple[float, float, float]:
    """Value of a 2 x 2 zero-sum game (rows maximise) and both players' first-row/column odds.

    Solved as the linear programme of the row player (``scipy.optimize.linprog``), and the
    column player's as its dual; no closed form of the 2 x 2 game is used.
    """
    from scipy.optimize import linprog

    def solve(a: NDArray[np.float64]) -> tuple[float, float]:
        # maximise w subject to a^T x >= w, sum x = 1, x >= 0; variables (x_1, x_2, w)
        cost = np.array([0.0, 0.0, -1.0])
        upper = np.column_stack([-a.T, np.ones(2)])
        res = linprog(
            cost,
            A_ub=upper,
            b_ub=np.zeros(2),
            A_eq=np.array([[1.0, 1.0, 0.0]]),
            b_eq=np.array([1.0]),
            bounds=[(0.0, 1.0), (0.0, 1.0), (None, None)],
            method="highs",
        )
        if not res.success:  # pragma: no cover - a 2 x 2 game always has a value
            raise RuntimeError(f"linprog failed on {a.tolist()}: {res.message}")
        return float(res.x[2]), float(res.x[0])

    value, row = solve(matrix)
    _, column = solve(-matrix.T)
    return value, row, column


def solve_budgeted(months: int) -> BudgetedInspection:
    """Solve the recursive inspection game for every ``n <= months`` and ``m <= n``.

    Month ``n`` with ``m`` inspections left (``0 < m < n``) is the 2 x 2 game with rows
    (violate, wait) and columns (inspect, do not): ``[[-1, +1], [v(n-1, m-1), v(n-1, m)]]``.

    Raises:
        ParameterError: ``months`` is not an integer in 1..60.

    Example:
        >>> game = solve_budgeted(3)
        >>> round(float(game.value[2, 1]), 6), round(float(game.value[3, 1]), 6)
        (0.333333, 0.5)
    """
    if int(months) != months or not 1 <= months <= 60:
        raise ParameterError("months", months, "an integer in 1..60")
    n = int(months)
    value = np.zeros((n + 1, n + 1))
    inspect = np.zeros((n + 1, n + 1))
    violate = np.zeros((n + 1, n + 1))
    for i in range(1, n + 1):
        value[i, 0], violate[i, 0] = 1.0, 1.0
        for j in range(1, i):
            stage = np.array([[-1.0, 1.0], [value[i - 1, j - 1], value[i - 1, j]]])
            value[i, j], violate[i, j], inspect[i, j] = _zero_sum(stage)
        inspect[i, i:] = 1.0
    return BudgetedInspection(value, inspect, violate)
