"""``pausegame reproduce``, the registry of reproductions and the claims table."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

import experiments.reproductions.cli as repro_cli
from experiments.cli import main
from experiments.reproductions.common import PUBLISHED_NUMBER, TABLE_HEADER, Claim, Reproduction

pytestmark = pytest.mark.reproduction

PNG = b"\x89PNG\r\n\x1a\n"


def _fake(name: str, holds: bool) -> types.ModuleType:
    module = types.ModuleType(name)
    module.NAME, module.TITLE, module.CITATION = name, "a fake", "Fake 2020"  # type: ignore[attr-defined]

    def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
        out_dir.mkdir(parents=True, exist_ok=True)
        figure = out_dir / f"{name}.png"
        figure.write_bytes(PNG)
        claim = Claim("x | y", 0.5, 0.25 if not holds else 0.5, "abs 0.01", holds, PUBLISHED_NUMBER)
        return Reproduction(name, "Fake 2020", (claim,), figure)

    module.reproduce = reproduce  # type: ignore[attr-defined]
    return module


def test_bad_name_exits_2_naming_the_allowed(capsys) -> None:
    assert main(["reproduce", "han2019", "nordhaus", "--out", "/tmp/x"]) == 2
    err = capsys.readouterr().err
    assert "unknown reproduction 'nordhaus'" in err
    assert (
        "allowed: han2019, barrett2012, nordhaus2015, inspection_games, santos2011, "
        "recursive_inspection, bargaining, verification_valley, negotiation_contrasts, "
        "pledge_contrasts, layer_contrasts or all" in err
    )


def test_exit_status_follows_the_claims(tmp_path, capsys, monkeypatch) -> None:
    fakes = {"han2019": _fake("han2019", True), "barrett2012": _fake("barrett2012", False)}
    monkeypatch.setattr(repro_cli, "load", lambda name: fakes[name])
    assert main(["reproduce", "han2019", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(TABLE_HEADER) and "| Fake 2020 | x / y | 0.5 | 0.5 |" in out
    # each claim's kind is printed, and the claims are counted by kind
    assert "| abs 0.01 | yes | reproduces a published number |" in out
    assert "claims: 1 reproduce a published number, 0 consistent with a published" in out
    assert f"han2019: figure {tmp_path / 'han2019' / 'han2019.png'}" in out
    assert main(["reproduce", "han2019", "barrett2012", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "barrett2012: figure" in out and "(a claim does NOT hold)" in out


def test_a_reproduction_that_raises_is_reported_and_fails(tmp_path, capsys, monkeypatch) -> None:
    broken = _fake("han2019", True)

    def boom(out_dir: Path, *, quick: bool = False) -> Reproduction:
        raise RuntimeError("no data")

    broken.reproduce = boom  # type: ignore[attr-defined]
    monkeypatch.setattr(repro_cli, "load", lambda name: broken)
    assert main(["reproduce", "han2019", "--out", str(tmp_path)]) == 1
    assert "han2019: failed: RuntimeError: no data" in capsys.readouterr().err


@pytest.mark.slow
def test_reproduce_one_for_real(tmp_path, capsys) -> None:
    assert main(["reproduce", "inspection_games", "--out", str(tmp_path), "--quick"]) == 0
    out = capsys.readouterr().out
    figure = tmp_path / "inspection_games" / "inspection_games.png"
    assert figure.read_bytes().startswith(PNG)
    assert "leadership is better for the inspector" in out and "| NO |" not in out
    assert "| kind |" in out and "| yes | reproduces a published number |" in out


@pytest.mark.hardening
def test_out_is_checked_before_any_reproduction_runs(tmp_path, capsys, monkeypatch) -> None:
    from tests.experiments.clitools import one_error_line

    def ran(*_args: object, **_kw: object) -> None:
        raise AssertionError("a reproduction ran")

    monkeypatch.setattr(repro_cli, "run_reproductions", ran)
    file = tmp_path / "a-file"
    file.write_text("x")
    for out in (file, file / "sub"):
        status = main(["reproduce", "han2019", "--out", str(out), "--quick"])
        captured = capsys.readouterr()
        assert "give a folder" in one_error_line(status, captured.out, captured.err)
    (tmp_path / "runs" / "han2019").mkdir(parents=True)
    (tmp_path / "runs" / "han2019" / "han2019").write_text("a file where a folder goes")
    status = main(["reproduce", "han2019", "--out", str(tmp_path / "runs" / "han2019")])
    captured = capsys.readouterr()
    assert "han2019/han2019' is a file" in one_error_line(status, captured.out, captured.err)
