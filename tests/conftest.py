"""Shared test configuration: a fixed hypothesis profile on CI, Agg plots everywhere, and the
real-browser tests skipped with one line where no Chromium can be had (failed under CI)."""

from __future__ import annotations

import os

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

#: What enables the real-browser tests where no Chromium is installed: Debian's package (never
#: ``playwright install``, which downloads a browser of its own).
BROWSER_HINT = "`sudo apt-get install chromium` (Debian's package) enables them"


def on_ci() -> bool:
    """True under CI (``CI=true``), where every test must run."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a Chromium the browser tests are skipped (one summary line), except under CI."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    if not browser:
        return
    from viz.serve import chromium_path

    if chromium_path() is not None:
        return
    if on_ci():
        raise pytest.UsageError(
            f"CI=true but no chromium on PATH: the {len(browser)} browser tests must run here; "
            f"{BROWSER_HINT}"
        )
    skip = pytest.mark.skip(reason=f"no chromium on this machine; {BROWSER_HINT}")
    for item in browser:
        item.add_marker(skip)
