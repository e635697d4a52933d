"""How long does the app's Design a treaty page take to show its first box (#32)?

Run ``python -m benchmarks.design_app [--design treaty_design_quick] [--repeats 1]``. Each
repeat builds the page's request from the shipped design as the page opens it (its levers'
ranges, its uncertainties, the app's search budget: :func:`viz.design._initial` and
:func:`viz.design._request`), in a fresh cache folder, starts the page's job
(:class:`viz.design_job.DesignJob`: its own process, the map's worker count), polls it as the
page does (every 0.25 s) and, the moment a treaty is there, finds its PRIM boxes with the call
the page makes (:func:`viz.design_job.treaty_boxes`). It prints the seconds from Start to the
first box (and the box), to the first treaty of the search on the front, and to the end. The
issue asks for the first box within 30 s on a 2-core machine. Measured and printed, never
asserted by a test (it depends on the machine and its load).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings


def measure(design: str) -> dict[str, float | str]:
    """One start of the page's job in a fresh cache: the seconds to each milestone."""
    os.environ["PAUSEGAME_MAP_CACHE"] = tempfile.mkdtemp(prefix="design_app_")
    from viz import design_job
    from viz.design import _initial, _request, warm_up_prim
    from viz.design_job import treaty_boxes

    design_job._JOBS.clear()  # noqa: SLF001 - a fresh server: no job in memory
    job, error = _request(design, _initial(design))
    if job is None:
        raise SystemExit(error)
    start = time.perf_counter()
    warm_up_prim()  # as the page's Start does
    job.start()
    out: dict[str, float | str] = {"runs": float(job.total)}
    while "first_box" not in out or "search_front" not in out or job.state == "running":
        if job.state not in ("running", "cancelling", "done"):
            raise SystemExit(f"the job ended {job.state}: {job.error}")
        result = job.partial()
        if result is not None and "first_box" not in out:
            boxes = treaty_boxes(result, int(result.treaties.index[0]))
            out["first_box"] = time.perf_counter() - start
            out["box"] = "; ".join(
                f"{r.dimension} in [{r.low:.3g}, {r.high:.3g}]"
                for r in boxes.table[boxes.table["box"] == 0].itertuples(index=False)
            )
        if (
            result is not None
            and "search_front" not in out
            and (result.treaties["generation"] >= 0).any()
        ):
            out["search_front"] = time.perf_counter() - start
        if job.state == "done" and "search_front" in out:
            break
        time.sleep(0.25)
    job.wait(600)
    out["done"] = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--design", default="treaty_design_quick", help="a shipped design")
    parser.add_argument("--repeats", type=int, default=1, help="fresh starts (default 1)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    for k in range(args.repeats):
        got = measure(args.design)
        print(
            f"start {k + 1}: first box after {got['first_box']:.1f} s ({got['box']}); the "
            f"search's first front after {got['search_front']:.1f} s; done after "
            f"{got['done']:.1f} s ({got['runs']:.0f} runs); load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
