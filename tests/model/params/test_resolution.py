"""The parameter schema: declarations, defaults, and one test per kind of bad value."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from model.errors import ParameterError
from model.params import Params, resolve


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("p_detct", 0.3, "unknown parameter 'p_detct'; did you mean p_detect"),
        ("p_detect", "high", "wrong type"),
        ("p_detect", True, "wrong type"),
        ("p_detect", float("nan"), "not a finite number"),
        ("penalty", float("inf"), "not a finite number"),
        ("p_detect", 1.5, "a number in [0, 1]"),
        ("penalty", -1.0, "a number >= 0"),
        ("discount", 0.0, "a number in (0, 1]"),
        ("n_nations", 1, "an integer >= 2"),
        ("n_nations", 2.5, "not an integer"),
        ("decision_rule", "random", "one of"),
        ("information", 3, "one of"),
        ("seed", -1, "an integer >= 0, or none"),
        ("seed", 1.5, "an integer >= 0, or none"),
    ],
)
def test_bad_values_name_field_value_and_range(field, value, words):
    with pytest.raises(ParameterError) as err:
        resolve({field: value})
    message = str(err.value)
    assert field in message and words in message
    if not field.startswith("p_detct"):
        assert repr(value) in message or str(value) in message


def test_contradiction_between_fields():
    with pytest.raises(ParameterError, match="n_blocs=5.*n_nations=3"):
        resolve(n_nations=3, n_blocs=5)
    resolve(n_nations=3, n_blocs=5, alliance_network="none")  # blocs unused: fine


def test_types_are_canonical_and_params_immutable():
    p = resolve(n_nations=np.int64(7), p_detect=1, steps=30.0, seed=np.int64(3))
    assert type(p.n_nations) is int and type(p.p_detect) is float and type(p.steps) is int
    assert p.seed == 3 and isinstance(p, Params)
    with pytest.raises(AttributeError):
        p.p_detect = 0.5
    assert p.replace(p_detect=0.5).p_detect == 0.5 and p.p_detect == 1.0
    assert pickle.loads(pickle.dumps(p)) == p
