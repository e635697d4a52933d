"""The app's controls, generated from the schema, and a link's values checked against it.

Plain Python (no widgets): the pages (:mod:`viz.simulate`, :mod:`viz.play`, :mod:`viz.stability`)
build their controls from these (groups, labels, slider bounds, hints) and check a typed value
or a link's values with the schema (:func:`model.params.schema`), so a new parameter declared
in ``model/params/`` or in a rule file appears in the app with no edit here. Every name is also
importable from :mod:`viz.session`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from agents.declare import Param
from model.errors import ParameterError
from model.params import parse_text, resolve, schema
from model.params.layers import NO_LAYERS
from viz import classroom

#: Control groups in the order the page shows them, with their titles. Groups a new parameter
#: declares that are not listed here are shown after these, titled from their name.
GROUP_TITLES: dict[str, str] = {
    "population": "Population",
    "verification": "Verification",
    "sanctions": "Sanctions and adjudication",
    "alliances": "Alliances",
    "decisions": "Decisions",
    "treaty": "Treaty",
    "negotiation": "Negotiation",
    "pledges": "Pledges",
    "payoffs": "Payoffs and risk",
    "run": "Run",
}

#: Link keys that belong to the top bar on every page (:mod:`viz.main`), not to a page's
#: world: a page never reports them as unknown and a page's own link keeps them.
LAYOUT_KEYS: frozenset[str] = classroom.LAYOUT_KEYS

#: The start of the notice a page shows for a link with values it cannot use.
LINK_NOTICE = "The link had values the app cannot use (the defaults are kept): "


#: Controls that apply only with other values: name -> (the condition in words, its test on the
#: controls' values). The page greys such a control out and names the condition under it.
APPLIES_WHEN: dict[str, tuple[str, Any]] = {
    "pledge_honesty": ("pledges = on", lambda v: v.get("pledges") == "on"),
    "pledge_binding": ("pledges = on", lambda v: v.get("pledges") == "on"),
    "breach_penalty": (
        "pledges = on and pledge_binding = binding",
        lambda v: v.get("pledges") == "on" and v.get("pledge_binding") == "binding",
    ),
    # a layer set-up sets the verification numbers, so a regime's presets would contradict it
    # (validation refuses both together): the regime picker waits until every layer is off
    "verification": ("layers = none", lambda v: v.get("layers", NO_LAYERS) == NO_LAYERS),
    **{
        name: ("at least one layer ticked", lambda v: v.get("layers", NO_LAYERS) != NO_LAYERS)
        for name in ("layer_correlation", "undeclared_share")
    },
    **{
        name: (
            "decision_rule = conditional_cooperator",
            lambda v: v.get("decision_rule") == "conditional_cooperator",
        )
        for name in ("cc_threshold", "cc_memory", "cc_fallback")
    },
}


def not_applying(name: str, values: Mapping[str, Any]) -> str | None:
    """The condition a control needs and the controls' ``values`` do not meet (None: it applies).

    >>> not_applying("breach_penalty", {"pledges": "on", "pledge_binding": "cheap_talk"})
    'pledges = on and pledge_binding = binding'
    >>> not_applying("pledge_honesty", {"pledges": "on"}) is None
    True
    """
    rule = APPLIES_WHEN.get(name)
    if rule is None or rule[1](values):
        return None
    return str(rule[0])


@functools.cache
def refused_choices(name: str) -> dict[str, str]:
    """A choice parameter's choices that validation refuses on their own, with its message.

    Each choice is validated with every other value at its default
    (:func:`model.params.resolve`); a choice refused for this parameter itself (not for
    another it contradicts) is listed, so a picker can show it disabled with the reason.

    >>> refused_choices("pledges")
    {}
    """
    p = schema()[name]
    out: dict[str, str] = {}
    for choice in p.choices if p.kind == "choice" else ():
        try:
            resolve({name: choice})
        except ParameterError as exc:
            if exc.field == name:
                out[str(choice)] = str(exc)
    return out


def grouped_params() -> dict[str, list[Param]]:
    """Schema parameters by control group, in display order."""
    groups: dict[str, list[Param]] = {g: [] for g in GROUP_TITLES}
    for p in schema().values():
        groups.setdefault(p.group, []).append(p)
    return {g: ps for g, ps in groups.items() if ps}


def group_title(group: str) -> str:
    """The heading of a control group."""
    return GROUP_TITLES.get(group, group.replace("_", " ").capitalize())


def format_value(p: Param, value: Any) -> str:
    """A value as its control's text box shows it."""
    if value is None:
        return ""
    if p.kind == "float":
        return f"{float(value):.6g}"
    return str(value)


def control_label(p: Param) -> str:
    """``p_detect (p)``: the name, and the symbol the ODD description uses."""
    return f"{p.name} ({p.symbol})" if p.symbol and p.symbol != p.name else p.name


def unit_label(p: Param) -> str:
    """The label of a number's text box: its unit (``value`` when it has none)."""
    return p.unit or "value"


def regime_sources(name: str) -> str:
    """What the verification regime ``name`` presets and where its numbers come from.

    One sentence for the Simulate page, under the regime picker (from the verification sources
    registry, ``model/verification/sources.toml``).
    """
    from model.verification.sources import describe

    lines = describe(name)
    if not lines:
        return f"{name}: no presets, so nothing to cite; every number is as the parameters set it."
    return (
        f"{name} presets (illustrative): "
        + "; ".join(lines)
        + ". Quotes and full references: pausegame params --sources."
    )


def verification_numbers(values: Mapping[str, Any]) -> frozenset[str]:
    """The parameters the controls' set-up sets: the layers' numbers, or the regime's presets.

    The page passes one of them to the model only when the visitor changed it, so the ticked
    layers' numbers or the chosen regime's presets apply (a value set explicitly wins).

    >>> sorted(verification_numbers({"layers": "whistleblower", "verification": "custom"}))
    ['coverage', 'p_detect', 'p_false_alarm', 'verification_lag']
    >>> sorted(verification_numbers({"layers": "none", "verification": "custom"}))
    []
    """
    from model.verification import get_regime
    from model.verification.layers.combine import effective

    if values.get("layers", NO_LAYERS) != NO_LAYERS:
        return frozenset(effective([], 0.0, 0.0))
    return frozenset(get_regime(str(values["verification"])).presets)


def layer_names(value: str) -> list[str]:
    """The layers a ``layers`` value ticks (``none``: no layer).

    >>> layer_names("none"), layer_names("whistleblower,chip_tracking")
    ([], ['whistleblower', 'chip_tracking'])
    """
    return [] if value in ("", NO_LAYERS) else value.split(",")


def toggle_layer(value: str, name: str, on: bool) -> str:
    """The ``layers`` value with ``name`` ticked (``on``) or not, in the registry's order.

    >>> toggle_layer("none", "whistleblower", True)
    'whistleblower'
    >>> toggle_layer("whistleblower", "chip_tracking", True)
    'chip_tracking,whistleblower'
    >>> toggle_layer("whistleblower", "whistleblower", False)
    'none'
    """
    from model.verification.layers import layers

    ticked = set(layer_names(value)) - {name} | ({name} if on else set())
    return ",".join(n for n in layers() if n in ticked) or NO_LAYERS


def layer_sources(name: str) -> str:
    """What the layer ``name`` watches and its numbers with their labels and sources.

    One sentence for the Simulate page, under the layer's box (from the verification sources
    registry, ``model/verification/sources.toml``, as :func:`regime_sources` for a regime).
    """
    from model.verification.layers import get_layer
    from model.verification.sources import format_number, registry

    layer = get_layer(name)
    entries = registry().layers.get(name, {})
    numbers = [
        f"{key} {format_number(e.value)} ({format_number(e.low)} to {format_number(e.high)}, "
        f"{e.confidence})"
        for key, e in entries.items()
    ]
    cited = list(dict.fromkeys(s.short for e in entries.values() for s in e.sources))
    watches = "declared and undeclared" if layer.watches == "both" else layer.watches
    return (
        f"Watches {watches} compute. "
        + "; ".join(numbers)
        + (". Sources: " + "; ".join(cited) if cited else "")
        + "."
    )


def layer_setup(values: Mapping[str, Any]) -> str | None:
    """What the ticked layers give together (None: no layer), from the layer model's functions.

    Detection of a violation, false alarms, the lag and the cost per unit of capability, as
    :mod:`model.verification.layers.combine` computes them at the controls'
    ``layer_correlation`` and ``undeclared_share``.
    """
    from model.verification.layers import combine

    value = str(values.get("layers", NO_LAYERS))
    if not layer_names(value):
        return None
    rho, u = float(values["layer_correlation"]), float(values["undeclared_share"])
    channels = combine.channels_of(value)
    lag = combine.median_lag(channels, rho, u)
    return (
        f"Together (rho = {rho:g}, u = {u:g}): a violation is caught with probability "
        f"{combine.detection(channels, rho, u):.3f} a month, a complier falsely flagged with "
        f"{combine.false_alarm(channels, rho):.3f}, sanctions after {lag} month"
        f"{'' if lag == 1 else 's'}; cost {combine.unit_cost(channels, u):.3g} G a month per "
        "unit of capability watched, plus the fixed costs shared by the members."
    )


def control_hint(p: Param) -> str:
    """The help line under a control: what it means, its unit, what is allowed, the app's cap."""
    text = p.help
    if p.unit:
        text += f" Unit: {p.unit}."
    text += f" Allowed: {p.bounds_text()}"
    if p.app_max is not None:
        text += f"; the app caps it at {p.app_max:g} (larger worlds: the command line)"
    return text + "."


def slider_bounds(p: Param) -> tuple[float, float] | None:
    """The slider's (min, max): the schema's range, capped by the app maximum."""
    if p.range is None or p.kind not in ("float", "int"):
        return None
    lo, hi = p.range
    if p.app_max is not None:
        hi = min(hi, p.app_max)
    return lo, hi


def slider_step(p: Param) -> float:
    """A power of ten giving 100 to 1,000 slider positions (1 for integers)."""
    if p.kind == "int":
        return 1
    bounds = slider_bounds(p)
    span = (bounds[1] - bounds[0]) if bounds else 1.0
    if span <= 0:
        return 0.01
    return float(10.0 ** math.floor(math.log10(span / 100)))


def check_value(p: Param, text: str) -> Any:
    """Parse a typed value with the schema and apply the app's cap.

    Raises:
        ParameterError: Naming the field, the value and what is allowed.
    """
    value = parse_text(p, text)
    if p.app_max is not None and value is not None and value > p.app_max:
        raise ParameterError(
            p.name, value, f"at most {p.app_max:g} in the app", why="is above the app maximum"
        )
    return value


def link_pairs(query: str | None) -> dict[str, str]:
    """A link's ``key=value`` pairs (last one wins), without the top bar's :data:`LAYOUT_KEYS`."""
    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
    return {k: v for k, v in pairs if k not in LAYOUT_KEYS}


def layout_query(query: str | None) -> str:
    """The top bar's part of a link (``projector=1``), to carry over when a page rewrites it."""
    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k in LAYOUT_KEYS])


@dataclass
class LinkCheck:
    """A link's values checked against the schema: what can be used, and why the rest cannot."""

    values: dict[str, Any]
    problems: list[str]

    @property
    def notice(self) -> str | None:
        """The page's notice for the problems (None when there are none)."""
        return LINK_NOTICE + "; ".join(self.problems) if self.problems else None


def check_link_value(name: str, text: str) -> tuple[Any, str | None]:
    """One link value of a schema parameter: ``(value, None)`` or ``(None, why not)``.

    The same check as a typed value (:func:`check_value`), for pages other than Simulate (Play
    a nation, the map) that take schema parameters from their link.
    """
    p = schema().get(name)
    if p is None:
        return None, f"unknown parameter {name!r} in the link"
    try:
        return check_value(p, text), None
    except ParameterError as exc:
        return None, str(exc)


def check_link(
    query: str | None, names: Any = None, *, extra: Mapping[str, Any] | None = None
) -> LinkCheck:
    """Check a link's values: schema parameters (all, or only ``names``) and a page's own keys.

    Args:
        query: The link's query string; the top bar's keys (:data:`LAYOUT_KEYS`) are skipped.
        names: The schema parameters the page takes (None: every one); others are reported as
            unknown.
        extra: The page's own keys (``nation``, ``periods``), each a function from the text to a
            value that raises ``ValueError`` with the reason for a bad one.

    Returns:
        The usable values by key and one problem line per bad or unknown key, naming it.
    """
    allowed = set(schema()) if names is None else set(names)
    extra = dict(extra or {})
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, text in link_pairs(query).items():
        if key in extra:
            try:
                values[key] = extra[key](text)
            except ValueError as exc:
                problems.append(f"{key}={text!r}: {exc}")
            continue
        if key not in allowed:
            problems.append(f"unknown parameter {key!r} in the link")
            continue
        value, why = check_link_value(key, text)
        if why is None:
            values[key] = value
        else:
            problems.append(why)
    return LinkCheck(values, problems)
