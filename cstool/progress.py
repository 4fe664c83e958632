"""A progress bar on standard error for long bulk work (a cold index rebuild, a large
import): drawn only on a terminal, redrawn at most ten times a second, erased at the end."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

BAR_WIDTH = 30


class Progress:
    """Count work done out of a known total; a context manager that erases itself."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None, counted: bool = True):
        self.total = max(total, 1)
        self.label = label
        self.counted = counted  # show "done/total" after the percentage (not for bytes of a file)
        self.stream = stream or sys.stderr
        self.done = 0
        self.shown = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def update(self, n: int) -> None:
        """Count n more items done."""
        self.done = min(self.done + n, self.total)
        now = time.monotonic()
        if now - self._last_draw >= 0.1 or self.done == self.total:
            self._draw(now)

    def line(self) -> str:
        """The bar as text: label, bar, percentage and count."""
        filled = BAR_WIDTH * self.done // self.total
        percent = 100 * self.done // self.total
        count = f"  {self.done}/{self.total}" if self.counted else ""
        return f"{self.label}  [{'#' * filled}{'-' * (BAR_WIDTH - filled)}]  {percent:3d}%{count}"

    def _draw(self, now: float | None = None) -> None:
        if not self.shown:
            return
        self._last_draw = time.monotonic() if now is None else now
        self.stream.write("\r" + self.line())
        self.stream.flush()
