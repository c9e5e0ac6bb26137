"""Configured globs (``exclude``, ``extend-exclude``, ``per-file-ignores``, ``test-paths``),
matched as ruff matches them.

A pattern is relative to the folder of the configuration that wrote it (the working directory
for command-line options and ``--config FILE``). It matches a path when it matches the path
below that folder, or the path's last part (a file or folder name): ``*`` and ``?`` cross
``/`` (``tests/*`` reaches ``tests/sub/x.py``, ``test_*.py`` a file of that name anywhere),
``**/`` stands for any number of folders (none included), and ``[...]`` takes POSIX classes
(``[[:digit:]]``). Matching is ``wcmatch``'s: its ``fnmatch`` for the crossing stars, its
``glob`` for the folders ``**/`` may leave out (a path either one matches is matched).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from wcmatch import fnmatch as wc_fnmatch
from wcmatch import glob as wc_glob

_FNMATCH_FLAGS = wc_fnmatch.DOTMATCH | wc_fnmatch.CASE | wc_fnmatch.FORCEUNIX | wc_fnmatch.BRACE
_GLOB_FLAGS = wc_glob.GLOBSTAR | wc_glob.DOTMATCH | wc_glob.CASE | wc_glob.FORCEUNIX | wc_glob.BRACE


@dataclass(frozen=True)
class Glob:
    """A configured pattern and the folder (resolved, with ``/`` separators) it is relative
    to; with no folder, it matches names only."""

    pattern: str
    base: str = ""

    @property
    def cleaned(self) -> str:
        pattern = self.pattern.strip()
        if pattern.startswith("./"):
            pattern = pattern[2:]
        return pattern.rstrip("/") or pattern

    @property
    def anchored(self) -> str | None:
        """The pattern as one over whole paths, or None for a name-only one."""
        pattern = self.cleaned
        if pattern.startswith("/"):
            return pattern
        if not self.base:
            return None
        return f"{wc_glob.escape(self.base.rstrip('/'))}/{pattern}"


def globs(patterns: Iterable[str], base: str = "") -> tuple[Glob, ...]:
    """``patterns`` relative to ``base``."""
    return tuple(Glob(pattern, base) for pattern in patterns)


class GlobSet:
    """Globs compiled into one test of a path (whole, resolved, with ``/`` separators) and its
    name: wcmatch's translations of them, joined into one regular expression for each (a walk
    asks it of every file and folder)."""

    def __init__(self, patterns: Iterable[Glob]) -> None:
        patterns = tuple(patterns)
        whole = [pattern for pattern in (glob.anchored for glob in patterns) if pattern]
        names = [glob.cleaned for glob in patterns if "/" not in glob.cleaned]
        self._whole = _joined(
            _translated(wc_fnmatch.translate, whole, _FNMATCH_FLAGS)
            + _translated(wc_glob.translate, whole, _GLOB_FLAGS)
        )
        self._names = _joined(_translated(wc_fnmatch.translate, names, _FNMATCH_FLAGS))

    def matches(self, path: str, name: str) -> bool:
        if self._names is not None and self._names.match(name):
            return True
        return self._whole is not None and self._whole.match(path) is not None


def _translated(
    translate: Callable[..., tuple[list[str], list[str]]], patterns: list[str], flags: int
) -> list[str]:
    return translate(patterns, flags=flags)[0] if patterns else []


def _joined(expressions: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{e})" for e in expressions)) if expressions else None


@lru_cache(maxsize=256)
def glob_set(patterns: tuple[Glob, ...]) -> GlobSet:
    """The compiled ``GlobSet`` of configured patterns (made once per set)."""
    return GlobSet(patterns)
