"""Running one server for a class: a session cap, idle sessions freed, projector mode.

Settings come from the environment, which ``pausegame app`` sets from its flags:

* ``PAUSEGAME_MAX_SESSIONS`` (default 40): browser sessions served at once; a visitor beyond the
  cap sees a message instead of a game (nothing is built for them).
* ``PAUSEGAME_IDLE_MINUTES`` (default 30): a session with no click for this long is closed and
  its memory freed (the page then offers a reload, which starts a fresh game). Solara itself
  frees a closed tab's session after ``SOLARA_KERNEL_CULL_TIMEOUT``, set to the same time.
* ``PAUSEGAME_PROJECTOR=1``: every page opens in projector mode (also ``?projector=1``, or the
  button in the top bar).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_MAX_SESSIONS = 40
DEFAULT_IDLE_MINUTES = 30.0

#: Large type and high contrast, for a projector at the back of a classroom.
PROJECTOR_CSS = """
html { font-size: 22px !important; }
.v-application, .v-application .v-card, .v-application .v-sheet {
  background: #ffffff !important; color: #000000 !important; }
.v-application .v-card__title, h2, h3 { font-size: 1.6rem !important; font-weight: 800 !important; }
.v-application p, .v-application .v-alert, .v-application .v-btn, .v-application label,
.v-application input, .pg-prose, .pg-prose p, .pg-prose li { color: #000000 !important;
  font-size: 1.05rem !important; line-height: 1.45 !important; }
.v-application .v-btn { font-weight: 800 !important; border-width: 3px !important; }
.pg-network canvas, .pg-timeseries canvas, .pg-theory canvas, .pg-map-chart canvas,
.pg-picture-1 canvas, .pg-picture-2 canvas { zoom: 1.35; }
"""


def max_sessions() -> int:
    """The session cap."""
    try:
        return max(1, int(os.environ.get("PAUSEGAME_MAX_SESSIONS", DEFAULT_MAX_SESSIONS)))
    except ValueError:
        return DEFAULT_MAX_SESSIONS


def idle_seconds() -> float:
    """Seconds without a click after which a session is closed."""
    try:
        minutes = float(os.environ.get("PAUSEGAME_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return max(0.05, minutes) * 60.0


def projector_default() -> bool:
    """True when the server was started with ``--projector``."""
    return os.environ.get("PAUSEGAME_PROJECTOR", "") in ("1", "true", "yes")


@dataclass
class _Entry:
    last: float
    close: Callable[[], None]


class Registry:
    """The live sessions, their last activity, and a reaper that closes idle ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, _Entry] = {}
        self._reaper: threading.Thread | None = None

    def count(self) -> int:
        """Sessions open now."""
        with self._lock:
            return len(self._live)

    def admit(self, key: str, close: Callable[[], None]) -> bool:
        """Register a session; False when the cap is reached (the session is not registered)."""
        with self._lock:
            if key not in self._live and len(self._live) >= max_sessions():
                return False
            self._live[key] = _Entry(time.monotonic(), close)
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap_forever,
                                                name="pausegame-idle-reaper", daemon=True)
                self._reaper.start()
        return True

    def leave(self, key: str) -> None:
        """Forget a session (its page closed)."""
        with self._lock:
            self._live.pop(key, None)

    def touch(self, key: str | None = None) -> None:
        """Record activity (a click) in a session (the current one by default)."""
        key = key or current_key()
        with self._lock:
            entry = self._live.get(key) if key else None
            if entry is not None:
                entry.last = time.monotonic()

    def reap(self, now: float | None = None) -> list[str]:
        """Close sessions idle for longer than :func:`idle_seconds`; return their keys."""
        now = time.monotonic() if now is None else now
        limit = idle_seconds()
        with self._lock:
            idle = [(k, e) for k, e in self._live.items() if now - e.last > limit]
            for k, _ in idle:
                del self._live[k]
        for _, entry in idle:
            try:
                entry.close()
            except Exception:  # noqa: BLE001 - a session already gone
                pass
        return [k for k, _ in idle]

    def _reap_forever(self) -> None:
        while True:
            time.sleep(min(30.0, idle_seconds() / 4))
            self.reap()


REGISTRY = Registry()


def current_key() -> str | None:
    """The Solara kernel (browser session) id of the running code, if any."""
    try:
        from solara.server import kernel_context

        return str(kernel_context.get_current_context().id)
    except Exception:  # noqa: BLE001 - rendered without a server
        return None


def current_closer() -> Callable[[], None]:
    """A function that closes the current Solara session (frees its memory)."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # noqa: BLE001
        return lambda: None
    return lambda: context.close()


def session_memory_bytes() -> int:
    """Python memory one Simulate and one Play game allocate (measured with tracemalloc)."""
    import tracemalloc

    from viz.play import PlayGame
    from viz.session import GameSession

    GameSession("seed=1")  # warm imports and compiled kernels first
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        a = GameSession("seed=1")
        a.step(120)
        b = PlayGame("seed=1&periods=12")
        after = tracemalloc.get_traced_memory()[0]
        del a, b
        return after - before
    finally:
        tracemalloc.stop()
