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

from experiments.play import VOTE_HELP, VOTE_POLICIES, PlayGame
from model.params import new_seed
from viz import classroom

#: The membership choice that leaves the round to the model (its turn in the random order).
MODEL_DECIDES = "Let the model decide"

#: Each browser session's game, kept while its visitor looks at the other pages.
GAMES = classroom.Kept("play", PlayGame, PlayGame.query)


# ---------------------------------------------------------------------------------- the page
@solara.component
def TreatyChoices(game: PlayGame, rev: int, membership: bool | None,
                  set_membership: Any, bump: Any) -> None:
    """The player's part in the treaty's decisions: votes on sanctions, membership at rounds.

    ``rev`` changes whenever ``game`` does (the game object itself stays the same).
    """
    if game.voting:
        with solara.Card("Your votes on sanctions", classes=["pg-play-votes"]):
            if not game.has_vote:
                rounds = game.engine.params["membership"] == "negotiated"
                solara.Text("Your nation is outside the treaty: it has no vote on sanctions"
                            + (" (it can join at a negotiation round)." if rounds else "."))
            else:
                veto = (" Your nation holds a veto: a no from you blocks the sanction."
                        if game.is_veto_power else "")
                solara.Text("When another nation (or one of its labs) is flagged this month, "
                            "its sanction is put to a vote of the member nations. How do you "
                            f"vote?{veto}")
                labels = list(VOTE_POLICIES.values())

                def on_policy(label: str) -> None:
                    key = next(k for k, v in VOTE_POLICIES.items() if v == label)
                    game.set_votes(key)
                    bump()

                solara.ToggleButtonsSingle(value=VOTE_POLICIES[game.vote_policy],
                                           values=labels, on_value=on_policy,
                                           classes=["pg-vote-policy"])
                if game.vote_policy == "choose":
                    def on_shield(names: list[str]) -> None:
                        game.set_votes("choose", names)
                        bump()

                    solara.SelectMultiple("Shield (vote no on)", values=sorted(game.shielded),
                                          all_values=[x for x in game.nation_names
                                                      if x != game.nation_name],
                                          on_value=on_shield)
                allies = ", ".join(game.allies) or "none"
                solara.Text(f"Now: {VOTE_HELP[game.vote_policy]}. Your allies: {allies}.",
                            style={"color": "#555"})
    if game.membership_round:
        advice = game.membership_advice()
        now = "a member" if game.is_member else "outside the treaty"
        yes_label = "Stay in" if game.is_member else "Join"
        no_label = "Leave" if game.is_member else "Stay out"
        choices = {None: MODEL_DECIDES, True: yes_label, False: no_label}
        with solara.Card("Negotiation round this month", classes=["pg-play-round"]):
            solara.Text(f"Your nation is {now}. Every nation decides in turn, in a random order, "
                        "whether membership pays: members whether to stay, outsiders whether "
                        "to join. Judged now, before the others move, the model's nation in your "
                        f"place would {(yes_label if advice else no_label).lower()}.")
            solara.ToggleButtonsSingle(
                value=choices[membership], values=list(choices.values()),
                on_value=lambda label: set_membership(
                    next(k for k, v in choices.items() if v == label)),
                classes=["pg-membership"])


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
            game.seed = new_seed() % (2**31)
            set_seed_text(str(game.seed))

    def choose(defect: bool) -> None:
        try:
            # untouched, the round is the model's (it decides in turn, as the others do)
            game.play(defect, member=membership if game.membership_round else None)
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

    def restart() -> None:
        apply_typed_seed()
        game.start(game.nation)
        changed()

    solara.Title("pausegame: Play a nation")
    with solara.Column(style={"padding": "12px 16px", "max-width": "980px"},
                       classes=["pg-play"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Play a nation")
        solara.Text("You run one nation's own AI programme; the model's agents run every other "
                    "nation and every lab (yours included). Each month, comply with the pause "
                    "or defect; then see what verification caught and what the others did. "
                    "At the end, compare yourself with a nation that always best-responds.",
                    style={"color": "#444"})
        with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
            if len(game.scenario_names) > 1:
                solara.Select(label="Scenario", value=game.scenario_name,
                              values=game.scenario_names, on_value=pick_scenario,
                              style={"max-width": "240px"})
            solara.Select(label="Your nation", value=game.nation_name,
                          values=game.nation_names, on_value=pick_nation,
                          style={"max-width": "220px"})
            solara.InputText(label="Seed", value=seed_text, on_value=set_seed_text,
                             style={"max-width": "140px"})
            solara.Button("New game", on_click=restart, outlined=True)
            solara.Text(f"Month: {game.engine.t} of {game.periods}", classes=["pg-play-month"],
                        style={"font-weight": "bold"})
        if game.error:
            solara.Error(game.error)
        if not game.finished:
            comply_pay, defect_pay = game.advice()
            solara.Text(f"The model's expected payoffs for {game.nation_name} this month: "
                        f"comply {comply_pay:.4g}, defect {defect_pay:.4g} (expected, before "
                        "the random draws).", classes=["pg-play-advice"],
                        style={"color": "#555"})
            TreatyChoices(game, rev, membership, set_membership, bump)
            with solara.Row(gap="12px"):
                solara.Button("Comply", on_click=lambda: choose(False), color="primary",
                              classes=["pg-comply"])
                solara.Button("Defect", on_click=lambda: choose(True), color="error",
                              outlined=True, classes=["pg-defect"])
        if game.history:
            last = game.history[-1]
            solara.Info(last.sentence(votes=False), classes=["pg-play-last"])
            if last.flags:
                with solara.Column(gap="0px", classes=["pg-play-flags"]):
                    solara.Text(f"Sanction votes in month {last.t}:",
                                style={"font-weight": "bold"})
                    rv.Html(tag="ul", style_="margin: 0 0 0 1.2em; padding: 0", children=[
                        rv.Html(tag="li", children=[f]) for f in last.flags])
            solara.Text(f"Your total so far: {game.total:.4g}", classes=["pg-play-total"])
            with rv.Html(tag="details"):
                rv.Html(tag="summary", children=["Every month so far"])
                for r in game.history:
                    rv.Html(tag="p", children=[r.sentence()], style_="font-size: 0.85rem")
        debrief = game.debrief()
        if debrief is not None:
            with solara.Card("Debrief", classes=["pg-debrief"]):
                solara.Text(debrief.text(), classes=["pg-debrief-text"])
                rv.Html(tag="p", class_="pg-debrief-numbers", children=[
                    f"player_total={debrief.player_total:.10g} "
                    f"best_response_total={debrief.best_response_total:.10g} "
                    f"world_welfare={debrief.world_welfare:.10g} "
                    f"best_response_world_welfare={debrief.best_response_world_welfare:.10g}"],
                    style_="font-family: monospace; font-size: 0.75rem; color: #555")
                solara.Text(f"Replay this game: /play?{game.query()}", style={"color": "#555"})
