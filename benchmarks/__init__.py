"""Benchmarks of the app in a real browser and of the classroom at full size (not installed).

Run them from a checkout's root with the project's venv: ``python -m benchmarks.speed`` (Simulate,
the Stability map and Play in chromium) and ``python -m benchmarks.room_speed`` (40 students over
24 months, as browser tabs or websocket clients of :mod:`benchmarks.room_ws`). They need the
``dev`` extra (playwright, driving Debian's chromium) beside the ``app`` extra. Speed is measured
and printed, never asserted by a test. The headless engine's benchmarks stay installed commands:
``pausegame benchmark`` and ``pausegame sweep-benchmark``.
"""
