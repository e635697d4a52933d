"""Experiment designs: TOML files under ``experiments/designs/``, validated whole, then generated.

A design names a base (a scenario and parameter overrides), the design points (a full-factorial
``[sweep]`` or a ``[sample]`` drawn with ``scipy.stats.qmc``), the number of replicates, the
number of steps, the master seed and the seed scheme, and which outputs to keep::

    [meta]
    name = "stability_map"
    title = "Where does a verified pause hold?"

    [base]
    scenario = "default"          # optional: a shipped scenario name or a .toml file
    [base.params]                 # optional: any schema parameter but seed and steps
    n_nations = 30

    [sweep]                       # full factorial over every axis
    p_detect = { start = 0.0, stop = 1.0, num = 21 }     # inclusive, like numpy.linspace
    penalty = [2.0, 4.0, 8.0]                            # or a list
    # n_labs = { start = 0, stop = 100, step = 20 }      # inclusive of stop

    # [sample]                    # instead of [sweep]
    # method = "lhs"              # or "sobol" (n a power of two)
    # n = 64
    # [sample.params]
    # p_detect = {}               # the registry's range (verification), else the schema's
    # penalty = [0.0, 10.0]       # or an explicit [low, high]

    [run]
    replicates = 20
    steps = 200
    master_seed = 20260601        # required; a `seed` anywhere in a design is an error
    seed_scheme = "independent"   # or "common"

    [outputs]
    timeseries = false            # per-step series as well as per-run summaries
    every = 10                    # keep every k-th step (0, k, 2k, ... and the last)
    columns = ["weighted_compliance"]   # default: every time-series column

**Seeds.** Every run's seed is derived with :class:`numpy.random.SeedSequence` and stored as a
plain integer with its results. Under ``independent`` the spawn key is (design point,
replicate), where the point is identified by its values (a 64-bit hash of the varied
parameters, so extending a design never changes the seeds of its existing runs); under
``common`` it is (replicate,) alone, so every point sees the same random numbers in a
replicate (common random numbers: smoother maps, sharper differences between points).

Example:
    >>> from experiments.batch.design import load_design
    >>> d = load_design("stability_map")
    >>> d.n_points, d.replicates, d.n_runs
    (441, 20, 8820)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments.batch.design_points import (
    MAX_RUNS,
    check_size,
    sample_points,
    sweep_points,
    sweep_sizes,
)
from experiments.batch.design_tables import (
    COLUMNS,
    SAMPLE_METHODS,
    SEED_MASK,
    SEED_SCHEMES,
    Base,
    DesignError,
    DesignTables,
    Outputs,
    Run,
    Sample,
)
from experiments.files import list_shipped, read_toml, shipped_dir, shipped_or_path
from experiments.scenarios import load_scenario
from model.errors import ConfigError
from model.params import resolve_run, schema
from model.scenario import Scenario, fit_nations
from model.tables import Table, check_keys, parse

__all__ = [
    "MAX_RUNS",
    "SAMPLE_METHODS",
    "Design",
    "DesignError",
    "SEED_SCHEMES",
    "derive_seeds",
    "design_from_mapping",
    "extension_hash_of",
    "hash_of",
    "design_path",
    "list_designs",
    "load_design",
    "point_keys",
]


@dataclass(frozen=True)
class Design:
    """A validated experiment design.

    Attributes:
        name: The design's name (``[meta] name``, else the file's stem).
        meta: The ``[meta]`` table.
        scenario: The base scenario (empty when the design names none).
        scenario_source: What ``[base] scenario`` said (a name or a path), or None.
        base: The base parameter overrides, validated (over the scenario's ``[params]``).
        varied: Names of the parameters that vary between points, in column order.
        points: The design points: one array per varied parameter, all of length ``n_points``.
        replicates: Runs per point.
        steps: Steps per run.
        master_seed: The seed every run's seed is derived from.
        seed_scheme: ``independent`` or ``common``.
        timeseries: Whether per-step series are kept.
        every: Keep every k-th step of the series.
        columns: The series columns kept.
        kind: ``sweep``, ``sample`` or ``single`` (no varied parameter).
        spec: The normalised ``[sweep]``/``[sample]`` specification (for hashing and extending).
        source: Where the design came from (a file name), for messages.
        text: The design file's text, when it came from a file.
    """

    name: str
    meta: Mapping[str, Any]
    scenario: Scenario
    scenario_source: str | None
    base: Mapping[str, Any]
    varied: tuple[str, ...]
    points: Mapping[str, np.ndarray]
    replicates: int
    steps: int
    master_seed: int
    seed_scheme: str
    timeseries: bool = False
    every: int = 1
    columns: tuple[str, ...] = COLUMNS
    kind: str = "single"
    spec: Mapping[str, Any] = field(default_factory=dict)
    source: str = "design"
    text: str | None = None

    @property
    def n_points(self) -> int:
        """Number of design points."""
        if not self.varied:
            return 1
        return len(self.points[self.varied[0]])

    @property
    def n_runs(self) -> int:
        """Number of runs (points times replicates)."""
        return self.n_points * self.replicates

    def point(self, i: int) -> dict[str, Any]:
        """The varied values of point ``i`` as plain Python values."""
        return {name: _plain(self.points[name][i]) for name in self.varied}

    def params_at(self, i: int) -> dict[str, Any]:
        """Every parameter override of point ``i``: scenario ``[params]`` < base < point."""
        return {
            **dict(self.scenario.params),
            **dict(self.base),
            **self.point(i),
            "steps": self.steps,
        }

    def normalized(self, *, for_extension: bool = False) -> dict[str, Any]:
        """The design as a canonical JSON-ready mapping (what the design hash covers).

        ``[meta]`` is left out (renaming a design does not change it). With
        ``for_extension``, the points and the number of replicates are left out too: two
        designs equal there may extend one another.
        """
        out: dict[str, Any] = {
            "scenario": _jsonable(self.scenario.to_mapping()) if self.scenario_source else None,
            "base": _jsonable(dict(self.base)),
            "varied": list(self.varied),
            "kind": self.kind,
            "steps": self.steps,
            "master_seed": self.master_seed,
            "seed_scheme": self.seed_scheme,
            "outputs": {
                "timeseries": self.timeseries,
                "every": self.every,
                "columns": list(self.columns),
            }
            if self.timeseries
            else {"timeseries": False},
        }
        if isinstance(out["scenario"], dict):
            out["scenario"].pop("meta", None)
        if not for_extension:
            out["spec"] = _jsonable(dict(self.spec))
            out["replicates"] = self.replicates
        elif self.kind == "sample":
            out["method"] = self.spec.get("method")
            out["ranges"] = _jsonable(self.spec.get("params"))
        return out

    @property
    def hash(self) -> str:
        """SHA-256 of :meth:`normalized` (hex): equal designs, equal hash."""
        return hash_of(self.normalized())

    @property
    def extension_hash(self) -> str:
        """The hash of everything but the points and the number of replicates."""
        return extension_hash_of(self.normalized())


# ------------------------------------------------------------------------------ loading
def _shipped_dir() -> Path:
    return shipped_dir("designs")


def list_designs() -> list[str]:
    """Names of the designs shipped under ``experiments/designs/``."""
    return list_shipped("designs")


def design_path(path_or_name: str | Path) -> Path:
    """The file a design argument refers to: a path, or the name of a shipped design.

    Raises:
        DesignError: For a missing file or an unknown name.
    """
    return shipped_or_path(path_or_name, "designs", "design", DesignError)


def load_design(path_or_name: str | Path) -> Design:
    """Read and validate a design file (a path, or the name of a shipped design).

    A relative ``[base] scenario`` path is read relative to the design file.

    Raises:
        DesignError: Naming the file, the table and the field.
    """
    path = design_path(path_or_name)
    source = path.name
    data, text = read_toml(path, "design", DesignError)
    return design_from_mapping(
        data, source=source, base_dir=path.parent, text=text, default_name=path.stem
    )


def design_from_mapping(
    data: Mapping[str, Any],
    *,
    source: str = "design",
    base_dir: str | Path | None = None,
    text: str | None = None,
    default_name: str = "design",
) -> Design:
    """Validate a parsed design (the tables of a design file) and generate its points.

    Its tables are declared in :mod:`experiments.batch.design_tables`.

    Args:
        data: The parsed tables (``meta``, ``base``, ``sweep`` or ``sample``, ``run``,
            ``outputs``).
        source: Where it came from, for messages.
        base_dir: Folder that a relative ``[base] scenario`` path is relative to.
        text: The file's text, kept with the results.
        default_name: The name when ``[meta]`` gives none.

    Raises:
        DesignError: For any problem, naming the source, the table and the field.
    """
    where = f"{source}: "
    tables = parse(DesignTables, data, where, DesignError)
    parts: list[tuple[type[Table], dict[str, Any], str]] = [
        (Base, tables.base, where),
        (Sample, tables.sample, where),
        (Run, tables.run, f"{where}[run] "),
        (Outputs, tables.outputs, f"{where}[outputs] "),
    ]
    for part, raw, at in parts:  # unknown keys anywhere first, as a typo is the likely cause
        check_keys(part, raw, at, DesignError)
    if "sweep" in data and "sample" in data:
        raise DesignError(f"{source}: give [sweep] or [sample], not both")
    base_t = parse(Base, tables.base, where, DesignError)
    run = parse(Run, tables.run, f"{where}[run] ", DesignError)
    outputs = parse(Outputs, tables.outputs, f"{where}[outputs] ", DesignError)
    meta = dict(tables.meta)
    name = meta.get("name", default_name)
    if (
        not isinstance(name, str)
        or not name.strip()
        or any(c in name for c in "/\\\0")
        or name.startswith(".")
    ):
        raise DesignError(
            f"{source}: [meta] name={name!r} is not allowed; allowed: a "
            "non-empty text without '/' or '\\' that does not start with '.' "
            "(it names the default results folder batches/NAME/)"
        )
    scenario, scenario_source = Scenario(), base_t.scenario
    if scenario_source is not None:
        ref: str | Path = scenario_source
        if base_dir is not None and ("/" in scenario_source or scenario_source.endswith(".toml")):
            candidate = Path(base_dir) / scenario_source
            ref = candidate if candidate.is_file() else Path(scenario_source)
        try:
            scenario, _ = load_scenario(ref)
        except ConfigError as exc:
            raise DesignError(f"{source}: [base] scenario: {exc}") from None
    base = dict(base_t.params)
    master_seed = run.master_seed
    if master_seed is None:
        suggestion = int(np.random.SeedSequence().entropy % 10**9)  # type: ignore[operator]
        raise DesignError(
            f"{source}: [run] master_seed is required (every run's seed is "
            f"derived from it); add e.g. master_seed = {suggestion}"
        )
    table = schema()
    steps = run.steps
    if steps is None:
        steps = scenario.params.get("steps", table["steps"].default)

    # --- points
    if "sweep" in data:
        kind = "sweep"
        check_size(sweep_sizes(tables.sweep), run.replicates, source, "[sweep]")
        varied, points, spec = sweep_points(tables.sweep, table, source)
    elif "sample" in data:
        kind = "sample"
        n = tables.sample.get("n")
        if isinstance(n, int) and not isinstance(n, bool):  # a plan too large, before the rest
            check_size([n], run.replicates, source, "[sample] n")
        sample_t = parse(Sample, tables.sample, where, DesignError)
        regime = base.get("verification", scenario.params.get("verification"))
        varied, points, spec = sample_points(sample_t, table, source, master_seed, regime=regime)
    else:
        kind, varied, points, spec = "single", (), {}, {}
        check_size([1], run.replicates, source, "[run]")
    for key in varied:
        if key in base:
            raise DesignError(
                f"{source}: {key!r} is both in [base.params] and varied by "
                f"[{kind}]; give it in one place"
            )

    design = Design(
        name=name,
        meta=meta,
        scenario=scenario,
        scenario_source=scenario_source,
        base=base,
        varied=varied,
        points=points,
        replicates=run.replicates,
        steps=steps,
        master_seed=master_seed,
        seed_scheme=run.seed_scheme,
        timeseries=outputs.timeseries,
        every=outputs.every,
        columns=tuple(outputs.columns),
        kind=kind,
        spec=spec,
        source=source,
        text=text,
    )
    _check_points(design)
    return design


def _check_points(design: Design) -> None:
    """Resolve the base with every point (the first 20,000 of a larger design) once.

    Raises:
        DesignError: naming the point, for values that do not fit together.
    """
    limit = min(design.n_points, 20_000)
    for i in range(limit):
        values = design.params_at(i)
        try:
            sc, _ = fit_nations(design.scenario, values)
            resolve_run(values, sc, draw_seed=False)
        except ConfigError as exc:
            where = f" at point {design.point(i)}" if design.varied else ""
            raise DesignError(f"{design.source}{where}: {exc}") from None


# ------------------------------------------------------------------------------ seeds
def point_keys(design: Design) -> np.ndarray:
    """A 64-bit key per point, from its varied values (uint64; 0 for a design without any)."""
    keys = np.zeros(design.n_points, dtype=np.uint64)
    if not design.varied:
        return keys
    cols = [design.points[name] for name in design.varied]
    for i in range(design.n_points):
        text = json.dumps(
            [[name, _plain(col[i])] for name, col in zip(design.varied, cols, strict=True)],
            separators=(",", ":"),
        )
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        keys[i] = int.from_bytes(digest, "little")
    return keys


def derive_seeds(
    master_seed: int, scheme: str, point_key: np.ndarray, replicate: np.ndarray
) -> np.ndarray:
    """The seed of each run (int64, non-negative), from SeedSequence.

    Args:
        master_seed: The design's master seed.
        scheme: ``independent`` (spawn key: point key, replicate) or ``common`` (replicate).
        point_key: The point key of each run (uint64).
        replicate: The replicate number of each run.
    """
    out = np.empty(len(replicate), dtype=np.int64)
    cache: dict[int, int] = {}
    for i, (key, rep) in enumerate(zip(point_key.tolist(), replicate.tolist(), strict=True)):
        if scheme == "common":
            if rep not in cache:
                cache[rep] = _seed(master_seed, (rep,))
            out[i] = cache[rep]
        else:
            out[i] = _seed(master_seed, (key, rep))
    return out


def _seed(master_seed: int, spawn_key: tuple[int, ...]) -> int:
    ss = np.random.SeedSequence(master_seed, spawn_key=spawn_key)
    return int(ss.generate_state(1, np.uint64)[0]) & SEED_MASK


# ------------------------------------------------------------------------------ helpers
def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    return _plain(x)


def hash_of(normalized: Mapping[str, Any]) -> str:
    """The design hash of a normalised design (:meth:`Design.normalized`, ``design.json``)."""
    return _digest(normalized)


def extension_hash_of(normalized: Mapping[str, Any]) -> str:
    """The extension hash of a normalised design (``design.json``).

    As :attr:`Design.extension_hash` gives it: everything but the points and the replicates.
    """
    out = {k: v for k, v in normalized.items() if k not in ("spec", "replicates")}
    if normalized.get("kind") == "sample":
        spec = normalized.get("spec")
        spec = spec if isinstance(spec, Mapping) else {}
        out["method"] = spec.get("method")
        out["ranges"] = spec.get("params")
    return _digest(out)


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()
