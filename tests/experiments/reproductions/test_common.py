"""``pausegame reproduce``, the registry of reproductions and the claims table."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.reproductions.common import TABLE_HEADER, Claim, Reproduction

pytestmark = pytest.mark.reproduction


def test_table_rows_and_pipes() -> None:
    r = Reproduction(
        "f",
        "Fake 2020",
        (
            Claim("a | b", 1 / 3, 0.25, "abs 0.01", False),
            Claim("c", "rises", "rises", "direction", True),
        ),
        Path("f.png"),
    )
    lines = r.table().splitlines()
    assert "\n".join(lines[:2]) == TABLE_HEADER
    assert lines[2] == "| Fake 2020 | a / b | 0.3333 | 0.25 | abs 0.01 | NO |"
    assert lines[3] == "| Fake 2020 | c | rises | rises | direction | yes |"
    assert not r.holds
