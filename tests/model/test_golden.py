"""The engine's numbers, pinned bit for bit to runs recorded before the engine was carved.

``golden/record.py`` ran each case (the default scenario at three seeds, every shipped scenario,
every decision rule, and three runs with every mechanism switched on) and stored its whole time
series, summary, final state and event-log head. Any change to the numbers fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location(
    "golden_record", Path(__file__).parent / "golden" / "record.py"
)
assert _spec is not None and _spec.loader is not None
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)

GOLD = np.load(record.GOLDEN)
CASES = record.cases()
run_case = record.run_case


def test_golden_file_covers_every_case():
    names = {key.split("::")[0] for key in GOLD.files}
    assert names == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_run_is_bit_identical_to_the_recording(name):
    got = run_case(CASES[name])
    want = {key.split("::", 1)[1]: GOLD[key] for key in GOLD.files if key.startswith(f"{name}::")}
    assert set(got) == set(want)
    for key, value in want.items():
        equal_nan = value.dtype.kind == "f"
        assert np.array_equal(got[key], value, equal_nan=equal_nan), f"{name}: {key} differs"
