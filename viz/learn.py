"""The Learn page: the model in plain words, the proposal, theory in two pictures, the scenarios.

The words are a shortened ``model/ODD.md`` (which states every formula); the pictures are drawn
from :mod:`model.theory` at the default parameters (the bistable band with a stronger race
pressure, where it is wide enough to see); every shipped scenario is listed with its narrative
and links that open it in Simulate or in Play a nation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import solara
import solara.widgets

from experiments.scenarios import list_scenarios, load_scenario
from model import theory
from model.params import resolve
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

The full description, with every formula as implemented, is `model/ODD.md` (the ODD protocol
used across agent-based modelling). All numbers are illustrative.
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
        rows.append({"penalty": round(float(f), 3), "p_star": round(min(max(p_star, 0.0), 1.0), 4),
                     "top": 1.0})
    x = {"field": "penalty", "type": "quantitative", "title": "penalty F (in units of G)"}
    return {
        "$schema": specs.SCHEMA, "title": "Detection needed to deter: p* = G / F",
        "width": 340, "height": 220,
        "layer": [
            {"data": {"values": rows}, "mark": {"type": "area", "color": specs.BLUE,
                                                "opacity": 0.18},
             "encoding": {"x": x, "y": {"field": "p_star", "type": "quantitative"},
                          "y2": {"field": "top"}}},
            {"data": {"values": rows}, "mark": {"type": "line", "color": specs.BLUE,
                                                "strokeWidth": 2.5},
             "encoding": {"x": x, "y": {"field": "p_star", "type": "quantitative",
                                        "title": "detection probability p",
                                        "scale": {"domain": [0, 1]}},
                          "tooltip": [{"field": "penalty"}, {"field": "p_star",
                                                             "title": "p*"}]}},
            {"data": {"values": [{"penalty": 8.0, "p": 0.75, "text": "deterred"},
                                 {"penalty": 2.0, "p": 0.12, "text": "cheating pays"}]},
             "mark": {"type": "text", "fontSize": 14, "fontWeight": "bold"},
             "encoding": {"x": {"field": "penalty", "type": "quantitative"},
                          "y": {"field": "p", "type": "quantitative"},
                          "text": {"field": "text"}}},
        ],
        "config": specs._CONFIG,
    }


def band_params() -> Any:
    """The parameters of picture 2: the defaults with race pressure 2 (a visible band)."""
    return resolve({"race_pressure": 2.0})


def band_spec() -> dict[str, Any]:
    """Vega-Lite: mean-field compliance against p_detect, with the bistable band."""
    params = band_params()
    spec = specs.theory_spec(params, charts.theory_curve(params, n=101),
                             theory.summarize(params), None)
    spec["title"] = "Two stable outcomes inside the band (race pressure 2)"
    spec["width"], spec["height"] = 340, 220
    # no "this run" marker on the Learn page
    spec["layer"] = [layer for layer in spec["layer"]
                     if layer.get("mark", {}).get("color") != "#000000"]
    return spec


def scenario_entries() -> list[tuple[str, str, str]]:
    """(name, title, narrative) of every shipped scenario."""
    out = []
    for name in list_scenarios():
        try:
            sc, narrative = load_scenario(name)
        except Exception as exc:  # noqa: BLE001 - list the others
            out.append((name, name, f"This scenario cannot be loaded: {exc}"))
            continue
        meta = dict(sc.meta)
        text = narrative or str(meta.get("summary", "")) or "(No narrative yet.)"
        out.append((name, str(meta.get("title", name)), text))
    return out


@solara.component
def LearnPage() -> None:
    """The model in plain words, the proposal, two theory pictures and every scenario."""
    from viz.simulate import Prose  # the app's Markdown renderer (no CDN)

    pictures = solara.use_memo(lambda: (deterrence_spec(resolve({})), band_spec()), [])
    entries = solara.use_memo(scenario_entries, [])
    solara.Title("pausegame: Learn")
    with solara.Column(style={"padding": "12px 16px", "max-width": "1000px"},
                       classes=["pg-learn"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Learn: the pause game in plain words")
        with solara.Card("The proposal", classes=["pg-learn-proposal"]):
            Prose(PROPOSAL)
        with solara.Card("The model", classes=["pg-learn-model"]):
            Prose(MODEL_WORDS)
        with solara.Card("The theory in two pictures", classes=["pg-learn-theory"]):
            with solara.Row(gap="24px", style={"flex-wrap": "wrap"}):
                with solara.Column(style={"max-width": "440px"}, classes=["pg-picture-1"]):
                    solara.widgets.VegaLite.element(spec=pictures[0])
                    Prose(PICTURE_1)
                with solara.Column(style={"max-width": "440px"}, classes=["pg-picture-2"]):
                    solara.widgets.VegaLite.element(spec=pictures[1])
                    Prose(PICTURE_2)
        with solara.Card("Scenarios", classes=["pg-learn-scenarios"]):
            for name, title, narrative in entries:
                with solara.Column(classes=["pg-scenario-entry"]):
                    solara.HTML(tag="h3", unsafe_innerHTML=title)
                    Prose(narrative)
                    with solara.Row(gap="12px"):
                        with solara.Link(f"/?scenario={name}"):
                            solara.Button(f"Open {name} in Simulate", color="primary",
                                          classes=["pg-open-simulate"])
                        with solara.Link(f"/play?scenario={name}"):
                            solara.Button(f"Play {name} as a nation", outlined=True)
