"""``national_means``: national technical means (energy use, satellites, supply chains).

Illustrative numbers (DESIGN.md section 6): detection 0.2-0.5 a month (0.35 here), false alarms
0.05-0.1 (0.075 here), a lag of 1-3 months (2 here), and 70% of violations observable at all.

References:
    Shavit, Y. (2023). What does it take to catch a Chinchilla? Verifying rules on large-scale
    neural network training via compute monitoring. arXiv:2303.11341.
"""

from model.verification import Regime, register_regime

REGIME = register_regime(Regime(
    name="national_means",
    title="National technical means (illustrative)",
    summary="Energy, satellite and supply-chain intelligence: moderate detection, noisy, "
            "partial coverage.",
    presets={"p_detect": 0.35, "p_false_alarm": 0.075, "verification_lag": 2, "coverage": 0.7},
    references=("Shavit (2023), arXiv:2303.11341.",),
))
