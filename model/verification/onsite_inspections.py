"""``onsite_inspections``: IAEA-like inspections of declared sites.

Illustrative numbers (DESIGN.md section 6): detection 0.9 at declared sites, false alarms 0.05,
a lag of one month, and 80% of violations at sites that can be inspected. IAEA safeguards plan
for 90% ("high") detection probability; about 5% false alarms is a common test level.

References:
    IAEA (2022). IAEA Safeguards Glossary, 2022 edition. International Atomic Energy Agency.
"""

from model.verification import Regime, register_regime

REGIME = register_regime(Regime(
    name="onsite_inspections",
    title="On-site inspections, IAEA-like (illustrative)",
    summary="Inspectors at declared sites: high detection where they can go.",
    presets={"p_detect": 0.9, "p_false_alarm": 0.05, "verification_lag": 1, "coverage": 0.8},
    references=("IAEA (2022), IAEA Safeguards Glossary.",),
))
