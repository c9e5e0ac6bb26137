"""The project session: built once per run (and once per project in the flake8 plugin), handed
to worker processes by their pool, and without an index when no selected rule needs one."""

from __future__ import annotations

import ast
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import Run, write_tree

import asynclint.flake8_plugin
import asynclint.runner
import asynclint.session
from asynclint.config import ConfigFinder
from asynclint.flake8_plugin import Plugin
from asynclint.rules import ALL_RULES
from asynclint.session import ProjectSession

LIBRARY = "async def fetch():\n    pass\n"
CALLER = "from lib import fetch\n\nasync def main():\n    fetch()\n"
FILES = 9  # enough for worker processes (see runner._MIN_FILES_FOR_WORKERS)


def _write_project(root: Path) -> list[str]:
    """A project whose callers call a coroutine function of another module without ``await``:
    a finding only the project index can make."""
    callers = [f"caller{i}.py" for i in range(FILES)]
    write_tree(
        root,
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "lib.py": LIBRARY,
            **{name: CALLER for name in callers},
        },
    )
    return callers


def _count_builds(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Every session and every index built, in this process or a forked one, adds a line."""
    build = ProjectSession.build.__func__  # type: ignore[attr-defined]
    build_index = asynclint.session.build_index

    def counted_build(cls: type[ProjectSession], *args: Any, **kwargs: Any) -> ProjectSession:
        with log.open("a") as out:
            out.write("session\n")
        return build(cls, *args, **kwargs)

    def counted_index(*args: Any, **kwargs: Any) -> Any:
        with log.open("a") as out:
            out.write("index\n")
        return build_index(*args, **kwargs)

    monkeypatch.setattr(ProjectSession, "build", classmethod(counted_build))
    monkeypatch.setattr(asynclint.session, "build_index", counted_index)


def _al101_files(output: str) -> set[str]:
    return {line.split(":")[0] for line in output.splitlines() if ": AL101 " in line}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_session_per_run_of_several_files(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: Any, jobs: str
) -> None:
    callers = _write_project(project)
    log = tmp_path_factory.mktemp("log") / "builds"
    _count_builds(monkeypatch, log)
    result = run("-q", "--no-cache", "--jobs", jobs, ".")
    assert result.exit_code == 1, result.output
    assert _al101_files(result.stdout) == set(callers)
    assert log.read_text().split() == ["session", "index"]


def test_the_workers_get_the_session_from_their_pool(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    callers = _write_project(project)
    given: list[tuple[object, ...]] = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: Any) -> None:
            if kwargs.get("initializer") is asynclint.runner.prepare_process:
                given.append(kwargs["initargs"])
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(asynclint.runner, "ProcessPoolExecutor", RecordingPool)
    result = run("-q", "--no-cache", "--jobs", "2", ".")
    assert _al101_files(result.stdout) == set(callers)
    [(session, parent)] = given  # and the run's process, which the workers end with
    assert isinstance(session, ProjectSession) and session.index is not None
    assert parent == os.getpid()


def _flake8_findings(path: str) -> set[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    found = Plugin(ast.parse("".join(lines)), path, lines).run()
    return {f"{path}:{line}:{column + 1}: {message}" for line, column, message, _ in found}


def test_flake8_and_the_command_line_share_the_session(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: Any
) -> None:
    callers = _write_project(project)
    log = tmp_path_factory.mktemp("log") / "builds"
    _count_builds(monkeypatch, log)
    monkeypatch.setattr(asynclint.flake8_plugin, "_sessions", {})
    Plugin.parse_options(SimpleNamespace())
    ours = run("-q", "--no-cache", *callers[:2])
    assert log.read_text().split() == ["session", "index"]
    log.unlink()
    flake8 = _flake8_findings(callers[0]) | _flake8_findings(callers[1])
    assert log.read_text().split() == ["session", "index"]  # once for the project, not per file
    assert flake8 == set(ours.stdout.splitlines())
    assert {line.split(": ")[1].split()[0] for line in flake8} == {"AL101"}


def test_no_index_without_a_rule_that_needs_one(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_project(project)

    def no_index(*args: object, **kwargs: object) -> None:
        raise AssertionError("the project index was built")

    monkeypatch.setattr(asynclint.session, "build_index", no_index)
    local = [rule for rule in ALL_RULES if not rule.uses_index()]
    assert local
    session = ProjectSession.build([project / "lib.py"], local, ConfigFinder())
    assert session.index is None
    assert session.context_for(("lib", False)) is None
    codes = ",".join(rule.code for rule in local)
    assert run("--select", codes, ".").exit_code == 0


def test_a_setup_module_inside_a_package_is_no_project_marker(tmp_path: Path) -> None:
    """Home Assistant has ``homeassistant/setup.py``: a module of the package. A file of that
    package belongs to the project above it, whether it is linted alone or with the rest."""
    from asynclint.index import project_root

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    package = tmp_path / "pkg"
    package.mkdir()
    for name in ("__init__.py", "setup.py", "mod.py"):
        (package / name).write_text("")
    assert project_root(package / "mod.py") == tmp_path
    script = tmp_path / "tool"
    script.mkdir()
    (script / "setup.py").write_text("")
    assert project_root(script / "setup.py") == script  # a setup script still marks a root
