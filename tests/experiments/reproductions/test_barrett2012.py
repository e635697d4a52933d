"""Barrett and Dannenberg (2012): with a known threshold the nations coordinate just below it
and avoid the catastrophe; an uncertain threshold unravels
the pause and the catastrophe comes. Simulation against the exact chain.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from experiments.reproductions import barrett2012 as bd
from experiments.reproductions.common import NO_PUBLISHED_VALUE, OWN_FINDING, QUALITATIVE

pytestmark = [pytest.mark.reproduction, pytest.mark.slow]


def test_the_theory_separates_the_cases():
    # known: compliers stop at 10 defectors of 100 (0.10 < T = 0.105); uncertain: never
    assert bd.settled_share(200.0) == pytest.approx(0.10)
    assert bd.settled_share(4.0) == 1.0
    assert bd.theory_catastrophe(200.0) < 0.02 and bd.theory_catastrophe(4.0) > 0.99


def test_known_threshold_runs_stop_just_below_it_and_uncertain_ones_do_not():
    known = [bd.run_case(200.0, seed) for seed in range(3)]
    uncertain = [bd.run_case(4.0, seed) for seed in range(3)]
    assert not any(r.catastrophe for r in known)
    assert all(r.final_defecting == pytest.approx(0.10) for r in known)
    # once the slack is used, a known-threshold run never changes again
    assert all(np.all(r.defecting[-50:] == r.defecting[-1]) for r in known)
    assert all(r.catastrophe and r.complied == 0.0 for r in uncertain)


def test_uncertain_damage_is_not_claimed_since_it_could_not_fail(reproduced):
    # the actors weigh the mean damage and never see the realised one, so an uncertain-damage
    # run is the known-damage run (issue #28: a circular check); no claim or case states it
    result, _ = reproduced("barrett2012")
    assert not any("damage" in c.what for c in result.claims)
    assert set(bd.CASES) == {"known", "threshold"}
    assert "damage_uncertain" not in inspect.signature(bd.run_case).parameters


def test_the_papers_findings_are_its_sentences_and_the_theory_ours(reproduced):
    result, _ = reproduced("barrett2012")
    kinds = [c.kind for c in result.claims]
    assert kinds.count(QUALITATIVE) == 3 and set(kinds) == {QUALITATIVE, OWN_FINDING}
    for claim in result.claims:
        if claim.kind == QUALITATIVE:
            assert bd.PAPER_WHERE in str(claim.paper) and "chain" not in str(claim.paper)
        else:
            assert claim.paper == NO_PUBLISHED_VALUE


def test_recursive_self_improvement_fills_a_known_thresholds_slack():
    # the same known threshold, defectors compounding 1% a month: the catastrophe comes
    runs = [bd.run_case(200.0, seed, rsi_growth=bd.RSI_GROWTH) for seed in range(3)]
    assert all(r.catastrophe for r in runs)
    assert all(r.final_defecting > bd.MEDIAN_THRESHOLD for r in runs)
