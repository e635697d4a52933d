"""One visitor's game: the controls' values, the model, and what the page shows about them.

Everything here is plain Python (no widgets), so it is tested without a browser. The page
(:mod:`viz.simulate`) builds one :class:`GameSession` per browser session (kept across page
changes by :class:`viz.classroom.Kept`), never at module level: two visitors never share a
model, and a reload starts a fresh game.

Controls are generated from the schema (:func:`model.params.schema`): a new parameter declared
in ``model/params/`` or in a rule file appears in the app with no edit here (the controls:
:mod:`viz.controls`, whose names are importable from here too).
"""

from __future__ import annotations

import csv
import io
import math
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import numpy as np

from experiments.run import theory_verdict
from experiments.scenarios import list_scenarios, load_scenario
from model import theory
from model.errors import ConfigError, ParameterError
from model.mesa_model import PauseModel
from model.params import resolve_run, schema
from model.scenario import Scenario, fit_nations
from model.seeds import new_short_seed
from viz.controls import (
    GROUP_TITLES,
    LAYOUT_KEYS,
    LINK_NOTICE,
    LinkCheck,
    check_link,
    check_link_value,
    check_value,
    control_hint,
    control_label,
    format_value,
    group_title,
    grouped_params,
    layout_query,
    link_pairs,
    regime_sources,
    slider_bounds,
    slider_step,
    unit_label,
    verification_numbers,
)

#: The controls' names (:mod:`viz.controls`) stay importable from here.
__all__ = [
    "Frame",
    "GROUP_TITLES",
    "GameSession",
    "LAYOUT_KEYS",
    "LINK_NOTICE",
    "LinkCheck",
    "NO_SCENARIO",
    "check_link",
    "check_link_value",
    "check_value",
    "control_hint",
    "control_label",
    "format_value",
    "group_title",
    "grouped_params",
    "layout_query",
    "link_pairs",
    "network_layout",
    "params_mapping",
    "regime_sources",
    "session_memory_bytes",
    "slider_bounds",
    "slider_step",
    "unit_label",
]

#: The scenario choice meaning "no scenario: a world drawn from the parameters alone".
NO_SCENARIO = "(none)"


@dataclass
class Frame:
    """What the page shows of the model now (cheap to build; one per step)."""

    t: int
    steps: int
    seed: int
    held: bool
    collapse_step: int | None
    compliance: float
    threshold: float
    n_nations: int
    n_labs: int


class GameSession:
    """One browser session's game: control values, scenario, model and errors.

    Args:
        query: The page URL's query string (``p_detect=0.5&seed=7&scenario=default``); its
            values are checked like typed ones, and a bad one is reported next to its control.
    """

    def __init__(self, query: str | None = None) -> None:
        self.table = schema()
        self.scenario_names = [NO_SCENARIO, *list_scenarios()]
        self.scenario_name = "default" if "default" in self.scenario_names else NO_SCENARIO
        self.scenario: Scenario | None = None
        self.narrative: str | None = None
        self.values: dict[str, Any] = {}
        self.texts: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.model: PauseModel | None = None
        #: The scenario the model was built with (the picker's may be newer, until Reset).
        self.model_scenario: Scenario | None = None
        self.model_id = 0
        self.error: str | None = None
        self.notice: str | None = None
        self.notes: tuple[str, ...] = ()
        self.playing = False
        #: The Play loop that owns ``playing`` (a kept session outlives its page's threads).
        self.play_token: object | None = None
        #: Steps and resets one at a time (a Play thread and a click may overlap).
        self.lock = threading.RLock()
        self.layout: dict[int, tuple[float, float]] = {}
        self.last_step_seconds = 0.0
        self._load_scenario(self.scenario_name)
        if query:
            self.apply_query(query)
        notice = self.notice
        self.reset()
        self.notice = notice

    # ------------------------------------------------------------------ controls
    def _load_scenario(self, name: str) -> None:
        """Set every control to the scenario's values (defaults where it gives none)."""
        if name == NO_SCENARIO:
            self.scenario, self.narrative = None, None
            values = {n: p.default for n, p in self.table.items()}
        else:
            sc, narrative = load_scenario(name)
            self.scenario, self.narrative = sc, narrative
            values = dict(resolve_run({}, sc, draw_seed=False))
        self.scenario_name = name
        self.values = values
        self.texts = {n: format_value(self.table[n], v) for n, v in values.items()}
        self.errors = {}

    def pick_scenario(self, name: str) -> None:
        """Load a scenario's parameters into the controls and its narrative (Reset applies)."""
        if name not in self.scenario_names:
            self.error = f"unknown scenario {name!r}; choose one of {self.scenario_names}"
            return
        # a seed the visitor typed (or a link gave) stays: the scenario changes, not the seed
        typed_seed = "seed" in self.table and "seed" not in self.errors and "seed" in self.changed()
        seed, seed_text = self.values.get("seed"), self.texts.get("seed", "")
        try:
            self._load_scenario(name)
        except ConfigError as exc:
            self.error = f"scenario {name!r} cannot be loaded: {exc}"
            return
        if typed_seed:
            self.values["seed"], self.texts["seed"] = seed, seed_text

    def set_text(self, name: str, text: str) -> bool:
        """A value typed (or slid) into a control: validate it; keep it only if allowed.

        Returns:
            True when the value was accepted; otherwise the control's error says why.
        """
        p = self.table[name]
        self.texts[name] = text
        try:
            value = check_value(p, text)
        except ParameterError as exc:
            self.errors[name] = str(exc)
            return False
        self.errors.pop(name, None)
        self.values[name] = value
        return True

    def set_value(self, name: str, value: Any) -> bool:
        """A slider or picker value (already typed); validated like typed text."""
        p = self.table[name]
        return self.set_text(name, format_value(p, value) if value is not None else "")

    def _base(self) -> dict[str, Any]:
        """The scenario's (or the schema's) values, before any control changed them."""
        if self.scenario is not None:
            return dict(resolve_run({}, self.scenario, draw_seed=False))
        return {n: p.default for n, p in self.table.items()}

    def changed(self) -> dict[str, Any]:
        """Control values that differ from the scenario's (or the schema's) defaults."""
        base = self._base()
        return {n: v for n, v in self.values.items() if base.get(n) != v}

    def model_values(self) -> dict[str, Any]:
        """The controls' values the model is built with.

        A verification number the ticked layers or the chosen regime set
        (:func:`viz.controls.verification_numbers`) goes only when the visitor changed it, so
        the layers' numbers or the regime's presets apply, as on the command line (a value set
        explicitly wins over both). Under ``custom`` without layers every number goes as the
        controls show it.
        """
        values = dict(self.values)
        base = self._base()
        for name in verification_numbers(values):
            if name in values and base.get(name) == values[name]:
                del values[name]
        return values

    def query(self) -> str:
        """The URL query string that reproduces the current controls (a shareable link)."""
        items: list[tuple[str, str]] = []
        default = "default" if "default" in self.scenario_names else NO_SCENARIO
        if self.scenario_name != default:
            items.append(("scenario", self.scenario_name))
        for name, value in self.changed().items():
            items.append((name, format_value(self.table[name], value)))
        return urlencode(items)

    def apply_query(self, query: str) -> None:
        """Set the controls from a URL query string; bad values are reported, not applied."""
        given = link_pairs(query)  # without the top bar's keys (projector)
        name = given.pop("scenario", None)
        bad = []
        if name is not None:
            if name in self.scenario_names:
                self.pick_scenario(name)
            else:
                bad.append(f"unknown scenario {name!r}")
        for key, text in given.items():
            if key not in self.table:
                bad.append(f"unknown parameter {key!r} in the link")
                continue
            if not self.set_text(key, text):
                # reported; the control keeps its valid value
                bad.append(self.errors.pop(key))
                self.texts[key] = format_value(self.table[key], self.values[key])
        if bad:
            self.notice = LINK_NOTICE + "; ".join(bad)

    def set_explicitly(self, names: Any) -> dict[str, Any]:
        """Which of ``names`` the run gets explicitly, with their values.

        Those the visitor changed or the scenario's ``[params]`` set: either wins over a
        regime's presets and the layers' numbers.
        """
        changed = self.changed()
        scenario = dict(self.scenario.params) if self.scenario is not None else {}
        return {n: self.values[n] for n in names if n in scenario or n in changed}

    # ------------------------------------------------------------------ the model
    def reset(self) -> bool:
        """Build a fresh model from the controls (the scenario's nations, the typed seed).

        Returns:
            True when a model was built; otherwise ``error`` (and the field's error) say why,
            and the previous model stays.
        """
        with self.lock:
            return self._reset()

    def _reset(self) -> bool:
        self.playing = False
        self.notice = None
        if self.errors:
            fields = ", ".join(sorted(self.errors))
            self.error = f"Fix the marked values first ({fields}); the model was not rebuilt."
            return False
        values = self.model_values()
        seed = values.pop("seed", None)
        if seed is None:
            seed = new_short_seed()
        try:
            sc = self.scenario
            notes: tuple[str, ...] = ()
            if sc is not None:
                sc, notes = fit_nations(sc, values)
            model = PauseModel(scenario_spec=sc, rng=int(seed), collect_agents=False, **values)
        except ParameterError as exc:
            if exc.field in self.table:
                self.errors[exc.field] = str(exc)
            self.error = f"The model could not be built: {exc}"
            return False
        except ConfigError as exc:
            self.error = f"The model could not be built: {exc}"
            return False
        except Exception as exc:  # noqa: BLE001 - the page must keep serving
            self.error = f"The model could not be built: {type(exc).__name__}: {exc}"
            return False
        self.model = model
        self.model_scenario = sc
        self.model_id += 1
        self.notes = notes
        self.error = None
        self.layout = network_layout(model)
        return True

    @property
    def world(self) -> PauseModel:
        """The model, for callers that run only once it is built (a failed reset leaves none)."""
        if self.model is None:
            raise RuntimeError("this game has no model: its last Reset failed")
        return self.model

    @property
    def steps(self) -> int:
        """The run's length (the model's ``steps``)."""
        return int(self.model.params["steps"]) if self.model is not None else 0

    @property
    def finished(self) -> bool:
        """True when the model has run all its steps."""
        return self.model is None or self.model.engine.t >= self.steps

    def step(self, n: int = 1) -> int:
        """Advance up to ``n`` steps (not past ``steps``); an exception becomes ``error``.

        Returns:
            The number of steps taken.
        """
        with self.lock:
            return self._step(n)

    def _step(self, n: int) -> int:
        if self.model is None:
            return 0
        taken = 0
        start = time.perf_counter()
        try:
            for _ in range(n):
                if self.finished:
                    break
                self.model.step()
                taken += 1
        except Exception as exc:  # noqa: BLE001 - show it; the server keeps serving
            self.playing = False
            last = traceback.format_exception_only(exc)[-1].strip()
            self.error = f"The step failed: {last}. Reset to start again."
        self.last_step_seconds = time.perf_counter() - start
        if self.finished:
            self.playing = False
        return taken

    def frame(self) -> Frame | None:
        """The month, the verdict and compliance now."""
        if self.model is None:
            return None
        eng = self.model.engine
        s = eng.summary()
        return Frame(
            t=eng.t,
            steps=self.steps,
            seed=int(self.model.seed),
            held=s.held,
            collapse_step=s.collapse_step,
            compliance=_bound_or_all(eng),
            threshold=float(self.model.params["stability_threshold"]),
            n_nations=eng.n_nations,
            n_labs=eng.n_actors - eng.n_nations,
        )

    def banner(self) -> tuple[str, str]:
        """(kind, text) of the status banner: holding, collapsed, negotiating or error.

        ``negotiating``: a negotiated treaty does not bind yet, or (no agreement) never will.
        """
        if self.error:
            return "error", self.error
        f = self.frame()
        if f is None:
            return "error", "No model: fix the marked values and press Reset."
        unbound = self._not_yet_bound(f)
        if unbound is not None:
            return "negotiating", unbound
        if f.collapse_step is not None:
            return "collapsed", (
                f"The pause collapsed at step {f.collapse_step} (month "
                f"{f.collapse_step}): capability-weighted compliance stayed "
                f"below {f.threshold:g} for "
                f"{self.world.params['collapse_patience']} months in a row."
            )
        if f.t == 0:
            return "holding", (
                f"Month 0 of {f.steps}: the pause starts with capability-weighted "
                f"compliance {f.compliance:.2f}. Press Step or Play."
            )
        if f.compliance < f.threshold:
            patience = self.world.params["collapse_patience"]
            return "holding", (
                f"The pause is holding at month {f.t} of {f.steps}, but "
                f"capability-weighted compliance {f.compliance:.2f} is below "
                f"{f.threshold:g}: it collapses if that lasts {patience} "
                "months in a row."
            )
        return "holding", (
            f"The pause is holding at month {f.t} of {f.steps}: "
            f"capability-weighted compliance {f.compliance:.2f} (it needs "
            f"{f.threshold:g})."
        )

    def _not_yet_bound(self, f: Frame) -> str | None:
        """The banner of a negotiated run before its treaty binds, or without an agreement."""
        agreement = self.world.engine.agreement
        if agreement is None or (agreement.month is not None and f.t > agreement.month):
            return None
        start = " Press Step or Play." if f.t == 0 else ""
        if agreement.month is None:
            rounds = len(agreement.rounds)
            return (
                f"Month {f.t} of {f.steps}: the negotiation reached no agreement in {rounds} "
                f"round{'s' if rounds != 1 else ''}, so no treaty binds anyone: the nations and "
                f"labs choose without a pause (capability-weighted compliance {f.compliance:.2f})."
                + start
            )
        months = agreement.month
        return (
            f"Month {f.t} of {f.steps}: the treaty is negotiated in the first "
            f"{months} month{'s' if months != 1 else ''} and binds from month {months + 1}; "
            f"until then nobody is bound (capability-weighted compliance {f.compliance:.2f})."
            + start
        )

    # ------------------------------------------------------------------ outputs
    def timeseries_csv(self) -> str:
        """The run's time series so far as CSV text (one row per month)."""
        if self.model is None:
            return ""
        ts = self.model.engine.timeseries()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        names = list(ts)
        writer.writerow(names)
        for row in zip(*(ts[n] for n in names), strict=True):
            writer.writerow([_cell(x) for x in row])
        return out.getvalue()

    def nation_state(self) -> dict[str, np.ndarray]:
        """Per nation: own action, jurisdiction compliance (weighted), capability, member."""
        eng = self.world.engine
        n = eng.n_nations
        comply = (~eng.defect).astype(float)
        cap = np.bincount(eng.home, weights=eng.c, minlength=n)
        ok = np.bincount(eng.home, weights=eng.c * comply, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            juris = np.where(cap > 0, ok / np.where(cap > 0, cap, 1), comply[:n])
        return {
            "own_defects": eng.defect[:n].copy(),
            "compliance": juris,
            "capability": cap,
            "member": np.asarray(eng.member, dtype=bool).copy(),
        }

    def theory_text(self) -> str:
        """What theory says about the current model's parameters, in words."""
        if self.model is None:
            return ""
        try:
            return theory_verdict(self.model.params, self.model.engine)
        except Exception as exc:  # noqa: BLE001 - theory is a guide; never break the page
            return f"Theory is not available for these parameters ({exc})."

    def theory_summary(self) -> theory.TheorySummary | None:
        """The mean-field summary of the current model's parameters."""
        if self.model is None:
            return None
        try:
            return theory.summarize(self.model.params)
        except Exception:  # noqa: BLE001
            return None


def _bound_or_all(eng: Any) -> float:
    """Compliance as the stability rule reads it: over bound actors (all when none are)."""
    bound = float(eng.latest("bound_compliance"))
    return bound if math.isfinite(bound) else float(eng.latest("weighted_compliance"))


def _cell(x: Any) -> Any:
    if isinstance(x, (float, np.floating)):
        return "" if math.isnan(float(x)) else f"{float(x):.10g}"
    return x.item() if isinstance(x, np.generic) else x


def network_layout(model: PauseModel) -> dict[int, tuple[float, float]]:
    """Positions of the nations, computed once per model (seeded: same world, same picture)."""
    import networkx as nx

    graph = model.engine.world.graph
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    seed = int(model.seed) % (2**32)
    if graph.number_of_edges() == 0:
        pos = nx.circular_layout(graph)
    else:
        pos = nx.spring_layout(
            graph, seed=seed, weight="weight", k=1.5 / math.sqrt(n), iterations=60
        )
    return {int(k): (float(v[0]), float(v[1])) for k, v in pos.items()}


def params_mapping(session: GameSession) -> Mapping[str, Any]:
    """The model's resolved parameters (for display)."""
    return dict(session.model.params) if session.model is not None else {}


def session_memory_bytes() -> int:
    """Python memory one Simulate and one Play game allocate (measured with tracemalloc)."""
    import tracemalloc

    from experiments.play import PlayGame

    GameSession("seed=1")  # warm imports and compiled kernels first
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        a = GameSession("seed=1")
        a.step(120)
        b = PlayGame("seed=1&periods=12")
        after = tracemalloc.get_traced_memory()[0]
        del a, b
        return after - before
    finally:
        tracemalloc.stop()
