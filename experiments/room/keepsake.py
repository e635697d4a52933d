"""A student's debrief to keep (#33): one self-contained HTML file, the student's own numbers.

:func:`keepsake_html` writes what the student's debrief shows, for after the room closes: their
nation's months (action, who played it, payoff in points), their total against the benchmark
(:data:`~experiments.room.debrief_charts.BENCHMARK`), their own messages beside what their
nation then did (and, for an accusation, what the accused did), the world's compliance by month
with the theory's line (an inline SVG: no scripts, no links), the treaty in force against the
model's nations' terms and the theory's verdict, and with a quiz their own shares right and the
class's gain. No other student's name, total or answers is in it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from experiments.compliance_chart import BLUE, GREY, ORANGE
from experiments.play import points_text
from experiments.room.debrief_charts import stable_grid
from experiments.room.names import RoomError

__all__ = ["compliance_svg", "keepsake_html"]


def compliance_svg(series: dict[str, Sequence[float] | None], width: int = 480) -> str:
    """Compliance by month as an inline SVG: ``room`` solid, ``model`` dotted, ``theory`` dashed.

    Example:
        >>> svg = compliance_svg({"room": [1.0, 0.5], "model": None, "theory": [0.9, 0.9]})
        >>> svg.startswith("<svg") and svg.count("<polyline") == 2
        True
    """
    height, pad = 200, 30
    styles = {
        "room": (BLUE, ""),
        "model": (GREY, ' stroke-dasharray="2 3"'),
        "theory": (ORANGE, ' stroke-dasharray="6 4"'),
    }
    months = max((len(v) for v in series.values() if v), default=1)
    step = (width - 2 * pad) / max(months - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto" '
        f'role="img" aria-label="Compliance by month">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#999"/>',
        f'<text x="2" y="{pad + 4}" font-size="10">1</text>',
        f'<text x="2" y="{height - pad + 4}" font-size="10">0</text>',
        f'<text x="{width // 2 - 20}" y="{height - 8}" font-size="10">month</text>',
        f'<text x="{pad - 3}" y="{height - pad + 14}" font-size="10">1</text>',
        f'<text x="{width - pad - 6}" y="{height - pad + 14}" font-size="10">{months}</text>',
    ]
    for name, values in series.items():
        if not values:
            continue
        colour, dash = styles[name]
        points = " ".join(
            f"{pad + i * step:.1f},{height - pad - (height - 2 * pad) * float(v):.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
            f'points="{points}"><title>{name}</title></polyline>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _row(cells: Sequence[Any], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in cells) + "</tr>"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return "<table>" + _row(head, "th") + "".join(_row(r) for r in rows) + "</table>"


def _terms(terms: dict[str, Any] | None) -> str:
    if not terms:
        return "none"
    return ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in terms.items()
    )


def keepsake_html(room: Any, token: Any) -> str:
    """The student's debrief as one HTML file (their own numbers only; see the module).

    Raises:
        NotAllowed: Not a seat of this room.
        RoomError: The game is not over yet.
    """
    view = room.student_view(token)
    if view["status"] != "finished":
        raise RoomError("the debrief opens when the game is over")
    with room._lock:
        seat = room._seat(token)
        months = [
            (m.report.t, "defect" if m.report.defected else "comply", m.by, m.report.payoff)
            for m in seat.months
        ]
        said = [p for p in room.pledges if p.nation == seat.nation]
        name, nation = seat.name, room.nation_names[seat.nation]
    d = room.debrief()
    charts = room.debrief_charts()
    mine = next(s for s in d["students"] if s["name"] == name)
    unit = mine["unit"]
    e = html.escape
    out = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Debrief: {e(name)} ({e(nation)}), room {e(room.code)}</title>",
        "<style>body{font-family:sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style>",
        "</head><body>",
        f"<h1>Your debrief: {e(name)}, {e(nation)}</h1>",
        f"<p>Room {e(room.code)}, scenario {e(str(room.scenario_name))}, seed {room.seed}, "
        f"{d['months']} months ({e(d['ended_because'])}).</p>",
        f"<p>You earned <b>{e(mine['points'])}</b> points; the benchmark earned "
        f"<b>{e(mine['best_response_points'])}</b> (100 points: what defecting gains your "
        "nation in one month).</p>",
        f"<p>{e(charts['benchmark'])}</p>",
        "<h2>Your months</h2>",
        _table(
            ["Month", "Your nation", "Played by", "Points"],
            [(t, a, by, points_text(pay, unit)) for t, a, by, pay in months],
        ),
    ]
    if said:
        actions = d["paths"][nation]
        accused = {(a["month"], a["accused"]): a for a in charts["accusations"]}
        rows = []
        for p in said:
            then = actions[p.month - 1]["action"] if p.month <= len(actions) else ""
            note = ""
            if p.kind == "accuse":
                a = accused.get((p.month, p.value))
                if a is not None and a["defected_that_month"] is not None:
                    note = f"{p.value} {'defected' if a['defected_that_month'] else 'complied'}"
            rows.append((p.month, p.text, {"C": "complied", "D": "defected"}.get(then, ""), note))
        out += [
            "<h2>What you said, and what happened</h2>",
            _table(["Month", "You said", "Your nation then", "The accused that month"], rows),
        ]
    comp = charts["compliance"]
    out += [
        "<h2>The world's compliance by month</h2>",
        compliance_svg({"room": comp["room"], "model": comp["model"], "theory": comp["theory"]}),
        "<p>Blue: your room's world; grey dotted: the same world with the model in every seat; "
        f"orange dashed: the theory. {e(comp['theory_text'])}</p>",
        _table(
            ["Month", "Your room", "Model in every seat", "Theory"],
            [
                (
                    i + 1,
                    f"{v:.3f}",
                    f"{comp['model'][i]:.3f}",
                    "" if comp["theory"] is None else f"{comp['theory'][i]:.3f}",
                )
                for i, v in enumerate(comp["room"])
            ],
        ),
    ]
    treaty = charts["treaty"]
    out += [
        "<h2>The treaty</h2>",
        f"<p>In force: {e(_terms(treaty['in_force']))} "
        f"(theory: {_verdict(treaty['in_force_holds'])}). {e(treaty['model']['text'])} "
        f"(theory: {_verdict(treaty['model_holds'])}). {e(treaty['stable']['text'])}</p>",
    ]
    grid = stable_grid(treaty["stable"])
    if grid is not None:
        out.append(_table(*grid))
    if room.quiz_on:
        pre, post = room.quiz_share(seat.token, "pre"), room.quiz_share(seat.token, "post")
        out += [
            "<h2>The quiz</h2>",
            f"<p>You answered right: before {_share(pre)}, after {_share(post)}. "
            f"The class: {e(room.quiz_gain().text())}</p>",
        ]
    out.append("</body></html>")
    return "\n".join(out)


def _share(x: float | None) -> str:
    return "not taken" if x is None else f"{x:.0%}"


def _verdict(holds: bool | None) -> str:
    return {True: "holds", False: "does not hold", None: "no answer"}[holds]
