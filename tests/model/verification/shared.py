"""Pointing the verification sources registry at an edited copy: shared by the registry tests."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from hypothesis import strategies as st

from model.verification import sources
from model.verification.sources import REGISTRY_PATH

#: The shipped registry's bytes and text.
SHIPPED = REGISTRY_PATH.read_bytes()
TEXT = SHIPPED.decode("utf-8")


def _edit(old: str, new: str) -> bytes:
    assert TEXT.count(old) >= 1, old
    return TEXT.replace(old, new, 1).encode("utf-8")


def without(pattern: str) -> bytes:
    """The text without every entry table whose header matches ``pattern``."""
    out, n = re.subn(rf"\[{pattern}\][^\n]*\n(?:(?!\[)[^\n]*\n)*", "", TEXT)
    assert n, pattern
    return out.encode("utf-8")


#: The campaign's edits (and a few more of each kind), with words the error must hold.
EDITS = {
    "truncated": (SHIPPED[: len(SHIPPED) // 2], ["not valid TOML"]),
    "value out of its range": (_edit("value = 0.9\n", "value = 0.95\n"), ["outside its range"]),
    "value out of the parameter's bounds": (
        _edit("value = 0.9\n", 'value = 1.5\noutside = "a test"\n'),
        ["[regimes.onsite_inspections.p_detect]", "p_detect=1.5 is out of bounds", "[0, 1]"],
    ),
    "range beyond the parameter's bounds": (
        _edit("range = [0.2, 0.9]", "range = [0.2, 1.9]"),
        ["onsite_inspections.p_detect", "range high", "out of bounds"],
    ),
    "string value": (_edit("value = 0.9\n", 'value = "0.9"\n'), ["value='0.9'", "a finite number"]),
    "nan value": (_edit("value = 0.9\n", "value = nan\n"), ["value=nan", "a finite number"]),
    "fractional lag": (
        _edit(
            "[regimes.onsite_inspections.verification_lag]\nvalue = 1\n",
            "[regimes.onsite_inspections.verification_lag]\nvalue = 1.5\n",
        ),
        ["verification_lag=1.5 is not an integer"],
    ),
    "inverted range": (
        _edit("range = [0.2, 0.9]", "range = [0.9, 0.2]"),
        ["onsite_inspections.p_detect", "low is above high"],
    ),
    "string in a range": (_edit("range = [0.2, 0.9]", 'range = ["a", 0.9]'), ["range=['a', 0.9]"]),
    "string in a design range": (
        _edit("range = [0.0, 0.99]", 'range = ["a", 0.99]'),
        ["[parameters.p_detect]", "range=['a', 0.99]"],
    ),
    "unknown confidence": (
        _edit('confidence = "analogy"', 'confidence = "sure"'),
        ["confidence='sure'", "documented, analogy"],
    ),
    "confidence not text": (
        _edit('confidence = "analogy"', "confidence = [1]"),
        ["confidence=[1]"],
    ),
    "unknown source": (
        _edit('sources = ["wasil_2024"', 'sources = ["wasil_2042"'),
        ["unknown source 'wasil_2042'", "wasil_2024"],
    ),
    "source key not text": (
        _edit('sources = ["wasil_2024"', 'sources = [["wasil_2024"]'),
        ["unknown source ['wasil_2024']"],
    ),
    "duplicate key": (_edit("value = 0.9\n", "value = 0.9\nvalue = 0.8\n"), ["not valid TOML"]),
    "non-UTF-8 byte": (SHIPPED.replace(b"IAEA", b"IA\xffA", 1), ["not UTF-8", "0xff"]),
    "unknown version": (_edit("version = 1", "version = 2"), ["version=2", "version 1"]),
    "no version": (_edit("version = 1", ""), ["version=None", "version 1"]),
    "a year that is text": (_edit("year = 2023", 'year = "x"'), ["[sources.fli_2023]", "year='x'"]),
    "a source that is not a table": (
        _edit("[sources.fli_2023]\n", "[sources]\nfli_2023 = 3\n[sources.x]\n"),
        ["[sources.fli_2023]", "must be a table"],
    ),
    "a regime that is not a table": (
        _edit("version = 1", "version = 1\nregimes = 3"),
        ["not valid TOML"],
    ),
    "an unknown table": (_edit("version = 1", "version = 1\n[regime]"), ["[regime]", "unknown"]),
    "a preset of no parameter": (
        _edit("[regimes.onsite_inspections.coverage]", "[regimes.onsite_inspections.coverag]"),
        ["'coverag' is not a model parameter"],
    ),
}


def edited(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the shipped registry with ``old`` (found once) replaced by ``new``."""
    assert TEXT.count(old) == 1, old
    path = tmp_path / "sources.toml"
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    return path


def use_registry(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Point the registry at ``path`` for this test (read afresh; the shipped one afterwards)."""
    monkeypatch.setattr(sources, "REGISTRY_PATH", path)
    monkeypatch.setattr(sources, "registry", functools.cache(functools.partial(sources.load, path)))


def _numbers(text: str) -> list[re.Match[str]]:
    return list(re.finditer(r"(?<=[ \[])-?\d+(?:\.\d+)?(?:e\d+)?(?=[,\]\n])", text))


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """The shipped file with one random edit: a deletion, a truncation, a byte flip, a value."""
    kind = draw(st.sampled_from(["delete", "truncate", "flip", "value", "lines"]))
    data = bytearray(SHIPPED)
    if kind == "truncate":
        return bytes(data[: draw(st.integers(0, len(data)))])
    if kind == "delete":
        start = draw(st.integers(0, len(data) - 1))
        return bytes(data[:start] + data[start + draw(st.integers(1, 400)) :])
    if kind == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
        return bytes(data)
    if kind == "lines":
        lines = TEXT.splitlines(keepends=True)
        start = draw(st.integers(0, len(lines) - 1))
        return "".join(lines[:start] + lines[start + draw(st.integers(1, 12)) :]).encode()
    match = draw(st.sampled_from(_numbers(TEXT)))
    new = draw(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.integers(-10, 10).map(str),
            st.sampled_from(['"0.5"', "true", "[]", "{}", "inf", "-0.0", "1e400"]),
        )
    )
    new = {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(new, new)
    return (TEXT[: match.start()] + new + TEXT[match.end() :]).encode()
