"""Running one server for a class: session cap, idle sessions freed, projector, kept games.

Settings come from the environment, which ``pausegame app`` sets from its flags:

* ``PAUSEGAME_MAX_SESSIONS`` (default 40): browser sessions served at once; a visitor beyond the
  cap sees a message instead of a game (nothing is built for them).
* ``PAUSEGAME_IDLE_MINUTES`` (default 30): a session with no activity for this long is closed and
  its memory freed (the page then offers a reload, which starts a fresh game). Activity is every
  message the browser's widgets send: a click on any page (Step, Comply, a link in the top bar),
  a typed value, a slider move. :func:`watch_activity` counts them, once per Solara kernel
  (browser session), so no page has to remember to. Solara itself frees a closed tab's session
  after ``SOLARA_KERNEL_CULL_TIMEOUT``, set to the same time.
* ``PAUSEGAME_PROJECTOR=1``: every page opens in projector mode (also ``?projector=1``, or the
  button in the top bar).

A page is unmounted when its visitor opens another page, so state built with
``solara.use_memo`` would be built afresh on return. :class:`Kept` holds such state (the
Simulate game, the Play game, the map's parameters) per browser session instead, and frees it
with the session.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

logger = logging.getLogger(__name__)

#: Link keys that belong to the top bar on every page (:mod:`viz.main`), not to a page's
#: world: pages are built from their links without them (never "unknown parameter").
LAYOUT_KEYS: frozenset[str] = frozenset({"projector"})

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
.v-application .v-btn { font-weight: 800 !important; border-width: 3px !important;
  max-width: 100%; height: auto !important; min-height: 36px; }
.v-application .v-btn .v-btn__content { white-space: normal; flex-shrink: 1; max-width: 100%; }
.v-application .v-text-field { padding-top: 16px !important; margin-top: 2px !important; }
.v-application .v-text-field .v-label { font-size: 1rem !important; line-height: 1.2 !important; }
.v-application .v-select__selection { font-size: 1.05rem !important; line-height: 1.3 !important; }
.v-application .v-text-field .v-label--active {
  transform: translateY(-24px) scale(.8) !important; }
.pg-speed { width: 10em !important; }
.pg-map { max-width: none !important; }
.pg-map-chart { max-width: none !important; zoom: 1.4; }
.pg-network svg.marks, .pg-timeseries canvas, .pg-theory canvas, .pg-map-chart canvas,
.pg-picture-1 canvas, .pg-picture-2 canvas { zoom: 1.35; }
"""


def max_sessions() -> int:
    """The session cap."""
    try:
        return max(1, int(os.environ.get("PAUSEGAME_MAX_SESSIONS", DEFAULT_MAX_SESSIONS)))
    except ValueError:
        return DEFAULT_MAX_SESSIONS


def idle_seconds() -> float:
    """Seconds without activity (a click, a typed value) after which a session is closed."""
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
                self._reaper = threading.Thread(
                    target=self._reap_forever, name="pausegame-idle-reaper", daemon=True
                )
                self._reaper.start()
        return True

    def leave(self, key: str) -> None:
        """Forget a session (its page closed) and free what its pages kept."""
        with self._lock:
            self._live.pop(key, None)
        forget(key)

    def touch(self, key: str | None = None) -> None:
        """Record activity (a click) in a session (the current one by default)."""
        key = key or current_key()
        with self._lock:
            entry = self._live.get(key) if key else None
            if entry is not None:
                entry.last = time.monotonic()

    def last_activity(self, key: str) -> float | None:
        """The session's last activity (``time.monotonic()``), None when it is not open."""
        with self._lock:
            entry = self._live.get(key)
            return entry.last if entry is not None else None

    def reap(self, now: float | None = None) -> list[str]:
        """Close sessions idle for longer than :func:`idle_seconds`; return their keys."""
        now = time.monotonic() if now is None else now
        limit = idle_seconds()
        with self._lock:
            idle = [(k, e) for k, e in self._live.items() if now - e.last > limit]
            for k, _ in idle:
                del self._live[k]
        for k, entry in idle:
            forget(k)
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


#: Comm message methods that come from the visitor: a widget's value changed in the browser
#: (``update``: typed text, a slider, a picker) or a browser event (``custom``: a click).
USER_METHODS = ("update", "custom")


def is_activity(msg: Mapping[str, Any]) -> bool:
    """True when a comm message from the browser is the visitor's doing.

    Pages send nothing while their visitor is idle (checked in a real browser: a page left open
    sends no message); the only messages not counted are Solara's own control messages and the
    widgets' requests for their state, which a (re)connection sends.
    """
    try:
        return msg["content"]["data"].get("method") in USER_METHODS
    except (KeyError, TypeError, AttributeError):
        return False


def watch_activity(registry: Registry | None = None) -> Callable[[], None] | None:
    """Count every message from the browser's widgets as activity in the current session.

    Meant for ``solara.lab.on_kernel_start`` (:mod:`viz.main` registers it): Solara calls it in
    each new kernel (browser session). It wraps that kernel's comm manager's ``comm_msg``
    handler, through which Solara's server passes every widget message from the browser, so a
    click on any page counts without the pages' handlers doing anything. Returns the function
    that undoes it (Solara calls it when the kernel closes).
    """
    registry = REGISTRY if registry is None else registry
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
        manager = context.kernel.comm_manager
        handle = manager.comm_msg
    except Exception as exc:  # noqa: BLE001 - then only page changes count (Layout's touch)
        logger.warning(
            "pausegame: clicks cannot be counted as activity (%s); only page "
            "changes keep a session from being closed as idle",
            exc,
        )
        return None
    key = str(context.id)

    def comm_msg(stream: Any, ident: Any, msg: dict[str, Any]) -> Any:
        if is_activity(msg):
            registry.touch(key)
        return handle(stream, ident, msg)

    manager.comm_msg = comm_msg

    def undo() -> None:
        if getattr(manager, "comm_msg", None) is comm_msg:
            manager.comm_msg = handle

    return undo


_KEPT_LOCK = threading.Lock()
#: Per open browser session (Solara kernel id): what its pages keep, by :class:`Kept` name.
_KEPT: dict[str, dict[str, Any]] = {}


def _session_store() -> dict[str, Any] | None:
    """The current browser session's kept objects (None outside a Solara session).

    Made on first use; freed when Solara closes the session (a closed tab after the cull time,
    the idle reaper, a shutdown), and when the session leaves the :data:`REGISTRY`.
    """
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # noqa: BLE001 - rendered without a server: nothing outlives the page
        return None
    key = str(context.id)
    with _KEPT_LOCK:
        store = _KEPT.get(key)
        if store is None:
            store = _KEPT[key] = {}
            context.on_close(lambda: forget(key))
    return store


def forget(key: str) -> None:
    """Free what the pages kept for a browser session."""
    with _KEPT_LOCK:
        _KEPT.pop(key, None)


def kept_sessions() -> int:
    """Browser sessions holding kept objects now."""
    with _KEPT_LOCK:
        return len(_KEPT)


def _canonical(query: str) -> list[tuple[str, str]]:
    """A link's parameters in order, without the top bar's own (``projector``)."""
    return sorted((k, v) for k, v in parse_qsl(query.lstrip("?")) if k not in LAYOUT_KEYS)


def page_query(query: str | None) -> str:
    """A link's query without the top bar's keys (:data:`LAYOUT_KEYS`): a page's own link."""
    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k not in LAYOUT_KEYS])


class Kept[T]:
    """One object per browser session that outlives its page (a game, a map's parameters).

    Args:
        name: Unique among the app's ``Kept`` objects (the page's name).
        build: Makes a fresh object from the page's query string.
        link: The query string that reproduces an object (its page's shareable link).

    :meth:`open` is what a page calls once per mount, in ``solara.use_memo``: it returns the
    session's kept object when the page is opened without a query or with the kept object's own
    link (the top bar's links, the browser's Back button), and otherwise builds a fresh one
    from the query (a shared link, a scenario opened from Learn) and keeps that instead.
    Outside a Solara session (rendered in a test) every call builds a fresh object.
    """

    def __init__(self, name: str, build: Callable[[str], T], link: Callable[[T], str]) -> None:
        self.name = name
        self._build = build
        self._link = link

    def open(self, query: str | None) -> T:
        """The session's kept object, or a fresh one for a query that asks for another."""
        query = page_query(query)  # projector=1 is the top bar's, not the page's
        store = _session_store()
        if store is None:
            return self._build(query)
        with _KEPT_LOCK:
            kept: T | None = store.get(self.name)
        if kept is not None and (
            not _canonical(query) or _canonical(query) == _canonical(self._link(kept))
        ):
            return kept
        fresh = self._build(query)
        with _KEPT_LOCK:
            store[self.name] = fresh
        return fresh

    def link(self, kept: T) -> str:
        """The query string that reproduces ``kept`` (its page's shareable link)."""
        return self._link(kept)

    def peek(self) -> T | None:
        """The current session's kept object, if any (without building one)."""
        store = _session_store()
        if store is None:
            return None
        with _KEPT_LOCK:
            return store.get(self.name)
