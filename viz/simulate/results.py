"""The Simulate page's results: banner, negotiation, live charts, theory's panel, downloads."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import reacton.ipyvuetify as rv
import solara

from model import theory
from viz import charts, livechart, specs
from viz.session import (
    GameSession,
)
from viz.simulate.common import curve_or_none, edges
from viz.simulate.downloads import Downloads
from viz.simulate.negotiation import NegotiationPanel
from viz.simulate.runbar import PLAY_REDRAW_EVERY


@solara.component
def Banner(session: GameSession, rev: int) -> None:
    """Pause holding, collapsed, not yet binding (negotiated), or an error (``rev``: each step).

    Where the banner and theory's answer disagree, a sentence under it says why
    (:func:`reconcile`).
    """
    kind, text = session.banner()
    if kind == "error":
        solara.Error(text, classes=["pg-banner", "pg-error"])
    elif kind == "collapsed":
        solara.Warning(text, classes=["pg-banner", "pg-collapsed"])
    elif kind == "negotiating":
        solara.Info(text, classes=["pg-banner", "pg-negotiating"])
    else:
        solara.Success(text, classes=["pg-banner", "pg-holding"])
    why = reconcile(session) if kind in ("holding", "collapsed") else None
    if why:
        solara.Info(why, classes=["pg-reconcile"])
    if session.notice:
        solara.Info(session.notice, classes=["pg-notice"])
    for note in session.notes:
        solara.Info(note)


@solara.component
def Charts(session: GameSession, draw_key: tuple[int, int]) -> None:
    """The network, the time series and the theory panel (memoised on ``draw_key``)."""
    model = session.world  # the caller renders Charts only when there is a model
    eng = model.engine

    curve = solara.use_memo(lambda: curve_or_none(model.params), [session.model_id])
    summary = solara.use_memo(session.theory_summary, [session.model_id])
    words = solara.use_memo(lambda: theory_words(session), [session.model_id])

    def build() -> list[tuple[dict[str, Any], str]] | str:
        # each chart as (spec without data, data as JSON): a month changes only the data
        try:
            net = specs.network_spec(
                session.layout,
                edges(session),
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
    params = session.world.params
    summary = session.theory_summary()
    if params["decision_rule"] not in theory.RULES or summary is None:
        return [session.theory_text()]
    return theory.Verdict.of(params, session.world.engine, summary).sentences()


def reconciling_sentence(
    answer: str, *, collapse_month: int | None, now: Mapping[str, float], settles: float
) -> str | None:
    """Why the banner and theory's answer differ, or None where they agree.

    The banner tells this run's path; theory's answer is where the mean field settles
    (identical nations, no alliances). They disagree when the run collapsed where theory says
    the pause holds, or when the run holds where theory says it does not.

    Args:
        answer: Theory's answer (:meth:`model.theory.Verdict.answer`).
        collapse_month: The month the run's collapse began, or None if it has not collapsed.
        now: This run now: ``month``, ``steps``, ``compliance``, ``threshold``, ``patience``.
        settles: Mean-field compliance of the compliant branch at the run's ``p_detect``.

    >>> now = {"month": 30, "steps": 120, "compliance": 0.97, "threshold": 0.9, "patience": 3}
    >>> reconciling_sentence("holds", collapse_month=None, now=now, settles=1.0) is None
    True
    >>> print(reconciling_sentence("holds", collapse_month=1, now=now, settles=1.0))
    Why the banner and theory differ: this run dipped below 0.9 early (from month 1, 3 months
    in a row, which the rule counts as a collapse), while theory's answer is where the mean
    field settles (compliance 1.00 for identical nations without alliances); this run has since
    come back to 0.97.
    """
    month, threshold = int(now["month"]), now["threshold"]
    compliance = now["compliance"]
    if month == 0:
        return None
    mean_field = (
        f"theory's answer is where the mean field settles (compliance {settles:.2f} for "
        "identical nations without alliances)"
    )
    if collapse_month is not None and answer == "holds":
        early = " early" if collapse_month <= int(now["steps"]) // 4 else ""
        path = (
            f"this run dipped below {threshold:g}{early} (from month {collapse_month}, "
            f"{int(now['patience'])} months in a row, which the rule counts as a collapse)"
        )
        if compliance >= threshold:
            after = f"this run has since come back to {compliance:.2f}"
        else:
            after = (
                f"this run is at {compliance:.2f} now: its alliances and unequal nations, "
                "which the mean field leaves out, can keep it below"
            )
        return f"Why the banner and theory differ: {path}, while {mean_field}; {after}."
    if collapse_month is None and answer == "does not hold":
        so_far = "to its last month" if month >= int(now["steps"]) else "so far"
        return (
            f"Why the banner and theory differ: this run has not collapsed {so_far} "
            f"(compliance {compliance:.2f} at month {month}), while {mean_field}; a run can "
            "hold for a while before it falls, and its alliances and unequal nations, which "
            "the mean field leaves out, can keep it up."
        )
    return None


def reconcile(session: GameSession) -> str | None:
    """:func:`reconciling_sentence` for the session's run (None where theory says nothing)."""
    frame, summary = session.frame(), session.theory_summary()
    if (
        frame is None
        or summary is None
        or session.world.params["decision_rule"] not in theory.RULES
    ):
        return None
    try:
        answer = theory.Verdict.of(session.world.params, session.world.engine, summary).answer()
    except Exception:  # noqa: BLE001 - theory is a guide; never break the page
        return None
    now = {
        "month": frame.t,
        "steps": frame.steps,
        "compliance": frame.compliance,
        "threshold": frame.threshold,
        "patience": float(session.world.params["collapse_patience"]),
    }
    return reconciling_sentence(
        answer,
        collapse_month=frame.collapse_step,
        now=now,
        settles=summary.compliant_branch().compliance,
    )


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


@solara.component
def Results(
    session: GameSession, model_rev: solara.Reactive[int], playing: solara.Reactive[bool]
) -> None:
    """The banner, the negotiation (when the run negotiated), the charts and the downloads.

    Re-rendered on every step; the negotiation panel only on Reset.
    """
    rev = model_rev.value  # re-render on every step and reset
    Banner(session, rev)
    if session.model is None:
        return
    NegotiationPanel(session, session.model_id)
    t = session.world.engine.t
    if playing.value and not session.finished:
        t -= t % PLAY_REDRAW_EVERY
    Charts(session, (session.model_id, t))
    Downloads(session, rev)
