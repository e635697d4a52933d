"""Pledges before each month, and what a breach costs (#30, model/ODD.md section 3.10).

With ``pledges = on`` every nation pledges comply or defect for its own programme each month
(labs do not pledge). A ``truthful`` nation pledges the action its rule decided this month
(after revision and the world's fixed actions, before a player's held choice replaces it); a
``strategic`` nation pledges comply. The pledge is declared before verification draws its
catches. A *breach* is a pledge of comply followed by a defection. Under
``pledge_binding = binding`` a breach that is detected this month (the nation's programme
caught) pays ``breach_penalty * c_k * s_k`` on top of the offence's own sanction, through the
same adjudication (``s_k`` the sanction share, or the vote's share when it passes unvetoed),
the same pending-sanction ring and the same payoffs; under ``cheap_talk`` the pledges are only
recorded. A strategic nation under ``binding`` weighs the breach's expected sanction when it
decides (:meth:`Pledges.weigh`). Under ``reviewed`` each detected breach multiplies the
others' trust in the breaker by ``1 - betrayal_penalty`` (:meth:`Pledges.settle`), lowers its
alliance ties as a sanction's betrayal does (:meth:`Pledges.betrayers`), and every actor
decides on a belief that starts from the nations' last pledges, weighted by trust
(:meth:`Pledges.believed`). No random number is drawn here, so the stream is the one without
pledges.

Example:
    >>> from model.engine import Engine
    >>> e = Engine.from_params({"pledges": "on", "steps": 3}, rng=1)
    >>> _ = e.run()
    >>> [float(x) for x in e.timeseries()["breaches"]]
    [0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from model.payoffs import discounted_penalty

#: The time-series columns a run with pledges adds (model/ODD.md section 3.10).
PLEDGE_COLUMNS = ("pledged_comply", "breaches", "breaches_detected")
#: The column a run with ``pledge_binding = reviewed`` adds besides.
REVIEW_COLUMNS = ("mean_trust",)


class Pledges:
    """A run's pledges: this month's, and each month's counts.

    Attributes:
        honesty: ``pledge_honesty``.
        binding: True under ``pledge_binding = binding``.
        breach_penalty: ``B``, per unit of capability.
        discounted: ``D B = discount ** L * B``, the breach sanction as a decision weighs it.
        last: This month's pledges, one per nation (True = defect); None before month 1.
        months: Per month ``t``: (share of nations pledging comply, breaches, detected breaches).
        detected: Last settled month's detected breaches, one per nation; None before month 1.
        reviewed: True under ``pledge_binding = reviewed``.
        betrayal_penalty: ``b``, the treaty's ``betrayal_penalty``.
        trust: The others' trust in each nation, ``T_j`` in [0, 1] (1 at the start).
        mean_trust: Per month ``t``: the mean of ``T`` after month ``t`` (only under reviewed).
    """

    def __init__(self, params: Mapping[str, Any], n_nations: int) -> None:
        self.honesty = str(params["pledge_honesty"])
        self.binding = params["pledge_binding"] == "binding"
        self.breach_penalty = float(params["breach_penalty"])
        self.discounted = float(discounted_penalty(params, self.breach_penalty))
        self.n_nations = n_nations
        self.last: np.ndarray | None = None
        self.months: dict[int, tuple[float, int, int]] = {}
        self.detected: np.ndarray | None = None
        self.reviewed = params["pledge_binding"] == "reviewed"
        self.betrayal_penalty = float(params["betrayal_penalty"])
        self.trust = np.ones(n_nations)
        self.mean_trust: dict[int, float] = {}

    @classmethod
    def of(cls, params: Mapping[str, Any], n_nations: int) -> Pledges | None:
        """The run's pledges, or None with ``pledges = off``."""
        return cls(params, n_nations) if params["pledges"] == "on" else None

    def pledge(self, decided: np.ndarray) -> None:
        """Declare this month's pledges from the nations' decided actions (True = defect)."""
        if self.honesty == "truthful":
            self.last = np.array(decided[: self.n_nations], dtype=bool)
        else:
            self.last = np.zeros(self.n_nations, dtype=bool)

    def hold(self, held: Mapping[int, bool]) -> None:
        """Players' own pledges (nation -> pledged defect) replace the model's this month.

        Called after :meth:`pledge`; draws nothing.

        Raises:
            ValueError: A key that is not a nation (labs do not pledge).
        """
        assert self.last is not None
        for nation, defect in held.items():
            if not 0 <= int(nation) < self.n_nations:
                raise ValueError(
                    f"held pledge for actor {nation} is not a nation's; allowed: a nation id "
                    f"in 0..{self.n_nations - 1} (labs do not pledge)"
                )
            self.last[int(nation)] = bool(defect)

    def weigh(
        self, delta: np.ndarray, pi_international: float | np.ndarray, bound: np.ndarray
    ) -> np.ndarray:
        """The advantage a nation decides on, a binding pledge's expected breach sanction in.

        Only a ``strategic`` nation under ``binding`` can breach by its own choice (a truthful
        one pledges what it decides), so only its advantage changes: a bound nation's
        ``delta_i - D B pi_i`` (``D B = discount ** L * B``, :attr:`discounted`; ``pi_i`` the
        international catch probability ``g_i coverage p s_i``). Unchanged (the same array)
        otherwise. ``bound``: bound by an active pause, per actor.
        """
        if not (self.binding and self.honesty == "strategic"):
            return delta
        n = self.n_nations
        pi = np.broadcast_to(pi_international, delta.shape)
        out = delta.copy()
        out[:n] = np.where(bound[:n], delta[:n] - self.discounted * pi[:n], delta[:n])
        return out

    def believed(
        self, belief: np.ndarray, rival_share: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """The belief each actor decides on: under reviewed, the pledges weighted by trust.

        Per rival nation ``j`` an actor ``i`` believes ``T_j [P_j = defect] + (1 - T_j) b_i``
        (``P_j`` last month's pledge, ``b_i`` its belief without pledges); a lab rival keeps
        ``b_i``. With the engine's rival weights (``rival_share``, :meth:`model.engine.Engine
        .rival_share`) the mix aggregates to ``b_i (1 - rho_i(y)) + rho_i(z)``, ``y_j = T_j``
        and ``z_j = T_j [P_j = defect]`` on nations, 0 on labs, clipped to [0, 1] against
        rounding. Unchanged (the same array) unless reviewed, and in month 1 (no pledge yet).

        Example:
            >>> from model.params import resolve
            >>> p = Pledges(resolve({"pledges": "on", "pledge_binding": "reviewed"}), 2)
            >>> p.last, p.trust = np.array([True, False]), np.array([0.5, 1.0])
            >>> mean = lambda x: np.full(2, x.mean())  # rho: both nations, equal weights
            >>> [float(b) for b in p.believed(np.array([0.2, 0.4]), mean)]
            [0.3, 0.35]
        """
        if not self.reviewed or self.last is None:
            return belief
        n = self.n_nations
        y, z = np.zeros(len(belief)), np.zeros(len(belief))
        y[:n] = self.trust
        z[:n] = self.trust * self.last
        return np.clip(belief * (1.0 - rival_share(y)) + rival_share(z), 0.0, 1.0)

    def betrayers(self, sanctioned: np.ndarray) -> np.ndarray:
        """The actors whose nations' allies lower their ties this month (``Treaty.after``).

        Those sanctioned internationally, and under reviewed also this month's detected
        breakers (a nation is its own actor ``j``); ``Treaty.after`` lowers each home's ties
        once. Unchanged (the same array) otherwise.
        """
        if not self.reviewed or self.detected is None or not self.detected.any():
            return sanctioned
        out = sanctioned.copy()
        out[: self.n_nations] |= self.detected
        return out

    def breaches(self, new: np.ndarray) -> np.ndarray:
        """Each nation's breach this month: pledged comply, then defected."""
        assert self.last is not None
        return ~self.last & new[: self.n_nations]

    def charge(
        self,
        fcs: np.ndarray,
        new: np.ndarray,
        c: np.ndarray,
        share: np.ndarray,
        votes: Mapping[str, np.ndarray],
    ) -> np.ndarray:
        """What a flag costs each actor this month, a binding breach's sanction added.

        ``fcs`` the offence's own amount (:func:`model.month.adjudicate`); ``share`` the
        sanction shares ``s_k``; under a vote the breach's share is the vote's when it passes
        unvetoed, as the offence's. Unchanged (the same array) unless binding with a breach.
        """
        if not self.binding:
            return fcs
        breach = self.breaches(new)
        if not breach.any():
            return fcs
        n = self.n_nations
        if votes:
            applies = votes["vote_passed"][:n] & ~votes["vetoed"][:n]
            s = votes["vote_share"][:n] * applies
        else:
            s = share[:n]
        extra = np.zeros(len(fcs))
        extra[:n] = np.where(breach, self.breach_penalty * c[:n] * s, 0.0)
        return fcs + extra

    def settle(self, t: int, new: np.ndarray, caught: np.ndarray) -> None:
        """Count month ``t``'s breaches and the detected ones (``caught``: per actor).

        Under reviewed, each detected breaker's trust becomes ``T_j (1 - betrayal_penalty)``.
        """
        assert self.last is not None
        n = self.n_nations
        self.months[t] = month_counts(self.last, new[:n], caught[:n])
        self.detected = self.breaches(new) & caught[:n]
        if self.reviewed:
            self.trust = reviewed_trust(self.trust, self.detected, self.betrayal_penalty)
            self.mean_trust[t] = float(np.mean(self.trust))

    def bits(self) -> str:
        """This month's pledges as the event log writes them: 1 = defect, one per nation."""
        assert self.last is not None
        return "".join("1" if d else "0" for d in self.last)

    def columns(self, first: int, stop: int) -> dict[str, np.ndarray]:
        """The columns of months ``first..stop-1`` (month 0 and months without: NaN, 0, 0).

        Under reviewed also ``mean_trust`` (1.0 at month 0).
        """
        out = columns(self.months, first, stop)
        if self.reviewed:
            out["mean_trust"] = trust_column(self.mean_trust, first, stop)
        return out


def reviewed_trust(trust: np.ndarray, detected: np.ndarray, penalty: float) -> np.ndarray:
    """Trust after a month: ``T_j (1 - penalty)`` for each detected breaker, else ``T_j``."""
    return np.where(detected, trust * (1.0 - penalty), trust)


def trust_column(mean_trust: Mapping[int, float], first: int, stop: int) -> np.ndarray:
    """``mean_trust`` of months ``first..stop-1`` (1.0 before the first month)."""
    return np.array([mean_trust.get(t, 1.0) for t in range(first, stop)], dtype=float)


def month_counts(
    pledged_defect: np.ndarray, defect: np.ndarray, caught: np.ndarray
) -> tuple[float, int, int]:
    """(share of nations pledging comply, breaches, detected breaches) of one month."""
    breach = ~pledged_defect & defect
    share = float(np.mean(~pledged_defect)) if len(pledged_defect) else float("nan")
    return share, int(breach.sum()), int((breach & caught).sum())


def columns(
    months: Mapping[int, tuple[float, int, int]], first: int, stop: int
) -> dict[str, np.ndarray]:
    """:data:`PLEDGE_COLUMNS` of months ``first..stop-1`` from each month's counts."""
    rows = [months.get(t, (float("nan"), 0, 0)) for t in range(first, stop)]
    return {
        "pledged_comply": np.array([r[0] for r in rows], dtype=float),
        "breaches": np.array([r[1] for r in rows], dtype=np.int64),
        "breaches_detected": np.array([r[2] for r in rows], dtype=np.int64),
    }


def replay_columns(
    states: Sequence[Mapping[str, Any]],
    caught: Mapping[int, Sequence[int]],
    n_nations: int,
    recorded: Mapping[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """The pledge columns from an event log's state records and the actors caught each month.

    Empty when no state record holds pledges (a run without them). ``recorded``: the run
    record's parameters; under reviewed ``mean_trust`` is replayed too.
    """
    if not states or "pledges" not in states[0]:
        return {}
    from model.params import params_from_ledger

    params = params_from_ledger(recorded or {})
    reviewed = params.get("pledge_binding") == "reviewed"
    trust, mean_trust = np.ones(n_nations), {}
    months = {}
    for st in states:
        t = int(st["t"])
        pledged = np.array([ch == "1" for ch in st["pledges"]], dtype=bool)
        defect = np.array([ch == "1" for ch in st["actions"][:n_nations]], dtype=bool)
        got = np.zeros(n_nations, dtype=bool)
        got[[k for k in caught.get(t, ()) if k < n_nations]] = True
        months[t] = month_counts(pledged, defect, got)
        if reviewed:
            trust = reviewed_trust(
                trust, ~pledged & defect & got, float(params["betrayal_penalty"])
            )
            mean_trust[t] = float(np.mean(trust))
    first = int(states[0]["t"])
    out = columns(months, first, first + len(states))
    if reviewed:
        out["mean_trust"] = trust_column(mean_trust, first, first + len(states))
    return out
