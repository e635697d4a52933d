"""The Play page: the visitor holds one nation's own programme; the model's agents play the rest.

The game itself (:class:`experiments.play.PlayGame`: held choices, votes, membership, the period
reports and the debrief against a best responder) is headless and lives in
:mod:`experiments.play`, shared with ``pausegame play`` and the tests. This module is the Solara
page only: :func:`PlayPage`, its :func:`TreatyChoices`, and :data:`GAMES`, each browser session's
game.
"""

from __future__ import annotations

from typing import Any

import reacton.ipyvuetify as rv
import solara

from experiments.play import (
    DEFAULT_REASON,
    DEFAULT_SCENARIO,
    PERIOD_CHOICES,
    VOTE_HELP,
    VOTE_POLICIES,
    PlayGame,
)
from model.seeds import new_short_seed
from viz import classroom
from viz.session import layout_query

#: The membership choice that leaves the round to the model (its turn in the random order).
MODEL_DECIDES = "Let the model decide"

#: Toggle buttons that wrap inside their card instead of running past its edge.
_WRAP = {"flex-wrap": "wrap", "max-width": "100%", "height": "auto"}

#: Each browser session's game, kept while its visitor looks at the other pages.
GAMES = classroom.Kept("play", PlayGame, PlayGame.query)


# ---------------------------------------------------------------------------------- the page
@solara.component
def TreatyChoices(
    game: PlayGame, rev: int, membership: bool | None, set_membership: Any, bump: Any
) -> None:
    """The player's part in the treaty's decisions: votes on sanctions, membership at rounds.

    ``rev`` changes whenever ``game`` does (the game object itself stays the same).
    """
    if game.voting:
        with solara.Card("Your votes on sanctions", classes=["pg-play-votes"]):
            if not game.has_vote:
                rounds = game.engine.params["membership"] == "negotiated"
                solara.Text(
                    "Your nation is outside the treaty: it has no vote on sanctions"
                    + (" (it can join at a negotiation round)." if rounds else ".")
                )
            else:
                veto = (
                    " Your nation holds a veto: a no from you blocks the sanction."
                    if game.is_veto_power
                    else ""
                )
                solara.Text(
                    "When another nation (or one of its labs) is flagged this month, "
                    "its sanction is put to a vote of the member nations. How do you "
                    f"vote?{veto}"
                )
                labels = list(VOTE_POLICIES.values())

                def on_policy(label: str) -> None:
                    key = next(k for k, v in VOTE_POLICIES.items() if v == label)
                    game.set_votes(key)
                    bump()

                solara.ToggleButtonsSingle(
                    value=VOTE_POLICIES[game.vote_policy],
                    values=labels,
                    on_value=on_policy,
                    classes=["pg-vote-policy"],
                    style=_WRAP,
                )
                if game.vote_policy == "choose":

                    def on_shield(names: list[str]) -> None:
                        game.set_votes("choose", names)
                        bump()

                    solara.SelectMultiple(
                        "Shield (vote no on)",
                        values=sorted(game.shielded),
                        all_values=[x for x in game.nation_names if x != game.nation_name],
                        on_value=on_shield,
                    )
                allies = ", ".join(game.allies) or "none"
                solara.Text(
                    f"Now: {VOTE_HELP[game.vote_policy]}. Your allies: {allies}.",
                    style={"color": "#555"},
                )
    if game.membership_round:
        advice = game.membership_advice()
        now = "a member" if game.is_member else "outside the treaty"
        yes_label = "Stay in" if game.is_member else "Join"
        no_label = "Leave" if game.is_member else "Stay out"
        choices = {None: MODEL_DECIDES, True: yes_label, False: no_label}
        with solara.Card("Negotiation round this month", classes=["pg-play-round"]):
            solara.Text(
                f"Your nation is {now}. Every nation decides in turn, in a random order, "
                "whether membership pays: members whether to stay, outsiders whether "
                "to join. Judged now, before the others move, the model's nation in your "
                f"place would {(yes_label if advice else no_label).lower()}."
            )
            solara.ToggleButtonsSingle(
                value=choices[membership],
                values=list(choices.values()),
                on_value=lambda label: set_membership(
                    next(k for k, v in choices.items() if v == label)
                ),
                classes=["pg-membership"],
                style=_WRAP,
            )


#: What a pledge's force means for the player, by force.
FORCE_HELP = {
    "cheap_talk": "Cheap talk: a broken pledge costs nothing; the others only see it.",
    "reviewed": "Reviewed: a broken pledge, once caught, costs the others' trust in you.",
    "binding": "Binding: a broken pledge (pledged comply, then defected), once caught, is "
    "sanctioned on top of the offence's own sanction.",
}


@solara.component
def PledgeChoice(game: PlayGame, rev: int, bump: Any) -> None:
    """The player's pledge for the coming month, made before the action (``rev``: redraw)."""
    labels = {False: "Pledge comply", True: "Pledge defect"}
    force = game.pledge_force
    with solara.Card(f"Your pledge for month {game.engine.t + 1}", classes=["pg-play-pledge"]):
        solara.Text(
            "Before the month every nation pledges to comply or to defect; the pledges are "
            "announced with the month's results. " + FORCE_HELP.get(force, ""),
        )

        def on_pledge(label: str) -> None:
            game.pledge = label == labels[True]
            bump()

        solara.ToggleButtonsSingle(
            value=labels[game.pledge],
            values=list(labels.values()),
            on_value=on_pledge,
            classes=["pg-pledge"],
            style=_WRAP,
        )
        cost = game.view.breach_cost()
        if cost and not game.pledge:
            rv.Html(
                tag="p",
                children=[
                    "Defecting after pledging comply would break your pledge: its expected "
                    f"breach sanction, {game.points(cost).lstrip('+')} points, is in the defect "
                    "payoff above."
                ],
                style_="color: #555; margin: 4px 0 0 0",
                class_="pg-play-breach-cost",
            )


def pledge_record(game: PlayGame) -> str:
    """The player's pledges so far in words: broken, and caught."""
    pledged = [r for r in game.history if r.pledged is not None]
    broken = [r for r in pledged if r.breach]
    caught = sum(r.breach_detected for r in broken)
    months = ", ".join(str(r.t) for r in broken) or "none"
    return (
        f"Your pledges so far: {len(pledged)} made, {len(broken)} broken (months: {months}), "
        f"{caught} of them caught."
    )


@solara.component
def PlayPage() -> None:
    """Play a nation: pick one, comply or defect each month, then read the debrief."""
    router = solara.use_router()
    game = solara.use_memo(lambda: GAMES.open(router.search), [])
    rev, set_rev = solara.use_state(0)
    seed_text, set_seed_text = solara.use_state(str(game.seed))
    membership, set_membership = solara.use_state(None)  # the player's pick at a round

    def push_url() -> None:
        # the address always reproduces the game: Back and the top bar's link return to it
        query = game.query()
        layout = layout_query(router.search)  # the top bar's projector=1 stays in the address
        query += f"&{layout}" if layout else ""
        if (router.search or "").lstrip("?") != query:
            try:
                router.push(f"{router.path}?{query}")
            except Exception:  # noqa: BLE001 - no router (rendered without a server)
                pass

    solara.use_effect(push_url, [])

    def changed() -> None:
        # after every period or new game: no pending round choice, the address, a redraw
        set_membership(None)
        push_url()  # (on a first page load Solara's router may not take the push yet)
        set_rev(lambda r: r + 1)

    def bump() -> None:
        set_rev(lambda r: r + 1)

    def apply_typed_seed() -> None:
        try:
            game.seed = int(seed_text.strip())
        except ValueError:
            game.seed = new_short_seed()
            set_seed_text(str(game.seed))

    def choose(defect: bool) -> None:
        try:
            # untouched, the round is the model's (it decides in turn, as the others do)
            game.play(
                defect,
                member=membership if game.membership_round else None,
                pledge=game.pledge if game.pledging else None,
            )
        except Exception as exc:  # noqa: BLE001 - the page must keep serving
            game.error = f"The period failed: {type(exc).__name__}: {exc}"
        changed()

    def pick_nation(name: str) -> None:
        apply_typed_seed()
        game.start(name)
        changed()

    def pick_scenario(name: str) -> None:
        apply_typed_seed()
        try:
            game.choose_scenario(name)
        except Exception as exc:  # noqa: BLE001 - the page must keep serving
            game.error = f"Could not load scenario {name!r}: {type(exc).__name__}: {exc}"
        changed()

    def pick_force(force: str) -> None:
        apply_typed_seed()
        try:
            game.choose_force(force)
        except Exception as exc:  # noqa: BLE001 - the page must keep serving
            game.error = f"Could not play with pledges {force!r}: {type(exc).__name__}: {exc}"
        changed()

    def restart() -> None:
        apply_typed_seed()
        game.start(game.nation)
        changed()

    def pick_periods(value: int) -> None:
        apply_typed_seed()
        game.periods = int(value)
        game.start(game.nation)
        changed()

    solara.Title("pausegame: Play a nation")
    with solara.Column(style={"padding": "12px 16px", "max-width": "980px"}, classes=["pg-play"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Play a nation")
        solara.Text(
            "You run one nation's own AI programme; the model's agents run every other "
            "nation and every lab (yours included). Each month, comply with the pause "
            "or defect; then see what verification caught and what the others did. "
            "At the end, compare yourself with a nation that always best-responds.",
            style={"color": "#444"},
        )
        if game.notice:
            solara.Warning(game.notice, classes=["pg-play-notice"])
        if game.scenario_name == DEFAULT_SCENARIO:
            solara.Text(
                DEFAULT_REASON,
                classes=["pg-play-why"],
                style={"color": "#555", "font-size": "0.9rem"},
            )
        with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
            if len(game.scenario_names) > 1:
                solara.Select(
                    label="Scenario",
                    value=game.scenario_name,
                    values=game.scenario_names,
                    on_value=pick_scenario,
                    style={"max-width": "240px"},
                )
            solara.Select(
                label="Your nation",
                value=game.nation_name,
                values=game.nation_names,
                on_value=pick_nation,
                style={"max-width": "220px"},
            )
            months = sorted({*PERIOD_CHOICES, game.periods})
            solara.Select(
                label="Months",
                value=game.periods,
                values=months,
                on_value=pick_periods,
                style={"max-width": "110px"},
                classes=["pg-play-months"],
            )
            solara.Select(
                label="Pledges",
                value=game.pledge_force,
                values=game.forces(),
                on_value=pick_force,
                style={"max-width": "140px"},
                classes=["pg-play-force"],
            )
            solara.InputText(
                label="Seed", value=seed_text, on_value=set_seed_text, style={"max-width": "140px"}
            )
            solara.Button("New game", on_click=restart, outlined=True)
            solara.Text(
                f"Month: {game.engine.t} of {game.periods}",
                classes=["pg-play-month"],
                style={"font-weight": "bold"},
            )
        if game.error:
            solara.Error(game.error)
        solara.Text(game.status(), classes=["pg-play-status"])
        if not game.finished:
            comply_pay, defect_pay = game.advice()
            solara.Text(
                f"Expected payoffs for {game.nation_name} this month: comply "
                f"{game.points(comply_pay)} points, defect {game.points(defect_pay)} "
                "points (100 points: what defecting gains your nation in a month, "
                "before sanctions and risk).",
                classes=["pg-play-advice"],
                style={"color": "#333"},
            )
            with rv.Html(tag="details", class_="pg-play-leaves-out"):
                rv.Html(
                    tag="summary",
                    children=["What these expected values leave out"],
                    style_="color: #555; font-size: 0.85rem",
                )
                rv.Html(
                    tag="p",
                    children=[game.advice_leaves_out().capitalize() + "."],
                    style_="font-size: 0.85rem; color: #555; margin: 0",
                )
            TreatyChoices(game, rev, membership, set_membership, bump)
            if game.pledging:
                PledgeChoice(game, rev, bump)
            with solara.Row(gap="12px"):
                solara.Button(
                    "Comply", on_click=lambda: choose(False), color="primary", classes=["pg-comply"]
                )
                solara.Button(
                    "Defect",
                    on_click=lambda: choose(True),
                    color="error",
                    outlined=True,
                    classes=["pg-defect"],
                )
        if game.history:
            last = game.history[-1]
            solara.Info(last.sentence(votes=False), classes=["pg-play-last"])
            if last.flags:
                with solara.Column(gap="0px", classes=["pg-play-flags"]):
                    solara.Text(f"Sanction votes in month {last.t}:", style={"font-weight": "bold"})
                    rv.Html(
                        tag="ul",
                        style_="margin: 0 0 0 1.2em; padding: 0",
                        children=[rv.Html(tag="li", children=[f]) for f in last.flags],
                    )
            solara.Text(
                f"Your total so far: {game.points(game.total)} points", classes=["pg-play-total"]
            )
            if game.pledging:
                solara.Text(pledge_record(game), classes=["pg-play-pledges"])
            with rv.Html(tag="details"):
                rv.Html(tag="summary", children=["Every month so far"])
                for r in game.history:
                    rv.Html(tag="p", children=[r.sentence()], style_="font-size: 0.85rem")
        debrief = game.debrief()
        if debrief is not None:
            Debriefing(game, debrief, f"{router.path}?{game.query()}")


def _row(label: str, value: str) -> Any:
    return rv.Html(
        tag="tr",
        children=[
            rv.Html(tag="th", children=[label], style_="text-align: left; padding-right: 1em"),
            rv.Html(tag="td", children=[value], style_="text-align: right"),
        ],
    )


@solara.component
def Debriefing(game: PlayGame, debrief: Any, replay: str) -> None:
    """The debrief: the verdict, a table in points, the chart by month and the replay link."""
    with solara.Card("Debrief", classes=["pg-debrief"]):
        solara.Text(debrief.text(), classes=["pg-debrief-text"])
        pts = game.points
        exact = {
            "player_total": debrief.player_total,
            "best_response_total": debrief.best_response_total,
            "world_welfare": debrief.world_welfare,
            "best_response_world_welfare": debrief.best_response_world_welfare,
        }
        rv.Html(
            tag="table",
            class_="pg-debrief-numbers",
            attributes={f"data-{k.replace('_', '-')}": repr(float(x)) for k, x in exact.items()},
            style_="border-collapse: collapse; margin: 8px 0",
            children=[
                _row("Your total", f"{pts(debrief.player_total)} points"),
                _row("The best responder's total", f"{pts(debrief.best_response_total)} points"),
                _row(
                    "Months you defected / it defected",
                    f"{debrief.player_defections} / {debrief.best_response_defections}",
                ),
                _row("World welfare, your game", f"{pts(debrief.world_welfare)} points"),
                _row(
                    "World welfare, with the best responder",
                    f"{pts(debrief.best_response_world_welfare)} points",
                ),
            ],
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=debrief_svg(game),
            style={"max-width": "100%", "overflow": "hidden"},
        )
        with rv.Html(tag="p"):
            rv.Html(tag="span", children=["Replay this game (same seed, same nation): "])
            rv.Html(
                tag="a", class_="pg-play-replay", attributes={"href": replay}, children=[replay]
            )


def debrief_svg(game: PlayGame) -> str:
    """The debrief's chart as inline SVG, drawn by hand (milliseconds, where matplotlib takes 1 s).

    Your payoff and a best responder's (points) and the world's compliance, by month; every
    mark has a tooltip.
    """
    months = [r.t for r in game.history]
    unit = game.unit
    mine = [100 * r.payoff / unit for r in game.history]
    best = [100 * x / unit for x in game.best_response_series()]
    share = [r.compliance for r in game.history]
    width, left, right = 640, 64, 16
    n = max(len(months), 1)

    def x(t: int) -> float:
        return left + (t - 0.5) * (width - left - right) / n

    low, high = min([0.0, *mine, *best]), max([0.0, *mine, *best])
    if high - low < 1:
        high, low = high + 1, low - 1
    pad = 0.06 * (high - low)
    high, low = high + pad, low - pad
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="pg-debrief-chart" '
        f'viewBox="0 0 {width} 414" width="100%" '
        'role="img" aria-label="Your payoff and the world\'s compliance by month" '
        'style="max-width: 640px; font: 11px sans-serif">'
    ]

    def panel(
        top: float, height: float, lo: float, hi: float, label: str, ticks: list[float], fmt: str
    ) -> Any:
        def y(v: float) -> float:
            return top + height - (v - lo) / (hi - lo) * height

        parts.append(
            f'<rect x="{left}" y="{top}" width="{width - left - right}" '
            f'height="{height}" fill="none" stroke="#888"/>'
        )
        for v in ticks:
            parts.append(
                f'<line x1="{left - 4}" x2="{left}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                f'stroke="#888"/><text x="{left - 6}" y="{y(v) + 4:.1f}" '
                f'text-anchor="end">{format(v, fmt)}</text>'
            )
        parts.append(
            f'<text transform="translate(14 {top + height / 2}) rotate(-90)" '
            f'text-anchor="middle">{label}</text>'
        )
        return y

    def series(
        y: Any,
        values: list[float],
        color: str,
        name: str,
        dash: str = "",
        unit_label: str = " points",
    ) -> None:
        points = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in zip(months, values, strict=True))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" '
            f'stroke-width="2" stroke-dasharray="{dash}"/>'
        )
        for t, v in zip(months, values, strict=True):
            shown = f"{v:.0f}{unit_label}" if unit_label else f"{v:.2f}"
            parts.append(
                f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="4" fill="{color}">'
                f"<title>month {t}, {name}: {shown}</title></circle>"
            )

    step = max(1.0, round((high - low) / 4 / 50) * 50)
    ticks = [k * step for k in range(int(low // step), int(high // step) + 1)]
    ticks = [v for v in ticks if low <= v <= high]
    y1 = panel(42, 190, low, high, "payoff (points)", ticks, ".0f")
    for r in game.history:
        if r.defected:
            parts.append(
                f'<rect x="{x(r.t) - 6:.1f}" y="42" width="12" height="190" '
                'fill="#D55E00" opacity="0.15"><title>month '
                f"{r.t}: you defected</title></rect>"
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y1(0):.1f}" y2="{y1(0):.1f}" '
        'stroke="#999" stroke-dasharray="2 2"/>'
    )
    series(y1, best, "#E69F00", "a best responder's payoff", "5 3")
    series(y1, mine, "#0072B2", "your payoff")
    y2 = panel(260, 110, 0.0, 1.0, "compliance", [0.0, 0.5, 1.0], ".1f")
    series(y2, share, "#009E73", "world compliance", unit_label="")
    every = max(1, n // 12)
    for t in months:
        if (t - 1) % every == 0 or t == months[-1]:
            parts.append(f'<text x="{x(t):.1f}" y="386" text-anchor="middle">{t}</text>')
    parts.append(
        f'<text x="{(left + width - right) / 2}" y="406" text-anchor="middle">month</text>'
    )
    legend = [
        ("#0072B2", "your payoff"),
        ("#E69F00", "a best responder's payoff"),
        ("#D55E00", "shaded: months you defected"),
        ("#009E73", "world compliance (capability-weighted share)"),
    ]
    for k, (color, name) in enumerate(legend):
        pos, row = left + (k % 2) * 240, 6 + 16 * (k // 2)
        parts.append(
            f'<rect x="{pos}" y="{row}" width="10" height="10" fill="{color}"/>'
            f'<text x="{pos + 14}" y="{row + 9}">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
