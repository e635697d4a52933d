"""A page of the app without a browser: a client of Solara's kernel websocket (benchmarks only).

:class:`PageClient` does over the network what a browser tab does to the server, so the server
does its full work for it, and nothing is faked on the server side:

1. ``GET`` the page (the server renders its HTML and sets the ``solara-session-id`` cookie);
2. open a kernel websocket, ``/jupyter/api/kernels/<kernel id>/channels?session_id=<page id>``
   (a fresh virtual kernel: one Solara session, counted by the session cap like a tab);
3. open a ``solara.control`` comm and ask it to ``run`` the app at the page's path (the server
   renders the page and sends every widget as a ``jupyter.widget`` comm, then ``finished``);
4. keep every widget's state from the server's ``comm_open``, ``update`` and ``comm_close``
   messages, and act like a user: set a widget's value (an ``update`` message, as a typed
   value) and click (the ``custom`` ``click`` event that a Vue button sends).

It does not fetch the front end's JavaScript and CSS or draw anything: what it measures is the
server's share (its renders and messages) plus the network, not a browser's redraw.

The messages follow Jupyter's messaging protocol (JSON text frames; the server's frames with
binary buffers start with a count and offsets of their parts). Only
:mod:`benchmarks.room_speed` uses this module; it needs the ``websockets`` package, which
the app server itself needs for its websockets.
"""

from __future__ import annotations

import json
import struct
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any


class PageClientError(RuntimeError):
    """The server refused or broke a client's session, or a wait ran out."""


def _frame_json(frame: str | bytes) -> dict[str, Any]:
    """A server frame as a message dict (the JSON part of a binary frame; buffers dropped)."""
    if isinstance(frame, str):
        return dict(json.loads(frame))
    (parts,) = struct.unpack("!I", frame[:4])
    offsets = struct.unpack("!" + "I" * parts, frame[4 : 4 * (parts + 1)])
    end = offsets[1] if parts > 1 else len(frame)
    return dict(json.loads(frame[offsets[0] : end].decode("utf8")))


def _text(state: dict[str, Any]) -> str:
    """The text a widget shows itself: its string children, joined (``solara.HTML``: its HTML)."""
    children = state.get("children") or []
    shown = "".join(c for c in children if isinstance(c, str) and not c.startswith("IPY_MODEL_"))
    return shown or str(state.get("unsafe_innerHTML") or "")


def _classes(state: dict[str, Any]) -> str:
    """A widget's CSS classes (``solara.HTML`` keeps them in its ``attributes``)."""
    attributes = state.get("attributes") or {}
    extra = attributes.get("class", "") if isinstance(attributes, dict) else ""
    return f"{state.get('class_') or ''} {extra}".strip()


class PageClient:
    """One page of the app (``url`` + ``path``), held open over the kernel websocket.

    ``watch_class``: widgets whose CSS class contains it are watched: :meth:`seen` gives the
    moment (``time.time()``, when the message arrived) one of them first showed a text.
    ``timeout``: seconds for the page's first render and the default for every wait.
    """

    def __init__(
        self, url: str, path: str, *, watch_class: str | None = None, timeout: float = 180.0
    ) -> None:
        try:
            from websockets.sync.client import connect
        except ImportError as exc:  # pragma: no cover - the app server needs it too
            raise PageClientError(
                "the websocket clients need the `websockets` package (pip install websockets)"
            ) from exc
        self.timeout = timeout
        self.watch_class = watch_class
        self._models: dict[str, dict[str, Any]] = {}
        self._seen: dict[str, float] = {}  # text shown by a watched widget -> first moment
        self._changed = threading.Condition()
        self._error: str | None = None
        self._finished = False
        self._closing = False
        self._session = uuid.uuid4().hex  # Jupyter's client session id: Solara's page id
        self._kernel = str(uuid.uuid4())
        self._base = url.rstrip("/")
        with urllib.request.urlopen(self._base + path, timeout=timeout) as response:
            response.read()  # the page's HTML, rendered by the server
            cookies = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
        if not cookies:
            raise PageClientError(f"GET {path}: the server set no session cookie")
        self._cookie = "; ".join(cookies)
        ws_url = (
            "ws"
            + self._base[len("http") :]
            + f"/jupyter/api/kernels/{self._kernel}/channels?session_id={self._session}"
        )
        self._stack = ExitStack()
        self._ws = self._stack.enter_context(
            connect(
                ws_url,
                additional_headers={"Cookie": self._cookie},
                max_size=None,
                open_timeout=timeout,
                ping_interval=None,
            )
        )
        self._reader = threading.Thread(
            target=self._read, name=f"page-client-{self._kernel}", daemon=True
        )
        self._reader.start()
        control = uuid.uuid4().hex
        self._send("comm_open", {"comm_id": control, "target_name": "solara.control", "data": {}})
        self._control = control
        self._send(
            "comm_msg",
            {
                "comm_id": control,
                "data": {"method": "run", "args": {"path": path, "appName": None}},
            },
        )
        self.wait(lambda: self._finished, f"the first render of {path}")

    # ------------------------------------------------------------------------ the wire
    def _send(self, msg_type: str, content: dict[str, Any]) -> None:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "benchmark",
            "session": self._session,
            "version": "5.3",
            "date": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        self._ws.send(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )

    def _read(self) -> None:
        """The reader thread: apply every server message to the widget states."""
        try:
            for frame in self._ws:
                now = time.time()
                try:
                    msg = _frame_json(frame)
                except (ValueError, struct.error):
                    self._fail(f"the server sent a frame that is not a message: {frame[:200]!r}")
                    return
                self._apply(msg, now)
        except Exception as exc:  # noqa: BLE001 - the connection closed: report it to waiters
            if not self._closing:
                self._fail(f"the websocket closed: {exc}")
            return
        if not self._closing:
            self._fail("the server closed the websocket")

    def _fail(self, why: str) -> None:
        with self._changed:
            self._error = why
            self._changed.notify_all()

    def _apply(self, msg: dict[str, Any], now: float) -> None:
        kind = msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        comm = content.get("comm_id")
        with self._changed:
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self._models[comm] = dict(content.get("data", {}).get("state", {}))
                self._note(comm, now)
            elif kind == "comm_msg":
                data = content.get("data", {})
                if data.get("method") == "update" and comm in self._models:
                    self._models[comm].update(data.get("state", {}))
                    self._note(comm, now)
                elif data.get("method") == "finished" and comm == self._control:
                    self._finished = True
            elif kind == "comm_close":
                self._models.pop(comm, None)
            elif kind == "error":
                self._error = f"the kernel reported an error: {content}"
            self._changed.notify_all()

    def _note(self, comm: str, now: float) -> None:
        state = self._models[comm]
        if self.watch_class and self.watch_class in _classes(state):
            self._seen.setdefault(_text(state), now)

    # ------------------------------------------------------------------------ a user
    def wait(self, ready: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        """Wait until ``ready()`` (called under the state lock) is true."""
        seconds = self.timeout if timeout is None else timeout
        limit = time.monotonic() + seconds
        with self._changed:
            while not ready():
                if self._error:
                    raise PageClientError(f"{what}: {self._error}")
                left = limit - time.monotonic()
                if left <= 0:
                    raise PageClientError(f"{what}: not within {seconds:g} s")
                self._changed.wait(left)

    def find(
        self, *, cls: str | None = None, label: str | None = None, model: str | None = None
    ) -> list[str]:
        """The live widgets (comm ids) with that CSS class, label and model name."""
        with self._changed:
            return [
                c
                for c, s in self._models.items()
                if (cls is None or cls in (s.get("class_") or "").split())
                and (label is None or s.get("label") == label)
                and (model is None or s.get("_model_name") == model)
            ]

    def wait_for(
        self,
        *,
        cls: str | None = None,
        label: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The first live widget matching (as :meth:`find`), once there is one."""
        found: list[str] = []

        def ready() -> bool:
            found[:] = [
                c
                for c, s in self._models.items()
                if (cls is None or cls in (s.get("class_") or "").split())
                and (label is None or s.get("label") == label)
                and (model is None or s.get("_model_name") == model)
            ]
            return bool(found)

        self.wait(ready, f"a widget (class {cls!r}, label {label!r}, model {model!r})", timeout)
        return found[0]

    def set_value(self, comm: str, value: Any) -> None:
        """Type ``value`` into a field (its ``v_model``, as the browser syncs it)."""
        with self._changed:
            if comm in self._models:
                self._models[comm]["v_model"] = value
        self._send(
            "comm_msg",
            {
                "comm_id": comm,
                "data": {"method": "update", "state": {"v_model": value}, "buffer_paths": []},
            },
        )

    def click(self, comm: str) -> None:
        """Click a button (the ``click`` event a Vue button sends its widget)."""
        self._send(
            "comm_msg",
            {
                "comm_id": comm,
                "data": {"method": "custom", "content": {"event": "click", "data": {}}},
            },
        )

    def seen(self, text: str) -> float | None:
        """When a watched widget first showed a text containing ``text`` (None: not yet)."""
        with self._changed:
            hits = [t for shown, t in self._seen.items() if text in shown]
        return min(hits) if hits else None

    def wait_seen(self, text: str, timeout: float | None = None) -> float:
        """Wait until a watched widget has shown ``text``; when it first did."""
        self.wait(
            lambda: any(text in shown for shown in self._seen),
            f"a {self.watch_class!r} widget showing {text!r}",
            timeout,
        )
        moment = self.seen(text)
        assert moment is not None
        return moment

    def close(self) -> None:
        """Close the page as a closing tab does (Solara's close beacon), then the websocket."""
        self._closing = True
        try:
            request = urllib.request.Request(
                f"{self._base}/_solara/api/close/{self._kernel}?session_id={self._session}",
                data=b"",
                method="POST",
                headers={"Cookie": self._cookie},
            )
            urllib.request.urlopen(request, timeout=10).close()
        except OSError:
            pass  # the server may already be gone; the websocket's close frees the page too
        self._stack.close()
