"""What the person running the demo sees: a heading per stage, a progress bar, a short table."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from shared.clock import MINISTRY_ZONE

BAR_WIDTH = 28


def wib(instant: datetime) -> str:
    """'6 Jun 2022 10:00 WIB': the ministry's own time, as the demo reports every moment."""
    local = instant.astimezone(ZoneInfo(MINISTRY_ZONE))
    return f"{local.day} {local:%b %Y %H:%M} WIB"


def day(instant: datetime) -> str:
    local = instant.astimezone(ZoneInfo(MINISTRY_ZONE))
    return f"{local.day} {local:%b %Y}"


class Progress:
    """One line redrawn in place on a terminal; elsewhere (a log, a test) only its last state is printed."""

    def __init__(self, display: Display, label: str, total: float, unit: str = "") -> None:
        self._display = display
        self._label = label
        self._unit = unit
        self._total = max(total, 1e-9)
        self._done = 0.0
        self._status = ""
        self._drawn = 0.0

    def update(self, done: float | None = None, status: str | None = None) -> None:
        if done is not None:
            self._done = min(max(done, 0.0), self._total)
        if status is not None:
            self._status = status
        if self._display.tty and time.monotonic() - self._drawn > 0.1:
            self._display.raw("\r" + self._line() + "\x1b[K")
            self._drawn = time.monotonic()

    def advance(self, step: float = 1.0) -> None:
        self.update(self._done + step)

    def _line(self) -> str:
        filled = round(BAR_WIDTH * self._done / self._total)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        count = f"{self._done:.0f}/{self._total:.0f}{self._unit}" if self._total >= 1 else ""
        return f"  {self._label:<30s} [{bar}] {count:>14s}  {self._status}".rstrip()

    def close(self) -> None:
        self._done = self._total
        line = self._line()
        self._display.raw(("\r" + line + "\x1b[K\n") if self._display.tty else line + "\n")

    def __enter__(self) -> Progress:
        self.update()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Display:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def raw(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def line(self, text: str = "") -> None:
        self.raw(text + "\n")

    def chapter(self, number: int, title: str, when: str) -> None:
        heading = f"{number}. {title}"
        self.line()
        self.line(f"{heading}  ({when})" if when else heading)
        self.line("=" * min(len(heading), 78))

    def progress(self, label: str, total: float, unit: str = "") -> Progress:
        return Progress(self, label, total, unit)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        cells = [[str(h) for h in headers]] + [[_cell(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        numeric = [all(_is_number(row[i]) for row in rows) and rows for i in range(len(headers))]

        def render(row: Sequence[str]) -> str:
            parts = [c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
            return "  " + "  ".join(parts).rstrip()

        self.line(render(cells[0]))
        self.line("  " + "  ".join("-" * w for w in widths))
        for row in cells[1:]:
            self.line(render(row))

    def note(self, text: str) -> None:
        self.line(f"  {text}")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float)
