"""The debrief's charts (#33): the world against the theory, the treaty against two others.

:meth:`DebriefCharts.debrief_charts` adds to the room's debrief (:mod:`experiments.room.debrief`),
computed once when a page first asks for it, after the game:

* **compliance by month** (capability-weighted, months 1..T of the room's world, and of the
  same world with the model in every seat) with **the theory's line**: the mean-field
  theory's long-run compliance for the room's parameters (:func:`theory_line`: the compliant
  branch of :func:`model.theory.summarize`, flat over the months; none for a decision rule
  the mean field does not cover, said in one sentence);
* **the treaty in force** (the room's negotiable terms, ``engine.params``) against **the
  terms the model's nations would have agreed** (:func:`model_agreement`: the engine's own
  negotiation on the same world and seed, under the room's protocol or
  :data:`MODEL_PROTOCOL`, in an engine of its own: its negotiation stream is a fixed child of
  the seed, so the room's draws are untouched) and against **the theory's stable set**
  (:func:`stable_set`: the points of a grid over the negotiable box at which the mean field's
  compliant branch reaches the stability threshold);
* **each accusation** against what the accused did (:func:`accusations`: that month and the
  month before, from the log's true actions);
* **the benchmark** of each student's total in one line (:data:`BENCHMARK`: the debrief's
  best responder).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.play import build_engine
from experiments.room.names import RoomError
from experiments.room.state import RoomState
from model.errors import ConfigError
from model.negotiation.session import DEFAULT_BOX
from model.params.negotiation import TERMS_RULE
from model.params.terms import term_box
from model.theory import RULES, summarize

__all__ = [
    "BENCHMARK",
    "GRID_POINTS",
    "MODEL_PROTOCOL",
    "DebriefCharts",
    "accusations",
    "model_agreement",
    "stable_grid",
    "stable_set",
    "theory_line",
]

#: The protocol the model's nations negotiate under when the room's has none.
MODEL_PROTOCOL = "rotating_unanimity"
#: Values per number term on the stable set's grid.
GRID_POINTS = 5
#: What each student's total is compared with, in one line.
BENCHMARK = (
    "Benchmark: a nation that best-responds every month (the action with the higher expected "
    "payoff), on the same random draws, with every other choice of the room kept."
)


def theory_line(params: Mapping[str, Any], months: int) -> list[float] | None:
    """The mean field's long-run compliance for ``params``, once per month (None: no theory).

    The compliant branch's compliance (:meth:`model.theory.TheorySummary.compliant_branch`)
    of :func:`model.theory.summarize`: identical nations, no alliances.
    """
    if params["decision_rule"] not in RULES:
        return None
    value = float(summarize(params).compliant_branch().compliance)
    return [value] * int(months)


def theory_words(params: Mapping[str, Any]) -> str:
    """One sentence on the theory's line (what it is, or why there is none)."""
    if params["decision_rule"] not in RULES:
        return (
            f"The mean-field theory covers the rules {', '.join(RULES)}; this room's nations "
            f"decide by {params['decision_rule']!r}, so there is no theory line."
        )
    return (
        "The dashed line is the mean-field theory's long-run compliance for this room's "
        "parameters (identical nations, no alliances)."
    )


def _grid(box: Any) -> list[dict[str, Any]]:
    axes = []
    for term in box.terms:
        if term.choices:
            axes.append([(term.name, c) for c in term.choices])
        else:
            values = np.linspace(float(term.low), float(term.high), GRID_POINTS)
            axes.append([(term.name, float(v)) for v in values])
    return [dict(point) for point in itertools.product(*axes)]


def _holds(params: Any, point: Mapping[str, Any]) -> bool | None:
    """Whether the mean field's compliant branch holds at ``point`` (None: no theory there)."""
    if params["decision_rule"] not in RULES:
        return None
    try:
        return bool(summarize(params.replace(**point)).holds())
    except (ValueError, ConfigError):
        return None


def stable_set(params: Any, scenario: Any) -> dict[str, Any]:
    """The theory's verdict over a grid of the negotiable box (the scenario's, or the default).

    Returns:
        ``terms`` (names), ``points`` (each a mapping of the terms with ``holds``: True,
        False, or None where the theory does not answer) and ``text``.
    """
    table = getattr(scenario, "negotiation", None) or DEFAULT_BOX
    box = term_box(table)
    points = [{**p, "holds": _holds(params, p)} for p in _grid(box)]
    known = [p for p in points if p["holds"] is not None]
    if not known:
        text = "The mean-field theory does not answer for this room's decision rule."
    else:
        n = sum(bool(p["holds"]) for p in known)
        text = (
            f"The theory says a treaty holds at {n} of {len(known)} points of a grid over "
            f"the negotiable terms ({', '.join(box.names)}), the other parameters as in "
            "this room."
        )
    return {"terms": list(box.names), "points": points, "text": text}


def model_agreement(
    scenario: Any, seed: int, periods: int, overrides: Mapping[str, Any], protocol: str
) -> dict[str, Any]:
    """The terms the model's nations agree on the room's world and seed.

    An engine of its own with the room's parameters and a protocol (the room's ``protocol``,
    or :data:`MODEL_PROTOCOL` when it is ``terms_rule``): its negotiation stream is a fixed
    child of ``seed`` (:func:`model.negotiation.negotiation_seed`), so the room's own draws
    are untouched.

    Returns:
        ``protocol``, ``terms`` (None: no agreement, or the negotiation could not run) and
        ``text`` (one sentence).
    """
    protocol = MODEL_PROTOCOL if protocol == TERMS_RULE else protocol
    try:
        eng = build_engine(scenario, seed, periods, {**overrides, "protocol": protocol})
    except (ConfigError, ValueError) as exc:
        return {
            "protocol": protocol,
            "terms": None,
            "text": f"The model's nations could not negotiate here: {exc}",
        }
    agreement = eng.agreement
    assert agreement is not None
    if agreement.terms is None:
        return {
            "protocol": protocol,
            "terms": None,
            "text": f"The model's nations, negotiating under {protocol}, agreed on nothing.",
        }
    terms = {k: _plain(v) for k, v in agreement.terms.items()}
    said = ", ".join(f"{k} {_fmt(v)}" for k, v in terms.items())
    return {
        "protocol": protocol,
        "terms": terms,
        "text": f"The model's nations, negotiating under {protocol}, would have agreed: {said}.",
    }


def _plain(v: Any) -> Any:
    return float(v) if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else v


def _fmt(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def accusations(
    pledges: Sequence[Any], actions: Sequence[Sequence[bool]], names: Sequence[str]
) -> list[dict[str, Any]]:
    """Each ``accuse`` message beside what the accused did.

    Args:
        pledges: The room's messages (:class:`~experiments.room.seats.Pledge`).
        actions: Each resolved month's true actions (True: defect), from the log.
        names: The nations' names.

    Returns:
        Per accusation: ``month`` (sent while it was being decided), ``by``, ``accused``,
        ``defected_that_month`` and ``defected_month_before`` (None: no such month resolved).
    """
    out = []
    for p in pledges:
        if p.kind != "accuse":
            continue
        target = names.index(p.value)
        t = p.month - 1
        out.append(
            {
                "month": p.month,
                "by": names[p.nation],
                "accused": p.value,
                "defected_that_month": bool(actions[t][target]) if t < len(actions) else None,
                "defected_month_before": bool(actions[t - 1][target]) if t >= 1 else None,
            }
        )
    return out


def stable_grid(stable: dict[str, Any]) -> tuple[list[str], list[list[str]]] | None:
    """The stable set as a table: the first term down, the second across (two terms only).

    A cell says ``holds`` where the theory says the treaty holds, ``-`` where it does not
    (None: not two terms, or no answer anywhere).
    """
    terms = stable["terms"]
    if len(terms) != 2 or all(p["holds"] is None for p in stable["points"]):
        return None
    first, second = terms
    downs = sorted({p[first] for p in stable["points"]}, key=str)
    acrosses = sorted({p[second] for p in stable["points"]}, key=str)
    if all(isinstance(v, float) for v in [*downs, *acrosses]):
        downs, acrosses = sorted(downs), sorted(acrosses)
    cell = {(p[first], p[second]): p["holds"] for p in stable["points"]}
    head = [f"{first} ↓ {second} →", *(_v(v) for v in acrosses)]
    rows = [
        [_v(d), *({True: "holds", False: "-", None: "?"}[cell[(d, a)]] for a in acrosses)]
        for d in downs
    ]
    return head, rows


def _v(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


class DebriefCharts(RoomState):
    """The debrief's charts, computed once (see the module)."""

    # the negotiation's settings (experiments.room.negotiation), read by model_terms
    negotiation_rounds: int
    vote_rule: str
    votes_needed: int

    def debrief_charts(self) -> dict[str, Any]:
        """The charts' data (computed on the first call; later calls wait for it).

        Returns a mapping with ``compliance`` (``room``, ``model`` and ``theory`` per month,
        ``theory_text``), ``treaty`` (``in_force``, ``model`` from :func:`model_agreement`,
        ``stable`` from :func:`stable_set`, and whether the theory says each of the two
        holds), ``accusations`` and ``benchmark``.

        Raises:
            RoomError: The game is not over yet.
        """
        with self._lock:
            if not self.finished:
                raise RoomError("the debrief opens when the game is over")
            lock = self.__dict__.setdefault("_charts_lock", threading.Lock())
        with lock:
            cached = self.__dict__.get("_charts")
            if cached is not None:
                return dict(cached)
            d = self.debrief()
            with self._lock:
                params = self.engine.params
                records = list(self.log.records)
                pledges = list(self.pledges)
                months = self.engine.t
            stable = stable_set(params, self.scenario)
            model = self.model_terms()
            in_force = {k: _plain(params[k]) for k in stable["terms"]}
            actions = [[c == "1" for c in r["actions"]] for r in records if r["type"] == "state"]
            charts = {
                "compliance": {
                    "room": d["room_world"]["compliance"][1 : months + 1],
                    "model": d["model_world"]["compliance"][1 : months + 1],
                    "theory": theory_line(params, months),
                    "theory_text": theory_words(params),
                },
                "treaty": {
                    "in_force": in_force,
                    "in_force_holds": _holds(params, in_force),
                    "model": model,
                    "model_holds": None
                    if model["terms"] is None
                    else _holds(params, model["terms"]),
                    "stable": stable,
                },
                "accusations": accusations(pledges, actions, self.nation_names),
                "benchmark": BENCHMARK,
            }
            with self._lock:
                self.__dict__["_charts"] = charts
                self._bump()
            return dict(charts)

    def model_terms(self) -> dict[str, Any]:
        """:func:`model_agreement` for this room, computed once (any time: it needs no game).

        It depends only on the room's scenario, seed, months and parameters, so a page may
        start it early (the teacher's dashboard does, in the lobby): for 40 nations the
        model's negotiation takes most of a minute. A room whose class negotiates compares
        its treaty with the model's nations under the class's own rule (its ``vote_rule``,
        and under ``baron_ferejohn`` its quota of yes votes).
        """
        with self._lock:
            lock = self.__dict__.setdefault("_model_terms_lock", threading.Lock())
        with lock:
            cached = self.__dict__.get("_model_terms")
            if cached is None:
                protocol, overrides = str(self.engine.given_params["protocol"]), self.overrides
                if self.negotiation_rounds:  # the class's rule, not the engine's terms_rule
                    protocol = self.vote_rule
                    if protocol == "baron_ferejohn":
                        overrides = {**overrides, "quota": self.votes_needed}
                cached = model_agreement(
                    self.scenario, self.seed, self.periods, overrides, protocol
                )
                self.__dict__["_model_terms"] = cached
            return dict(cached)

    def ready_debrief_charts(self) -> dict[str, Any] | None:
        """The charts if computed (never waits), else None."""
        with self._lock:
            return self.__dict__.get("_charts")
