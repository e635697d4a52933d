"""Design a treaty (#32): scenario discovery for one treaty and a robust search over levers.

A treaty design file (:mod:`experiments.treaty_design.spec`) names the levers (negotiable terms
with ranges or choices, and optionally a set of verification layers), one fixed treaty, the
uncertainties (world parameters with ranges, or choice parameters with their choices) and the
outcomes. :func:`discover` runs the treaty over a Latin hypercube of the uncertainties on the
batch machinery and finds the boxes of worlds where it fails with the EMA workbench's PRIM and
CART (:mod:`experiments.treaty_design.discovery`). The robust search over the levers
(:mod:`experiments.treaty_design.search`; mixed levers: :mod:`experiments.treaty_design.levers`)
finds the front of worst-tenth survival against verification spend. The app's page is
:mod:`viz.design`.
"""

from __future__ import annotations

from experiments.treaty_design.discovery import (
    Boxes,
    cart_boxes,
    catastrophe_losses,
    prim_boxes,
    world_outcomes,
)
from experiments.treaty_design.report import Discovery, analyse, discover
from experiments.treaty_design.spec import (
    OUTCOMES,
    TreatyDesign,
    list_treaty_designs,
    load_treaty_design,
    treaty_design_from_mapping,
)

__all__ = [
    "OUTCOMES",
    "Boxes",
    "Discovery",
    "TreatyDesign",
    "analyse",
    "cart_boxes",
    "catastrophe_losses",
    "discover",
    "list_treaty_designs",
    "load_treaty_design",
    "prim_boxes",
    "treaty_design_from_mapping",
    "world_outcomes",
]
