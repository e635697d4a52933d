"""The contract every registered adjudication rule keeps (model/adjudication/, one file each)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import numpy as np
import pytest

from model import adjudication
from model.adjudication import ADJUDICATION_RULES, AdjudicationRule, get_adjudication
from model.engine import Engine
from model.errors import ParameterError
from model.params import RecordingParams, resolve, schema

RULES = ADJUDICATION_RULES.names()


def test_the_registry_finds_the_four_rules_in_the_order_of_the_choices() -> None:
    assert RULES == ("coalition", "independent_body", "members_vote", "great_power_veto")
    assert schema()["adjudication"].choices == RULES
    assert schema()["adjudication"].default == RULES[0]
    with pytest.raises(KeyError, match="unknown adjudication rule 'jury'; registered: coalition,"):
        get_adjudication("jury")
    with pytest.raises(ParameterError, match="'jury'.*'coalition', 'independent_body'"):
        resolve(adjudication="jury")


def test_the_inspectorate_is_not_a_regime_and_its_old_path_still_imports() -> None:
    from model.inspections import Inspectorate
    from model.verification import regimes
    from model.verification.inspections import Inspectorate as Old

    assert Old is Inspectorate
    assert "inspections" not in regimes()
    code = (
        "import sys; from model.engine import Engine; from model.verification import regimes; "
        "regimes(); Engine.from_params({'steps': 2}, rng=1).run(); "
        "print('model.verification.inspections' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False", "regime discovery or the engine imported the old path"


@pytest.mark.parametrize("name", RULES)
def test_rule_declares_itself(name: str) -> None:
    rule = get_adjudication(name)
    assert isinstance(rule, AdjudicationRule) and rule.name == name
    assert rule.summary.endswith(".") and rule.summary.count(". ") == 0, "one sentence"
    assert rule.gloss and rule.references
    module = importlib.import_module(f"model.adjudication.{name}")
    doc = module.__doc__ or ""
    assert doc.startswith(f"``{name}``: "), "the docstring opens with the rule's name"
    assert "\nReferences:\n" in doc and "Parameters read:" in doc
    table = schema()
    for param in rule.params:
        assert param in table, param
        assert f"``{param}``" in doc, f"{param} is declared but not described"
    assert f"{name}' ({rule.gloss})" in table["adjudication"].help


def _shares(rule: AdjudicationRule, seed: int) -> tuple[np.ndarray, set[str]]:
    """The rule's expected share on a random world of 7 nations, and the parameters it read."""
    rng = np.random.default_rng(seed)
    n = 7
    e = rng.random(n) * (rng.random(n) < 0.8)
    w = np.triu(rng.random((n, n)) * (rng.random((n, n)) < 0.4), 1)
    w = w + w.T
    learn = adjudication.learners(rng.integers(0, 2, n), per_bloc=bool(seed % 2))
    params = RecordingParams(resolve(n_nations=n, n_labs=0, n_veto_powers=2))
    powers = rule.veto_powers(params, e)
    shield = adjudication.coalition_share(e, w, learn)
    share = rule.sanction_share(params, shield, e, w, learn, powers)
    rule.check(params)
    return share, set(params.seen)


@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("seed", range(4))
def test_rule_reads_only_what_it_declares_and_shares_are_probabilities(
    name: str, seed: int
) -> None:
    rule = get_adjudication(name)
    share, seen = _shares(rule, seed)
    assert seen <= {*rule.params, "n_nations", "n_labs"}, seen - set(rule.params)
    assert share.shape == (7,) and np.all((share >= 0) & (share <= 1 + 1e-12))
    assert 0.0 <= rule.member_share(0.4, 1.0, 0.7) <= 1.0
    again, _ = _shares(rule, seed)
    assert np.array_equal(share, again)


@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("inspectorate", ["global", "per_bloc"])
def test_a_run_with_the_rule_is_reproducible(name: str, inspectorate: str) -> None:
    params = {"adjudication": name, "inspectorate": inspectorate, "steps": 12, "p_detect": 0.5}
    a = Engine.from_params(params, rng=11)
    b = Engine.from_params(params, rng=11)
    assert a.run() == b.run()
    ta, tb = a.timeseries(), b.timeseries()
    assert ta.keys() == tb.keys()
    for key in ta:
        np.testing.assert_array_equal(ta[key], tb[key], err_msg=key)  # NaN equals NaN here
    rule = get_adjudication(name)
    assert a.structure.voting == rule.votes
    if not rule.votes:
        assert len(a.veto_powers) == 0
    if rule.dense or rule.votes:
        assert a.structure.learn is not None


def test_expected_share_keeps_its_old_signature() -> None:
    e = np.array([0.3, 0.3, 0.4])
    w = np.array([[0, 0.5, 0], [0.5, 0, 0], [0, 0, 0]])
    learn = adjudication.learners(np.zeros(3, dtype=int), per_bloc=False)
    none = np.zeros(0, dtype=np.int64)
    assert np.array_equal(
        adjudication.expected_share("coalition", e, w, learn, 0.5, none),
        adjudication.coalition_share(e, w, learn),
    )
    assert adjudication.expected_share("independent_body", e, w, learn, 0.5, none).tolist() == [
        1.0,
        1.0,
        1.0,
    ]
    with pytest.raises(ValueError, match="unknown adjudication 'x'"):
        adjudication.expected_share("x", e, w, learn, 0.5, none)
