"""One run of a scenario, from Python or from ``pausegame run``: the two are the same code.

:func:`run_scenario` resolves the parameters (scenario ``[params]`` < overrides), draws and
records a seed when none is given, runs the engine and, given an output folder, writes
``timeseries.csv``, ``compliance.png``, ``summary.json`` and ``config.toml`` (the resolved
configuration as a complete scenario file: running it again reproduces the run exactly).

Example:
    >>> from experiments.run import run_scenario
    >>> result = run_scenario("default", {"p_detect": 0.5, "steps": 24, "seed": 7})
    >>> result.summary.steps, len(result.timeseries["step"])
    (24, 25)
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from experiments.limits import LimitError, check_scenario_run
from experiments.scenarios import load_graph, load_scenario
from model.engine import Engine
from model.errors import GraphError, ScenarioError
from model.outcomes import RunSummary
from model.params import Params, resolve_run
from model.scenario import AllianceSpec, NationSpec, Scenario, fit_nations
from model.verification.sources import file_sha256

__all__ = [
    "OUTPUT_FILES",
    "RunResult",
    "default_out_dir",
    "package_version",
    "run_scenario",
    "write_outputs",
]

#: The files a run writes into its output folder, by key.
OUTPUT_FILES = {
    "timeseries": "timeseries.csv",
    "plot": "compliance.png",
    "summary": "summary.json",
    "config": "config.toml",
}


@dataclass(frozen=True)
class RunResult:
    """The outcome of :func:`run_scenario`.

    Attributes:
        summary: The engine's run summary (held, collapse step, compliance, counts, seed).
        timeseries: Per-step metrics for steps 0..T, columns in
            :data:`model.engine.TIMESERIES_COLUMNS` order.
        params: The resolved parameters, including the seed actually used.
        scenario: The scenario as run (its ``to_mapping()`` plus ``params`` rebuilds the run).
        source: Where the scenario came from (a file path or a shipped name).
        engine: The engine after the run (its world, final state and arrays).
        theory: What the mean-field theory says about these parameters, in words, or None
            when ``model.theory`` is not available.
        notes: Things the caller should tell the user (adjustments made to the scenario).
        outputs: The files written, by key of :data:`OUTPUT_FILES` (empty if none).
        graph_source: The alliance graph file, when one was given by path.
    """

    summary: RunSummary
    timeseries: dict[str, np.ndarray]
    params: Params
    scenario: Scenario
    source: str
    engine: Engine
    theory: str | None = None
    notes: tuple[str, ...] = ()
    outputs: dict[str, Path] = field(default_factory=dict)
    graph_source: str | None = None

    @property
    def seed(self) -> int:
        """The seed the run used."""
        return int(self.params["seed"])

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def to_frame(self) -> Any:
        """The time series as a pandas DataFrame (one row per step, 0..T)."""
        import pandas as pd

        return pd.DataFrame(self.timeseries)


def default_out_dir(scenario_name: str, seed: int) -> Path:
    """The CLI's default output folder: ``runs/<scenario-name>-seed<seed>`` (relative)."""
    return Path("runs") / f"{scenario_name}-seed{seed}"


def package_version() -> str:
    """The installed ``pausegame`` version, or ``"unknown"``."""
    try:
        return metadata.version("pausegame")
    except metadata.PackageNotFoundError:
        return "unknown"


def run_scenario(
    scenario: Scenario | str | Path = "default",
    overrides: Mapping[str, Any] | None = None,
    *,
    graph: nx.Graph | str | Path | None = None,
    out_dir: str | Path | None = None,
    event_log: bool | None = None,
) -> RunResult:
    """Run one scenario, optionally writing its outputs.

    Args:
        scenario: A :class:`~model.scenario.Scenario`, a scenario file, or the name of a
            shipped scenario.
        overrides: Parameter values over the scenario's ``[params]`` (the CLI's flags), raw
            (validated here). ``seed`` among them seeds the run; with no seed anywhere one is
            drawn with :func:`model.seeds.new_seed` and recorded in the result.
        graph: An alliance graph, or a GraphML / node-link JSON file to read one from.
        out_dir: Where to write the four output files (created); None writes nothing.
        event_log: Record the hash-chained event log (written as ``ledger.jsonl``); None: the
            regime's default (on under ``hardware_ledger``).

    Returns:
        The :class:`RunResult`.

    Raises:
        ConfigError: For any bad input (parameter, scenario, graph), naming the field, the
            value and what is allowed.
    """
    if isinstance(scenario, Scenario):
        sc, source = scenario, scenario.name
    else:
        sc, _ = load_scenario(scenario)
        source = str(scenario)
    graph_source = None
    if isinstance(graph, (str, Path)):
        graph_source = str(graph)
        graph = load_graph(graph)
    given = dict(overrides or {})
    sc, notes = fit_nations(sc, given)
    try:
        params = resolve_run(given, sc, graph)
        try:
            check_scenario_run(params, sc, graph, event_log=event_log)
        except LimitError as exc:
            sized_by_file = not isinstance(scenario, Scenario) and any(
                key not in given and _large(key, params[key])
                for key in ("n_nations", "n_labs", "steps", "verification_lag")
                if key in sc.params or (key != "steps" and sc.nations)
            )
            raise LimitError(_prefixed(Path(source).name if sized_by_file else None, exc)) from None
        seed = int(params["seed"])
        engine = Engine(params, seed, scenario=sc, graph=graph, event_log=event_log)
        engine.run()
        engine.close_log()
        summary = engine.summary()
    except GraphError as exc:
        prefix = Path(graph_source).name if graph_source else None
        raise GraphError(_prefixed(prefix, exc)) from None
    except ScenarioError as exc:
        raise ScenarioError(_prefixed(Path(source).name, exc)) from None
    result = RunResult(
        summary=summary,
        timeseries=engine.timeseries(),
        params=params,
        scenario=sc,
        source=source,
        engine=engine,
        theory=theory_verdict(engine.params, engine),
        notes=notes,
        graph_source=graph_source,
    )
    if out_dir is not None:
        result = write_outputs(result, out_dir)
    return result


def _large(name: str, value: Any) -> bool:
    """Whether a size is beyond its slider range (so it, not a flag, may be what is too big)."""
    from model.params import schema

    p = schema()[name]
    return p.range is not None and value > p.range[1]


def _prefixed(prefix: str | None, exc: Exception) -> str:
    text = str(exc)
    if not prefix or text.startswith(prefix):
        return text
    return f"{prefix}: {text}"


def theory_verdict(params: Params, engine: Engine) -> str:
    """Theory's plain-English verdict on ``params``, and what alliances do to it in this world.

    The mean field is for identical nations without alliances; this world's allies shield each
    other, so the deterrence thresholds are also given at its capability-weighted mean
    shielding share (:func:`model.theory.verdict_text`, which the app and the analyses share).
    """
    from model import theory

    agreement = getattr(engine, "agreement", None)
    if agreement is not None and agreement.terms is None:
        return "no treaty was agreed, so there is no pause for the theory to judge."
    return theory.verdict_text(params, engine)


# ------------------------------------------------------------------------------ outputs
def write_outputs(result: RunResult, out_dir: str | Path) -> RunResult:
    """Write the four output files of a run into ``out_dir`` (created).

    Returns:
        The result with ``outputs`` filled in.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {key: folder / name for key, name in OUTPUT_FILES.items()}
    result = replace(result, outputs=paths)
    result.to_frame().to_csv(paths["timeseries"], index=False)
    plot_compliance(result, paths["plot"])
    with paths["summary"].open("w", encoding="utf-8") as fh:
        json.dump(summary_record(result), fh, indent=2, allow_nan=False)
        fh.write("\n")
    paths["config"].write_text(config_text(config_mapping(result)), encoding="utf-8")
    if result.engine.log is not None:
        paths["ledger"] = folder / "ledger.jsonl"
        write_ledger(result.engine.log.records, paths["ledger"])
    return result


def write_ledger(records: list[dict[str, Any]], path: str | Path) -> Path:
    """Write event-log records as JSONL, one canonical record per line."""
    from model.ledger import canonical

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(canonical(rec) + "\n")
    return target


def read_ledger(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL event log; a line that is not JSON is a ConfigError naming its number."""
    from model.errors import ConfigError

    records = []
    with Path(path).open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}: line {i} is not a JSON record ({exc.msg})") from None
    return records


def config_text(mapping: dict[str, Any]) -> str:
    """A scenario mapping as TOML: ``[meta]``, ``[params]``, ``[negotiation]``, then the arrays."""
    import tomli_w

    parts = [
        "# The resolved configuration of a pausegame run, as a complete scenario file.\n"
        "# `pausegame run --config <this file>` reproduces the run exactly.\n"
    ]
    for key in ("meta", "params"):
        parts.append(tomli_w.dumps({key: mapping.get(key, {})}))
    if "negotiation" in mapping:  # a single table, not an array of tables
        parts.append(tomli_w.dumps({"negotiation": mapping["negotiation"]}))
    for key, rows in mapping.items():
        if key in ("meta", "params", "negotiation"):
            continue
        for row in rows:
            parts.append(f"[[{key}]]\n" + tomli_w.dumps(row))
    return "\n".join(parts)


def summary_record(result: RunResult) -> dict[str, Any]:
    """``summary.json``: the run summary, the scenario and the outputs (NaN as null)."""
    record: dict[str, Any] = {
        key: (None if isinstance(v, float) and math.isnan(v) else v)
        for key, v in result.summary.record().items()
    }
    record["scenario"] = result.name
    record["source"] = result.source
    record["outputs"] = {key: str(p) for key, p in result.outputs.items()}
    return record


def config_mapping(result: RunResult) -> dict[str, Any]:
    """The resolved configuration as a complete scenario mapping (``config.toml``).

    ``[meta]`` keeps the scenario's meta and adds its source, the package version, the git
    commit, the SHA-256 of the verification sources registry (``sources.toml``, whose presets a
    regime's run takes) and the creation time; ``[params]`` holds every resolved parameter, the
    seed and a regime's presets included; the scenario's nations, alliances and events follow.
    An alliance graph given separately is written as ``[[alliances]]`` (with the nations named)
    so the file alone reproduces the run.
    """
    sc = result.scenario
    if _has_graph(result):
        sc = _embed_graph(result)
    mapping = sc.to_mapping()
    meta = dict(mapping.get("meta", {}))
    meta.update(
        {
            "name": result.name,
            "source": result.source,
            "package_version": package_version(),
            "git_commit": git_commit(),
            "verification_registry_sha256": file_sha256(),
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    if result.graph_source:
        meta["alliance_file"] = result.graph_source
    mapping["meta"] = meta
    mapping["params"] = {k: v for k, v in result.params.items() if v is not None}
    return mapping


def _has_graph(result: RunResult) -> bool:
    """Whether the run's alliances came from a graph given apart from the scenario."""
    return result.params["alliance_network"] == "explicit" and not result.scenario.alliances


def _embed_graph(result: RunResult) -> Scenario:
    """The scenario with the run's explicit alliance graph as ``[[nations]]``/``[[alliances]]``."""
    world = result.engine.world
    n = world.n_nations
    names = world.names[:n]
    sc = result.scenario
    nations = sc.nations or tuple(NationSpec(name) for name in names)
    if any(int(b) for b in world.bloc) and all(s.bloc is None for s in nations):
        nations = tuple(replace(s, bloc=int(b)) for s, b in zip(nations, world.bloc, strict=True))
    alliances = tuple(
        AllianceSpec(names[int(u)], names[int(v)], float(d["weight"]))
        for u, v, d in sorted(world.graph.edges(data=True), key=lambda e: (min(e[:2]), max(e[:2])))
    )
    return replace(sc, nations=nations, alliances=alliances)


def git_commit() -> str:
    """The git commit of the package's source tree, or ``"unknown"``."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    text = out.stdout.strip()
    return text if out.returncode == 0 and text else "unknown"


def plot_compliance(result: RunResult, path: str | Path) -> Path:
    """Plot capability-weighted compliance over months (all, nations, labs) to a PNG.

    The chart is :func:`experiments.compliance_chart.compliance_chart` (the app draws the same
    one), titled with the scenario, the seed and the outcome; the stability threshold and the
    collapse month, if any, are rules in the legend.
    """
    from experiments.compliance_chart import compliance_chart, compliance_figure

    collapse = result.summary.collapse_step
    verdict = "held" if result.summary.held else f"collapsed in month {collapse}"
    chart = compliance_chart(
        result.timeseries,
        result.params,
        collapse_step=collapse,
        title=f"{result.name}, seed {result.seed}: the pause {verdict}",
    )
    compliance_figure(chart, result.timeseries).savefig(path, format="png")
    return Path(path)
