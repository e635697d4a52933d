"""Doctests (README.md, the shipped Markdown, the modules' examples) run in a fresh folder.

pyproject.toml's ``--doctest-modules --doctest-glob=*.md`` collects them; an example that writes
files (README's batch, for instance) writes them in the test's temporary folder, not here.
"""

from __future__ import annotations

import matplotlib
import pytest
from _pytest.doctest import DoctestItem

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _doctest_in_tmp_path(request: pytest.FixtureRequest) -> None:
    if isinstance(request.node, DoctestItem):
        request.getfixturevalue("monkeypatch").chdir(request.getfixturevalue("tmp_path"))
