"""``custom``: the core's own verification numbers, with full coverage.

Every violation is observable (``coverage = 1``); ``p_detect``, ``p_false_alarm`` and
``verification_lag`` are whatever the parameters say. This is the default, and with it the core
game is unchanged.
"""

from model.verification import Regime, register_regime

REGIME = register_regime(
    Regime(
        name="custom",
        title="Custom (the parameters as set)",
        summary="Detection, false alarms and lag as set in the parameters; every violation is "
        "observable.",
    )
)
