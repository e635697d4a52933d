"""The verification layers on the command line (#31): listed, sourced, bad input one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.params import LAYER_PARAMS, schema
from model.verification.layers import LAYER_KEYS, layers
from tests.experiments.clitools import one_error_line, run_cli


def test_params_lists_the_layers_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "params")
    assert status == 0
    flat = " ".join(out.split())
    for p in LAYER_PARAMS:
        assert f"{p.name}" in out and f"default {p.default}" in flat, p.name
        assert schema()[p.name].bounds_text() in flat, p.name
    for name in layers():
        assert name in flat


def test_params_sources_shows_every_layers_numbers_with_label_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run_cli(capsys, "params", "--sources")
    assert status == 0
    section = out[out.index("VERIFICATION LAYERS") : out.index("WHAT COUNTS AS A VIOLATION")]
    for name, layer in layers().items():
        block = section[section.index(f"{name.upper()}: {layer.title}") :]
        for key in LAYER_KEYS:
            assert f"  {key} " in block, (name, key)
        assert "speculative; model/ODD.md section 3.6, Verification layers" in block
    assert "[layer_model]" in out  # the references list the layer model's source


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--layers", "satellites"), ["layers='satellites'", "chip_tracking, hardware_governance"]),
        (("--layer-correlation", "1.5"), ["layer_correlation=1.5", "[0, 1]"]),
        (("--undeclared-share", "-0.5"), ["undeclared_share=-0.5"]),
        (
            ("--layers", "chip_tracking", "--verification", "national_means"),
            ["verification='national_means'", "'custom' when layers are set"],
        ),
    ],
)
def test_bad_layer_settings_on_the_command_line_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: list[str]
) -> None:
    line = one_error_line(*run_cli(capsys, "run", *args, "--out", str(tmp_path / "r")))
    for word in words:
        assert word in line
    assert not (tmp_path / "r").exists()


def test_a_run_with_layers_records_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("run", "--layers", "whistleblower,chip_tracking", "--steps", "12")
    status, _, err = run_cli(capsys, *args, "--seed", "1", "--out", str(tmp_path / "r"))
    assert status == 0, err
    config = (tmp_path / "r" / "config.toml").read_text(encoding="utf-8")
    assert 'layers = "chip_tracking,whistleblower"' in config


def test_a_run_with_layers_reports_its_verification_spend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import json

    for layers_arg, out in (("onsite_inspection", "r"), ("none", "plain")):
        args = ("run", "--layers", layers_arg, "--steps", "12", "--undeclared-share", "0.25")
        status, _, err = run_cli(capsys, *args, "--seed", "1", "--out", str(tmp_path / out))
        assert status == 0, err
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    with (tmp_path / "r" / "timeseries.csv").open(encoding="utf-8") as fh:
        column = [float(row["verification_spend"]) for row in csv.DictReader(fh)]
    # 12 months at 0.03 * 0.75 + 0.1 = 0.1225 (every nation a member, world capability 1)
    assert column[0] == 0.0 and summary["verification_spend"] == pytest.approx(12 * 0.1225)
    assert sum(column) == pytest.approx(summary["verification_spend"])
    plain = json.loads((tmp_path / "plain" / "summary.json").read_text(encoding="utf-8"))
    assert "verification_spend" not in plain
