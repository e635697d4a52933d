"""Files shipped with the package and named on the command line by name or by path."""

from __future__ import annotations

import argparse
import codecs
import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from model.errors import ConfigError


def shipped_dir(folder: str) -> Path:
    """The folder ``experiments/<folder>`` of the installed package."""
    return Path(str(resources.files("experiments").joinpath(folder)))


def list_shipped(folder: str) -> list[str]:
    """Names (file stems) of the ``.toml`` files shipped in ``experiments/<folder>``, sorted."""
    path = shipped_dir(folder)
    return sorted(p.stem for p in path.glob("*.toml")) if path.is_dir() else []


def shipped_or_path(
    path_or_name: str | Path, folder: str, kind: str, error: type[ConfigError]
) -> Path:
    """The file an argument refers to: a shipped ``<name>.toml`` in ``folder``, or a path.

    A bare name (no separator, no ``.toml``) is looked up among the shipped files first, then
    in the working directory.

    Raises:
        error: naming the unknown name (and the shipped ones) or the missing file.
    """
    if (
        isinstance(path_or_name, str)
        and "/" not in path_or_name
        and "\\" not in path_or_name
        and not path_or_name.endswith(".toml")
    ):
        shipped = shipped_dir(folder) / f"{path_or_name}.toml"
        if shipped.is_file():
            return shipped
        if Path(path_or_name).is_file():
            return Path(path_or_name)
        names = ", ".join(list_shipped(folder)) or "none"
        raise error(
            f"unknown {kind} {path_or_name!r}; shipped {kind}s: {names} "
            "(or give the path of a .toml file)"
        )
    path = Path(path_or_name)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "not found"
        raise error(f"{kind} file {str(path)!r} {what}")
    return path


def read_toml(path: Path, kind: str, error: type[ConfigError]) -> tuple[dict[str, Any], str]:
    """Parse a TOML file named on the command line; return its data and its text.

    TOML is "a valid UTF-8 encoded Unicode document", which may start with a byte-order mark
    (toml-lang/toml#437); tomllib refuses one, so it is dropped here. A UTF-16 file is named as
    such. Scenario and design files are both read here (#27).

    Args:
        path: The file.
        kind: What the file should be, for the messages (``"scenario"``, ``"design"``).
        error: The error to raise.

    Raises:
        error: Naming the file: unreadable, UTF-16, not UTF-8, or a TOML syntax error (with its
            line and column).
    """
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{source}: cannot read the file ({exc.strerror})") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise error(
            f"{source}: a UTF-16 file (it starts with a UTF-16 byte-order mark); allowed: a "
            f"TOML {kind} file in UTF-8 (save it as UTF-8)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{source}: not a UTF-8 text file; allowed: a TOML {kind} file") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise error(_syntax_message(source, exc)) from None


def _syntax_message(source: str, exc: tomllib.TOMLDecodeError) -> str:
    """``file, line N: TOML syntax error: <what>`` from a decoder error."""
    text = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", text)
    if match:
        what = text[: match.start()].strip()
        return (
            f"{source}, line {match.group(1)}, column {match.group(2)}: TOML syntax error: {what}"
        )
    return f"{source}: TOML syntax error: {text}"


def out_argument(text: str) -> str:
    """The argparse type of every ``--out``: a path that is not empty (``--out ''`` is refused).

    Raises:
        argparse.ArgumentTypeError: For an empty (or blank) path.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r} is an empty path; give a path, or leave out --out for the default"
        )
    return text


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()  # pragma: no cover - a relative path's last parent is "."


def check_out_dir(path: str | Path, flag: str = "--out") -> Path:
    """Refuse, before any work, an output folder that cannot be made or written.

    Args:
        path: The folder (it need not exist yet).
        flag: The option that named it, for the message.

    Raises:
        ConfigError: When ``path`` is a file, lies under a file, or under a folder that cannot
            be written.
    """
    folder = Path(path)
    base = _nearest_existing(folder)
    if not base.is_dir():
        where = "is a file" if base == folder else f"lies under {str(base)!r}, a file"
        raise ConfigError(f"{flag} {str(folder)!r} {where}; give a folder (it is made if missing)")
    if not os.access(base, os.W_OK | os.X_OK):
        raise ConfigError(
            f"{flag} {str(folder)!r}: {str(base)!r} cannot be written; give a folder you can "
            "write to"
        )
    return folder


def check_out_file(path: str | Path, flag: str = "--out") -> Path:
    """Refuse, before any work, an output file that cannot be written.

    Raises:
        ConfigError: When ``path`` is a folder, its folder does not exist or is a file, or it
            cannot be written.
    """
    file = Path(path)
    if file.is_dir():
        raise ConfigError(f"{flag} {str(file)!r} is a folder; give a file name")
    parent = file.parent
    if not parent.is_dir():
        what = "is a file" if parent.exists() else "does not exist"
        raise ConfigError(
            f"{flag} {str(file)!r}: its folder {str(parent)!r} {what}; give a file in an "
            "existing folder"
        )
    writable = os.access(file, os.W_OK) if file.exists() else os.access(parent, os.W_OK)
    if not writable:
        raise ConfigError(f"{flag} {str(file)!r} cannot be written; give a file you can write")
    return file
