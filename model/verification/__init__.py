"""Verification regimes: who can see a violation, how often, how wrongly and how late.

A regime is a named preset of the verification parameters (``p_detect``, ``p_false_alarm``,
``verification_lag``, ``coverage`` and, for ``open_letter``, ``p_domestic``), one file per
regime in this folder, registered by name and selected with ``verification=``. A value the
user sets explicitly always wins over the regime's preset. Effective international detection is
``coverage * p_detect``: ``coverage`` is the share of violations observable at all.

The numbers are illustrative (DESIGN.md section 6), and labelled so wherever they are shown.
Each regime reads its presets from the registry ``sources.toml``
(:mod:`model.verification.sources`), which gives every preset value its sources, a quote or
paraphrase, a range and a confidence label (``documented``, ``analogy``, ``estimate``,
``speculative``, ``definition``); ``pausegame params --sources`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agents.registry import Registry
from model.verification.sources import presets, references


@dataclass(frozen=True)
class Regime:
    """A registered verification regime.

    Its presets and references are read from the sources registry when first asked for (not
    when the regime is registered), so a command that uses no regime does not read the registry.

    Attributes:
        name: Registry name (``national_means``).
        title: Human label.
        summary: The regime in one sentence.
        cited: The parameters the regime presets, each from its registry entry
            ``[regimes.<name>.<parameter>]`` (none for ``custom``).
        records_ledger: True when the tamper-evident event log is part of the mechanism.
    """

    name: str
    title: str
    summary: str
    cited: tuple[str, ...] = ()
    records_ledger: bool = False

    @property
    def presets(self) -> Mapping[str, Any]:
        """Parameter values the regime sets unless the user sets them (from the registry).

        Raises:
            ConfigError: The registry is damaged or lacks one of :attr:`cited`.
        """
        return presets(self.name, self.cited) if self.cited else {}

    @property
    def references(self) -> tuple[str, ...]:
        """Sources for the illustrative numbers (from the registry's entries)."""
        return references(self.name) if self.cited else ()


#: Every regime, one file each in this folder (imported on the first lookup); ``sources`` is
#: the registry of their numbers' sources, not a regime, and ``inspections`` an old path.
REGIMES: Registry[Regime] = Registry(
    "verification regime",
    package=__name__,
    skip=("sources", "inspections", "layers"),
    order=lambda name, regime: (name != "custom", name),
    word="registered",
)


def register_regime(regime: Regime) -> Regime:
    """Add a regime to the registry (called once by each regime file)."""
    return REGIMES.register(regime.name, regime)


def regimes() -> dict[str, Regime]:
    """All registered regimes by name (``custom`` first, then in name order)."""
    return REGIMES.as_dict()


def get_regime(name: str) -> Regime:
    """The regime registered as ``name``; KeyError names the registered ones."""
    return REGIMES.get(name)
