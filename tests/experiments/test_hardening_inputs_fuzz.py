"""Fuzzed scenario files through ``pausegame run``: a result, or exit 2 with one line, never a
traceback; and a refused command changes nothing under an existing results directory."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from experiments import limits
from experiments.cli import main
from model.params import schema

PARAMS = sorted(schema())
NATION_KEYS = ["name", "capability", "labs", "bloc", "committed", "action", "member"]
NAMES = ["A", "B", "C", "D"]

# sizes either small (fast runs) or far too large (refused at once), never in between
ints = st.one_of(st.integers(-3, 60), st.sampled_from([10**12, 10**15, 2**63, 10**30]))
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 0.5, 1.0, -1.0, 1e308, 1e-320, 2.0]),
)
text = st.one_of(
    st.sampled_from(
        NAMES
        + [
            "comply",
            "defect",
            "A/*",
            "A/lab-1",
            "",
            "../x",
            "logit",
            "blocs",
            "explicit",
            "none",
            "per_bloc",
        ]
    ),
    st.text(max_size=8),
)
scalars = st.one_of(ints, floats, text, st.booleans())
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["text", "outcome", "x"]), scalars, max_size=2),
)


def table(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=6)), values, max_size=4
    )


actions = st.one_of(st.sampled_from(["comply", "defect"]), text)
nation = st.fixed_dictionaries(
    {"name": st.sampled_from(NAMES)},
    optional={
        "capability": floats,
        "labs": st.one_of(ints, st.lists(floats, max_size=3)),
        "bloc": st.one_of(text, ints),
        "committed": actions,
        "action": actions,
        "member": st.one_of(st.booleans(), scalars),
    },
) | table(NATION_KEYS)
alliance = st.fixed_dictionaries(
    {"a": st.sampled_from(NAMES), "b": st.sampled_from(NAMES)}, optional={"weight": floats}
) | table(["a", "b", "weight"])
event = st.fixed_dictionaries(
    {"start": ints, "actors": st.lists(text, max_size=2), "action": text},
    optional={"duration": ints},
) | table(["start", "duration", "actors", "action"])
scenarios = st.fixed_dictionaries(
    {},
    optional={
        "meta": table(["name", "title", "summary", "claim", "contrast"]),
        "params": table(PARAMS),
        "nations": st.lists(nation, max_size=4),
        "alliances": st.lists(alliance, max_size=3),
        "events": st.lists(event, max_size=2),
    },
)


@pytest.fixture(scope="module")
def prior_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An existing results directory: a run's four files."""
    folder = tmp_path_factory.mktemp("prior") / "run"
    assert main(["run", "--steps", "3", "--seed", "1", "--out", str(folder), "-q"]) == 0
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=scenarios)
# inputs that gave tracebacks before (hypothesis tries these first, then its own)
@example(data={"params": {"capability_spread": 1e308}})
@example(data={"params": {"capability_spread": 1000.0, "capability_dist": "pareto"}})
@example(data={"nations": [{"name": "A", "capability": 1e308}, {"name": "B", "capability": 1e308}]})
@example(
    data={
        "nations": [
            {"name": "A", "capability": 1.0, "labs": [1e308, 1e308]},
            {"name": "B", "capability": 1.0, "labs": []},
        ]
    }
)
@example(data={"params": {"n_labs": 10**12}})
def test_fuzzed_scenarios_give_a_result_or_one_line(
    prior_run: Path, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    monkeypatch.setattr(limits, "available_bytes", lambda: 8 * 10**9)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "fuzz.toml"
        try:
            path.write_text(tomli_w.dumps(data), encoding="utf-8")
        except (TypeError, ValueError):  # not expressible in TOML
            return
        out = work / "results"
        shutil.copytree(prior_run, out)
        before = snapshot(out)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(
                ["run", str(path), "--steps", "3", "--seed", "2", "--out", str(out), "-q"]
            )
        lines = err.getvalue().splitlines()
        if status == 0:
            assert (out / "summary.json").is_file()
            assert all(line.startswith("pausegame: warning: ") for line in lines), lines
        else:
            assert status == 2, err.getvalue()
            assert len(lines) == 1 and lines[0].startswith("pausegame: error: "), lines
            assert snapshot(out) == before
