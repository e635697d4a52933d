"""Published results reproduced with pausegame, one module per paper (issue #18).

Each module in :data:`MODULES` defines ``NAME``, ``CITATION``, ``TITLE`` and
``reproduce(out_dir, *, quick=False) -> Reproduction`` (see :mod:`.common`); ``pausegame
reproduce`` runs them and ``experiments/reproductions/README.md`` describes each.

Example:
    >>> try:
    ...     load("nope")
    ... except ConfigError as err:
    ...     print(err)
    unknown reproduction 'nope'; allowed: han2019, barrett2012, nordhaus2015,
    inspection_games, verification_valley
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from model.errors import ConfigError

__all__ = ["MODULES", "load"]

#: The reproductions, in the order of issue #18.
MODULES: tuple[str, ...] = (
    "han2019",
    "barrett2012",
    "nordhaus2015",
    "inspection_games",
    "verification_valley",
)


def load(name: str) -> ModuleType:
    """Import the reproduction module ``name`` (one of :data:`MODULES`).

    Raises:
        ConfigError: ``name`` is not one of :data:`MODULES` (the message names the allowed ones).
    """
    if name not in MODULES:
        raise ConfigError(f"unknown reproduction {name!r}; allowed: {', '.join(MODULES)}")
    return import_module(f"{__name__}.{name}")
