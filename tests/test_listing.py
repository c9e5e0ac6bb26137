"""A project's list of files is kept in the cache store: a run that checks one file does not
walk the whole project again unless a folder or a settings file changed."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, write_tree

import asynclint.session
from asynclint.discovery import FileFinder
from asynclint.listing import WalkRecord


def _age(root: Path, seconds: float = 30.0) -> None:
    """Date every file and folder below ``root`` (and itself) ``seconds`` back: a list is kept
    only when its folders have not changed in the last moments."""
    then = time.time() - seconds
    for folder, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (then, then), follow_symlinks=False)
        os.utime(folder, (then, then))


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The project folders the session walks."""
    walked: list[str] = []

    class Counting(FileFinder):
        def find(self, paths: list[str]) -> list[Path]:
            walked.extend(paths)
            return super().find(paths)

    monkeypatch.setattr(asynclint.session, "FileFinder", Counting)
    return walked


def _project(project: Path) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": "",
            "pkg/__init__.py": "",
            "pkg/app.py": "from pkg.net import fetch\n\ndef main():\n    fetch()\n",
            "pkg/util.py": "",
        },
    )
    _age(project)


def _al101(run: Run, cache: Path) -> list[str]:
    output = run("-q", "--select", "AL101", "--cache-dir", str(cache), "pkg/app.py").stdout
    return [line.split(":")[0] for line in output.splitlines()]


def test_a_kept_list_spares_the_walk(project: Path, run: Run, walks: list[str]) -> None:
    _project(project)
    cache = project.parent / "cache"
    assert _al101(run, cache) == []
    assert len(walks) == 1
    assert _al101(run, cache) == []
    assert len(walks) == 1  # the list was kept
    # A new module changes its folder: the project is walked again, and the module is seen.
    (project / "pkg/net.py").write_text("async def fetch(): ...\n")
    assert _al101(run, cache) == ["pkg/app.py"]
    assert len(walks) == 2


def test_a_changed_settings_file_walks_again(project: Path, run: Run, walks: list[str]) -> None:
    _project(project)
    (project / "pkg/net.py").write_text("async def fetch(): ...\n")
    (project / ".gitignore").write_text("pkg/net.py\n")
    _age(project)
    cache = project.parent / "cache"
    assert _al101(run, cache) == []  # the module is ignored: nothing knows ``fetch``
    (project / ".gitignore").write_text("build/\n")  # same folder, other content
    os.utime(project, (time.time() - 30, time.time() - 30))
    assert _al101(run, cache) == ["pkg/app.py"]
    assert len(walks) == 2


def test_a_record_holds_until_a_folder_or_file_changes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/.gitignore": "x\n", "a/m.py": ""})
    _age(tmp_path)
    record = WalkRecord()
    record.note_folder(str(tmp_path / "a"))
    assert record.holds() and record.settled(time.time())
    (tmp_path / "a/n.py").write_text("")
    assert not record.holds()
    fresh = WalkRecord()
    fresh.note_folder(str(tmp_path / "a"))
    assert fresh.holds() and not fresh.settled(time.time())


def test_a_recent_change_is_not_kept(project: Path, run: Run, walks: list[Any]) -> None:
    """A folder changed a moment ago may change again within the same tick of its clock."""
    _project(project)
    (project / "pkg/fresh.py").write_text("")
    cache = project.parent / "cache"
    _al101(run, cache)
    _al101(run, cache)
    assert len(walks) == 2


def test_a_run_over_the_project_keeps_its_list(project: Path, run: Run, walks: list[str]) -> None:
    """Linting the whole project walks it once, at the command line; the list is kept for a
    later run on one of its files."""
    _project(project)
    cache = project.parent / "cache"
    run("-q", "--cache-dir", str(cache), ".")
    assert walks == []  # the project's own walk served the index
    _al101(run, cache)
    assert walks == []


@pytest.fixture
def folder_walks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders any finder walks (those named on the command line included)."""
    walked: list[Path] = []
    original = FileFinder._walked_files

    def counting(self: FileFinder, path: Path, folder: Path, record: Any) -> Any:
        walked.append(folder)
        return original(self, path, folder, record)

    monkeypatch.setattr(FileFinder, "_walked_files", counting)
    return walked


def _report(run: Run, cache: Path | None, *paths: str) -> str:
    options = ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    return run("-q", "--select", "AL101", *options, *paths).stdout


def test_a_folder_named_on_the_command_line_is_listed_from_the_store(
    project: Path, run: Run, folder_walks: list[Path]
) -> None:
    _project(project)
    (project / "pkg/net.py").write_text("async def fetch(): ...\n")
    write_tree(project, {"other/extra.py": "from pkg.net import fetch\n\nfetch()\n"})
    os.symlink(project / "other/extra.py", project / "pkg/linked.py")
    _age(project)
    cache = project.parent / "cache"
    fresh = _report(run, None, "pkg")
    assert "pkg/app.py" in fresh and "pkg/linked.py" in fresh
    folder_walks.clear()
    assert _report(run, cache, "pkg") == fresh
    assert _report(run, cache, "pkg") == fresh
    assert folder_walks.count(project / "pkg") == 1  # the second run used the kept list
    # The same folder named another way (a list of its own) shows its files that way.
    os.chdir(project / "pkg")
    for _ in range(2):
        assert _report(run, cache, "../pkg") == fresh.replace("pkg/", "../pkg/")
    os.chdir(project)
    assert folder_walks.count(project / "pkg") == 2
    # A file added below it changes its folder: walked again, and the file is seen.
    (project / "pkg/more.py").write_text("from pkg.net import fetch\n\nfetch()\n")
    assert "pkg/more.py" in _report(run, cache, "pkg")
    assert folder_walks.count(project / "pkg") == 3


def test_a_changed_configuration_walks_the_named_folder_again(
    project: Path, run: Run, folder_walks: list[Path]
) -> None:
    _project(project)
    (project / "pkg/net.py").write_text("async def fetch(): ...\n")
    (project / "settings.toml").write_text('[tool.asynclint]\nexclude = ["pkg/app.py"]\n')
    _age(project)
    cache = project.parent / "cache"
    assert _report(run, cache, "--config", "settings.toml", ".") == ""
    (project / "settings.toml").write_text('[tool.asynclint]\nexclude = ["pkg/util.py"]\n')
    past = time.time() - 30
    os.utime(project / "settings.toml", (past, past))
    assert "pkg/app.py" in _report(run, cache, "--config", "settings.toml", ".")
    assert folder_walks.count(project) == 2


def test_a_walk_with_a_problem_is_not_kept(
    project: Path, run: Run, folder_walks: list[Path]
) -> None:
    _project(project)
    os.symlink(project / "gone.py", project / "pkg/broken.py")
    _age(project)
    cache = project.parent / "cache"
    for _ in range(2):
        result = run("-q", "--cache-dir", str(cache), "pkg")
        assert "broken symbolic link" in result.output
    assert folder_walks.count(project / "pkg") == 2


def test_a_changed_ignore_file_walks_again(project: Path, run: Run, walks: list[str]) -> None:
    _project(project)
    (project / "pkg/net.py").write_text("async def fetch(): ...\n")
    (project / "pkg/.ignore").write_text("net.py\n")
    _age(project)
    cache = project.parent / "cache"
    assert _al101(run, cache) == []  # the module is ignored: nothing knows ``fetch``
    (project / "pkg/.ignore").write_text("other.py\n")  # same size and folder, other content
    _age(project / "pkg", 20)
    assert _al101(run, cache) == ["pkg/app.py"]
    assert len(walks) == 2


def test_a_changed_extended_configuration_walks_again(
    project: Path, run: Run, walks: list[str]
) -> None:
    _project(project)
    shared = project.parent / "shared"
    write_tree(shared, {"base.toml": 'extend-exclude = ["net.py"]\n'})
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend = "../shared/base.toml"\n')
    (project / "pkg/net.py").write_text("async def fetch(): ...\n")
    _age(project)
    _age(shared)
    cache = project.parent / "cache"
    assert _al101(run, cache) == []  # excluded by the extended file: nothing knows ``fetch``
    assert _al101(run, cache) == []
    assert len(walks) == 1
    (shared / "base.toml").write_text('extend-exclude = ["other_module.py"]\n')
    _age(shared)
    assert _al101(run, cache) == ["pkg/app.py"]
    assert len(walks) == 2
