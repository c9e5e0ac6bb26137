"""Which files to lint: directories recursively (``.py`` and ``.pyi``), minus what the
configuration excludes, what ``.gitignore`` and ``.ignore`` files exclude, and virtual
environments.

Paths named on the command line are linted even when excluded, as ruff and flake8 do, unless
``--force-exclude`` is given (what pre-commit hooks want). Symbolic links to directories inside a
tree are not followed (as git does); a link named on the command line is.
"""

from __future__ import annotations

import copy
import errno
import os
import re
import stat
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from pathspec import GitIgnoreSpec

from asynclint.config import ConfigFinder
from asynclint.diagnostics import Problem
from asynclint.globs import GlobSet, glob_set
from asynclint.index.store import GIVEN_FOLDER, STORE_NAME, Store, kind_of, read_regular
from asynclint.listing import WalkRecord, keep_walked, listing_key

PYTHON_SUFFIXES = (".py", ".pyi")


# POSIX character classes git takes in a bracket expression (``[[:digit:]]``), as the sets
# pathspec's patterns can hold.
_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \t",
    "digit": "0-9",
    "lower": "a-z",
    "space": " \t\n\r\f\v",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}
_POSIX_CLASS = re.compile(r"\[:([a-z]+):\]")
# Where ignore files are read: ``.gitignore`` (and ``.git/info/exclude``) as git reads them, then
# ``.ignore`` (as ruff and ripgrep read it), whose verdict wins over the ``.gitignore`` beside it.
IGNORE_FILES = (".gitignore", ".ignore")


def _with_posix_classes(line: str) -> str:
    """``line`` with the POSIX classes inside its bracket expressions written as sets (one
    outside a bracket, ``[:digit:]`` alone, is itself a bracket of those characters)."""
    start = 0
    while (match := _POSIX_CLASS.search(line, start)) is not None:
        before = line[: match.start()]
        inside = before.rfind("[") > before.rfind("]")
        written = _POSIX_CLASSES.get(match.group(1)) if inside else None
        if written is None:
            start = match.end()
            continue
        line = before + written + line[match.end() :]
        start = len(before) + len(written)
    return line


def _ignore_spec(lines: list[str]) -> GitIgnoreSpec:
    """The spec of an ignore file's lines, by pathspec; a line git would not take (or that
    pathspec cannot) is left out, as git leaves it, rather than failing the whole file."""
    lines = [_with_posix_classes(line) for line in lines]
    with warnings.catch_warnings():
        # A bracket holding ``[`` reads as a nested set to ``re``, which warns; it means ``[``.
        warnings.simplefilter("ignore", FutureWarning)
        try:
            return GitIgnoreSpec.from_lines(lines)
        except ValueError:
            kept = [line for line in lines if _compiles(line)]
            return GitIgnoreSpec.from_lines(kept)


def _compiles(line: str) -> bool:
    try:
        GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


class GitIgnore:
    """The patterns of one ``.gitignore`` (or ``.ignore``, or ``.git/info/exclude``),
    relative to ``base``, matched by pathspec's ``GitIgnoreSpec``."""

    def __init__(self, base: Path, text: str) -> None:
        self.base = base
        self.spec = _ignore_spec(text.splitlines())
        self._prefix = base.as_posix().rstrip("/") + "/"

    @classmethod
    def load(cls, path: Path, base: Path) -> GitIgnore | None:
        try:  # a FIFO named ``.gitignore`` must not block the run
            return cls(base, read_regular(path).decode("utf-8", errors="replace"))
        except OSError:
            return None

    def for_contents_of(self, folder: Path) -> GitIgnore:
        """The patterns that apply below ``folder`` when it is named on the command line: not
        those that match it or a folder between it and this file's own, which would ignore
        all of it (a named folder is linted even when ignored, as in ruff; the files in it
        that a pattern ignores by their own path are not)."""
        relative = folder.as_posix()[len(self._prefix) :].strip("/")
        if not folder.as_posix().startswith(self._prefix) or not relative:
            return self
        parts = relative.split("/")
        above = ["/".join(parts[:end]) + "/" for end in range(1, len(parts) + 1)]
        kept = [
            pattern
            for pattern in self.spec.patterns
            if not (pattern.include and any(pattern.match_file(name) for name in above))
        ]
        if len(kept) == len(self.spec.patterns):
            return self
        narrowed = copy.copy(self)
        narrowed.spec = GitIgnoreSpec(kept)
        return narrowed

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no pattern matches)."""
        return self.verdict_of(path.as_posix(), is_dir)

    def verdict_of(self, full: str, is_dir: bool) -> bool | None:
        """``verdict`` of a path given as a string with ``/`` separators."""
        if not full.startswith(self._prefix):
            # Outside the folder, or the folder itself: an ignore file speaks about its
            # folder's contents, not the folder.
            return None
        relative = full[len(self._prefix) :]
        if not relative:
            return None
        return self.spec.check_file(f"{relative}/" if is_dir else relative).include


def _folder_ignores(folder: Path, names: tuple[str, ...] = IGNORE_FILES) -> list[GitIgnore]:
    """The ignore files of one folder, in the order their verdicts apply (the last wins)."""
    found = (GitIgnore.load(folder / name, folder) for name in names)
    return [ignore for ignore in found if ignore is not None]


def _is_ignored(path: Path | str, is_dir: bool, ignores: list[GitIgnore]) -> bool:
    """Whether the ignore files git-ignore ``path`` (a string with ``/`` separators)."""
    full = path if isinstance(path, str) else path.as_posix()
    ignored = False
    for ignore in ignores:  # outermost first: a deeper .gitignore overrides
        verdict = ignore.verdict_of(full, is_dir)
        if verdict is not None:
            ignored = verdict
    return ignored


def _git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _ancestor_ignores(directory: Path, include_self: bool = False) -> list[GitIgnore]:
    """The ignore files that apply to ``directory``'s contents from above it, outermost
    first, and its own with ``include_self``: ``.ignore`` files from every folder above (as
    ruff reads them), ``.gitignore`` files (and ``.git/info/exclude``) from the repository's
    root down, when it is in one."""
    root = _git_root(directory)
    ignores = []
    if root is not None:
        exclude = GitIgnore.load(root / ".git" / "info" / "exclude", root)
        if exclude is not None:
            ignores.append(exclude)
    for current in reversed([directory, *directory.parents]):
        if current == directory and not include_self:
            continue
        in_repository = root is not None and (current == root or root in current.parents)
        ignores.extend(_folder_ignores(current, IGNORE_FILES if in_repository else (".ignore",)))
    return ignores


class FileFinder:
    """Expands command-line paths into the files to lint."""

    def __init__(
        self,
        configs: ConfigFinder,
        force_exclude: bool = False,
        record: WalkRecord | None = None,
        listings: Callable[[Path], Store | None] | None = None,
    ) -> None:
        self.configs = configs
        self.force_exclude = force_exclude
        # What the folders walked depend on, for a list kept between runs, and when the walk
        # began.
        self.record = record
        # With a record: the store that keeps the list of a folder named on the command line
        # (resolved), for the next run to use instead of walking it when nothing changed.
        self.listings = listings
        self.began = time.time()
        self.problems: list[Problem] = []
        # Each file found, resolved; and each folder walked whole (resolved) with its files
        # (resolved): a project's index need not walk it again.
        self.resolved: dict[Path, Path] = {}
        self.walked: dict[Path, list[Path]] = {}
        # By resolved folder: the globs of its excludes.
        self._settings: dict[str, GlobSet] = {}

    def _excluded(self, path: Path) -> bool:
        settings = self.configs.for_path(path)
        return glob_set(settings.all_excludes).matches(path.resolve().as_posix(), path.name)

    def _force_excluded(self, path: Path) -> bool:
        """With ``--force-exclude``: whether a path named on the command line is skipped because
        it, or a folder above it, is git-ignored or excluded (below its configuration's folder)."""
        resolved = path.resolve()
        ignores = _ancestor_ignores(resolved.parent, include_self=True)
        if self._excluded(resolved) or _is_ignored(resolved, resolved.is_dir(), ignores):
            return True
        root = self.configs.for_path(resolved).root
        for folder in resolved.parents:
            if _is_ignored(folder, True, ignores):
                return True
            if root in folder.parents and self._excluded(folder):
                return True
        return False

    def find(self, paths: list[str]) -> list[Path]:
        """The files to lint, each once (by its resolved path), in the order found."""
        files: dict[Path, Path] = {}
        for raw in paths:
            path = Path(raw)
            try:
                if path.is_dir():
                    if self.force_exclude and self._force_excluded(path):
                        continue
                    folder = path.resolve()
                    walked = self.walked.setdefault(folder, [])
                    for found, real in self._folder_files(path, folder):
                        files.setdefault(real, found)
                        walked.append(real)
                elif path.exists():
                    if self.force_exclude and self._force_excluded(path):
                        continue
                    mode = os.stat(path).st_mode
                    if not stat.S_ISREG(mode):  # a FIFO, a device: never opened
                        self.problems.append(Problem(raw, kind_of(mode)))
                        continue
                    files.setdefault(path.resolve(), path)
                elif path.is_symlink():
                    self.problems.append(Problem(raw, _dangling_link_text(path)))
                else:
                    self.problems.append(Problem(raw, "no such file or directory"))
            except OSError as error:
                self.problems.append(Problem(raw, _os_error_text(error)))
            except RuntimeError as error:  # symlink loops on older Pythons
                self.problems.append(Problem(raw, f"cannot resolve path: {error}"))
        self.resolved.update((shown, real) for real, shown in files.items())
        return list(files.values())

    def _folder_files(self, path: Path, folder: Path) -> list[tuple[Path, Path]]:
        """The files below ``path``, a folder named on the command line (``folder``: resolved),
        each as shown and resolved: the list kept from an earlier run when nothing it depends
        on changed, else walked (and kept, when the walk met no problem)."""
        if self.record is None:
            return self._walked_files(path, folder, None)
        store = self.listings(folder) if self.listings is not None else None
        key = listing_key(
            self.configs.explicit, self.configs.exclude, self.configs.extend_exclude, "given", path
        )
        name = f"{folder}{GIVEN_FOLDER}"
        kept = store.listing(name, key) if store is not None else None
        if kept is not None:
            record = WalkRecord(kept[1], kept[2])
            if record.holds():
                self.record.merge(record)
                return [_from_kept(path, folder, entry) for entry in kept[0]]
        record = WalkRecord()
        began = time.time()
        problems = len(self.problems)
        found = self._walked_files(path, folder, record)
        self.record.merge(record)
        if store is not None and len(self.problems) == problems:
            entries = [_kept_entry(shown, real, path, folder) for shown, real in found]
            keep_walked(store, name, key, entries, record, began)
        return found

    def _walked_files(
        self, path: Path, folder: Path, record: WalkRecord | None
    ) -> list[tuple[Path, Path]]:
        if record is not None:
            record.note_above(folder)
            if self.configs.explicit is not None:
                record.note_file(str(self.configs.explicit), absent=True)
        ignores = [ignore.for_contents_of(folder) for ignore in _ancestor_ignores(folder)]
        walk = self._walk(str(path), ignores, set(), folder.as_posix(), record)
        return [(found, real or found.resolve()) for found, real in walk]

    def _walk(
        self,
        directory: str,
        ignores: list[GitIgnore],
        seen: set[str],
        real: str | None = None,
        record: WalkRecord | None = None,
    ) -> Iterator[tuple[Path, Path | None]]:
        """The Python files below ``directory`` (``real``: its resolved path, when known),
        each with its resolved path (None for a symbolic link: resolved by the caller). Paths
        stay strings here: a large tree has tens of thousands of entries. ``record`` notes
        what the walk depends on."""
        real = real if real is not None else Path(directory).resolve().as_posix()
        if real in seen:
            self.problems.append(Problem(directory, "symbolic link loop; not entered"))
            return
        seen.add(real)
        if record is not None:
            record.note_folder(real)
            for extended in self.configs.for_resolved_directory(Path(real)).extends:
                record.note_file(str(extended), absent=True)
        own = _folder_ignores(Path(real))
        if own:
            ignores = [*ignores, *own]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            self.problems.append(Problem(directory, _os_error_text(error)))
            return
        for entry in entries:
            real_path = f"{real.rstrip('/')}/{entry.name}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                        if record is not None:  # it may stop being a virtual environment
                            record.note_folder(real_path)
                        continue
                    if os.path.exists(os.path.join(entry.path, STORE_NAME)):
                        continue  # a cache folder of ours: no source, and it changes on each run
                    if _is_ignored(real_path, True, ignores) or self._excluded_below(
                        real_path, entry.name, real_path
                    ):
                        continue
                    yield from self._walk(entry.path, ignores, seen, real_path, record)
                elif entry.name.endswith(PYTHON_SUFFIXES):
                    link = entry.is_symlink()
                    if not entry.is_file():
                        if not entry.is_dir():
                            self.problems.append(Problem(entry.path, _not_a_file_text(entry)))
                        continue
                    if _is_ignored(real_path, False, ignores):
                        continue
                    if link:  # judged where it points (``_excluded`` resolves it)
                        if not self._excluded(Path(entry.path)):
                            yield Path(entry.path), None
                    elif not self._excluded_below(real_path, entry.name, real):
                        yield Path(entry.path), Path(real_path)
            except OSError as error:
                self.problems.append(Problem(entry.path, _os_error_text(error)))

    def _excluded_below(self, real_path: str, name: str, folder: str) -> bool:
        """``_excluded`` of a resolved path (a string) whose folder of settings is ``folder``:
        itself for a directory, its parent for a file."""
        found = self._settings.get(folder)
        if found is None:
            settings = self.configs.for_resolved_directory(Path(folder))
            found = self._settings[folder] = glob_set(settings.all_excludes)
        return found.matches(real_path, name)


def _kept_entry(shown: Path, real: Path, given: Path, folder: Path) -> str:
    """How a file found below the folder ``given`` (resolved: ``folder``) is kept: its path
    relative to it, and its resolved path when that is not the same path below ``folder`` (a
    symbolic link)."""
    relative = shown.relative_to(given)
    return str(relative) if folder / relative == real else f"{relative}\0{real}"


def _from_kept(given: Path, folder: Path, entry: str) -> tuple[Path, Path]:
    relative, _, real = entry.partition("\0")
    return given / relative, Path(real) if real else folder / relative


def _os_error_text(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    return error.strerror or str(error)


def _not_a_file_text(entry: os.DirEntry[str]) -> str:
    """Why an entry named like a Python file is not read: a FIFO, a device, a socket (or a
    symbolic link to one), a broken link."""
    try:
        return kind_of(os.stat(entry.path).st_mode)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
        return "broken symbolic link" if entry.is_symlink() else _os_error_text(error)


def _dangling_link_text(path: Path) -> str:
    """Why a symbolic link leads to nothing: a loop, or a target that does not exist."""
    try:
        os.stat(path)
    except OSError as error:
        return _os_error_text(error) if error.errno == errno.ELOOP else "broken symbolic link"
    return "broken symbolic link"
