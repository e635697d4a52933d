"""Shared fixtures of the app's tests: a test scenario beside the shipped ones."""

from __future__ import annotations

import pytest

import viz.session
from experiments import scenarios as shipped
from model.scenario import scenario_from_mapping

TEST_SCENARIO = {
    "meta": {"name": "strict_test", "title": "Strict test", "summary": "A test scenario."},
    "params": {"p_detect": 0.55, "penalty": 9.0, "n_labs": 6},
    "nations": [{"name": "Aurelia"}, {"name": "Borealis"}, {"name": "Caldria"}],
}


@pytest.fixture
def with_test_scenario(monkeypatch):
    """Ship one more scenario, 'strict_test', for the app's scenario picker."""

    def names():
        return [*shipped.list_scenarios(), "strict_test"]

    def load(name):
        if name == "strict_test":
            return scenario_from_mapping(TEST_SCENARIO), "# Strict test\n\nA *narrative*."
        return shipped.load_scenario(name)

    monkeypatch.setattr(viz.session, "list_scenarios", names)
    monkeypatch.setattr(viz.session, "load_scenario", load)
