"""``hardware_ledger``: hardware-enabled monitoring with a tamper-evident ledger.

Tracked accelerators report what they run to an append-only, hash-chained ledger; a violation
on tracked chips is nearly certain to show, and a record cannot be altered or removed without
breaking the chain. Illustrative numbers (DESIGN.md section 6): detection 0.95-0.99 (0.97
here), false alarms 0.01, no lag, and coverage equal to the tracked-chip share (0.9 here). Under
this regime the run's event log is on: the ledger is the mechanism that gives the regime its
coverage and its low false-alarm rate (``pausegame verify-ledger`` checks it). The presets,
their sources and ranges are in ``sources.toml`` (``[regimes.hardware_ledger]``): Shavit (2023),
flexible hardware-enabled guarantees (Petrie et al. 2025) and Baker et al. (2025)'s independent
layers describe the mechanism. Detection and false alarms cite recomputation checks that caught
every tampered run in their tests (TOPLOC, Ong et al. 2025; Choi et al. 2023) and coverage the
2024 chip-smuggling estimates (Grunewald and Fist 2025), each an ``analogy``; the lag stays
``speculative``.
"""

from model.verification import Regime, register_regime
from model.verification.sources import PRESET_KEYS

REGIME = register_regime(
    Regime(
        name="hardware_ledger",
        title="Hardware-enabled monitoring with a tamper-evident ledger (illustrative)",
        summary="Tracked chips report to a hash-chained ledger: near-certain detection on tracked "
        "compute, few false alarms.",
        cited=PRESET_KEYS,
        records_ledger=True,
    )
)
