"""The world at the start of a run: actors, capabilities, home nations, alliances, commitments.

Actors are indexed ``0 .. N-1``: nations' own programmes first (actor ``i`` is nation ``i``), then
labs. Every draw at construction comes from the run's generator, in this order (DESIGN.md
section 2, written down in ``model/ODD.md``):

1. nation capabilities (``n_nations`` draws, unless given by the scenario),
2. lab capabilities (``n_labs`` draws, unless given),
3. lab home nations (``n_labs`` draws, unless the scenario places the labs),
4. one integer, the seed of the alliance generator (drawn whether or not it is used),
5. a permutation of all actors, whose first ``round(initial_compliance * N)`` comply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from model.errors import ScenarioError
from model.networks import bloc_labels, check_alliance_graph, make_alliance_graph, to_sparse
from model.scenario import Scenario


@dataclass
class World:
    """The static structure of a run (capabilities and alliances may change in later mechanisms).

    Attributes:
        names: Actor names (nations, then labs ``"Nation/lab-k"``).
        n_nations: Number of nations.
        capability: World capability shares, shape (N,), summing to 1.
        home: Home nation of each actor, shape (N,); a nation is its own home.
        is_lab: True for labs, shape (N,).
        alliances: Symmetric nation-by-nation alliance weights (scipy.sparse CSR), zero diagonal.
        graph: The alliance graph (nodes 0..n-1, edge attribute ``weight``, node ``bloc``).
        bloc: Bloc label of each nation, shape (n_nations,).
        committed: True for actors committed to a fixed action, shape (N,).
        committed_defect: The committed action (True = defect), shape (N,).
        initial_defect: Actions at step 0 (True = defect), shape (N,).
        events: Scheduled holds: (start, end exclusive or None, actor indices, defect).
    """

    names: list[str]
    n_nations: int
    capability: np.ndarray
    home: np.ndarray
    is_lab: np.ndarray
    alliances: sp.csr_array
    graph: nx.Graph
    bloc: np.ndarray
    committed: np.ndarray
    committed_defect: np.ndarray
    initial_defect: np.ndarray
    events: list[tuple[int, int | None, np.ndarray, bool]]

    @property
    def n_actors(self) -> int:
        """Number of actors N (nations plus labs)."""
        return len(self.capability)

    def index_of(self, name: str) -> np.ndarray:
        """Actor indices for a name: a nation, a lab, or ``"Nation/*"`` (nation and its labs)."""
        return _resolve_names([name], self.names, self.home, self.n_nations, "actor name")

    def fixed_actions(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """The fixed-action mask at step t: (held, defect) from commitments and active events."""
        held, action = self.committed, self.committed_defect
        active = [ev for ev in self.events if ev[0] <= t and (ev[1] is None or t < ev[1])]
        if active:
            held, action = held.copy(), action.copy()
            for _, _, idx, defect in active:
                held[idx] = True
                action[idx] = defect
        return held, action


def draw_capabilities(dist: str, spread: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Unnormalised positive capabilities from ``capability_dist``.

    ``equal`` draws nothing; ``lognormal`` is ``exp(spread * Z)``; ``pareto`` is a Pareto with
    minimum 1 and shape ``1 / spread``. A spread of 0 gives equal capabilities (and still draws
    for lognormal, so the stream does not depend on the value).
    """
    if dist == "equal" or size == 0:
        return np.ones(size)
    if dist == "lognormal":
        return rng.lognormal(0.0, spread, size)
    if dist == "pareto":
        if spread == 0:
            rng.random(size)  # keep the stream's length independent of the spread
            return np.ones(size)
        return 1.0 + rng.pareto(1.0 / spread, size)
    raise ValueError(f"unknown capability_dist {dist!r}")


def build_world(
    params: Mapping[str, Any],
    rng: np.random.Generator,
    *,
    scenario: Scenario | None = None,
    graph: nx.Graph | None = None,
) -> World:
    """Build the starting world from validated parameters, a scenario and an optional graph.

    Args:
        params: Validated parameters (``model.params.resolve``).
        rng: The run's generator; draws happen in the order of the module docstring.
        scenario: Named nations, labs, blocs, alliances, commitments and events.
        graph: An explicit alliance graph (nodes are nation names or indices).

    Raises:
        ScenarioError, GraphError: when the inputs do not fit together.
    """
    scenario = scenario or Scenario()
    specs = scenario.nations
    n = int(params["n_nations"])
    if specs and len(specs) != n:
        raise ScenarioError(f"n_nations={n} but [[nations]] names {len(specs)} nations")
    nation_names = [s.name for s in specs] if specs else [f"Nation {i + 1}" for i in range(n)]

    # 1. nation capabilities
    if specs and specs[0].capability is not None:
        nation_raw = np.array([s.capability for s in specs], dtype=float)
    else:
        nation_raw = draw_capabilities(
            params["capability_dist"], params["capability_spread"], n, rng
        )
    if not np.isfinite(nation_raw.sum()) or not np.all(nation_raw > 0):
        _capability_error(params, explicit=bool(specs) and specs[0].capability is not None)
    # 2-3. labs
    explicit_caps = bool(specs) and any(isinstance(s.labs, tuple) for s in specs)
    if specs and any(s.labs is not None for s in specs):
        counts = [
            0 if s.labs is None else (len(s.labs) if isinstance(s.labs, tuple) else s.labs)
            for s in specs
        ]
        n_labs = sum(counts)
        if n_labs != int(params["n_labs"]):
            raise ScenarioError(f"n_labs={params['n_labs']} but [[nations]] list {n_labs} labs")
        lab_home = np.repeat(np.arange(n), counts)
        if explicit_caps:
            lab_raw = np.concatenate(
                [
                    np.asarray(s.labs if isinstance(s.labs, tuple) else (), dtype=float)
                    for s in specs
                ]
            )
        else:
            lab_raw = draw_capabilities(
                params["capability_dist"], params["capability_spread"], n_labs, rng
            )
    else:
        n_labs = int(params["n_labs"])
        lab_raw = draw_capabilities(
            params["capability_dist"], params["capability_spread"], n_labs, rng
        )
        lab_home = (
            np.sort(rng.choice(n, size=n_labs, p=nation_raw / nation_raw.sum()))
            if n_labs
            else np.zeros(0, dtype=np.int64)
        )
    # normalise to world shares
    if explicit_caps:
        total = nation_raw.sum() + lab_raw.sum()
        nation_cap, lab_cap = nation_raw / total, lab_raw / total
    elif n_labs == 0:
        nation_cap, lab_cap = nation_raw / nation_raw.sum(), lab_raw
    else:
        share = float(params["state_share"])
        nation_cap = share * nation_raw / nation_raw.sum()
        lab_cap = (1.0 - share) * lab_raw / lab_raw.sum()
    capability = np.concatenate([nation_cap, lab_cap])
    if not (np.all(np.isfinite(capability)) and np.all(capability > 0)):
        _capability_error(params, explicit=bool(specs) and specs[0].capability is not None)
    home = np.concatenate([np.arange(n), lab_home]).astype(np.int64)
    is_lab = np.arange(n + n_labs) >= n
    names = list(nation_names)
    per_nation = np.zeros(n, dtype=int)
    for h in lab_home:
        per_nation[h] += 1
        names.append(f"{nation_names[h]}/lab-{per_nation[h]}")

    # 4. alliances
    alliance_seed = int(rng.integers(0, 2**63 - 1))
    blocs = _blocs(specs)
    g = _alliance_graph(params, alliance_seed, scenario, graph, nation_names, blocs)
    alliances = to_sparse(g, n)
    bloc = bloc_labels(g, n)

    # 5. initial actions
    n_actors = n + n_labs
    order = rng.permutation(n_actors)
    n_comply = round(float(params["initial_compliance"]) * n_actors)
    initial_defect = np.ones(n_actors, dtype=bool)
    initial_defect[order[:n_comply]] = False

    committed = np.zeros(n_actors, dtype=bool)
    committed_defect = np.zeros(n_actors, dtype=bool)
    for i, s in enumerate(specs):
        members = home == i
        if s.action is not None:
            initial_defect[members] = s.action == "defect"
        if s.committed is not None:
            committed[members] = True
            committed_defect[members] = s.committed == "defect"
    initial_defect[committed] = committed_defect[committed]

    events = []
    steps = int(params["steps"])
    for k, e in enumerate(scenario.events):
        if e.start > steps:
            raise ScenarioError(
                f"[[events]] #{k + 1}: start={e.start} is after the last step "
                f"(steps={steps}), so the event would never happen; allowed: "
                f"a step in [1, {steps}]"
            )
        idx = _resolve_names(e.actors, names, home, n, f"[[events]] #{k + 1}: actors")
        clash = idx[committed[idx] & (committed_defect[idx] != (e.action == "defect"))]
        if clash.size:
            nation = specs[int(home[clash[0]])]
            raise ScenarioError(
                f"[[events]] #{k + 1}: holds {names[int(clash[0])]!r} to {e.action!r}, but "
                f"nation {nation.name!r} is committed to {nation.committed!r} for the whole "
                "run (its programme and labs); allowed: an event that agrees with the "
                f"commitment, or no committed on {nation.name!r} (hold it with events instead)"
            )
        end = None if e.duration is None else e.start + e.duration
        events.append((e.start, end, idx, e.action == "defect"))

    return World(
        names=names,
        n_nations=n,
        capability=capability,
        home=home,
        is_lab=is_lab,
        alliances=alliances,
        graph=g,
        bloc=bloc,
        committed=committed,
        committed_defect=committed_defect,
        initial_defect=initial_defect,
        events=events,
    )


def _capability_error(params: Mapping[str, Any], *, explicit: bool) -> None:
    """Capabilities that overflowed or underflowed when drawn or normalised."""
    if explicit:
        raise ScenarioError(
            "[[nations]]: the capabilities span too many orders of magnitude "
            "(a world share became 0 or not finite); allowed: capabilities "
            "whose ratios stay within about 1e300"
        )
    from model.errors import ParameterError

    raise ParameterError(
        "capability_spread",
        params["capability_spread"],
        f"a spread for which capability_dist={params['capability_dist']!r} "
        "draws finite, positive capabilities (at most about 20)",
        why="makes drawn capabilities overflow",
    )


def _blocs(specs: Sequence[Any]) -> list[int] | None:
    if not specs or specs[0].bloc is None:
        return None
    labels: dict[Any, int] = {}
    return [labels.setdefault(s.bloc, len(labels)) for s in specs]


def _alliance_graph(
    params: Mapping[str, Any],
    seed: int,
    scenario: Scenario,
    graph: nx.Graph | None,
    names: list[str],
    blocs: list[int] | None,
) -> nx.Graph:
    n = len(names)
    kind = params["alliance_network"]
    if graph is not None and scenario.alliances:
        raise ScenarioError(
            "give alliances either in the scenario's [[alliances]] or as a graph file, not both"
        )
    if scenario.alliances:
        graph = nx.Graph()
        graph.add_nodes_from(names)
        for a in scenario.alliances:
            graph.add_edge(a.a, a.b, **({"weight": a.weight} if a.weight is not None else {}))
    if graph is not None:
        if kind != "explicit":
            raise ScenarioError(
                f"an explicit alliance graph was given, so alliance_network must "
                f"be 'explicit', not {kind!r}"
            )
        g = check_alliance_graph(
            graph,
            n,
            names=names,
            default_weight=float(params["alliance_weight"]),
            every_nation=not scenario.alliances,
        )
        if blocs is not None:
            for i, b in enumerate(blocs):
                g.nodes[i]["bloc"] = b
        return g
    return make_alliance_graph(params, seed=seed, blocs=blocs)


def _resolve_names(
    wanted: Sequence[str], names: list[str], home: np.ndarray, n_nations: int, where: str
) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(names)}
    out: list[int] = []
    for name in wanted:
        if name.endswith("/*") and name[:-2] in lookup and lookup[name[:-2]] < n_nations:
            out.extend(np.flatnonzero(home == lookup[name[:-2]]).tolist())
        elif name in lookup:
            out.append(lookup[name])
        else:
            sample = ", ".join(names[:3] + [f"{names[0]}/*"]) if names else ""
            raise ScenarioError(
                f"{where}: unknown actor {name!r}; actors are nation names, "
                f"their labs 'Nation/lab-k', or 'Nation/*' (e.g. {sample})"
            )
    return np.unique(np.asarray(out, dtype=np.int64))
