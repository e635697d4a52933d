"""README stays true: its Quick start has two commands and its scenario example runs.

Its Python examples (and those of the other shipped Markdown and the modules' docstrings) are
doctests, collected by README's test command itself (pyproject.toml's ``--doctest-modules
--doctest-glob=*.md``); the test here only checks that every Python example is one.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from experiments.run import run_scenario
from experiments.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SHIPPED_MARKDOWN = [
    README,
    ROOT / "model" / "ODD.md",
    *sorted((ROOT / "experiments" / "scenarios").glob("*.md")),
]


def test_quick_start_has_exactly_two_commands():
    text = README.read_text()
    block = text.split("<!-- quickstart:begin -->")[1].split("<!-- quickstart:end -->")[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("```")]
    assert len(commands) == 2
    assert "pausegame run" in commands[0] and "pytest" in commands[1]


def test_readme_scenario_example_runs(tmp_path):
    text = README.read_text()
    toml = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "two_blocs.toml"
    path.write_text(toml)
    scenario, _ = load_scenario(path)
    assert [n.name for n in scenario.nations] == ["Aurelia", "Borealis", "Caldera"]
    result = run_scenario(path, {"seed": 3, "steps": 14}, out_dir=tmp_path / "out")
    names = result.engine.world.names
    lab = names.index("Borealis/lab-1")
    assert names[:3] == ["Aurelia", "Borealis", "Caldera"]
    assert not result.engine.defect[[0, names.index("Aurelia/lab-1")]].any()
    assert result.timeseries["step"][-1] == 14
    assert np.isclose(result.engine.c.sum(), 1.0)
    # the README's event: Borealis' first lab defects for six months from month 6
    from model.engine import Engine

    eng = Engine.from_params({"seed": 3}, scenario=scenario)
    held = []
    for _ in range(13):
        eng.step()
        held.append(bool(eng.defect[lab]))
    assert held[5:11] == [True] * 6


def test_python_examples_are_doctests_that_the_test_command_collects():
    import tomllib

    for path in SHIPPED_MARKDOWN:
        for block in re.findall(r"```python\n(.*?)```", path.read_text(), re.S):
            assert block.lstrip().startswith(">>>"), f"{path.name}: a Python example without >>>"
            assert block.endswith("\n\n"), f"{path.name}: a blank line must end a doctest block"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert {"--doctest-modules", "--doctest-glob=*.md"} <= set(config["addopts"].split())
    assert {"README.md", "model", "agents", "experiments"} <= set(config["testpaths"])
