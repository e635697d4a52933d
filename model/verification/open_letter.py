"""``open_letter``: pledges without verification; nothing is ever detected.

Like the 2023 open letter that asked for a six-month pause with signatures and no enforcement:
no violation is observable (``coverage = 0``), nobody is inspected, there are no false alarms,
and no nation enforces the pause on its own labs either.

References:
    Future of Life Institute (2023). Pause Giant AI Experiments: An Open Letter.
"""

from model.verification import Regime, register_regime

REGIME = register_regime(Regime(
    name="open_letter",
    title="Open letter (no verification)",
    summary="Signatures and no enforcement: no violation is ever detected.",
    presets={"p_detect": 0.0, "p_false_alarm": 0.0, "verification_lag": 0, "coverage": 0.0,
             "p_domestic": 0.0},
    references=("Future of Life Institute (2023), Pause Giant AI Experiments: An Open Letter.",),
))
