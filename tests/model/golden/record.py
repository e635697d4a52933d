"""Record (or check) the golden runs that pin the engine's numbers bit for bit.

The golden file was written once, before the engine was carved into modules (issue
[architecture]); ``tests/model/test_golden.py`` compares every later engine with it, array by
array, with ``numpy.array_equal`` (NaN equal to NaN). Rewrite it only for a change that is meant
to move numbers, and say so in the commit::

    .venv/bin/python tests/model/golden/record.py --write
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden.npz"

#: Every mechanism on at once, in three combinations (some switches exclude each other).
EVERYTHING_A = {
    "membership": "negotiated",
    "initial_membership": 0.75,
    "negotiation_interval": 6,
    "terms_rule": "weighted_median",
    "intrusion_aversion": 0.2,
    "trigger": "date",
    "trigger_step": 3,
    "lift": "safety",
    "safety_rate": 0.05,
    "lift_level": 0.6,
    "betrayal_penalty": 0.2,
    "trust_building": 0.05,
    "trust_window": 4,
    "sanction_escalation": 0.5,
    "inspection_quota": 20,
    "quota_allocation": "risk",
    "adjudication": "great_power_veto",
    "n_veto_powers": 2,
    "inspectorate": "per_bloc",
    "information": "bayesian",
    "rsi": "on",
    "hazard_scale": 0.05,
    "verification_lag": 2,
    "outsider_penalty": 0.5,
    "verification_cost": 0.1,
    "entry_threshold": 0.3,
    "verification": "national_means",
    "p_detect": 0.6,
    "penalty": 6.0,
    "steps": 60,
}
EVERYTHING_B = {
    "adjudication": "members_vote",
    "sanction_quorum": 0.4,
    "inspection_quota": 25,
    "quota_allocation": "capability",
    "information": "detected",
    "revision_rate": 0.5,
    "trigger": "capability",
    "trigger_level": 0.05,
    "lift": "duration",
    "pause_duration": 30,
    "terms_rule": "unanimity",
    "membership": "negotiated",
    "negotiation_interval": 5,
    "decision_rule": "imitation",
    "imitate_on": "realized",
    "imitation_peers": "allies",
    "alliance_network": "barabasi_albert",
    "capability_dist": "pareto",
    "steps": 60,
    "sanction_escalation": 1.0,
    "p_detect": 0.5,
    "penalty": 8.0,
    "race_pressure": 1.0,
}
EVERYTHING_C = {
    "inspection_quota": 15,
    "quota_allocation": "random",
    "decision_rule": "grim_trigger",
    "punish_scope": "allies",
    "punishment_length": 3,
    "revision_rate": "one",
    "initial_compliance": 0.8,
    "verification": "hardware_ledger",
    "risk_internalization": 0.5,
    "alliance_network": "watts_strogatz",
    "steps": 80,
    "p_detect": 0.4,
}

RULES = ("best_response", "grim_trigger", "imitation", "logit", "reciprocity", "threshold")


def cases() -> dict[str, dict[str, Any]]:
    """Name -> ``Engine.from_params`` keyword arguments."""
    from experiments.scenarios import list_scenarios

    out: dict[str, dict[str, Any]] = {}
    for seed in (1, 2, 3):
        out[f"default_seed{seed}"] = {"scenario": "default", "rng": seed}
    for name in list_scenarios():
        out[f"scenario_{name}"] = {"scenario": name, "rng": 11}
    for rule in RULES:
        out[f"rule_{rule}"] = {"params": {"decision_rule": rule, "p_detect": 0.7}, "rng": 5}
    out["everything_a"] = {"params": EVERYTHING_A, "rng": 21, "event_log": True}
    out["everything_b"] = {"params": EVERYTHING_B, "rng": 22, "event_log": True}
    out["everything_c"] = {"params": EVERYTHING_C, "rng": 23}
    out["everything_a_scenario"] = {
        "scenario": "great_power_veto",
        "params": {**EVERYTHING_A, "hazard_scale": 0.002},
        "rng": 24,
        "event_log": True,
    }
    return out


def run_case(spec: dict[str, Any]) -> dict[str, np.ndarray]:
    """Run one case; its time series, summary and ledger head as arrays."""
    from experiments.scenarios import load_scenario
    from model.engine import Engine

    kwargs = dict(spec)
    scenario = kwargs.pop("scenario", None)
    sc = load_scenario(scenario)[0] if scenario else None
    eng = Engine.from_params(kwargs.pop("params", {}), kwargs.pop("rng"), scenario=sc, **kwargs)
    summary = eng.run()
    out = {f"ts/{k}": np.asarray(v) for k, v in eng.timeseries().items()}
    out["summary"] = np.array(json.dumps(summary.to_dict(), sort_keys=True))
    out["final/defect"] = eng.defect.copy()
    out["final/belief"] = eng.belief.copy()
    out["final/payoff"] = eng.payoff.copy()
    out["final/capability"] = np.asarray(eng.c).copy()
    out["ledger_head"] = np.array(eng.close_log() or "")
    return out


def record() -> dict[str, np.ndarray]:
    """Every case's arrays, keyed ``case::array``."""
    arrays: dict[str, np.ndarray] = {}
    for name, spec in cases().items():
        for key, value in run_case(spec).items():
            arrays[f"{name}::{key}"] = value
    return arrays


def main() -> None:
    """Write the golden file with ``--write``; otherwise compare with it."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    arrays = record()
    if args.write:
        np.savez_compressed(GOLDEN, **arrays)
        print(f"wrote {len(arrays)} arrays to {GOLDEN}")
        return
    old = np.load(GOLDEN)
    bad = [
        k
        for k in arrays
        if k not in old or not np.array_equal(old[k], arrays[k], equal_nan=old[k].dtype.kind == "f")
    ]
    print(f"{len(arrays) - len(bad)} of {len(arrays)} arrays identical")
    for k in bad[:20]:
        print("DIFFERS:", k)


if __name__ == "__main__":
    main()
