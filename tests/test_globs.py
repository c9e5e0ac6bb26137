"""The two matchers: configured globs (ruff's semantics, by wcmatch) and ignore files (git's,
by pathspec). Each expectation here was checked against ruff 0.17 (``per-file-ignores`` and
``extend-exclude`` on the same tree) or ``git check-ignore``."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from asynclint.discovery import GitIgnore
from asynclint.globs import Glob, GlobSet, globs

BASE = "/work/proj"


def _matches(pattern: str, relative: str) -> bool:
    return GlobSet(globs([pattern], BASE)).matches(f"{BASE}/{relative}", relative.split("/")[-1])


@pytest.mark.parametrize(
    ("pattern", "relative"),
    [
        ("tests/*", "tests/sub/x.py"),  # `*` crosses `/`
        ("src/*.py", "src/a/b.py"),
        ("a**b.py", "axyzb.py"),
        ("pkg/**/m.py", "pkg/m.py"),  # `**/` may stand for no folder
        ("pkg/**/m.py", "pkg/a/b/m.py"),
        ("test_*.py", "src/test_q.py"),  # no `/`: a name anywhere
        ("test_*.py", "test_a/b/c.py"),  # ... and a path below the folder, as ruff has it
        ("m.py", "deep/er/m.py"),
        ("./tests/*", "tests/t.py"),
        ("build/", "build"),
        ("file[[:digit:]].py", "file1.py"),
        ("[!x].py", "a.py"),
        ("src/*", "src/.hidden/x.py"),  # `*` takes a leading dot
    ],
)
def test_configured_glob_matches(pattern: str, relative: str) -> None:
    assert _matches(pattern, relative)


@pytest.mark.parametrize(
    ("pattern", "relative"),
    [
        ("tests/*", "other/tests/x.py"),  # anchored at the configuration's folder
        ("src/*.py", "src/a/b.txt"),
        ("pkg/**/m.py", "pkg/a/mm.py"),
        ("test_*.py", "src/atest_q.py"),
        ("file[[:digit:]].py", "fileX.py"),
        ("[!x].py", "x.py"),
        ("Tests/*", "tests/x.py"),  # case counts
    ],
)
def test_configured_glob_near_misses(pattern: str, relative: str) -> None:
    assert not _matches(pattern, relative)


def test_a_glob_without_a_folder_matches_names_only() -> None:
    found = GlobSet([Glob("build"), Glob("sub/x.py")])
    assert found.matches("/anywhere/build", "build")
    assert not found.matches("/anywhere/sub/x.py", "x.py")


def test_an_absolute_glob_matches_whole_paths() -> None:
    found = GlobSet(globs(["/opt/gen/*"], BASE))
    assert found.matches("/opt/gen/a/b.py", "b.py")
    assert not found.matches(f"{BASE}/opt/gen/b.py", "b.py")


def test_folder_names_with_glob_characters_are_literal() -> None:
    found = GlobSet(globs(["x.py"], "/work/[p]roj"))
    assert found.matches("/work/[p]roj/x.py", "x.py")
    found = GlobSet(globs(["sub/x.py"], "/work/[p]roj"))
    assert found.matches("/work/[p]roj/sub/x.py", "x.py")
    assert not found.matches("/work/proj/sub/x.py", "x.py")


def _ignored(text: str, relative: str, is_dir: bool = False) -> bool | None:
    return GitIgnore(Path("/r"), text).verdict_of(f"/r/{relative}", is_dir)


@pytest.mark.parametrize(
    ("text", "relative", "verdict"),
    [
        ("file[[:digit:]].py\n", "file1.py", True),
        ("file[[:digit:]].py\n", "fileX.py", None),
        ("[[:alpha:]]_[[:upper:]].py\n", "a_B.py", True),
        ("[[:alpha:]]_[[:upper:]].py\n", "a_b.py", None),
        ("[![:digit:]].py\n", "a.py", True),
        ("[![:digit:]].py\n", "1.py", None),
        ("[[:alpha:][:digit:]]x.py\n", "7x.py", True),
        ("[[:alpha:][:digit:]]x.py\n", "__x.py", None),
        ("a**b.py\n", "axyzb.py", True),  # `**` beside other characters is `*`
        ("a**b.py\n", "ab.py", True),
        ("a**b.py\n", "d/axb.py", True),
        ("a**b.py\n", "a/x/b.py", None),
        ("x/**/y.py\n", "x/y.py", True),
        ("x/**/y.py\n", "x/a/b/y.py", True),
        ("docs/*.txt\n", "docs/a/b.txt", None),  # in .gitignore, `*` stays within a folder
        ("build/\n", "build", True),
        ("build/\n", "build.py", None),
        ("*.py\n!keep.py\n", "keep.py", False),
        ("!keep.py\nk*.py\n", "keep.py", True),  # the last matching line decides
        ("[[]x.py\n", "[x.py", True),
    ],
)
def test_gitignore_as_git_matches(text: str, relative: str, verdict: bool | None) -> None:
    is_dir = relative == "build"
    assert _ignored(text, relative, is_dir) is verdict


def test_gitignore_patterns_print_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ignore = GitIgnore(Path("/r"), "file[[:digit:]].py\n[[]x.py\n[[:punct:]].py\n")
        assert ignore.verdict_of("/r/file7.py", False) is True


def test_a_line_pathspec_cannot_take_is_left_out() -> None:
    ignore = GitIgnore(Path("/r"), "gen.py\n***\\\n")
    assert ignore.verdict_of("/r/gen.py", False) is True
    assert ignore.verdict_of("/r/other.py", False) is None
