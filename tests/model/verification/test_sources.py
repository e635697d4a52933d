"""The verification sources registry (model/verification/sources.toml): cited preset values."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from model.errors import ConfigError
from model.params import resolve, schema
from model.verification import get_regime, regimes
from model.verification.sources import (
    CONFIDENCE_LABELS,
    REGISTRY_PATH,
    describe,
    load,
    registry,
)

#: The presets as they were hard-coded in the regime files before the registry: the registry
#: documents these values and must not move them (the engine's numbers must not change).
OLD_PRESETS = {
    "custom": {},
    "open_letter": {
        "p_detect": 0.0,
        "p_false_alarm": 0.0,
        "verification_lag": 0,
        "coverage": 0.0,
        "p_domestic": 0.0,
    },
    "self_reporting": {
        "p_detect": 0.1,
        "p_false_alarm": 0.01,
        "verification_lag": 4,
        "coverage": 1.0,
    },
    "national_means": {
        "p_detect": 0.35,
        "p_false_alarm": 0.075,
        "verification_lag": 2,
        "coverage": 0.7,
    },
    "onsite_inspections": {
        "p_detect": 0.9,
        "p_false_alarm": 0.05,
        "verification_lag": 1,
        "coverage": 0.8,
    },
    "hardware_ledger": {
        "p_detect": 0.97,
        "p_false_alarm": 0.01,
        "verification_lag": 0,
        "coverage": 0.9,
    },
}


def entries():
    reg = registry()
    return [e for name in reg.regimes for e in reg.entries(name).values()]


# ------------------------------------------------------------------------ the file is read
def _edited_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = REGISTRY_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "sources.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _sample_design(params, base=None):
    from experiments.batch.design import design_from_mapping

    return design_from_mapping(
        {
            "meta": {"name": "registry_ranges"},
            "base": {"params": {"n_nations": 3, "n_labs": 0, **(base or {})}},
            "sample": {"method": "lhs", "n": 32, "params": params},
            "run": {"replicates": 1, "steps": 5, "master_seed": 11},
        }
    )


def test_the_file_parses_and_defines_the_labels():
    data = tomllib.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    assert set(data["labels"]) == set(CONFIDENCE_LABELS)
    assert all(text.strip() for text in data["labels"].values())
    reg = load()
    assert set(reg.regimes) == set(OLD_PRESETS) - {"custom"}
    assert reg.sources and all(s.author and s.title and s.year > 1900 for s in reg.sources.values())


@pytest.mark.parametrize("name", list(OLD_PRESETS))
def test_regimes_read_their_presets_from_the_registry_unchanged(name):
    regime = get_regime(name)
    assert dict(regime.presets) == registry().presets(name) == OLD_PRESETS[name]
    # the same types too (an int lag stays an int: the engine's numbers must not change)
    assert [type(v) for v in regime.presets.values()] == [
        type(v) for v in OLD_PRESETS[name].values()
    ]
    assert set(registry().entries(name)) == set(OLD_PRESETS[name])
    if name != "custom":
        assert regime.references == registry().references(name) and regime.references


def test_every_regime_is_in_the_registry_or_presets_nothing():
    assert set(regimes()) == set(OLD_PRESETS)


@pytest.mark.parametrize("entry", entries(), ids=lambda e: f"{e.owner}.{e.name}")
def test_every_entry_is_complete(entry):
    assert entry.confidence in CONFIDENCE_LABELS
    assert entry.sources and all(s.author and s.year and s.title for s in entry.sources)
    assert entry.low <= entry.high
    assert entry.inside or entry.outside.strip()
    assert entry.quote.strip() and entry.quote_where.strip() and entry.note.strip()
    assert entry.range_basis.strip()
    # a quote given as the source's own words says on which text it was checked
    assert entry.paraphrase or "checked" in entry.quote_where
    # a preset is a valid value of its parameter
    p = schema()[entry.name]
    assert resolve({entry.name: entry.value})[entry.name] == entry.value, p.name


def test_only_the_kept_presets_lie_outside_their_sourced_ranges():
    # load() refuses a value outside its range without a reason. Two presets are kept from
    # DESIGN.md section 6 although their sourced analogies point lower (#31): each says so
    # and names the analogy's value.
    outside = {f"{e.owner}.{e.name}": e for e in entries() if not e.inside}
    assert set(outside) == {"self_reporting.p_detect", "onsite_inspections.coverage"}
    for e in outside.values():
        assert e.confidence == "analogy" and "unchanged" in e.outside
    assert "p_detect = 0.03" in outside["self_reporting.p_detect"].outside
    assert "coverage = 0.55" in outside["onsite_inspections.coverage"].outside


def test_iaea_goals_are_cited_as_analogy():
    reg = registry()
    p = reg.entry("onsite_inspections", "p_detect")
    assert (p.value, p.range, p.confidence) == (0.9, (0.2, 0.9), "analogy")
    assert "90%" in p.quote and "20%" in p.quote and not p.paraphrase
    q = reg.entry("onsite_inspections", "p_false_alarm")
    assert q.value == 0.05 and q.paraphrase and "commonly cited" in q.quote_where
    # the low end is 5% a year read per month
    assert q.low == pytest.approx(1 - 0.95 ** (1 / 12), abs=5e-4)


def test_unsourced_numbers_are_labelled_speculative():
    reg = registry()
    for e in reg.entries("national_means").values():
        assert e.confidence == "speculative", e.name
    assert reg.entry("hardware_ledger", "verification_lag").confidence == "speculative"
    assert {e.confidence for e in reg.entries("open_letter").values()} == {"definition"}


def test_five_values_once_speculative_now_cite_an_analogy():
    # #31: 12 values were speculative; these five now cite a checkable source each
    reg = registry()
    moved = {
        ("hardware_ledger", "coverage"): "grunewald_2025",
        ("hardware_ledger", "p_detect"): "ong_2025",
        ("hardware_ledger", "p_false_alarm"): "ong_2025",
        ("self_reporting", "p_detect"): "dyck_2023",
        ("onsite_inspections", "coverage"): "iaea_si_2014",
    }
    for (regime, name), first in moved.items():
        e = reg.entry(regime, name)
        assert e.confidence == "analogy" and not e.paraphrase, (regime, name)
        assert e.sources[0].key == first and "checked on a stored" in e.quote_where
    speculative = [f"{e.owner}.{e.name}" for e in entries() if e.confidence == "speculative"]
    assert len(speculative) == 7, speculative


def test_every_registry_source_is_in_the_readme_references():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    assert "## References" in readme
    refs = readme.split("## References", 1)[1].split("\n## ", 1)[0]
    for source in registry().sources.values():
        assert source.title in refs, source.key


def test_context_thresholds():
    ctx = registry().context
    eu = ctx["eu_ai_act_systemic_risk"]
    assert eu.value == 1e25 and eu.confidence == "documented" and "10^25" in eu.quote
    assert "Article 51(2)" in eu.quote_where
    assert ctx["draft_agreement_training_ban"].value == 1e24
    assert all(e.name not in schema() for e in ctx.values())  # no engine parameter reads them


def test_design_ranges_are_the_envelopes_of_the_regimes_ranges():
    reg = registry()
    assert reg.parameters, "no [parameters] ranges"
    for name, (low, high, basis) in reg.parameters.items():
        spans = [e.range for r in reg.regimes for k, e in reg.entries(r).items() if k == name]
        assert spans, name
        assert (low, high) == (min(s[0] for s in spans), max(s[1] for s in spans)), name
        assert basis
        p = schema()[name]
        assert p.low is None or p.low <= low
        assert p.high is None or high <= p.high


def test_describe_names_value_range_confidence_and_source():
    lines = describe("national_means")
    assert lines[0] == (
        "p_detect 0.35 (range 0.2 to 0.5, speculative; Wasil et al. (2024); DESIGN.md section 6)"
    )
    assert describe("custom") == []


def test_the_regimes_change_when_the_file_does(tmp_path):
    path = _edited_copy(
        tmp_path,
        "[regimes.national_means.p_detect]\nvalue = 0.35",
        "[regimes.national_means.p_detect]\nvalue = 0.45",
    )
    code = (
        "import sys; from pathlib import Path; import model.verification.sources as s; "
        "s.REGISTRY_PATH = Path(sys.argv[1]); "
        "from model.verification import get_regime; from model.params import resolve; "
        "print(get_regime('national_means').presets['p_detect'], "
        "resolve(verification='national_means').p_detect)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["0.45", "0.45"]
    assert resolve(verification="national_means").p_detect == 0.35  # this process: the shipped


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "range = [0.2, 0.5]\n",
            "range = [0.5, 0.2]\n",
            ["national_means.p_detect", "low is above"],
        ),
        (
            '(as commonly cited)."\nconfidence = "analogy"',
            '(as commonly cited)."\nconfidence = "sure"',
            ["onsite_inspections.verification_lag", "confidence='sure'", "speculative"],
        ),
        ("value = 0.35", "value = 0.65", ["outside its range", "'outside'"]),
        (
            'sources = ["wasil_2024", "design_md"]\nquote = "national technical means',
            'sources = ["wasil_2042", "design_md"]\nquote = "national technical means',
            ["unknown source 'wasil_2042'", "wasil_2024"],
        ),
        ('documented = "The cited', 'proven = "The cited', ["[labels]", "documented"]),
    ],
)
def test_a_bad_registry_is_refused_naming_what_is_wrong(tmp_path, old, new, words):
    path = _edited_copy(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load(path)
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_a_value_outside_its_range_is_kept_with_a_reason(tmp_path):
    path = _edited_copy(tmp_path, "value = 0.35\n", 'value = 0.65\noutside = "kept for the test"\n')
    e = load(path).entry("national_means", "p_detect")
    assert e.value == 0.65 and not e.inside and e.outside == "kept for the test"


def test_a_design_samples_the_registry_range_for_verification_parameters():
    d = _sample_design(
        {
            "p_detect": {},
            "verification_lag": {},
            "p_domestic": {},
            "penalty": {},
            "p_false_alarm": [0.01, 0.02],
        }
    )
    ranges = d.spec["params"]
    low, high, _ = registry().parameters["p_detect"]
    assert ranges["p_detect"] == [low, high] == [0.0, 0.99]
    assert ranges["verification_lag"] == [0, 6]
    assert low <= d.points["p_detect"].min() and d.points["p_detect"].max() <= high
    assert d.points["p_detect"].max() > 0.9  # the whole range is sampled (one point per stratum)
    # not registry-backed: the schema's range; given explicitly: kept
    assert ranges["p_domestic"] == list(schema()["p_domestic"].range)
    assert ranges["penalty"] == list(schema()["penalty"].range)
    assert ranges["p_false_alarm"] == [0.01, 0.02]
    assert d.spec["registry_ranges"] == {
        "p_detect": "parameters.p_detect",
        "verification_lag": "parameters.verification_lag",
    }


def test_a_design_on_a_regime_samples_that_regimes_range():
    d = _sample_design({"p_detect": {}, "coverage": {}}, base={"verification": "national_means"})
    assert d.spec["params"]["p_detect"] == [0.2, 0.5]
    assert d.spec["params"]["coverage"] == [0.5, 0.9]
    assert d.spec["registry_ranges"]["p_detect"] == "regimes.national_means.p_detect"
    # a varied regime: the envelope
    d = _sample_design({"p_detect": {}, "verification": {}})
    assert d.spec["params"]["p_detect"] == [0.0, 0.99]


def test_a_design_without_registry_parameters_is_unchanged():
    d = _sample_design({"penalty": {}, "beta": [1.0, 2.0]})
    assert "registry_ranges" not in d.spec
    assert d.spec["params"] == {"penalty": list(schema()["penalty"].range), "beta": [1.0, 2.0]}


def test_sensitivity_core_takes_p_detect_from_the_registry_and_keeps_the_rest():
    from experiments.batch.design import load_design

    d = load_design("sensitivity_core")
    assert d.spec["params"] == {
        "p_detect": [0.0, 0.99],
        "penalty": [0.0, 20.0],
        "p_domestic": [0.0, 1.0],
        "p_false_alarm": [0.0, 0.1],
        "race_pressure": [0.0, 2.0],
        "risk_internalization": [0.0, 1.0],
        "beta": [1.0, 20.0],
        "verification_lag": [0, 6],
    }
    assert d.spec["registry_ranges"] == {"p_detect": "parameters.p_detect"}
