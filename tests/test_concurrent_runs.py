"""Runs at once on one project (the command line, ``--fix``, the flake8 plugin with ``-j 2``)
share its result cache without corrupting it or each other's output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SLEEPY, SLEEPY_FIXED, write_tree

from asynclint.runner import TEMPORARY_SUFFIX

API = "async def fetch(url):\n    return url\n"
USES = "from shop.api import fetch\n\n\nasync def main():\n    fetch('x')\n"


def _project(root: Path) -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'shop'\n",
        "shop/__init__.py": "",
        "shop/api.py": API,
    }
    for number in range(10):
        files[f"shop/uses{number}.py"] = USES
        files[f"shop/sleepy{number}.py"] = SLEEPY
    return write_tree(root, files)


def _at_once(commands: list[list[str]], cwd: Path) -> list[tuple[int, str, str]]:
    """Start ``commands`` together; their exit codes, outputs and error outputs."""
    running = [
        subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    outputs = [p.communicate() for p in running]
    return [(p.returncode, out, err) for p, (out, err) in zip(running, outputs, strict=True)]


def _alone(command: list[str], cwd: Path) -> tuple[int, str, str]:
    [result] = _at_once([command], cwd)
    return result


LINT = ["asynclint", "-j", "2", "shop"]


def test_two_runs_at_once_agree_with_a_single_run(tmp_path: Path) -> None:
    single = _alone([*LINT, "--no-cache"], _project(tmp_path / "single"))
    assert single[0] == 1 and "AL101" in single[1] and "AL201" in single[1], single
    project = _project(tmp_path / "shared")
    for _ in range(2):  # with an empty cache, then with the cache both filled
        both = _at_once([LINT, LINT], project)
        assert [(code, out, err) for code, out, err in both] == [single, single]
    assert _alone(LINT, project) == single


def _texts(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".asynclint_cache" not in path.parts
    }


def test_two_fix_runs_at_once_end_as_one_run(tmp_path: Path) -> None:
    fix = [*LINT, "--fix", "--unsafe-fixes", "-q"]
    single = _project(tmp_path / "single")
    assert _alone(fix, single) == (0, "", "")
    assert _texts(single)["shop/sleepy0.py"] == SLEEPY_FIXED
    project = _project(tmp_path / "shared")
    assert _at_once([fix, fix], project) == [(0, "", ""), (0, "", "")]
    assert _texts(project) == _texts(single)
    assert list(project.rglob(f"*{TEMPORARY_SUFFIX}")) == []
    assert _alone(LINT, project) == (0, "", "")


def test_flake8_runs_with_two_jobs_at_once_agree_with_asynclint(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    project = _project(tmp_path / "flake8")
    expected = _alone([*LINT, "--no-cache"], _project(tmp_path / "single"))[1]
    wanted = sorted(line for line in expected.splitlines() if line.startswith("shop/"))
    flake8 = ["flake8", "--select", "AL", "-j", "2", "shop"]
    for code, out, err in _at_once([flake8, flake8], project):  # each fills the cache
        assert (code, sorted(out.splitlines()), err) == (1, wanted, "")
