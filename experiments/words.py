"""Words for counts in what the commands print: ``"1 figure"``, ``"2 figures"``.

Example:
    >>> from experiments.words import plural
    >>> plural(1, "figure"), plural(2, "figure"), plural(0, "series row"), plural(3, "bus", "buses")
    ('1 figure', '2 figures', '0 series rows', '3 buses')
    >>> plural(12000, "run", thousands=True)
    '12,000 runs'
"""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, singular: str, many: str | None = None, *, thousands: bool = False) -> str:
    """``count`` and the noun, singular for exactly one (``many``: an irregular plural).

    With ``thousands`` the count is written with thousands separators (``12,000``).
    """
    word = singular if count == 1 else (many if many is not None else singular + "s")
    return f"{count:,} {word}" if thousands else f"{count} {word}"
