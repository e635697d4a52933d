"""Progress of a batch: a tqdm bar on a terminal, plain lines otherwise, or nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

__all__ = ["Progress"]


class Progress:
    """Progress of a batch: a tqdm bar on a terminal, plain lines otherwise, or nothing.

    Args:
        total: Runs to do in this session.
        mode: ``auto`` (bar on a terminal, else lines), ``bar``, ``plain`` or ``none``.
        stream: Where to write (default stderr).
        interval: Seconds between plain lines.
        callback: Called as ``callback(done, failed)`` after each finished task.
    """

    def __init__(
        self,
        total: int,
        mode: str = "auto",
        stream: TextIO | None = None,
        interval: float = 10.0,
        callback: Callable[[int, int], None] | None = None,
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "plain"
        self.mode = mode
        self.interval = interval
        self.callback = callback
        self.done = 0
        self.failed = 0
        self.start = time.perf_counter()
        self._last = self.start
        self._bar: Any = None
        if mode == "bar" and total:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, unit="run", file=self.stream, dynamic_ncols=True, smoothing=0.1
            )

    def update(self, n: int, failed: int) -> None:
        """Count ``n`` more finished runs, ``failed`` of them failed."""
        self.done += n
        self.failed += failed
        if self._bar is not None:
            self._bar.update(n)
            if failed:
                self._bar.set_postfix(failed=self.failed)
        elif self.mode == "plain":
            now = time.perf_counter()
            if now - self._last >= self.interval or self.done >= self.total:
                self._last = now
                print(self.line(), file=self.stream, flush=True)
        if self.callback is not None:
            self.callback(self.done, self.failed)

    def line(self) -> str:
        """``sweep: 4410/8820 runs (50.0%), 0 failed, 310 runs/s, ETA 14 s``."""
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta_text = f"{eta:.0f} s" if np.isfinite(eta) else "?"
        return (
            f"sweep: {self.done}/{self.total} runs ({pct:.1f}%), {self.failed} failed, "
            f"{rate:.0f} runs/s, ETA {eta_text}"
        )

    def close(self) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start
