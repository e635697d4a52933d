"""``self_reporting``: labs report their own training runs; whistleblowers are the check.

Illustrative numbers (DESIGN.md section 6): detection 0.05-0.2 a month (0.1 here), false alarms
0.01, a lag of 2-6 months (4 here), everything reportable (coverage 1). The presets, their
sources and ranges are in ``sources.toml`` (``[regimes.self_reporting]``): Brundage et al. (2020)
and Baker et al. (2025)'s personnel-based layers describe the mechanism without rates. By
analogy with corporate fraud (about a third ever detected: Dyck, Morse and Zingales) the
monthly detection would be 0.005-0.06; the registry says so and keeps 0.1 (outside that range)
so that earlier results are unchanged.
"""

from model.verification import Regime, register_regime
from model.verification.sources import PRESET_KEYS

REGIME = register_regime(
    Regime(
        name="self_reporting",
        title="Self-reporting and whistleblowers (illustrative)",
        summary="Self-reports and whistleblowers: rare, late detection.",
        cited=PRESET_KEYS,
    )
)
