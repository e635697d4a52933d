"""Atomic file primitives of a results directory: whole-file writes, free names, the lock.

Every file is written under a temporary name starting with ``.`` (``.NAME.XXXXXXXX.tmp``),
flushed to disk and renamed over its target, so a reader sees whole files only. A running sweep
holds the directory's lock (an advisory ``flock`` on :data:`LOCK_FILE`), released when its
process ends, even by ``kill -9``; a forked worker lets go of the locks it inherits.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from experiments.batch.schema import StoreError

__all__ = [
    "LOCK_FILE",
    "DirectoryLock",
    "atomic_write_table",
    "atomic_write_text",
    "free_name",
    "is_temporary",
    "lock_directory",
]


def is_temporary(name: str) -> bool:
    """Whether a file name is one of our half-written temporaries (``.NAME.XXXXXXXX.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp")


def atomic_write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` as Parquet (zstd), whole or not at all."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with _naming(path, tmp):
        pq.write_table(table, tmp, compression="zstd")
        _fsync(tmp)
    os.replace(tmp, path)


def atomic_write_text(text: str, path: Path) -> None:
    """Write ``text`` to ``path`` (UTF-8), whole or not at all."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with _naming(path, tmp):
        tmp.write_text(text, encoding="utf-8")
        _fsync(tmp)
    os.replace(tmp, path)


@contextlib.contextmanager
def _naming(path: Path, tmp: Path) -> Iterator[None]:
    """Name ``path`` in a failed write's error (pyarrow's names no file, Python's the temporary).

    The half-written temporary is removed.
    """
    try:
        yield
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def free_name(target: Path) -> Path:
    """``target``, or ``target`` with ``-1``, ``-2``, ... before its suffix when it exists."""
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, k = target, 0
    while candidate.exists():
        k += 1
        candidate = target.with_name(f"{target.stem}-{k}{target.suffix}")
    return candidate


#: The lock file a running sweep holds (an advisory ``flock``, released when the process ends,
#: even by ``kill -9``), so that two sweeps never write to one directory at once.
LOCK_FILE = ".lock"


#: Descriptors of the locks this process holds (see :func:`_drop_inherited_locks`).
_HELD_LOCKS: set[int] = set()


def _drop_inherited_locks() -> None:
    """In a forked child: let go of the parent's locks (the lock stays the parent's alone).

    An ``flock`` belongs to the open file, which a forked worker shares; a worker that still
    held it would keep a killed sweep's directory locked until the worker ended. Each inherited
    descriptor is pointed at ``/dev/null`` instead (closing it could let a later file reuse the
    number that the file object still closes).
    """
    if not _HELD_LOCKS:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    for fd in _HELD_LOCKS:
        try:
            os.dup2(null, fd)
        except OSError:  # pragma: no cover - already closed
            pass
    os.close(null)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)


class DirectoryLock:
    """A held directory lock: :meth:`close` releases it."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        _HELD_LOCKS.add(handle.fileno())

    def close(self) -> None:
        """Release the lock."""
        _HELD_LOCKS.discard(self.handle.fileno())
        self.handle.close()


def lock_directory(path: Path) -> Any:
    """Take the directory's lock, or raise :class:`StoreError` when another sweep holds it.

    Returns:
        The held lock (a :class:`DirectoryLock`; where there is no ``flock``, the open lock
        file): its ``close()`` releases it.
    """
    handle = (path / LOCK_FILE).open("a+", encoding="utf-8")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreError(
            f"another pausegame sweep is writing to {path}; let it finish (or stop "
            "it), then run the command again to resume"
        ) from None
    return DirectoryLock(handle)
