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

import difflib
import hashlib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments.files import list_shipped, shipped_dir, shipped_or_path
from experiments.scenarios import load_scenario
from model.errors import ConfigError
from model.metrics import TIMESERIES_COLUMNS
from model.params import coerce, resolve_run, schema, unknown_name_error
from model.scenario import Scenario, fit_nations

__all__ = [
    "Design",
    "DesignError",
    "SEED_SCHEMES",
    "derive_seeds",
    "design_from_mapping",
    "design_path",
    "list_designs",
    "load_design",
    "point_keys",
]

#: How run seeds are derived (see the module docstring).
SEED_SCHEMES = ("independent", "common")

#: Sampling methods of ``[sample]``.
SAMPLE_METHODS = ("lhs", "sobol")

_TABLES: dict[str, tuple[str, ...]] = {
    "meta": (),  # free-form
    "base": ("scenario", "params"),
    "sweep": (),  # parameter names
    "sample": ("method", "n", "params"),
    "run": ("replicates", "steps", "master_seed", "seed_scheme"),
    "outputs": ("timeseries", "every", "columns"),
}

#: Parameters a design may not set or vary: the run's seed comes from ``master_seed`` and the
#: number of steps is ``[run] steps``.
_RESERVED = {
    "seed": "a design has no `seed`: every run's seed is derived from [run] "
    "master_seed (see seed_scheme)",
    "steps": "give the number of steps once, as [run] steps",
}

#: Bits kept of a derived seed (a plain non-negative int64).
_SEED_MASK = (1 << 63) - 1

#: The most runs (points x replicates) one design may have: checked before any point is
#: generated, so a design of 100,000 x 100,000 points is refused at once.
MAX_RUNS = 10_000_000


class DesignError(ConfigError):
    """A design file or mapping that is not valid (names the file, the table and the field)."""


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
    columns: tuple[str, ...] = tuple(c for c in TIMESERIES_COLUMNS if c != "step")
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
        return _digest(self.normalized())

    @property
    def extension_hash(self) -> str:
        """The hash of everything but the points and the number of replicates."""
        return _digest(self.normalized(for_extension=True))


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
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DesignError(f"{source}: cannot read the file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DesignError(f"{source}: TOML syntax error: {exc}") from None
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
    if not isinstance(data, Mapping):
        raise DesignError(f"{source}: a design must be a table")
    for key in data:
        if key not in _TABLES:
            raise DesignError(
                f"{source}: unknown table [{key}]{_hint(key, _TABLES)}; allowed: "
                + ", ".join(f"[{t}]" for t in _TABLES)
            )
    tables = {key: _table(data, key, source) for key in _TABLES}
    for key, allowed in _TABLES.items():
        if allowed:
            for fld in tables[key]:
                if fld not in allowed:
                    raise DesignError(
                        f"{source}: [{key}] unknown field {fld!r}"
                        f"{_hint(fld, allowed)}; allowed: {', '.join(allowed)}"
                    )
    if "sweep" in data and "sample" in data:
        raise DesignError(f"{source}: give [sweep] or [sample], not both")
    meta = dict(tables["meta"])
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

    # --- base
    base_t = tables["base"]
    scenario, scenario_source = Scenario(), None
    if "scenario" in base_t:
        scenario_source = base_t["scenario"]
        if not isinstance(scenario_source, str) or not scenario_source:
            raise DesignError(
                f"{source}: [base] scenario: expected a scenario name or a .toml path"
            )
        ref: str | Path = scenario_source
        if base_dir is not None and ("/" in scenario_source or scenario_source.endswith(".toml")):
            candidate = Path(base_dir) / scenario_source
            ref = candidate if candidate.is_file() else Path(scenario_source)
        try:
            scenario, _ = load_scenario(ref)
        except ConfigError as exc:
            raise DesignError(f"{source}: [base] scenario: {exc}") from None
    base_params = _table(base_t, "params", source, where="[base.params]")
    table = schema()
    base: dict[str, Any] = {}
    for key, value in base_params.items():
        base[key] = _value(key, value, table, source, "[base.params]")

    # --- run
    run = tables["run"]
    replicates = _int_field(run, "replicates", source, "[run]", default=1, low=1)
    master_seed = _int_field(
        run, "master_seed", source, "[run]", default=None, low=0, high=_SEED_MASK
    )
    if master_seed is None:
        suggestion = int(np.random.SeedSequence().entropy % 10**9)  # type: ignore[operator]
        raise DesignError(
            f"{source}: [run] master_seed is required (every run's seed is "
            f"derived from it); add e.g. master_seed = {suggestion}"
        )
    default_steps = scenario.params.get("steps", table["steps"].default)
    steps = _int_field(run, "steps", source, "[run]", default=default_steps, low=1)
    scheme = run.get("seed_scheme", "independent")
    if scheme not in SEED_SCHEMES:
        raise DesignError(
            f"{source}: [run] seed_scheme={scheme!r} is not allowed; allowed: "
            + ", ".join(repr(s) for s in SEED_SCHEMES)
        )

    # --- outputs
    out_t = tables["outputs"]
    timeseries = out_t.get("timeseries", False)
    if not isinstance(timeseries, bool):
        raise DesignError(
            f"{source}: [outputs] timeseries={timeseries!r} is not allowed; allowed: true or false"
        )
    every = _int_field(out_t, "every", source, "[outputs]", default=1, low=1)
    all_columns = tuple(c for c in TIMESERIES_COLUMNS if c != "step")
    columns = out_t.get("columns", list(all_columns))
    if not isinstance(columns, list) or not columns:
        raise DesignError(
            f"{source}: [outputs] columns: expected a non-empty list of time-series columns"
        )
    for col in columns:
        if col not in all_columns:
            raise DesignError(
                f"{source}: [outputs] columns: unknown column {col!r}"
                f"{_hint(str(col), all_columns)}; allowed: " + ", ".join(all_columns)
            )

    # --- points
    if "sweep" in data:
        kind = "sweep"
        _check_size(_sweep_sizes(tables["sweep"]), replicates, source, "[sweep]")
        varied, points, spec = _sweep(tables["sweep"], table, source)
    elif "sample" in data:
        kind = "sample"
        n = tables["sample"].get("n")
        if isinstance(n, int) and not isinstance(n, bool):
            _check_size([n], replicates, source, "[sample] n")
        regime = base.get("verification", scenario.params.get("verification"))
        varied, points, spec = _sample(tables["sample"], table, source, master_seed, regime=regime)
    else:
        kind, varied, points, spec = "single", (), {}, {}
        _check_size([1], replicates, source, "[run]")
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
        replicates=replicates,
        steps=steps,
        master_seed=master_seed,
        seed_scheme=scheme,
        timeseries=timeseries,
        every=every,
        columns=tuple(columns),
        kind=kind,
        spec=spec,
        source=source,
        text=text,
    )
    _check_points(design)
    return design


def _hint(name: str, allowed: Sequence[str] | Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _table(
    data: Mapping[str, Any], key: str, source: str, *, where: str | None = None
) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise DesignError(f"{source}: {where or f'[{key}]'} must be a table")
    return value


def _int_field(
    t: Mapping[str, Any],
    key: str,
    source: str,
    where: str,
    *,
    default: Any,
    low: int,
    high: int | None = None,
) -> Any:
    if key not in t:
        return default
    value = t[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        allowed = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
        raise DesignError(f"{source}: {where} {key}={value!r} is not allowed; allowed: {allowed}")
    return int(value)


def _sweep_sizes(t: Mapping[str, Any]) -> list[int]:
    """The number of values of each ``[sweep]`` axis, from its specification alone.

    Axes whose size cannot be told (a malformed range) count 1 here; generating them reports
    the problem.
    """
    sizes = []
    for spec in t.values():
        size = 1
        if isinstance(spec, list):
            size = len(spec)
        elif isinstance(spec, Mapping):
            nums = {k: spec.get(k) for k in ("start", "stop", "num", "step")}
            ok = {
                k: v
                for k, v in nums.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            }
            if "num" in ok and ok["num"] >= 1 and float(ok["num"]).is_integer():
                size = int(ok["num"])
            elif (
                {"start", "stop", "step"} <= set(ok)
                and ok["step"] > 0
                and ok["stop"] >= ok["start"]
            ):
                size = int(math.floor((ok["stop"] - ok["start"]) / ok["step"] + 1e-9)) + 1
        sizes.append(max(1, size))
    return sizes


def _check_size(sizes: Sequence[int], replicates: int, source: str, where: str) -> None:
    """Refuse a design too large, before any point is generated.

    Too large is more than :data:`MAX_RUNS` runs, or a plan that would not fit in this
    machine's memory (:func:`experiments.limits.check_plan`).
    """
    from experiments.limits import check_plan

    points = math.prod(sizes)
    runs = points * replicates
    if runs <= MAX_RUNS:
        try:
            check_plan(points, len(sizes), replicates=replicates, where=f"{source}: {where}")
        except ConfigError as exc:
            raise DesignError(str(exc)) from None
        return
    shape = " x ".join(f"{n:,}" for n in sizes)
    given = f"{shape} = {points:,} points" if len(sizes) > 1 else f"{points:,} points"
    raise DesignError(
        f"{source}: {where} gives {given} x {replicates:,} replicates = "
        f"{runs:,} runs; allowed: at most {MAX_RUNS:,} runs in one design "
        "(fewer values or replicates, or split it into several designs)"
    )


def _param(key: str, table: Mapping[str, Any], source: str, where: str) -> Any:
    if key in _RESERVED:
        raise DesignError(f"{source}: {where} {key}: {_RESERVED[key]}")
    if key not in table:
        raise DesignError(f"{source}: {where} {unknown_name_error(key, table)}")
    return table[key]


def _value(key: str, value: Any, table: Mapping[str, Any], source: str, where: str) -> Any:
    p = _param(key, table, source, where)
    try:
        return coerce(p, value)
    except ConfigError as exc:
        raise DesignError(f"{source}: {where} {exc}") from None


def _clean(x: float) -> float:
    """A float from ``linspace``/``arange`` without its last-bit noise (0.30000000000000004)."""
    return float(f"{x:.12g}")


def _sweep(
    t: Mapping[str, Any], table: Mapping[str, Any], source: str
) -> tuple[tuple[str, ...], dict[str, np.ndarray], dict[str, Any]]:
    if not t:
        raise DesignError(
            f"{source}: [sweep] is empty; give at least one parameter with its "
            "values, e.g. p_detect = [0.1, 0.5, 0.9]"
        )
    axes: dict[str, list[Any]] = {}
    for key, spec in t.items():
        where = f"[sweep] {key}"
        p = _param(key, table, source, "[sweep]")
        if isinstance(spec, list):
            raw = spec
        elif isinstance(spec, Mapping):
            raw = _range(spec, p, source, where)
        else:
            raw = [spec]
        if not raw:
            raise DesignError(f"{source}: {where}: empty list of values; give at least one")
        values = []
        for v in raw:
            try:
                values.append(coerce(p, v))
            except ConfigError as exc:
                raise DesignError(f"{source}: {where}: {exc}") from None
        if len(set(values)) != len(values):
            dup = next(v for v in values if values.count(v) > 1)
            raise DesignError(f"{source}: {where}: value {dup!r} is listed twice")
        axes[key] = values
    varied = tuple(axes)
    n = math.prod(len(v) for v in axes.values())
    from experiments.limits import check_plan  # refuse a plan that cannot fit, before np.indices

    check_plan(n, len(axes), where=f"{source}: [sweep]")
    grids = np.indices([len(v) for v in axes.values()]).reshape(len(axes), n)
    points = {
        key: _column([axes[key][i] for i in grids[j]], table[key].kind)
        for j, key in enumerate(varied)
    }
    return varied, points, {"axes": axes}


def _range(spec: Mapping[str, Any], p: Any, source: str, where: str) -> list[Any]:
    keys = set(spec)
    if (
        not keys <= {"start", "stop", "num", "step"}
        or not {"start", "stop"} <= keys
        or len(keys & {"num", "step"}) != 1
    ):
        raise DesignError(
            f"{source}: {where}: a range is {{ start, stop, num }} or "
            f"{{ start, stop, step }} (both inclusive of stop), or give a list; "
            f"got {dict(spec)!r}"
        )
    if p.kind == "choice":
        raise DesignError(f"{source}: {where}: a choice parameter takes a list of values")
    nums = {}
    for k in keys:
        v = spec[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise DesignError(f"{source}: {where}: {k}={v!r} is not a number")
        nums[k] = float(v)
    start, stop = nums["start"], nums["stop"]
    if "num" in nums:
        num = nums["num"]
        if not num.is_integer() or num < 1:
            raise DesignError(
                f"{source}: {where}: num={spec['num']!r} is not allowed; allowed: an integer >= 1"
            )
        values = [start] if num == 1 else np.linspace(start, stop, int(num)).tolist()
    else:
        step = nums["step"]
        if step <= 0 or stop < start:
            raise DesignError(f"{source}: {where}: step must be > 0 and stop >= start")
        count = int(math.floor((stop - start) / step + 1e-9)) + 1
        if count > MAX_RUNS:
            raise DesignError(
                f"{source}: {where}: {count:,} values are too many; allowed: at "
                f"most {MAX_RUNS:,} runs in one design"
            )
        values = [start + i * step for i in range(count)]
    if p.kind == "int":
        if any(abs(v - round(v)) > 1e-9 for v in values):
            raise DesignError(
                f"{source}: {where}: {p.name} is an integer parameter but the "
                "range gives non-integer values"
            )
        return [int(round(v)) for v in values]
    return [_clean(v) for v in values]


def _sample(
    t: Mapping[str, Any],
    table: Mapping[str, Any],
    source: str,
    master_seed: int,
    regime: str | None = None,
) -> tuple[tuple[str, ...], dict[str, np.ndarray], dict[str, Any]]:
    """The ``[sample]`` points: ``name = {}`` samples the registry's range where it has one.

    A verification parameter's ``{}`` range comes from the verification sources registry
    (``model/verification/sources.toml``): the base regime's entry for it, else the envelope of
    all regimes' ranges (``[parameters]``); any other parameter's from the schema. The spec
    records which ranges came from the registry (``registry_ranges``).
    """
    from scipy.stats import qmc

    from model.verification.sources import registry

    method = t.get("method", "lhs")
    if method not in SAMPLE_METHODS:
        raise DesignError(
            f"{source}: [sample] method={method!r} is not allowed; allowed: "
            + ", ".join(repr(m) for m in SAMPLE_METHODS)
        )
    n = t.get("n")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DesignError(
            f"{source}: [sample] n={n!r} is not allowed; allowed: an integer "
            ">= 1 (the number of points)"
        )
    if method == "sobol" and n & (n - 1):
        raise DesignError(
            f"{source}: [sample] n={n} is not allowed for sobol; allowed: a "
            f"power of two (e.g. {1 << (n.bit_length() - 1)} or "
            f"{1 << n.bit_length()}), which keeps the sequence balanced"
        )
    params_t = _table(t, "params", source, where="[sample.params]")
    if not params_t:
        raise DesignError(
            f"{source}: [sample.params] is empty; name at least one parameter, "
            "e.g. p_detect = {} for its whole range"
        )
    ranges: dict[str, Any] = {}
    from_registry: dict[str, str] = {}
    regime_varied = "verification" in params_t
    for key, spec in params_t.items():
        where = f"[sample.params] {key}"
        p = _param(key, table, source, "[sample.params]")
        if p.kind == "choice":
            choices = list(p.choices) if spec in ({}, True) else spec
            if (
                not isinstance(choices, list)
                or not choices
                or any(c not in p.choices for c in choices)
            ):
                raise DesignError(
                    f"{source}: {where}: give {{}} (every choice) or a list of "
                    f"choices; allowed: {p.bounds_text()}"
                )
            ranges[key] = list(choices)
            continue
        if spec in ({}, True):
            cited = registry().design_range(key, None if regime_varied else regime)
            if cited is not None:
                low, high, from_registry[key] = cited
            elif p.range is None:
                raise DesignError(
                    f"{source}: {where}: the schema declares no range for {key}; give [low, high]"
                )
            else:
                low, high = p.range
        elif isinstance(spec, list) and len(spec) == 2:
            low, high = spec
        elif isinstance(spec, Mapping) and set(spec) == {"low", "high"}:
            low, high = spec["low"], spec["high"]
        else:
            raise DesignError(
                f"{source}: {where}: give {{}} (the schema's range), [low, high] "
                f"or {{ low = .., high = .. }}; got {spec!r}"
            )
        try:
            low, high = coerce(p, low), coerce(p, high)
        except ConfigError as exc:
            raise DesignError(f"{source}: {where}: {exc}") from None
        if high < low:
            raise DesignError(f"{source}: {where}: high={high!r} is below low={low!r}")
        ranges[key] = [low, high]
    varied = tuple(ranges)
    rng = np.random.default_rng(np.random.SeedSequence(master_seed, spawn_key=(0x5A3D1E,)))
    sampler = (
        qmc.LatinHypercube(len(varied), rng=rng)
        if method == "lhs"
        else qmc.Sobol(len(varied), rng=rng)
    )
    unit = sampler.random(n)
    points: dict[str, np.ndarray] = {}
    for j, key in enumerate(varied):
        p = table[key]
        u = unit[:, j]
        if p.kind == "choice":
            choices = ranges[key]
            idx = np.minimum((u * len(choices)).astype(np.int64), len(choices) - 1)
            points[key] = _column([choices[i] for i in idx], "choice")
        elif p.kind == "int":
            low, high = ranges[key]
            points[key] = np.minimum(low + np.floor(u * (high - low + 1)), high).astype(np.int64)
        else:
            low, high = ranges[key]
            points[key] = low + u * (high - low)
    spec_out: dict[str, Any] = {"method": method, "n": n, "params": ranges}
    if from_registry:
        spec_out["registry_ranges"] = from_registry
    return varied, points, spec_out


def _column(values: list[Any], kind: str) -> np.ndarray:
    if kind == "choice":
        return np.array(values, dtype=object)
    if kind == "int":
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=np.float64)


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
    return int(ss.generate_state(1, np.uint64)[0]) & _SEED_MASK


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


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()
