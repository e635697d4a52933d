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

import contextlib
import html
import math
import threading
import time
from collections.abc import Callable
from typing import Any, cast

import markdown
import reacton.core
import reacton.ipyvuetify as rv
import solara
import solara.widgets
from solara.components.input import use_change

from model import theory
from viz import charts, classroom, livechart, specs
from viz.session import (
    GameSession,
    control_hint,
    control_label,
    group_title,
    grouped_params,
    layout_query,
    link_pairs,
    regime_sources,
    slider_bounds,
    slider_step,
    unit_label,
)

#: Play's default speed (steps per second) and how often it redraws the heavy charts.
PLAY_RATE = 10.0
PLAY_REDRAW_EVERY = 3
#: At most this many months more are stepped before one redraw when Play falls behind its speed.
PLAY_CATCH_UP = 2
#: The speeds the Play speed control offers (months per second).
PLAY_RATES = (1.0, 3.0, 10.0, 20.0)

#: The parameters that decide the game, shown first (the rest are under "All parameters").
KEY_PARAMS = (
    "p_detect",
    "penalty",
    "defect_gain",
    "race_pressure",
    "alliance_weight",
    "n_nations",
    "seed",
)

#: The page's layout: two columns (controls, results) that fit 1024 px, one column on a phone;
#: charts never wider than their column.
LAYOUT_CSS = """
.pg-sim-body { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start;
               width: 100%; }
.pg-controls { flex: 0 1 330px; min-width: 0; max-width: 100%; max-height: 82vh;
               overflow-y: auto; }
.pg-results { flex: 1 1 560px; min-width: 0; max-width: 100%; }
.pg-results .vega-embed, .pg-learn .vega-embed { max-width: 100%; }
.pg-results .vega-embed canvas, .pg-learn .vega-embed canvas,
.pg-results .vega-embed svg.marks { max-width: 100%; height: auto !important; }
.pg-chart-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start;
                max-width: 100%; }
.pg-chart-row > * { min-width: 0; max-width: 100%; }
.pg-runbar { position: sticky; top: 0; z-index: 5; background: #ffffff;
             padding: 4px 0; }
.pg-speed { width: 150px; max-width: 100%; }
.pg-changed { color: #8a4b00; background: #fff3e0; border-radius: 4px; padding: 2px 8px;
              font-size: 0.85rem; }
@media (max-width: 720px) {
  .pg-controls { flex: 1 1 100%; max-height: none; overflow-y: visible; }
  .pg-results { flex: 1 1 100%; }
  .pg-simulate h2 { font-size: 1.15rem; }
}
"""

_HINT_STYLE = {
    "font-size": "0.72rem",
    "color": "#555",
    "line-height": "1.15",
    "margin": "-6px 0 8px 0",
}


def _bump(render_context: Any, *revs: solara.Reactive[int]) -> None:
    """Advance revision counters in one render (not one render per component reading them).

    Solara renders once per subscribed component when a reactive value changes outside a
    batch; a step read by the run bar and the results would render the page twice.
    """
    with render_context if render_context is not None else contextlib.nullcontext():
        for rev in revs:
            rev.value += 1


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


#: A typed value applies once typing pauses this long (seconds), or at once on Enter or leaving
#: the box: the address bar and the Copy link then carry it without a click elsewhere.
TYPING_PAUSE = 0.4


@solara.component
def TypedText(
    label: str,
    value: str,
    on_value: Callable[[str], None],
    error: bool = False,
    dense: bool = False,
    style: dict[str, str] | None = None,
) -> None:
    """A text box whose value applies when typing pauses (:data:`TYPING_PAUSE`).

    Every keystroke re-renders only this box; the value goes to ``on_value`` (which checks
    it, marks the controls changed and updates the address) once no key came for a moment,
    or at once on Enter or when the box loses focus.
    """
    pending, set_pending = solara.use_state(cast("str | None", None))
    sent = solara.use_ref(cast("str | None", None))  # the text this box applied last

    def follow_value() -> None:
        # a value set from elsewhere (a slider, a scenario, Reset) replaces what was typed;
        # the box's own applied text never does (a keystroke may have come after it)
        if value not in (pending, sent.current):
            sent.current = None
            if pending is not None:
                set_pending(None)

    solara.use_effect(follow_value, [value])

    latest = solara.use_ref(cast("str | None", None))  # the newest keystroke's text

    def apply_later(cancel: threading.Event) -> None:
        if pending is None or cancel.wait(TYPING_PAUSE) or latest.current != pending:
            return  # nothing typed, or a newer keystroke (or Enter, or a blur) came first
        apply(pending)

    def keystroke(text: str | None) -> None:
        latest.current = text or ""
        set_pending(text or "")

    def apply(text: str | None) -> None:
        latest.current = None  # a wait still running for an older text must not apply it
        if text is not None and text != value:
            sent.current = text
            on_value(text)

    solara.use_thread(apply_later, dependencies=[pending], intrusive_cancel=False)
    field = rv.TextField(
        v_model=value if pending is None else pending,
        on_v_model=keystroke,
        label=label,
        error=error,
        dense=dense,
        hide_details="auto",
        style_="; ".join(f"{k}: {v}" for k, v in (style or {}).items()),
    )
    use_change(field, apply, update_events=["focusout", "keyup.enter"])


@solara.component
def ParamControl(session: GameSession, name: str, on_change: Callable[[], None], rev: int) -> None:
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
        solara.Select(
            label=label,
            value=session.values[name],
            values=list(p.choices),
            on_value=lambda value: (session.set_text(name, value), on_change()),
        )
        if name == "verification":  # the chosen regime's presets and their sources
            solara.Text(
                regime_sources(str(session.values[name])),
                style=_HINT_STYLE,
                classes=["pg-regime-sources"],
            )
    elif p.kind == "seed":
        TypedText(
            label=f"{label}: a number, or blank for a fresh seed",
            value=session.texts[name],
            on_value=typed,
            error=bool(error),
        )
    else:
        bounds = slider_bounds(p)
        # plain Vuetify elements: a few widgets per control keep the first render fast
        with rv.Html(
            tag="div", class_="pg-control", style_="display: flex; align-items: center; gap: 8px"
        ):
            if bounds is not None:
                current = session.values[name]
                lo, hi = min(bounds[0], current), max(bounds[1], current)
                rv.Slider(
                    v_model=current,
                    on_v_model=slid,
                    label=label,
                    min=lo,
                    max=hi,
                    step=slider_step(p),
                    thumb_label=True,
                    hide_details=True,
                    style_="flex: 1 1 auto; min-width: 0",
                )
            TypedText(
                label=unit_label(p) if bounds else label,
                value=session.texts[name],
                on_value=typed,
                error=bool(error),
                dense=True,
                style={"flex": "0 0 110px" if bounds else "1 1 auto"},
            )
    if error:
        solara.Text(error, style={**_HINT_STYLE, "color": "#b00020"}, classes=["pg-field-error"])
    else:
        solara.Text(control_hint(p), style=_HINT_STYLE)


#: Groups shown open when the page opens (the others open with a click): none, the key
#: parameters come first.
OPEN_GROUPS: tuple[str, ...] = ()


@solara.component
def ControlGroup(
    session: GameSession, group: str, names: list[str], on_change: Callable[[], None], rev: int
) -> None:
    """A titled, collapsible group of controls; closed groups build no widgets."""
    is_open, set_open = solara.use_state(group in OPEN_GROUPS)
    errors = sum(1 for n in names if n in session.errors)
    title = f"{group_title(group)} ({len(names)})" + (f": {errors} to fix" if errors else "")
    with rv.Html(tag="div", class_=f"pg-group pg-group-{group}"):
        solara.Button(
            ("▾ " if is_open else "▸ ") + title,
            text=True,
            on_click=lambda: set_open(not is_open),
            classes=["pg-group-toggle"],
            color="error" if errors else None,
        )
        if is_open:
            for name in names:
                ParamControl(session, name, on_change, rev)


@solara.component
def Controls(
    session: GameSession,
    controls_rev: solara.Reactive[int],
    model_rev: solara.Reactive[int],
    push_url: Callable[[], None],
) -> None:
    """Scenario picker and every schema parameter, grouped; Reset applies them."""
    rev = controls_rev.value  # re-render when the controls change
    render_context = reacton.core.get_render_context(required=False)

    def changed() -> None:
        _bump(render_context, controls_rev)
        push_url()

    def pick(name: str) -> None:
        _guard(session, lambda: session.pick_scenario(name), "Loading the scenario")
        changed()

    with solara.Card("Scenario", margin=0, classes=["pg-scenario"]):
        solara.Select(
            label="Scenario",
            value=session.scenario_name,
            values=session.scenario_names,
            on_value=pick,
        )
        solara.Text("Picking a scenario loads its parameters; Reset starts it.", style=_HINT_STYLE)
        if session.narrative:
            with solara.Details("About this scenario", expand=False):
                Prose(session.narrative)
    with rv.Html(tag="div", class_="pg-key-params"):
        solara.HTML(tag="h4", unsafe_innerHTML="Key parameters", style="margin: 10px 0 4px 0")
        for name in KEY_PARAMS:
            if name in session.table:
                ParamControl(session, name, changed, rev)
    solara.HTML(
        tag="h4",
        unsafe_innerHTML="All parameters",
        classes=["pg-all-params"],
        style="margin: 10px 0 4px 0",
    )
    for group, params in grouped_params().items():
        names = [p.name for p in params if p.name not in KEY_PARAMS]
        if names:
            ControlGroup(session, group, names, changed, rev)


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

    curve = solara.use_memo(lambda: _theory_curve(model.params), [session.model_id])
    summary = solara.use_memo(session.theory_summary, [session.model_id])
    words = solara.use_memo(lambda: theory_words(session), [session.model_id])

    def build() -> list[tuple[dict[str, Any], str]] | str:
        # each chart as (spec without data, data as JSON): a month changes only the data
        try:
            net = specs.network_spec(
                session.layout,
                _edges(session),
                session.nation_state(),
                eng.world.names,
                month=eng.t,
            )
            ts = specs.timeseries_panels(
                eng.timeseries(), model.params, collapse_step=eng.summary().collapse_step
            )
            theory_chart = (
                None
                if curve is None
                else specs.theory_spec(
                    model.params, curve, summary, eng.latest("weighted_compliance")
                )
            )
            return [livechart.split(s) for s in (net, theory_chart, *ts) if s is not None]
        except Exception as exc:  # noqa: BLE001
            return f"The charts could not be drawn: {type(exc).__name__}: {exc}"

    built = solara.use_memo(build, [draw_key])
    if isinstance(built, str):
        solara.Error(built)
        return
    net, *rest = built
    theory_chart, panels = (rest[0], rest[1:]) if curve is not None else (None, rest)
    with rv.Html(tag="div", class_="pg-chart-row"):
        with rv.Html(tag="div", class_="pg-network"):
            livechart.LiveChart.element(spec=net[0], chart_data=net[1])
        with rv.Html(tag="div", class_="pg-theory", style_="max-width: 420px"):
            solara.HTML(
                tag="p",
                unsafe_innerHTML=words,
                classes=["pg-theory-text"],
                style="font-size: 0.85rem; color: #222; margin: 4px 0",
            )
            if theory_chart is not None:
                livechart.LiveChart.element(spec=theory_chart[0], chart_data=theory_chart[1])
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=THEORY_KEY,
                    classes=["pg-theory-key"],
                    style="font-size: 0.75rem; color: #333; line-height: 1.5",
                )
    with rv.Html(tag="div", class_="pg-chart-row pg-timeseries"):
        for spec, data in panels:
            livechart.LiveChart.element(spec=spec, chart_data=data)


#: The theory picture's key: every mark, the diamond and the band included.
THEORY_KEY = (
    f'<span style="color:{charts.BLUE}">&#9473;</span> compliance of a pause that starts '
    f'holding &nbsp; <span style="color:{charts.VERMILION}">&#9476;</span> of one that starts '
    f'broken &nbsp; <span style="color:{charts.ORANGE}">&#9608;</span> bistable band &nbsp; '
    f'<span style="color:{charts.GREY}">&#9478;</span> deterrence threshold p* (no alliances) '
    f'&nbsp; <span style="color:{charts.GREEN}">&#9478;</span> survival boundary &nbsp; '
    "<span>&#9474;</span> this run's p_detect &nbsp; <span>&#9670;</span> this run's "
    "compliance now"
)


def theory_sentences(session: GameSession) -> list[str]:
    """Theory on this world in at most four sentences: the answer first, then the reason.

    The answer counts alliances' shielding (:meth:`model.theory.Verdict.sentences`). Rules the
    mean field does not cover get the engine's own verdict
    (:func:`experiments.run.theory_verdict`).
    """
    if session.model is None:
        return []
    params = session.model.params
    summary = session.theory_summary()
    if params["decision_rule"] not in theory.RULES or summary is None:
        return [session.theory_text()]
    return theory.Verdict.of(params, session.model.engine, summary).sentences()


def theory_words(session: GameSession) -> str:
    """The theory panel's text as HTML: the answer in bold, then the reason."""
    try:
        sentences = theory_sentences(session)
    except Exception as exc:  # noqa: BLE001 - theory is a guide; never break the page
        return html.escape(f"Theory is not available for these parameters ({exc}).")
    if not sentences:
        return ""
    head, *rest = sentences
    return f"<b>{html.escape(head)}</b> " + html.escape(" ".join(rest))


def _theory_curve(params: Any) -> dict[str, Any] | None:
    """Theory's mean-field curve, or None where theory does not cover the parameters."""
    try:
        return charts.theory_curve(params)
    except Exception:  # noqa: BLE001 - e.g. a decision rule the mean field does not cover
        return None


def _png_timeseries(session: GameSession) -> bytes:
    eng = session.model.engine
    fig = charts.timeseries_figure(
        eng.timeseries(), session.model.params, collapse_step=eng.summary().collapse_step
    )
    return charts.png(fig, dpi=120)


def _png_network(session: GameSession) -> bytes:
    eng = session.model.engine
    fig = charts.network_figure(
        session.layout, _edges(session), session.nation_state(), eng.world.names, month=eng.t
    )
    return charts.png(fig, dpi=120)


def _png_theory(session: GameSession) -> bytes:
    model = session.model
    curve = _theory_curve(model.params)
    if curve is None:
        return charts.png(charts.message_figure(session.theory_text()), dpi=120)
    fig = charts.theory_figure(
        model.params, curve, session.theory_summary(), model.engine.latest("weighted_compliance")
    )
    return charts.png(fig, dpi=120)


def run_config(session: GameSession) -> str:
    """The running world as a complete scenario file (TOML).

    ``pausegame run --config FILE`` reproduces it; its ``[meta]`` gives the Simulate link
    that opens it again (a comment).
    """
    from experiments.run import config_text
    from model.scenario import fit_nations

    model = session.model
    params = {k: v for k, v in model.params.items() if v is not None}
    values = {k: v for k, v in params.items() if k != "seed"}
    mapping: dict[str, Any] = {}
    if session.scenario is not None:
        sc, _ = fit_nations(session.scenario, values)
        mapping = sc.to_mapping()
    meta = dict(mapping.get("meta", {}))
    meta["name"] = f"simulate_{session.scenario_name}_seed{model.seed}".replace("(", "").replace(
        ")", ""
    )
    meta["source"] = "pausegame app, Simulate page"
    link = session.query()
    link = "/?" + link + ("&" if link else "") + f"seed={model.seed}"
    mapping["meta"] = meta
    mapping["params"] = params
    return f"# In the app: open {link} on the Simulate page.\n" + config_text(mapping)


@solara.component
def Downloads(session: GameSession, rev: int) -> None:
    """The run's time series (CSV) and the charts (PNG), made when clicked."""
    if session.model is None:
        return
    stem = f"pausegame-seed{session.model.seed}-month{session.model.engine.t}"
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["pg-downloads"]):
        solara.FileDownload(
            session.timeseries_csv,
            filename=f"{stem}-timeseries.csv",
            label="Time series (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: run_config(session),
            filename=f"{stem}-config.toml",
            label="Run config (TOML)",
            mime_type="application/toml",
        )
        solara.FileDownload(
            lambda: _png_timeseries(session),
            filename=f"{stem}-charts.png",
            label="Charts (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            lambda: _png_network(session),
            filename=f"{stem}-network.png",
            label="Network (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            lambda: _png_theory(session),
            filename=f"{stem}-theory.png",
            label="Theory (PNG)",
            mime_type="image/png",
        )


def differs_from_run(session: GameSession) -> list[str]:
    """Controls whose values differ from the running world's (Reset would apply them)."""
    model = session.model
    if model is None:
        return []
    out = []
    for name, value in session.values.items():
        if name == "seed":
            if value is not None and int(value) != int(model.seed):
                out.append(name)
            continue
        if name == "n_nations" and session.scenario is not None:
            continue  # a scenario's own nations may fit the count (fit_nations)
        try:
            running = model.params[name]
        except (KeyError, TypeError):
            continue
        if isinstance(value, float) and isinstance(running, int | float):
            if not math.isclose(value, float(running), rel_tol=1e-9, abs_tol=1e-12):
                out.append(name)
        elif value != running:
            out.append(name)
    return out


@solara.component
def RunBar(
    session: GameSession,
    model_rev: solara.Reactive[int],
    controls_rev: solara.Reactive[int],
    playing: solara.Reactive[bool],
    rate: solara.Reactive[float],
) -> None:
    """Step, Play (with its speed), Reset, the month, and a "changed" marker.

    First on the page and in tab order; the marker shows when the controls differ from the
    running world (Reset would apply them). Play keeps its speed when a redraw is slower than
    a month's period: the months that fell due are stepped before the next redraw (at most
    :data:`PLAY_CATCH_UP` more), and a step renders the page once (:func:`_bump`).
    """
    model_rev.value  # noqa: B018 - re-render on every step and reset
    controls_rev.value  # noqa: B018 - and on every control change
    is_playing = playing.value
    render_context = reacton.core.get_render_context(required=False)

    def loop(cancel: threading.Event) -> None:
        if not is_playing:
            return
        token = session.play_token = object()  # a later loop (the page reopened) takes over
        due = time.perf_counter()  # when the next month is due
        while not cancel.is_set() and session.playing and session.play_token is token:
            period = 1.0 / max(rate.peek(), 0.1)
            # the speed is kept when a redraw takes longer than a month's period: the months
            # that fell due meanwhile are stepped before the next redraw (at most a few)
            late = int((time.perf_counter() - due) / period)
            months = 1 + min(max(late, 0), PLAY_CATCH_UP)
            session.step(months)
            due = max(due + months * period, time.perf_counter() - period)
            _bump(render_context, model_rev)
            if not session.playing:
                break
            # always yield a little, so clicks (Pause) get through between steps
            cancel.wait(max(0.03, due - time.perf_counter()))
        if session.play_token is token:  # never stop a Play that a newer loop runs
            session.playing = False
            session.play_token = None
            playing.set(False)

    solara.use_thread(loop, dependencies=[is_playing], intrusive_cancel=False)

    def step() -> None:
        session.playing = False
        playing.set(False)
        _guard(session, lambda: session.step(1), "The step")
        _bump(render_context, model_rev)

    def play() -> None:
        if is_playing:
            session.playing = False
            playing.set(False)
        elif not session.finished and not session.error:
            session.playing = True
            playing.set(True)

    def reset() -> None:
        session.playing = False
        playing.set(False)
        _guard(session, session.reset, "Reset")
        _bump(render_context, model_rev, controls_rev)

    frame = session.frame()
    stuck = session.model is None or session.finished or bool(session.error)
    changed = differs_from_run(session)
    with rv.Html(tag="div", class_="pg-runbar"):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
            # no ripple: Step is clicked month after month, and Vuetify's ripple re-lays out
            # the page for a third of a second after each click, while the browser redraws the
            # charts (about 40 ms more per step on a busy machine); focus and hover still show
            solara.Button(
                "Step", on_click=step, disabled=stuck or is_playing, color="primary", ripple=False
            )
            solara.Button(
                "Pause" if is_playing else "Play",
                on_click=play,
                disabled=stuck and not is_playing,
                color="primary",
                outlined=True,
            )
            solara.Button(
                "Reset", on_click=reset, outlined=True, color="warning" if changed else None
            )
            with rv.Html(tag="div", class_="pg-speed"):
                solara.Select(
                    label="Speed",
                    value=_rate_label(rate.value),
                    values=[_rate_label(r) for r in PLAY_RATES],
                    on_value=lambda v: rate.set(_rate_from_label(v)),
                    dense=True,
                )
            if frame is not None:
                solara.Text(
                    f"Month: {frame.t} of {frame.steps}",
                    classes=["pg-month"],
                    style={"font-weight": "bold", "margin-left": "4px"},
                )
                solara.Text(
                    f"{frame.n_nations} nations, {frame.n_labs} labs, seed {frame.seed}",
                    classes=["pg-world"],
                    style={"color": "#555"},
                )
            if changed:
                shown = ", ".join(changed[:3]) + (", ..." if len(changed) > 3 else "")
                solara.Text(f"Changed ({shown}): press Reset to apply", classes=["pg-changed"])


def _rate_label(rate: float) -> str:
    return f"{rate:g} months/s"


def _rate_from_label(label: str) -> float:
    try:
        return float(label.split()[0])
    except (ValueError, IndexError):
        return PLAY_RATE


@solara.component
def Results(
    session: GameSession, model_rev: solara.Reactive[int], playing: solara.Reactive[bool]
) -> None:
    """The banner, the charts and the downloads (re-rendered on every step)."""
    rev = model_rev.value  # re-render on every step and reset
    Banner(session, rev)
    if session.model is None:
        return
    t = session.model.engine.t
    if playing.value and not session.finished:
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
        specs.network_spec(
            game.layout, _edges(game), game.nation_state(), eng.world.names, month=eng.t
        )
        specs.timeseries_spec(eng.timeseries(), game.model.params, collapse_step=None)
        specs.theory_spec(
            game.model.params,
            charts.theory_curve(game.model.params, n=5),
            game.theory_summary(),
            1.0,
        )
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
        # the page's controls, and the top bar's keys (projector=1) the address already had
        query = "&".join(q for q in (session.query(), layout_query(router.search)) if q)
        if (router.search or "") != query:
            try:
                router.push(f"{router.path}?{query}" if query else router.path)
            except Exception:  # noqa: BLE001 - no router (rendered without a server)
                pass

    def restore_url() -> None:
        # back to a kept game through a plain link: the address shows its controls again
        if not session.query():
            return
        if not link_pairs(router.search):
            push_url()

    solara.use_effect(restore_url, [])
    playing = solara.use_reactive(False)
    rate = solara.use_reactive(PLAY_RATE)
    solara.Title("pausegame: Simulate")
    solara.Style(
        ".pg-control .v-input__slot { margin-bottom: 0 } "
        ".pg-group { border-top: 1px solid #ddd; padding: 4px 8px 4px 4px } "
        ".pg-group-toggle { font-weight: bold } " + LAYOUT_CSS
    )
    with solara.Column(style={"padding": "8px 12px", "max-width": "100%"}, classes=["pg-simulate"]):
        solara.HTML(
            tag="h2",
            unsafe_innerHTML="pausegame: when does a verified pause on "
            "frontier AI development stay stable?",
            style="margin: 0",
        )
        solara.Text(
            "Nations and AI labs choose each month to comply with the pause or to "
            "defect. Change the parameters, press Reset to rebuild the world, then "
            "Step or Play. One step is one month. All numbers are illustrative.",
            style={"color": "#444"},
        )
        RunBar(session, model_rev, controls_rev, playing, rate)
        with rv.Html(tag="div", class_="pg-sim-body"):
            with rv.Html(tag="div", class_="pg-controls"):
                Controls(session, controls_rev, model_rev, push_url)
            with rv.Html(tag="div", class_="pg-results"):
                Results(session, model_rev, playing)
