"""The Dask worker plugin warms each worker's kernels once (executors/dask_plugin.py)."""

import pandas as pd
import pytest

from experiments.batch.worker import warm, warm_loads
from tests.experiments.batch.shared import design, run


def test_warm_loads_the_kernels_once_per_process():
    warm()
    assert warm_loads() == 1
    warm()
    assert warm_loads() == 1


@pytest.mark.slow
def test_a_dask_worker_loads_the_kernels_once_over_two_sweeps(tmp_path):
    from distributed import Client, LocalCluster

    from experiments.batch.executors.dask_plugin import WarmKernels

    d = design(replicates=2)
    serial = run(d, tmp_path / "serial")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with Client(cluster) as client:
            assert set(client.run(warm_loads).values()) == {0}  # a fresh worker process
            frames = [
                run(d, tmp_path / f"dask{i}", executor="dask", scheduler=cluster.scheduler_address)
                for i in range(2)
            ]
            client.register_plugin(WarmKernels())
            loads = client.run(warm_loads)
    assert list(loads.values()) == [1]
    for r in frames:
        pd.testing.assert_frame_equal(serial.frame, r.frame)


WARM_AND_REPORT = """
import json
from experiments.batch.worker import warm
from model.batched_kernel import advance_block
warm()
print(json.dumps([sum(advance_block.stats.cache_hits.values()),
                  sum(advance_block.stats.cache_misses.values())]))
"""


@pytest.mark.slow
def test_workers_starting_together_on_an_empty_cache_compile_once(tmp_path):
    """Two processes warm at once with an empty numba cache: one compiles, the other loads."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WARM_AND_REPORT], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    stats = sorted(json.loads(p.communicate(timeout=600)[0].splitlines()[-1]) for p in procs)
    assert all(p.returncode == 0 for p in procs)
    assert stats == [[0, 1], [1, 0]]  # (hits, misses): one compiled, one loaded
