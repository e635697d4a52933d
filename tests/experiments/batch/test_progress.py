"""Running designs: executors agree run for run, the store resumes, extends, retries, refuses.

Sweeps on the batched path (model/batched.py) equal the single-run path, row for row.

For every shipped design (a slice of its runs) and for a design that switches on every
mechanism the batched path covers (and some it does not, which fall back): the results
table and the time series of ``run_design(batched=True)`` equal ``batched=False`` exactly;
the local pool agrees with serial; a sweep killed mid-batch resumes to the same table; and the
closing summary says which runs took the single-run path and why.

[hardening] of experiment batches: damaged results, worker processes, outputs, fuzzed designs.

Bad input ends with exit status 2 and one line naming the file, the field, the value and what
is allowed; a refused command changes nothing under an existing results directory; a resumed
sweep sets damaged parts aside (renamed, not deleted) and runs exactly their runs again.
"""

from __future__ import annotations

import sys

from experiments.batch import runner as runner_mod


def test_progress_plain_lines(capsys):
    bar = runner_mod.Progress(10, "plain", stream=sys.stdout, interval=0.0)
    bar.update(4, 1)
    bar.update(6, 0)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sweep: 4/10 runs (40.0%), 1 failed,") and "ETA" in out[0]
    assert out[-1].startswith("sweep: 10/10 runs (100.0%), 1 failed")
