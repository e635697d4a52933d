"""A small finished batch's design and how the hostile-user tests damage its files (the batch
itself is the ``finished`` fixture of conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

DESIGN = """
[meta]
name = "hard"
[base.params]
n_nations = 3
n_labs = 2
[sweep]
p_detect = [0.1, 0.9]
penalty = [1.0, 9.0]
[run]
replicates = 2
steps = 12
master_seed = 11
[outputs]
timeseries = true
every = 4
columns = ["weighted_compliance"]
"""


READERS = {
    "analyze": lambda d: ["analyze", str(d)],
    "export": lambda d: ["export", str(d), "--csv", "--out", str(d.parent / "out.csv")],
    "threshold": lambda d: ["threshold", str(d)],
}


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("pausegame: error: ")
    return lines[0]


def damage(part: Path, how: str) -> None:
    if how == "truncate":
        os.truncate(part, 300)
    elif how == "empty":
        part.write_bytes(b"")
    elif how == "garbage":
        part.write_text("not a parquet file\n" * 20)
    elif how == "flipped":
        data = bytearray(part.read_bytes())
        middle = len(data) // 3
        for i in range(middle, middle + 64):
            data[i] ^= 0xFF
        part.write_bytes(bytes(data))
    elif how == "foreign":
        pq.write_table(pa.table({"x": [1, 2]}), part)
    else:  # pragma: no cover
        raise AssertionError(how)


def results_part(folder: Path, sub: str = "results") -> Path:
    parts = sorted((folder / sub).glob("part-*.parquet"))
    assert parts
    return parts[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its content (a refused command changes none)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
