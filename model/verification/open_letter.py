"""``open_letter``: pledges without verification; nothing is ever detected.

Like the 2023 open letter that asked for a six-month pause with signatures and no enforcement:
no violation is observable (``coverage = 0``), nobody is inspected, there are no false alarms,
and no nation enforces the pause on its own labs either. The zeros are ``definition`` entries in
``sources.toml`` (``[regimes.open_letter]``): the letter asked for a "public and verifiable" pause
and set up nothing to verify it.
"""

from model.verification import Regime, register_regime
from model.verification.sources import PRESET_KEYS

REGIME = register_regime(
    Regime(
        name="open_letter",
        title="Open letter (no verification)",
        summary="Signatures and no enforcement: no violation is ever detected.",
        cited=(*PRESET_KEYS, "p_domestic"),
    )
)
