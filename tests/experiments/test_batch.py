"""The batch runner and store in parts: old import paths, the executors' interface, no privates.

``experiments/batch/runner.py`` and ``store.py`` were split by job (worker, executors, progress,
runner; schema, files, manifest, plan, reader, store). Every name they offered before is still
importable from them, with the same signature; the executors declare one interface and are
chosen through one table; no module of the package reads another's underscore names.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from experiments.batch import executors
from experiments.batch.executors import EXECUTOR_CLASSES, EXECUTORS, Executor, executor_class
from model.errors import ConfigError

BATCH = Path(__file__).resolve().parents[2] / "experiments" / "batch"

#: Every public name of the two modules before the split, with its signature (None: a value or
#: an exception class), and the module that defines it now.
OLD_NAMES = {
    "experiments.batch.runner": {
        "EXECUTORS": (None, "experiments.batch.executors"),
        "START_METHODS": (None, "experiments.batch.executors.local"),
        "FLUSH_ROWS": (None, "experiments.batch.runner"),
        "FLUSH_SECONDS": (None, "experiments.batch.runner"),
        "MAX_WORKERS_PER_CORE": (None, "experiments.batch.executors.base"),
        "WATCHDOG_SECONDS": (None, "experiments.batch.executors.local"),
        "usable_cores": ("() -> 'int'", "experiments.batch.executors.base"),
        "max_workers": ("() -> 'int'", "experiments.batch.executors.base"),
        "check_workers": (
            "(workers: 'int | None', name: 'str' = 'workers') -> 'list[str]'",
            "experiments.batch.executors.base",
        ),
        "start_method_for": ("(method: 'str') -> 'str'", "experiments.batch.executors.local"),
        "BatchError": (None, "experiments.batch.executors.base"),
        "RunContext": (
            "(scenario: 'Scenario', base: 'Mapping[str, Any]', steps: 'int', "
            "varied: 'tuple[str, ...]', series_columns: 'tuple[str, ...]' = (), every: 'int' = 1, "
            "reuse_worlds: 'bool' = False, batched: 'bool' = True) -> None",
            "experiments.batch.worker",
        ),
        "Task": (
            "(context: 'RunContext', run_id: 'np.ndarray', point: 'np.ndarray', "
            "replicate: 'np.ndarray', seed: 'np.ndarray', "
            "values: 'dict[str, np.ndarray]' = <factory>) -> None",
            "experiments.batch.worker",
        ),
        "ChunkResult": (
            "(columns: 'dict[str, Any]', series: 'dict[str, np.ndarray] | None', "
            "n_failed: 'int', cpu_time: 'float' = 0.0, n_batched: 'int' = 0, "
            "single_run: 'dict[str, int]' = <factory>) -> None",
            "experiments.batch.worker",
        ),
        "run_one": (
            "(context: 'RunContext', values: 'Mapping[str, Any]', seed: 'int', "
            "cache: 'dict[tuple[Any, ...], tuple[Params, Scenario]] | None' = None) -> 'Any'",
            "experiments.batch.worker",
        ),
        "BATCH_ACTORS": (None, "experiments.batch.worker"),
        "run_chunk": ("(task: 'Task') -> 'ChunkResult'", "experiments.batch.worker"),
        "Progress": (
            "(total: 'int', mode: 'str' = 'auto', stream: 'TextIO | None' = None, "
            "interval: 'float' = 10.0, callback: 'Callable[[int, int], None] | None' = None) "
            "-> 'None'",
            "experiments.batch.progress",
        ),
        "default_chunk_size": (
            "(n_runs: 'int', workers: 'int') -> 'int'",
            "experiments.batch.executors.base",
        ),
        "SessionSummary": (
            "(action: 'str', executor: 'str', workers: 'int', runs: 'int', failed: 'int', "
            "skipped: 'int', remaining: 'int', wall_time: 'float', failed_total: 'int', "
            "cpu_time: 'float' = 0.0, set_aside: 'list[str]' = <factory>, batched: 'int' = 0, "
            "single_run: 'dict[str, int]' = <factory>) -> None",
            "experiments.batch.runner",
        ),
        "run_design": (
            "(design: 'Design', out: 'str | Path', *, executor: 'str' = 'serial', "
            "workers: 'int | None' = None, scheduler: 'str | None' = None, "
            "start_method: 'str' = 'auto', chunk_size: 'int | None' = None, "
            "extend: 'bool' = False, retry_failed: 'bool' = False, "
            "allow_version_change: 'bool' = False, max_runs: 'int | None' = None, "
            "flush_rows: 'int' = 20000, progress: 'str' = 'auto', "
            "progress_interval: 'float' = 10.0, "
            "on_progress: 'Callable[[int, int], None] | None' = None, "
            "command: 'Sequence[str] | None' = None, load: 'bool' = True, "
            "batched: 'bool' = True) -> 'BatchResult'",
            "experiments.batch.runner",
        ),
    },
    "experiments.batch.store": {
        "RESULTS_SCHEMA_VERSION": (None, "experiments.batch.schema"),
        "PLAN_CHUNK": (None, "experiments.batch.plan"),
        "VERSIONED_PACKAGES": (None, "experiments.batch.manifest"),
        "INFO_PACKAGES": (None, "experiments.batch.manifest"),
        "StoreError": (None, "experiments.batch.schema"),
        "DAMAGED_DIR": (None, "experiments.batch.schema"),
        "DamagedPartError": (
            "(part: 'Path', reason: 'str', repair: 'str', *, others: 'int' = 0) -> 'None'",
            "experiments.batch.schema",
        ),
        "repair_command": (
            "(path: 'Path', manifest: 'Mapping[str, Any]') -> 'str'",
            "experiments.batch.reader",
        ),
        "LOCK_FILE": (None, "experiments.batch.files"),
        "summary_fields": ("() -> 'list[tuple[str, pa.DataType]]'", "experiments.batch.schema"),
        "results_schema": ("(varied: 'Sequence[str]') -> 'pa.Schema'", "experiments.batch.schema"),
        "series_schema": ("(columns: 'Sequence[str]') -> 'pa.Schema'", "experiments.batch.schema"),
        "points_schema": ("(varied: 'Sequence[str]') -> 'pa.Schema'", "experiments.batch.schema"),
        "PLAN_SCHEMA": (None, "experiments.batch.schema"),
        "package_versions": ("() -> 'dict[str, str]'", "experiments.batch.manifest"),
        "Pending": (
            "(run_id: 'np.ndarray', point: 'np.ndarray', replicate: 'np.ndarray', "
            "seed: 'np.ndarray') -> None",
            "experiments.batch.store",
        ),
        # the lock is now given to the constructor (optional: the old calls still work)
        "ResultsStore": (
            "(path: 'Path', manifest: 'dict[str, Any]', lock: 'Any' = None) -> 'None'",
            "experiments.batch.store",
        ),
        "BatchResult": (
            "(path: 'Path', frame: 'Any', manifest: 'dict[str, Any]', session: 'Any' = None) "
            "-> None",
            "experiments.batch.reader",
        ),
        "load_results": ("(path: 'str | Path') -> 'BatchResult'", "experiments.batch.reader"),
        "read_results": ("(path: 'str | Path') -> 'Any'", "experiments.batch.reader"),
    },
}

#: The public methods of the store before the split, with their signatures.
STORE_METHODS = {
    "open": (
        "(path: 'str | Path', design: 'Design', *, extend: 'bool' = False, "
        "allow_version_change: 'bool' = False, command: 'Sequence[str] | None' = None) "
        "-> 'tuple[ResultsStore, str]'"
    ),
    "close": "(self) -> 'None'",
    "result_parts": "(self) -> 'list[Path]'",
    "points": "(self) -> 'dict[str, np.ndarray]'",
    "repair": "(self) -> 'list[str]'",
    "status": "(self) -> 'tuple[np.ndarray, np.ndarray]'",
    "drop_failed": "(self) -> 'int'",
    "pending": "(self, finished: 'np.ndarray') -> 'Iterator[Pending]'",
    "write_part": "(self, results: 'pa.Table', series: 'pa.Table | None') -> 'Path'",
    "record_session": "(self, info: 'Mapping[str, Any]') -> 'None'",
}


def _private_reads(path: Path) -> list[str]:
    """``x._name`` reads (x not self, cls or a module outside the project) and private imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    outside = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            outside |= {
                (a.asname or a.name).split(".")[0]
                for a in node.names
                if a.name.split(".")[0] not in ("experiments", "model", "agents", "viz")
            }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
            "experiments",
            "model",
            "agents",
        ):
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name[0] == "_"]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in outside)
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


#: The runner's and the store's modules (design.py, the design files' schema, is another part).
SPLIT = [p for p in sorted(BATCH.rglob("*.py")) if p.name != "design.py"]


@pytest.mark.parametrize(
    ("old", "name"), [(old, name) for old, names in OLD_NAMES.items() for name in names]
)
def test_every_old_public_name_imports_from_its_old_path_with_its_signature(old, name):
    signature, home = OLD_NAMES[old][name]
    value = getattr(importlib.import_module(old), name)
    assert value is getattr(importlib.import_module(home), name)
    assert name in importlib.import_module(old).__all__
    if signature is not None:
        assert str(inspect.signature(value)) == signature


def test_the_store_keeps_its_public_methods():
    from experiments.batch.store import ResultsStore

    for name, signature in STORE_METHODS.items():
        assert str(inspect.signature(getattr(ResultsStore, name))) == signature
    assert isinstance(inspect.getattr_static(ResultsStore, "n_runs"), property)
    assert isinstance(inspect.getattr_static(ResultsStore, "varied"), property)


def test_the_executors_are_one_interface_chosen_through_one_table():
    from experiments.batch import runner

    assert EXECUTORS == ("serial", "local", "dask") == tuple(EXECUTOR_CLASSES)
    assert runner.EXECUTORS is EXECUTORS
    for name, cls in EXECUTOR_CLASSES.items():
        assert issubclass(cls, Executor) and cls.name == name
        assert not inspect.isabstract(cls), cls
        assert executor_class(name) is cls
        assert cls.__module__ == f"{executors.__name__}.{name}"
    assert inspect.isabstract(Executor)
    with pytest.raises(ConfigError, match="executor='threads' is not allowed; allowed: serial"):
        executor_class("threads")


@pytest.mark.parametrize("path", SPLIT, ids=lambda p: str(p.relative_to(BATCH)))
def test_no_batch_module_reads_another_modules_private_names(path):
    assert _private_reads(path) == []


@pytest.mark.parametrize("path", SPLIT, ids=lambda p: str(p.relative_to(BATCH)))
def test_batch_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600
