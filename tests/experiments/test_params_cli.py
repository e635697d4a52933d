"""Hardening, inputs and sizes: bad input is exit 2 and one line; sizes that cannot fit are refused
before anything is allocated; nothing already computed is overwritten.

The verification sources registry (model/verification/sources.toml): cited preset values.
"""

from __future__ import annotations

import pytest

from model.verification.sources import (
    CONFIDENCE_LABELS,
    registry,
)
from tests.experiments.clitools import run_cli


@pytest.mark.hardening
def test_params_states_the_practical_limits(
    capsys: pytest.CaptureFixture[str], eight_gb: None
) -> None:
    status, out, _ = run_cli(capsys, "params", "--limits")
    assert status == 0
    text = " ".join(out.split())
    assert "Practical limits on this machine (8.0 GB of memory available" in text
    assert "actors (n_nations + n_labs) at 120 steps" in text and "n_nations^2" in text


# ------------------------------------------------------------------------- where it shows
def test_pausegame_params_sources_shows_each_preset_with_its_source(capsys):
    from experiments.cli import main

    assert main(["params", "--sources"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 100
    flat = " ".join(out.split())
    for regime in (
        "open_letter",
        "self_reporting",
        "national_means",
        "onsite_inspections",
        "hardware_ledger",
    ):
        assert f"{regime.upper()}:" in out
    assert "p_detect 0.35 (range 0.2 to 0.5, speculative; Wasil et al. (2024);" in flat
    assert "p_detect 0.9 (range 0.2 to 0.9, analogy; IAEA (2002);" in flat
    assert "90% for 'high' and 20% for 'low'" in flat
    assert "eu_ai_act_systemic_risk 10^25 training FLOP (documented; EU AI Act (2024))" in flat
    for label in CONFIDENCE_LABELS:
        assert f"{label}: " in out
    for source in registry().sources.values():
        assert f"[{source.key}]" in out


def test_pausegame_params_points_to_the_sources_and_keeps_its_format(capsys):
    from experiments.cli import format_params, main

    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == format_params().strip()
    assert "`pausegame params --sources`" in " ".join(out.split())
    assert "CONFIDENCE LABELS" not in out  # the sources only with --sources
    # the text is the same on every machine and at every moment: the limits only on request
    assert "Practical limits" not in out and "`pausegame params --limits`" in " ".join(out.split())


def test_pausegame_params_limits_states_the_machine_limits(capsys, monkeypatch):
    import experiments.limits as limits
    from experiments.cli import main

    monkeypatch.setattr(limits, "available_bytes", lambda: 8_000_000_000)
    assert main(["params", "--limits"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("Practical limits on this machine (8.0 GB of memory available")
    assert out == " ".join(limits.limits_text(8_000_000_000).split())
