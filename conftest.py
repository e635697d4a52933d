"""Doctests (README.md, the shipped Markdown, the modules' examples) run in a fresh folder.

pyproject.toml's ``--doctest-modules --doctest-glob=*.md`` collects them; an example that writes
files (README's batch, for instance) writes them in the test's temporary folder, not here.

An example for one Mesa version only carries ``# doctest: +MESA3_ONLY`` or ``+MESA4_ONLY``
(README's Mesa section); under the other version it is skipped, and the test header says so.
"""

from __future__ import annotations

import doctest

import matplotlib
import mesa
import pytest
from _pytest.doctest import DoctestItem

matplotlib.use("Agg")

MESA_MAJOR = int(mesa.__version__.split(".")[0])
MESA_ONLY = {
    3: doctest.register_optionflag("MESA3_ONLY"),
    4: doctest.register_optionflag("MESA4_ONLY"),
}


def pytest_report_header() -> str:
    """Which Mesa runs the tests, and which version-only examples it skips."""
    other = 4 if MESA_MAJOR < 4 else 3
    return (
        f"mesa {mesa.__version__}: doctest examples marked +MESA{other}_ONLY are skipped "
        f"(they need Mesa {other})"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the doctest examples written for the other Mesa version."""
    flags = [flag for major, flag in MESA_ONLY.items() if major != MESA_MAJOR]
    for item in items:
        if isinstance(item, DoctestItem) and item.dtest is not None:
            for example in item.dtest.examples:
                if any(example.options.get(flag) for flag in flags):
                    example.options[doctest.SKIP] = True


@pytest.fixture(autouse=True)
def _doctest_in_tmp_path(request: pytest.FixtureRequest) -> None:
    if isinstance(request.node, DoctestItem):
        request.getfixturevalue("monkeypatch").chdir(request.getfixturevalue("tmp_path"))
