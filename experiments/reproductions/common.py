"""Shared pieces of the reproductions: a claim, a reproduction's result, and its markdown table.

Each reproduction module under :mod:`experiments.reproductions` defines ``NAME``, ``CITATION``,
``TITLE`` and ``reproduce(out_dir, *, quick=False) -> Reproduction``; the reproduction states
each published number it checks as a :class:`Claim` (the paper's number, pausegame's, the
tolerance and whether they agree), and writes one figure into ``out_dir``.

Example:
    >>> c = Claim("threshold at s = 1.5", 0.33, 0.334, "abs 0.02", True)
    >>> r = Reproduction("demo", "A. Author (2020)", (c,), Path("demo.png"))
    >>> print(r.table())  # doctest: +NORMALIZE_WHITESPACE
    | paper | claim | theirs | ours | tolerance | holds |
    |---|---|---|---|---|---|
    | A. Author (2020) | threshold at s = 1.5 | 0.33 | 0.334 | abs 0.02 | yes |
    >>> r.holds
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["PALETTE", "TABLE_HEADER", "Claim", "Reproduction", "format_value", "save_png"]

#: Okabe-Ito colours (the palette of ``experiments.analysis.common.OKABE_ITO``, without importing
#: the analyses).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: The header rows of :meth:`Reproduction.table` (printed once above several reproductions).
TABLE_HEADER = "| paper | claim | theirs | ours | tolerance | holds |\n|---|---|---|---|---|---|"


def format_value(value: float | str) -> str:
    """A claim's number for the table: four significant digits, or the text as given.

    >>> format_value(0.333333), format_value(1e4), format_value("falls, then rises")
    ('0.3333', '1e+04', 'falls, then rises')
    """
    if isinstance(value, str):
        return value
    return f"{value:.4g}"


@dataclass(frozen=True)
class Claim:
    """One published result checked against pausegame.

    Attributes:
        what: The claim in one line ("selection favours always-safe above p_r = ...").
        paper: The paper's number, or a qualitative statement.
        ours: What pausegame gives.
        tolerance: How close counts as agreeing ("abs 0.02", "direction and turning point").
        holds: Whether ours agrees with the paper within the tolerance.
    """

    what: str
    paper: float | str
    ours: float | str
    tolerance: str
    holds: bool


@dataclass(frozen=True)
class Reproduction:
    """The result of one reproduction: its claims and the figure it wrote.

    Attributes:
        name: The module's short name ("han2019").
        citation: The paper, short form ("Han et al. 2019, arXiv 1907.12393").
        claims: The claims checked.
        figure: The figure file written (PNG).
    """

    name: str
    citation: str
    claims: tuple[Claim, ...]
    figure: Path

    @property
    def holds(self) -> bool:
        """Whether every claim holds."""
        return all(c.holds for c in self.claims)

    def table(self) -> str:
        """Markdown rows ``paper | claim | theirs | ours | tolerance | holds``, header first."""
        rows = [TABLE_HEADER]
        for c in self.claims:
            cells = (
                self.citation,
                c.what,
                format_value(c.paper),
                format_value(c.ours),
                c.tolerance,
                "yes" if c.holds else "NO",
            )
            rows.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
        return "\n".join(rows)


def save_png(fig: object, out_dir: str | Path, stem: str) -> Path:
    """Write a matplotlib Figure as ``out_dir/stem.png`` (150 dpi, Agg) and return the path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stem}.png"
    fig.savefig(path, format="png", dpi=150)  # type: ignore[attr-defined]
    return path
