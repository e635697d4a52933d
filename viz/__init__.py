"""The Solara browser app, started by ``pausegame app`` (``solara run viz.app``).

:mod:`viz.app` is the server entry (the routes), :mod:`viz.main` the top bar, :mod:`viz.simulate`
the Simulate page, :mod:`viz.play`, :mod:`viz.stability` and :mod:`viz.learn` the other pages,
:mod:`viz.classroom` the session cap, idle sessions and the state kept per session.
:mod:`viz.session` is one visitor's Simulate game (no widgets), :mod:`viz.specs` the live Vega-Lite
charts, :mod:`viz.charts` the same views as PNG files, :mod:`viz.assets` the offline front-end
files (``pausegame setup-assets``), :mod:`viz.cli` the ``app`` and ``setup-assets`` commands,
:mod:`viz.serve` a server and a real browser for tests and the benchmarks (the top-level
``benchmarks/`` folder, not installed). The Play page's game is headless, in
:mod:`experiments.play`.
"""
