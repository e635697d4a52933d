"""``onsite_inspections``: IAEA-like inspections of declared sites.

Illustrative numbers (DESIGN.md section 6): detection 0.9 at declared sites, false alarms 0.05,
a lag of one month, and 80% of violations at sites that can be inspected. IAEA safeguards use
detection probability goals of 90% ("high") and 20% ("low"), and about 5% false alarms is a
commonly cited test level; the presets take these by ``analogy`` (nuclear material at declared
facilities, read as a monthly probability for AI). Coverage's analogy is the IAEA's broader
conclusion (no undeclared activity) for about 55% of States with an additional protocol; the
preset 0.8 is kept outside that range so that earlier results are unchanged. The presets, their
sources and ranges are in ``sources.toml`` (``[regimes.onsite_inspections]``).
"""

from model.verification import Regime, register_regime
from model.verification.sources import PRESET_KEYS

REGIME = register_regime(
    Regime(
        name="onsite_inspections",
        title="On-site inspections, IAEA-like (illustrative)",
        summary="Inspectors at declared sites: high detection where they can go.",
        cited=PRESET_KEYS,
    )
)
