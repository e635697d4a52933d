"""The Learn page: the model in plain words, the proposal, theory in two pictures, the scenarios.

The words are a shortened ``model/ODD.md`` (which states every formula); the pictures are drawn
from :mod:`model.theory` at the default parameters (the bistable band with a stronger race
pressure, where it is wide enough to see); every shipped scenario is listed with its narrative
and links that open it in Simulate or in Play a nation.
"""

from __future__ import annotations

import html
import re
import shlex
from typing import Any
from urllib.parse import urlencode

import numpy as np
import solara
import solara.widgets

from experiments.scenarios import list_scenarios, load_scenario
from model import theory
from model.params import resolve, schema
from viz import charts, specs

PROPOSAL = """\
In June 2026 Anthropic published a proposal for a coordinated, temporary, industry-wide pause on
frontier AI development, to let safety research and verification catch up with models that are
starting to improve themselves. Its core claims: a pause must be **multilateral** (one lab or one
country pausing alone only changes who leads); it must be **verified rather than trusted**
(inspectors and detection with consequences for cheating, as in nuclear arms control; the 2023
open letter had signatures and no enforcement, and nothing paused); and detection is hard,
because training runs are easier to hide than missile silos. pausegame is built to demonstrate
those claims and to question them.
"""

MODEL_WORDS = """\
**Who.** Nations and AI labs. Each nation runs its own programme and hosts some labs; each has a
share of the world's capability. Nations are tied by a network of alliances.

**What they choose.** Every month each actor either *complies* with the pause or *defects*
(trains frontier models in secret). Defecting pays a gain `G`, larger the more its rivals are
believed to defect (*race pressure* `lam`: if others race, standing still costs more).

**What stops them.** Verification catches a defector with probability `p` (`p_detect`); the
other members then impose a penalty `F`, except that allies shield each other. Verification can
also raise false alarms, and sanctions can arrive late.

**How they decide.** By default each actor mostly picks what pays more, with some noise (the
*logit* rule); other rules (strict best response, imitation, grim trigger, ...) can be chosen.

**What we watch.** Capability-weighted compliance. The pause *collapses* when it stays below a
threshold (0.9 by default) for several months in a row.

**Why it is interesting.** With no verification the pause collapses (the open letter).
Deterrence needs roughly `p * F >= G`. With race pressure the outcome depends on history: inside
a *bistable band* of detection probabilities a pause that holds keeps holding, and one that
broke stays broken. Alliances weaken enforcement.

The full description, with every formula as implemented, is the model's ODD document (the
ODD protocol used across agent-based modelling; in the package, `model/ODD.md`). All numbers
are illustrative.
"""

PICTURE_1 = """\
**Picture 1: the deterrence threshold.** A nation alone (no one else defecting, no alliances)
defects when the gain beats the expected sanction. The line is the smallest detection probability
`p*` that deters, for each penalty `F`: in the simplest case `p* = G / F`. Above the line the
pause deters; below it cheating pays. Doubling the penalty halves the detection needed, until
detection would have to exceed 1.
"""

PICTURE_2 = """\
**Picture 2: the bistable band.** Compliance the mean field settles at, against `p_detect`,
with race pressure `lam = 2`. Solid: the branch of a pause that starts holding; dashed: the
branch of one that starts broken. In the shaded band both are stable: the same rules give a
holding pause or a broken one depending on where the world starts.
"""


def deterrence_spec(params: Any, penalties: np.ndarray | None = None) -> dict[str, Any]:
    """Vega-Lite: the deterrence threshold ``p*`` against the penalty, deterred region shaded."""
    grid = np.linspace(0.5, 12.0, 47) if penalties is None else penalties
    rows = []
    for f in grid:
        p_star = float(theory.deterrence_threshold(params.replace(penalty=float(f))))
        rows.append(
            {
                "penalty": round(float(f), 3),
                "p_star": round(min(max(p_star, 0.0), 1.0), 4),
                "top": 1.0,
            }
        )
    x = {"field": "penalty", "type": "quantitative", "title": "penalty F (in units of G)"}
    return {
        "$schema": specs.SCHEMA,
        "title": "Detection needed to deter: p* = G / F",
        "width": 340,
        "height": 220,
        "layer": [
            {
                "data": {"values": rows},
                "mark": {"type": "area", "color": specs.BLUE, "opacity": 0.18},
                "encoding": {
                    "x": x,
                    "y": {"field": "p_star", "type": "quantitative"},
                    "y2": {"field": "top"},
                },
            },
            {
                "data": {"values": rows},
                "mark": {"type": "line", "color": specs.BLUE, "strokeWidth": 2.5},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "p_star",
                        "type": "quantitative",
                        "title": "detection probability p",
                        "scale": {"domain": [0, 1]},
                    },
                    "tooltip": [{"field": "penalty"}, {"field": "p_star", "title": "p*"}],
                },
            },
            {
                "data": {
                    "values": [
                        {"penalty": 8.0, "p": 0.75, "text": "deterred"},
                        {"penalty": 2.0, "p": 0.12, "text": "cheating pays"},
                    ]
                },
                "mark": {"type": "text", "fontSize": 14, "fontWeight": "bold"},
                "encoding": {
                    "x": {"field": "penalty", "type": "quantitative"},
                    "y": {"field": "p", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
        ],
        "config": specs.CONFIG,
    }


def band_params() -> Any:
    """The parameters of picture 2: the defaults with race pressure 2 (a visible band)."""
    return resolve({"race_pressure": 2.0})


def band_spec() -> dict[str, Any]:
    """Vega-Lite: mean-field compliance against p_detect, with the bistable band."""
    params = band_params()
    spec = specs.theory_spec(
        params, charts.theory_curve(params, n=101), theory.summarize(params), None
    )
    spec["title"] = "Two stable outcomes inside the band (race pressure 2)"
    spec["width"], spec["height"] = 340, 220
    # no "this run" marker on the Learn page
    spec["layer"] = [
        layer for layer in spec["layer"] if layer.get("mark", {}).get("color") != "#000000"
    ]
    return spec


def scenario_entries() -> list[tuple[str, str, str]]:
    """(name, title, narrative) of every shipped scenario.

    The narrative loses its own title line (the page shows the title once).
    """
    out = []
    for name in list_scenarios():
        try:
            sc, narrative = load_scenario(name)
        except Exception as exc:  # noqa: BLE001 - list the others
            out.append((name, name, f"This scenario cannot be loaded: {exc}"))
            continue
        meta = dict(sc.meta)
        text = narrative or str(meta.get("summary", "")) or "(No narrative yet.)"
        title = str(meta.get("title", name))
        first, _, rest = text.lstrip().partition("\n")
        if first.startswith("# "):
            title = first[2:].strip() or title
            text = rest.lstrip("\n")
        out.append((name, title, text))
    return out


_CODE = re.compile(r"`([^`]+)`")


def _flags(tokens: list[str], contrast: dict[str, Any]) -> dict[str, str] | None:
    """The parameters of command-line flags (``--p-detect 0.5``); None if any is not one."""
    table = schema()
    params: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--contrast":
            params.update(
                {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in contrast.items()}
            )
            i += 1
            continue
        if token in ("--quiet-months",):
            i += 1
            continue
        if not token.startswith("--") or i + 1 >= len(tokens):
            return None
        name = token[2:].replace("-", "_")
        if name == "ledger":
            return None  # a file the browser does not write: the command stays a command
        if name not in table:
            return None
        params[name] = tokens[i + 1]
        i += 2
    return params


def browser_narrative(name: str, text: str, contrast: dict[str, Any]) -> tuple[str, list[str]]:
    """A narrative for the browser: commands and flags become links to their variants.

    Each command (``pausegame demo X --penalty 12``) or flag (``--penalty 12``) becomes a link
    that opens that variant in Simulate.

    Returns the Markdown and the command lines it mentioned (for the page's command-line
    note). The words are unchanged; only code spans that are commands become links.
    """
    commands: list[str] = []

    def link(match: re.Match[str]) -> str:
        code = match.group(1)
        if not (code.startswith("pausegame ") or code.startswith("--")):
            return match.group(0)
        try:
            tokens = shlex.split(code)
        except ValueError:
            return match.group(0)
        scenario = name
        if tokens[0] == "pausegame":
            if len(tokens) < 2 or tokens[1] not in ("demo", "run"):
                commands.append(code)
                return match.group(0)
            rest = tokens[2:]
            if rest and not rest[0].startswith("--"):
                scenario, rest = rest[0], rest[1:]
            command = code
        else:
            rest = tokens
            command = f"pausegame demo {name} {code}"
        params = _flags(rest, contrast if scenario == name else {})
        if params is None:
            commands.append(command)
            return match.group(0)
        commands.append(command)
        query = urlencode({"scenario": scenario, **params})
        if params:
            words = ", ".join(f"{k} = {v}" for k, v in params.items())
            label = "the contrast" if rest == ["--contrast"] else words
        else:
            label = f"{scenario} in Simulate"
        return f"[{label}](/?{query})"

    return _CODE.sub(link, text), commands


def _anchor(name: str) -> str:
    return "learn-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


#: The page's own styles: bold is bold, long lines and tables wrap or scroll in their box.
LEARN_CSS = """
.pg-prose strong, .pg-prose b { font-weight: 700; }
.pg-prose pre, .pg-prose table { max-width: 100%; overflow-x: auto; display: block; }
.pg-prose code { white-space: pre-wrap; word-break: break-word; }
.pg-learn { max-width: 1000px; width: 100%; box-sizing: border-box; }
.pg-learn .v-card { max-width: 100%; }
.pg-learn .v-btn { white-space: normal; max-width: 100%; height: auto !important;
                   min-height: 36px; }
.pg-learn .v-btn__content { white-space: normal; flex-shrink: 1; }
.pg-learn .vega-embed { max-width: 100%; }
.pg-learn .vega-embed canvas { max-width: 100%; height: auto !important; }
.pg-learn-toc ul { columns: 2 16em; margin: 0; }
.pg-cli-note { font-size: 0.8rem; color: #444; }
"""


@solara.component
def LearnPage() -> None:
    """The model in plain words, the proposal, two theory pictures and every scenario."""
    from viz.simulate import Prose  # the app's Markdown renderer (no CDN)

    pictures = solara.use_memo(lambda: (deterrence_spec(resolve({})), band_spec()), [])
    entries = solara.use_memo(scenario_entries, [])
    contrasts = solara.use_memo(_contrasts, [])
    solara.Title("pausegame: Learn")
    solara.Style(LEARN_CSS)
    # the contents' words differ from the cards' titles (a search for a title finds the card)
    sections = [
        ("proposal", "Proposal"),
        ("model", "Model"),
        ("theory", "Theory in two pictures"),
        ("scenarios", "All scenarios"),
    ]
    toc = "".join(f'<li><a href="#{_anchor(k)}">{html.escape(t)}</a></li>' for k, t in sections)
    toc += "".join(
        f'<li><a href="#{_anchor("scenario-" + name)}">{html.escape(title)}</a></li>'
        for name, title, _ in entries
    )
    with solara.Column(style={"padding": "12px 12px"}, classes=["pg-learn"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Learn: the pause game in plain words")
        with solara.Card("Contents", classes=["pg-learn-toc"]):
            solara.HTML(tag="div", unsafe_innerHTML=f"<ul>{toc}</ul>")
        _Anchor("proposal")
        with solara.Card("The proposal", classes=["pg-learn-proposal"]):
            Prose(PROPOSAL)
        _Anchor("model")
        with solara.Card("The model", classes=["pg-learn-model"]):
            Prose(MODEL_WORDS)
        _Anchor("theory")
        with solara.Card("The theory in two pictures", classes=["pg-learn-theory"]):
            with solara.Row(gap="24px", style={"flex-wrap": "wrap"}):
                with solara.Column(
                    style={"max-width": "440px", "min-width": "0"}, classes=["pg-picture-1"]
                ):
                    solara.widgets.VegaLite.element(spec=pictures[0])
                    Prose(PICTURE_1)
                with solara.Column(
                    style={"max-width": "440px", "min-width": "0"}, classes=["pg-picture-2"]
                ):
                    solara.widgets.VegaLite.element(spec=pictures[1])
                    Prose(PICTURE_2)
        _Anchor("scenarios")
        with solara.Card("Scenarios", classes=["pg-learn-scenarios"]):
            for name, title, narrative in entries:
                text, commands = browser_narrative(name, narrative, contrasts.get(name, {}))
                # the narrative's sections sit below the scenario's title
                text = re.sub(r"^##+ ", "#### ", text, flags=re.M)
                with solara.Column(classes=["pg-scenario-entry"]):
                    _Anchor("scenario-" + name)
                    solara.HTML(tag="h3", unsafe_innerHTML=html.escape(title))
                    Prose(text)
                    with solara.Row(gap="12px", style={"flex-wrap": "wrap"}):
                        with solara.Link(f"/?scenario={name}"):
                            solara.Button(
                                f"Open {name} in Simulate",
                                color="primary",
                                classes=["pg-open-simulate"],
                            )
                        with solara.Link(f"/play?scenario={name}"):
                            solara.Button(f"Play {name} as a nation", outlined=True)
                    if commands:
                        lines = "".join(
                            f"<li><code>{html.escape(c)}</code></li>"
                            for c in dict.fromkeys(commands)
                        )
                        solara.HTML(
                            tag="div",
                            classes=["pg-cli-note"],
                            unsafe_innerHTML=(
                                "<b>On the command line</b> (after installing the package, see "
                                f"README): <ul>{lines}</ul>"
                            ),
                        )


@solara.component
def _Anchor(key: str) -> None:
    """An empty element the contents' links jump to."""
    solara.HTML(tag="div", unsafe_innerHTML="", attributes={"id": _anchor(key)})


def _contrasts() -> dict[str, dict[str, Any]]:
    """Each scenario's contrast parameters (``--contrast``), by name."""
    out: dict[str, dict[str, Any]] = {}
    for name in list_scenarios():
        try:
            sc, _ = load_scenario(name)
        except Exception:  # noqa: BLE001
            continue
        contrast = dict(sc.meta).get("contrast") or {}
        out[name] = dict(contrast.get("params", {})) if isinstance(contrast, dict) else {}
    return out
