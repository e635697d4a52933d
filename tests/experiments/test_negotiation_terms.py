"""A scenario's ``[negotiation]`` table: read, kept, and refused with one line and exit 2 (#29)."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.scenarios import load_scenario
from model.scenario import scenario_from_mapping
from tests.experiments.clitools import one_error_line, run_cli

GOOD = """[negotiation]
p_detect = [0.2, 0.8]
trigger = ["immediate", "date"]
"""


def test_a_negotiation_table_is_read_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "terms.toml"
    path.write_text(GOOD, encoding="utf-8")
    sc, _ = load_scenario(path)
    assert dict(sc.negotiation) == {"p_detect": [0.2, 0.8], "trigger": ["immediate", "date"]}
    again = scenario_from_mapping(sc.to_mapping())
    assert again.negotiation == sc.negotiation
    assert "negotiation" not in scenario_from_mapping({}).to_mapping()


BAD = {
    "empty range": ("[negotiation]\np_detect = [0.8, 0.2]\n", ["[negotiation]", "empty range"]),
    "outside the bounds": (
        "[negotiation]\npenalty = [1.0, -2.0]\n",
        ["[negotiation]", "penalty=-2.0 is out of bounds", "a number >= 0"],
    ),
    "not negotiable": (
        "[negotiation]\ndiscount = [0.5, 0.9]\n",
        ["'discount' is not a negotiable term", "negotiable: p_detect"],
    ),
    "more than 4": (
        "[negotiation]\n"
        + "".join(
            f"{name} = [0.1, 0.5]\n"
            for name in ("p_detect", "entry_threshold", "trigger_level", "lift_level")
        )
        + "penalty = [1, 2]\n",
        ["5 negotiable terms", "at most 4"],
    ),
    "not a table": ('negotiation = "p_detect"\n', ["[negotiation] must be a table"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_negotiation_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, expected = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    status, out, err = run_cli(capsys, "run", str(path), "--steps", "2")
    line = one_error_line(status, out, err)
    assert "bad.toml" in line
    for part in expected:
        assert part in line, (part, line)
    assert not (tmp_path / "runs").exists()
