"""Terms adopted before month 1 (``Engine.adopt_terms``, :mod:`model.adopted`): the run is the
run with those terms as parameters, the given parameters stay; without an agreement nobody is
ever bound; only at month 0 and only without a protocol of the engine's own.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.play import build_engine
from experiments.scenarios import load_scenario
from model.errors import ConfigError

TERMS = {"p_detect": 0.85, "penalty": 13.0}


def _series(engine, months):
    for _ in range(months):
        engine.step()
    return engine.timeseries()


@pytest.mark.parametrize("scenario", ["default", "great_power_veto"])
def test_adopted_terms_give_exactly_the_run_with_those_terms(scenario):
    sc = load_scenario(scenario)[0]
    adopted = build_engine(sc, 7, 6, event_log=True)
    given = adopted.given_params
    adopted.adopt_terms(TERMS)
    assert adopted.params["p_detect"] == 0.85 and adopted.treaty.p_detect == 0.85
    assert adopted.given_params is given and given["p_detect"] != 0.85
    direct = build_engine(sc, 7, 6, TERMS)
    got, want = _series(adopted, 6), _series(direct, 6)
    assert set(got) == set(want)
    for key in want:
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    # the log's run record keeps the parameters as given
    assert adopted.log.records[0]["params"]["p_detect"] == given["p_detect"]


def test_adopting_twice_starts_again_from_the_given_parameters():
    sc = load_scenario("default")[0]
    twice = build_engine(sc, 7, 4)
    twice.adopt_terms({"p_detect": 0.1, "penalty": 1.0})
    twice.adopt_terms(TERMS)
    np.testing.assert_array_equal(
        _series(twice, 4)["weighted_compliance"],
        _series(build_engine(sc, 7, 4, TERMS), 4)["weighted_compliance"],
    )


def test_without_an_agreement_no_nation_is_ever_bound():
    sc = load_scenario("default")[0]
    engine = build_engine(sc, 7, 6)
    assert engine.bound.any()  # the scenario's treaty binds without a negotiation
    engine.adopt_terms(None, protocol="rotating_unanimity")
    assert engine.agreement is not None and engine.agreement.terms is None
    assert engine.agreement.protocol == "rotating_unanimity"
    for _ in range(6):
        engine.step()
        assert not engine.bound.any() and not engine.treaty.member.any()
    assert np.all(engine.timeseries()["pause_active"] == 0.0)


def test_terms_are_adopted_only_before_month_1_and_only_as_valid_values():
    sc = load_scenario("default")[0]
    engine = build_engine(sc, 7, 3)
    with pytest.raises(ConfigError, match="p_detect"):
        engine.adopt_terms({"p_detect": 1.5})
    engine.step()
    with pytest.raises(ConfigError, match="before month 1; this run has played 1 month"):
        engine.adopt_terms(TERMS)


def test_a_run_that_negotiates_its_own_terms_refuses_others():
    engine = build_engine(None, 7, 3, {"protocol": "nash", "n_nations": 3, "n_labs": 0})
    with pytest.raises(ConfigError, match="protocol = terms_rule"):
        engine.adopt_terms(TERMS)
