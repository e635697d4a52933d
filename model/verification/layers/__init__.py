"""Verification layers: one mechanism each, combined into a set-up (#31, model/ODD.md 3.6).

A layer is one file in this folder, registered by name like a regime: what it watches
(compute that is ``declared``, ``undeclared`` or ``both``), and five numbers read from the
registry ``sources.toml`` (``[layers.<name>.<key>]``, with the same fields as a regime's
entries: sources, quote or paraphrase, range, confidence label): its detection probability
per violation per month ``p_detect``, its false-alarm probability per complier per month
``p_false_alarm``, its lag ``verification_lag`` in months, and its cost in G per month,
``cost_capability`` per unit of capability watched and ``cost_fixed`` shared by the members.
The parameter ``layers`` chooses a set-up; :mod:`model.verification.layers.combine` combines
its layers into the engine's verification numbers.

Example:
    >>> layer = get_layer("recomputation_audit")
    >>> layer.watches, sorted(layer.values)[:2]
    ('declared', ['cost_capability', 'cost_fixed'])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agents.registry import Registry

#: What a layer can watch: compute declared under the treaty, compute kept out of the
#: declarations (smuggled chips, hidden data centres), or both.
WATCHES = ("declared", "undeclared", "both")

#: The numbers every layer gives (``[layers.<layer>.<key>]``), each key's
#: ``(low, high or None, integer)``: probabilities a month, a lag in months, costs in G a month.
LAYER_KEYS: Mapping[str, tuple[float, float | None, bool]] = {
    "p_detect": (0.0, 1.0, False),
    "p_false_alarm": (0.0, 1.0, False),
    "verification_lag": (0, None, True),
    "cost_capability": (0.0, None, False),
    "cost_fixed": (0.0, None, False),
}


def layer_value_error(key: str, value: Any) -> str:
    """What is wrong with ``value`` as a layer's number ``key`` ("" when it is valid).

    Example:
        >>> layer_value_error("p_detect", 1.5)
        'p_detect=1.5 is not allowed; allowed: a number in [0.0, 1.0]'
        >>> layer_value_error("verification_lag", 2)
        ''
    """
    if key not in LAYER_KEYS:
        return f"{key!r} is not a layer's number; allowed: " + ", ".join(LAYER_KEYS)
    low, high, integer = LAYER_KEYS[key]
    kind = "an integer" if integer else "a number"
    allowed = f"{kind} in [{low}, {'inf' if high is None else high}]"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if (
        not number
        or not math.isfinite(value)
        or (integer and value != int(value))
        or value < low
        or (high is not None and value > high)
    ):
        return f"{key}={value!r} is not allowed; allowed: {allowed}"
    return ""


@dataclass(frozen=True)
class Layer:
    """A registered verification layer.

    Its numbers are read from the sources registry when first asked for (not when the layer
    is registered), so a run without layers never reads the registry.

    Attributes:
        name: Registry name (``chip_tracking``).
        title: Human label.
        summary: The layer in one sentence.
        watches: ``declared``, ``undeclared`` or ``both`` (:data:`WATCHES`).
    """

    name: str
    title: str
    summary: str
    watches: str

    def __post_init__(self) -> None:
        if self.watches not in WATCHES:
            raise ValueError(
                f"layer {self.name!r}: watches={self.watches!r}; allowed: " + ", ".join(WATCHES)
            )

    @property
    def declared(self) -> bool:
        """True when the layer can catch a violation in declared compute."""
        return self.watches in ("declared", "both")

    @property
    def undeclared(self) -> bool:
        """True when the layer can catch a violation in undeclared compute."""
        return self.watches in ("undeclared", "both")

    @property
    def values(self) -> dict[str, Any]:
        """The layer's numbers from the registry, one per key of :data:`LAYER_KEYS`.

        Raises:
            ConfigError: The registry is damaged or lacks one of the layer's numbers.
        """
        from model.errors import ConfigError
        from model.verification.sources import registry

        reg = registry()
        entries = reg.layers.get(self.name, {})
        missing = [key for key in LAYER_KEYS if key not in entries]
        if missing:
            raise ConfigError(
                f"{reg.path}: the verification layer {self.name!r} has no entry for "
                f"{', '.join(missing)} ([layers.{self.name}.{missing[0]}]); it needs one for "
                f"each of {', '.join(LAYER_KEYS)}"
            )
        return {key: entries[key].value for key in LAYER_KEYS}


#: Every layer, one file each in this folder (imported on the first lookup); ``combine`` is
#: the combination of a set-up's layers, not a layer.
LAYERS: Registry[Layer] = Registry(
    "verification layer",
    package=__name__,
    skip=("combine",),
    order=lambda name, layer: name,
    word="registered",
)


def register_layer(layer: Layer) -> Layer:
    """Add a layer to the registry (called once by each layer file)."""
    return LAYERS.register(layer.name, layer)


def layers() -> dict[str, Layer]:
    """All registered layers by name (in name order)."""
    return LAYERS.as_dict()


def get_layer(name: str) -> Layer:
    """The layer registered as ``name``; KeyError names the registered ones."""
    return LAYERS.get(name)
