"""``hardware_ledger``: hardware-enabled monitoring with a tamper-evident ledger.

Tracked accelerators report what they run to an append-only, hash-chained ledger; a violation
on tracked chips is nearly certain to show, and a record cannot be altered or removed without
breaking the chain. Illustrative numbers (DESIGN.md section 6): detection 0.95-0.99 (0.97
here), false alarms 0.01, no lag, and coverage equal to the tracked-chip share (0.9 here). Under
this regime the run's event log is on: the ledger is the mechanism that gives the regime its
coverage and its low false-alarm rate (``pausegame verify-ledger`` checks it).

References:
    Shavit, Y. (2023). What does it take to catch a Chinchilla? arXiv:2303.11341.
    Kulp, G. et al. (2024). Hardware-enabled governance mechanisms. RAND WR-A3056-1.
"""

from model.verification import Regime, register_regime

REGIME = register_regime(Regime(
    name="hardware_ledger",
    title="Hardware-enabled monitoring with a tamper-evident ledger (illustrative)",
    summary="Tracked chips report to a hash-chained ledger: near-certain detection on tracked "
            "compute, few false alarms.",
    presets={"p_detect": 0.97, "p_false_alarm": 0.01, "verification_lag": 0, "coverage": 0.9},
    records_ledger=True,
    references=("Shavit (2023), arXiv:2303.11341.",
                "Kulp et al. (2024), Hardware-enabled governance mechanisms, RAND WR-A3056-1."),
))
