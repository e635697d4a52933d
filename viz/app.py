"""The browser app's server entry: ``solara run viz.app`` (what ``pausegame app`` runs).

Solara reads :data:`routes` here: Simulate (:mod:`viz.simulate`), Play a nation
(:mod:`viz.play`), Stability map (:mod:`viz.stability`), Design a treaty (:mod:`viz.design`)
and Learn (:mod:`viz.learn`), around
the top bar :func:`viz.main.Layout`. This module defines no ``Page`` component: Solara would
have to choose between a module's ``Page`` and its ``routes`` (and warns when both are set), so
the Simulate page lives in :mod:`viz.simulate` and reaches Solara only through the routes.

With ``PAUSEGAME_WARM_UP=1`` (set by ``pausegame app``) the server loads the compiled kernels
in the background as it starts, so the first visitor does not wait. It also renders with
reacton's fast reconciler (``REACTON_FAST=1``, :func:`viz.serve.server_env`; a plain ``solara
run viz.app`` uses reacton's default one, with the same widgets, only slower).
"""

from __future__ import annotations

import os

from viz import simulate
from viz.main import Layout, routes

__all__ = ["Layout", "routes"]

if os.environ.get("PAUSEGAME_WARM_UP") == "1":
    simulate.start_warm_up()
