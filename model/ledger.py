"""The event log: an append-only, hash-chained record of a run.

Every record is a JSON object with a sequence number ``seq`` (0, 1, 2, ...), a ``type``, the
step ``t``, its fields, and ``prev``: the SHA-256 of the previous record's canonical encoding
(``"0" * 64`` for the first). The canonical encoding is ``json.dumps`` with sorted keys, compact
separators and Python's exact float ``repr``. Changing, removing or inserting any record breaks
the chain at that point; rewriting every later hash as well is caught by comparing the head (the
hash of the last record) with the one the run reported.

Record types: ``run`` (parameters, actor names, capabilities, homes, kinds, blocs), per step
``inspection`` (with a quota), ``detection``, ``false_alarm``, ``vote``, ``veto``, ``sanction``
and ``state`` (the true actions, beliefs, payoffs and sanctions paid), and a closing ``end``
(the number of records before it). :func:`replay` recomputes the run's metrics from the records
alone; :func:`verify` finds the first broken record.

This module does no file I/O: ``experiments`` writes and reads the JSONL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

GENESIS = "0" * 64


def canonical(record: Mapping[str, Any]) -> str:
    """The canonical encoding: sorted keys, compact separators, exact float repr."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=True)


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical encoding, hex."""
    return hashlib.sha256(canonical(record).encode()).hexdigest()


class EventLog:
    """An append-only hash-chained log held in memory."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.head = GENESIS

    def append(self, kind: str, t: int, **fields: Any) -> dict[str, Any]:
        """Add a record of type ``kind`` at step ``t``; returns it."""
        record = {"seq": len(self.records), "type": kind, "t": int(t), "prev": self.head,
                  **{k: _plain(v) for k, v in fields.items()}}
        self.records.append(record)
        self.head = record_hash(record)
        return record

    def close(self, t: int) -> str:
        """Append the ``end`` record and return the head hash."""
        self.append("end", t, count=len(self.records))
        return self.head

    def __len__(self) -> int:
        return len(self.records)


def _bits(flags: np.ndarray) -> str:
    """Actions as a string of 0 (comply) and 1 (defect), one character per actor."""
    return "".join("1" if d else "0" for d in flags)


def log_period(log: EventLog, t: int, *, lag: int, quota: int, inspected: np.ndarray,
               caught_dom: np.ndarray, caught_int: np.ndarray, false_alarm: np.ndarray,
               imposed: np.ndarray, paid: np.ndarray, passed: np.ndarray | None,
               vetoed: np.ndarray | None, state: Mapping[str, Any]) -> None:
    """Append one period's records: inspections, detections, votes, sanctions, then the state.

    ``state`` holds the ``state`` record's fields (``actions`` as a defect array; the rest as
    they are written).
    """
    if quota:
        log.append("inspection", t, actors=np.flatnonzero(inspected))
    for k in np.flatnonzero(caught_dom):
        log.append("detection", t, actor=int(k), where="domestic")
    for k in np.flatnonzero(caught_int):
        log.append("detection", t, actor=int(k), where="international")
    for k in np.flatnonzero(false_alarm):
        log.append("false_alarm", t, actor=int(k))
    flagged = caught_int | false_alarm
    if passed is not None and vetoed is not None:
        for k in np.flatnonzero(flagged):
            if vetoed[k]:
                log.append("veto", t, actor=int(k))
            else:
                log.append("vote", t, actor=int(k), passed=bool(passed[k]))
    for k in np.flatnonzero(imposed > 0):
        log.append("sanction", t, actor=int(k), amount=float(imposed[k]), lands=t + lag)
    log.append("state", t, **{**state, "actions": _bits(state["actions"])})


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`.

    Attributes:
        ok: True when the chain is intact (and matches ``head`` when one was given).
        problem: What is wrong, in words (empty when ok).
        seq: The sequence number of the first bad record, when one can be named.
        head: The head hash of the records as read.
        count: The number of records read.
    """

    ok: bool
    problem: str
    seq: int | None
    head: str
    count: int


def verify(records: Sequence[Mapping[str, Any]], head: str | None = None) -> Verification:
    """Check the chain; report the first altered, removed or inserted record.

    Args:
        records: The records in file order.
        head: The head hash the run reported (``summary.json``), if known.

    Returns:
        A :class:`Verification`.
    """
    prev = GENESIS
    n = len(records)
    for i, rec in enumerate(records):
        seq = rec.get("seq")
        if seq != i:
            if isinstance(seq, int) and seq > i:
                return Verification(False, f"record {i} was removed (the next record has "
                                    f"seq {seq})", i, prev, n)
            return Verification(False, f"a record was inserted at position {i} (seq "
                                f"{seq!r} where {i} was expected)", i, prev, n)
        if rec.get("prev") != prev:
            return Verification(False, f"record {i - 1} was altered (record {i} does not "
                                "chain to it)", i - 1, prev, n)
        if rec.get("type") == "end" and i != n - 1:
            return Verification(False, f"the log was extended after its end record ({n - i - 1}"
                                " more)", i + 1, prev, n)
        prev = record_hash(rec)
    if not records or records[-1].get("type") != "end":
        return Verification(False, "the log was truncated (no end record)", n, prev, n)
    if records[-1].get("count") != n - 1:
        return Verification(False, f"record {n - 1} was altered (its count does not match)",
                            n - 1, prev, n)
    if head is not None and head != prev:
        return Verification(False, "the head hash does not match the reported one: some "
                            "record was altered and every later hash recomputed", None, prev, n)
    return Verification(True, "", None, prev, n)


def replay(records: Iterable[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Recompute the run's per-step metrics from the log alone.

    Uses the header (capabilities, homes, kinds) and the per-step ``state`` and event records;
    returns the same columns, computed the same way, as ``Engine.timeseries()``.
    """
    from model.kernels import record
    from model.metrics import metrics_from_records
    from model.records import N_REC

    header: Mapping[str, Any] | None = None
    states: list[Mapping[str, Any]] = []
    events: dict[int, dict[str, list[int]]] = {}
    st_sanctions: dict[int, list[tuple[int, float]]] = {}
    inspections: dict[int, list[int]] = {}
    blocked: dict[int, list[int]] = {}
    for rec in records:
        kind = rec["type"]
        if kind == "run":
            header = rec
        elif kind == "sanction":
            st_sanctions.setdefault(int(rec["t"]), []).append((int(rec["actor"]),
                                                                float(rec["amount"])))
        elif kind == "inspection":
            inspections[int(rec["t"])] = list(rec["actors"])
        elif kind in ("vote", "veto"):
            slot_b = blocked.setdefault(int(rec["t"]), [0, 0])
            if kind == "veto":
                slot_b[1] += 1
            elif not rec["passed"]:
                slot_b[0] += 1
        elif kind == "state":
            states.append(rec)
        elif kind in ("detection", "false_alarm"):
            slot = events.setdefault(int(rec["t"]), {"domestic": [], "international": [],
                                                     "false_alarm": []})
            key = rec.get("where", "false_alarm") if kind == "detection" else "false_alarm"
            slot[key].append(int(rec["actor"]))
    if header is None:
        raise ValueError("the log has no run record")
    c = np.asarray(header["capability"], dtype=float)
    is_lab = np.asarray(header["is_lab"], dtype=bool)
    n = len(c)
    rows = np.zeros((len(states), N_REC))
    actor_bloc = np.asarray(header["bloc"], dtype=np.int64)[np.asarray(header["home"])]
    bloc_rows = np.zeros((len(states), int(actor_bloc.max()) + 1))
    for j, st in enumerate(states):
        t = int(st["t"])
        defect = np.array([ch == "1" for ch in st["actions"]], dtype=bool)
        ev = events.get(t, {"domestic": [], "international": [], "false_alarm": []})
        flags = {}
        for key in ("domestic", "international", "false_alarm"):
            arr = np.zeros(n, dtype=bool)
            arr[ev[key]] = True
            flags[key] = arr
        bound = np.asarray(st["bound"], dtype=bool) if "bound" in st else np.ones(n, bool)
        imposed = np.zeros(n)
        for k, amount in st_sanctions.get(t, []):
            imposed[k] = amount
        inspected = np.zeros(n, dtype=bool)
        inspected[inspections.get(t, np.arange(n))] = True
        record(defect, is_lab, bound, c, flags["domestic"], flags["international"],
               flags["false_alarm"], np.asarray(st["paid"], dtype=float),
               np.asarray(st["payoff"], dtype=float), np.asarray(st["belief"], dtype=float),
               bool(st["pause_active"]), int(st["n_revised"]), imposed, inspected,
               actor_bloc, rows[j], bloc_rows[j])
    first = int(states[0]["t"]) if states else 0
    out = metrics_from_records(rows, int(header["n_nations"]), n,
                               float(header["params"]["stability_threshold"]), first)
    steps = [int(st["t"]) for st in states]
    out["sanctions_blocked_by_vote"] = np.array([blocked.get(t, [0, 0])[0] for t in steps],
                                                dtype=np.int64)
    out["sanctions_blocked_by_veto"] = np.array([blocked.get(t, [0, 0])[1] for t in steps],
                                                dtype=np.int64)
    from model.metrics import TREATY_FIELDS

    treaty_rows = np.array([st["treaty"] for st in states], dtype=float).reshape(
        len(states), len(TREATY_FIELDS))
    for i, name in enumerate(TREATY_FIELDS):
        out[name] = treaty_rows[:, i]
    out["belief_error"] = np.array([np.nan if st["belief_error"] is None else st["belief_error"]
                                    for st in states], dtype=float)
    out["catastrophe"] = np.array([int(st["catastrophe"]) for st in states], dtype=np.int64)
    for b in range(bloc_rows.shape[1]):
        out[f"sanctions_paid_bloc_{b}"] = bloc_rows[:, b].copy()
    return out
