"""Shared fixtures of the app's tests: a test scenario beside the shipped ones, and for the
real-browser tests an artifacts folder and a headless chromium (each test module starts its
own ``server``)."""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """Where browser tests keep screenshots and server logs (outside the repository)."""
    folder = os.environ.get("PAUSEGAME_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("browser-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(server):
    """Debian's chromium driven by playwright, for the module's ``server``."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    from viz.serve import launch_browser

    with playwright_api.sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()
