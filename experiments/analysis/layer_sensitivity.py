"""Sobol indices over the verification layers' detection rates: which layer the pause depends on.

The layers' rates live in the verification sources registry (``[layers.<name>.p_detect]`` in
``model/verification/sources.toml``), not in the schema, so a ``[sample]`` design cannot name
them. This module samples them itself, with the same Saltelli matrices as
:func:`experiments.analysis.sensitivity.saltelli_unit` (each chosen layer's ``p_detect`` over its
registry range ``low`` to ``high``), and turns every point into the engine's verification
numbers with the layer model's own functions (:func:`model.verification.layers.combine.effective`
on the layers with that point's rates, at the design's ``layer_correlation`` and
``undeclared_share``). A point's run is then the run with ``layers`` set and those four numbers
(``p_detect``, ``p_false_alarm``, ``verification_lag``, ``coverage``) given explicitly, which
win over the layers' own as any value set explicitly does (model/ODD.md 3.6): the same run as
if the registry held that point's rates. Only the detection rates vary; the false alarms, lags
and costs are the registry's.

The points go through the ordinary batch runner (:func:`experiments.batch.runner.run_design`:
seeds from the master seed, common random numbers, resumable results directory) and the indices
come from :func:`experiments.analysis.sensitivity.sobol_from_evaluations`. Not run in CI: run it
by hand (README, "Analysis")::

    python -m experiments.analysis.layer_sensitivity --out batches/layer_sobol
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from experiments.analysis.sensitivity import SobolResult, saltelli_unit, sobol_from_evaluations
from experiments.batch.design import Design, design_from_mapping
from model.verification.layers import combine

#: The example's layers: one on declared compute, two that also watch undeclared compute.
LAYERS = ("chip_tracking", "national_technical_means", "whistleblower")
#: The example's world: the default scenario (12 nations, 48 labs, penalty 4), 120 months.
BASE: dict[str, Any] = {"layer_correlation": 0.0, "undeclared_share": 0.1}
N = 64
REPLICATES = 4
STEPS = 120
MASTER_SEED = 20261207


def rate_ranges(layers: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Each layer's ``p_detect`` range in the registry, by layer name.

    Example:
        >>> rate_ranges(["whistleblower"])["whistleblower"][0] >= 0.0
        True
    """
    from model.verification.sources import registry

    entries = registry().layers
    return {
        name: (float(entries[name]["p_detect"].low), float(entries[name]["p_detect"].high))
        for name in layers
    }


def layer_points(
    layers: Sequence[str], rates: np.ndarray, rho: float, u: float
) -> dict[str, np.ndarray]:
    """The engine's verification numbers at each row of ``rates`` (one column per layer).

    Example:
        >>> pts = layer_points(["chip_tracking"], np.array([[0.5]]), 0.0, 0.25)
        >>> float(pts["p_detect"][0]), float(pts["coverage"][0])
        (0.5, 0.75)
    """
    channels = combine.channels_of(",".join(layers))
    rows = [
        combine.effective(
            [replace(c, p=float(p)) for c, p in zip(channels, row, strict=True)], rho, u
        )
        for row in rates
    ]
    keys = list(rows[0]) if rows else []
    return {
        key: np.array([r[key] for r in rows], dtype=int if key == "verification_lag" else float)
        for key in keys
    }


def layer_design(
    layers: Sequence[str] = LAYERS,
    *,
    n: int = N,
    replicates: int = REPLICATES,
    steps: int = STEPS,
    master_seed: int = MASTER_SEED,
    base: dict[str, Any] | None = None,
) -> tuple[Design, np.ndarray]:
    """The Saltelli batch over the layers' rates and its rates (``n (d + 2)`` rows, d layers).

    Raises:
        ConfigError: An unknown layer, a bad base value or ``n`` not a power of two.
    """
    params = {**BASE, **(base or {}), "layers": ",".join(layers)}
    rho, u = float(params["layer_correlation"]), float(params["undeclared_share"])
    ranges = rate_ranges(layers)
    unit = saltelli_unit(len(layers), n, master_seed)
    low = np.array([ranges[name][0] for name in layers])
    high = np.array([ranges[name][1] for name in layers])
    rates = low + unit * (high - low)
    design = design_from_mapping(
        {
            "meta": {"name": "layer_sobol"},
            "base": {"scenario": "default", "params": params},
            "run": {
                "replicates": replicates,
                "steps": steps,
                "master_seed": master_seed,
                "seed_scheme": "common",
            },
        },
        source="layer_sobol",
    )
    points = layer_points(layers, rates, rho, u)
    spec = {
        "method": "saltelli",
        "scheme": "layer_saltelli",
        "n": n,
        "layers": {name: list(ranges[name]) for name in layers},
    }
    design = replace(design, points=points, varied=tuple(points), kind="sample", spec=spec)
    return design, rates


def layer_sobol(
    out: str | Path,
    layers: Sequence[str] = LAYERS,
    *,
    output: str = "held",
    executor: str = "local",
    **options: Any,
) -> SobolResult:
    """Run (or resume) the batch into ``out`` and the Sobol indices of ``output`` by layer."""
    from experiments.analysis.common import BatchContext
    from experiments.analysis.sensitivity import _point_means

    n = int(options.get("n", N))
    design, _ = layer_design(layers, **options)
    from experiments.batch.runner import run_design

    run_design(design, out, executor=executor, progress="none")
    y = _point_means(BatchContext.open(out), output)
    d = len(layers)
    return sobol_from_evaluations(
        y[:n], y[n : 2 * n], y[2 * n :].reshape(d, n), params=tuple(layers), output=output
    )


#: The example's result as the command last wrote it (``--save``), for the Simulate page.
EXAMPLE_FILE = Path(__file__).with_name("layer_sobol_example.json")


def result_record(result: SobolResult, **run: Any) -> dict[str, Any]:
    """The indices with how they were made (``run``: n, replicates, ...) and the registry's hash.

    Example:
        >>> from experiments.analysis.sensitivity import sobol_from_evaluations
        >>> f_ab = [[1, 0, 1, 0], [0, 1, 1, 0]]
        >>> r = sobol_from_evaluations([0, 1, 1, 0], [1, 0, 0, 1], f_ab, params=("a", "b"),
        ...                            n_resamples=0)
        >>> rec = result_record(r, n=4)
        >>> rec["n"], rec["layers"], len(rec["registry_sha256"])
        (4, ['a', 'b'], 64)
    """
    from model.verification.sources import registry

    return {
        **run,
        "output": result.output,
        "layers": list(result.params),
        "first_order": [round(float(x), 4) for x in result.first_order],
        "total_order": [round(float(x), 4) for x in result.total_order],
        "registry_sha256": registry().sha256,
    }


def example_note() -> str | None:
    """One line for the Simulate page: the saved example's total indices with its N.

    None when no example was saved. A registry changed since the run is said, not hidden.
    """
    import json

    from model.verification.sources import registry

    if not EXAMPLE_FILE.exists():
        return None
    rec = json.loads(EXAMPLE_FILE.read_text())
    indices = ", ".join(
        f"{name} {total:.2f}" for name, total in zip(rec["layers"], rec["total_order"], strict=True)
    )
    stale = (
        " (computed with an earlier registry: run the command again)"
        if rec["registry_sha256"] != registry().sha256
        else ""
    )
    return (
        f"Which layer the pause depends on: total Sobol indices of '{rec['output']}' over the "
        f"layers' p_detect, {indices} (N = {rec['n']}, {rec['replicates']} replicates, "
        f"{rec['steps']} months, default scenario, rho = {rec['rho']:g}, u = {rec['u']:g}; "
        f"python -m experiments.analysis.layer_sensitivity){stale}."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.analysis.layer_sensitivity``: run the example and print it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="batches/layer_sobol", help="results directory")
    ap.add_argument("--layers", default=",".join(LAYERS), help="comma-separated layer names")
    ap.add_argument("--n", type=int, default=N, help="Saltelli base size (a power of two)")
    ap.add_argument("--replicates", type=int, default=REPLICATES)
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--rho", type=float, default=BASE["layer_correlation"])
    ap.add_argument("--u", type=float, default=BASE["undeclared_share"])
    ap.add_argument("--output", default="held", help="run output (held, final_compliance, ...)")
    ap.add_argument("--executor", default="local", choices=("serial", "local"))
    ap.add_argument(
        "--save", action="store_true", help=f"write the result to {EXAMPLE_FILE.name} (the page's)"
    )
    args = ap.parse_args(argv)
    layers = args.layers.split(",")
    start = time.perf_counter()
    result = layer_sobol(
        args.out,
        layers,
        output=args.output,
        executor=args.executor,
        n=args.n,
        replicates=args.replicates,
        steps=args.steps,
        base={"layer_correlation": args.rho, "undeclared_share": args.u},
    )
    seconds = time.perf_counter() - start
    runs = args.n * (len(layers) + 2) * args.replicates
    print(
        f"Sobol indices of {args.output!r} over the layers' p_detect (registry ranges), "
        f"default scenario, rho = {args.rho:g}, u = {args.u:g}: N = {args.n} "
        f"({args.n * (len(layers) + 2)} points), {args.replicates} replicates, "
        f"{args.steps} months, {runs} runs, {seconds:.0f} s"
    )
    print(result.to_frame().to_string(float_format=lambda x: f"{x:.3f}"))
    if args.save:
        import json

        record = result_record(
            result, n=args.n, replicates=args.replicates, steps=args.steps, rho=args.rho, u=args.u
        )
        EXAMPLE_FILE.write_text(json.dumps(record, indent=1) + "\n")
        print(f"saved to {EXAMPLE_FILE}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
