"""Free-text messages on the pages: the student's box and list, the teacher's switch and Hide.

The student's part (:func:`StudentTalk`) shows the messages the students may see and, when the
teacher allows free text, a box to send one (:meth:`experiments.room.Room.say`; a blocked
message is refused with :data:`~experiments.room.freetext.BLOCKED_MESSAGE`). The teacher's part
(:func:`TeacherTalk`) turns free text on or off, extends the block list, and lists every
message with a Hide button (:meth:`experiments.room.Room.hide`); a hidden message stays in the
list, marked hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from experiments.room import Room
from viz.room_pages.common import _line


@solara.component
def StudentTalk(
    room: Room,
    token: str,
    session: str,
    texts: tuple[tuple[int, int, str, str], ...],
    can_send: bool,
    act: Callable[[Callable[[], Any]], None],
) -> None:
    """The messages (id, month, nation, text) and, when allowed, a box to send one."""
    draft, set_draft = solara.use_state("")

    def send() -> None:
        sent: list[bool] = []

        def say() -> None:
            room.say(token, draft, session=session)
            sent.append(True)

        act(say)
        if sent:
            set_draft("")

    with solara.Card("Free messages", classes=["pg-room-freetalk"]):
        for _id, month, nation, text in texts:
            _line(f"Month {month}, {nation}: {text}", classes=["pg-room-freetext"]).key(f"m-{_id}")
        if not texts:
            _line("No messages yet.", style={"color": "#555"}).key("none")
        if can_send:
            with solara.Row(classes=["pg-room-row"]).key("send"):
                solara.InputText(
                    "Your message (everyone reads it; the teacher can hide it)",
                    value=draft,
                    on_value=set_draft,
                    continuous_update=True,
                    classes=["pg-room-freetext-input"],
                )
                solara.Button(
                    "Send", outlined=True, on_click=send, classes=["pg-room-freetext-send"]
                )


@solara.component
def TeacherTalk(
    room: Room,
    texts: tuple[tuple[int, int, str, str, bool], ...],
    on: bool,
    act: Callable[[Callable[[], Any]], None],
) -> None:
    """Free text ``on`` or off, the class's own blocked words, and every message with Hide.

    ``texts``: (id, month, nation, text, hidden) of every message (plain arguments: the
    dashboard's reconciler redraws this part when they change).
    """
    t = room.teacher_token
    words, set_words = solara.use_state(", ".join(room.message_words))
    with solara.Column(gap="4px", classes=["pg-teach-freetalk"]):
        _line("Free-text messages", style={"font-weight": "700"})
        with solara.Column(classes=["pg-teach-freetext-on"], gap="0px"):
            solara.Checkbox(
                label="Students may send free-text messages",
                value=on,
                on_value=lambda value: act(lambda: room.set_free_text(t, bool(value))),
            )
        with solara.Row(classes=["pg-room-row"]):
            solara.InputText(
                "More words not allowed in messages (comma separated)",
                value=words,
                on_value=set_words,
                continuous_update=True,
                classes=["pg-teach-freetext-words"],
            )
            solara.Button(
                "Block in messages",
                outlined=True,
                on_click=lambda: act(lambda: room.set_message_words(t, words)),
                classes=["pg-teach-freetext-apply"],
            )
        for message_id, month, nation, text, hidden in texts:
            with solara.Row(classes=["pg-room-row"], style={"align-items": "center"}).key(
                f"m-{message_id}"
            ):
                _line(
                    f"Month {month}, {nation}: {text}" + (" (hidden)" if hidden else ""),
                    classes=["pg-teach-freetext"],
                    style={"color": "#888"} if hidden else {},
                )
                if not hidden:
                    solara.Button(
                        "Hide",
                        text=True,
                        on_click=lambda i=message_id: act(lambda: room.hide(t, i)),
                        classes=["pg-teach-freetext-hide"],
                    )
