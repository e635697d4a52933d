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
