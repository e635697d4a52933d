"""Review and the pledge-action gap of strategic pledgers (#30), quick: 40 replicate worlds.

Asserts only what held at 200 replicates (the numbers in the module's docstring).
"""

from __future__ import annotations

import pytest

from experiments.reproductions._pledge_review import SCENARIO, review_gap_contrast


def test_in_the_contested_pause_review_shrinks_the_gap_more_than_cheap_talk():
    found = review_gap_contrast(40)
    assert found.params == SCENARIO and found.n_replicates == 40
    reviewed, talk = found.forces["reviewed"], found.forces["cheap_talk"]
    assert reviewed.change.high < 0  # the gap shrinks under review
    assert found.difference.high < 0  # and more than under cheap talk
    assert found.shrinks
    assert reviewed.first < talk.first  # believed pledges lower it from the start
    assert reviewed.change.low <= reviewed.change.mean <= reviewed.change.high


def test_where_the_pause_collapses_the_gap_grows_under_review():
    found = review_gap_contrast(40, penalty=4.0)
    assert found.forces["reviewed"].change.low > 0
    assert found.difference.low > 0
    assert not found.shrinks


def test_with_a_stronger_penalty_cheap_talk_shrinks_the_gap_more():
    found = review_gap_contrast(40, penalty=6.0)
    assert found.forces["reviewed"].change.high < 0
    assert found.difference.low > 0
    assert found.forces["reviewed"].first < found.forces["cheap_talk"].first


def test_too_few_months_or_replicates_are_refused():
    with pytest.raises(ValueError, match="steps >= 3"):
        review_gap_contrast(5, steps=2)
    with pytest.raises(ValueError, match="n_replicates >= 2"):
        review_gap_contrast(1)
