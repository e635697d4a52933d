"""tests/conftest.py: without a Chromium the browser tests are skipped with one line naming what
enables them, except under CI (``CI=true``), where a missing browser fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROWSER_FILE = "tests/viz/test_app_browser.py"


def _pytest_without_chromium(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PATH"] = str(tmp_path)  # no chromium (nor anything else) on PATH
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", BROWSER_FILE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_chromium_the_browser_tests_are_skipped_with_one_line(tmp_path):
    done = _pytest_without_chromium(tmp_path, ci=None)
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, done.stdout
    assert "no chromium" in skipped[0] and "apt-get install chromium" in skipped[0]
    assert " passed" not in done.stdout and "skipped" in done.stdout.splitlines()[-1]


def test_under_ci_a_missing_chromium_fails_the_run(tmp_path):
    done = _pytest_without_chromium(tmp_path, ci="true")
    assert done.returncode != 0
    assert "CI=true but no chromium on PATH" in done.stdout + done.stderr
