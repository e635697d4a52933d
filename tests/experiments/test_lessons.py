"""LESSONS.md, the class lesson's plan, cannot drift from the app (#33).

Every label the plan sets in bold must be a string the pages draw (a string constant in viz/ or
in experiments/room/, which supplies the injects' titles); the settings it chooses must be
choices the teacher's form offers; its clock must fit its minute-by-minute table and 45
minutes; its quiz items must be items a room accepts.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from experiments.room import Room
from experiments.room.quiz_items import teacher_items
from experiments.scenarios import list_scenarios
from viz.room_pages.common import DEADLINES, INFORMATION, MONTHS, pledge_choices
from viz.room_pages.delegation import RULE_CHOICES, SILENT_CHOICES, SIZES
from viz.room_pages.negotiate import ROUNDS, RULES

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "experiments" / "scenarios" / "LESSONS.md"
#: Where the pages' words come from.
SOURCES = (ROOT / "viz", ROOT / "experiments" / "room")


def _plan() -> str:
    return PLAN.read_text(encoding="utf-8")


def _page_strings() -> set[str]:
    """Every string constant (f-strings' constant parts included) of the pages' source."""
    out: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    out.add(node.value.strip())
    return out


def _settings() -> dict[str, str]:
    """The settings table: bold label -> the choice (its first cell after the label)."""
    rows = re.findall(r"^\| \*\*(.+?)\*\* \| (.*?) \|", _plan(), flags=re.M)
    return dict(rows)


def test_every_bold_label_is_drawn_by_the_pages() -> None:
    labels = set(re.findall(r"\*\*(.+?)\*\*", _plan()))
    assert len(labels) >= 40, "the plan names the app's buttons and fields in bold"
    missing = sorted(labels - _page_strings())
    assert not missing, f"LESSONS.md quotes labels the pages do not draw: {missing}"


def test_a_renamed_label_would_be_caught() -> None:
    strings = _page_strings()
    assert "See what these terms would do" in strings
    assert "See what those terms would do" not in strings


def test_the_settings_are_choices_the_form_offers() -> None:
    s = _settings()
    assert s["Scenario"] in list_scenarios()
    assert s["Months"] in MONTHS
    assert s["Seconds per month"] in DEADLINES
    assert s["Seed (blank: a fresh one)"].isdigit()
    assert s["Students see of the others"] in INFORMATION
    assert s["Pledges before each month"] in pledge_choices()
    assert s["Students per nation"] in RULE_CHOICES
    assert s["At most, per nation"].split()[0] in SIZES
    assert s["A delegation silent at the deadline"] in SILENT_CHOICES
    assert s["Negotiation rounds before month 1"] in ROUNDS
    assert s["A proposal passes with"] in RULES


def _minutes() -> list[tuple[int, int, str]]:
    rows = re.findall(r"^\| (\d+)-(\d+) \| (.*)$", _plan(), flags=re.M)
    return [(int(a), int(b), text) for a, b, text in rows]


def test_the_clock_fits_the_minutes() -> None:
    s = _settings()
    months, seconds = int(s["Months"]), float(s["Seconds per month"])
    rounds = ROUNDS[s["Negotiation rounds before month 1"]]
    negotiation = rounds * 2 * seconds / 60  # a proposal, then its vote: each on the clock
    play = months * seconds / 60
    rows = _minutes()
    assert rows[0][0] == 0 and rows[-1][1] == 45
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:], strict=False)), "contiguous"
    [neg] = [b - a for a, b, text in rows if text.startswith("Negotiation")]
    [game] = [b - a for a, b, text in rows if text.startswith(f"{_word(months)} months")]
    assert negotiation <= neg and play <= game
    said = re.search(r"together at most (\d+) of the 45 minutes", _plan())
    assert said is not None and int(said.group(1)) == pytest.approx(negotiation + play)


def _word(n: int) -> str:
    return {6: "Six", 12: "Twelve", 18: "Eighteen", 24: "Twenty-four"}[n]


def test_the_quiz_items_are_accepted_by_a_room() -> None:
    [toml] = re.findall(r"```toml\n(.*?)```", _plan(), flags=re.S)
    items = teacher_items(toml)
    assert len(items) == 4
    room = Room(_settings()["Scenario"], seed=1, periods=1, quiz=True, quiz_items=toml)
    assert [i.source for i in room.quiz_items] == ["claim", *["teacher"] * 4]
