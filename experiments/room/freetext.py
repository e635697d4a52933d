"""Free-text messages: off by default, turned on by the teacher, filtered, hideable.

A room's students send only the fixed messages (:data:`experiments.room.MESSAGES`) unless the
teacher turns free text on (``Room(free_text=True)`` or :meth:`FreeText.set_free_text`). Each
message (:meth:`FreeText.say`, at most :data:`TEXT_MAX` characters, normalised as display
names are) is checked against a block list: the words shipped in ``blocked_words.txt`` beside
this module (:data:`SHIPPED_WORDS`) and the teacher's own (:meth:`FreeText.set_message_words`).
Words compare as the room compares names (:func:`experiments.room.names._folded`: lower case,
letters and digits only, accents dropped), and a message is refused when one of its words
(split at spaces and sentence punctuation, so "b-i-t-c-h" is one word) starts with a blocked
word. A refused message changes nothing and is not logged.

Every message is a ``message`` record in the log (its ``id``, month, nation and text) and every
student sees it on the card; the teacher can hide one (:meth:`FreeText.hide`): students no
longer see it, the log keeps it and adds a ``hide`` record naming its id, and the teacher's
list shows it marked hidden. Turning free text on or off is a ``free_text`` record (``on``).

Example:
    >>> from experiments.room import Room
    >>> room = Room("default", seed=3, periods=2, deadline_seconds=None, free_text=True)
    >>> seat = room.join("Ada")
    >>> room.say(seat, "We comply if Borealis does.")["text"]
    'We comply if Borealis does.'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from experiments.room.holders import check_holder
from experiments.room.names import RoomError, _folded
from experiments.room.state import RoomState

#: The longest message kept (characters, after normalising).
TEXT_MAX = 280

#: Messages one nation may send in one month.
MAX_TEXTS_PER_MONTH = 12

#: What a student reads when a message is refused by the block list.
BLOCKED_MESSAGE = (
    "This message was not sent: it contains a word not allowed in this room. Rephrase it."
)


def _shipped_words() -> tuple[str, ...]:
    text = resources.files("experiments.room").joinpath("blocked_words.txt").read_text("utf-8")
    words = (_folded(line) for line in text.splitlines() if not line.lstrip().startswith("#"))
    return tuple(sorted({w for w in words if w}))


#: The shipped block list (``blocked_words.txt``), folded.
SHIPPED_WORDS = _shipped_words()


def blocked(text: str, words: Iterable[str]) -> bool:
    """True when a word of ``text`` starts with one of ``words`` (both folded).

    Example:
        >>> blocked("You BASTARDS!", ["bastard"]), blocked("a class assessment", ["bastard"])
        (True, False)
    """
    # words split at spaces and sentence punctuation; "b-i-t-c-h" or "b.i.t.c.h" stays one word
    folded = [_folded(w) for w in re.split(r"[\s,;:!?\"()]+", text)]
    return any(word and tok.startswith(word) for tok in folded if tok for word in words)


@dataclass
class Message:
    """One free-text message: its id (from 1), month, nation, text, and whether it is hidden."""

    id: int
    month: int
    nation: int
    text: str
    hidden: bool = False


class FreeText(RoomState):
    """The room's free-text messages (under the room's lock)."""

    free_text: bool
    message_words: list[str]
    messages: list[Message]
    chat_version: int

    def _init_free_text(self, on: bool, words: Iterable[str]) -> None:
        """Free text as the constructor sets it (logged only when on, or with words)."""
        if not isinstance(on, bool):
            raise RoomError(f"free_text {on!r} must be True or False")
        self.free_text, self.messages, self.chat_version = False, [], 0
        self.message_words = []
        self._set_words(words)
        if on or self.message_words:
            self.free_text = on
            self.log.append("free_text", 0, on=on, words=self.message_words)

    def _set_words(self, words: Iterable[str] | str) -> None:
        if isinstance(words, str):
            words = words.split(",")
        self.message_words = sorted({_folded(str(w)) for w in words} - {""})

    def _switch(self, on: bool) -> None:
        self.free_text = on
        self.log.append("free_text", self.engine.t, on=on, words=self.message_words)
        self.chat_version += 1
        self._touch()

    def set_free_text(self, teacher_token: Any, on: bool) -> None:
        """Turn free-text messages on or off (a ``free_text`` record when it changes).

        Raises:
            NotAllowed: Not the teacher's token.
            RoomError: ``on`` not True or False, or a closed room.
        """
        with self._lock:
            self._teacher(teacher_token)
            self._open()
            if not isinstance(on, bool):
                raise RoomError(f"free text {on!r} must be True (on) or False (off)")
            if on != self.free_text:
                self._switch(on)

    def set_message_words(self, teacher_token: Any, words: Iterable[str] | str) -> list[str]:
        """The teacher's own blocked words (a list, or comma separated), beside the shipped ones.

        Applies to messages sent from now on; returns the words as kept (folded). Logged in a
        ``free_text`` record.

        Raises:
            NotAllowed: Not the teacher's token.
        """
        with self._lock:
            self._teacher(teacher_token)
            self._open()
            self._set_words(words)
            self._switch(self.free_text)
            return list(self.message_words)

    def say(self, token: Any, text: Any, *, session: str | None = None) -> dict[str, Any]:
        """Send a free-text message from the seat's nation (seen by everyone); returns it.

        Raises:
            NotAllowed: Not a seat of this room, or another browser holds it.
            RoomError: Free text off, the game over, an empty or blocked message (
                :data:`BLOCKED_MESSAGE`), or more than :data:`MAX_TEXTS_PER_MONTH` this month.
        """
        with self._lock:
            self._open()
            seat = self._seat(token)
            check_holder(seat, session)
            if not self.free_text:
                raise RoomError(
                    "free-text messages are off in this room (the teacher can allow them)"
                )
            if self.finished:
                raise RoomError("the game is over: no more messages")
            if not isinstance(text, str) or not text.strip():
                raise RoomError(f"a message needs text (at most {TEXT_MAX} characters)")
            kept = _normalise_text(text)
            if blocked(kept, (*SHIPPED_WORDS, *self.message_words)):
                raise RoomError(BLOCKED_MESSAGE)
            month = self.month
            sent = sum(1 for m in self.messages if m.nation == seat.nation and m.month == month)
            if sent >= MAX_TEXTS_PER_MONTH:
                raise RoomError(
                    f"at most {MAX_TEXTS_PER_MONTH} messages a month; wait for the next"
                )
            msg = Message(len(self.messages) + 1, month, seat.nation, kept)
            self.messages.append(msg)
            self.log.append("message", month, id=msg.id, nation=seat.nation, text=kept)
            self.chat_version += 1
            self._touch()
            return self._message_dict(msg)

    def hide(self, teacher_token: Any, message_id: Any) -> None:
        """Hide a message from the students (kept in the log, with a ``hide`` record).

        Raises:
            NotAllowed: Not the teacher's token.
            RoomError: No message with this id, or one already hidden.
        """
        with self._lock:
            self._teacher(teacher_token)
            self._open()
            found = [
                m for m in self.messages if m.id == message_id and not isinstance(message_id, bool)
            ]
            if not found:
                raise RoomError(f"no message {message_id!r} in this room")
            if found[0].hidden:
                raise RoomError(f"message {message_id} is already hidden")
            found[0].hidden = True
            self.log.append("hide", self.engine.t, id=found[0].id)
            self.chat_version += 1
            self._touch()

    def _message_dict(self, m: Message) -> dict[str, Any]:
        return {"id": m.id, "month": m.month, "nation": self.nation_names[m.nation], "text": m.text}

    def texts(self, token: Any) -> list[dict[str, Any]]:
        """The messages a student sees (none hidden), or, for the teacher, all with ``hidden``.

        Raises:
            NotAllowed: Neither a seat of this room nor its teacher.
        """
        with self._lock:
            if token == self.teacher_token:
                return [{**self._message_dict(m), "hidden": m.hidden} for m in self.messages]
            self._seat(token)
            return [self._message_dict(m) for m in self.messages if not m.hidden]


def _normalise_text(text: str) -> str:
    """A message as kept: the display names' normalisation, up to :data:`TEXT_MAX` characters."""
    out = unicodedata.normalize("NFKC", text)
    out = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in out)
    return " ".join(out.split())[:TEXT_MAX].strip()
