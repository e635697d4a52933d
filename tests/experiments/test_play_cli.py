"""``pausegame play``: the app's Play game in the terminal, the same game month for month."""

from __future__ import annotations

import pytest

from experiments.cli import main
from experiments.play import DEFAULT_SCENARIO, PlayGame


def _words(text: str) -> str:
    return " ".join(text.split())


def test_play_prints_each_month_and_the_debrief_of_the_shared_game(capsys):
    assert (
        main(
            [
                "play",
                "--scenario",
                "great_power_veto",
                "--nation",
                "Aurelia",
                "--seed",
                "3",
                "--moves",
                "cdDc",
                "--votes",
                "shield_all",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    # the same game played through the shared module gives the same words
    game = PlayGame("scenario=great_power_veto&seed=3&periods=4&nation=0")
    game.set_votes("shield_all")
    reports = [game.play(defect) for defect in (False, True, True, False)]
    for report in reports:
        assert _words(report.sentence()) in _words(out)
    assert _words(game.debrief().text()) in _words(out)
    assert f"best_response_total={game.debrief().best_response_total:.10g}" in out
    assert out.count("Month ") == 4 and "you vote no on every sanction" in out
    assert "/play?scenario=great_power_veto&seed=3&periods=4&nation=0" in out


def test_play_by_index_in_the_default_scenario(capsys):
    # the default scenario is the one the app's Play page opens on
    assert main(["play", "--nation", "2", "--seed", "5", "--moves", "cdc"]) == 0
    out = capsys.readouterr().out
    assert f"in scenario {DEFAULT_SCENARIO!r}" in _words(out)
    game = PlayGame(f"scenario={DEFAULT_SCENARIO}&seed=5&periods=3&nation=2")
    for defect in (False, True, False):
        game.play(defect)
    assert _words(game.debrief().text()) in _words(out)
    assert "Sanctions are put to a vote" not in out


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["--moves", "cdx"], "--moves 'cdx': month 3 is 'x'; allowed: c (comply) or d (defect)"),
        (["--moves", ""], "--moves has 0 letters (months); allowed: 1 to 60"),
        (["--moves", "c" * 61], "--moves has 61 letters (months); allowed: 1 to 60"),
        (
            ["--moves", "cd", "--nation", "Atlantis"],
            "--nation 'Atlantis' is not a nation of scenario 'defection_cascade'; "
            "allowed: 0 to 19 or one of Aurelia",
        ),
        (["--moves", "cd", "--nation", "20"], "--nation '20' is not a nation"),
        (
            ["--moves", "cd", "--scenario", "nowhere"],
            "--scenario 'nowhere' is not a shipped scenario; "
            "allowed: binding_pledges, bipolar_blocs",
        ),
        (["--moves", "cd", "--seed", "-1"], "--seed -1 is out of bounds; allowed: 0 to"),
        (["--moves", "cd", "--votes", "maybe"], "invalid choice: 'maybe'"),
        (["--nation", "1"], "the following arguments are required: --moves"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_what_is_allowed(argv, wanted, capsys):
    assert main(["play", *argv]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert captured.out == "" and len(err.splitlines()) == 1
    assert err.startswith("pausegame: error: ") and wanted in err, err
