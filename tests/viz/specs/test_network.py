"""The network chart's names sit clear of the links (#27: names sat on alliance links)."""

from __future__ import annotations

import json

import pytest
from matplotlib.path import Path
from matplotlib.transforms import Bbox

from viz import specs
from viz.session import GameSession
from viz.simulate import edges
from viz.specs import LABEL_FONT, NETWORK_HEIGHT, NETWORK_WIDTH, place_labels

pytestmark = pytest.mark.hardening

DOMAIN = (-1.15, 1.15)


def _px(x, y):
    lo, hi = DOMAIN
    return (x - lo) / (hi - lo) * NETWORK_WIDTH, (hi - y) / (hi - lo) * NETWORK_HEIGHT


def _crossed(labels, links):
    """Names whose text box (a tight estimate) meets a link's drawn stroke (matplotlib)."""
    out = []
    for label in labels:
        cx, cy = _px(label["lx"], label["ly"])
        w, h = 0.55 * LABEL_FONT * len(label["name"]), LABEL_FONT
        for k in links:
            half = (0.4 + 3.0 * k["weight"]) / 2
            box = Bbox.from_extents(
                cx - w / 2 - half, cy - h / 2 - half, cx + w / 2 + half, cy + h / 2 + half
            )
            if Path([_px(k["x"], k["y"]), _px(k["x2"], k["y2"])]).intersects_bbox(
                box, filled=False
            ):
                out.append(label["name"])
                break
    return out


def _spec(query):
    session = GameSession(query)
    world = session.world.engine.world
    return specs.network_spec(
        session.layout, edges(session), session.nation_state(), world.names, month=0
    )


@pytest.mark.parametrize(
    "query",
    ["seed=1", "seed=2", "seed=3", "seed=5", "n_nations=30&seed=3", "scenario=default&seed=7"],
)
def test_names_sit_clear_of_every_link(query):
    spec = _spec(query)
    labels = spec["layer"][-1]["data"]["values"]
    links = json.loads(spec["datasets"]["links"])
    assert len(labels) >= 8, labels  # most of a 12-nation world is still named
    assert _crossed(labels, links) == []


def test_a_name_goes_where_its_links_do_not():
    # a hub linked left, right and down: its name goes above (it used to go below, on a link)
    nodes = [
        {"name": "Hub", "x": 0.0, "y": 0.0, "size": 400.0, "capability": 1.0},
        {"name": "L", "x": -0.8, "y": 0.0, "size": 40.0, "capability": 0.1},
        {"name": "R", "x": 0.8, "y": 0.0, "size": 40.0, "capability": 0.1},
        {"name": "D", "x": 0.0, "y": -0.8, "size": 40.0, "capability": 0.1},
    ]
    links = [{"x": 0.0, "y": 0.0, "x2": nd["x"], "y2": nd["y"], "weight": 0.8} for nd in nodes[1:]]
    labels = place_labels(nodes, NETWORK_WIDTH, NETWORK_HEIGHT, DOMAIN, links=links)
    hub = next(lb for lb in labels if lb["name"] == "Hub")
    assert hub["ly"] > 0 and abs(hub["lx"]) < 0.05, hub  # straight above
    assert _crossed(labels, links) == []
    # without links, names go below their nodes, as before
    alone = place_labels(nodes, NETWORK_WIDTH, NETWORK_HEIGHT, DOMAIN)
    assert next(lb for lb in alone if lb["name"] == "Hub")["ly"] < 0
