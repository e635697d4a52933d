"""``self_reporting``: labs report their own training runs; whistleblowers are the check.

Illustrative numbers (DESIGN.md section 6): detection 0.05-0.2 a month (0.1 here), false alarms
0.01, a lag of 2-6 months (4 here), everything reportable (coverage 1).

References:
    Brundage, M. et al. (2020). Toward trustworthy AI development: mechanisms for supporting
    verifiable claims. arXiv:2004.07213.
"""

from model.verification import Regime, register_regime

REGIME = register_regime(Regime(
    name="self_reporting",
    title="Self-reporting and whistleblowers (illustrative)",
    summary="Self-reports and whistleblowers: rare, late detection.",
    presets={"p_detect": 0.1, "p_false_alarm": 0.01, "verification_lag": 4, "coverage": 1.0},
    references=("Brundage et al. (2020), arXiv:2004.07213.",),
))
