"""The Simulate page's run bar: Step, Play at a speed, Reset, the month, a "changed" marker."""

from __future__ import annotations

import math
import threading
import time

import reacton.core
import reacton.ipyvuetify as rv
import solara

from experiments.words import plural
from viz.session import (
    GameSession,
)
from viz.simulate.common import bump, guard

#: Play's default speed (steps per second) and how often it redraws the heavy charts.
PLAY_RATE = 10.0
PLAY_REDRAW_EVERY = 3
#: At most this many months more are stepped before one redraw when Play falls behind its speed.
PLAY_CATCH_UP = 2
#: The speeds the Play speed control offers (months per second).
PLAY_RATES = (1.0, 3.0, 10.0, 20.0)


def differs_from_run(session: GameSession) -> list[str]:
    """Controls whose values differ from the running world's (Reset would apply them).

    Only the values Reset would pass (:meth:`GameSession.model_values`): a verification number
    the ticked layers or the chosen regime set, and the visitor left, is theirs in the run.
    """
    model = session.model
    if model is None:
        return []
    out = []
    for name, value in session.model_values().items():
        if name == "seed":
            if value is not None and int(value) != int(model.seed):
                out.append(name)
            continue
        if name == "n_nations" and session.scenario is not None:
            continue  # a scenario's own nations may fit the count (fit_nations)
        try:
            running = model.engine.given_params[name]  # a negotiation adopts other terms
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
    :data:`PLAY_CATCH_UP` more), and a step renders the page once (:func:`bump`).
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
            bump(render_context, model_rev)
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
        guard(session, lambda: session.step(1), "The step")
        bump(render_context, model_rev)

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
        guard(session, session.reset, "Reset")
        bump(render_context, model_rev, controls_rev)

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
    """``"1 month/s"``, ``"10 months/s"``: singular for exactly one (#27)."""
    if float(rate).is_integer():
        return plural(int(rate), "month") + "/s"
    return f"{rate:g} months/s"


def _rate_from_label(label: str) -> float:
    try:
        return float(label.split()[0])
    except (ValueError, IndexError):
        return PLAY_RATE
