"""A project's list of Python files, kept in its cache store between runs.

A run that checks one file of a large project still lists every file of it, for the project
index: walking Home Assistant's 2,800 folders costs half a second, more than the rest of a
warm run. The list is kept with what it depends on (``WalkRecord``): the modification time of
every folder walked (a file or folder added, removed or renamed in a folder changes it), the
size and time of each configuration file the walk read (``pyproject.toml``, ``.gitignore``,
``.ignore``, ``.git/info/exclude``), and which of those files (and ``.git``) the folders above
the project hold. A later run with the same options uses the list when all of them are as
they were, which costs a ``stat`` per folder; otherwise it walks again. A list whose folders
changed within the last seconds is not kept: a file system's clock may not tell a change made
in the same tick.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from asynclint.index.store import Store

# The configuration files a walk reads in each folder, and above the project.
SETTINGS_FILES = (".gitignore", ".ignore", "pyproject.toml")
# A folder changed more recently than this before the walk began may change again unseen.
_SETTLED_SECONDS = 2.0
# The size and time recorded of a file that is not there, and of one that only has to be.
_ABSENT = [-1, -1]
_PRESENT = [-2, -2]


@dataclass
class WalkRecord:
    """What a walk found depends on, besides its options."""

    folders: dict[str, int] = field(default_factory=dict)  # path -> modification time (ns)
    # Path -> [size, time (ns)], or ``_ABSENT``, or ``_PRESENT`` (there, whatever it holds).
    files: dict[str, list[int]] = field(default_factory=dict)

    def note_folder(self, folder: str) -> None:
        """A folder the walk read (or skipped for what it holds), with its settings files."""
        try:
            self.folders[folder] = os.stat(folder).st_mtime_ns
        except OSError:
            self.folders[folder] = -1
        for name in SETTINGS_FILES:
            self.note_file(os.path.join(folder, name))

    def note_file(self, path: str, absent: bool = False) -> None:
        """A file the walk may have read: its size and time if it is there; with ``absent``,
        that it is not (else one that appears later changes its folder's time)."""
        try:
            status = os.stat(path)
        except OSError:
            if absent:
                self.files[path] = _ABSENT
            return
        self.files[path] = [status.st_size, status.st_mtime_ns]

    def note_above(self, root: Path) -> None:
        """What the folders above ``root`` hold that applies to it: settings files, and
        whether it is inside a git repository (not their times, which anything changes)."""
        for folder in [root, *root.parents]:
            if folder != root:
                for name in SETTINGS_FILES:
                    self.note_file(str(folder / name), absent=True)
                git = str(folder / ".git")
                self.files[git] = _PRESENT if os.path.exists(git) else _ABSENT
            self.note_file(str(folder / ".git" / "info" / "exclude"), absent=True)

    def merge(self, other: WalkRecord) -> None:
        self.folders.update(other.folders)
        self.files.update(other.files)

    def holds(self) -> bool:
        """Whether every folder and file is as it was."""
        for folder, mtime in self.folders.items():
            try:
                if os.stat(folder).st_mtime_ns != mtime:
                    return False
            except OSError:
                if mtime != -1:
                    return False
        return all(_state(path, recorded) == recorded for path, recorded in self.files.items())

    def settled(self, began: float) -> bool:
        """Whether nothing recorded changed in the seconds before the walk ``began``."""
        limit = int((began - _SETTLED_SECONDS) * 1e9)
        times = [*self.folders.values(), *(mtime for _, mtime in self.files.values())]
        times = [mtime for mtime in times if mtime >= 0]
        return all(mtime < limit for mtime in times)


def _state(path: str, recorded: list[int]) -> list[int]:
    try:
        status = os.stat(path)
    except OSError:
        return _ABSENT
    return _PRESENT if recorded == _PRESENT else [status.st_size, status.st_mtime_ns]


def listing_key(*options: object) -> str:
    """The digest of the options a walk ran with (and the working folder, which roots the
    default settings' excludes)."""
    text = json.dumps([os.getcwd(), *map(str, options)])
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def kept_listing(
    store: Store | None,
    root: Path,
    key: str,
    walk: Callable[[WalkRecord], tuple[list[Path], bool]],
) -> list[Path]:
    """The Python files of project ``root`` (resolved): the kept list when nothing it depends
    on changed, else ``walk``'s (which fills the record, and says whether the walk went
    without a problem: a list made despite one is not kept)."""
    kept = store.listing(str(root), key) if store is not None else None
    if kept is not None:
        files, folders, read = kept
        if WalkRecord(folders, read).holds():
            return [Path(name) for name in files]
    record = WalkRecord()
    began = time.time()
    found, clean = walk(record)
    if clean:
        keep_walked(store, root, key, found, record, began)
    return found


def keep_walked(
    store: Store | None,
    root: Path | str,
    key: str,
    files: Sequence[Path | str],
    record: WalkRecord,
    began: float,
) -> None:
    """Keep the list of ``root``'s files that a walk begun at ``began`` found (``record``: what
    it depends on), unless the same list is kept already."""
    if store is None or not record.settled(began):
        return
    names = [str(path) for path in files]
    kept = store.listing(str(root), key)
    if kept is None or kept[0] != names:
        store.keep_listing(str(root), key, names, record.folders, record.files)
