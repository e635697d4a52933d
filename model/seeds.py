"""Fresh seeds, drawn from the operating system's entropy and recorded with what they seed.

:func:`new_seed` seeds a run that was given none (:func:`model.params.resolve_run`); the games
people play (Play, the room, the app) draw :func:`new_short_seed`, short enough to read out,
type and carry in a link.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SHORT_SEEDS", "new_seed", "new_short_seed"]

#: Seeds of the games people play are below this: short to read out and type, and exact as a
#: browser's number (JavaScript's integers are exact only below 2**53).
SHORT_SEEDS = 2**31


def new_seed() -> int:
    """A fresh seed from the operating system's entropy, to be recorded with the run."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)
    return entropy % (2**63)


def new_short_seed() -> int:
    """A fresh seed below :data:`SHORT_SEEDS`, for Play, the room and the app.

    Example:
        >>> 0 <= new_short_seed() < SHORT_SEEDS
        True
    """
    return new_seed() % SHORT_SEEDS
