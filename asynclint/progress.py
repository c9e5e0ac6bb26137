"""The progress line of a long run: on a terminal, once a run has taken more than a second, a
line on standard error says what it is doing (listing and reading the project, making the
index, checking files), how far it is (done of total) and how long it has taken; it is
rewritten in place and erased before the findings are printed.

It is never shown in a pipe, in CI (``CI`` set), with ``NO_COLOR`` or with ``--quiet``. The
stages report through the run's ``Progress`` (``current()``), which does nothing when the line
is not shown; a thread draws it, so a stage that counts nothing still shows its time.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

_T = TypeVar("_T")
# How long a run goes before the line appears, and how often it is redrawn (seconds).
DELAY = 1.0
INTERVAL = 0.2


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """Whether a run may show the line: on a terminal, outside CI, without ``NO_COLOR`` and
    ``--quiet``."""
    stream = stream if stream is not None else sys.stderr
    return (
        not quiet and stream.isatty() and not os.environ.get("CI") and "NO_COLOR" not in os.environ
    )


class Progress:
    """What the run is doing, drawn on ``stream`` when ``shown``."""

    def __init__(self, shown: bool, stream: TextIO | None = None) -> None:
        self.shown = shown
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.stage = "starting"
        self.done = 0
        self.total: int | None = None
        self._drawn = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        global _current
        _current = self
        if self.shown:
            self._thread = threading.Thread(target=self._draw_until_stopped, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        global _current
        _current = _SILENT
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._drawn:
                self.stream.write("\r" + " " * len(self._drawn) + "\r")
                self.stream.flush()
                self._drawn = ""

    def begin(self, stage: str, total: int | None = None) -> None:
        """A new stage (``"checking files"``), with ``total`` steps when they are known."""
        with self._lock:
            self.stage, self.done, self.total = stage, 0, total

    def advance(self, steps: int = 1) -> None:
        with self._lock:
            self.done += steps

    def counted(self, items: Iterable[_T], stage: str, total: int) -> Iterator[_T]:
        """``items``, each one counted as a step of a new ``stage``."""
        self.begin(stage, total)
        for item in items:
            self.advance()
            yield item

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        with self._lock:
            stage, done, total = self.stage, self.done, self.total
        count = f": {done:,} of {total:,}" if total else ""
        return f"asynclint: {stage}{count} ({elapsed:.0f} s)"

    def _draw_until_stopped(self) -> None:
        if self._stop.wait(DELAY):
            return
        while not self._stop.is_set():
            text = self.line()
            with self._lock:
                if self._stop.is_set():
                    break
                padding = " " * max(0, len(self._drawn) - len(text))
                self.stream.write(f"\r{text}{padding}")
                self.stream.flush()
                self._drawn = text
            self._stop.wait(INTERVAL)


_SILENT = Progress(False)
_current = _SILENT


def current() -> Progress:
    """The progress of the run under way (one that shows nothing outside a run)."""
    return _current
