"""Start and stop the app's server, and open it in a headless browser (tests and timing).

:func:`server_command` and :func:`server_env` are how ``pausegame app`` (:mod:`viz.cli`) and the
tests start the server.

The server listens on a free loopback port and is stopped by its process id. The browser is the
system's Chromium (Debian's ``chromium`` package) driven by Playwright; Playwright's own browser
download is never used.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: Flags that let Chromium run headless in a container without network side traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the app (Solara in production mode, no browser opened)."""
    return [
        sys.executable,
        "-m",
        "viz.solara_run",
        "run",
        "viz.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def server_env(
    *, projector: bool = False, max_sessions: int | None = None, idle_minutes: float | None = None
) -> dict[str, str]:
    """The server's environment: no telemetry, kernels warmed up, classroom settings.

    No telemetry: the app never calls home. Classroom settings: :mod:`viz.classroom`; a
    closed tab's session is freed after the idle time too (Solara's ``SOLARA_KERNEL_CULL_TIMEOUT``).
    reacton's fast reconciler (``REACTON_FAST=1``) unless the caller's environment sets the
    variable (``REACTON_FAST=0``: reacton's default one): it skips the components that did not
    re-render (on a Simulate step, the controls), about half the server's time of a step, with
    the same widgets (reacton compares the two in its own fuzz test). reacton reads it when a
    page's render context is created.
    """
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "PAUSEGAME_WARM_UP": "1"}
    env.setdefault("REACTON_FAST", "1")
    if projector:
        env["PAUSEGAME_PROJECTOR"] = "1"
    if max_sessions is not None:
        env["PAUSEGAME_MAX_SESSIONS"] = str(max_sessions)
    if idle_minutes is not None:
        env["PAUSEGAME_IDLE_MINUTES"] = f"{idle_minutes:g}"
        env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", f"{max(1, round(idle_minutes * 60))}s")
    return env


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chromium_path() -> str | None:
    """The system Chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Server:
    """A running app server."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    answered_after: float

    def stop(self) -> None:
        """Stop the server by its process id (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def start_server(
    log: Path, *, port: int | None = None, timeout: float = 90.0, idle_minutes: float | None = None
) -> Server:
    """Start ``pausegame app`` on a free loopback port; return once it answers HTTP.

    The front-end assets are set up first if missing (as the app's first start does).
    ``idle_minutes`` is ``pausegame app --idle-minutes`` (the default when None).
    """
    from viz.assets import missing, setup_assets

    if missing():
        setup_assets()
    port = port or free_port()
    command = server_command("127.0.0.1", port)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("wb") as fh:
        process = subprocess.Popen(
            command, stdout=fh, stderr=subprocess.STDOUT, env=server_env(idle_minutes=idle_minutes)
        )
    url = f"http://127.0.0.1:{port}/"
    server = Server(process, url, log, 0.0)
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited early; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    server.answered_after = time.perf_counter() - start
                    return server
        except OSError:
            time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"the app server did not answer within {timeout:g} s; see {log}")


@contextmanager
def running_server(log: Path) -> Iterator[Server]:
    """A server for the duration of a ``with`` block."""
    server = start_server(log)
    try:
        yield server
    finally:
        server.stop()


def launch_browser(playwright: object, extra_args: list[str] | None = None) -> object:
    """Launch the system Chromium headless through Playwright.

    ``extra_args`` are more Chromium flags after :data:`CHROMIUM_ARGS` (the classroom
    benchmark, :mod:`benchmarks.room_speed`, lets its 40 tabs share renderer processes with them).
    """
    path = chromium_path()
    if path is None:
        raise RuntimeError("no chromium found; install Debian's `chromium` package")
    args = [*CHROMIUM_ARGS, *(extra_args or [])]
    return playwright.chromium.launch(executable_path=path, args=args)  # type: ignore[attr-defined]


if __name__ == "__main__":  # pragma: no cover - manual use
    srv = start_server(Path(sys.argv[1] if len(sys.argv) > 1 else "app-server.log"))
    print(srv.url, srv.process.pid)
