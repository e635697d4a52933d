"""Vega-Lite specifications of the page's live charts, drawn by the browser.

The browser draws these (Vega-Lite through Solara's ``VegaLite`` widget), so a step costs the
server only a small JSON document. The same views as PNG files come from :mod:`viz.charts`
(matplotlib) when a visitor downloads them. Colours are Okabe-Ito, distinguishable with the
common colour-vision deficiencies: compliance runs from vermilion (defecting) to blue.

The package's modules, one chart each: :mod:`viz.specs.network` (the alliance network),
:mod:`viz.specs.timeseries` (the time-series panels, the compliance chart among them),
:mod:`viz.specs.theory_chart` (theory's chart) and :mod:`viz.specs.base` (what they share).
Import the names from ``viz.specs``.
"""

from __future__ import annotations

from experiments.compliance_chart import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SKY,
    VERMILION,
)
from viz.specs.base import CONFIG, SCHEMA
from viz.specs.network import (
    LABEL_FONT,
    MAX_LABELS,
    NETWORK_HEIGHT,
    NETWORK_WIDTH,
    network_spec,
    network_title,
    place_labels,
)
from viz.specs.theory_chart import theory_spec
from viz.specs.timeseries import compliance_panel, timeseries_panels, timeseries_spec

__all__ = [
    "BLUE",
    "CONFIG",
    "GREEN",
    "GREY",
    "LABEL_FONT",
    "MAX_LABELS",
    "NETWORK_HEIGHT",
    "NETWORK_WIDTH",
    "ORANGE",
    "PURPLE",
    "SCHEMA",
    "SKY",
    "VERMILION",
    "compliance_panel",
    "network_spec",
    "network_title",
    "place_labels",
    "theory_spec",
    "timeseries_panels",
    "timeseries_spec",
]

#: The charts' shared look under its old name (viz.learn and viz.stability read it).
_CONFIG = CONFIG
