"""The Solara browser app: the Simulate page (:mod:`viz.app`), started by ``pausegame app``.

:mod:`viz.session` is one visitor's game (no widgets), :mod:`viz.specs` the live Vega-Lite
charts, :mod:`viz.charts` the same views as PNG files, :mod:`viz.assets` the offline front-end
files (``pausegame setup-assets``), :mod:`viz.serve` and :mod:`viz.speed` a server and a real
browser for tests and timing.
"""
