"""[hardening] ``pausegame sweep`` and ``export`` under faults (#27): an ``export`` with nothing to
export exits 2 naming it; Ctrl+C on a sweep says the command that resumes; a full disk names
the file it could not write. The faults are injected (no real signal, no full disk).
"""

from __future__ import annotations

import errno
import re
import shlex
from pathlib import Path

import pytest

from experiments.batch import load_results
from experiments.batch.files import pq as files_pq
from experiments.batch.store import ResultsStore
from experiments.cli import main
from tests.experiments.damaged import DESIGN, READERS, one_line_error

pytestmark = pytest.mark.hardening


def _repair_of(line: str) -> str:
    match = re.search(r"`([^`]*)`", line)
    assert match, line
    return match.group(1)


# ------------------------------------------------------------------------------ 3. export
def test_export_of_a_batch_with_no_results_exits_2(batch, capsys):
    _, folder = batch
    for sub in ("results", "series"):
        for part in (folder / sub).glob("part-*.parquet"):
            part.unlink()
    target = folder.parent / "out.csv"
    assert main(READERS["export"](folder)) == 2
    line = one_line_error(capsys.readouterr().err)
    assert "no finished runs" in line and "pausegame sweep" in line
    assert not target.exists()


# ------------------------------------------------------------------------------ Ctrl+C, full disk
def _fresh(tmp_path: Path) -> tuple[Path, Path]:
    design = tmp_path / "hard.toml"
    design.write_text(DESIGN)
    return design, tmp_path / "out"


def test_ctrl_c_on_a_sweep_says_how_to_resume(tmp_path, capsys, monkeypatch):
    design, out = _fresh(tmp_path)

    def interrupted(self, results, series):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(ResultsStore, "write_part", interrupted)
        assert main(["sweep", str(design), "--executor", "serial", "--out", str(out), "-q"]) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupted" in lines[0], err
    resume = shlex.split(_repair_of(lines[0]))
    assert resume[1:] == ["sweep", str(design), "--out", str(out)]
    assert main([*resume[1:], "--executor", "serial", "-q"]) == 0
    assert load_results(out).complete


def test_a_full_disk_names_the_path_it_could_not_write(tmp_path, capsys, monkeypatch):
    design, out = _fresh(tmp_path)
    write = files_pq.write_table

    def full(table, where, **kw):
        if "results" in str(where):
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(table, where, **kw)

    with monkeypatch.context() as patch:
        patch.setattr(files_pq, "write_table", full)
        assert main(["sweep", str(design), "--executor", "serial", "--out", str(out), "-q"]) == 2
    line = one_line_error(capsys.readouterr().err)
    assert re.search(re.escape(str(out / "results")) + r"/part-[^ ]*\.parquet: No space left", line)
    assert "resume with" in line
    assert not list((out / "results").glob(".*.tmp"))  # no half-written file left


SAMPLE = """
[meta]
name = "hard_sample"
[base.params]
n_nations = 3
n_labs = 2
[sample]
method = "sobol"
n = 4
[sample.params]
p_detect = {}
penalty = [0.0, 20.0]
[run]
replicates = 1
steps = 6
master_seed = 5
"""


def _interrupt_writes(patch: pytest.MonkeyPatch) -> None:
    def interrupted(self, results, series):
        raise KeyboardInterrupt

    patch.setattr(ResultsStore, "write_part", interrupted)


@pytest.mark.parametrize(
    ("command", "text", "flags"),
    [
        ("map", DESIGN, []),
        ("sensitivity", SAMPLE, ["--method", "sobol", "--n", "2"]),
        ("sensitivity", SAMPLE, ["--method", "morris", "--trajectories", "4", "--levels", "4"]),
    ],
)
def test_ctrl_c_on_map_and_sensitivity_says_how_to_resume(
    tmp_path, capsys, monkeypatch, command, text, flags
):
    design = tmp_path / "hard.toml"
    design.write_text(text)
    out = tmp_path / "out"
    argv = [command, str(design), *flags, "--out", str(out), "--executor", "serial"]
    with monkeypatch.context() as patch:
        _interrupt_writes(patch)
        assert main(argv) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # the progress line of the runs before the interrupt may come first; then one line
    lines = [line for line in err.splitlines() if line.startswith("pausegame:")]
    assert len(lines) == 1 and err.strip().splitlines()[-1] == lines[0], err
    assert "interrupted" in lines[0] and str(out) in lines[0], err
    resume = shlex.split(_repair_of(lines[0]))
    assert resume[1:] == [command, str(design), *flags, "--out", str(out)]
    assert main([*resume[1:], "--executor", "serial"]) == 0
    assert load_results(out).complete
