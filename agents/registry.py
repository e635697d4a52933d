"""One registry helper for every kind of named, pluggable thing.

Decision rules, verification regimes, adjudication rules, reproductions and command-line commands
are each a :class:`Registry`, which maps names to entries. An entry is added with
:meth:`Registry.register` (a call, or a decorator), found with :meth:`Registry.get` (an unknown
name raises an error that names it and every allowed name), and listed with
:meth:`Registry.names` and :meth:`Registry.items`. A kind whose entries are one file each in
a package names that package: the first lookup imports every module of it whose name does not
start with ``_`` (each module registers its entry when imported), so adding an entry is adding a
file. Entries from other installed packages come in through an entry-point group
(:meth:`Registry.load_entry_points`).

This module is the ground floor: it imports nothing from ``model``, ``experiments`` or ``viz``.

Example:
    >>> colours: Registry[str] = Registry("colour")
    >>> colours.register("red", "#D55E00")
    '#D55E00'
    >>> @colours.register("blue")
    ... def blue() -> str:
    ...     return "#0072B2"
    >>> colours.names()
    ('red', 'blue')
    >>> colours.get("green")
    Traceback (most recent call last):
        ...
    KeyError: "unknown colour 'green'; allowed: red, blue"
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import entry_points
from typing import Any, overload

__all__ = ["Registry"]


class Registry[T]:
    """Named entries of one kind, registered once each.

    Args:
        kind: What an entry is, as the error messages say it ("decision rule").
        package: Dotted name of the package whose modules are one entry each; they are
            imported on the first lookup (none: entries register themselves elsewhere).
        skip: Modules of ``package`` that are not entries (never imported by discovery).
        order: Sort key of an entry, ``order(name, entry)``; none: the order of registration.
        word: The word before the allowed names in an unknown name's error ("allowed").
        error: The exception an unknown name raises (built from the message alone).
        same: ``same(old, new)``: True when registering ``new`` under a taken name is the same
            registration again (a module imported twice), not a second entry. Default ``==``.
    """

    def __init__(
        self,
        kind: str,
        *,
        package: str | None = None,
        skip: Iterable[str] = (),
        order: Callable[[str, T], Any] | None = None,
        word: str = "allowed",
        error: Callable[[str], Exception] = KeyError,
        same: Callable[[T, T], bool] | None = None,
    ) -> None:
        self.kind = kind
        self.package = package
        self.skip = frozenset(skip)
        self._order = order
        self._word = word
        self._error = error
        self._same = same if same is not None else (lambda old, new: bool(old == new))
        self._entries: dict[str, T] = {}
        self._discovered = package is None

    # ------------------------------------------------------------------ registration
    @overload
    def register(self, name: str) -> Callable[[T], T]: ...

    @overload
    def register(self, name: str, entry: T) -> T: ...

    def register(self, name: str, entry: Any = None) -> Any:
        """Add ``entry`` under ``name`` and return it; without ``entry``, a decorator that does.

        Raises:
            ValueError: ``name`` is already registered with a different entry.
        """
        if entry is None:

            def decorate(obj: T) -> T:
                return self.register(name, obj)

            return decorate
        old = self._entries.get(name)
        if old is not None and not self._same(old, entry):
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._entries[name] = entry
        return entry

    def discover(self) -> None:
        """Import every module of :attr:`package` once (later calls cost nothing).

        Modules whose name starts with ``_``, and those in :attr:`skip`, are not entries.
        """
        if self._discovered or self.package is None:
            return
        package = importlib.import_module(self.package)
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_") and info.name not in self.skip:
                importlib.import_module(f"{self.package}.{info.name}")
        self._discovered = True

    def load_entry_points(self, group: str) -> list[str]:
        """Register the object each entry point of ``group`` names, in entry-point name order.

        Returns:
            One line for each entry point that could not be loaded (the others still are).
        """
        failed: list[str] = []
        for point in sorted(entry_points(group=group), key=lambda p: p.name):
            try:
                self.register(point.name, point.load())
            except Exception as exc:  # noqa: BLE001 - a broken plug-in must not break the rest
                failed.append(
                    f"{self.kind} {point.name!r} ({point.value}) cannot be loaded: "
                    f"{type(exc).__name__}: {exc}"
                )
        return failed

    # ------------------------------------------------------------------ lookup
    def get(self, name: str) -> T:
        """The entry registered as ``name``.

        Raises:
            The registry's ``error`` (KeyError by default), naming ``name`` and what is allowed.
        """
        self.discover()
        if name not in self._entries:
            raise self._error(self.unknown(name))
        return self._entries[name]

    def unknown(self, name: str) -> str:
        """The message for an unknown ``name``: it and every allowed name."""
        return f"unknown {self.kind} {name!r}; {self._word}: {', '.join(self.names())}"

    def items(self) -> list[tuple[str, T]]:
        """Every ``(name, entry)``, in the registry's order."""
        self.discover()
        pairs = list(self._entries.items())
        if self._order is not None:
            key = self._order
            pairs.sort(key=lambda kv: key(kv[0], kv[1]))
        return pairs

    def names(self) -> tuple[str, ...]:
        """Every registered name, in the registry's order."""
        return tuple(name for name, _ in self.items())

    def as_dict(self) -> dict[str, T]:
        """Every entry by name, in the registry's order (a new dict)."""
        return dict(self.items())

    def remove(self, name: str) -> T:
        """Take ``name`` out of the registry and return its entry (for tests' temporary ones)."""
        return self._entries.pop(name)

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __setitem__(self, name: str, entry: T) -> None:
        self.register(name, entry)

    def __delitem__(self, name: str) -> None:
        self.remove(name)

    def __contains__(self, name: object) -> bool:
        self.discover()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        self.discover()
        return len(self._entries)

    def __repr__(self) -> str:
        where = f", package={self.package!r}" if self.package else ""
        return f"Registry({self.kind!r}{where}: {len(self._entries)} registered)"
