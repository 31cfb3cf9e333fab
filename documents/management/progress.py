"""Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import time

BAR_WIDTH = 30
LINE_EVERY_SECONDS = 5.0


def _plain(text: str) -> str:
    return text


class ProgressBar:
    def __init__(self, stream, *, label: str, unit: str) -> None:
        self.stream = stream
        self.label = label
        self.unit = unit
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last_line = 0.0
        self.last_shown: tuple[int, int] | None = None
        self.drawn = False

    def update(self, done: int, total: int) -> None:
        if (done, total) == self.last_shown or not total:
            return
        self.last_shown = (done, total)
        if self.tty:
            filled = round(BAR_WIDTH * done / total) if total else 0
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(
                f"\r{self.label} [{bar}] {done}/{total} {self.unit}",
                ending="",
                style_func=_plain,
            )
            self.stream.flush()
            self.drawn = True
            return
        now = time.monotonic()
        if done == total or now - self.last_line >= LINE_EVERY_SECONDS:
            self.last_line = now
            self.stream.write(
                f"{self.label}: {done}/{total} {self.unit}", style_func=_plain
            )

    def finish(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("", style_func=_plain)
            self.drawn = False
