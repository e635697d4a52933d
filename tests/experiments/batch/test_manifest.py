"""The manifest records the verification sources registry; a resume under another is refused.

[hardening] #27: changing ``model/verification/sources.toml`` between a sweep and its resume
mixed two parameter sets in one batch without a word. The manifest records the registry (its
SHA-256 and every regime's presets) and a resume compares the presets, like package versions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli_w

from experiments.batch import Design, StoreError, design_from_mapping
from experiments.cli import main
from model.errors import ConfigError
from model.verification import sources
from tests.experiments.batch.shared import run
from tests.model.verification.shared import edited, use_registry

pytestmark = pytest.mark.hardening


def _files(path: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in path.rglob("*") if p.is_file() and p.name != ".lock"}


#: A design on onsite_inspections whose runs take its presets (none is swept).
DESIGN = {
    "meta": {"name": "t"},
    "base": {"params": {"n_nations": 3, "n_labs": 2, "verification": "onsite_inspections"}},
    "sweep": {"penalty": [3.0, 9.0]},
    "run": {"replicates": 2, "steps": 6, "master_seed": 4242},
}


def _design() -> Design:
    return design_from_mapping(DESIGN, source="t.toml")


def test_the_manifest_records_the_registry(tmp_path):
    result = run(_design(), tmp_path / "r", max_runs=1)
    recorded = result.manifest["verification_registry"]
    assert recorded["sha256"] == sources.registry().sha256
    assert recorded["presets"]["onsite_inspections"] == sources.registry().presets(
        "onsite_inspections"
    )
    on_disk = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert on_disk["verification_registry"] == recorded


def test_a_resume_under_changed_presets_is_refused(tmp_path, monkeypatch, capsys):
    d = _design()
    out = tmp_path / "r"
    run(d, out, max_runs=2)
    (tmp_path / "t.toml").write_text(tomli_w.dumps(DESIGN))
    args = ["sweep", str(tmp_path / "t.toml"), "--executor", "serial", "--out", str(tmp_path / "c")]
    assert main([*args, "-q", "--max-runs", "1"]) == 0
    before = _files(out)
    use_registry(monkeypatch, edited(tmp_path, "value = 0.05\n", "value = 0.04\n"))
    with pytest.raises(StoreError) as err:
        run(d, out)
    message = str(err.value)
    assert "onsite_inspections.p_false_alarm 0.05 -> 0.04" in message, message
    assert "sources.toml" in message and "--allow-version-change" in message
    assert _files(out) == before  # refused before any write: nothing computed is lost
    # through the command line: exit 2, one line
    capsys.readouterr()
    assert main([*args, "-q"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "p_false_alarm 0.05 -> 0.04" in lines[0], lines


def test_a_resume_allowed_records_the_change(tmp_path, monkeypatch):
    d = _design()
    out = tmp_path / "r"
    run(d, out, max_runs=2)
    use_registry(monkeypatch, edited(tmp_path, "value = 0.05\n", "value = 0.04\n"))
    result = run(d, out, allow_version_change=True)
    assert result.complete
    assert (
        result.manifest["verification_registry"]["presets"]["onsite_inspections"]["p_false_alarm"]
        == 0.04
    )
    changes = result.manifest["version_changes"][-1]["changes"]
    assert any("p_false_alarm 0.05 -> 0.04" in line for line in changes)


def test_an_edit_that_changes_no_preset_resumes(tmp_path, monkeypatch):
    d = _design()
    out = tmp_path / "r"
    run(d, out, max_runs=2)
    use_registry(
        monkeypatch, edited(tmp_path, "No page numbers are given", "No page numbers given")
    )
    assert (
        sources.registry().sha256
        != json.loads((out / "manifest.json").read_text())["verification_registry"]["sha256"]
    )
    assert run(d, out).complete


@pytest.mark.parametrize("regime", ["onsite_inspections", "custom"])
def test_a_damaged_registry_refuses_a_sweep_before_writing(tmp_path, monkeypatch, regime):
    # the manifest records the registry, so even a sweep under custom needs it
    d = design_from_mapping(
        {**DESIGN, "base": {"params": {"n_nations": 3, "verification": regime}}}, source="t.toml"
    )
    use_registry(monkeypatch, tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="missing.toml: cannot read"):
        run(d, tmp_path / "r")
    assert not (tmp_path / "r").exists()
