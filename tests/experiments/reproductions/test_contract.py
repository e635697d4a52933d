"""The contract every registered reproduction keeps, one parametrised test over the registry.

Each reproduction (``experiments/reproductions/<name>.py``) declares its name, title and citation,
has its section in ``experiments/reproductions/README.md``, runs quickly to claims that all hold,
writes its figure (a PNG) where it is told, and gives the same claims when run again. Its own
checks are in ``test_<name>.py`` beside this file; the registry's are below.
"""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import experiments.reproductions
from experiments.reproductions import MODULES, REPRODUCTIONS, load
from model.errors import ConfigError

pytestmark = pytest.mark.reproduction


PNG = b"\x89PNG\r\n\x1a\n"
README = Path(experiments.reproductions.__file__).with_name("README.md")


@pytest.mark.parametrize("name", MODULES)
def test_declares_its_name_title_citation_and_its_section(name: str) -> None:
    module = load(name)
    assert module.NAME == name
    assert isinstance(module.TITLE, str) and module.TITLE
    assert isinstance(module.CITATION, str) and module.CITATION
    signature = inspect.signature(module.reproduce)
    assert list(signature.parameters) == ["out_dir", "quick"]
    assert signature.parameters["quick"].kind is inspect.Parameter.KEYWORD_ONLY
    assert signature.parameters["quick"].default is False
    assert f"\n## {name}\n" in README.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_every_claim_holds_and_the_figure_is_written(name: str, reproduced) -> None:
    result, out = reproduced(name)
    assert [c.holds for c in result.claims] == [True] * len(result.claims), result.table()
    assert result.name == name and result.citation == load(name).CITATION
    assert result.figure.name == f"{name}.png"
    assert result.figure.parent == out
    assert result.figure.read_bytes()[:8] == PNG
    assert result.figure.stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_runs_reproducibly(name: str, reproduced, tmp_path) -> None:
    first, _ = reproduced(name)
    again = load(name).reproduce(tmp_path, quick=True)
    assert again.table() == first.table()


def test_registry_lists_the_ten_and_loads_by_name() -> None:
    # our own findings last
    assert MODULES == (
        "han2019",
        "barrett2012",
        "nordhaus2015",
        "inspection_games",
        "santos2011",
        "recursive_inspection",
        "bargaining",
        "verification_valley",
        "negotiation_contrasts",
        "pledge_contrasts",
        "layer_contrasts",
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
    folder = Path(__file__).resolve().parents[3] / "experiments" / "reproductions"
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
