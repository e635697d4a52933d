"""``pausegame verify-ledger`` and ``pausegame replay``: check and replay a run's event log.

A run records its event log with ``pausegame run --ledger FILE`` (and always under the
``hardware_ledger`` regime, as ``ledger.jsonl`` beside its other outputs). ``verify-ledger``
walks the hash chain and names the first damage: a line that is not a JSON record (garbage, or a
last line cut off), an altered, removed, inserted or reordered record, a truncation or an
extension; with ``--head`` (the head hash in ``summary.json``) it also catches a record altered
together with every later hash. Every damaged log exits 1 with ``FILE: NOT intact: <diagnosis>``,
an intact log whose head is not the given one with ``FILE: the head does not match: <why>``;
bad input (no such file, a file that is not an event log at all, a ``--head`` that is not a
SHA-256) exits 2 with one line on stderr. ``replay`` recomputes the run's per-step metrics from
the log alone.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from experiments.words import plural
from model.errors import ConfigError
from model.ledger import SHA256, parse_lines, replay, verify


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``verify-ledger`` and ``replay`` to the CLI."""
    check = subparsers.add_parser(
        "verify-ledger",
        help="check a run's hash-chained event log",
        description="Check a run's event log (JSONL): report the first altered, removed or "
        "inserted or reordered record, a line that is not a JSON record, or that "
        "the log was truncated or extended. Exit status 0 when intact, 1 when not "
        "(FILE: NOT intact: ...), 2 for bad input (no such file, not an event log, "
        "a --head that is not a SHA-256).",
    )
    check.add_argument("file", metavar="FILE")
    check.add_argument(
        "--head",
        metavar="HASH",
        help="the head hash the run reported (summary.json: ledger_head; 64 hex digits)",
    )
    check.set_defaults(handler=_cmd_verify)
    again = subparsers.add_parser(
        "replay",
        help="recompute a run's metrics from its event log alone",
        description="Recompute the per-step metrics of a run from its event log alone and "
        "print the summary (optionally write the time series as CSV).",
    )
    again.add_argument("file", metavar="FILE")
    again.add_argument("--csv", metavar="OUT", help="write the replayed time series here")
    again.set_defaults(handler=_cmd_replay)


def _load(path: str) -> tuple[list[Any], list[int]]:
    """The file's entries and their line numbers; ConfigError unless it is an event log."""
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"{path}: is a directory, not an event log file (JSONL)")
    if not target.is_file():
        raise ConfigError(f"{path}: no such event log file")
    entries, lines = parse_lines(target.read_bytes().splitlines(keepends=True))
    if entries and not any(isinstance(e, dict) and "seq" in e and "prev" in e for e in entries):
        raise ConfigError(
            f"{path}: not an event log: no line is a JSON record with 'seq' and "
            "'prev' (`pausegame run --ledger FILE` writes one)"
        )
    return entries, lines


def _head(value: str | None) -> str | None:
    if value is None:
        return None
    head = value.strip().lower()
    if not SHA256.fullmatch(head):
        raise ConfigError(
            f"--head must be a SHA-256 (64 hex digits), not {value!r} (copy "
            "ledger_head from the run's summary.json)"
        )
    return head


def _cmd_verify(args: argparse.Namespace) -> int:
    head = _head(args.head)
    entries, lines = _load(args.file)
    result = verify(entries, head=head, lines=lines)
    if result.ok:
        print(f"{args.file}: intact, {plural(result.count, 'record')}, head {result.head}")
        if result.note:
            print(f"  note: {result.note}")
        return 0
    if result.head_differs:  # the chain is intact; verify says how the head differs
        print(f"{args.file}: {result.problem}")
        return 1
    print(f"{args.file}: NOT intact: {result.problem}")
    return 1


def _cmd_replay(args: argparse.Namespace) -> int:
    entries, lines = _load(args.file)
    check = verify(entries, lines=lines)
    records = [e for e in entries if isinstance(e, dict)]
    if not check.ok:
        print(f"warning: {args.file} is not intact ({check.problem}); replaying it anyway")
    try:
        series = replay(records)
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{args.file}: cannot replay this log ({exc})") from None
    if args.csv:
        import pandas as pd

        pd.DataFrame(series).to_csv(args.csv, index=False)
    wc = series["weighted_compliance"]
    held = series["holds"]
    steps = len(wc)
    below = int(np.nansum(held == 0))
    print(f"{args.file}: replayed {plural(steps, 'month')} from the log alone.")
    print(
        f"  Final capability-weighted compliance: {wc[-1]:.3f}; months below the threshold: "
        f"{below}."
    )
    print(
        f"  Detections: {int(series['detections'].sum())}; false alarms: "
        f"{int(series['false_alarms'].sum())}; sanctions paid: "
        f"{float(np.sum(series['sanctions_paid'])):.3g} G."
    )
    if args.csv:
        print(f"  Time series written to {args.csv}")
    return 0 if all(math.isfinite(float(x)) for x in wc) else 1
