"""Design files: validation (with messages naming file, table and field), points, seeds, hash."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.batch.design import (
    DesignError,
    derive_seeds,
    design_from_mapping,
    list_designs,
    load_design,
    point_keys,
)

BASE = {"n_nations": 3, "n_labs": 3, "alliance_network": "none"}


def make(**tables):
    data = {
        "base": {"params": dict(BASE)},
        "sweep": {"p_detect": [0.2, 0.8]},
        "run": {"replicates": 2, "steps": 5, "master_seed": 11},
    }
    data.update(tables)
    return design_from_mapping({k: v for k, v in data.items() if v is not None}, source="d.toml")


def write(tmp_path, text, name="d.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_shipped_designs_load():
    assert {"stability_map", "tiny"} <= set(list_designs())
    d = load_design("stability_map")
    assert (d.n_points, d.replicates, d.n_runs, d.steps) == (441, 20, 8820, 200)
    assert d.base["n_nations"] == 30 and d.base["n_labs"] == 100
    assert d.base["alliance_network"] == "barabasi_albert" and d.base["decision_rule"] == "logit"
    assert sorted(set(d.points["p_detect"].tolist()))[:3] == [0.0, 0.05, 0.1]
    assert 0.3 in d.points["p_detect"].tolist()  # no 0.30000000000000004
    assert d.points["penalty"].max() == 20.0


def test_readme_design_example_is_the_shipped_map():
    import re
    import tomllib
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("## Experiment batches")[1].split("\n## ")[0]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    d = design_from_mapping(tomllib.loads(block), source="README")
    shipped = load_design("stability_map")
    assert d.n_runs == shipped.n_runs and d.steps == shipped.steps
    assert d.points["p_detect"].tolist() == shipped.points["p_detect"].tolist()
    assert "pausegame sweep stability_map" in section and "load_results" in section


@pytest.mark.parametrize("name", list_designs())
def test_every_shipped_design_is_valid(name):
    d = load_design(name)
    assert d.n_runs >= 1 and d.master_seed >= 0 and d.text is not None
    assert d.name == name


def test_full_factorial_order_and_types():
    d = make(
        sweep={
            "p_detect": [0.2, 0.8],
            "verification_lag": {"start": 0, "stop": 4, "step": 2},
            "decision_rule": ["logit", "best_response"],
        }
    )
    assert d.n_points == 12 and d.varied == ("p_detect", "verification_lag", "decision_rule")
    assert d.points["verification_lag"].dtype == np.int64
    assert d.point(0) == {"p_detect": 0.2, "verification_lag": 0, "decision_rule": "logit"}
    assert d.point(1) == {"p_detect": 0.2, "verification_lag": 0, "decision_rule": "best_response"}
    assert d.point(11) == {"p_detect": 0.8, "verification_lag": 4, "decision_rule": "best_response"}
    combos = {tuple(d.point(i).values()) for i in range(d.n_points)}
    assert len(combos) == 12


@pytest.mark.parametrize(
    "tables, words",
    [
        ({"sweep": {}}, ["d.toml", "[sweep]", "empty"]),
        ({"sweep": {"p_detect": []}}, ["[sweep] p_detect", "empty"]),
        ({"sweep": {"p_detect": [0.5, 1.5]}}, ["[sweep] p_detect", "1.5", "[0, 1]"]),
        ({"sweep": {"p_detekt": [0.5]}}, ["[sweep]", "p_detekt", "p_detect"]),
        ({"sweep": {"seed": [1, 2]}}, ["seed", "master_seed"]),
        ({"sweep": {"steps": [10, 20]}}, ["steps", "[run]"]),
        ({"sweep": {"p_detect": [0.2, 0.2]}}, ["listed twice"]),
        ({"sweep": {"verification_lag": {"start": 0, "stop": 3, "num": 3}}}, ["integer"]),
        ({"sweep": {"n_labs": [2, 4]}}, ["n_labs", "one place"]),
        ({"sweep": {"p_detect": {"start": 0, "stop": 1}}}, ["start, stop, num"]),
        ({"base": {"params": {**BASE, "seed": 3}}}, ["[base.params]", "seed", "master_seed"]),
        ({"base": {"params": {**BASE, "penalty": -1}}}, ["[base.params]", "penalty", ">= 0"]),
        ({"base": {"params": {**BASE, "p_detect": 0.5}}}, ["p_detect", "one place"]),
        ({"base": {"scenario": "nope"}}, ["[base] scenario", "nope"]),
        ({"run": {"replicates": 2, "steps": 5}}, ["master_seed is required"]),
        ({"run": {"replicates": 0, "master_seed": 1}}, ["[run] replicates", ">= 1"]),
        ({"run": {"master_seed": 1, "seed_scheme": "shared"}}, ["seed_scheme", "common"]),
        ({"run": {"master_seed": 1, "replicate": 3}}, ["[run]", "replicate", "replicates"]),
        ({"runs": {}}, ["unknown table [runs]", "[run]"]),
        ({"outputs": {"timeseries": True, "columns": ["nope"]}}, ["[outputs] columns", "nope"]),
        ({"sample": {"n": 4, "params": {"penalty": {}}}}, ["[sweep] or [sample]"]),
    ],
)
def test_bad_designs_name_file_table_and_field(tables, words):
    with pytest.raises(DesignError) as info:
        make(**tables)
    message = str(info.value)
    assert message.startswith("d.toml")
    for word in words:
        assert word in message


def test_points_are_checked_together():
    # n_blocs above n_nations only fails when combined with a swept n_nations
    with pytest.raises(DesignError, match=r"point \{'n_nations': 2\}.*n_blocs"):
        design_from_mapping(
            {
                "base": {"params": {"alliance_network": "blocs", "n_blocs": 3}},
                "sweep": {"n_nations": [3, 2]},
                "run": {"master_seed": 1},
            },
            source="d.toml",
        )


def test_load_design_file_errors(tmp_path):
    with pytest.raises(DesignError, match="syntax"):
        load_design(write(tmp_path, "[run\nmaster_seed = 1"))
    with pytest.raises(DesignError, match="not found"):
        load_design(tmp_path / "missing.toml")
    with pytest.raises(DesignError, match="unknown design 'nope'"):
        load_design("nope")


def test_base_scenario_relative_to_design_file(tmp_path):
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "w.toml").write_text("[params]\npenalty = 7.0\nn_labs = 2\n")
    path = write(
        tmp_path,
        '[base]\nscenario = "sc/w.toml"\n[sweep]\np_detect = [0.1]\n'
        "[run]\nmaster_seed = 1\nsteps = 4\n",
    )
    d = load_design(path)
    assert d.params_at(0)["penalty"] == 7.0 and d.params_at(0)["p_detect"] == 0.1
    assert d.params_at(0)["steps"] == 4


def test_sample_uses_schema_ranges_and_is_reproducible():
    spec = {
        "method": "lhs",
        "n": 16,
        "params": {
            "p_detect": {},
            "penalty": [2.0, 3.0],
            "verification_lag": {},
            "decision_rule": {},
        },
    }
    a, b = make(sweep=None, sample=spec), make(sweep=None, sample=spec)
    assert a.n_points == 16
    for name in a.varied:
        assert a.points[name].tolist() == b.points[name].tolist()
    assert 0 <= a.points["p_detect"].min() and a.points["p_detect"].max() <= 1
    assert 2 <= a.points["penalty"].min() and a.points["penalty"].max() <= 3
    lag = a.points["verification_lag"]
    assert lag.dtype == np.int64 and lag.min() >= 0 and lag.max() <= 24
    # a Latin hypercube puts exactly one point in each of the n strata of every axis (p_detect's
    # range is the verification sources registry's, model/verification/sources.toml)
    low, high = a.spec["params"]["p_detect"]
    strata = np.floor((a.points["p_detect"] - low) / (high - low) * 16).astype(int)
    assert sorted(strata.tolist()) == list(range(16))
    other = make(sweep=None, sample=spec, run={"master_seed": 12, "steps": 5})
    assert other.points["p_detect"].tolist() != a.points["p_detect"].tolist()


def test_every_rule_means_every_rule_that_runs_alone():
    # {} samples the rules that need no other parameter; the conditional cooperator needs
    # pledges = on, so it is sampled only when listed (and then the base must set pledges)
    spec = {"method": "lhs", "n": 64, "params": {"decision_rule": {}}}
    drawn = set(make(sweep=None, sample=spec).points["decision_rule"].tolist())
    assert "conditional_cooperator" not in drawn and {"logit", "best_response"} <= drawn
    listed = {"method": "lhs", "n": 8, "params": {"decision_rule": ["conditional_cooperator"]}}
    with pytest.raises(DesignError, match="pledges='off' is not allowed"):
        make(sweep=None, sample=listed)


def test_sobol_needs_power_of_two_and_extends_by_prefix():
    with pytest.raises(DesignError, match="power of two"):
        make(sweep=None, sample={"method": "sobol", "n": 12, "params": {"p_detect": {}}})
    small = make(sweep=None, sample={"method": "sobol", "n": 8, "params": {"p_detect": {}}})
    large = make(sweep=None, sample={"method": "sobol", "n": 16, "params": {"p_detect": {}}})
    assert large.points["p_detect"][:8].tolist() == small.points["p_detect"].tolist()


def test_independent_seeds_are_distinct_and_follow_seed_sequence():
    d = make(sweep={"p_detect": [0.1, 0.5, 0.9]}, run={"replicates": 4, "master_seed": 99})
    keys = point_keys(d)
    point = np.repeat(np.arange(3), 4)
    rep = np.tile(np.arange(4), 3)
    seeds = derive_seeds(99, "independent", keys[point], rep)
    assert len(set(seeds.tolist())) == 12 and seeds.dtype == np.int64 and (seeds >= 0).all()
    expected = np.random.SeedSequence(99, spawn_key=(int(keys[1]), 2)).generate_state(1, np.uint64)[
        0
    ]
    assert seeds[1 * 4 + 2] == int(expected) & ((1 << 63) - 1)
    # a point's key depends on its values only: seeds survive reordering the sweep
    other = make(sweep={"p_detect": [0.9, 0.5, 0.1]}, run={"replicates": 4, "master_seed": 99})
    assert point_keys(other)[0] == keys[2]


def test_common_seeds_are_shared_across_points():
    d = make(
        sweep={"p_detect": [0.1, 0.5, 0.9]},
        run={"replicates": 3, "master_seed": 5, "seed_scheme": "common"},
    )
    keys = point_keys(d)
    point = np.repeat(np.arange(3), 3)
    rep = np.tile(np.arange(3), 3)
    seeds = derive_seeds(5, "common", keys[point], rep).reshape(3, 3)
    assert (seeds == seeds[0]).all()  # same seed for a replicate at every point
    assert len(set(seeds[0].tolist())) == 3  # different seeds between replicates
    independent = derive_seeds(5, "independent", keys[point], rep)
    assert not set(independent.tolist()) & set(seeds.ravel().tolist())


def test_hash_covers_the_design_not_its_title():
    a = make(meta={"title": "one"})
    assert a.hash == make(meta={"title": "two"}).hash
    assert a.hash != make(sweep={"p_detect": [0.2, 0.9]}).hash
    assert a.hash != make(run={"replicates": 3, "steps": 5, "master_seed": 11}).hash
    more = make(
        sweep={"p_detect": [0.2, 0.8, 0.9]}, run={"replicates": 3, "steps": 5, "master_seed": 11}
    )
    assert a.extension_hash == more.extension_hash
    assert (
        a.extension_hash
        != make(run={"replicates": 2, "steps": 6, "master_seed": 11}).extension_hash
    )


@pytest.mark.hardening
@pytest.mark.parametrize(
    ("tables", "words"),
    [
        ({"sweep": {"n_labs": [2**63]}}, "[sweep] n_labs: n_labs=9223372036854775808 is out"),
        ({"sweep": {"collapse_patience": [1, 10**30]}}, "[sweep] collapse_patience: "),
        ({"sweep": {"n_labs": {"start": 0, "stop": 2**63, "num": 2}}}, "[sweep] n_labs: "),
        (
            {"sweep": None, "sample": {"n": 4, "params": {"collapse_patience": [2**62, 2**63]}}},
            "[sample.params] collapse_patience: collapse_patience=4611686018427387904",
        ),
    ],
)
def test_an_integer_beyond_int64_is_one_clear_error(tables, words):
    """#27: 2**63 in [sweep] raised OverflowError; in [sample] it wrapped to -2**63."""
    with pytest.raises(DesignError) as info:
        make(**tables)
    message = str(info.value)
    assert message.startswith("d.toml: ") and words in message and "\n" not in message
    assert "out of range; allowed: an integer >= " in message and ", at most " in message
    assert make(sweep={"collapse_patience": [2**63 - 1]}).n_points == 1  # the largest int64


@pytest.mark.hardening
def test_a_design_of_one_point_too_many_replicates_says_1_point():
    with pytest.raises(DesignError, match=r"\[sweep\] gives 1 point x 100,000,000 replicates"):
        make(sweep={"p_detect": [0.5]}, run={"replicates": 10**8, "steps": 5, "master_seed": 1})


@pytest.mark.hardening
def test_a_design_file_with_a_utf8_byte_order_mark_is_read_and_utf16_is_named(tmp_path):
    from experiments.files import shipped_dir

    text = (shipped_dir("designs") / "tiny.toml").read_text(encoding="utf-8")
    plain = load_design(write(tmp_path, text))
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # as Windows Notepad saves it
    with_bom = load_design(bom)
    assert with_bom.hash == plain.hash and with_bom.text == plain.text == text
    wide = tmp_path / "wide.toml"
    wide.write_bytes(text.encode("utf-16"))
    with pytest.raises(DesignError, match=r"^wide\.toml: a UTF-16 file .*design file in UTF-8"):
        load_design(wide)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"# caf\xe9\n" + text.encode("utf-8"))
    with pytest.raises(DesignError, match=r"^latin\.toml: not a UTF-8 text file"):
        load_design(latin)
