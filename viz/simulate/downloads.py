"""The Simulate page's downloads: the time series (CSV), the run config (TOML), the charts (PNG)."""

from __future__ import annotations

from typing import Any

import solara

from viz import charts
from viz.session import (
    GameSession,
)
from viz.simulate.common import curve_or_none, edges


def png_timeseries(session: GameSession) -> bytes:
    """The time-series panels as a PNG (matplotlib, :mod:`viz.charts`), for the downloads."""
    eng = session.world.engine
    fig = charts.timeseries_figure(
        eng.timeseries(), session.world.params, collapse_step=eng.summary().collapse_step
    )
    return charts.png(fig, dpi=120)


def png_network(session: GameSession) -> bytes:
    """The alliance network as a PNG (matplotlib, :mod:`viz.charts`), for the downloads."""
    eng = session.world.engine
    fig = charts.network_figure(
        session.layout, edges(session), session.nation_state(), eng.world.names, month=eng.t
    )
    return charts.png(fig, dpi=120)


def png_theory(session: GameSession) -> bytes:
    """Theory's chart as a PNG (or what theory says, where it has no chart)."""
    model = session.world
    curve = curve_or_none(model.params)
    if curve is None:
        return charts.png(charts.message_figure(session.theory_text()), dpi=120)
    fig = charts.theory_figure(
        model.params, curve, session.theory_summary(), model.engine.latest("weighted_compliance")
    )
    return charts.png(fig, dpi=120)


def run_config(session: GameSession) -> str:
    """The running world as a complete scenario file (TOML).

    ``pausegame run --config FILE`` reproduces it; its ``[meta]`` gives the Simulate link
    that opens it again (a comment).
    """
    from experiments.run import config_text
    from model.scenario import fit_nations

    model = session.world
    # the parameters as given: a negotiated run adopts other terms, and the file renegotiates
    params = {k: v for k, v in model.engine.given_params.items() if v is not None}
    values = {k: v for k, v in params.items() if k != "seed"}
    mapping: dict[str, Any] = {}
    if session.scenario is not None:
        sc, _ = fit_nations(session.scenario, values)
        mapping = sc.to_mapping()
    meta = dict(mapping.get("meta", {}))
    meta["name"] = f"simulate_{session.scenario_name}_seed{model.seed}".replace("(", "").replace(
        ")", ""
    )
    meta["source"] = "pausegame app, Simulate page"
    link = session.query()
    link = "/?" + link + ("&" if link else "") + f"seed={model.seed}"
    mapping["meta"] = meta
    mapping["params"] = params
    return f"# In the app: open {link} on the Simulate page.\n" + config_text(mapping)


@solara.component
def Downloads(session: GameSession, rev: int) -> None:
    """The run's time series (CSV) and the charts (PNG), made when clicked."""
    if session.model is None:
        return
    stem = f"pausegame-seed{session.world.seed}-month{session.world.engine.t}"
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["pg-downloads"]):
        solara.FileDownload(
            session.timeseries_csv,
            filename=f"{stem}-timeseries.csv",
            label="Time series (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: run_config(session),
            filename=f"{stem}-config.toml",
            label="Run config (TOML)",
            mime_type="application/toml",
        )
        solara.FileDownload(
            lambda: png_timeseries(session),
            filename=f"{stem}-charts.png",
            label="Charts (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            lambda: png_network(session),
            filename=f"{stem}-network.png",
            label="Network (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            lambda: png_theory(session),
            filename=f"{stem}-theory.png",
            label="Theory (PNG)",
            mime_type="image/png",
        )
