"""The event log: an append-only, hash-chained record of a run.

Every record is a JSON object with a sequence number ``seq`` (0, 1, 2, ...), a ``type``, the
step ``t``, its fields, and ``prev``: the SHA-256 of the previous record's canonical encoding
(``"0" * 64`` for the first). Changing, removing, inserting or reordering records breaks the
chain at that point; rewriting every later hash as well is caught by comparing the head (the
hash of the last record) with the one the run reported.

The canonical encoding (:func:`canonical`), which is both what is hashed and what is written,
one record per line, is standard JSON (RFC 8259): ``json.dumps`` with sorted keys, compact
separators (``","`` and ``":"``), Python's exact (shortest round-trip) float ``repr``, and
``null`` for a missing number: a non-finite float (NaN, such as ``belief_error`` under perfect
information, or an infinity) is turned into ``None`` once, where records are built
(:meth:`EventLog.append`), and the encoder refuses any that remains (``allow_nan=False``), so
strict parsers (``jq``, browsers) read every line. Logs written before this rule carried a bare
``NaN``; :func:`verify` still checks their chain with the encoding they were hashed under and
says so.

Record types: ``run`` (parameters, actor names, capabilities, homes, kinds, blocs), per step
``inspection`` (with a quota), ``detection``, ``false_alarm``, ``vote``, ``veto``, ``sanction``
and ``state`` (the true actions, beliefs, payoffs and sanctions paid), and a closing ``end``
(the number of records before it). :func:`replay` recomputes the run's metrics from the records
alone (``null`` read back as NaN); :func:`verify` diagnoses the first damage: a line that is not
a JSON record, an altered, removed, inserted or reordered record, a truncation or an extension.

This module does no file I/O: ``experiments`` writes the JSONL and hands its lines to
:func:`parse_lines`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

GENESIS = "0" * 64


#: What a head hash looks like: a SHA-256 in hex.
SHA256 = re.compile(r"[0-9a-f]{64}")


def canonical(record: Mapping[str, Any]) -> str:
    """The canonical encoding: standard JSON, sorted keys, compact separators, exact float repr.

    Raises:
        ValueError: The record holds a NaN or an infinity (records built by
            :meth:`EventLog.append` hold ``None`` instead).
    """
    return json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=False)


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical encoding, hex."""
    return hashlib.sha256(canonical(record).encode()).hexdigest()


def _read_hash(record: Mapping[str, Any]) -> tuple[str, bool]:
    """The hash of a record as read, and whether it holds a bare NaN (an older log's encoding)."""
    try:
        return record_hash(record), False
    except ValueError:
        legacy = json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=True)
        return hashlib.sha256(legacy.encode()).hexdigest(), True


class EventLog:
    """An append-only hash-chained log held in memory."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.head = GENESIS

    def append(self, kind: str, t: int, **fields: Any) -> dict[str, Any]:
        """Add a record of type ``kind`` at step ``t``; returns it."""
        record = {
            "seq": len(self.records),
            "type": kind,
            "t": int(t),
            "prev": self.head,
            **{k: _plain(v) for k, v in fields.items()},
        }
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


def log_period(
    log: EventLog,
    t: int,
    *,
    lag: int,
    quota: int,
    events: Mapping[str, np.ndarray],
    state: Mapping[str, Any],
) -> None:
    """Append one period's records: inspections, detections, votes, sanctions, then the state.

    ``events`` holds the period's outcomes by their ``Engine.last`` names: ``inspected``,
    ``caught_domestic``, ``caught_international``, ``false_alarm``, ``sanction_imposed``,
    ``sanction_paid`` and, under a vote, ``vote_passed`` and ``vetoed``. ``state`` holds the
    ``state`` record's fields (``actions`` as a defect array; the rest as they are written).
    """
    caught_int, false_alarm = events["caught_international"], events["false_alarm"]
    imposed = events["sanction_imposed"]
    if quota:
        log.append("inspection", t, actors=np.flatnonzero(events["inspected"]))
    for k in np.flatnonzero(events["caught_domestic"]):
        log.append("detection", t, actor=int(k), where="domestic")
    for k in np.flatnonzero(caught_int):
        log.append("detection", t, actor=int(k), where="international")
    for k in np.flatnonzero(false_alarm):
        log.append("false_alarm", t, actor=int(k))
    flagged = caught_int | false_alarm
    passed, vetoed = events.get("vote_passed"), events.get("vetoed")
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
    """A JSON value: arrays as lists, numpy scalars as Python ones, a non-finite float as None."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Unreadable:
    """A line of a log file that is not a JSON value (or not UTF-8 text).

    Attributes:
        reason: What is wrong with it, in words.
    """

    reason: str


def parse_lines(lines: Iterable[str | bytes]) -> tuple[list[Any], list[int]]:
    """Parse the lines of a JSONL log without giving up on a bad one.

    Args:
        lines: The file's lines (text or bytes, with or without their line endings).

    Returns:
        The entries, in file order: the parsed JSON value of each non-blank line (a record is a
        JSON object), or :class:`Unreadable` for a line that is not JSON; and each entry's line
        number (from 1). A bare ``NaN`` (an older log's encoding) is read as a float.
    """
    entries: list[Any] = []
    numbers: list[int] = []
    items = list(lines)
    for number, raw in enumerate(items, 1):
        if isinstance(raw, bytes):
            ended = raw.endswith(b"\n")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                entries.append(Unreadable(f"not UTF-8 text: byte {exc.start + 1}"))
                numbers.append(number)
                continue
        else:
            text, ended = raw, raw.endswith("\n")
        if not text.strip():
            continue
        try:
            entries.append(json.loads(text))
        except json.JSONDecodeError as exc:
            cut = number == len(items) and not ended
            entries.append(
                Unreadable(
                    f"{exc.msg} (column {exc.colno})"
                    + ("; the file ends mid-line, so it was cut off" if cut else "")
                )
            )
        numbers.append(number)
    return entries, numbers


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`.

    Attributes:
        ok: True when the chain is intact (and matches ``head`` when one was given).
        problem: What is wrong, in words (empty when ok).
        seq: The position (sequence number) of the first bad record, when one can be named.
        head: The head hash of the records as read.
        count: The number of records read.
        line: The line of the file where the damage shows, when one can be named.
        note: Something worth knowing about an intact log (an older, non-standard encoding).
        head_differs: True when the chain is intact and only the given head differs.
    """

    ok: bool
    problem: str
    seq: int | None
    head: str
    count: int
    line: int | None = None
    note: str = ""
    head_differs: bool = False


def _head_mismatch(head: str, hashes: Sequence[str], at: Sequence[int]) -> str:
    """Why an intact chain does not end at the reported ``head``, as far as the hashes tell.

    A head that is an earlier record's hash means records were appended after it; one that no
    record has belongs to another log, or to this one before a record was altered and every
    later hash recomputed (the hashes cannot tell these apart).
    """
    n = len(hashes)
    last = hashes[-1] if hashes else GENESIS
    if head in hashes[:-1]:
        k = list(hashes).index(head)
        more = n - 1 - k
        return (
            f"the head does not match: the given head is record {k}'s hash, and the log goes "
            f"on for {more} more record{'s' if more > 1 else ''} (from line {at[k + 1]}) after "
            "the head the run reported"
        )
    return (
        f"the head does not match: the records' chain is intact and ends at {last[:16]}..., "
        f"not at the given {head[:16]}..., which no record of this log has: it is another "
        "log's head (check the run's summary.json), or some record was altered and every "
        "later hash recomputed"
    )


def _kind(value: Any) -> str:
    """The JSON kind of a value that is not an object."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def verify(
    records: Sequence[Any], head: str | None = None, *, lines: Sequence[int] | None = None
) -> Verification:
    """Diagnose the first damage to a log: a line that is not a record, or a broken chain.

    The chain is rebuilt from the records' ``prev`` links (from the genesis hash, following the
    longest continuation), then compared with the file order: a record the chain passes over is
    inserted, one the chain visits out of order means the records were reordered, a chain that
    stops at a record whose successor names a hash nobody has means that successor's
    predecessor was altered or (when its ``seq`` jumps) removed.

    Args:
        records: The entries in file order (as from :func:`parse_lines`): records (JSON
            objects), :class:`Unreadable` lines, or other JSON values.
        head: The head hash the run reported (``summary.json``), if known.
        lines: Each entry's line number in the file (default: 1, 2, ...).

    Returns:
        A :class:`Verification`.
    """
    numbers = list(lines) if lines is not None else list(range(1, len(records) + 1))
    bad: tuple[int, str] | None = None
    recs: list[Mapping[str, Any]] = []
    at: list[int] = []
    for number, rec in zip(numbers, records, strict=True):
        if isinstance(rec, Mapping):
            recs.append(rec)
            at.append(number)
        elif bad is None:
            why = rec.reason if isinstance(rec, Unreadable) else f"{_kind(rec)}, not an object"
            bad = (number, f"line {number} is not a JSON record ({why})")
    hashes, legacy = zip(*(_read_hash(r) for r in recs), strict=True) if recs else ((), ())
    problem, seq = _diagnose(recs, list(hashes), at)
    n = len(recs)
    last = hashes[-1] if recs else GENESIS
    where = None if seq is None else (at[seq] if seq < n else (at[-1] + 1 if at else 1))
    if bad is not None and (problem is None or where is None or bad[0] <= where):
        return Verification(False, bad[1], None, last, n, bad[0])
    if problem is not None:
        return Verification(False, problem, seq, last, n, where)
    if head is not None and head.strip().lower() != last:
        why = _head_mismatch(head.strip().lower(), hashes, at)
        return Verification(False, why, None, last, n, head_differs=True)
    note = ""
    if any(legacy):
        note = (
            f"{sum(legacy)} records hold a bare NaN for a missing number, as logs written "
            "by older versions do: not standard JSON, so strict parsers reject them"
        )
    return Verification(True, "", None, last, n, note=note)


def _diagnose(
    recs: list[Mapping[str, Any]], hashes: list[str], at: list[int]
) -> tuple[str | None, int | None]:
    """The first break in the chain of ``recs`` (file order), and the position it names."""
    n = len(recs)
    if n == 0:
        return "the log is empty (no records)", 0
    children: dict[str, list[int]] = {}
    for i, rec in enumerate(recs):
        if isinstance(rec.get("prev"), str):
            children.setdefault(rec["prev"], []).append(i)
    depth = _depths(hashes, children)
    chain: list[int] = []
    used: set[int] = set()
    cur = GENESIS
    while True:
        options = [j for j in children.get(cur, []) if j not in used]
        if not options:
            break
        j = max(options, key=lambda k: (depth[k], -k))
        chain.append(j)
        used.add(j)
        cur = hashes[j]
    position = {j: k for k, j in enumerate(chain)}
    for i in range(n):
        if i < len(chain) and chain[i] == i:
            continue
        if i < len(chain):  # the chain goes on at a later line: i .. k-1 are out of place
            k = chain[i]
            if any(j in position for j in range(i, k)):
                return (
                    f"the records were reordered: record {i} is on line {at[k]}, but line "
                    f"{at[i]} holds record {recs[i].get('seq')!r}"
                ), i
            copy = next((m for m in chain[:i] if hashes[m] == hashes[i]), None)
            what = f"; a second copy of record {copy}" if copy is not None else ""
            if k - i == 1:
                return (
                    f"a record was inserted at line {at[i]} (it does not chain to record "
                    f"{i - 1}{what})"
                ), i
            return (
                f"{k - i} records were inserted at lines {at[i]}-{at[k - 1]} (they do "
                "not chain to the records before them)"
            ), i
        # the chain stops before line at[i]
        rec = recs[i]
        if i and recs[i - 1].get("type") == "end":
            more = n - i
            return (
                f"the log was extended after its end record ({more} more record"
                f"{'s' if more > 1 else ''} from line {at[i]})"
            ), i
        prev, seq = rec.get("prev"), rec.get("seq")
        target = next((m for m, h in enumerate(hashes) if h == prev and m != i), None)
        if target is not None and target > i:
            return (
                f"the records were reordered: line {at[i]} holds record {seq!r}, which "
                f"chains to the record on line {at[target]}"
            ), i
        if not (isinstance(prev, str) and SHA256.fullmatch(prev)):
            return f"record {i} was altered (its prev is {prev!r}, not a SHA-256)", i
        if i == 0:
            if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0:
                gone = "record 0 was" if seq == 1 else f"records 0-{seq - 1} were"
                return f"{gone} removed (the first record has seq {seq})", 0
            return "record 0 was altered (its prev is not the genesis hash, 64 zeros)", 0
        if isinstance(seq, int) and not isinstance(seq, bool) and seq > i:
            gone = f"record {i} was" if seq == i + 1 else f"records {i}-{seq - 1} were"
            return f"{gone} removed (the next record has seq {seq})", i
        return f"record {i - 1} was altered (record {i} does not chain to it)", i - 1
    for i, rec in enumerate(recs):
        seq = rec.get("seq")
        if seq != i or isinstance(seq, bool):
            if isinstance(seq, int) and not isinstance(seq, bool) and seq > i:
                return (
                    f"record {i} was removed and every later hash recomputed (the record "
                    f"after record {i - 1} has seq {seq})"
                ), i
            return (
                f"record {i} was altered (seq {seq!r} where {i} was expected) and every "
                "later hash recomputed"
            ), i
        if rec.get("type") == "end" and i != n - 1:
            more = n - i - 1
            return (
                f"the log was extended after its end record ({more} more record"
                f"{'s' if more > 1 else ''})"
            ), i + 1
    if recs[-1].get("type") != "end":
        return "the log was truncated (no end record)", n
    if recs[-1].get("count") != n - 1:
        return f"record {n - 1} was altered (its count does not match)", n - 1
    return None, None


def _depths(hashes: list[str], children: Mapping[str, list[int]]) -> list[int]:
    """For each record, the length of the longest chain that starts with it."""
    depth = [0] * len(hashes)
    state = [0] * len(hashes)  # 0 new, 1 on the stack, 2 done
    for root in range(len(hashes)):
        if state[root]:
            continue
        stack = [root]
        while stack:
            j = stack[-1]
            if state[j] == 0:
                state[j] = 1
                stack.extend(k for k in children.get(hashes[j], []) if state[k] == 0)
                continue
            stack.pop()
            if state[j] == 1:
                state[j] = 2
                depth[j] = 1 + max(
                    (depth[k] for k in children.get(hashes[j], []) if state[k] == 2), default=0
                )
    return depth


def replay(records: Iterable[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Recompute the run's per-step metrics from the log alone.

    Uses the header (capabilities, homes, kinds) and the per-step ``state`` and event records;
    returns the same columns, computed the same way, as ``Engine.timeseries()``.
    """
    from model.kernels import NO_ROW, World, record, total
    from model.metrics import metrics_from_records
    from model.records import N_REC

    header: Mapping[str, Any] | None = None
    states: list[Mapping[str, Any]] = []
    events: dict[int, dict[str, list[int]]] = {}
    st_sanctions: dict[int, list[tuple[int, float]]] = {}
    inspections: dict[int, list[int]] = {}
    blocked: dict[int, list[int]] = {}
    proposals: list[tuple[int, int, int, bool]] = []
    for rec in records:
        kind = rec["type"]
        if kind == "run":
            header = rec
        elif kind == "sanction":
            st_sanctions.setdefault(int(rec["t"]), []).append(
                (int(rec["actor"]), float(rec["amount"]))
            )
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
        elif kind == "proposal":
            votes = -1 if rec["terms"] is None else rec["votes"].count("1")
            proposals.append((int(rec["month"]), int(rec["proposer"]), votes, bool(rec["passed"])))
        elif kind in ("detection", "false_alarm"):
            slot = events.setdefault(
                int(rec["t"]), {"domestic": [], "international": [], "false_alarm": []}
            )
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
    # the record reads capabilities, kinds and blocs of the world (no rivalry: unused here)
    none_i, none_f = np.zeros(1, dtype=np.int64), np.zeros(1)
    home = np.asarray(header["home"], dtype=np.int64)
    n_nations = int(header["n_nations"])
    world = tuple(
        World(
            home, is_lab, c, total(c), n_nations, none_i, none_i, none_f, none_f, actor_bloc, False
        )
    )
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
        acts = (defect, bound, inspected, bool(st["pause_active"]), int(st["n_revised"]), False)
        outcome = (
            flags["domestic"],
            flags["international"],
            flags["false_alarm"],
            imposed,
            np.asarray(st["paid"], dtype=float),
            np.asarray(st["payoff"], dtype=float),
            np.asarray(st["belief"], dtype=float),
            rows[j],
            bloc_rows[j],
            NO_ROW,
        )
        record(acts, world, outcome)
    first = int(states[0]["t"]) if states else 0
    out = metrics_from_records(
        rows, int(header["n_nations"]), n, float(header["params"]["stability_threshold"]), first
    )
    steps = [int(st["t"]) for st in states]
    out["sanctions_blocked_by_vote"] = np.array(
        [blocked.get(t, [0, 0])[0] for t in steps], dtype=np.int64
    )
    out["sanctions_blocked_by_veto"] = np.array(
        [blocked.get(t, [0, 0])[1] for t in steps], dtype=np.int64
    )
    from model.metrics import TREATY_FIELDS

    treaty_rows = np.array([st["treaty"] for st in states], dtype=float).reshape(
        len(states), len(TREATY_FIELDS)
    )
    for i, name in enumerate(TREATY_FIELDS):
        out[name] = treaty_rows[:, i]
    out["belief_error"] = np.array(
        [np.nan if st["belief_error"] is None else st["belief_error"] for st in states], dtype=float
    )
    out["catastrophe"] = np.array([int(st["catastrophe"]) for st in states], dtype=np.int64)
    for b in range(bloc_rows.shape[1]):
        out[f"sanctions_paid_bloc_{b}"] = bloc_rows[:, b].copy()
    if proposals:
        from model.negotiation.session import negotiation_columns

        columns = negotiation_columns(proposals, first + len(states))
        out.update({name: column[first:] for name, column in columns.items()})
        # the receipts paid each month (the state's transfers, when any were agreed)
        out["transfers_paid"] = np.array(
            [float(np.maximum(np.asarray(st.get("transfers", [0.0])), 0.0).sum()) for st in states]
        )
    if states and "spend" in states[0]:  # a run with layers: what the members paid (ODD 3.6)
        out["verification_spend"] = np.array([float(st["spend"]) for st in states])
    from model.pledges import replay_columns

    caught = {t: ev["domestic"] + ev["international"] for t, ev in events.items()}
    out.update(replay_columns(states, caught, n_nations, header["params"]))
    return out
