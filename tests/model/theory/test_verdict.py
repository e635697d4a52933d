"""Hardening of the theory text ([hardening], part C): no negative or infinite thresholds.

``p* = -0.203 for labs of complying nations`` and ``p* = none (no p deters)`` are said in words:
domestic detection deters them at any p_detect; no p_detect deters them.

Theory's verdict on one world (model/theory/verdict.py), shared by the CLI, the app and the
analyses.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from model import theory
from model.params import resolve


def _world(shield: list[float], c: list[float] | None = None) -> SimpleNamespace:
    c = c or [1.0] * len(shield)
    return SimpleNamespace(c=np.array(c), shield=np.array(shield), n_actors=len(shield))


@pytest.mark.hardening
def test_run_verdict_says_negative_lab_threshold_in_words():
    from experiments.run import theory_verdict
    from model.engine import Engine

    params = resolve(p_domestic=0.5, seed=3)
    engine = Engine.from_params(dict(params))
    text = theory_verdict(params, engine)
    assert "domestic detection deters labs of complying nations at any p_detect" in text
    assert "-0." not in text
    off = resolve(penalty=0.0, seed=3)
    text = theory_verdict(off, Engine.from_params(dict(off)))
    assert "none (no p deters)" not in text and "no p_detect deters nations or labs" in text


def test_mean_shield_is_capability_weighted() -> None:
    world = _world([0.5, 1.0, 1.0], c=[2.0, 1.0, 1.0])
    assert theory.mean_shield(world) == 0.75
    assert theory.shields(0.75) and not theory.shields(1.0)


def test_a_share_rounded_above_one_is_no_shielding_and_the_verdict_still_speaks() -> None:
    # seen in the app (open_letter_2023, seed 9): the weighted mean came out 1 + 2**-52, and the
    # lab threshold at that share raised, so the theory panel said "not available"
    params = resolve(p_detect=0.0, seed=1)
    verdict = theory.Verdict(params, theory.summarize(params), 1.0000000000000002)
    assert not verdict.shielded
    sentences = verdict.sentences()
    assert sentences[0].startswith("Theory's answer for this world")
    assert "No alliances shield anyone here" in sentences[1]
    assert verdict.lab_threshold() == theory.deterrence_threshold(params, kind="lab", shield=1.0)


def test_shielded_world_gives_thresholds_at_its_share_in_the_cli_text_and_the_app() -> None:
    params = resolve(seed=1)
    world = _world([0.6, 0.6, 1.0, 1.0])
    verdict = theory.Verdict.of(params, world)
    assert verdict.shield == 0.8 and verdict.shielded
    nation = theory.deterrence_threshold(params, kind="nation", shield=0.8)
    assert verdict.nation_threshold() == nation
    text = theory.verdict_text(params, world)
    assert text.startswith(theory.summarize(params).describe())
    assert "s = 0.80" in text
    assert "s = 0.80" in verdict.sentences()[1]


def test_rules_the_mean_field_does_not_cover_get_the_learning_theory() -> None:
    params = resolve(decision_rule="imitation", seed=1)
    text = theory.verdict_text(params, _world([1.0] * 60))
    assert "Imitation theory" in text


def test_a_shielded_worlds_panel_keeps_to_four_sentences() -> None:
    # the app's theory panel promises at most four sentences; the own-actors boundaries once
    # made the third two sentences, so a world with a bistable band had five
    from model.engine import Engine

    params = resolve(seed=1)
    verdict = theory.Verdict.of(params, Engine(params))
    assert verdict.shielded and verdict.actors is not None
    sentences = verdict.sentences()
    assert not theory.summarize(params).band.clip().empty  # the band's sentence is there
    assert len(sentences) == 4
    assert all(". " not in s.replace("p* = ", "") for s in sentences[2:3])
