"""The Simulate page: pausegame in the browser (Solara).

``pausegame app`` (``solara run viz.app``) serves it at ``/``, with the other pages. Every
visitor gets their own game: :class:`viz.session.GameSession` is built per browser session
(:data:`GAMES`, a :class:`viz.classroom.Kept`), never at module level, so two browsers never
share a model and a reload starts a fresh one. The game is kept while its visitor looks at the
other pages (the top bar's Simulate link returns to it); a link with other parameters (a shared
link, a scenario opened from Learn) opens a fresh game with them.

The controls are generated from the schema (``model/params.py`` and the rule files), grouped, with
units and help; a typed value is checked by the schema and a bad one is reported next to its
control. The page's URL carries every changed control, so a view can be shared as a link.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import markdown
import reacton.ipyvuetify as rv
import solara
import solara.widgets

from viz import charts, classroom, specs
from viz.session import (
    GameSession,
    control_hint,
    control_label,
    group_title,
    grouped_params,
    slider_bounds,
    slider_step,
    unit_label,
)

#: Play's target speed (steps per second) and how often it redraws the heavy charts.
PLAY_RATE = 10.0
PLAY_REDRAW_EVERY = 3

_HINT_STYLE = {"font-size": "0.72rem", "color": "#555", "line-height": "1.15",
               "margin": "-6px 0 8px 0"}


def _guard(session: GameSession, action: Callable[[], Any], what: str) -> Any:
    """Run a UI action; an exception becomes the page's error banner, never a dead page."""
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 - the page must keep serving
        session.error = f"{what} failed: {type(exc).__name__}: {exc}"
        return None


@solara.component
def Prose(text: str) -> None:
    """Markdown (the package's own narratives) as HTML, rendered on the server.

    Solara's Markdown component loads KaTeX and Mermaid from the CDN; this needs neither.
    """
    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text), classes=["pg-prose"])


@solara.component
def ParamControl(session: GameSession, name: str, on_change: Callable[[], None],
                 rev: int) -> None:
    """One parameter's control: slider and text box (numbers), a picker (choices), text (seed).

    ``rev`` changes whenever any control changes (reacton re-renders a component only when its
    arguments change, and it does not compare callbacks).
    """
    p = session.table[name]
    label = control_label(p)
    error = session.errors.get(name)

    def typed(text: str | None) -> None:
        session.set_text(name, text or "")
        on_change()

    def slid(value: float) -> None:
        current = session.values[name]
        if current is not None and abs(value - current) < slider_step(p) / 2 + 1e-12:
            return  # the slider snapping a typed value to its grid, not a move
        session.set_value(name, int(round(value)) if p.kind == "int" else value)
        on_change()

    if p.kind == "choice":
        solara.Select(label=label, value=session.values[name], values=list(p.choices),
                      on_value=lambda value: (session.set_text(name, value), on_change()))
    elif p.kind == "seed":
        solara.InputText(label=f"{label}: a number, or blank for a fresh seed",
                         value=session.texts[name], on_value=typed, error=bool(error))
    else:
        bounds = slider_bounds(p)
        # plain Vuetify elements: a few widgets per control keep the first render fast
        with rv.Html(tag="div", class_="pg-control",
                    style_="display: flex; align-items: center; gap: 8px"):
            if bounds is not None:
                current = session.values[name]
                lo, hi = min(bounds[0], current), max(bounds[1], current)
                rv.Slider(v_model=current, on_v_model=slid, label=label, min=lo, max=hi,
                         step=slider_step(p), thumb_label=True, hide_details=True,
                         style_="flex: 1 1 auto; min-width: 0")
            solara.InputText(label=unit_label(p) if bounds else label, value=session.texts[name],
                             on_value=typed, error=bool(error), dense=True,
                             style={"flex": "0 0 110px" if bounds else "1 1 auto"})
    if error:
        solara.Text(error, style={**_HINT_STYLE, "color": "#b00020"},
                    classes=["pg-field-error"])
    else:
        solara.Text(control_hint(p), style=_HINT_STYLE)


#: Groups shown open when the page opens (the others open with a click).
OPEN_GROUPS = ("population", "verification", "sanctions")


@solara.component
def ControlGroup(session: GameSession, group: str, names: list[str],
                 on_change: Callable[[], None], rev: int) -> None:
    """A titled, collapsible group of controls; closed groups build no widgets."""
    is_open, set_open = solara.use_state(group in OPEN_GROUPS)
    errors = sum(1 for n in names if n in session.errors)
    title = f"{group_title(group)} ({len(names)})" + (f": {errors} to fix" if errors else "")
    with rv.Html(tag="div", class_=f"pg-group pg-group-{group}"):
        solara.Button(("▾ " if is_open else "▸ ") + title, text=True,
                      on_click=lambda: set_open(not is_open), classes=["pg-group-toggle"],
                      color="error" if errors else None)
        if is_open:
            for name in names:
                ParamControl(session, name, on_change, rev)


@solara.component
def Controls(session: GameSession, controls_rev: solara.Reactive[int],
             model_rev: solara.Reactive[int], push_url: Callable[[], None]) -> None:
    """Scenario picker and every schema parameter, grouped; Reset applies them."""
    rev = controls_rev.value  # re-render when the controls change

    def changed() -> None:
        controls_rev.value += 1
        push_url()

    def pick(name: str) -> None:
        _guard(session, lambda: session.pick_scenario(name), "Loading the scenario")
        changed()

    with solara.Card("Scenario", margin=0, classes=["pg-scenario"]):
        solara.Select(label="Scenario", value=session.scenario_name,
                      values=session.scenario_names, on_value=pick)
        solara.Text("Picking a scenario loads its parameters; Reset starts it.",
                    style=_HINT_STYLE)
        if session.narrative:
            with solara.Details("About this scenario", expand=False):
                Prose(session.narrative)
    for group, params in grouped_params().items():
        ControlGroup(session, group, [p.name for p in params], changed, rev)

@solara.component
def Banner(session: GameSession, rev: int) -> None:
    """Pause holding, collapsed at step t, or an error (``rev`` changes on every step)."""
    kind, text = session.banner()
    if kind == "error":
        solara.Error(text, classes=["pg-banner", "pg-error"])
    elif kind == "collapsed":
        solara.Warning(text, classes=["pg-banner", "pg-collapsed"])
    else:
        solara.Success(text, classes=["pg-banner", "pg-holding"])
    if session.notice:
        solara.Info(session.notice, classes=["pg-notice"])
    for note in session.notes:
        solara.Info(note)


def _edges(session: GameSession) -> list[tuple[int, int, float]]:
    graph = session.model.engine.world.graph
    return [(int(a), int(b), float(d.get("weight", 1.0))) for a, b, d in graph.edges(data=True)]


@solara.component
def Charts(session: GameSession, draw_key: tuple[int, int]) -> None:
    """The network, the time series and the theory panel (memoised on ``draw_key``)."""
    model = session.model  # the caller renders Charts only when there is a model
    eng = model.engine

    def build() -> tuple[dict[str, Any], dict[str, Any]] | str:
        try:
            net = specs.network_spec(session.layout, _edges(session), session.nation_state(),
                                     eng.world.names, month=eng.t)
            ts = specs.timeseries_spec(eng.timeseries(), model.params,
                                       collapse_step=eng.summary().collapse_step)
            return net, ts
        except Exception as exc:  # noqa: BLE001
            return f"The charts could not be drawn: {type(exc).__name__}: {exc}"

    built = solara.use_memo(build, [draw_key])
    curve = solara.use_memo(lambda: _theory_curve(model.params), [session.model_id])
    summary = solara.use_memo(session.theory_summary, [session.model_id])
    words = solara.use_memo(session.theory_text, [session.model_id])
    if isinstance(built, str):
        solara.Error(built)
        return
    net, ts = built
    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        with solara.Column(classes=["pg-network"]):
            solara.widgets.VegaLite.element(spec=net)
        with solara.Column(classes=["pg-theory"], style={"max-width": "400px"}):
            if curve is not None:
                theory = specs.theory_spec(model.params, curve, summary,
                                           eng.latest("weighted_compliance"))
                solara.widgets.VegaLite.element(spec=theory)
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(words),
                        classes=["pg-theory-text"],
                        style="font-size: 0.8rem; color: #333; margin-top: 4px")
    with solara.Column(classes=["pg-timeseries"]):
        solara.widgets.VegaLite.element(spec=ts)


def _theory_curve(params: Any) -> dict[str, Any] | None:
    """Theory's mean-field curve, or None where theory does not cover the parameters."""
    try:
        return charts.theory_curve(params)
    except Exception:  # noqa: BLE001 - e.g. a decision rule the mean field does not cover
        return None


def _png_timeseries(session: GameSession) -> bytes:
    eng = session.model.engine
    fig = charts.timeseries_figure(eng.timeseries(), session.model.params,
                                   collapse_step=eng.summary().collapse_step)
    return charts.png(fig, dpi=120)


def _png_network(session: GameSession) -> bytes:
    eng = session.model.engine
    fig = charts.network_figure(session.layout, _edges(session), session.nation_state(),
                                eng.world.names, month=eng.t)
    return charts.png(fig, dpi=120)


def _png_theory(session: GameSession) -> bytes:
    model = session.model
    curve = _theory_curve(model.params)
    if curve is None:
        return charts.png(charts.message_figure(session.theory_text()), dpi=120)
    fig = charts.theory_figure(model.params, curve, session.theory_summary(),
                               model.engine.latest("weighted_compliance"))
    return charts.png(fig, dpi=120)


@solara.component
def Downloads(session: GameSession, rev: int) -> None:
    """The run's time series (CSV) and the charts (PNG), made when clicked."""
    if session.model is None:
        return
    stem = f"pausegame-seed{session.model.seed}-month{session.model.engine.t}"
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["pg-downloads"]):
        solara.FileDownload(session.timeseries_csv, filename=f"{stem}-timeseries.csv",
                            label="Time series (CSV)", mime_type="text/csv")
        solara.FileDownload(lambda: _png_timeseries(session), filename=f"{stem}-charts.png",
                            label="Charts (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: _png_network(session), filename=f"{stem}-network.png",
                            label="Network (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: _png_theory(session), filename=f"{stem}-theory.png",
                            label="Theory (PNG)", mime_type="image/png")


@solara.component
def Simulation(session: GameSession, model_rev: solara.Reactive[int],
               controls_rev: solara.Reactive[int]) -> None:
    """Step, Play, Reset, the banner, the charts and the downloads."""
    rev = model_rev.value  # re-render on every step and reset
    playing, set_playing = solara.use_state(False)

    def loop(cancel: threading.Event) -> None:
        if not playing:
            return
        period = 1.0 / PLAY_RATE
        token = session.play_token = object()  # a later loop (the page reopened) takes over
        while not cancel.is_set() and session.playing and session.play_token is token:
            start = time.perf_counter()
            session.step(1)
            model_rev.value += 1
            if not session.playing:
                break
            # always yield a little, so clicks (Pause) get through between steps
            cancel.wait(max(0.03, period - (time.perf_counter() - start)))
        if session.play_token is token:  # never stop a Play that a newer loop runs
            session.playing = False
            session.play_token = None
            set_playing(False)

    solara.use_thread(loop, dependencies=[playing], intrusive_cancel=False)

    def step() -> None:
        session.playing = False
        set_playing(False)
        _guard(session, lambda: session.step(1), "The step")
        model_rev.value += 1

    def play() -> None:
        if playing:
            session.playing = False
            set_playing(False)
        elif not session.finished and not session.error:
            session.playing = True
            set_playing(True)

    def reset() -> None:
        session.playing = False
        set_playing(False)
        _guard(session, session.reset, "Reset")
        model_rev.value += 1
        controls_rev.value += 1

    frame = session.frame()
    stuck = session.model is None or session.finished or bool(session.error)
    with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Step", on_click=step, disabled=stuck or playing, color="primary")
        solara.Button("Pause" if playing else "Play", on_click=play,
                      disabled=stuck and not playing, color="primary", outlined=True)
        solara.Button("Reset", on_click=reset, outlined=True)
        if frame is not None:
            solara.Text(f"Month: {frame.t} of {frame.steps}", classes=["pg-month"],
                        style={"font-weight": "bold", "margin-left": "12px"})
            solara.Text(f"{frame.n_nations} nations, {frame.n_labs} labs, seed {frame.seed}",
                        classes=["pg-world"], style={"color": "#555"})
    Banner(session, rev)
    if session.model is None:
        return
    t = session.model.engine.t
    if playing and not session.finished:
        t -= t % PLAY_REDRAW_EVERY
    Charts(session, (session.model_id, t))
    Downloads(session, rev)


def _warm_up() -> None:
    """Load the compiled kernels once per server process, so the first visitor does not wait.

    It plays a throwaway game (shared with nobody) and discards it.
    """
    try:
        game = GameSession("seed=0&steps=3")
        game.step(2)
        eng = game.model.engine
        specs.network_spec(game.layout, _edges(game), game.nation_state(), eng.world.names,
                           month=eng.t)
        specs.timeseries_spec(eng.timeseries(), game.model.params, collapse_step=None)
        specs.theory_spec(game.model.params, charts.theory_curve(game.model.params, n=5),
                          game.theory_summary(), 1.0)
        game.theory_text()
        markdown.markdown(game.narrative or "")
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first visitor time
        pass


def start_warm_up() -> None:
    """Warm up in a background thread (``pausegame app`` asks for it: ``PAUSEGAME_WARM_UP``)."""
    threading.Thread(target=_warm_up, name="pausegame-warm-up", daemon=True).start()


#: Each browser session's game, kept across page changes (see :class:`viz.classroom.Kept`).
GAMES = classroom.Kept("simulate", GameSession, GameSession.query)


@solara.component
def SimulatePage() -> None:
    """The Simulate page; one :class:`GameSession` per browser session (:data:`GAMES`)."""
    router = solara.use_router()
    session = solara.use_memo(lambda: GAMES.open(router.search), [])
    controls_rev = solara.use_reactive(0)
    model_rev = solara.use_reactive(0)

    def push_url() -> None:
        query = session.query()
        if (router.search or "") != query:
            try:
                router.push(f"{router.path}?{query}" if query else router.path)
            except Exception:  # noqa: BLE001 - no router (rendered without a server)
                pass

    def restore_url() -> None:
        # back to a kept game through a plain link: the address shows its controls again
        if not router.search and session.query():
            push_url()

    solara.use_effect(restore_url, [])
    solara.Title("pausegame: Simulate")
    solara.Style(".pg-control .v-input__slot { margin-bottom: 0 } "
                 ".pg-group { border-top: 1px solid #ddd; padding: 4px 8px 4px 4px } "
                 ".pg-group-toggle { font-weight: bold }")
    with solara.Column(style={"padding": "12px 16px"}):
        solara.HTML(tag="h2", unsafe_innerHTML="pausegame: when does a verified pause on "
                    "frontier AI development stay stable?")
        solara.Text("Nations and AI labs choose each month to comply with the pause or to "
                    "defect. Change the parameters, press Reset to rebuild the world, then "
                    "Step or Play. One step is one month. All numbers are illustrative.",
                    style={"color": "#444"})
        with solara.Row(gap="20px", style={"align-items": "flex-start"}):
            with solara.Column(style={"width": "400px", "flex": "0 0 400px", "height": "88vh",
                                      "overflow-y": "auto"}, classes=["pg-controls"]):
                Controls(session, controls_rev, model_rev, push_url)
            with solara.Column(style={"flex": "1 1 auto", "min-width": "0"}):
                Simulation(session, model_rev, controls_rev)

