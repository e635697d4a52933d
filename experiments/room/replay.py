"""A room's log re-run (:func:`replay`).

The engine comes from the log's ``room`` record, each month's held choices from its ``held``
record (with the month's injected ``shock``, when the teacher made injects); the re-run equals
the room exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from experiments.play import build_engine
from experiments.room.names import RoomError
from experiments.scenarios import load_scenario
from model.held import Held
from model.ledger import parse_lines, verify
from model.shocks import Shock


def _held_of(record: Mapping[str, Any]) -> Held:
    """The Held of a ``held`` record."""
    return Held(
        actions={int(k): bool(v) for k, v in record["actions"].items()},
        votes={int(k): np.asarray(v, dtype=bool) for k, v in record["votes"].items()},
        membership={int(k): bool(v) for k, v in record["membership"].items()},
        pledges={int(k): bool(v) for k, v in record.get("pledges", {}).items()},
        shock=Shock.of_record(record["shock"]) if "shock" in record else None,
    )


def replay(log: bytes | str | Iterable[Any], *, complete: bool = True) -> dict[str, np.ndarray]:
    """Re-run a room from its log: the engine from the ``room`` record, each month's held choices.

    Args:
        log: The log as JSONL bytes or text, or its records.
        complete: The log must end with its ``end`` record (a finished room's); False accepts
            the log of a room still running (every other check stays).

    Returns:
        The time series (``Engine.timeseries``) of the re-run.

    Raises:
        RoomError: A damaged chain, or no ``room`` record.
    """
    if isinstance(log, (bytes, str)):
        raw = log.encode() if isinstance(log, str) else log
        records, lines = parse_lines(raw.splitlines(keepends=True))
    else:
        records = list(log)
        lines = list(range(1, len(records) + 1))
    check = verify(records, lines=lines)
    running = (
        not complete
        and check.seq == len(records)
        and check.problem.startswith("the log was truncated (no end record)")
    )
    if not check.ok and not running:
        raise RoomError(f"the room's log is damaged: {check.problem}")
    header = next((r for r in records if r.get("type") == "room"), None)
    if header is None:
        raise RoomError("the log has no room record (not a room's log)")
    scenario = load_scenario(header["scenario"])[0] if header["scenario"] is not None else None
    eng = build_engine(scenario, int(header["seed"]), int(header["periods"]), header["overrides"])
    for record in records:
        if record.get("type") == "held":
            eng.step(held=_held_of(record))
    return eng.timeseries()
