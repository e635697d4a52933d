"""Does NSGA-II find a better front than random search with the same budget (#32)?

Run ``python -m benchmarks.treaty_search [--seeds 5] [--evaluations N] [--population P]
[--out DIR]``. For each seed, the quick
robust search (``treaty_search_quick``, its two objectives worst-tenth survival and verification
spend; agreeability off) is run twice with the same budget of N = ``evaluations`` treaties on
the same worlds with the same random numbers: by pymoo's NSGA-II (seeded with the seed), and by
N treaties drawn uniformly in the levers' box (seeded with the seed). The hypervolume
(``pymoo.indicators.hv.HV``) of each front is measured against the reference point
``(worst-tenth survival 0, spend verification_cost * p_detect's upper bound)``, the worst
corner of the objectives; the result prints each seed's pair, the mean difference and its 95%
t interval over the seeds. Measured and printed, never asserted by a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import warnings
from pathlib import Path

import numpy as np
from scipy import stats


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds (default 5)")
    parser.add_argument("--out", help="folder for the runs (default: a temporary folder)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--evaluations",
        type=int,
        help="the budget N of treaties per search (default the design's, 32)",
    )
    parser.add_argument(
        "--population", type=int, help="NSGA-II's population (default the design's, 8)"
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    from pymoo.indicators.hv import HV

    from experiments.treaty_design import load_treaty_design
    from experiments.treaty_design.search import check_search, robust_search

    design = load_treaty_design("treaty_search_quick")
    search = {**design.search, "agreeability": 0}
    if args.population is not None:
        search["population"] = args.population
    if args.evaluations is not None:
        search["evaluations"] = args.evaluations
    if search["evaluations"] < search["population"]:
        parser.error(
            f"--evaluations {search['evaluations']} is below the population "
            f"{search['population']}; allowed: a budget of at least one population"
        )
    design = dataclasses.replace(design, search=search)
    levers, low, high, cost = check_search(design)
    ref = np.array([0.0, cost * float(high[levers.index("p_detect")])])
    hv = HV(ref_point=ref)
    out = Path(args.out or tempfile.mkdtemp(prefix="treaty_search_"))
    print(
        f"N = {design.search['evaluations']} treaties per search, {design.n_worlds} worlds x "
        f"{design.replicates} runs, reference point (worst-tenth survival 0, spend {ref[1]:.3g})"
    )
    diffs = []
    for seed in range(1, args.seeds + 1):
        values = {}
        for method in ("nsga2", "random"):
            found = robust_search(
                design,
                out / f"{method}_{seed}",
                method=method,
                seed=seed,
                executor="local",
                workers=args.workers,
                progress="none",
            )
            f = np.column_stack(
                [-found.front["worst_tenth_survival"], found.front["verification_spend"]]
            )
            values[method] = float(hv(f))
        diffs.append(values["nsga2"] - values["random"])
        print(
            f"seed {seed}: hypervolume NSGA-II {values['nsga2']:.5f}, random "
            f"{values['random']:.5f}, difference {diffs[-1]:+.5f}"
        )
    d = np.array(diffs)
    half = float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
    print(
        f"mean difference {d.mean():+.5f} (95% t interval {d.mean() - half:+.5f} to "
        f"{d.mean() + half:+.5f}) over {len(d)} seeds"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
