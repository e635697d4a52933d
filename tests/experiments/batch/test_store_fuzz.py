"""[hardening] Fuzzed results directories (#27): correct results or one line, and nothing lost.

A small finished batch (and another batch of the same shape: same points, replicates and seeds,
another base) is made once; each example copies it and applies one or two random faults to its
manifest, ``design.json``, ``design.toml``, plan and parts: truncated, bytes flipped, a field
set to a random value or removed, a file from the other batch, a part copied twice, a column
dropped, a file deleted. Then every reading command gives either the intact batch's results or
exit 2 with one line and no traceback, and changes nothing; and a resume either restores the
intact batch's results, keeping every part the faults left intact, or is refused in one line
having changed nothing.

``export`` runs in full each time; ``analyze`` and ``threshold`` read the batch through
:meth:`BatchContext.open` (the same load, whose frame must equal the intact one), and run in
full where the batch is refused (their figures take seconds where it is not).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from experiments.analysis.common import BatchContext
from experiments.batch import load_results
from experiments.cli import main
from model.errors import ConfigError
from tests.experiments.damaged import DESIGN, READERS, one_line_error, snapshot

pytestmark = pytest.mark.hardening

FILES = [
    "manifest.json",
    "design.json",
    "design.toml",
    "points.parquet",
    "plan/part-00000.parquet",
    "RESULTS",
    "SERIES",
]
MANIFEST_KEYS = [
    "n_runs",
    "n_points",
    "replicates",
    "master_seed",
    "seed_scheme",
    "design_hash",
    "extension_hash",
    "varied",
    "steps",
    "plan_parts",
    "history",
    "package_versions",
    "timeseries",
    "series_columns",
]
DESIGN_KEYS = ["steps", "master_seed", "replicates", "base", "varied", "kind", "spec"]
VALUES = st.one_of(
    st.integers(-2, 20),
    st.text(max_size=4),
    st.none(),
    st.booleans(),
    st.lists(st.integers(0, 9), max_size=2),
    st.just({}),
)

faults = st.lists(
    st.one_of(
        st.tuples(st.just("truncate"), st.sampled_from(FILES), st.floats(0, 0.99)),
        st.tuples(st.just("flip"), st.sampled_from(FILES), st.floats(0, 0.99)),
        st.tuples(st.just("delete"), st.sampled_from(FILES), st.just(0)),
        st.tuples(st.just("foreign"), st.sampled_from(FILES), st.booleans()),
        st.tuples(st.just("manifest"), st.sampled_from(MANIFEST_KEYS), VALUES),
        st.tuples(st.just("manifest-"), st.sampled_from(MANIFEST_KEYS), st.just(0)),
        st.tuples(st.just("design"), st.sampled_from(DESIGN_KEYS), VALUES),
        st.tuples(st.just("duplicate"), st.booleans(), st.just(0)),
        st.tuples(
            st.just("drop"), st.sampled_from(["held", "seed", "penalty", "steps"]), st.just(0)
        ),
    ),
    min_size=1,
    max_size=2,
)


def _part(folder: Path, sub: str) -> Path:
    return sorted((folder / sub).glob("part-*.parquet"))[0]


def _resolve(folder: Path, name: str) -> Path:
    if name == "RESULTS":
        return _part(folder, "results")
    if name == "SERIES":
        return _part(folder, "series")
    return folder / name


def _edit_json(path: Path, key: str, value: Any) -> None:
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        return
    if value is _DELETE:
        data.pop(key, None)
    else:
        data[key] = value
    path.write_text(json.dumps(data))


_DELETE = object()


def _apply(folder: Path, other: Path, fault: tuple[str, Any, Any]) -> set[str]:
    """Apply one fault; return the names of the results parts it touched."""
    kind, what, arg = fault
    touched: set[str] = set()
    if kind in ("duplicate", "drop") or what in ("RESULTS", "SERIES"):
        sub = "series" if what == "SERIES" else "results"
        if not list((folder / sub).glob("part-*")):
            return touched
    if kind == "truncate":
        target = _resolve(folder, what)
        if target.is_file():
            os.truncate(target, int(target.stat().st_size * arg))
            touched.add(target.name)
    elif kind == "flip":
        target = _resolve(folder, what)
        if target.is_file():
            data = bytearray(target.read_bytes())
            if data:
                i = int(len(data) * arg)
                data[i] ^= 0xFF
                target.write_bytes(bytes(data))
                touched.add(target.name)
    elif kind == "delete":
        target = _resolve(folder, what)
        if target.is_file():
            target.unlink()
            touched.add(target.name)
    elif kind == "foreign":
        target = _resolve(folder, what)
        source = _resolve(other, what)
        if what in ("RESULTS", "SERIES") and arg:  # alongside ours, under another name
            target = target.with_name("part-zz-foreign.parquet")
        shutil.copyfile(source, target)
        touched.add(target.name)
    elif kind in ("manifest", "manifest-", "design"):
        target = folder / ("design.json" if kind == "design" else "manifest.json")
        try:
            _edit_json(target, what, _DELETE if kind == "manifest-" else arg)
        except (OSError, ValueError, AttributeError, TypeError):  # not a JSON object already
            pass
    elif kind == "duplicate":
        part = _part(folder, "results")
        shutil.copyfile(part, part.with_name("part-zz-copy.parquet"))
        if what and (folder / "series" / part.name).is_file():
            shutil.copyfile(folder / "series" / part.name, folder / "series/part-zz-copy.parquet")
    elif kind == "drop":
        part = _part(folder, "results")
        try:
            table = pq.read_table(part)
        except (OSError, ValueError):  # damaged already
            return touched
        if what in table.column_names:
            pq.write_table(table.drop_columns([what]), part)
            touched.add(part.name)
    return touched


@pytest.fixture(scope="module")
def batches(finished, tmp_path_factory):
    """The intact batch, its export and frame, and the other batch (made once)."""
    design, intact = finished
    root = tmp_path_factory.mktemp("fuzz")
    other_design = root / "other.toml"
    other_design.write_text(DESIGN.replace("n_labs = 2", "n_labs = 3"))
    other = root / "other"
    assert (
        main(["sweep", str(other_design), "--executor", "serial", "--out", str(other), "-q"]) == 0
    )
    csv = root / "intact.csv"
    assert main(["export", str(intact), "--csv", "--out", str(csv)]) == 0
    return design, intact, other, csv.read_bytes(), load_results(intact).frame


def _reads(folder: Path, intact_csv: bytes, frame: pd.DataFrame, capsys: Any) -> None:
    before = snapshot(folder)
    out = folder.parent / "out.csv"
    out.unlink(missing_ok=True)
    capsys.readouterr()
    code = main(READERS["export"](folder))
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 0:
        assert out.read_bytes() == intact_csv
    else:
        one_line_error(err)
    try:
        context = BatchContext.open(folder)
    except ConfigError as exc:
        assert code == 2
        assert "\n" not in str(exc)
        for command in ("analyze", "threshold"):
            assert main(READERS[command](folder)) == 2
            one_line_error(capsys.readouterr().err)
    else:
        assert code == 0
        pd.testing.assert_frame_equal(context.result.frame, frame)
    assert snapshot(folder) == before  # reading changes nothing


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(faults=faults)
@example(faults=[("delete", "manifest.json", 0)])
@example(faults=[("flip", "points.parquet", 0.25), ("delete", "plan/part-00000.parquet", 0)])
@example(faults=[("truncate", "design.json", 0.0), ("manifest", "master_seed", 0)])
def test_a_fuzzed_results_directory_gives_its_results_or_one_line(batches, capsys, faults):
    design, intact, other, intact_csv, frame = batches
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        shutil.copytree(intact, folder)
        parts = {p.name: p.read_bytes() for p in (folder / "results").glob("part-*.parquet")}
        touched: set[str] = set()
        for fault in faults:
            touched |= _apply(folder, other, fault)
        _reads(folder, intact_csv, frame, capsys)
        before = snapshot(folder)
        code = main(["sweep", str(design), "--executor", "serial", "-q", "--out", str(folder)])
        err = capsys.readouterr().err
        assert code in (0, 2), err
        if code == 2:
            one_line_error(err)
            assert snapshot(folder) == before  # a refused resume changes nothing
            return
        assert "Traceback" not in err
        pd.testing.assert_frame_equal(load_results(folder).frame, frame)
        for name, data in parts.items():  # no intact part is ever set aside
            if name not in touched:
                assert (folder / "results" / name).read_bytes() == data, name
