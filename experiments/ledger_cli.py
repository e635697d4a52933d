"""``pausegame verify-ledger`` and ``pausegame replay``: check and replay a run's event log.

A run records its event log with ``pausegame run --ledger FILE`` (and always under the
``hardware_ledger`` regime, as ``ledger.jsonl`` beside its other outputs). ``verify-ledger``
walks the hash chain and names the first altered, removed or inserted record, or says that the
log was truncated or extended; with ``--head`` (the head hash in ``summary.json``) it also
catches a record altered together with every later hash. ``replay`` recomputes the run's
per-step metrics from the log alone.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from experiments.run import read_ledger
from model.errors import ConfigError
from model.ledger import replay, verify


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``verify-ledger`` and ``replay`` to the CLI."""
    check = subparsers.add_parser(
        "verify-ledger", help="check a run's hash-chained event log",
        description="Check a run's event log (JSONL): report the first altered, removed or "
                    "inserted record, or that the log was truncated or extended. Exit status "
                    "0 when intact, 1 when not.")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--head", metavar="HASH",
                       help="the head hash the run reported (summary.json: ledger_head)")
    check.set_defaults(handler=_cmd_verify)
    again = subparsers.add_parser(
        "replay", help="recompute a run's metrics from its event log alone",
        description="Recompute the per-step metrics of a run from its event log alone and "
                    "print the summary (optionally write the time series as CSV).")
    again.add_argument("file", metavar="FILE")
    again.add_argument("--csv", metavar="OUT", help="write the replayed time series here")
    again.set_defaults(handler=_cmd_replay)


def _load(path: str) -> list[dict]:
    if not Path(path).is_file():
        raise ConfigError(f"{path}: no such event log file")
    return read_ledger(path)


def _cmd_verify(args: argparse.Namespace) -> int:
    result = verify(_load(args.file), head=args.head)
    if result.ok:
        print(f"{args.file}: intact, {result.count} records, head {result.head}")
        return 0
    print(f"{args.file}: NOT intact: {result.problem}")
    return 1


def _cmd_replay(args: argparse.Namespace) -> int:
    records = _load(args.file)
    check = verify(records)
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
    print(f"{args.file}: replayed {steps} months from the log alone.")
    print(f"  Final capability-weighted compliance: {wc[-1]:.3f}; months below the threshold: "
          f"{below}.")
    print(f"  Detections: {int(series['detections'].sum())}; false alarms: "
          f"{int(series['false_alarms'].sum())}; sanctions paid: "
          f"{float(np.sum(series['sanctions_paid'])):.3g} G.")
    if args.csv:
        print(f"  Time series written to {args.csv}")
    return 0 if all(math.isfinite(float(x)) for x in wc) else 1
