"""``pausegame reproduce``, the registry of reproductions and the claims table."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from pathlib import Path

import pytest

import experiments.reproductions.cli as repro_cli
from experiments.cli import main
from experiments.reproductions import MODULES, REPRODUCTIONS, load
from experiments.reproductions.common import TABLE_HEADER, Claim, Reproduction
from model.errors import ConfigError

pytestmark = pytest.mark.reproduction

PNG = b"\x89PNG\r\n\x1a\n"


def _fake(name: str, holds: bool) -> types.ModuleType:
    module = types.ModuleType(name)
    module.NAME, module.TITLE, module.CITATION = name, "a fake", "Fake 2020"  # type: ignore[attr-defined]

    def reproduce(out_dir: Path, *, quick: bool = False) -> Reproduction:
        out_dir.mkdir(parents=True, exist_ok=True)
        figure = out_dir / f"{name}.png"
        figure.write_bytes(PNG)
        claim = Claim("x | y", 0.5, 0.25 if not holds else 0.5, "abs 0.01", holds)
        return Reproduction(name, "Fake 2020", (claim,), figure)

    module.reproduce = reproduce  # type: ignore[attr-defined]
    return module


def test_registry_lists_the_five_and_loads_by_name() -> None:
    assert MODULES == (
        "han2019",
        "barrett2012",
        "nordhaus2015",
        "inspection_games",
        "verification_valley",
    )
    for name in MODULES:
        assert importlib.util.find_spec(f"experiments.reproductions.{name}") is not None, name
    # each module's own test file loads it; here the two of this file's author
    for name in ("han2019", "inspection_games"):
        module = load(name)
        assert module.NAME == name
        assert module.CITATION and module.TITLE and callable(module.reproduce)
    with pytest.raises(ConfigError, match="unknown reproduction 'x'; allowed: han2019, "):
        load("x")


def test_every_file_but_cli_and_common_registers_itself() -> None:
    folder = Path(__file__).resolve().parents[2] / "experiments" / "reproductions"
    files = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
    assert set(MODULES) == files - {"cli", "common"}
    for name in MODULES:
        assert REPRODUCTIONS.get(name).module == f"experiments.reproductions.{name}"


def test_building_the_command_line_imports_no_reproduction() -> None:
    code = (
        "import sys; from experiments.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith('experiments.reproductions.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['experiments.reproductions.cli', 'experiments.reproductions.common']"


def test_table_rows_and_pipes() -> None:
    r = Reproduction(
        "f",
        "Fake 2020",
        (
            Claim("a | b", 1 / 3, 0.25, "abs 0.01", False),
            Claim("c", "rises", "rises", "direction", True),
        ),
        Path("f.png"),
    )
    lines = r.table().splitlines()
    assert "\n".join(lines[:2]) == TABLE_HEADER
    assert lines[2] == "| Fake 2020 | a / b | 0.3333 | 0.25 | abs 0.01 | NO |"
    assert lines[3] == "| Fake 2020 | c | rises | rises | direction | yes |"
    assert not r.holds


def test_bad_name_exits_2_naming_the_allowed(capsys) -> None:
    assert main(["reproduce", "han2019", "nordhaus", "--out", "/tmp/x"]) == 2
    err = capsys.readouterr().err
    assert "unknown reproduction 'nordhaus'" in err
    assert (
        "allowed: han2019, barrett2012, nordhaus2015, inspection_games, "
        "verification_valley or all" in err
    )


def test_exit_status_follows_the_claims(tmp_path, capsys, monkeypatch) -> None:
    fakes = {"han2019": _fake("han2019", True), "barrett2012": _fake("barrett2012", False)}
    monkeypatch.setattr(repro_cli, "load", lambda name: fakes[name])
    assert main(["reproduce", "han2019", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(TABLE_HEADER) and "| Fake 2020 | x / y | 0.5 | 0.5 |" in out
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
