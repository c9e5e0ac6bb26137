"""Answers about the whole project, shared by the worker processes of one run.

An answer about the whole project (the call sites of a function, the classes redefining a
method ...; ``ProjectIndex.answer``) reads every module that mentions the name asked about: on
Home Assistant, a common method name means a thousand summaries. Each worker keeps the
answers it made for the rest of its life, but a run has several workers, and renews them
every few thousand files (``asynclint.runner``): without sharing, the same answers were made
ten times over, a quarter of a cold run's time.

So the run's answers go to a temporary SQLite file, which the workers read before making an
answer and write (in small batches) after. Only one run ever reads the file, while the project
is as it was when the run began, so an answer from it is the one the worker would make. An
answer whose plain data does not survive JSON as it is (a tuple in it) is not shared. The
file is removed when the run ends.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

# Answers a worker writes at once (each write is a transaction the other worker may wait on).
_BATCH = 32
# What ``get`` gives for an answer no process has shared.
MISSING = object()


class SharedAnswers:
    """The run's answers about the whole project, in a SQLite file of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "answers.sqlite3"
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._pending: list[tuple[str, str]] = []
        self._failed = False

    @classmethod
    def create(cls) -> SharedAnswers | None:
        """A new, empty file of answers (removed when the process that made it exits); None
        when no temporary folder can be made."""
        try:
            folder = Path(tempfile.mkdtemp(prefix="asynclint-answers-"))
            connection = sqlite3.connect(folder / "answers.sqlite3")
            with connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(
                    "CREATE TABLE answers (asked TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
            connection.close()
        except (OSError, sqlite3.Error):
            return None
        atexit.register(shutil.rmtree, folder, True)
        return cls(folder)

    def __getstate__(self) -> dict[str, Any]:  # a worker started by pickling opens its own
        return {**self.__dict__, "_connection": None, "_pid": 0, "_pending": []}

    def get(self, asked: str) -> Any:
        """The answer another process gave to ``asked``, or ``MISSING``."""
        connection = self._connect()
        if connection is None:
            return MISSING
        try:
            row = connection.execute(
                "SELECT value FROM answers WHERE asked = ?", (asked,)
            ).fetchone()
        except sqlite3.Error:
            self._failed = True
            return MISSING
        return json.loads(row[0]) if row is not None else MISSING

    def put(self, asked: str, value: Any) -> None:
        """Share an answer (written with the next batch)."""
        try:
            text = json.dumps(value)
        except (TypeError, ValueError):
            return
        if json.loads(text) != value:
            return  # not plain JSON data (a tuple): another process would read a list
        self._pending.append((asked, text))
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        connection = self._connect()
        pending, self._pending = self._pending, []
        if connection is None or not pending:
            return
        try:
            with connection:
                connection.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?)", pending)
        except sqlite3.Error:
            self._failed = True

    def remove(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def _connect(self) -> sqlite3.Connection | None:
        if self._failed:
            return None
        if self._connection is None or self._pid != os.getpid():  # none yet, or inherited
            try:
                self._connection = sqlite3.connect(self.path, timeout=30)
                self._connection.execute("PRAGMA synchronous=OFF")
            except sqlite3.Error:
                self._failed = True
                return None
            self._pid = os.getpid()
        return self._connection
