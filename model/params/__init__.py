"""The parameter schema: every parameter declared once, validated in one place.

The core's parameters are declared here (DESIGN.md section 2); each decision rule declares the
ones it reads in its own file, and :func:`schema` gathers them through the rule registry. The model
constructor, the CLI flags, scenario validation, ``pausegame params`` and (later) the app's
controls and the samplers are all generated from :func:`schema`.

Example:
    >>> from model.params import resolve
    >>> p = resolve({"p_detect": 0.5})
    >>> p.p_detect, p.penalty
    (0.5, 4.0)

The package's parts: the core's declarations by group (:mod:`model.params.incentives`:
payoffs, verification, sanctions, decisions; :mod:`model.params.setting`: population,
alliances, treaty, run; :mod:`model.params.negotiation`: the treaty's negotiation;
:mod:`model.params.pledges`: pledges before each month; :mod:`model.params.layers`: verification
layers), the schema, one value's validation
and the parameters a run's event log records
(:mod:`model.params.table`), and a run's parameters put together
(:mod:`model.params.resolution`). Every public name is importable from ``model.params``.
"""

from __future__ import annotations

from agents.declare import Param
from model.params.incentives import INCENTIVES
from model.params.layers import LAYER_PARAMS
from model.params.negotiation import NEGOTIATION
from model.params.pledges import PLEDGES
from model.params.resolution import Params, RecordingParams, resolve, resolve_run
from model.params.setting import SETTING
from model.params.table import (
    CORE,
    coerce,
    defaults,
    ledger_params,
    params_from_ledger,
    parse_text,
    schema,
    unknown_name_error,
)
from model.seeds import new_seed

__all__ = [
    "CORE",
    "INCENTIVES",
    "NEGOTIATION",
    "PLEDGES",
    "LAYER_PARAMS",
    "SETTING",
    "Param",
    "Params",
    "RecordingParams",
    "coerce",
    "defaults",
    "ledger_params",
    "new_seed",
    "params_from_ledger",
    "parse_text",
    "resolve",
    "resolve_run",
    "schema",
    "unknown_name_error",
]
