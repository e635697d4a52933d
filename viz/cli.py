"""``pausegame app`` and ``pausegame setup-assets``: the browser app from the command line.

These commands live beside the app and reach ``pausegame`` (:mod:`experiments.cli`) through the
``pausegame.commands`` entry-point group in ``pyproject.toml`` (``app = "viz.cli:register"``), so
the headless layer never imports the app. This module imports nothing of Solara at import time:
without the ``app`` extra, ``pausegame app`` says how to install it (exit status 2).

``pausegame app`` serves the Solara app (:mod:`viz.app`) on the loopback interface unless told
otherwise. Before the first start it fills Solara's front-end cache from the npm registry
(:mod:`viz.assets`), so the app works without the public CDN, and says so; from then on it needs
no network. ``pausegame setup-assets`` does that setup alone (for a machine that will be offline
later, or to repair the cache).

Example:
    $ pausegame setup-assets
    $ pausegame app --port 8765
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import sys
from importlib.util import find_spec
from typing import Any

from viz.serve import free_port, server_command, server_env

__all__ = ["missing_app_extra", "register", "server_command", "server_env"]

DEFAULT_PORT = 8765
_LOOPBACK = ("localhost",)
#: Modules of the ``app`` extra the app cannot start without.
APP_MODULES = ("solara", "reacton", "ipyvuetify", "altair", "markdown")


def register(subparsers: Any) -> None:
    """Register ``pausegame app`` and ``pausegame setup-assets``."""
    app = subparsers.add_parser(
        "app",
        help="start the browser app (Solara) on this machine",
        allow_abbrev=False,
        description="Start the browser app on http://HOST:PORT/ (default 127.0.0.1:8765). "
        "The first start fetches the front-end files from the npm registry "
        "(`pausegame setup-assets`); afterwards the app works offline. Ctrl+C "
        "stops it.",
    )
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1: this machine only; any "
        "other lets everyone who can reach it use the app)",
    )
    app.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    app.add_argument(
        "--projector",
        action="store_true",
        help="open every page in projector mode (large type, high contrast)",
    )
    app.add_argument(
        "--max-sessions",
        type=int,
        default=40,
        help="browser sessions served at once (default 40); later visitors are asked to try again",
    )
    app.add_argument(
        "--idle-minutes",
        type=float,
        default=30.0,
        help="close a session after this many minutes without a click, freeing "
        "its memory (default 30)",
    )
    app.add_argument(
        "--teacher-key",
        default=None,
        help="the secret that opens /teach (a class's rooms); default: a fresh one, "
        "printed at the start",
    )
    app.add_argument(
        "--no-setup",
        action="store_true",
        help="do not fetch missing front-end files before starting",
    )
    app.set_defaults(handler=_cmd_app, _parser=app)
    assets = subparsers.add_parser(
        "setup-assets",
        help="fetch the app's front-end files for offline use",
        allow_abbrev=False,
        description="Fetch the browser app's front-end files (Vuetify, require.js, Vega, Font "
        "Awesome) from the npm registry with `npm pack` into Solara's cache, so the "
        "app works without the public CDN. Needs npm and the registry once.",
    )
    assets.add_argument("--force", action="store_true", help="fetch every file again")
    assets.set_defaults(handler=_cmd_setup_assets, _parser=assets)


def missing_app_extra(modules: tuple[str, ...] = APP_MODULES) -> list[str]:
    """The app's modules that are not installed (empty when the ``app`` extra is)."""
    return [name for name in modules if find_spec(name) is None]


def _no_app_extra() -> int | None:
    """Exit status 2 and one line when the ``app`` extra is missing; None when it is there."""
    absent = missing_app_extra()
    if not absent:
        return None
    print(
        f"pausegame: error: the browser app needs the 'app' extra ({', '.join(absent)} not "
        'installed); install it with: pip install -e ".[app]" (or pip install '
        '"pausegame[app]")',
        file=sys.stderr,
    )
    return 2


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cmd_setup_assets(args: argparse.Namespace) -> int:
    absent = _no_app_extra()
    if absent is not None:
        return absent
    from viz.assets import AssetError, cache_dir, setup_assets

    try:
        fetched = setup_assets(force=args.force, log=print)
    except AssetError as exc:
        print(f"pausegame: error: {exc}", file=sys.stderr)
        return 1
    if not fetched:
        print(f"front-end assets already in {cache_dir()}; nothing to fetch")
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        print(
            f"pausegame: error: --port {args.port} is not a port; allowed: 0 to 65535",
            file=sys.stderr,
        )
        return 2
    if args.max_sessions < 1 or args.idle_minutes <= 0:
        print(
            "pausegame: error: --max-sessions must be >= 1 and --idle-minutes > 0", file=sys.stderr
        )
        return 2
    absent = _no_app_extra()
    if absent is not None:
        return absent
    if not _is_loopback(args.host):
        print(
            f"warning: listening on {args.host}: anyone who can reach this machine on port "
            f"{args.port} can use the app",
            file=sys.stderr,
        )
    if not args.no_setup:
        from viz.assets import AssetError, missing, setup_assets

        if missing():
            print(
                "First start: fetching the app's front-end files from the npm registry "
                "(once; the app works offline afterwards) ...",
                flush=True,
            )
            try:
                setup_assets(log=print)
            except AssetError as exc:
                print(f"warning: {exc}. The app will try the public CDN instead.", file=sys.stderr)
    if args.port == 0:
        args.port = free_port()
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"pausegame app: open http://{shown}:{args.port}/ in a browser (Ctrl+C stops it)",
        flush=True,
    )
    teacher_key = (
        args.teacher_key or os.environ.get("PAUSEGAME_TEACHER_KEY") or secrets.token_urlsafe(9)
    )
    print(
        f"teacher page: http://{shown}:{args.port}/teach (teacher key: {teacher_key}); "
        f"students join at http://{shown}:{args.port}/join",
        flush=True,
    )
    command = server_command(args.host, args.port)
    env = server_env(
        projector=args.projector, max_sessions=args.max_sessions, idle_minutes=args.idle_minutes
    )
    env["PAUSEGAME_TEACHER_KEY"] = teacher_key
    os.execvpe(command[0], command, env)
    return 0  # not reached
