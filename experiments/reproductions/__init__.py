"""Reproductions with pausegame: published results, and our own findings, one module each.

A reproduction is one file in this folder that defines ``NAME``, ``CITATION``, ``TITLE`` and
``reproduce(out_dir, *, quick=False) -> Reproduction`` (see :mod:`.common`) and registers
``reproduce`` with :func:`register_reproduction`, giving its place in the claims table. The
registry finds every such file (``common`` and ``cli`` are not reproductions); ``pausegame
reproduce`` runs them and ``experiments/reproductions/README.md`` describes each. Nothing is
imported until a name is looked up, so ``pausegame`` starts without them.

Example:
    >>> try:
    ...     load("nope")
    ... except ConfigError as err:
    ...     print(err)
    unknown reproduction 'nope'; allowed: han2019, barrett2012, nordhaus2015,
    inspection_games, santos2011, recursive_inspection, bargaining, verification_valley,
    negotiation_contrasts, pledge_contrasts, layer_contrasts
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from agents.registry import Registry
from model.errors import ConfigError

__all__ = ["MODULES", "REPRODUCTIONS", "Registered", "load", "names", "register_reproduction"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Registered:
    """A registered reproduction.

    Attributes:
        name: Its short name, ``NAME`` of its module ("han2019").
        position: Its place in the claims table and in ``all`` (our own findings last).
        module: The dotted name of its module.
    """

    name: str
    position: int
    module: str


#: Every reproduction, one file each in this folder (imported on the first lookup).
REPRODUCTIONS: Registry[Registered] = Registry(
    "reproduction",
    package=__name__,
    skip=("cli", "common"),
    order=lambda name, entry: (entry.position, name),
    error=ConfigError,
)


def register_reproduction(name: str, *, position: int) -> Callable[[F], F]:
    """Register a module's ``reproduce`` under ``name`` (a decorator).

    Args:
        name: The reproduction's short name (its module's ``NAME``).
        position: Its place in the claims table (1 first).
    """

    def wrap(reproduce: F) -> F:
        REPRODUCTIONS.register(name, Registered(name, position, reproduce.__module__))
        return reproduce

    return wrap


def names() -> tuple[str, ...]:
    """Every reproduction's name, in the order of the claims table."""
    return REPRODUCTIONS.names()


def load(name: str) -> ModuleType:
    """The module of the reproduction ``name``.

    Raises:
        ConfigError: ``name`` is not a reproduction (the message names the allowed ones).
    """
    return import_module(REPRODUCTIONS.get(name).module)


if TYPE_CHECKING:
    #: The reproductions' names, in the order of issue #18 (found by the registry).
    MODULES: tuple[str, ...]


def __getattr__(attr: str) -> Any:
    """``MODULES``, found when first asked for (the modules are imported only then)."""
    if attr == "MODULES":
        return names()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
