"""Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

from experiments.run import run_scenario
from model.verification import sources
from tests.experiments.clitools import TWO, write
from tests.model.verification.shared import use_registry

pytestmark = pytest.mark.hardening


def test_an_event_in_the_last_step_still_runs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.toml", TWO + '[[events]]\nstart = 12\nactors = ["A"]\naction = "defect"\n'
    )
    assert run_scenario(path, {"steps": 12, "seed": 1}).summary.steps == 12


def test_config_records_the_registry_and_still_reproduces(tmp_path, monkeypatch) -> None:
    # #27: a run's config.toml records the verification sources registry it ran under
    path = write(tmp_path / "s.toml", TWO)
    first = run_scenario(
        path, {"steps": 3, "seed": 1, "verification": "onsite_inspections"}, out_dir=tmp_path / "a"
    )
    config = tmp_path / "a" / "config.toml"
    meta = tomllib.loads(config.read_text(encoding="utf-8"))["meta"]
    shipped = hashlib.sha256(sources.REGISTRY_PATH.read_bytes()).hexdigest()
    assert meta["verification_registry_sha256"] == shipped
    again = run_scenario(config)  # the recorded field is a known [meta] field
    assert again.summary.to_dict() == first.summary.to_dict()
    # a run that uses no regime does not need the registry, and says it could not read it
    use_registry(monkeypatch, tmp_path / "missing.toml")
    run_scenario(path, {"steps": 3, "seed": 1}, out_dir=tmp_path / "b")
    meta = tomllib.loads((tmp_path / "b" / "config.toml").read_text(encoding="utf-8"))["meta"]
    assert meta["verification_registry_sha256"] == "unreadable"
