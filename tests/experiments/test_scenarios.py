"""Reading scenario and alliance graph files: the shipped default and every kind of bad file."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from experiments.run import run_scenario
from experiments.scenarios import list_scenarios, load_graph, load_scenario, scenario_path
from model.errors import GraphError, ScenarioError
from model.scenario import scenario_from_mapping

NATIONS = '[[nations]]\nname = "A"\n\n[[nations]]\nname = "B"\n\n[[nations]]\nname = "C"\n'


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- the default
def test_default_scenario_has_twelve_named_nations_and_nothing_else_fixed() -> None:
    scenario, narrative = load_scenario("default")
    assert scenario.name == "default"
    assert {"title", "summary"} <= set(scenario.meta)
    assert len(scenario.nations) == 12
    assert len({n.name for n in scenario.nations}) == 12
    for nation in scenario.nations:
        assert (nation.capability, nation.labs, nation.bloc) == (None, None, None)
    assert scenario.alliances == () and scenario.events == ()
    assert dict(scenario.params) == {}
    assert narrative is not None and "illustrative" in narrative.lower()


def test_default_is_listed_and_found_by_name_or_path() -> None:
    assert "default" in list_scenarios()
    path = scenario_path("default")
    assert path.name == "default.toml" and path.is_file()
    by_path, _ = load_scenario(path)
    by_name, _ = load_scenario("default")
    assert by_path == by_name


def test_default_round_trips_through_its_mapping() -> None:
    scenario, _ = load_scenario("default")
    assert scenario_from_mapping(scenario.to_mapping()) == scenario


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    scenario, narrative = load_scenario(
        write(tmp_path, "[params]\np_detect = 0.5\n", "my-case.toml")
    )
    assert scenario.name == "my-case"
    assert narrative is None


def test_narrative_beside_the_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, '[meta]\nname = "x"\n', "story.toml")
    (tmp_path / "story.md").write_text("# Story\n", encoding="utf-8")
    assert load_scenario(path)[1] == "# Story\n"


# ---------------------------------------------------------------------------- bad files
BAD_SCENARIOS = {
    "toml syntax": ('[meta]\nname = "x"\n[params\np_detect = 0.3\n', ["line 3", "syntax"]),
    "unknown table": ('[meta]\nname = "x"\n\n[treaty]\nlength = 6\n', ["[treaty]", "[meta]"]),
    "unknown nation field": (
        '[[nations]]\nname = "A"\ncapabilty = 0.5\n',
        ["capabilty", "'A'", "allowed"],
    ),
    "duplicate nation": (NATIONS + '\n[[nations]]\nname = "A"\n', ["'A'", "twice"]),
    "alliance to unknown nation": (
        NATIONS + '\n[[alliances]]\na = "A"\nb = "Z"\n',
        ["'Z'", "[[alliances]] #1"],
    ),
    "bad commitment": (
        '[[nations]]\nname = "A"\ncommitted = "maybe"\n',
        ["committed", "'maybe'", "'comply', 'defect'"],
    ),
    "bad event action": (
        NATIONS + '\n[[events]]\nstart = 3\nactors = ["A"]\naction = "pause"\n',
        ["[[events]] #1", "'pause'", "'comply', 'defect'"],
    ),
    "unknown parameter": ("[params]\np_detct = 0.3\n", ["p_detct", "p_detect", "[params]"]),
    "parameter out of range": ("[params]\np_detect = 1.5\n", ["p_detect", "1.5", "[0, 1]"]),
    "parameter of wrong type": ('[params]\nn_nations = "many"\n', ["n_nations", "'many'"]),
    "bad capability": ('[[nations]]\nname = "A"\ncapability = -1\n', ["capability", "-1"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_file_names_file_and_problem(tmp_path: Path, case: str) -> None:
    text, expected = BAD_SCENARIOS[case]
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    message = str(info.value)
    assert "bad.toml" in message
    for part in expected:
        assert part in message, (part, message)
    assert "\n" not in message


def test_event_naming_unknown_actor_fails_when_run(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        NATIONS + '\n[[events]]\nstart = 2\nactors = ["Nowhere/lab-1"]\naction = "defect"\n',
        "events.toml",
    )
    scenario, _ = load_scenario(path)  # the names are only known once the world is built
    with pytest.raises(ScenarioError, match=r"events\.toml.*unknown actor 'Nowhere/lab-1'"):
        run_scenario(path, {"steps": 3, "seed": 1})


def test_unknown_name_lists_shipped_scenarios() -> None:
    with pytest.raises(ScenarioError, match=r"unknown scenario 'no-such-scenario'.*default"):
        load_scenario("no-such-scenario")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"missing\.toml.*not found"):
        load_scenario(tmp_path / "missing.toml")


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "blob.toml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScenarioError, match=r"blob\.toml"):
        load_scenario(path)


# ---------------------------------------------------------------------------- graph files
def triangle() -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(4))
    g.add_edge(0, 1, weight=0.5)
    g.add_edge(1, 2, weight=1.0)
    return g


def test_graphml_ids_become_nation_indices(tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    nx.write_graphml(triangle(), path)
    g = load_graph(path)
    assert sorted(g.nodes) == [0, 1, 2, 3]
    assert g.edges[0, 1]["weight"] == 0.5


@pytest.mark.parametrize("edges_key", ["edges", "links"])
def test_node_link_json_with_edges_or_links(tmp_path: Path, edges_key: str) -> None:
    data = nx.node_link_data(triangle(), edges=edges_key)
    path = tmp_path / "g.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    g = load_graph(path)
    assert sorted(g.edges) == [(0, 1), (1, 2)]
    assert g.edges[1, 2]["weight"] == 1.0


def test_node_link_json_with_names(tmp_path: Path) -> None:
    data = {
        "nodes": [{"id": "Aurelia"}, {"id": "Borealis"}],
        "edges": [{"source": "Aurelia", "target": "Borealis", "weight": 0.7}],
    }
    path = tmp_path / "names.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_graph(path).edges["Aurelia", "Borealis"]["weight"] == 0.7


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("g.json", "{not json", "cannot read"),
        ("g.json", "[1, 2, 3]", "node-link"),
        ("g.json", '{"nodes": [{"id": 0}], "edges": [{"source": 0}]}', "cannot read"),
        ("g.graphml", "<graphml><graph", "cannot read"),
        ("g.txt", "0 1", "unknown graph file type"),
    ],
)
def test_unreadable_graph_file_names_file(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GraphError) as info:
        load_graph(path)
    assert name in str(info.value) and expected in str(info.value)


def test_missing_graph_file(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match=r"nope\.graphml.*not found"):
        load_graph(tmp_path / "nope.graphml")


@pytest.mark.hardening
def test_graphml_labels_with_leading_zeros_are_names_not_indices(tmp_path: Path) -> None:
    """Nodes "00".."11" are labels (#27): read as indices they tied the wrong nations."""
    from model.networks import check_alliance_graph

    labels = [f"{i:02d}" for i in range(12)]
    g = nx.Graph()
    g.add_nodes_from(labels)
    g.add_edge("00", "01", weight=0.5)
    path = tmp_path / "labels.graphml"
    nx.write_graphml(g, path)
    read = load_graph(path)
    assert sorted(read.nodes) == labels
    names = labels[::-1]  # nation 0 is "11", nation 11 is "00"
    tied = check_alliance_graph(read, 12, names=names, every_nation=True)
    assert sorted(tied.edges) == [(10, 11)]
    # without such names the labels are unknown nations, named as such
    with pytest.raises(GraphError, match="unknown nation '0[0-9]' in the alliance graph"):
        check_alliance_graph(read, 12, every_nation=True)
    # canonical integer ids ("0".."11", as networkx writes int nodes) are still indices
    nx.write_graphml(nx.relabel_nodes(g, {label: int(label) for label in labels}), path)
    assert sorted(load_graph(path).nodes) == list(range(12))


@pytest.mark.hardening
def test_a_utf8_byte_order_mark_is_accepted_and_utf16_is_named(tmp_path: Path) -> None:
    """#27: TOML is a UTF-8 document, which may start with a BOM (toml-lang/toml#437)."""
    text = '[params]\nsteps = 7\n[[nations]]\nname = "A"\n[[nations]]\nname = "B"\n'
    plain = tmp_path / "plain.toml"
    plain.write_text(text, encoding="utf-8")
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_scenario(bom)[0].nations == load_scenario(plain)[0].nations
    assert load_scenario(bom)[0].params == {"steps": 7}
    wide = tmp_path / "wide.toml"
    wide.write_text(text, encoding="utf-16")
    with pytest.raises(ScenarioError, match=r"wide\.toml: a UTF-16 file .*byte-order mark"):
        load_scenario(wide)
