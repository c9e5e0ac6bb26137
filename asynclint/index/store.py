"""The cache store: one SQLite file per cache folder, holding what a run can reuse.

- ``files``: each file's content digest with the size and modification time it was read at,
  so an unchanged file is not read again (the stat fast path);
- ``summaries``: module summaries, keyed by the digest of what decides their content;
- ``names``: which names each summary mentions (``asynclint.index.names``), so that an answer
  about the whole project reads only the summaries that can give it;
- ``results``: each linted file's findings, with what they were made from (read by
  ``asynclint.results``);
- ``listings``: each project's list of Python files, and that of each folder named on the
  command line (under the folder's path followed by ``GIVEN_FOLDER``), with what they depend
  on (read by ``asynclint.listing``).

Every write is a transaction, so a killed run leaves the store as it was before the write or
after it, never torn; SQLite's locking makes two runs at once safe. A store that cannot be read
(not a database, a corrupt page) is removed and made anew, with one line on standard error.
The store is a cache: when it fails, the run goes on without it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import marshal
import os
import shutil
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

STORE_NAME = "asynclint.sqlite3"
# Raised when the layout of the tables changes: an older store is made anew.
_SCHEMA = 4
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries (
    key TEXT PRIMARY KEY, path TEXT NOT NULL, readable INTEGER NOT NULL, data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS summaries_by_path ON summaries (path);
CREATE TABLE IF NOT EXISTS names (
    entry TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (entry, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS names_by_key ON names (key);
CREATE TABLE IF NOT EXISTS listings (root TEXT PRIMARY KEY, key TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    path TEXT PRIMARY KEY, digest TEXT NOT NULL, context TEXT NOT NULL,
    dependencies TEXT NOT NULL, payload TEXT NOT NULL
);
"""
# How long a run waits for another one's write to end before it goes on without the cache.
_BUSY_SECONDS = 30.0
# Rows per statement when many keys are asked at once (below SQLite's variable limit).
_BATCH = 500


# The cache folders already said to be unusable in this process: one line each.
_REPORTED: set[Path | None] = set()


def encode(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"))


def decode(text: str) -> dict | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def encode_summary(data: dict) -> bytes:
    """A summary as the store keeps it: ``marshal``'s format, which reads back twice as fast
    as JSON and a third smaller, its strings interned first so that they are interned again
    when read (a large project's summaries repeat the same qualified names thousands of
    times). The format is that of the Python version, which the store's version includes.
    It is preceded by the digest of its own bytes (``_CHECK`` bytes), which reading checks:
    an entry changed in the store after it was written is never trusted."""
    payload = marshal.dumps(_interned_copy(data))
    return hashlib.sha1(payload, usedforsecurity=False).digest() + payload


_CHECK = 20


def decode_summary(blob: bytes) -> dict | None:
    """The plain data of a stored summary; None when its bytes are not what was written."""
    if type(blob) is not bytes or len(blob) <= _CHECK:
        return None
    payload = blob[_CHECK:]
    if hashlib.sha1(payload, usedforsecurity=False).digest() != blob[:_CHECK]:
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def _interned_copy(value: object) -> object:
    kind = type(value)
    if kind is str:
        return sys.intern(value)  # type: ignore[arg-type]
    if kind is list or kind is tuple:
        return kind(_interned_copy(item) for item in value)  # type: ignore[attr-defined]
    if kind is dict:
        return {
            _interned_copy(key): _interned_copy(item)
            for key, item in value.items()  # type: ignore[attr-defined]
        }
    return value


def file_digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


class NotRegularFile(OSError):
    """A path that names no regular file (a FIFO, a device, a socket, a directory): it is
    never read, since reading it may block forever or never end."""


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, as a problem names it."""
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file; skipped"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file; skipped"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file; skipped"
    return "is not a regular file; skipped"


def read_regular(path: Path | str) -> bytes:
    """The bytes of the regular file at ``path``. Anything else raises ``NotRegularFile``
    without being read: the file is opened without waiting for a writer (a FIFO would block
    the run) and checked on the open descriptor, so a file swapped for a FIFO or a device
    after it was found is refused too."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    with open(descriptor, "rb", closefd=True) as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, kind_of(mode), str(path))
        return handle.read()


# Ends the name a folder named on the command line is listed under (a project's root is listed
# under its path).
GIVEN_FOLDER = "\0given"


class NewerStore(sqlite3.OperationalError):
    """A store whose tables a newer asynclint laid out: this one neither reads nor empties it."""


class Store:
    """The store in ``folder`` (None: no store, every lookup misses and nothing is written).

    ``version`` is what the stored summaries and results were made by: a store made by another
    version is emptied when opened, so that entries no run can use again do not pile up.
    """

    def __init__(self, folder: Path | None, version: str = "") -> None:
        self.folder = folder
        self.version = version
        self._connection: sqlite3.Connection | None = None
        self._pid = -1
        self._failed = folder is None

    @property
    def path(self) -> Path | None:
        return self.folder / STORE_NAME if self.folder is not None else None

    # --- the connection ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        """The connection of this process (a forked worker opens its own), or None when the
        store cannot be used."""
        if self._failed:
            return None
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        self._connection = None  # inherited through ``fork``: never used here
        try:
            self._connection = self._open()
        except sqlite3.OperationalError as error:  # cannot be opened (locked, read-only ...)
            self._give_up(error)
            return None
        except OSError as error:  # the folder cannot be made or written
            self._give_up(error)
            return None
        except sqlite3.DatabaseError as error:  # not a database, or a corrupt one
            if not self._rebuild(error):
                self._failed = True
                return None
        self._pid = os.getpid()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        assert self.folder is not None and self.path is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        mark_cache_folder(self.folder)
        if not self.path.exists():  # the summary folders of older versions are of no use
            for legacy in store_files(self.folder):
                if legacy.is_dir():
                    shutil.rmtree(legacy, ignore_errors=True)
        # Files are checked on a thread of their own (``runner.on_deep_stack``); a connection
        # is only ever used by one thread at a time.
        connection = sqlite3.connect(
            self.path, timeout=_BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            _when_unlocked(self._prepare, connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Make the tables of a store just opened, or empty those of another version."""
        if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        schema = connection.execute("PRAGMA user_version").fetchone()[0]
        if schema > _SCHEMA:  # a newer asynclint's: kept for it, not used
            raise NewerStore(f"written by a newer asynclint, layout {schema}")
        if schema not in (0, _SCHEMA):  # an older layout: its entries are of no use
            _drop_tables(connection)
        connection.executescript(_TABLES)
        connection.execute(f"PRAGMA user_version={_SCHEMA}")
        with _transaction(connection):
            row = connection.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is None or row[0] != self.version:
                connection.execute("DELETE FROM summaries")
                connection.execute("DELETE FROM names")
                connection.execute("DELETE FROM listings")
                connection.execute("DELETE FROM results")
                connection.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self.version,)
                )

    def _give_up(self, error: Exception) -> None:
        """Go on without the store, saying why once (a cache that cannot be used is no reason
        to stop a run)."""
        self._failed = True
        if self.folder in _REPORTED:
            return
        _REPORTED.add(self.folder)
        reason = getattr(error, "strerror", None) or str(error)
        print(
            f"asynclint: the cache in {self.folder} cannot be used ({reason}); going on without it",
            file=sys.stderr,
        )

    def _rebuild(self, error: Exception) -> bool:
        """Remove a store that cannot be opened and make it anew; False if that fails too."""
        assert self.path is not None
        print(
            f"asynclint: the cache store {self.path} could not be read ({error}); it is made anew",
            file=sys.stderr,
        )
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:
                return False
        try:
            self._connection = self._open()
        except (sqlite3.DatabaseError, OSError):
            return False
        return True

    @contextmanager
    def _using(self) -> Iterator[sqlite3.Connection | None]:
        """The connection, for one read or write; a failure mid-way turns the store off for
        the rest of the run (it is checked, and made anew if broken, on the next open)."""
        connection = self._connect()
        try:
            yield connection
        except sqlite3.DatabaseError as error:
            if type(error) is sqlite3.DatabaseError:  # corrupt (not busy, not a misuse)
                self._connection = None
                if self._rebuild(error):
                    self._pid = os.getpid()
                    return
            self._failed = True

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    # --- files ------------------------------------------------------------------------------
    def digests(self, paths: Sequence[Path]) -> tuple[dict[Path, str], list[Path]]:
        """The content digest of each readable file of ``paths`` (resolved), read only when its
        size or modification time differs from the stored ones; and the files that cannot be
        read. Files that have gone are in neither."""
        stored: dict[str, tuple[int, int, str]] = {}
        with self._using() as connection:
            if connection is not None:
                query = "SELECT path, size, mtime, digest FROM files WHERE path IN ({})"
                for name, size, mtime, digest in _rows_in(connection, query, map(str, paths)):
                    stored[name] = (size, mtime, digest)
        digests: dict[Path, str] = {}
        unreadable: list[Path] = []
        changed: list[tuple[str, int, int, str]] = []
        for path in paths:
            name = str(path)
            try:
                status = os.stat(name)
            except FileNotFoundError:
                continue
            except OSError:
                unreadable.append(path)
                continue
            if not stat.S_ISREG(status.st_mode):  # a FIFO would block the run, a device never end
                unreadable.append(path)
                continue
            known = stored.get(name)
            if known is not None and known[0] == status.st_size and known[1] == status.st_mtime_ns:
                digests[path] = known[2]
                continue
            try:
                data = read_regular(path)
            except FileNotFoundError:
                continue
            except OSError:
                unreadable.append(path)
                continue
            digests[path] = digest = file_digest(data)
            if len(data) == status.st_size:  # not written to while it was read
                changed.append((name, status.st_size, status.st_mtime_ns, digest))
        if changed:
            self.write("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", changed)
        return digests, unreadable

    def forget_files(self, below: Path, present: Iterable[Path]) -> None:
        """Prune the entries of files below ``below`` that are not ``present`` any more: their
        digests, their summaries and their results."""
        keep = {str(path) for path in present}
        prefix = str(below).rstrip(os.sep) + os.sep
        gone: list[str] = []
        with self._using() as connection:
            if connection is None:
                return
            pattern = _like_prefix(prefix)
            gone = [
                name
                for (name,) in connection.execute(
                    "SELECT path FROM files WHERE path LIKE ? ESCAPE '\\'", (pattern,)
                )
                if name not in keep
            ]
        if gone:
            rows = [(name,) for name in gone]
            self.write_many(
                [
                    ("DELETE FROM files WHERE path = ?", rows),
                    (_DELETE_NAMES_OF_PATH, rows),
                    ("DELETE FROM summaries WHERE path = ?", rows),
                    ("DELETE FROM results WHERE path = ?", rows),
                ]
            )

    # --- summaries --------------------------------------------------------------------------
    def summary_keys(self, keys: Iterable[str]) -> dict[str, bool]:
        """Which of ``keys`` have a stored summary, and whether each is of readable source."""
        found: dict[str, bool] = {}
        with self._using() as connection:
            if connection is not None:
                query = "SELECT key, readable FROM summaries WHERE key IN ({})"
                for key, readable in _rows_in(connection, query, keys):
                    found[key] = bool(readable)
        return found

    def summary(self, key: str) -> bytes | None:
        """The stored bytes of a summary (``decode_summary`` reads them), or None."""
        row = None
        with self._using() as connection:
            if connection is not None:
                query = "SELECT data FROM summaries WHERE key = ?"
                row = connection.execute(query, (key,)).fetchone()
        return row[0] if row is not None else None

    def forget_summary(self, key: str) -> None:
        """Drop a summary (and its names) that cannot be used: the next run makes it anew."""
        rows = [(key,)]
        self.write_many(
            [
                ("DELETE FROM names WHERE key = ?", rows),
                ("DELETE FROM summaries WHERE key = ?", rows),
            ]
        )

    def store_summaries(self, rows: Sequence[tuple[str, str, bool, bytes, Sequence[str]]]) -> bool:
        """Store (key, the file's path, readable, the summary encoded, the names it
        mentions) rows; a path's summaries of older content are dropped. False if they could
        not be stored."""
        if not rows:
            return True
        older = [(path, key) for key, path, _, _, _ in rows]
        return self.write_many(
            [
                (f"{_DELETE_NAMES_OF_PATH} AND key != ?", older),
                ("DELETE FROM summaries WHERE path = ? AND key != ?", older),
                (
                    "INSERT OR REPLACE INTO summaries VALUES (?, ?, ?, ?)",
                    [(key, path, int(readable), text) for key, path, readable, text, _ in rows],
                ),
                (
                    "INSERT OR IGNORE INTO names VALUES (?, ?)",
                    [(item, key) for key, _, _, _, entries in rows for item in entries],
                ),
            ]
        )

    def names_with(self, entries: Sequence[str]) -> dict[str, list[str]] | None:
        """The keys of the summaries that mention each of ``entries``
        (``asynclint.index.names``); None when the store cannot answer."""
        found: dict[str, list[str]] = {item: [] for item in entries}
        answered = False
        with self._using() as connection:
            if connection is not None:
                query = "SELECT entry, key FROM names WHERE entry IN ({})"
                for item, key in _rows_in(connection, query, entries):
                    found[item].append(key)
                answered = True
        return found if answered else None

    def names_of_kind(self, prefix: str) -> list[str] | None:
        """The names of the entries that start with ``prefix`` (``kind\0``); None when the
        store cannot answer."""
        found: list[str] | None = None
        with self._using() as connection:
            if connection is not None:
                query = "SELECT DISTINCT entry FROM names WHERE entry >= ? AND entry < ?"
                end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                rows = connection.execute(query, (prefix, end))
                found = [item[len(prefix) :] for (item,) in rows]
        return found

    # --- results ----------------------------------------------------------------------------
    def results(self, paths: Iterable[str]) -> dict[str, tuple[str, str, str, str]]:
        """For each path with a stored result: (digest, context, dependencies, payload)."""
        found: dict[str, tuple[str, str, str, str]] = {}
        with self._using() as connection:
            if connection is not None:
                query = (
                    "SELECT path, digest, context, dependencies, payload FROM results "
                    "WHERE path IN ({})"
                )
                for path, *row in _rows_in(connection, query, paths):
                    found[path] = (row[0], row[1], row[2], row[3])
        return found

    def store_results(self, rows: Sequence[tuple[str, str, str, str, str]]) -> None:
        if rows:
            self.write("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", rows)

    # --- listings ---------------------------------------------------------------------------
    def listing(
        self, root: str, key: str
    ) -> tuple[list[str], dict[str, int], dict[str, list[int]]] | None:
        """The kept list of a project's files, made with options ``key``: (files, folder
        times, settings files' sizes and times); None when there is none (or it is damaged)."""
        row = None
        with self._using() as connection:
            if connection is not None:
                query = "SELECT data FROM listings WHERE root = ? AND key = ?"
                row = connection.execute(query, (root, key)).fetchone()
        data = decode(row[0]) if row is not None else None
        try:
            return (data["files"], data["folders"], data["read"]) if data is not None else None
        except KeyError:
            return None

    def keep_listing(
        self,
        root: str,
        key: str,
        files: list[str],
        folders: dict[str, int],
        read: dict[str, list[int]],
    ) -> None:
        data = encode({"files": files, "folders": folders, "read": read})
        self.write("INSERT OR REPLACE INTO listings VALUES (?, ?, ?)", [(root, key, data)])

    # --- writing ----------------------------------------------------------------------------
    def write(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        self.write_many([(statement, rows)])

    def write_many(self, statements: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> bool:
        """Run the statements in one transaction: all of them take effect, or none (and then
        the answer is False)."""
        done = False
        with self._using() as connection:
            if connection is None:
                return False
            with _transaction(connection):
                for statement, rows in statements:
                    connection.executemany(statement, rows)
            done = True
        return done


# The names entries of a path's summaries (``... AND key != ?``: but one).
_DELETE_NAMES_OF_PATH = "DELETE FROM names WHERE key IN (SELECT key FROM summaries WHERE path = ?)"


# How many times a store being set up by another run at the same moment is tried again.
_SETUP_ATTEMPTS = 40


def _when_unlocked(
    prepare: Callable[[sqlite3.Connection], None], connection: sqlite3.Connection
) -> None:
    """``prepare(connection)``, tried again while another run holds the lock: changing the
    journal mode or the schema of a new store can fail at once with "database is locked"
    instead of waiting, when two runs open it together."""
    for attempt in range(_SETUP_ATTEMPTS):
        try:
            prepare(connection)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == _SETUP_ATTEMPTS - 1:
                raise
            time.sleep(0.05 + 0.05 * attempt)


def _drop_tables(connection: sqlite3.Connection) -> None:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    for (name,) in rows:
        if not name.startswith("sqlite_"):
            connection.execute(f'DROP TABLE IF EXISTS "{name}"')


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _rows_in(connection: sqlite3.Connection, query: str, items: Iterable[str]) -> Iterator[tuple]:
    """The rows of ``query``, whose ``IN ({})`` is filled with ``items``, asked in batches
    (below SQLite's limit on variables)."""
    values = list(items)
    for start in range(0, len(values), _BATCH):
        batch = values[start : start + _BATCH]
        yield from connection.execute(query.format(",".join("?" * len(batch))), batch)


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def store_files(directory: Path) -> list[Path]:
    """What asynclint keeps in a cache folder: the store (with SQLite's side files) and the
    summary folders of older versions."""
    found = [directory / f"{STORE_NAME}{suffix}" for suffix in ("", "-wal", "-shm", "-journal")]
    try:
        found.extend(entry for entry in directory.iterdir() if entry.name.startswith("index-"))
    except OSError:
        pass
    return [path for path in found if path.exists()]


def mark_cache_folder(directory: Path) -> None:
    """Give a cache folder its own ``.gitignore``, so it never lands in a commit; but only a
    folder that holds nothing else (a cache set to a project's own folder must not hide it)."""
    ignore = directory / ".gitignore"
    if ignore.exists():
        return
    ours = {path.name for path in store_files(directory)}
    if all(entry.name in ours for entry in directory.iterdir()):
        ignore.write_text("# Made by asynclint: a cache, never committed.\n*\n", encoding="utf-8")
