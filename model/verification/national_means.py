"""``national_means``: national technical means (energy use, satellites, supply chains).

Illustrative numbers (DESIGN.md section 6): detection 0.2-0.5 a month (0.35 here), false alarms
0.05-0.1 (0.075 here), a lag of 1-3 months (2 here), and 70% of violations observable at all.
The presets, their sources and ranges are in ``sources.toml`` (``[regimes.national_means]``):
Wasil et al. (2024) describe national technical means (methods that need little or no access
to the suspected nation) without detection probabilities, so every number is ``speculative``.
"""

from model.verification import Regime, register_regime
from model.verification.sources import PRESET_KEYS

REGIME = register_regime(
    Regime(
        name="national_means",
        title="National technical means (illustrative)",
        summary="Energy, satellite and supply-chain intelligence: moderate detection, noisy, "
        "partial coverage.",
        cited=PRESET_KEYS,
    )
)
