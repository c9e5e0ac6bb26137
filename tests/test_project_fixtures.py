"""Every project under ``fixtures/projects/``: linted whole, as ``asynclint <folder>`` would, the
lines marked ``# error: CODE`` in each of its files are reported and no other line is.

These are the bugs that cross a module boundary: a coroutine function defined in one module
and called without ``await`` in another, a helper that blocks two modules away. A project with
``# untyped-twin`` in the header of one of its files is checked again with every
annotation removed (see ``test_fixtures``); the findings must not change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import Run

from asynclint.testing import expected_findings, has_untyped_twin, strip_annotations

PROJECTS = Path(__file__).resolve().parent.parent / "fixtures" / "projects"
_PROJECTS = sorted(p for p in PROJECTS.iterdir() if p.is_dir()) if PROJECTS.is_dir() else []


def _expected(root: Path) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        found.extend((relative, line, code) for line, code in expected_findings(source))
    return sorted(found)


def _actual(root: Path, run: Run) -> list[tuple[str, int, str]]:
    result = run("--no-cache", "--exit-zero", "--output-format", "json", str(root))
    assert result.exit_code == 0, result.output
    found = []
    for item in json.loads(result.stdout):
        relative = Path(item["filename"]).resolve().relative_to(root.resolve()).as_posix()
        found.append((relative, item["location"]["row"], item["code"]))
    return sorted(found)


def _copy(project: Path, tmp_path: Path, untyped: bool = False) -> Path:
    root = tmp_path / project.name
    shutil.copytree(project, root)
    if untyped:
        for path in root.rglob("*.py"):
            path.write_text(strip_annotations(path.read_text("utf-8")), encoding="utf-8")
    return root


def test_there_are_project_fixtures() -> None:
    assert len(_PROJECTS) >= 2


@pytest.mark.parametrize("project", _PROJECTS, ids=lambda p: p.name)
def test_project_findings(project: Path, tmp_path: Path, run: Run) -> None:
    root = _copy(project, tmp_path)
    assert _actual(root, run) == _expected(project)


_TWINS = [
    p for p in _PROJECTS if any(has_untyped_twin(f.read_text("utf-8")) for f in p.rglob("*.py"))
]


@pytest.mark.parametrize("project", _TWINS, ids=lambda p: p.name)
def test_project_untyped_twin(project: Path, tmp_path: Path, run: Run) -> None:
    root = _copy(project, tmp_path, untyped=True)
    assert _actual(root, run) == _expected(project)
