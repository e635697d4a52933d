"""The cited parameters of the verification regimes (``sources.toml`` beside this file).

Not a regime: the registry every regime reads its presets from. For each preset value it gives
the sources (author, year, title), a quote (or a paraphrase, marked so) and where it is, a
plausible range ``[low, high]`` and a confidence label:

- ``documented``: the source states the number for this very setting;
- ``analogy``: the source states it for an analogous setting (IAEA safeguards, chip smuggling,
  recomputation checks, corporate fraud), read for AI by us;
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
import hashlib
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import ConfigError

#: The registry file the regimes read (tests point it at a changed copy).
REGISTRY_PATH = Path(__file__).with_name("sources.toml")

#: The registry format this package reads (the file's top-level ``version``).
REGISTRY_VERSION = 1

#: The parameters every regime but ``custom`` presets (``open_letter`` adds ``p_domestic``).
PRESET_KEYS = ("p_detect", "p_false_alarm", "verification_lag", "coverage")

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
_TABLES = ("labels", "sources", "regimes", "parameters", "context")


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
        title = self.title if self.title.endswith(("?", "!", ".")) else f"{self.title}."
        return f"{self.author} ({self.year}). {title} {self.where}."


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
        sha256: The SHA-256 of the file's bytes (hex), as provenance records it.
        labels: Each confidence label's definition.
        sources: The cited works by key.
        regimes: Each regime's entries by parameter.
        parameters: The design range ``(low, high, basis)`` of a parameter, by name.
        context: The compute thresholds by key.
    """

    path: Path
    sha256: str
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


def _is_number(value: Any) -> bool:
    """A finite int or float (``true`` is not a number here, nor ``nan`` or ``inf``)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _range(path: Path, where: str, rng: Any) -> tuple[Any, Any]:
    """``[low, high]``: two finite numbers, low not above high."""
    if not (isinstance(rng, list) and len(rng) == 2 and all(_is_number(v) for v in rng)):
        raise _fail(path, where, f"range={rng!r} is not allowed; allowed: [low, high], numbers")
    low, high = rng
    if low > high:
        raise _fail(path, where, f"range={rng!r}: low is above high")
    return low, high


def _check_parameter(path: Path, where: str, name: str, values: Mapping[str, Any]) -> None:
    """Each of ``values`` (``value``, ``range low``, ...) is a valid value of parameter ``name``."""
    from model.errors import ParameterError
    from model.params import coerce, schema

    table = schema()
    if name not in table:
        raise _fail(
            path, where, f"{name!r} is not a model parameter (`pausegame params` lists them)"
        )
    for label, value in values.items():
        try:
            coerce(table[name], value)
        except ParameterError as exc:
            raise _fail(path, where, f"{label}: {exc}") from None


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
    low, high = _range(path, where, raw["range"])
    value = raw["value"]
    if not _is_number(value):
        raise _fail(path, where, f"value={value!r} is not allowed; allowed: a finite number")
    if owner != "context":
        _check_parameter(path, where, name, {"value": value, "range low": low, "range high": high})
    if not isinstance(raw["confidence"], str) or raw["confidence"] not in CONFIDENCE_LABELS:
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
        if not isinstance(key, str) or key not in sources:
            raise _fail(path, where, f"unknown source {key!r}; known: " + ", ".join(sources))
    if not isinstance(raw["paraphrase"], bool):
        raise _fail(path, where, f"paraphrase={raw['paraphrase']!r}: expected true or false")
    for key in ("quote", "quote_where", "note", "range_basis"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise _fail(path, where, f"{key}: expected non-empty text")
    for key in ("outside", "unit"):
        if not isinstance(raw.get(key, ""), str):
            raise _fail(path, where, f"{key}={raw[key]!r}: expected text")
    outside = raw.get("outside", "")
    if not low <= value <= high and not outside.strip():
        raise _fail(
            path,
            where,
            f"value {value!r} is outside its range {raw['range']!r}; keep it only "
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
        outside=outside,
        unit=raw.get("unit", ""),
    )


def _source(path: Path, key: str, raw: Any) -> Source:
    where = f"[sources.{key}]"
    if not isinstance(raw, Mapping):
        raise _fail(path, where, "must be a table")
    missing = [k for k in _SOURCE_KEYS if k not in raw]
    if missing:
        raise _fail(path, where, f"missing {', '.join(missing)}")
    allowed = (*_SOURCE_KEYS, "cite")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise _fail(path, where, f"unknown field {unknown[0]!r}; allowed: " + ", ".join(allowed))
    year = raw["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        raise _fail(path, where, f"year={year!r} is not allowed; allowed: an integer year")
    for field in ("author", "title", "where", "cite"):
        text = raw.get(field, "")
        if not isinstance(text, str) or (field != "cite" and not text.strip()):
            raise _fail(path, where, f"{field}={text!r}: expected non-empty text")
    return Source(
        key=key,
        author=raw["author"],
        year=year,
        title=raw["title"],
        where=raw["where"],
        cite=raw.get("cite", ""),
    )


def _read(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed file and the SHA-256 of its bytes; ConfigError when it cannot be read."""
    what = "cannot read the verification sources registry"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: {what}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: {what}: it is not UTF-8 text (byte {raw[exc.start]:#04x} at offset "
            f"{exc.start})"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {what}: not valid TOML: {exc}") from None
    return data, hashlib.sha256(raw).hexdigest()


def _tables(path: Path, data: dict[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The file's version checked, and its top-level tables (each one a table)."""
    version = data.get("version")
    if isinstance(version, bool) or version != REGISTRY_VERSION:
        raise _fail(
            path,
            "version",
            f"version={version!r} is not supported; this pausegame reads registry version "
            f"{REGISTRY_VERSION}",
        )
    unknown = sorted(set(data) - {"version", *_TABLES})
    if unknown:
        raise _fail(
            path, f"[{unknown[0]}]", "unknown table; allowed: version, " + ", ".join(_TABLES)
        )
    tables = {key: data.get(key, {}) for key in _TABLES}
    for key, table in tables.items():
        if not isinstance(table, Mapping):
            raise _fail(path, f"[{key}]", "must be a table")
    for regime, table in tables["regimes"].items():
        if not isinstance(table, Mapping):
            raise _fail(path, f"[regimes.{regime}]", "must be a table of entries")
    return tables


def load(path: Path | str | None = None) -> Registry:
    """Read and validate a registry file (default :data:`REGISTRY_PATH`).

    Raises:
        ConfigError: naming the file, the table and field that is wrong and what is allowed
            (a file that is missing, not UTF-8 or not TOML, an unknown ``version``, an unknown
            label or source, a value that is not a number or not a valid value of its
            parameter, a range with low above high, a value outside its range without an
            ``outside`` reason, a missing or unknown field).
    """
    path = Path(REGISTRY_PATH if path is None else path)
    data, sha256 = _read(path)
    tables = _tables(path, data)
    labels = tables["labels"]
    if set(labels) != set(CONFIDENCE_LABELS) or not all(
        isinstance(text, str) and text.strip() for text in labels.values()
    ):
        raise _fail(
            path, "[labels]", "must define exactly " + ", ".join(CONFIDENCE_LABELS) + ", as text"
        )
    sources = {key: _source(path, key, raw) for key, raw in tables["sources"].items()}
    regimes = {
        regime: {name: _entry(path, regime, name, raw, sources) for name, raw in table.items()}
        for regime, table in tables["regimes"].items()
    }
    parameters: dict[str, tuple[Any, Any, str]] = {}
    for name, raw in tables["parameters"].items():
        where = f"[parameters.{name}]"
        if not isinstance(raw, Mapping) or set(raw) - {"range", "basis"}:
            raise _fail(path, where, "must be a table of range = [low, high] and basis")
        low, high = _range(path, where, raw.get("range"))
        _check_parameter(path, where, name, {"range low": low, "range high": high})
        if not isinstance(raw.get("basis", ""), str):
            raise _fail(path, where, f"basis={raw['basis']!r}: expected text")
        parameters[name] = (low, high, raw.get("basis", ""))
    context = {
        name: _entry(path, "context", name, raw, sources) for name, raw in tables["context"].items()
    }
    return Registry(
        path=path,
        sha256=sha256,
        labels=dict(labels),
        sources=sources,
        regimes=regimes,
        parameters=parameters,
        context=context,
    )


@functools.cache
def registry() -> Registry:
    """The registry at :data:`REGISTRY_PATH`, read once (a damaged file: ConfigError)."""
    return load()


def presets(regime: str, required: Sequence[str] = ()) -> dict[str, Any]:
    """A regime's preset values from the registry (:attr:`Regime.presets` reads them).

    Raises:
        ConfigError: The registry is damaged, or gives no entry for one of ``required`` (the
            parameters the regime presets): naming the file, the regime and what is missing.
    """
    reg = registry()
    missing = [name for name in required if name not in reg.entries(regime)]
    if missing:
        raise ConfigError(
            f"{reg.path}: the verification regime {regime!r} has no entry for "
            f"{', '.join(missing)} ([regimes.{regime}.{missing[0]}]); it needs one for each of "
            f"{', '.join(required)}: restore them (git checkout restores the shipped file)"
        )
    return reg.presets(regime)


def references(regime: str) -> tuple[str, ...]:
    """The references a regime's entries cite (:attr:`Regime.references` reads them)."""
    return registry().references(regime)


def provenance() -> dict[str, Any]:
    """What a batch's manifest records of the registry: its SHA-256 and every regime's presets.

    Raises:
        ConfigError: The registry is damaged.
    """
    reg = registry()
    return {"sha256": reg.sha256, "presets": {name: reg.presets(name) for name in reg.regimes}}


def file_sha256() -> str:
    """The SHA-256 of the registry file's bytes (what a run's ``config.toml`` records).

    Read without validating (a run that uses no regime does not need the registry):
    ``"unreadable"`` when the file cannot be read.
    """
    try:
        return hashlib.sha256(REGISTRY_PATH.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def changes_since(recorded: Any) -> list[str]:
    """What changed in the regimes' presets since ``recorded`` (a :func:`provenance`).

    Returns:
        One line naming the registry file and each preset that changed (``regime.name old ->
        new``), or none when every preset is as recorded (edits of quotes or notes do not
        change any number).

    Raises:
        ConfigError: The registry is damaged.
    """
    reg = registry()
    now = provenance()["presets"]
    old = recorded.get("presets") if isinstance(recorded, Mapping) else None
    if not isinstance(old, Mapping):
        return [f"verification registry {reg.path}: not recorded -> sha256 {reg.sha256[:12]}"]
    lines = []
    for regime in dict.fromkeys([*now, *old]):
        before = old.get(regime)
        before = before if isinstance(before, Mapping) else {}
        after = now.get(regime, {})
        for name in dict.fromkeys([*after, *before]):
            if before.get(name) != after.get(name):
                lines.append(f"{regime}.{name} {before.get(name)} -> {after.get(name)}")
    if not lines:
        return []
    return [f"verification registry {reg.path}: " + ", ".join(lines)]


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
