"""The Simulate page's controls: the scenario picker and every schema parameter, grouped.

Generated from the schema (``model/params/`` and the rule files), with units and help; a typed
value is checked by the schema and a bad one is reported next to its control.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import cast

import reacton.core
import reacton.ipyvuetify as rv
import solara
from solara.components.input import use_change

from viz.controls import (
    layer_names,
    layer_setup,
    layer_sources,
    not_applying,
    refused_choices,
    toggle_layer,
)
from viz.session import (
    GameSession,
    control_hint,
    control_label,
    group_title,
    grouped_params,
    regime_sources,
    slider_bounds,
    slider_step,
    unit_label,
)
from viz.simulate.common import HINT_STYLE, Prose, bump, guard

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

#: A typed value applies once typing pauses this long (seconds), or at once on Enter or leaving
#: the box: the address bar and the Copy link then carry it without a click elsewhere.
TYPING_PAUSE = 0.4


#: Parameters the page offers no control for: ones no run reads yet, or a mechanism the page
#: does not display yet (a slider whose effect the page cannot show would mislead a class).
#: ``transfers_conditional`` is read since agreed transfers are paid in the months (#29); the
#: pledges (#30) have their controls since the page draws the pledge-action gap. A link may
#: still carry such a parameter; the CLI and scenario files accept them.
UNREAD_PARAMS: frozenset[str] = frozenset()


@solara.component
def TypedText(
    label: str,
    value: str,
    on_value: Callable[[str], None],
    error: bool = False,
    dense: bool = False,
    style: dict[str, str] | None = None,
    disabled: bool = False,
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
        disabled=disabled,
        hide_details="auto",
        style_="; ".join(f"{k}: {v}" for k, v in (style or {}).items()),
    )
    use_change(field, apply, update_events=["focusout", "keyup.enter"])


#: The line under the layers' checklist: why the regime picker waits while a layer is ticked.
LAYERS_AND_REGIME = (
    "Layers set the verification numbers, so ticking one sets verification to custom; "
    "untick every layer to pick a regime. Numbers you type (p_detect, ...) win over both."
)


@functools.cache
def layer_sobol_note() -> str | None:
    """The saved Sobol example's line (read once per server process)."""
    from experiments.analysis.layer_sensitivity import example_note

    return example_note()


@solara.component
def LayersChecklist(session: GameSession, on_change: Callable[[], None], rev: int) -> None:
    """The ``layers`` control: one box per registered layer, its numbers and sources under it.

    Ticking a layer also sets ``verification`` to ``custom`` (validation refuses layers with
    any other regime), and the regime picker is greyed out until every layer is off
    (:data:`viz.controls.APPLIES_WHEN`). Under the boxes: what the ticked layers give
    together (:func:`viz.controls.layer_setup`).
    """
    from model.verification.layers import layers

    value = str(session.values["layers"])
    ticked = set(layer_names(value))

    def tick(name: str, on: bool) -> None:
        """Tick or untick one layer (and leave a regime other than custom)."""
        session.set_text("layers", toggle_layer(str(session.values["layers"]), name, bool(on)))
        if on and session.values.get("verification") != "custom":
            session.set_text("verification", "custom")
        on_change()

    rv.TextField(  # the value a link carries; the boxes below change it
        label="layers (ticked below)", v_model=value, readonly=True, dense=True, hide_details=True
    )
    for name, layer in layers().items():
        with rv.Html(tag="div", class_=f"pg-layer pg-layer-{name}"):
            rv.Checkbox(
                label=layer.title,
                v_model=name in ticked,
                on_v_model=functools.partial(tick, name),
                hide_details=True,
                dense=True,
                class_="pg-layer-box",
            )
            solara.Text(
                layer_sources(name),
                style={**HINT_STYLE, "display": "block", "margin": "0 0 6px 32px"},
                classes=["pg-layer-sources"],
            )
    setup = layer_setup(session.values)
    solara.Text(
        setup or "No layer ticked: verification is as the regime and the parameters say.",
        style={**HINT_STYLE, "font-weight": "bold"},
        classes=["pg-layer-setup"],
    )
    if setup:
        from model.verification.layers.combine import effective

        fixed = session.set_explicitly(effective([], 0.0, 0.0))
        if fixed:
            solara.Text(
                "Set explicitly, so these win over the layers' in the run: "
                + ", ".join(f"{n} = {v:g}" for n, v in fixed.items())
                + ".",
                style={**HINT_STYLE, "color": "#8a4b00"},
                classes=["pg-layer-overridden"],
            )
    solara.Text(LAYERS_AND_REGIME, style=HINT_STYLE, classes=["pg-layers-regime"])
    note = layer_sobol_note()
    if note:
        solara.Text(note, style=HINT_STYLE, classes=["pg-layer-sobol"])


@solara.component
def ParamControl(session: GameSession, name: str, on_change: Callable[[], None], rev: int) -> None:
    """One parameter's control: slider and text box (numbers), a picker (choices), text (seed).

    ``rev`` changes whenever any control changes (reacton re-renders a component only when its
    arguments change, and it does not compare callbacks).
    """
    p = session.table[name]
    label = control_label(p)
    error = session.errors.get(name)
    needs = not_applying(name, session.values)  # greyed out while it has no effect
    disabled = needs is not None
    refused = refused_choices(name) if p.kind == "choice" else {}

    def typed(text: str | None) -> None:
        session.set_text(name, text or "")
        on_change()

    def slid(value: float) -> None:
        current = session.values[name]
        if current is not None and abs(value - current) < slider_step(p) / 2 + 1e-12:
            return  # the slider snapping a typed value to its grid, not a move
        session.set_value(name, int(round(value)) if p.kind == "int" else value)
        on_change()

    if name == "layers":
        LayersChecklist(session, on_change, rev)
    elif p.kind == "choice" and refused:
        # choices validation refuses are shown disabled, its message under the picker
        rv.Select(
            label=label,
            v_model=session.values[name],
            items=[{"text": c, "value": c, "disabled": c in refused} for c in p.choices],
            on_v_model=typed,
            disabled=disabled,
        )
        for why in refused.values():
            solara.Text(f"Not offered: {why}.", style=HINT_STYLE, classes=["pg-refused-choice"])
    elif p.kind == "choice":
        solara.Select(
            label=label,
            value=session.values[name],
            values=list(p.choices),
            on_value=typed,
            disabled=disabled,
        )
        if name == "verification":  # the chosen regime's presets and their sources
            solara.Text(
                regime_sources(str(session.values[name])),
                style=HINT_STYLE,
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
                    disabled=disabled,
                    style_="flex: 1 1 auto; min-width: 0",
                )
            TypedText(
                label=unit_label(p) if bounds else label,
                value=session.texts[name],
                on_value=typed,
                error=bool(error),
                dense=True,
                style={"flex": "0 0 110px" if bounds else "1 1 auto"},
                disabled=disabled,
            )
    if needs is not None:
        solara.Text(
            f"Applies only with {needs}.",
            style={**HINT_STYLE, "color": "#8a4b00"},
            classes=["pg-not-applying"],
        )
    if error:
        solara.Text(error, style={**HINT_STYLE, "color": "#b00020"}, classes=["pg-field-error"])
    else:
        solara.Text(control_hint(p), style=HINT_STYLE)


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
        bump(render_context, controls_rev)
        push_url()

    def pick(name: str) -> None:
        guard(session, lambda: session.pick_scenario(name), "Loading the scenario")
        changed()

    with solara.Card("Scenario", margin=0, classes=["pg-scenario"]):
        solara.Select(
            label="Scenario",
            value=session.scenario_name,
            values=session.scenario_names,
            on_value=pick,
        )
        solara.Text("Picking a scenario loads its parameters; Reset starts it.", style=HINT_STYLE)
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
        names = [p.name for p in params if p.name not in KEY_PARAMS and p.name not in UNREAD_PARAMS]
        if names:
            ControlGroup(session, group, names, changed, rev)
