"""The negotiation's parameters in the one schema (#29): declared, validated, not yet read."""

from __future__ import annotations

import pytest

from model.errors import ParameterError
from model.negotiation import protocols
from model.params import NEGOTIATION, resolve, schema
from model.params.negotiation import NEGOTIATION_LEDGER_FORMAT, SIMULATED, TERMS_RULE

DEFAULTS = {
    "protocol": "terms_rule",
    "max_term_points": 256,
    "round_months": 1,
    "max_bargaining_rounds": 20,
    "transfers_conditional": "false",
    "max_transfer_share": 0.5,
    "quota": 0,
    "n_worlds": 8,
    "horizon": 24,
}


def test_each_negotiation_parameter_is_declared_once_with_its_default_group_and_help():
    table = schema()
    assert tuple(p.name for p in NEGOTIATION) == tuple(DEFAULTS)
    for name, default in DEFAULTS.items():
        p = table[name]
        assert p.default == default, name
        assert p.group == "negotiation", name
        # read by a run under a protocol; transfers_conditional says how the months read it,
        # and the batched-simulation valuation's say when a run uses it
        bond = "Read in the months: a receiver's expected forfeit is part of what a sanction"
        assert (bond in p.help) == (name == "transfers_conditional"), name
        assert "Not read yet" not in p.help and "not yet paid" not in p.help, name
        assert (SIMULATED in p.help) == (name in ("n_worlds", "horizon")), name
        assert p.ledger_since == NEGOTIATION_LEDGER_FORMAT, name
    assert resolve().to_dict().items() >= DEFAULTS.items()


def test_the_protocol_choices_are_terms_rule_then_the_registry():
    assert schema()["protocol"].choices == (TERMS_RULE, *protocols())
    assert schema()["protocol"].default == TERMS_RULE


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("protocol", "haggling"),
        ("max_term_points", 0),
        ("round_months", 0),
        ("max_bargaining_rounds", 0),
        ("transfers_conditional", "maybe"),
        ("max_transfer_share", 1.5),
        ("max_transfer_share", -0.1),
        ("quota", -1),
        ("quota", 2.5),
        ("n_worlds", 0),
        ("horizon", 0),
        ("horizon", 1.5),
    ],
)
def test_a_bad_value_is_refused_naming_what_is_allowed(name, value):
    with pytest.raises(ParameterError) as caught:
        resolve({name: value})
    assert name in str(caught.value) and schema()[name].bounds_text() in str(caught.value)


def test_a_good_value_is_kept():
    p = resolve({"protocol": "nash", "max_term_points": 64, "quota": 4, "max_transfer_share": 1})
    assert (p.protocol, p.max_term_points, p.quota, p.max_transfer_share) == ("nash", 64, 4, 1.0)


def test_a_quota_above_the_number_of_nations_is_refused():
    assert resolve({"n_nations": 5, "quota": 5}).quota == 5
    with pytest.raises(ParameterError, match=r"quota=6 .*\[0, n_nations=5\]"):
        resolve({"n_nations": 5, "quota": 6})


@pytest.mark.parametrize(("given", "kept"), [(True, "true"), (False, "false"), ("true", "true")])
def test_transfers_conditional_takes_a_boolean_as_a_scenario_writes_it(given, kept):
    assert resolve({"transfers_conditional": given}).transfers_conditional == kept


def test_a_boolean_is_still_refused_by_a_choice_without_true_and_false():
    with pytest.raises(ParameterError):
        resolve({"rsi": True})
