"""Which files to lint: directories recursively (``.py`` and ``.pyi``), minus what the
configuration excludes, what ``.gitignore`` files exclude, and virtual environments.

Paths named on the command line are linted even when excluded, as ruff and flake8 do, unless
``--force-exclude`` is given (what pre-commit hooks want). Symbolic links to directories inside a
tree are not followed (as git does); a link named on the command line is.
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from asynclint.config import ConfigFinder, GlobSet, glob_set, relative_posix
from asynclint.diagnostics import Problem
from asynclint.index.store import GIVEN_FOLDER, STORE_NAME, Store
from asynclint.listing import WalkRecord, keep_walked, listing_key

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class _IgnorePattern:
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool


def _gitignore_regex(pattern: str) -> re.Pattern[str]:
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        elif char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out) + r"\Z")


class GitIgnore:
    """The patterns of one ``.gitignore`` (or ``.git/info/exclude``), relative to ``base``."""

    def __init__(self, base: Path, text: str) -> None:
        self.base = base
        self.patterns: list[_IgnorePattern] = []
        for raw in text.splitlines():
            line = raw.rstrip("\n\r")
            if not line or line.startswith("#"):
                continue
            if not line.endswith("\\ "):
                line = line.rstrip(" ")
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            elif line.startswith("\\!") or line.startswith("\\#"):
                line = line[1:]
            directory_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            self.patterns.append(_IgnorePattern(_gitignore_regex(line), negated, directory_only))
        self._prefix = base.as_posix().rstrip("/") + "/"
        # Without ``!`` patterns, a match of any pattern is the verdict: one regex for files,
        # one for folders. With them, the last matching pattern decides.
        self._simple: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None
        if not any(pattern.negated for pattern in self.patterns):
            for_files = [p.regex.pattern for p in self.patterns if not p.directory_only]
            for_dirs = [p.regex.pattern for p in self.patterns]
            self._simple = (_any_regex(for_files), _any_regex(for_dirs))

    @classmethod
    def load(cls, path: Path, base: Path) -> GitIgnore | None:
        try:
            return cls(base, path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no pattern matches)."""
        return self.verdict_of(path.as_posix(), is_dir)

    def verdict_of(self, full: str, is_dir: bool) -> bool | None:
        """``verdict`` of a path given as a string with ``/`` separators."""
        if not full.startswith(self._prefix):
            # Outside the folder, or the folder itself: a .gitignore speaks about its folder's
            # contents, not the folder.
            return None
        relative = full[len(self._prefix) :]
        if not relative:
            return None
        if self._simple is not None:
            regex = self._simple[1] if is_dir else self._simple[0]
            return True if regex is not None and regex.match(relative) else None
        for pattern in reversed(self.patterns):
            if pattern.directory_only and not is_dir:
                continue
            if pattern.regex.match(relative):
                return not pattern.negated
        return None


def _any_regex(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


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
    """The ignore files that apply to ``directory``'s contents from above it (from the
    repository root down), and its own ``.gitignore`` with ``include_self``."""
    root = _git_root(directory)
    if root is None:
        return []
    ignores = []
    exclude = GitIgnore.load(root / ".git" / "info" / "exclude", root)
    if exclude is not None:
        ignores.append(exclude)
    chain = [directory, *directory.parents]
    chain = chain[: chain.index(root) + 1]
    for current in reversed(chain):
        if current == directory and not include_self:
            continue
        loaded = GitIgnore.load(current / ".gitignore", current)
        if loaded is not None:
            ignores.append(loaded)
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
        self._roots: dict[Path, Path] = {}
        # By resolved folder: the resolved root its excludes are relative to, and their globs.
        self._settings: dict[str, tuple[str, GlobSet]] = {}

    def _excluded(self, path: Path) -> bool:
        settings = self.configs.for_path(path)
        relative = relative_posix(path, settings.root)
        return glob_set(settings.all_excludes).matches(relative, path.name)

    def _resolved_root(self, root: Path) -> Path:
        resolved = self._roots.get(root)
        if resolved is None:
            resolved = self._roots[root] = root.resolve()
        return resolved

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
        ignores = _ancestor_ignores(folder)
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
        own = GitIgnore.load(Path(real) / ".gitignore", Path(real))
        if own is not None:
            ignores = [*ignores, own]
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
                    if link and not entry.is_file():
                        if not entry.is_dir():
                            self.problems.append(Problem(entry.path, "broken symbolic link"))
                        continue
                    if _is_ignored(real_path, False, ignores):
                        continue
                    if link:  # judged where it points (``relative_posix`` resolves it)
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
            root = self._resolved_root(settings.root).as_posix().rstrip("/") + "/"
            found = self._settings[folder] = (root, glob_set(settings.all_excludes))
        root, globs = found
        relative = real_path[len(root) :] if real_path.startswith(root) else real_path
        return globs.matches(relative, name)


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


def _dangling_link_text(path: Path) -> str:
    """Why a symbolic link leads to nothing: a loop, or a target that does not exist."""
    try:
        os.stat(path)
    except OSError as error:
        return _os_error_text(error) if error.errno == errno.ELOOP else "broken symbolic link"
    return "broken symbolic link"
