"""A design's points: a ``[sweep]``'s full factorial or a ``[sample]``'s draws, and its size.

The tables are validated first (:mod:`experiments.batch.design_tables`); here each varied
parameter's values are checked by the parameter schema and the points generated, after the plan
is checked to fit (:data:`MAX_RUNS`, :func:`experiments.limits.check_plan`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.batch.design_tables import RESERVED, DesignError, Sample
from experiments.words import plural
from model.errors import ConfigError
from model.params import coerce, unknown_name_error

#: The most runs (points x replicates) one design may have: checked before any point is
#: generated, so a design of 100,000 x 100,000 points is refused at once.
MAX_RUNS = 10_000_000

#: The largest integer a varied parameter may take: results store it as a 64-bit integer.
INT64_MAX = (1 << 63) - 1
#: The largest integer a ``[sample]`` range may reach: points are drawn in float64, which holds
#: every integer up to 2**53 exactly.
FLOAT_EXACT_MAX = 1 << 53


def _checked(p: Any, value: Any, source: str, where: str, most: int = INT64_MAX) -> Any:
    """``value`` validated by the schema, and an integer kept within ``-most..most``.

    Raises:
        DesignError: Naming the file, the table, the key, the value and the allowed range (a
            2**63 in ``[sweep]`` made numpy raise OverflowError; in ``[sample]`` it wrapped).
    """
    try:
        value = coerce(p, value)
    except ConfigError as exc:
        raise DesignError(f"{source}: {where}: {exc}") from None
    if p.kind == "int" and not -most <= value <= most:
        why = (
            "a 64-bit integer, as results store it"
            if most == INT64_MAX
            else "2**53, the largest integer the sampler's float64 arithmetic holds exactly"
        )
        raise DesignError(
            f"{source}: {where}: {p.name}={value} is out of range; allowed: "
            f"{p.bounds_text()}, at most {most:,} ({why})"
        )
    return value


def sweep_sizes(t: Mapping[str, Any]) -> list[int]:
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


def check_size(sizes: Sequence[int], replicates: int, source: str, where: str) -> None:
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
    many = plural(points, "point", thousands=True)
    given = f"{shape} = {many}" if len(sizes) > 1 else many
    raise DesignError(
        f"{source}: {where} gives {given} x {plural(replicates, 'replicate', thousands=True)} "
        f"= {runs:,} runs; allowed: at most {MAX_RUNS:,} runs in one design "
        "(fewer values or replicates, or split it into several designs)"
    )


def _param(key: str, table: Mapping[str, Any], source: str, where: str) -> Any:
    if key in RESERVED:
        raise DesignError(f"{source}: {where} {key}: {RESERVED[key]}")
    if key not in table:
        raise DesignError(f"{source}: {where} {unknown_name_error(key, table)}")
    return table[key]


def _clean(x: float) -> float:
    """A float from ``linspace``/``arange`` without its last-bit noise (0.30000000000000004)."""
    return float(f"{x:.12g}")


def sweep_points(
    t: Mapping[str, Any], table: Mapping[str, Any], source: str
) -> tuple[tuple[str, ...], dict[str, np.ndarray], dict[str, Any]]:
    """The ``[sweep]`` points: every combination of the axes' values (a list or a range)."""
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
        values = [_checked(p, v, source, where) for v in raw]
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


def sample_points(
    t: Sample,
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

    method, n, params_t = t.method, t.n, t.params
    ranges: dict[str, Any] = {}
    from_registry: dict[str, str] = {}
    regime_varied = "verification" in params_t
    for key, spec in params_t.items():
        where = f"[sample.params] {key}"
        p = _param(key, table, source, "[sample.params]")
        if p.kind == "choice":
            choices = list(p.choices) if spec in ({}, True) else spec
            if key == "decision_rule" and spec in ({}, True):
                # every rule that runs alone: one that needs other parameters (requires, e.g.
                # the conditional cooperator needs pledges = on) is sampled only when listed
                from agents.rules import get_rule

                choices = [c for c in choices if not get_rule(c).requires]
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
        low = _checked(p, low, source, where, FLOAT_EXACT_MAX)
        high = _checked(p, high, source, where, FLOAT_EXACT_MAX)
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
