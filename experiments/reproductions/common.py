"""Shared pieces of the reproductions: a claim, a reproduction's result, and its markdown table.

Each reproduction module under :mod:`experiments.reproductions` defines ``NAME``, ``CITATION``,
``TITLE`` and ``reproduce(out_dir, *, quick=False) -> Reproduction``; the reproduction states
each result it checks as a :class:`Claim` (theirs, pausegame's, the tolerance, whether they
agree, and the claim's kind), and writes one figure into ``out_dir``.

Every claim says what kind it is (:data:`KINDS`):

- :data:`PUBLISHED_NUMBER`, *reproduces a published number*: "theirs" is a number typed from
  the paper (its page, table or equation cited in the claim), a formula typed from the paper
  with its equation cited, or an independent implementation (a maintained library); never a
  call into ``model/`` or the project's theory;
- :data:`QUALITATIVE`, *consistent with a published qualitative finding*: "theirs" is the
  paper's sentence (quoted or paraphrased, with its page or figure);
- :data:`OWN_FINDING`, *our own finding*: nothing published to compare with ("theirs" says so);
  the project's own theory against its own simulation is such a check.

Example:
    >>> c = Claim("threshold at s = 1.5", 0.33, 0.334, "abs 0.02", True, PUBLISHED_NUMBER)
    >>> r = Reproduction("demo", "A. Author (2020)", (c,), Path("demo.png"))
    >>> print(r.table())  # doctest: +NORMALIZE_WHITESPACE
    | paper | claim | theirs | ours | tolerance | holds | kind |
    |---|---|---|---|---|---|---|
    | A. Author (2020) | threshold at s = 1.5 | 0.33 | 0.334 | abs 0.02 | yes | reproduces a
    published number |
    >>> r.holds
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "KINDS",
    "NO_PUBLISHED_VALUE",
    "OWN_FINDING",
    "PALETTE",
    "PUBLISHED_NUMBER",
    "QUALITATIVE",
    "TABLE_HEADER",
    "Claim",
    "Reproduction",
    "count_kinds",
    "format_value",
    "save_png",
]

#: The three kinds of claim (see the module).
PUBLISHED_NUMBER = "reproduces a published number"
QUALITATIVE = "consistent with a published qualitative finding"
OWN_FINDING = "our own finding"
KINDS: tuple[str, ...] = (PUBLISHED_NUMBER, QUALITATIVE, OWN_FINDING)
#: "Theirs" of an own finding: nothing published to compare with.
NO_PUBLISHED_VALUE = "none (our finding)"

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
TABLE_HEADER = (
    "| paper | claim | theirs | ours | tolerance | holds | kind |\n|---|---|---|---|---|---|---|"
)


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
    """One result checked against pausegame.

    Attributes:
        what: The claim in one line ("selection favours always-safe above p_r = ...").
        paper: Theirs: the paper's number (typed from the paper, or an independent
            library's), or the paper's sentence; :data:`NO_PUBLISHED_VALUE` for an own finding.
        ours: What pausegame gives.
        tolerance: How close counts as agreeing ("abs 0.02", "direction and turning point").
        holds: Whether ours agrees with theirs within the tolerance.
        kind: One of :data:`KINDS`. A qualitative claim's or an own finding's "theirs" is text.

    Raises:
        ValueError: an unknown kind, or a number as "theirs" of a claim that is not
            :data:`PUBLISHED_NUMBER`.
    """

    what: str
    paper: float | str
    ours: float | str
    tolerance: str
    holds: bool
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is not a claim kind; allowed: {', '.join(KINDS)}")
        if self.kind != PUBLISHED_NUMBER and not isinstance(self.paper, str):
            raise ValueError(
                f"a claim of kind {self.kind!r} has text as theirs (the paper's sentence, or "
                f"{NO_PUBLISHED_VALUE!r}), not the number {self.paper!r}"
            )


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
        """The claims as markdown rows (columns of :data:`TABLE_HEADER`), header first."""
        rows = [TABLE_HEADER]
        for c in self.claims:
            cells = (
                self.citation,
                c.what,
                format_value(c.paper),
                format_value(c.ours),
                c.tolerance,
                "yes" if c.holds else "NO",
                c.kind,
            )
            rows.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
        return "\n".join(rows)


def count_kinds(results: list[Reproduction] | tuple[Reproduction, ...]) -> str:
    """One line counting the claims of ``results`` by kind, in the order of :data:`KINDS`.

    >>> c = Claim("x", "rises", "rises", "direction", True, QUALITATIVE)
    >>> print(count_kinds([Reproduction("d", "A 2020", (c, c), Path("d.png"))]))
    claims: 0 reproduce a published number, 2 consistent with a published qualitative
    finding, 0 our own findings
    """
    claims = [c for r in results for c in r.claims]
    n = {kind: sum(c.kind == kind for c in claims) for kind in KINDS}
    return (
        f"claims: {n[PUBLISHED_NUMBER]} reproduce a published number, {n[QUALITATIVE]} "
        f"consistent with a published qualitative finding, {n[OWN_FINDING]} our own findings"
    )


def save_png(fig: object, out_dir: str | Path, stem: str) -> Path:
    """Write a matplotlib Figure as ``out_dir/stem.png`` (150 dpi, Agg) and return the path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stem}.png"
    fig.savefig(path, format="png", dpi=150)  # type: ignore[attr-defined]
    return path
