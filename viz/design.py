"""The Design a treaty page: levers and uncertainties, a shared search, its front and boxes (#32).

The visitor starts from a shipped treaty design (``experiments/treaty_designs/``), changes the
levers' ranges (the negotiable terms the search may set) and the uncertainties (the world's
parameters nobody controls, each with a range; ``{}``: the cited registry's range), the worlds
and the search's budget, and starts the design: a :class:`~viz.design_job.DesignJob`, shared
with every visitor who asks for the same, cancellable and cached like the Stability map's. The
design's own treaty comes first (its failure boxes can be looked at within seconds), then the
NSGA-II front grows a generation at a time. A click on a treaty (in the chart or the table)
shows its failure boxes (the EMA workbench's PRIM on that treaty's worlds: each box's limits,
coverage and density) and opens it in Simulate (its terms as the Simulate parameters) or in a
classroom room (its terms as the room's parameter overrides).
"""

from __future__ import annotations

import functools
import json
import threading
from typing import Any
from urllib.parse import urlencode

import reacton.ipyvuetify as rv
import solara
import solara.widgets

from viz.design_job import (
    DESIGN_TREATY,
    DesignJob,
    DesignResult,
    design_job_for,
    design_request,
    shipped_tables,
    treaty_boxes,
)
from viz.specs.design_front import front_spec

__all__ = ["DESIGN_CSS", "DesignPage", "front_spec", "room_overrides", "simulate_query"]

DEFAULT_DESIGN = "treaty_design_quick"

DESIGN_CSS = """
.pg-design { width: 100%; max-width: 1100px; box-sizing: border-box; }
.pg-design-chart { width: 100%; max-width: 680px; min-width: 0; min-height: 400px; }
.pg-design-chart .vega-embed { width: 100%; }
.pg-design-scroll { width: 100%; overflow-x: auto; }
.pg-design table { border-collapse: collapse; font-size: 0.85rem; }
.pg-design td, .pg-design th { padding: 2px 8px; border-bottom: 1px solid #ddd;
  text-align: right; white-space: nowrap; }
.pg-design th { background: #f3f3f3; }
.pg-design .pg-design-range { max-width: 110px; }
.pg-design-wrap { flex-wrap: wrap; }
"""

_COLUMNS = (
    ("worst_tenth_survival", "survival, worst tenth", ".2f"),
    ("mean_survival", "mean survival", ".2f"),
    ("verification_spend", "spend", ".3g"),
    ("false_alarms", "false alarms/month", ".3g"),
    ("welfare", "welfare/month", ".3g"),
)


_WARM = threading.Lock()
_WARMED: list[threading.Thread] = []


def warm_up_prim() -> None:
    """Import the EMA workbench in the background once (about 4 s), while the runs go on."""
    from experiments.treaty_design.discovery import ema_analysis

    with _WARM:
        if not _WARMED:
            _WARMED.append(threading.Thread(target=ema_analysis, name="pausegame-ema", daemon=True))
            _WARMED[0].start()


def simulate_query(result: DesignResult, treaty: int) -> str:
    """The Simulate page's link query for a treaty: the design's world and the treaty's terms.

    The uncertainties are left at the scenario's values (a treaty is judged over many worlds;
    Simulate shows one).
    """
    scenario = result.design.base.get("scenario") or "(none)"
    pairs = [("scenario", str(scenario))]
    pairs += [(k, _text(v)) for k, v in room_overrides(result, treaty).items()]
    return urlencode(pairs)


def room_overrides(result: DesignResult, treaty: int) -> dict[str, Any]:
    """A classroom room's parameter overrides for a treaty: the design's world and its terms."""
    design = result.design
    out = dict(design.base.get("params", {}) or {})
    kinds = {t.name: t.param.kind for t in design.levers.terms}
    for name in result.levers:
        value = result.treaties.loc[treaty, name]
        if isinstance(value, str):
            out[name] = value  # a choice term, or the set of layers
        else:
            out[name] = int(round(float(value))) if kinds.get(name) == "int" else float(value)
    return out


def _value_text(value: Any) -> str:
    """A lever's value for the table: a number to 3 figures, or a choice's text."""
    return value if isinstance(value, str) else f"{float(value):.3g}"


def _text(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def schema() -> dict[str, Any]:
    """The parameters' declarations (:func:`model.params.schema`)."""
    from model.params import schema as declared

    return dict(declared())


def options(name: str) -> list[str] | None:
    """A choice parameter's choices (``layers``: the layers), or None for a number."""
    p = schema()[name]
    if p.kind != "choice":
        return None
    return [c for c in p.choices if not (name == "layers" and c == "none")]


def _row(name: str, value: Any) -> list[str]:
    """A lever's or an uncertainty's row: [low, high] as text, or the choices kept."""
    if options(name) is not None:
        return list(options(name) or []) if value == {} else [str(v) for v in value]
    if value == {}:
        return ["", ""]
    if isinstance(value, dict):  # { low = .., high = .. }
        return [str(value.get("low", "")), str(value.get("high", ""))]
    return [str(v) for v in value]


def _initial(name: str) -> dict[str, Any]:
    """The page's inputs from a shipped design's tables."""
    tables = shipped_tables(name)
    from viz.design_job import APP_SEARCH, APP_VERIFICATION_COST

    search = dict(tables.get("search", {}) or APP_SEARCH)
    cost = (tables.get("base", {}).get("params", {}) or {}).get("verification_cost", 0.0)
    if "layers" in tables.get("levers", {}):
        cost = 0.0  # the layers' own costs are the spend
    return {
        "levers": {k: _row(k, v) for k, v in tables.get("levers", {}).items()},
        "uncertainties": {k: _row(k, v) for k, v in tables.get("uncertainties", {}).items()},
        "n": str(tables.get("sample", {}).get("n", "")),
        "replicates": str(tables.get("run", {}).get("replicates", 1)),
        "population": str(search.get("population", APP_SEARCH["population"])),
        "evaluations": str(search.get("evaluations", APP_SEARCH["evaluations"])),
        "verification_cost": str(
            cost if cost or "layers" in tables.get("levers", {}) else APP_VERIFICATION_COST
        ),
    }


def _request(name: str, form: dict[str, Any]) -> tuple[DesignJob | None, str]:
    """The job of the form's request (shared), or the one-line reason it is not a design."""
    from model.errors import ConfigError

    uncertainties = {
        k: ({} if options(k) is None and [x.strip() for x in v] == ["", ""] else v)
        for k, v in form["uncertainties"].items()
    }
    keys = ("n", "replicates", "population", "evaluations", "verification_cost")
    try:
        data = design_request(
            name,
            dict(form["levers"]),
            uncertainties,
            {k: form[k] for k in keys},
        )
        job = design_job_for(data)  # validated; the same request finds the same job
    except ConfigError as exc:
        return None, str(exc)
    return job, ""


def status_text(job: DesignJob) -> str:
    """The job's status line."""
    if job.state == "idle":
        return f"Not started: {job.total} runs."
    if job.state == "running":
        stage = "the design's treaty" if job.stage in ("", "treaty") else "the search"
        return (
            f"Running {stage}: {job.done} of {job.total} runs, {job.treaties} treaties "
            f"evaluated ({job.seconds:.0f} s so far)"
        )
    if job.state == "cancelling":
        return "Cancelling… (the runs in flight stop; the finished runs are kept)."
    if job.state == "done":
        took = f" in {job.seconds:.1f} s" if job.seconds else ""
        return f"Done: {job.treaties} treaties, {job.total} runs{took}."
    if job.state == "cancelled":
        return f"Cancelled at {job.done} of {job.total} runs; Start resumes where it stopped."
    return f"Failed: {job.error}. Start tries again."


@solara.component
def RangeRows(title: str, rows: dict[str, list[str]], on_rows: Any, note: str) -> None:
    """Editable ranges, one row per name (low, high), with a Remove button."""
    solara.HTML(tag="h3", unsafe_innerHTML=title)
    solara.Text(note, style={"color": "#555", "font-size": "0.85rem"})
    for name, value in rows.items():

        def set_side(text: str, name: str = name, side: int = 0) -> None:
            new = {k: list(v) for k, v in rows.items()}
            new[name][side] = text
            on_rows(new)

        def set_choices(kept: list[str], name: str = name) -> None:
            on_rows({**rows, name: list(kept)})

        with solara.Row(gap="8px", classes=["pg-design-wrap"], style={"align-items": "center"}):
            solara.Text(name, style={"min-width": "130px", "font-family": "monospace"})
            choices = options(name)
            if choices is not None:
                solara.SelectMultiple(
                    "choices searched" if title == "Levers" else "choices sampled",
                    values=list(value),
                    all_values=choices,
                    on_value=functools.partial(set_choices, name=name),
                    classes=["pg-design-choices", f"pg-design-choices-{name}"],
                )
            else:
                solara.InputText(
                    "low",
                    value=value[0],
                    on_value=functools.partial(set_side, name=name, side=0),
                    classes=["pg-design-range", f"pg-design-low-{name}"],
                )
                solara.InputText(
                    "high",
                    value=value[1],
                    on_value=functools.partial(set_side, name=name, side=1),
                    classes=["pg-design-range", f"pg-design-high-{name}"],
                )
            solara.Button(
                "Remove",
                text=True,
                on_click=lambda n=name: on_rows({k: v for k, v in rows.items() if k != n}),
                classes=[f"pg-design-remove-{name}"],
            )


@solara.component
def DesignPage() -> None:
    """Choose the levers and uncertainties, start the shared design, see its front and boxes."""
    from experiments.treaty_design.spec import list_treaty_designs
    from model.params.terms import negotiable

    names = list_treaty_designs()
    name, set_name = solara.use_state(DEFAULT_DESIGN if DEFAULT_DESIGN in names else names[0])
    form, set_form = solara.use_state(_initial(name))
    selected, set_selected = solara.use_state(None)  # type: ignore[arg-type]
    _tick, set_tick = solara.use_state(0)
    key = json.dumps([name, form], sort_keys=True)
    job, error = solara.use_memo(lambda: _request(name, form), [key])

    def poll(cancel: threading.Event) -> None:
        seen = job.view() if job is not None else None
        while not cancel.is_set() and job is not None:
            cancel.wait(0.5 if job.state in ("running", "cancelling") else 1.0)
            now = job.view()
            if now != seen:
                seen = now
                set_tick(lambda t: t + 1)

    solara.use_thread(poll, dependencies=[id(job)], intrusive_cancel=False)

    def pick(new: str) -> None:
        set_name(new)
        set_form(_initial(new))
        set_selected(None)

    def update(part: str, value: Any) -> None:
        set_form({**form, part: value})

    def start() -> None:
        warm_up_prim()
        if job is not None:
            job.start()
        set_tick(lambda t: t + 1)

    def cancel() -> None:
        if job is not None:
            job.cancel()
        set_tick(lambda t: t + 1)

    solara.Title("pausegame: Design a treaty")
    solara.Style(DESIGN_CSS)
    with solara.Column(style={"padding": "12px 16px"}, classes=["pg-design"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Design a treaty: which terms hold across worlds?")
        solara.Text(
            "Choose the levers (terms the treaty may set, each with a range) and the "
            "uncertainties (world parameters nobody controls). Start runs the design's own "
            "treaty over a Latin hypercube of worlds, then searches the levers with NSGA-II "
            "for the treaties that survive best in the worst tenth of worlds at the least "
            "verification spend, every treaty on the same worlds with the same random numbers. "
            "Click a treaty for the worlds where it fails (PRIM's boxes).",
            style={"color": "#444"},
        )
        solara.Select(
            "Start from the design", values=names, value=name, on_value=pick,
            classes=["pg-design-pick"],
        )  # fmt: skip
        terms = [*negotiable(), "layers"]
        RangeRows(
            "Levers",
            form["levers"],
            lambda rows: update("levers", rows),
            "Negotiable terms the search sets: a number term's range, a choice term's choices, "
            "or layers: the verification layers whose non-empty sets are searched (the "
            "world's verification cost must then be 0: the layers' own costs are the spend). "
            "With a choice lever the search is pymoo's mixed-variable one.",
        )
        _Adder("lever", [k for k in terms if k not in form["levers"]], form, set_form)
        RangeRows(
            "Uncertainties",
            form["uncertainties"],
            lambda rows: update("uncertainties", rows),
            "World parameters sampled by the Latin hypercube; both blank: the cited "
            "registry's range (else the schema's); a choice parameter's choices are sampled "
            "evenly.",
        )
        table = schema()
        world = [
            k
            for k in table
            if k not in ("seed", "steps", "layers")
            and k not in negotiable()
            and k not in form["uncertainties"]
        ]
        _Adder("uncertainty", world, form, set_form)
        with solara.Row(gap="8px", classes=["pg-design-wrap"]):
            for part, label in (
                ("n", "worlds"),
                ("replicates", "runs a world"),
                ("population", "population"),
                ("evaluations", "treaties to evaluate"),
                ("verification_cost", "verification cost"),
            ):
                solara.InputText(
                    label,
                    value=form[part],
                    on_value=functools.partial(update, part),
                    classes=["pg-design-range", f"pg-design-{part}"],
                )
        if error:
            solara.Error(error, classes=["pg-design-error"])
        with solara.Row(gap="12px", classes=["pg-design-wrap"], style={"align-items": "center"}):
            solara.Button(
                "Start",
                on_click=start,
                color="primary",
                disabled=job is None or job.state in ("running", "cancelling", "done"),
                classes=["pg-design-start"],
            )
            solara.Button(
                "Cancel",
                on_click=cancel,
                outlined=True,
                disabled=job is None or job.state != "running",
                classes=["pg-design-cancel"],
            )
            if job is not None:
                solara.Text(
                    status_text(job), classes=["pg-design-status", f"pg-design-{job.state}"]
                )
        if job is not None and job.state == "running" and job.total:
            solara.ProgressLinear(value=100.0 * job.done / job.total)
        result = job.partial() if job is not None else None
        if result is not None:
            _Front(result, selected, set_selected)
            if selected is not None and selected in result.treaties.index:
                _Treaty(result, selected)


@solara.component
def _Adder(kind: str, choices: list[str], form: dict[str, Any], set_form: Any) -> None:
    """A picker that adds a lever or an uncertainty (its range to be typed)."""
    if not choices:
        return
    part = "levers" if kind == "lever" else "uncertainties"

    def add(name: str | None) -> None:
        if name:
            set_form({**form, part: {**form[part], name: _row(name, {})}})

    solara.Select(
        f"Add a{'n' if kind[0] in 'aeiou' else ''} {kind}",
        values=choices,
        value=None,
        on_value=add,
        classes=[f"pg-design-add-{kind}"],
    )


@solara.component
def _Front(result: DesignResult, selected: int | None, set_selected: Any) -> None:
    """The chart and the table of the treaties (the front, and the design's own treaty)."""
    spec = front_spec(result, selected)

    def clicked(datum: Any) -> None:
        if isinstance(datum, dict) and "treaty" in datum:
            set_selected(int(datum["treaty"]))

    with solara.Column(classes=["pg-design-chart"]):
        solara.widgets.VegaLite.element(spec=spec, listen_to_click=True, on_click=clicked)
    shown = result.treaties[
        result.treaties["on_front"] | (result.treaties["generation"] == DESIGN_TREATY)
    ].sort_values("verification_spend")
    with rv.Html(tag="div", class_="pg-design-scroll"):
        with rv.Html(tag="table", class_="pg-design-front"):
            with rv.Html(tag="tr"):
                for head in ["treaty", *result.levers, *(c[1] for c in _COLUMNS), ""]:
                    rv.Html(tag="th", children=[head])
            for i, row in shown.iterrows():
                mark = " (design's)" if int(row["generation"]) == DESIGN_TREATY else ""
                with rv.Html(tag="tr", class_=f"pg-design-row-{i}"):
                    rv.Html(tag="td", children=[f"{i}{mark}"])
                    for k in result.levers:
                        rv.Html(tag="td", children=[_value_text(row[k])])
                    for column, _head, fmt in _COLUMNS:
                        rv.Html(tag="td", children=[format(float(row[column]), fmt)])
                    with rv.Html(tag="td"):
                        solara.Button(
                            "Boxes",
                            small=True,
                            outlined=int(i) != selected,
                            on_click=lambda i=i: set_selected(int(i)),
                            classes=["pg-design-boxes-button", f"pg-design-pick-{i}"],
                        )


@solara.component
def _Treaty(result: DesignResult, treaty: int) -> None:
    """A treaty's failure boxes (found off the page's thread), Simulate and a classroom room."""
    found = solara.use_thread(
        lambda: treaty_boxes(result, treaty), dependencies=[treaty, len(result.treaties)]
    )
    row = result.treaties.loc[treaty]
    terms = ", ".join(f"{k} = {_value_text(row[k])}" for k in result.levers)
    with solara.Column(classes=["pg-design-treaty"]):
        solara.HTML(tag="h3", unsafe_innerHTML=f"Treaty {treaty}: {terms}")
        if found.state == solara.ResultState.ERROR:
            solara.Error(f"PRIM failed: {found.error}", classes=["pg-design-box-error"])
        elif found.state == solara.ResultState.FINISHED and found.value is not None:
            _Boxes(found.value, result.design)
        else:
            solara.Text("Finding the boxes of its failing worlds (PRIM)…")
        with solara.Row(gap="12px", classes=["pg-design-wrap"], style={"align-items": "center"}):
            with solara.Link("/?" + simulate_query(result, treaty)):
                solara.Button("Open in Simulate", outlined=True, classes=["pg-design-simulate"])
            _Room(result, treaty)


@solara.component
def _Boxes(boxes: Any, design: Any) -> None:
    """PRIM's boxes of one treaty's failing worlds: each box's limits, coverage and density."""
    solara.Text(
        f"It fails (survival below {design.failure_below}) in {boxes.failing} of "
        f"{boxes.n_worlds} worlds. PRIM's boxes of those worlds (the EMA workbench's, "
        f"boxes of density at least {design.discovery['min_density']}):",
        classes=["pg-design-failing"],
    )
    if boxes.failing == boxes.n_worlds:
        solara.Text(
            "It fails in every sampled world: no box separates failing worlds from others.",
            classes=["pg-design-everywhere"],
        )
    if boxes.stats.empty:
        solara.Text("No box: PRIM found no group of failing worlds.", classes=["pg-design-nobox"])
    for st in boxes.stats.itertuples(index=False):
        limits = boxes.table[boxes.table["box"] == st.box]
        where = "; ".join(
            f"{text} (quasi-p {r.quasi_p:.2g})"
            for text, r in zip(boxes.where(st.box), limits.itertuples(index=False), strict=True)
        )
        solara.Text(
            f"Box {st.box + 1}: {where or 'no restriction'}. Coverage {st.coverage:.0%} "
            f"(of the failing worlds, how many are in it), density {st.density:.0%} (of "
            f"the worlds in it, how many fail), {st.n_worlds} worlds.",
            classes=["pg-design-box", f"pg-design-box-{st.box}"],
        )


@solara.component
def _Room(result: DesignResult, treaty: int) -> None:
    """Create a classroom room whose parameters are the treaty's terms (the teacher key asked)."""
    from experiments.room import RoomError
    from viz.room_pages.common import check_teacher_key, rooms

    key, set_key = solara.use_state("")
    message, set_message = solara.use_state("")
    router = solara.use_router()

    def create() -> None:
        scenario = result.design.base.get("scenario")
        try:
            check_teacher_key(key)
            room = rooms().create(scenario, overrides=room_overrides(result, treaty))
        except RoomError as exc:
            set_message(str(exc))
            return
        router.push(f"/teach?room={room.code}")

    solara.InputText(
        "Teacher key (as `pausegame app` printed it)", value=key, on_value=set_key, password=True,
        classes=["pg-design-key"],
    )  # fmt: skip
    solara.Text(
        "A room of 12 months in the design's world with these terms as its parameters; the "
        "teacher page then asks for the key again.",
        style={"color": "#555", "font-size": "0.85rem"},
    )
    solara.Button("Open in a classroom room", outlined=True, on_click=create,
                  classes=["pg-design-room"])  # fmt: skip
    if message:
        solara.Error(message, classes=["pg-design-room-error"])
