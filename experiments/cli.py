"""The ``pausegame`` command line.

Subcommands are registered, not hard-wired: each is a function ``register(subparsers)`` that adds
its parser and sets ``handler`` (a function of the parsed arguments returning an exit status).
Every one goes into one registry of commands (:func:`command_registry`, an
:class:`agents.registry.Registry`), in this order: the built-in :func:`register_run` and
:func:`register_params` (:mod:`experiments.params_cli`), the ``register`` of each module of this
package listed in :data:`COMMAND_MODULES`, then those other packages declare in the entry-point
group :data:`ENTRY_POINT_GROUP` (the browser app's ``pausegame app``, in :mod:`viz.cli`; the
reproductions' ``pausegame reproduce``), declared in ``pyproject.toml`` and read from the
installed metadata, so this module never imports them. Adding a command of this package is one
line in :data:`COMMAND_MODULES`; of another package, one line in the entry-point group.
:func:`add_param_flags` and :func:`param_overrides` give any subcommand one flag per schema
parameter.

Bad input never prints a traceback or a usage dump: it ends with exit status 2 and one line on
stderr, ``pausegame: error: <what was wrong and what is allowed>``.

Example:
    $ pausegame run default --p-detect 0.5 --seed 7
    $ pausegame run --config runs/default-seed7/config.toml    # the same run again
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any, NoReturn

from agents.registry import Registry
from experiments.files import check_out_dir, out_argument
from experiments.params_cli import format_params, format_sources, register_params
from experiments.run import (
    RunResult,
    default_out_dir,
    package_version,
    run_scenario,
    write_outputs,
)
from experiments.words import plural
from model.errors import ConfigError
from model.params import parse_text, schema

__all__ = [
    "COMMAND_MODULES",
    "ENTRY_POINT_GROUP",
    "UsageError",
    "add_param_flags",
    "build_parser",
    "command",
    "command_name",
    "command_registry",
    "format_params",
    "format_sources",
    "main",
    "param_overrides",
    "plugin_registrars",
    "register_params",
    "register_run",
]

#: Modules that add subcommands, each through a function ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "experiments.benchmark",
    "experiments.ledger_cli",
    "experiments.play_cli",
    "experiments.sweep",
    "experiments.sweep_benchmark",
    "experiments.teaching_cli",
    "experiments.analyze_cli",
    "experiments.bargain_cli",
    "experiments.negotiate_cli",
    "experiments.design_cli",
)

#: The entry-point group through which other packages add subcommands: each entry point names a
#: function ``register(subparsers)`` (``app = "viz.cli:register"`` in ``pyproject.toml``).
ENTRY_POINT_GROUP = "pausegame.commands"

#: Prefix of the argparse ``dest`` of parameter flags (keeps them apart from other options).
PARAM_DEST = "param:"

_WIDTH = 100

Registrar = Callable[[Any], None]


class UsageError(Exception):
    """A command line that cannot be parsed (reported like a ConfigError, exit status 2)."""


#: What argparse should read as a (negative) number, not an option: ``-1``, ``-0.5``, ``-.5``,
#: ``-1e5``, ``-inf``, ``-nan`` (argparse's own test misses the last four, so ``--beta -inf``
#: failed with "expected one argument" instead of the parameter's range).
NEGATIVE_NUMBER = re.compile(
    r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`UsageError` instead of printing usage and exiting.

    Negative numbers (:data:`NEGATIVE_NUMBER`) are values, never options.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER

    def error(self, message: str) -> NoReturn:
        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2))
            close = difflib.get_close_matches(match.group(1), choices, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
        raise UsageError(message)


# ------------------------------------------------------------------------------ commands
def command_name() -> str:
    """``pausegame`` as the user can type it here.

    The bare name when ``pausegame`` on PATH is this program, else the path of the running
    script (``.venv/bin/pausegame`` relative to the working directory when it is below it,
    absolute otherwise).

    Every command this package prints for the user to run goes through :func:`command`.
    """
    candidates = [Path(sys.argv[0])] if sys.argv and Path(sys.argv[0]).name == "pausegame" else []
    candidates.append(Path(sys.executable).with_name("pausegame"))
    script = next((c for c in candidates if c.is_file()), None)
    if script is None:
        return "pausegame"
    on_path = shutil.which("pausegame")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "pausegame"
    absolute = script.absolute()
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return str(absolute)
    text = str(relative)
    return text if os.sep in text else f".{os.sep}{text}"


def command(*args: object) -> str:
    """A ``pausegame`` command line as the user can run it (:func:`command_name`).

    ``command("app")`` is ``.venv/bin/pausegame app`` when the venv is not on PATH.
    """
    return " ".join([command_name(), *(str(a) for a in args)])


# ------------------------------------------------------------------------------ parameters
#: Namespace attribute collecting options given more than once (warned about by :func:`main`).
REPEATED = "_repeated_options"


class _StoreOnce(argparse.Action):
    """Store a value like ``store``, noting an option given twice.

    ``--p-detect 0.2 --p-detect 0.9``: the last value wins, as usual, and :func:`main` warns.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        seen: dict[str, Any] = vars(namespace).setdefault("_given_options", {})
        if self.dest in seen:
            repeated = vars(namespace).setdefault(REPEATED, [])
            repeated.append(
                f"{option_string} was given twice ({seen[self.dest]!s}, then "
                f"{values!s}); using {values!s}"
            )
        seen[self.dest] = values
        setattr(namespace, self.dest, values)


def add_param_flags(parser: argparse.ArgumentParser) -> None:
    """Add one flag per schema parameter: ``--p-detect VALUE`` (also ``--p_detect``).

    Values stay text until :func:`param_overrides` parses them with the schema, so that a bad
    value is reported with the field's name and allowed range.
    """
    group = parser.add_argument_group(
        "model parameters",
        "One flag per parameter; `pausegame params` describes each. "
        "They override the scenario's [params].",
    )
    for p in schema().values():
        if p.kind == "choice":
            metavar = "{" + ",".join(p.choices) + "}"
        else:
            metavar = "N" if p.kind in ("int", "seed") else "X"
        default = "none" if p.default is None else p.default
        text = f"{p.help} Default {default}; {p.bounds_text()}."
        dest = PARAM_DEST + p.name
        group.add_argument(
            f"--{p.name.replace('_', '-')}",
            dest=dest,
            metavar=metavar,
            default=argparse.SUPPRESS,
            help=text.replace("%", "%%"),
            action=_StoreOnce,
        )
        if "_" in p.name:  # the schema's spelling works too; listed once in --help
            group.add_argument(
                f"--{p.name}",
                dest=dest,
                default=argparse.SUPPRESS,
                help=argparse.SUPPRESS,
                action=_StoreOnce,
            )


def param_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The parameter values given as flags, parsed and validated by the schema.

    Raises:
        ParameterError: For a value that is not allowed, naming the field and the range.
    """
    table = schema()
    out: dict[str, Any] = {}
    for dest, text in vars(args).items():
        if dest.startswith(PARAM_DEST):
            name = dest[len(PARAM_DEST) :]
            out[name] = parse_text(table[name], text)
    return out


# ------------------------------------------------------------------------------ run
def register_run(subparsers: Any) -> None:
    """Register ``pausegame run``: one run of a scenario, with its four output files."""
    sub = subparsers.add_parser(
        "run",
        help="run one scenario and write its outputs",
        allow_abbrev=False,
        usage="pausegame run [SCENARIO] [--PARAM VALUE ...] [--seed N] [--out DIR]\n"
        "                     [--config FILE] [--alliance-file FILE] [--quiet]",
        description="Run one scenario (a shipped name or a .toml file) and write "
        "timeseries.csv, compliance.png, summary.json and config.toml. Precedence: "
        "the scenario's [params] < flags. One step is one month.",
    )
    sub.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="a scenario file, or the name of a shipped scenario (default: 'default')",
    )
    sub.add_argument(
        "--config",
        metavar="FILE",
        action=_StoreOnce,
        help="a config.toml written by an earlier run (or any scenario file): reproduces that run",
    )
    sub.add_argument(
        "--alliance_file", dest="alliance_file", help=argparse.SUPPRESS, action=_StoreOnce
    )
    sub.add_argument(
        "--alliance-file",
        metavar="FILE",
        dest="alliance_file",
        action=_StoreOnce,
        help="an alliance graph (.graphml, or node-link .json) whose nodes are "
        "nation names or indices 0..n_nations-1 (no leading zeros: '07' is a name); "
        "edge attribute 'weight'",
    )
    sub.add_argument(
        "--out",
        metavar="DIR",
        type=out_argument,
        action=_StoreOnce,
        help="output folder (default: runs/<scenario-name>-seed<seed>/)",
    )
    sub.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    sub.add_argument(
        "--ledger",
        metavar="FILE",
        action=_StoreOnce,
        help="record the hash-chained event log of the run and write it as JSONL "
        "(check it with `pausegame verify-ledger FILE`)",
    )
    add_param_flags(sub)
    sub.set_defaults(handler=_cmd_run, _parser=sub)


def _cmd_run(args: argparse.Namespace) -> int:
    if args.config is not None and args.scenario is not None:
        raise UsageError(
            f"give a SCENARIO ({args.scenario!r}) or --config FILE ({args.config!r}), not both"
        )
    source: str | Path = (
        Path(args.config) if args.config is not None else (args.scenario or "default")
    )
    overrides = param_overrides(args)
    if args.out:
        check_out_dir(args.out)
    result = run_scenario(
        source, overrides, graph=args.alliance_file, event_log=True if args.ledger else None
    )
    if args.out:
        out = Path(args.out)
    else:
        out = default_out_dir(result.name, result.seed)
        if args.config is not None:
            out = _fresh_dir(out)  # never over the run being reproduced, nor another
    result = write_outputs(result, out)
    if args.ledger and result.engine.log is not None:
        from experiments.run import write_ledger

        result.outputs["ledger"] = write_ledger(result.engine.log.records, args.ledger)
    if not args.quiet:
        print(format_run(result))
        print(f"Open the app: {command('app')}")
    return 0


def _fresh_dir(out: Path) -> Path:
    """``out`` if it does not exist, else the first of ``out-2``, ``out-3``, ... that does not."""
    if not out.exists():
        return out
    k = 2
    while (candidate := out.with_name(f"{out.name}-{k}")).exists():
        k += 1
    return candidate


def format_run(result: RunResult, width: int = _WIDTH) -> str:
    """The human summary ``pausegame run`` prints."""
    s = result.summary
    p = result.params
    world = result.engine.world
    n_labs = world.n_actors - world.n_nations
    threshold = float(p["stability_threshold"])
    patience = int(p["collapse_patience"])
    lines = [f"note: {note}" for note in result.notes]
    lines.append(
        f"Scenario {result.name!r}, seed {result.seed}: {plural(world.n_nations, 'nation')}, "
        f"{plural(n_labs, 'lab')}, {plural(s.steps, 'month')} (one step = one month)."
    )
    if s.active_steps == 0:
        verdict = (
            f"No pause bound anyone in {plural(s.steps, 'month')} (the treaty never entered into "
            "force, or the pause was never triggered), so it neither held nor collapsed."
        )
    elif s.held and s.active_steps < s.steps:
        verdict = (
            f"The pause held in each of the {plural(s.active_steps, 'month')} it was active (of "
            f"{s.steps}): capability-weighted compliance of bound actors never stayed "
            f"below {threshold:g} for {plural(patience, 'month')} in a row."
        )
    elif s.held:
        verdict = (
            f"The pause held for all {plural(s.steps, 'month')}: capability-weighted "
            f"compliance never stayed below {threshold:g} for {plural(patience, 'month')} in a "
            "row."
        )
    else:
        verdict = (
            f"The pause collapsed at month {s.collapse_step}: from then on "
            f"capability-weighted compliance stayed below {threshold:g} for "
            f"{plural(patience, 'month')} in a row."
        )
    body = [
        verdict,
        f"Final capability-weighted compliance: {s.final_compliance:.3f} (month {s.steps}).",
        f"Detections: {s.detections}; false alarms: {s.false_alarms}; sanctions paid: "
        f"{s.sanctions_paid:.3g} G.",
        f"Seed: {result.seed}.",
    ]
    if s.sanctions_blocked_by_vote or s.sanctions_blocked_by_veto:
        body.insert(
            3,
            f"Sanctions applied: {s.sanctions_applied}; blocked by vote: "
            f"{s.sanctions_blocked_by_vote}; blocked by veto: "
            f"{s.sanctions_blocked_by_veto}.",
        )
    if s.ledger_head:
        where = result.outputs.get("ledger", "")
        body.append(
            f"Event log: {plural(s.ledger_records, 'record')}, head {s.ledger_head} "
            f"({where}); check it with `{command('verify-ledger', where or 'FILE')} "
            f"--head {s.ledger_head}`."
        )
    for text in body:
        lines += textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ")
    if result.theory:
        lines += textwrap.wrap(
            f"Theory (mean field): {result.theory}",
            width,
            initial_indent="  ",
            subsequent_indent="    ",
        )
    if result.outputs:
        folder = result.outputs["config"].parent
        files = ", ".join(path.name for path in result.outputs.values())
        lines.append(f"Outputs in {folder}{os.sep}: {files}")
        lines.append(f"Reproduce: {command('run', '--config', result.outputs['config'])}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ main
def command_registry(group: str = ENTRY_POINT_GROUP) -> Registry[Registrar]:
    """Every subcommand's ``register``: the built-in ones, then those of the entry-point ``group``.

    An entry point that cannot be loaded is left out with a one-line warning on stderr (the
    other commands keep working).
    """
    commands: Registry[Registrar] = Registry("command")
    commands.register("run", register_run)
    commands.register("params", register_params)
    for name in COMMAND_MODULES:
        commands.register(name.rpartition(".")[2], import_module(name).register)
    _warn(commands.load_entry_points(group))
    return commands


def plugin_registrars(group: str = ENTRY_POINT_GROUP) -> list[Registrar]:
    """The ``register`` functions other packages declare in the entry-point ``group``.

    Sorted by entry-point name; one that cannot be loaded is left out with a one-line warning on
    stderr (the other commands keep working).
    """
    plugins: Registry[Registrar] = Registry("command")
    _warn(plugins.load_entry_points(group))
    return [register for _, register in plugins.items()]


def _warn(lines: Sequence[str]) -> None:
    for line in lines:
        print(f"pausegame: warning: {line}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The ``pausegame`` parser with every registered subcommand."""
    parser = _Parser(
        prog="pausegame",
        allow_abbrev=False,
        description="A multilateral treaty negotiation game: when does a verified "
        "pause on frontier AI development stay stable?",
    )
    parser.add_argument("--version", action="version", version=f"pausegame {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for _, register in command_registry().items():
        register(subparsers)
    return parser


def _unrecognized(
    extras: Sequence[str], args: argparse.Namespace, parser: argparse.ArgumentParser
) -> str:
    """A one-line message for unknown arguments, suggesting a close option name."""
    flag = next((e for e in extras if e.startswith("-")), None)
    if flag is None:
        return f"unrecognized arguments: {' '.join(extras)}"
    flag = flag.split("=", 1)[0]
    owner = getattr(args, "_parser", parser)
    options = [o for action in owner._actions for o in action.option_strings if o.startswith("--")]
    close = difflib.get_close_matches(flag, options, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    where = f" for `pausegame {args.command}`" if getattr(args, "command", None) else ""
    return (
        f"unrecognized option {flag!r}{where}{hint} (`{command('params')}` lists every parameter)"
    )


def _fail(message: str) -> int:
    line = " ".join(str(message).split())
    print(f"pausegame: error: {line}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pausegame`` command line.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 2 for bad input (one line on stderr).
    """
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(None if argv is None else list(argv))
        if extras:
            raise UsageError(_unrecognized(extras, args, parser))
        for warning in getattr(args, REPEATED, ()):
            print(f"pausegame: warning: {warning}", file=sys.stderr)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 0
        return int(handler(args) or 0)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except (UsageError, ConfigError) as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        return 0
    except OSError as exc:
        name = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{name}{exc.strerror or exc}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
