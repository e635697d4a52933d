"""``pausegame reproduce``, the registry of reproductions and the claims table."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.reproductions.common import (
    KINDS,
    NO_PUBLISHED_VALUE,
    OWN_FINDING,
    PUBLISHED_NUMBER,
    QUALITATIVE,
    TABLE_HEADER,
    Claim,
    Reproduction,
    count_kinds,
)

pytestmark = pytest.mark.reproduction


def test_table_rows_and_pipes() -> None:
    r = Reproduction(
        "f",
        "Fake 2020",
        (
            Claim("a | b", 1 / 3, 0.25, "abs 0.01", False, PUBLISHED_NUMBER),
            Claim("c", "rises", "rises", "direction", True, QUALITATIVE),
        ),
        Path("f.png"),
    )
    lines = r.table().splitlines()
    assert "\n".join(lines[:2]) == TABLE_HEADER
    assert (
        lines[2]
        == "| Fake 2020 | a / b | 0.3333 | 0.25 | abs 0.01 | NO | reproduces a published number |"
    )
    assert lines[3] == (
        "| Fake 2020 | c | rises | rises | direction | yes | consistent with a published "
        "qualitative finding |"
    )
    assert not r.holds


def test_every_claim_states_one_of_three_kinds() -> None:
    assert KINDS == (
        "reproduces a published number",
        "consistent with a published qualitative finding",
        "our own finding",
    )
    with pytest.raises(ValueError, match="kind='paper' is not a claim kind; allowed: reproduces"):
        Claim("x", 0.5, 0.5, "abs 0.01", True, "paper")


@pytest.mark.parametrize("kind", [QUALITATIVE, OWN_FINDING])
def test_only_a_published_number_has_a_number_as_theirs(kind: str) -> None:
    # a qualitative claim's theirs is the paper's sentence, an own finding's says so: a number
    # there would be one the project computed
    with pytest.raises(ValueError, match="has text as theirs"):
        Claim("x", 0.5, 0.5, "abs 0.01", True, kind)
    assert Claim("x", NO_PUBLISHED_VALUE, 0.5, "abs 0.01", True, kind).kind == kind


def test_claims_are_counted_by_kind() -> None:
    claims = (
        Claim("a", 0.1, 0.1, "abs 0.01", True, PUBLISHED_NUMBER),
        Claim("b", NO_PUBLISHED_VALUE, 0.1, "abs 0.01", True, OWN_FINDING),
        Claim("c", NO_PUBLISHED_VALUE, 0.1, "abs 0.01", True, OWN_FINDING),
    )
    r = Reproduction("f", "Fake 2020", claims, Path("f.png"))
    assert count_kinds([r]) == (
        "claims: 1 reproduce a published number, 0 consistent with a published qualitative "
        "finding, 2 our own findings"
    )
