"""The cited parameters of the verification regimes (``sources.toml`` beside this file).

Not a regime: the registry every regime reads its presets from. For each preset value it gives
the sources (author, year, title), a quote (or a paraphrase, marked so) and where it is, a
plausible range ``[low, high]`` and a confidence label:

- ``documented``: the source states the number for this very setting;
- ``analogy``: the source states it for an analogous setting (IAEA safeguards), read for AI by us;
- ``estimate``: our judgement, bounded by numbers a source does give;
- ``speculative``: no published number; the value is illustrative (DESIGN.md section 6);
- ``definition``: the value follows from what the regime is (the open letter detects nothing).

``[parameters]`` gives the range a design's ``name = {}`` samples (the envelope of the regimes'
ranges), and ``[context]`` the compute thresholds of laws and draft agreements (10^25 FLOP in
the EU AI Act), which no engine parameter reads.

Example:
    >>> from model.verification.sources import registry
    >>> entry = registry().entry("onsite_inspections", "p_detect")
    >>> entry.value, entry.range, entry.confidence
    (0.9, (0.2, 0.9), 'analogy')
    >>> entry.citation
    'IAEA (2002); Wasil et al. (2024)'
    >>> registry().presets("national_means")
    {'p_detect': 0.35, 'p_false_alarm': 0.075, 'verification_lag': 2, 'coverage': 0.7}
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import ConfigError

#: The registry file the regimes read (tests point it at a changed copy).
REGISTRY_PATH = Path(__file__).with_name("sources.toml")

#: The confidence labels, from most to least supported (the file defines each in [labels]).
CONFIDENCE_LABELS = ("documented", "analogy", "estimate", "speculative", "definition")

_ENTRY_KEYS = {
    "value",
    "range",
    "range_basis",
    "confidence",
    "sources",
    "quote",
    "paraphrase",
    "quote_where",
    "note",
    "outside",
    "unit",
}
_REQUIRED = (
    "value",
    "range",
    "range_basis",
    "confidence",
    "sources",
    "quote",
    "paraphrase",
    "quote_where",
    "note",
)
_SOURCE_KEYS = ("author", "year", "title", "where")


@dataclass(frozen=True)
class Source:
    """One cited work.

    Attributes:
        key: The registry key (``wasil_2024``).
        author: Authors as cited (``Wasil, A. R., Reed, T., ...``).
        year: Year of publication.
        title: Full title.
        where: Identifier and part (``arXiv:2408.16074``, ``Article 51``).
        cite: How to cite it in short, when not ``Surname et al. (year)``.
    """

    key: str
    author: str
    year: int
    title: str
    where: str
    cite: str = ""

    @property
    def short(self) -> str:
        """``Wasil et al. (2024)``: first author's surname, ``et al.`` for several."""
        if self.cite:
            return self.cite
        names = self.author.split(",")
        # a person is "Surname, I."; an institution has no comma and is cited whole
        several = len(names) > 1 and (
            len(names) > 2 or " and " in self.author or "et al" in self.author
        )
        first = names[0].strip()
        return f"{first}{' et al.' if several else ''} ({self.year})"

    @property
    def reference(self) -> str:
        """The full reference in one line."""
        return f"{self.author} ({self.year}). {self.title}. {self.where}."


@dataclass(frozen=True)
class Entry:
    """One cited value: a regime's preset (or a context threshold) with its provenance.

    Attributes:
        owner: The regime (``national_means``), or ``context`` for a threshold.
        name: The parameter (``p_detect``) or the threshold's key.
        value: The value (the engine's preset for a regime entry).
        low: The plausible range's low end.
        high: The plausible range's high end.
        range_basis: Whose range it is.
        confidence: One of :data:`CONFIDENCE_LABELS`.
        sources: The cited works, first the one quoted.
        quote: The quote, or a paraphrase when ``paraphrase``.
        paraphrase: True when ``quote`` is not the source's own words.
        quote_where: Where the quote is, and on which text it was checked.
        note: How the source maps onto the parameter.
        outside: Why the value is kept outside its range ("" when it is inside).
        unit: The unit of a context threshold ("" for a regime entry).
    """

    owner: str
    name: str
    value: Any
    low: Any
    high: Any
    range_basis: str
    confidence: str
    sources: tuple[Source, ...]
    quote: str
    paraphrase: bool
    quote_where: str
    note: str
    outside: str = ""
    unit: str = ""

    @property
    def range(self) -> tuple[Any, Any]:
        """``(low, high)``."""
        return self.low, self.high

    @property
    def inside(self) -> bool:
        """True when the value lies in ``[low, high]``."""
        return bool(self.low <= self.value <= self.high)

    @property
    def citation(self) -> str:
        """``Wasil et al. (2024); Shavit (2023)``."""
        return "; ".join(s.short for s in self.sources)

    @property
    def quoted(self) -> str:
        """The quote in quotation marks, or the paraphrase labelled so, with where it is."""
        text = f"paraphrase: {self.quote}" if self.paraphrase else f'"{self.quote}"'
        return f"{text} [{self.quote_where}]"


@dataclass(frozen=True)
class Registry:
    """The parsed ``sources.toml``.

    Attributes:
        path: The file it was read from.
        labels: Each confidence label's definition.
        sources: The cited works by key.
        regimes: Each regime's entries by parameter.
        parameters: The design range ``(low, high, basis)`` of a parameter, by name.
        context: The compute thresholds by key.
    """

    path: Path
    labels: Mapping[str, str]
    sources: Mapping[str, Source]
    regimes: Mapping[str, Mapping[str, Entry]]
    parameters: Mapping[str, tuple[Any, Any, str]]
    context: Mapping[str, Entry]

    def entries(self, regime: str) -> Mapping[str, Entry]:
        """A regime's entries by parameter (empty for ``custom``, which presets nothing)."""
        return self.regimes.get(regime, {})

    def entry(self, regime: str, name: str) -> Entry:
        """One regime's entry for ``name``; KeyError names what the registry has."""
        entries = self.entries(regime)
        if name not in entries:
            raise KeyError(
                f"the registry has no entry for {regime}.{name}; it has "
                + (", ".join(entries) or "none for this regime")
            )
        return entries[name]

    def presets(self, regime: str) -> dict[str, Any]:
        """The preset values of ``regime`` (what :class:`~model.verification.Regime` holds)."""
        return {name: e.value for name, e in self.entries(regime).items()}

    def references(self, regime: str) -> tuple[str, ...]:
        """The full references a regime's entries cite, in order of first citation."""
        seen: dict[str, str] = {}
        for e in self.entries(regime).values():
            for s in e.sources:
                seen.setdefault(s.key, s.reference)
        return tuple(seen.values())

    def design_range(self, name: str, regime: str | None = None) -> tuple[Any, Any, str] | None:
        """The range a design's ``name = {}`` samples, and where it comes from; None: none.

        The base regime's entry for ``name`` first (sampling around what that regime says), then
        ``[parameters]`` (the envelope of all regimes' ranges).
        """
        if regime is not None and name in self.entries(regime):
            e = self.entries(regime)[name]
            return e.low, e.high, f"regimes.{regime}.{name}"
        if name in self.parameters:
            low, high, _ = self.parameters[name]
            return low, high, f"parameters.{name}"
        return None


def _fail(path: Path, where: str, what: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {what}")


def _entry(path: Path, owner: str, name: str, raw: Any, sources: Mapping[str, Source]) -> Entry:
    where = f"[{'context' if owner == 'context' else 'regimes.' + owner}.{name}]"
    if not isinstance(raw, Mapping):
        raise _fail(path, where, "must be a table")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise _fail(
            path, where, f"missing {', '.join(missing)}; every entry gives " + ", ".join(_REQUIRED)
        )
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise _fail(
            path, where, f"unknown field {unknown[0]!r}; allowed: " + ", ".join(sorted(_ENTRY_KEYS))
        )
    rng = raw["range"]
    if not (
        isinstance(rng, list)
        and len(rng) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
    ):
        raise _fail(path, where, f"range={rng!r} is not allowed; allowed: [low, high], numbers")
    low, high = rng
    if low > high:
        raise _fail(path, where, f"range={rng!r}: low is above high")
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, where, f"value={value!r} is not allowed; allowed: a number")
    if raw["confidence"] not in CONFIDENCE_LABELS:
        raise _fail(
            path,
            where,
            f"confidence={raw['confidence']!r} is not allowed; allowed: "
            + ", ".join(CONFIDENCE_LABELS),
        )
    cited = raw["sources"]
    if not isinstance(cited, list) or not cited:
        raise _fail(path, where, "sources: expected a non-empty list of [sources] keys")
    for key in cited:
        if key not in sources:
            raise _fail(path, where, f"unknown source {key!r}; known: " + ", ".join(sources))
    if not isinstance(raw["paraphrase"], bool):
        raise _fail(path, where, f"paraphrase={raw['paraphrase']!r}: expected true or false")
    for key in ("quote", "quote_where", "note", "range_basis"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise _fail(path, where, f"{key}: expected non-empty text")
    outside = raw.get("outside", "")
    if not low <= value <= high and not str(outside).strip():
        raise _fail(
            path,
            where,
            f"value {value!r} is outside its range {rng!r}; keep it only "
            "with an 'outside' field saying why",
        )
    return Entry(
        owner=owner,
        name=name,
        value=value,
        low=low,
        high=high,
        range_basis=raw["range_basis"],
        confidence=raw["confidence"],
        sources=tuple(sources[k] for k in cited),
        quote=raw["quote"],
        paraphrase=raw["paraphrase"],
        quote_where=raw["quote_where"],
        note=raw["note"],
        outside=str(outside),
        unit=str(raw.get("unit", "")),
    )


def load(path: Path | str | None = None) -> Registry:
    """Read and validate a registry file (default :data:`REGISTRY_PATH`).

    Raises:
        ConfigError: naming the table and field that is wrong and what is allowed (an unknown
            label or source, a range with low above high, a value outside its range without
            an ``outside`` reason, a missing field).
    """
    path = Path(REGISTRY_PATH if path is None else path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the verification sources registry: {exc}") from None
    labels = data.get("labels", {})
    if set(labels) != set(CONFIDENCE_LABELS):
        raise _fail(path, "[labels]", "must define exactly " + ", ".join(CONFIDENCE_LABELS))
    sources: dict[str, Source] = {}
    for key, raw in data.get("sources", {}).items():
        missing = [k for k in _SOURCE_KEYS if k not in raw]
        if missing:
            raise _fail(path, f"[sources.{key}]", f"missing {', '.join(missing)}")
        sources[key] = Source(
            key=key,
            author=str(raw["author"]),
            year=int(raw["year"]),
            title=str(raw["title"]),
            where=str(raw["where"]),
            cite=str(raw.get("cite", "")),
        )
    regimes = {
        regime: {name: _entry(path, regime, name, raw, sources) for name, raw in table.items()}
        for regime, table in data.get("regimes", {}).items()
    }
    parameters: dict[str, tuple[Any, Any, str]] = {}
    for name, raw in data.get("parameters", {}).items():
        rng = raw.get("range")
        if not (isinstance(rng, list) and len(rng) == 2 and rng[0] <= rng[1]):
            raise _fail(
                path,
                f"[parameters.{name}]",
                f"range={rng!r} is not allowed; allowed: [low, high] with low <= high",
            )
        parameters[name] = (rng[0], rng[1], str(raw.get("basis", "")))
    context = {
        name: _entry(path, "context", name, raw, sources)
        for name, raw in data.get("context", {}).items()
    }
    return Registry(
        path=path,
        labels=dict(labels),
        sources=sources,
        regimes=regimes,
        parameters=parameters,
        context=context,
    )


@functools.cache
def registry() -> Registry:
    """The registry at :data:`REGISTRY_PATH`, read once."""
    return load()


def presets(regime: str) -> dict[str, Any]:
    """A regime's preset values from the registry (each regime file calls this)."""
    return registry().presets(regime)


def references(regime: str) -> tuple[str, ...]:
    """The references a regime's entries cite (each regime file calls this)."""
    return registry().references(regime)


def format_number(value: Any) -> str:
    """``0.35``, ``2``, ``10^25`` (a power of ten from 10^6 up)."""
    if isinstance(value, float) and value >= 1e6:
        exponent = math.log10(value)
        if exponent == round(exponent):
            return f"10^{int(round(exponent))}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def preset_line(e: Entry) -> str:
    """``p_detect 0.35 (range 0.2 to 0.5, speculative; Wasil et al. (2024); ...)``."""
    low, high = format_number(e.low), format_number(e.high)
    return (
        f"{e.name} {format_number(e.value)} (range {low} to {high}, {e.confidence}; {e.citation})"
    )


def describe(regime: str) -> list[str]:
    """One line per preset of ``regime``: value, range, confidence and sources (the app's text).

    Example:
        >>> describe("open_letter")[0]
        'p_detect 0 (range 0 to 0, definition; Future of Life Institute (2023))'
    """
    return [preset_line(e) for e in registry().entries(regime).values()]
