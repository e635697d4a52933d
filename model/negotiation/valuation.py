"""What a nation gains from a treaty's terms, from theory: ``S_i = U_i(theta) + tau_i - D_i`` (#29).

The first version of the valuation (DESIGN.md section 7), from the mean-field theory only.
Nation ``i`` values terms ``theta`` per month, in payoff units (``G = 1``, capabilities summing
to 1), as ``S_i = U_i(theta) + tau_i - D_i``:

* ``U_i(theta)`` is its *jurisdiction's* expected month payoff (its own programme and its labs)
  at the theory's compliant branch under ``theta``: every actor ``a`` defects independently with
  its probability ``sigma_a`` there (:func:`model.theory.heterogeneous.compliant_probabilities`,
  beliefs ``rho = x`` for everybody), and is paid exactly what the engine pays in a month
  (``model/kernels.py``, step 5), in expectation::

      E[payoff_a] = c_a [ sigma_a G (1 + lam x) - F E[sanctioned_a] - r E[R] ],

  ``E[R] = sum_m c_m sigma_m / C`` the expected defecting share. A nation is sanctioned
  ``F c s`` with probability ``g (sigma p_eff + (1 - sigma) q)`` (international verification
  only: inspected with ``g``, caught with ``p_eff = coverage * p_detect``, falsely flagged with
  ``q``); a lab defecting while its nation complies this month is caught at home with ``p_dom``
  (paying ``F c``) and otherwise internationally (``F c s``), a lab defecting while its nation
  defects only internationally; the nation's current action is independent of the one the
  lab decided on (last month's), as on the stationary branch. Sanctions land
  ``verification_lag`` months late and are paid in full (the engine does not discount what it
  pays), so on a stationary branch a month's expected payment is a month's expected sanctions.
  The value is the same every month, so its discounted average over any horizon is itself.
  **A catastrophe's loss** (with ``hazard_scale > 0``): a month at defecting share ``x`` ends
  in catastrophe with probability ``h(x) = 1 - exp(-hazard_scale x ** hazard_exponent)`` (the
  engine's hazard at the branch's expected share ``x = E[R]``), which costs nation ``i``
  ``X c_i``, ``X = G / (1 - discount)`` (:func:`catastrophe_loss`, the ``hazard_aware``
  rule's) and ``c_i`` its jurisdiction's capability (its programme's and its labs'), paid in
  the month it happens; so ``U_i(theta)`` is the month payoff above less
  ``h(x(theta)) X c_i``. The months are not weighted by survival (the value is a month's,
  not the horizon's): the catastrophe is in ``U`` and ``D`` only as this loss (and in the
  bargaining's discount per round, :mod:`model.negotiation.session`).
* ``D_i`` is the same under the status quo: no treaty (``status_quo=None``: nobody is bound,
  so no sanctions or false alarms and every actor sees ``G (1 + lam rho) - phi r``, which is
  the theory at ``penalty = 0``), or the treaty in force (a term point), less the status
  quo's ``h(x_0) X c_i``. A treaty that lowers the defecting share thus gains each nation
  ``X c_i (h(x_0) - h(x(theta)))`` more than without a hazard: urgency.
* ``tau_i`` are transfers (zero unless given).

**Where theory covers it, and where it does not.** The mean field covers the ``logit`` and
``best_response`` rules (:data:`model.theory.RULES`) in the core world: every nation a member
of an active pause, perfect information, the terms that only move the month payoff's
parameters (:data:`THEORY_TERMS`: ``p_detect`` and ``penalty``). Not covered, and refused with
:class:`~model.errors.ConfigError` rather than guessed: any other rule; a term such as the
trigger, the lift, adjudication, ``entry_threshold`` or a verification regime; a world with a
trigger or lift, negotiated or partial membership, or a club's dues and outsiders' penalties.
Not covered and not checked: ``information = detected`` (the mean field takes ``rho = x``),
learning, and the hazard's dependence on the defecting share's spread (the theory takes
``h`` at the expected share). There the
*batched-simulation valuation* takes over (:class:`~model.negotiation.simulated.SimulatedValuation`:
one batched simulation over ``n_worlds`` common worlds on a stream spawned from the run's seed,
the same worlds for every ``theta``); the negotiation picks it wherever this one raises.

:class:`TermSurplus` offers the valuations of a batch of term points to the bargaining solver
(:class:`~model.negotiation.Surplus`). Without transfers a proposer picks, among the points
where at least the partners it needs reach their reserves, the one best for itself; with
transfers it picks the point where its coalition's total surplus less its partners' reserves
is largest and pays each partner exactly its reserve, no member paying more than
``max_transfer_share`` of its gain (its ``S`` before transfers; see :class:`TermSurplus`).
``nash`` maximises ``sum_i log S_i`` over the points where every ``S_i > 0`` (disagreement 0;
without transfers).

Example:
    >>> import numpy as np
    >>> from model.params import resolve
    >>> from model.theory import Actors
    >>> two = Actors(c=np.array([0.5, 0.5]), shield=np.ones(2), is_lab=np.zeros(2, bool),
    ...              home=np.arange(2))
    >>> v = TheoryValuation(resolve(risk_cost=3.0), two)
    >>> v.surplus([{"p_detect": 0.9, "penalty": 6.0}]).round(3).tolist()
    [[0.69, 0.69]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model import payoffs
from model.errors import ConfigError
from model.negotiation._lottery import LotterySurplus
from model.negotiation._terms import TermSurplus
from model.theory import RULES, Actors
from model.theory.affine import _inspection_probability
from model.theory.heterogeneous import compliant_probabilities

__all__ = [
    "THEORY_TERMS",
    "catastrophe_loss",
    "LotterySurplus",
    "TermSurplus",
    "TheoryValuation",
    "Valuation",
    "point_key",
]

#: The terms the theory valuation covers (they only move the month payoff's parameters).
THEORY_TERMS: tuple[str, ...] = ("p_detect", "penalty")

Point = Mapping[str, Any]
Key = tuple[tuple[str, Any], ...]


def _beyond_the_core(params: Mapping[str, Any]) -> str:
    """What of ``params`` the core all-member treaty lacks ("" when nothing)."""
    checks = (
        ("membership", "fixed"),
        ("initial_membership", 1.0),
        ("trigger", "immediate"),
        ("lift", "never"),
        ("verification_cost", 0.0),
        ("outsider_penalty", 0.0),
        ("layers", "none"),  # the layers' costs (model/ODD.md 3.6)
    )
    for name, core in checks:
        if name in params and params[name] != core:
            return f"{name}={params[name]!r} (the core: {core!r})"
    return ""


def catastrophe_loss(params: Mapping[str, Any]) -> float | None:
    """``X = G / (1 - discount)``: what a catastrophe costs per unit of capability, or None.

    The ``hazard_aware`` rule's ``X`` (:func:`agents.rules.hazard_aware.catastrophe_loss`):
    ``G = defect_gain``, the frontier gain per unit of capability and month (without race
    pressure's or ``rsi``'s scaling), so ``X`` is the discounted value of the gains a catastrophe
    destroys. None without a hazard (``hazard_scale = 0``): the valuations then weigh no loss at
    all (they skip the term, so every number is the one without it).

    Raises:
        ConfigError: A hazard with ``discount = 1`` (``X`` would be infinite).

    Example:
        >>> round(catastrophe_loss({"hazard_scale": 0.1, "defect_gain": 1.0, "discount": 0.95}), 9)
        20.0
        >>> catastrophe_loss({"hazard_scale": 0.0, "defect_gain": 1.0, "discount": 0.95}) is None
        True
    """
    from agents.rules.hazard_aware import catastrophe_loss as rule_loss

    if float(params["hazard_scale"]) <= 0.0:
        return None
    loss = rule_loss(params)
    if not np.isfinite(loss):
        raise ConfigError(
            f"discount={params['discount']!r} with hazard_scale={params['hazard_scale']!r}: a "
            "catastrophe's loss G / (1 - discount) is infinite; allowed: discount below 1 "
            "when hazard_scale > 0"
        )
    return float(loss)


def _catastrophe_probability(params: Mapping[str, Any], share: float) -> float:
    """``1 - exp(-hazard_scale * share ** hazard_exponent)`` (0 without a hazard)."""
    scale = float(params["hazard_scale"])
    if scale <= 0.0:
        return 0.0
    return float(1.0 - np.exp(-scale * share ** float(params["hazard_exponent"])))


def point_key(point: Point) -> Key:
    """The cache key of a term point: its items sorted by name."""
    return tuple(sorted(point.items()))


class Valuation:
    """What the theory's and the simulated valuations share: ``S`` from ``U`` and ``D``.

    A subclass sets ``disagreement`` (``D_i``) and gives :meth:`utilities` (``U_i``) and
    :meth:`hazard`.
    """

    disagreement: NDArray[np.float64]

    def utilities(self, points: Sequence[Point]) -> NDArray[np.float64]:
        """``(points, nations)``: ``U_i(theta)`` for each point."""
        raise NotImplementedError

    def hazard(self, months: int) -> float:
        """The probability of a catastrophe within ``months`` months of the status quo."""
        raise NotImplementedError

    def surplus(
        self, points: Sequence[Point], transfers: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        """``(points, nations)``: ``S_i = U_i(theta) + tau_i - D_i``.

        Args:
            points: Term points (:func:`model.params.terms.term_points`).
            transfers: ``(points, nations)`` or ``(nations,)``: ``tau`` (None: none).
        """
        values = self.utilities(points) - self.disagreement
        if transfers is not None:
            values = values + np.asarray(transfers, dtype=float)
        return values


class TheoryValuation(Valuation):
    """Each nation's month value of term points, from the mean-field theory (see the module).

    Args:
        params: The parameters (the fixed terms and the economics).
        actors: The world's actors (:meth:`model.theory.Actors.of`).
        rule: ``"logit"`` or ``"best_response"`` (default ``params["decision_rule"]``).
        status_quo: The disagreement point: None for no treaty, else the term point in force.
        max_points: The most points whose values are kept (the oldest forgotten first, and
            computed again, identically, when asked again); None: every point.

    Raises:
        ConfigError: A rule or world the theory does not cover, or a world without nations
            (a term it does not cover is refused when a point is valued).
    """

    def __init__(
        self,
        params: Mapping[str, Any],
        actors: Actors,
        *,
        rule: str | None = None,
        status_quo: Point | None = None,
        max_points: int | None = None,
    ) -> None:
        self.rule = str(params["decision_rule"]) if rule is None else rule
        if self.rule not in RULES:
            raise ConfigError(
                f"the theory valuation covers the rules {', '.join(RULES)}, not {self.rule!r}; "
                "other rules need the batched-simulation valuation"
            )
        beyond = _beyond_the_core(params)
        if beyond:
            raise ConfigError(
                f"the theory valuation covers the all-member core treaty, not {beyond}; "
                "that world needs the batched-simulation valuation"
            )
        self.params = dict(params)
        self.actors = actors
        nations = np.flatnonzero(~actors.is_lab)
        if not nations.size:
            raise ConfigError("the valuation needs at least one nation among the actors")
        #: The nations' actor indices, in the order of the valuations' columns.
        self.nations: NDArray[np.int64] = nations[np.argsort(actors.home[nations], kind="stable")]
        # jurisdiction[j, a]: actor a is nation j's own programme or one of its labs
        self._jurisdiction = actors.home[None, :] == actors.home[self.nations][:, None]
        self._cache: dict[Key, NDArray[np.float64]] = {}
        if max_points is not None and max_points < 1:
            raise ConfigError(f"max_points={max_points!r}: allowed: None or an integer >= 1")
        self.max_points = max_points
        #: ``X``, a catastrophe's loss per unit of capability (None without a hazard).
        self.loss = catastrophe_loss(self.params)
        # each nation's jurisdiction's capability (the c_a its payoffs are paid on)
        self._capability = self._jurisdiction.astype(float) @ actors.c
        self.status_quo = status_quo
        none = {"penalty": 0.0}  # nobody bound: the theory's advantage at F = 0
        self.disagreement: NDArray[np.float64] = self._values(
            none if status_quo is None else status_quo
        )

    @property
    def n(self) -> int:
        """The number of nations."""
        return int(self.nations.size)

    @property
    def points_kept(self) -> int:
        """How many points' values are kept (at most ``max_points``)."""
        return len(self._cache)

    def _params(self, point: Point) -> dict[str, Any]:
        for name in point:
            if name not in THEORY_TERMS:
                raise ConfigError(
                    f"the theory valuation covers the terms {', '.join(THEORY_TERMS)}, not "
                    f"{name!r}; that term needs the batched-simulation valuation"
                )
        return {**self.params, **point}

    def _values(self, point: Point) -> NDArray[np.float64]:
        key = point_key(point)
        if key not in self._cache:
            payoffs_, share = self._branch(point)
            values = self._jurisdiction.astype(float) @ payoffs_
            if self.loss is not None:  # a hazard: the catastrophe's loss (skipped without)
                h = _catastrophe_probability(self.params, share)
                values = values - h * self.loss * self._capability
            if self.max_points is not None and len(self._cache) >= self.max_points:
                del self._cache[next(iter(self._cache))]  # the oldest point
            self._cache[key] = values
            return values
        return self._cache[key]

    def catastrophe_probability(self, point: Point) -> float:
        """``h(theta)``: a month's catastrophe probability at the point's compliant branch.

        ``1 - exp(-hazard_scale * x ** hazard_exponent)``, ``x = sum_a c_a sigma_a / C`` the
        branch's expected defecting share (0 without a hazard).
        """
        return _catastrophe_probability(self.params, self._branch(point)[1])

    def actor_payoffs(self, point: Point) -> NDArray[np.float64]:
        """``(actors,)``: each actor's expected month payoff at the compliant branch.

        Without the catastrophe's loss, which :meth:`utilities` subtracts per nation.
        """
        return self._branch(point)[0]

    def _branch(self, point: Point) -> tuple[NDArray[np.float64], float]:
        """Each actor's expected month payoff at the compliant branch, and its defecting share."""
        params = self._params(point)
        a = self.actors
        sigma = compliant_probabilities(params, a, rule=self.rule)
        w = a.weights
        share = float(w @ sigma)  # E[R] = sum_m c_m sigma_m / C  (= x at the fixed point)
        gain = float(params["defect_gain"])
        lam = float(params["race_pressure"])
        penalty = float(params["penalty"])
        g = _inspection_probability(params)
        p_eff = payoffs.effective_detection(params)
        q = float(params["p_false_alarm"])
        p_dom = float(params["p_domestic"])
        s = a.shield
        intl = payoffs.international_catch(g, p_eff, s)
        home_nation = {int(a.home[i]): i for i in np.flatnonzero(~a.is_lab)}
        y = np.array(  # the home nation's defection probability (a lab without one: complies)
            [sigma[home_nation[int(h)]] if int(h) in home_nation else 0.0 for h in a.home]
        )
        # expected sanction shares (of F c): a domestic catch pays 1, an international one s
        at_home = payoffs.catch_probability(intl, p_dom, True)
        caught = np.where(a.is_lab, (1.0 - y) * at_home + y * intl, intl)
        false_alarm = payoffs.false_alarm_share(g, q, s)
        sanction = penalty * (sigma * caught + (1.0 - sigma) * false_alarm)
        risk = float(params["risk_cost"]) * share
        per_unit = sigma * gain * (1.0 + lam * share) - sanction - risk
        out: NDArray[np.float64] = a.c * per_unit
        return out, share

    def utilities(self, points: Sequence[Point]) -> NDArray[np.float64]:
        """``(points, nations)``: ``U_i(theta)`` for each point (cached by point)."""
        if not len(points):
            return np.zeros((0, self.n))
        return np.stack([self._values(point) for point in points])

    def hazard(self, months: int) -> float:
        """``H``: a catastrophe's probability during ``months`` months without a treaty.

        ``1 - exp(-hazard_scale * months * R0 ** hazard_exponent)``, ``R0`` the theory's
        defecting share at ``penalty = 0`` (nobody bound).
        """
        scale = float(self.params["hazard_scale"])
        if scale <= 0.0:
            return 0.0
        free = {**self.params, "penalty": 0.0}
        sigma = compliant_probabilities(free, self.actors, rule=self.rule)
        share = float(self.actors.weights @ sigma)
        exponent = float(self.params["hazard_exponent"])
        return float(1.0 - np.exp(-scale * months * share**exponent))

    def defection_advantage(self, points: Sequence[Point]) -> NDArray[np.float64]:
        """``(points, actors)``: the advantage a would-be defector sees at the compliant branch.

        ``G (1 + lam x) - discount**L F (pi - q s) - phi r`` (:func:`model.payoffs.advantage`),
        ``x`` the branch's defection share and ``pi`` as the actor would be checked there (a
        lab of a complying nation at home first).
        """
        rows = []
        for point in points:
            params = self._params(point)
            a = self.actors
            x = float(a.weights @ compliant_probabilities(params, a, rule=self.rule))
            g = _inspection_probability(params)
            intl = payoffs.international_catch(g, payoffs.effective_detection(params), a.shield)
            catch = payoffs.catch_probability(intl, float(params["p_domestic"]), a.is_lab)
            rows.append(
                payoffs.advantage(
                    float(params["defect_gain"]),
                    float(params["race_pressure"]),
                    x,
                    payoffs.risk_weight(params),
                    payoffs.discounted_penalty(params, float(params["penalty"])),
                    catch,
                    payoffs.false_alarm_share(g, float(params["p_false_alarm"]), a.shield),
                )
            )
        return np.array(rows, dtype=float).reshape(len(points), self.actors.c.size)
