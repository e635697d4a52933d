"""Names and codes in a room: display names as kept, room codes, and the room's refusals."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

#: Letters and digits of a room code: no 0/O, 1/I/L, 5/S, 2/Z, 8/B (read aloud and typed on a
#: phone without doubt).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 5
#: Longest display name kept (characters, after normalising).
NAME_MAX = 24


class RoomError(ValueError):
    """A request the room refuses (bad input, wrong month, a taken nation); nothing changed."""


class NotAllowed(RoomError):
    """A token that may not do this (unknown, another nation's, not the teacher's)."""


def normalise_name(text: Any) -> str:
    """A display name as kept: NFKC, no control characters, single spaces, at most NAME_MAX.

    Raises:
        RoomError: The name is not text or is empty once normalised.
    """
    if not isinstance(text, str):
        raise RoomError(f"a display name must be text, not {type(text).__name__}")
    name = unicodedata.normalize("NFKC", text)
    name = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in name)
    name = " ".join(name.split())[:NAME_MAX].strip()
    if not name:
        raise RoomError(f"a display name needs at least one visible character (at most {NAME_MAX})")
    return name


def _folded(text: str) -> str:
    """Lower case letters and digits only (how the block list compares names)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text).casefold() if ch.isalnum())


def _spreadsheet_safe(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def new_code(length: int = CODE_LENGTH) -> str:
    """A fresh room code (``secrets``; letters and digits read without doubt)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: Any) -> str:
    """A typed room code as stored: upper case, spaces and dashes dropped."""
    return re.sub(r"[\s-]", "", str(text)).upper()
