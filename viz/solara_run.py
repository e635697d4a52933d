"""``python -m viz.solara_run run APP ...``: Solara's ``solara run``, frames written at once.

Every page is a websocket, and Solara's default way to send a widget message is a hand-off
per message from the thread that renders the page to the server's event loop (a task and a
wake-up each). A classroom's month is about a thousand messages to 40 pages in a second, and
on 2 cores that hand-off costs the server more than making the messages. Solara's
``SOLARA_SERVER_SYNC_WS_WRITE`` writes each frame from the rendering thread instead; it needs
uvicorn's ``websockets`` protocol, which ``solara run`` does not let one choose (uvicorn's
default for the installed ``websockets`` is its sans-I/O protocol, where Solara falls back to
the hand-off). This runs ``solara run`` with uvicorn's ``ws="websockets"`` and that setting on
(unless the environment sets either: ``PAUSEGAME_UVICORN_WS`` picks uvicorn's protocol) and
is otherwise ``python -m solara``: the same arguments and the same app. With 40 websocket
students deciding together (``python -m benchmarks.room_speed --clients websocket``), the median
time for the next month to reach every page went from about 0.97 s to 0.65 s.

It also leaves the websockets' frames uncompressed (uvicorn's ``ws_per_message_deflate``;
``PAUSEGAME_WS_DEFLATE=1`` compresses them): compressing each frame was a fifth of the server's
time while a class of 40 voted (a profile of ``python -m benchmarks.lesson_speed --clients
served``), for frames of a few kilobytes on the classroom's network.
"""

from __future__ import annotations

import os
import warnings

import uvicorn


class _Config(uvicorn.Config):
    """uvicorn's settings: its ``websockets`` protocol unless a caller chose one.

    Frames are not compressed unless ``PAUSEGAME_WS_DEFLATE=1``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        if kwargs.get("ws", "auto") == "auto":
            kwargs["ws"] = os.environ.get("PAUSEGAME_UVICORN_WS") or _websockets_protocol()
        kwargs.setdefault("ws_per_message_deflate", os.environ.get("PAUSEGAME_WS_DEFLATE") == "1")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def _websockets_protocol() -> str:
    """``"websockets"`` while uvicorn ships that protocol, else its default (``"auto"``)."""
    try:
        with warnings.catch_warnings():
            _quiet()
            import uvicorn.protocols.websockets.websockets_impl  # noqa: F401
    except ImportError:  # a later uvicorn without it: Solara falls back to its hand-off
        return "auto"
    return "websockets"


def _quiet() -> None:
    """Silence the two deprecation notices of the protocol Solara's synchronous writes need.

    uvicorn and websockets both still ship it; the server log would repeat them every start.
    """
    warnings.filterwarnings("ignore", message=r"websockets\.legacy is deprecated")
    warnings.filterwarnings("ignore", message="The `websockets` implementation is deprecated")


def main() -> None:
    """Run Solara's command line (``solara run ...``) with :class:`_Config` as uvicorn's."""
    os.environ.setdefault("SOLARA_SERVER_SYNC_WS_WRITE", "true")
    _quiet()
    uvicorn.Config = _Config  # type: ignore[misc]  # solara.__main__ builds uvicorn.Config(...)
    from solara.__main__ import main as solara_main

    solara_main()


if __name__ == "__main__":
    main()
