"""Analyses of experiment batches: stability maps, thresholds, survival curves, sensitivity.

Each analysis is a function of a results directory (opened with :class:`BatchContext`)
returning a frozen result object with named fields, methods for derived quantities and a
``to_frame()``; :func:`analyze` runs the ones that fit a design and writes figures (PNG and SVG),
tables and a Markdown summary. For notebooks::

    from experiments.analysis import BatchContext, stability_map, critical_detection

    context = BatchContext.open("batches/stability_map")
    smap = stability_map(context)                 # survival over p_detect x penalty + theory
    smap.boundary()                               # where survival crosses 0.5, per penalty
    table = critical_detection(context)           # logistic fits with bootstrap intervals
    table.to_frame()
"""

from __future__ import annotations

from experiments.analysis.common import BatchContext, wilson_interval
from experiments.analysis.report import AnalysisReport, analyze
from experiments.analysis.sensitivity import (
    MorrisResult,
    SobolResult,
    morris_analysis,
    morris_design,
    saltelli_design,
    sobol_analysis,
    sobol_from_evaluations,
)
from experiments.analysis.stability import StabilityMap, TheoryCurves, stability_map
from experiments.analysis.survival import (
    KaplanMeier,
    SurvivalCurves,
    kaplan_meier,
    survival_curves,
)
from experiments.analysis.threshold import (
    ThresholdFit,
    ThresholdTable,
    critical_detection,
    fit_threshold,
)

__all__ = [
    "AnalysisReport",
    "BatchContext",
    "KaplanMeier",
    "MorrisResult",
    "SobolResult",
    "StabilityMap",
    "SurvivalCurves",
    "TheoryCurves",
    "ThresholdFit",
    "ThresholdTable",
    "analyze",
    "critical_detection",
    "fit_threshold",
    "kaplan_meier",
    "morris_analysis",
    "morris_design",
    "saltelli_design",
    "sobol_analysis",
    "sobol_from_evaluations",
    "stability_map",
    "survival_curves",
    "wilson_interval",
]
