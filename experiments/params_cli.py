"""``pausegame params``: every model parameter, the regimes' cited presets, this machine's limits.

``pausegame params`` prints every schema parameter, grouped (:func:`format_params`); ``--sources``
each verification regime's presets with their sources (:func:`format_sources`); ``--limits`` this
machine's practical limits from the memory available now (:func:`experiments.limits.limits_text`,
the only output that depends on the moment). Registered by :mod:`experiments.cli`.

Example:
    $ pausegame params --sources
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from model.params import schema

__all__ = ["format_params", "format_sources", "register_params"]

_WIDTH = 100


def register_params(subparsers: Any) -> None:
    """Register ``pausegame params``: every parameter with its default and allowed values."""
    sub = subparsers.add_parser(
        "params",
        help="list every model parameter",
        allow_abbrev=False,
        description="List every model parameter, grouped: name, default, allowed values, unit, "
        "slider range and what it means.",
    )
    sub.add_argument(
        "--sources",
        action="store_true",
        help="instead, list each verification regime's presets with their sources, "
        "quotes, ranges and confidence (model/verification/sources.toml)",
    )
    sub.add_argument(
        "--limits",
        action="store_true",
        help="instead, state this machine's practical limits (actors, steps, "
        "nations) from the memory available now",
    )
    sub.set_defaults(handler=_cmd_params, _parser=sub)


def _cmd_params(args: argparse.Namespace) -> int:
    if args.limits:
        from experiments.limits import limits_text

        print(textwrap.fill(limits_text(), _WIDTH))
    else:
        print(format_sources() if args.sources else format_params())
    return 0


def format_sources(width: int = _WIDTH) -> str:
    """The text of ``pausegame params --sources``: the verification regimes' cited presets.

    Every preset with its value, range and confidence, its sources, the quote (or paraphrase)
    and the note; then the compute thresholds of laws and draft agreements, the confidence
    labels and the full references.
    """
    from model.verification import regimes
    from model.verification.sources import format_number, preset_line, presets, registry

    reg = registry()
    indent = " " * 6

    def wrap(text: str, first: str = indent) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=indent)

    intro = (
        "Where the verification regimes' preset numbers come from "
        "(model/verification/sources.toml). Each preset has a value, a plausible range, a "
        "confidence label, its sources and a quote (or a paraphrase, labelled so). "
        "`--verification NAME` applies a regime's presets; values you set win."
    )
    lines = textwrap.wrap(intro, width)
    lines += ["", "CONFIDENCE LABELS"]
    for label, text in reg.labels.items():
        lines += wrap(f"{label}: {text}", "  ")
    for name, regime in regimes().items():
        if not regime.cited:  # custom: presets nothing
            continue
        presets(name, regime.cited)  # a regime without its entries is an error, never a gap
        entries = reg.entries(name)
        lines += ["", f"{name.upper()}: {regime.title}"]
        for e in entries.values():
            lines += wrap(preset_line(e), "  ")
            lines += wrap(e.quoted)
            lines += wrap(f"range: {e.range_basis}")
            lines += wrap(e.note)
            if e.outside:
                lines += wrap(f"outside its range: {e.outside}")
    lines += _layer_lines(wrap)
    lines += ["", "WHAT COUNTS AS A VIOLATION (compute thresholds; no engine parameter reads them)"]
    for e in reg.context.values():
        head = f"{e.name} {format_number(e.value)} {e.unit} ({e.confidence}; {e.citation})"
        lines += wrap(head, "  ")
        lines += wrap(e.quoted)
        lines += wrap(e.note)
    lines += ["", "REFERENCES"]
    for s in reg.sources.values():
        lines += wrap(f"[{s.key}] {s.reference}", "  ")
    return "\n".join(lines)


def _layer_lines(wrap: Any) -> list[str]:
    """The verification layers' numbers with their sources (``--layers NAME,NAME``)."""
    from model.verification.layers import layers
    from model.verification.sources import preset_line, registry

    reg = registry()
    lines = [
        "",
        "VERIFICATION LAYERS (`--layers NAME,NAME`; combined as model/ODD.md section 3.6 says)",
    ]
    for name, layer in layers().items():
        _ = layer.values  # a layer without its numbers is an error, never a gap
        lines += ["", f"{name.upper()}: {layer.title} (watches {layer.watches} compute)"]
        for e in reg.layers[name].values():
            lines += wrap(preset_line(e), "  ")
            lines += wrap(e.quoted)
            lines += wrap(f"range: {e.range_basis}")
            lines += wrap(e.note)
    return lines


def format_params(width: int = _WIDTH) -> str:
    """The text of ``pausegame params``: every schema parameter, grouped by ``group``."""
    table = schema()
    groups: dict[str, list[Any]] = {}
    for p in table.values():
        groups.setdefault(p.group, []).append(p)
    intro = (
        f"pausegame has {len(table)} parameters in {len(groups)} groups. Set one with "
        "`pausegame run --NAME VALUE` (--p-detect or --p_detect) or in a scenario's "
        "[params] table. One step is one month; payoffs are in units of G. This "
        "machine's practical limits (actors, steps, nations): `pausegame params --limits`."
    )
    lines = textwrap.wrap(intro, width)
    indent = " " * 6
    for group, params in groups.items():
        lines += ["", group.upper()]
        for p in params:
            head = f"  {p.name}"
            if p.symbol:
                head += f" ({p.symbol})"
            default = "none" if p.default is None else p.default
            head += f"   default {default}"
            if p.unit:
                head += f"   [{p.unit}]"
            lines.append(head)
            allowed = f"allowed: {p.bounds_text()}"
            if p.range is not None:
                allowed += f"; slider range {p.range[0]:g} to {p.range[1]:g}"
            if p.app_max is not None:
                allowed += f"; app maximum {p.app_max:g}"
            lines += textwrap.wrap(allowed, width, initial_indent=indent, subsequent_indent=indent)
            lines += textwrap.wrap(p.help, width, initial_indent=indent, subsequent_indent=indent)
            if p.name == "verification":
                lines += textwrap.wrap(
                    "Each regime's presets with their sources, ranges and "
                    "confidence: `pausegame params --sources`.",
                    width,
                    initial_indent=indent,
                    subsequent_indent=indent,
                )
    return "\n".join(lines)
