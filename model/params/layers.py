"""The core's parameters of verification layers (#31, model/ODD.md section 3.6).

Declared once here; :func:`model.params.schema` gathers them with the others (and gives
``layers`` the registered layers' names). :func:`model.params.resolve` turns a set-up of
layers into the engine's verification numbers (:mod:`model.verification.layers.combine`).
Each is recorded in a run's event log only when it differs from its default (``ledger_since``
:data:`LAYERS_LEDGER_FORMAT`), so every earlier run's log and head hash stay as they were.
"""

from __future__ import annotations

from agents.declare import Param

#: The event-log format that added the layers' parameters (model/ODD.md section 3.6).
LAYERS_LEDGER_FORMAT = 3
#: The tag of a ``choice`` parameter that takes a comma-separated set of its choices (the first
#: choice means none; :meth:`agents.declare.Param.bounds_text` reads the tag by this name).
NAME_SET_TAG = "name_set"
#: The value of ``layers`` that chooses no layer (the regime or the parameters as set).
NO_LAYERS = "none"

LAYER_PARAMS: tuple[Param, ...] = (
    Param(
        "layers",
        "choice",
        NO_LAYERS,
        "Verification as a set-up of layers: a comma-separated list of layer names "
        "('chip_tracking,whistleblower'), or 'none' (verification as the regime and the "
        "parameters say). Layers set p_detect, p_false_alarm, verification_lag and coverage "
        "from their own numbers (`pausegame params --sources`; values you set win); with "
        "verification = 'custom'.",
        choices=(NO_LAYERS,),
        group="verification",
        tags=(NAME_SET_TAG,),
        ledger_since=LAYERS_LEDGER_FORMAT,
    ),
    Param(
        "layer_correlation",
        "float",
        0.0,
        "Common mode of the layers (rho): with this probability the layers fail together (an "
        "evader who gets past the strongest layer gets past every layer, so the set catches "
        "as its strongest layer does); otherwise they miss independently (0: always).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="verification",
        symbol="rho",
        ledger_since=LAYERS_LEDGER_FORMAT,
    ),
    Param(
        "undeclared_share",
        "float",
        0.1,
        "Share u of every actor's compute outside the declarations (smuggled or untracked "
        "chips); a violation is there with probability u, where only layers that watch "
        "undeclared compute can catch it. Read only when layers are set. The default 0.1 and "
        "the slider's range follow Grunewald and Fist (2025): smuggled chips were 1 to 40 "
        "percent (median 10) of the PRC's training compute acquired in 2024.",
        low=0.0,
        high=1.0,
        range=(0.0, 0.4),
        group="verification",
        symbol="u",
        ledger_since=LAYERS_LEDGER_FORMAT,
    ),
    Param(
        "evasion",
        "choice",
        "drawn",
        "Where a violation goes when layers are set: 'drawn' (in undeclared compute with "
        "probability undeclared_share, else in declared compute) or 'strategic' (the evader "
        "puts it in the less-watched channel: in undeclared compute whenever it has some, "
        "undeclared_share > 0, and the layers watching it catch less than those watching "
        "declared compute).",
        choices=("drawn", "strategic"),
        group="verification",
        ledger_since=LAYERS_LEDGER_FORMAT,
    ),
)
