"""A sweep varies the verification layers and reports each set-up's spend (README, #31).

README's ``layer_sweep`` design (under "Sweeping set-ups") varies ``layers`` and
``layer_correlation``; every run of it takes the single-run path (the layers' costs run
through the treaty's own rules), and its results hold ``verification_spend``, each run's equal
to the same run made alone.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from experiments.batch import design_from_mapping
from experiments.batch.runner import run_design
from model.engine import Engine
from model.params import resolve_run

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_design() -> dict:
    section = README.read_text(encoding="utf-8").split("**Sweeping set-ups.**")[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block is not None
    return tomllib.loads(block.group(1))


def test_the_readme_sweep_varies_the_set_ups_and_reports_their_spend(tmp_path: Path) -> None:
    mapping = readme_design()
    assert mapping["sweep"]["layers"] == ["onsite_inspection", "chip_tracking,whistleblower"]
    # a small world and a short run: the same design, cheaper
    mapping["base"]["params"].update(n_nations=4, n_labs=6)
    mapping["sweep"]["layers"].append("none")
    mapping["run"].update(replicates=1, steps=12)
    d = design_from_mapping(mapping, source="README")
    assert d.varied == ("layers", "layer_correlation") and d.n_runs == 6
    result = run_design(d, tmp_path / "r", executor="serial", progress="none")
    frame = result.frame.sort_values("run_id").reset_index(drop=True)
    assert (frame["status"] == "ok").all()
    layered = frame["layers"] != "none"
    assert result.session.single_run == {
        "the treaty's own rules (a negotiation under protocol, membership='negotiated' or "
        "terms_rule)": int(layered.sum())
    }
    assert frame.loc[~layered, "verification_spend"].isna().all()
    for row in frame[layered].itertuples():
        params = {**d.base, "layers": row.layers, "layer_correlation": row.layer_correlation}
        alone = Engine(resolve_run({**params, "steps": d.steps, "seed": int(row.seed)}), row.seed)
        assert row.verification_spend == alone.run().verification_spend
    spend = frame[layered].groupby("layers")["verification_spend"]
    # the cost of a set-up: one value per set-up (the common mode changes no cost), not the same
    assert (spend.nunique() == 1).all()
    assert spend.first()["onsite_inspection"] != pytest.approx(
        spend.first()["chip_tracking,whistleblower"]
    )
    assert np.all(frame.loc[layered, "verification_spend"] > 0)
