"""``pausegame reproduce [NAME ...|all] --out DIR``: run the published reproductions.

Runs each named reproduction (the registry :data:`experiments.reproductions.REPRODUCTIONS`;
``all`` or no name runs every one), prints one markdown table of every claim (paper, claim,
theirs, ours, the tolerance, whether it holds, and its kind: reproduces a published number,
consistent with a published qualitative finding, or our own finding), a count of the claims
by kind, and the figure each wrote. Exit status 0
when every claim holds, 1 when one does not (or a reproduction could not run), 2 for bad input
(an unknown name: the message names the allowed ones).

Registered through the ``pausegame.commands`` entry-point group (``pyproject.toml``).

Example:
    $ pausegame reproduce all --out runs/reproductions
    $ pausegame reproduce han2019 inspection_games --out /tmp/repro --quick
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from experiments.files import check_out_dir, out_argument
from experiments.reproductions import REPRODUCTIONS, load
from experiments.reproductions.common import TABLE_HEADER, Reproduction, count_kinds
from model.errors import ConfigError

__all__ = ["DEFAULT_OUT", "register", "resolve_names", "run_reproductions"]

#: Where the figures go without ``--out``.
DEFAULT_OUT = Path("runs") / "reproductions"


def resolve_names(names: Sequence[str]) -> tuple[str, ...]:
    """The reproductions to run, in the order given (``all`` or none: every one, in order).

    >>> resolve_names([]) == REPRODUCTIONS.names()
    True
    >>> resolve_names(["inspection_games", "han2019", "han2019"])
    ('inspection_games', 'han2019')

    Raises:
        ConfigError: a name that is not a reproduction (the message names the allowed ones).
    """
    every = REPRODUCTIONS.names()
    if not names or "all" in names:
        return every
    bad = [n for n in names if n not in every]
    if bad:
        raise ConfigError(
            f"unknown reproduction {', '.join(map(repr, bad))}; allowed: {', '.join(every)} or all"
        )
    return tuple(dict.fromkeys(names))


def run_reproductions(
    names: Sequence[str], out_dir: Path, *, quick: bool = False, stream: Any = None
) -> tuple[list[Reproduction], list[str]]:
    """Run the reproductions ``names`` into ``out_dir`` (one subfolder each).

    Returns:
        The reproductions that ran, and one line for each that could not (it raised).
    """
    stream = sys.stderr if stream is None else stream
    done: list[Reproduction] = []
    failed: list[str] = []
    for name in names:
        start = time.perf_counter()
        module = load(name)
        print(f"pausegame: running {name} ({module.TITLE}) ...", file=stream, flush=True)
        try:
            result = module.reproduce(out_dir / name, quick=quick)
        except Exception as exc:  # noqa: BLE001 - report it, run the others
            failed.append(f"{name}: failed: {type(exc).__name__}: {exc}")
            continue
        print(
            f"pausegame: {name} done in {time.perf_counter() - start:.1f} s",
            file=stream,
            flush=True,
        )
        done.append(result)
    return done, failed


#: Stands for the reproductions' names in the help, filled in only when the help is shown (so
#: building the parser imports none of them).
NAMES = "{reproduction names}"


class _NamesHelp(argparse.HelpFormatter):
    """Help whose :data:`NAMES` marks become the registered names when it is printed."""

    def add_text(self, text: str | None) -> None:
        super().add_text(text if text is None else text.replace(NAMES, _names_text()))

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        return text if text is None else text.replace(NAMES, _names_text())


def _names_text() -> str:
    return f"{', '.join(REPRODUCTIONS.names())} or all"


def register(subparsers: Any) -> None:
    """Register ``pausegame reproduce``."""
    sub = subparsers.add_parser(
        "reproduce",
        help="run the reproductions: published results and our own findings (claims table)",
        allow_abbrev=False,
        formatter_class=_NamesHelp,
        description="Run the reproductions of published results with pausegame (experiments/"
        "reproductions/README.md) and print each claim: theirs, ours, the tolerance, "
        "whether it holds and its kind (reproduces a published number, consistent with "
        "a published qualitative finding, or our own finding). Exit status 1 if a claim "
        "does not "
        f"hold. Names: {NAMES} (the default).",
    )
    sub.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"reproductions to run: {NAMES}",
    )
    sub.add_argument(
        "--out",
        metavar="DIR",
        type=out_argument,
        default=DEFAULT_OUT,
        help=f"folder for the figures, one subfolder each (default: {DEFAULT_OUT})",
    )
    sub.add_argument(
        "--quick",
        action="store_true",
        help="smaller simulations (the claims still checked; for tests)",
    )
    sub.set_defaults(handler=_cmd_reproduce, _parser=sub)


def _cmd_reproduce(args: Any) -> int:
    names = resolve_names(args.names)
    out = check_out_dir(args.out)
    for name in names:
        check_out_dir(out / name)
    done, failed = run_reproductions(names, out, quick=bool(args.quick))
    print(TABLE_HEADER)
    for result in done:
        for row in result.table().splitlines()[2:]:
            print(row)
    print()
    print(count_kinds(done))
    for result in done:
        print(
            f"{result.name}: figure {result.figure}"
            f"{'' if result.holds else '  (a claim does NOT hold)'}"
        )
    for line in failed:
        print(f"pausegame: {line}", file=sys.stderr)
    return 0 if not failed and all(r.holds for r in done) else 1
