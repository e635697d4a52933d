"""``pausegame bargain``: the stationary bargaining game on a unit surplus, theory and bots (#29).

Through the real entry point (:func:`experiments.cli.main`): the JSON's ``shares`` (theory),
``simulated_shares`` (the bots' mean over ``--games``) and ``stderr``, in the issue's order, and
one clear line with exit status 2 for each kind of bad input.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.experiments.clitools import one_error_line, run_cli


def _bargain(capsys, *args: str) -> dict:
    status, out, err = run_cli(capsys, "bargain", *args, "--json")
    assert status == 0, err
    return json.loads(out)


def _bots_agree(result: dict) -> None:
    theory = np.array(result["shares"])
    bots = np.array(result["simulated_shares"])
    gap = np.abs(bots - theory)
    assert np.all(gap <= 4 * np.array(result["stderr"]) + 1e-9)
    assert np.all(gap <= 0.01)


@pytest.mark.parametrize(
    ("delta", "delta2", "first"),
    [("0.9", "0.9", 0.5263), ("0.9", "0.5", 0.9091), ("0.5", "0.9", 0.1818)],
)
def test_alternating_offers(capsys, delta, delta2, first):
    result = _bargain(
        capsys, "--protocol", "alternating_offers", "--n", "2", "--delta", delta, "--delta2", delta2
    )
    assert set(result) >= {"shares", "simulated_shares", "stderr"}
    d1, d2 = float(delta), float(delta2)
    assert round(result["shares"][0], 4) == first
    assert result["shares"] == pytest.approx(
        [(1 - d2) / (1 - d1 * d2), d2 * (1 - d1) / (1 - d1 * d2)], abs=1e-9
    )
    assert result["games"] == 2000  # the default
    assert result["simulated_shares"] == pytest.approx(result["shares"], abs=1e-4)
    _bots_agree(result)


def test_baron_ferejohn_simple_majority_and_quota_four(capsys):
    result = _bargain(capsys, "--protocol", "baron_ferejohn", "--n", "5", "--delta", "0.9")
    assert result["quota"] == 3
    assert [round(x, 4) for x in result["shares"]] == [0.64, 0.18, 0.18, 0.0, 0.0]
    assert result["labels"][:2] == ["proposer", "partner 1"]
    _bots_agree(result)
    four = _bargain(
        capsys, "--protocol", "baron_ferejohn", "--n", "5", "--delta", "0.9", "--quota", "4"
    )
    assert four["shares"][0] == pytest.approx(1 - 3 * 0.9 / 5, abs=1e-9)
    assert four["shares"][1:] == pytest.approx([0.18, 0.18, 0.18, 0.0], abs=1e-9)
    _bots_agree(four)


def test_rotating_unanimity_five(capsys):
    result = _bargain(
        capsys, "--protocol", "rotating_unanimity", "--n", "5", "--delta", "0.9", "--games", "50"
    )
    assert [round(x, 4) for x in result["shares"]] == [0.2442, 0.2198, 0.1978, 0.1780, 0.1602]
    assert result["simulated_shares"] == pytest.approx(result["shares"], abs=1e-4)
    _bots_agree(result)


def test_nash_and_the_table(capsys):
    result = _bargain(capsys, "--protocol", "nash", "--n", "3", "--delta", "0.9", "--games", "5")
    assert result["shares"] == pytest.approx([1 / 3] * 3, abs=1e-6)
    status, out, err = run_cli(
        capsys, "bargain", "--protocol", "baron_ferejohn", "--n", "3", "--delta", "0.8"
    )
    assert status == 0 and err == ""
    assert "proposer" in out and "theory" in out and "stderr" in out


def test_same_seed_same_numbers(capsys):
    args = ("--protocol", "baron_ferejohn", "--n", "4", "--delta", "0.9")
    first = _bargain(capsys, *args, "--games", "300", "--seed", "4")
    again = _bargain(capsys, *args, "--games", "300", "--seed", "4")
    assert first == again
    other = _bargain(capsys, *args, "--games", "300", "--seed", "5")
    assert other["shares"] == first["shares"]  # by role, play is deterministic here


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--protocol", "dictator", "--n", "3", "--delta", "0.9"],
            "unknown bargaining protocol 'dictator'; allowed: rotating_unanimity, baron_ferejohn",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "3", "--delta", "1"],
            "discount factor 1.0 is out of range",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "3", "--delta", "0.9", "--delta2", "0"],
            "discount factor 0.0",
        ),
        (["--protocol", "baron_ferejohn", "--n", "3", "--delta", "-0.5"], "discount factor -0.5"),
        (
            ["--protocol", "alternating_offers", "--n", "3", "--delta", "0.9"],
            "alternating_offers needs n = 2",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "5", "--delta", "0.9", "--quota", "6"],
            r"quota=6 is out of range; allowed: an integer in \[1, 5\]",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "5", "--delta", "0.9", "--quota", "0"],
            "quota=0 is out of range",
        ),
        (
            ["--protocol", "rotating_unanimity", "--n", "1", "--delta", "0.9"],
            r"n=1 is out of range; allowed: an integer in \[2, 30\]",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "31", "--delta", "0.9"],
            r"n=31 is out of range; allowed: an integer in \[2, 30\]",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "3", "--delta", "0.9", "--games", "100001"],
            "games=100001 is out of range",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "3", "--delta", "0.9", "--games", "0"],
            r"games=0 is out of range; allowed: an integer in \[1, 100,000\]",
        ),
        (
            ["--protocol", "baron_ferejohn", "--n", "3", "--delta", "x"],
            "argument --delta: invalid float value: 'x'",
        ),
    ],
)
def test_bad_input_is_one_clear_line(capsys, args, message):
    line = one_error_line(*run_cli(capsys, "bargain", *args))
    assert __import__("re").search(message, line), line


def test_baron_ferejohn_with_unequal_deltas_that_cycle_mixes_partners(capsys):
    # first proposer 0.9, the others 0.8: whom the others buy keeps changing in the pure
    # recursion; the stationary equilibrium mixes over partners so that every reserve
    # delta_i V_i is the same r = 1 / sum_j (1 / delta_j) (Eraslan 2002), and every proposer
    # keeps 1 - 2 r: r = 1 / (1/0.9 + 4/0.8) = 9/55
    args = ["--protocol", "baron_ferejohn", "--n", "5", "--delta", "0.9", "--delta2", "0.8"]
    result = _bargain(capsys, *args)
    r = 9 / 55
    assert result["shares"] == pytest.approx([1 - 2 * r, r, r, 0.0, 0.0], abs=1e-6)
    # the bots draw partners with the mix's probabilities at the solver's last band, whose
    # reserves differ by about the band (1e-6): their shares are the theory's within that
    assert result["simulated_shares"] == pytest.approx(result["shares"], abs=1e-6)


def test_baron_ferejohn_with_unequal_deltas_that_do_not_cycle(capsys):
    # first proposer 0.9, the four others 0.5: the patient member is never the cheapest
    # (checked below), so everyone buys two of the impatient at 0.5 x, x the value of an
    # impatient member: x = (1 - x) / 5 + (1/5)(2/4)(0.5 x) + (3/5)(2/3)(0.5 x), so
    # x = 0.2 / 0.95 = 4/19; every proposer keeps 1 - x = 15/19, partners get 0.5 x = 2/19.
    # (The patient member's value (1 - x) / 5 = 3/19 costs 0.9 * 3/19 = 0.142 > 2/19.)
    result = _bargain(
        capsys, "--protocol", "baron_ferejohn", "--n", "5", "--delta", "0.9", "--delta2", "0.5"
    )
    assert result["shares"] == pytest.approx([15 / 19, 2 / 19, 2 / 19, 0.0, 0.0], abs=1e-9)
    assert 0.9 * 3 / 19 > 2 / 19
