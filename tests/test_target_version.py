"""``target-version``: fixes and advice use only what the oldest targeted Python has."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, write_tree

from asynclint.config import oldest_python

# `requests.get` blocks; its fix runs it in a thread (`asyncio.to_thread`, Python 3.9+).
NETWORK = "import requests\n\n\nasync def get(url):\n    return requests.get(url)\n"
# Two independent awaits in a row: the advice names `asyncio.TaskGroup` (Python 3.11+).
SEQUENTIAL = (
    "async def fetch_user(uid): ...\n\n\nasync def fetch_orders(uid): ...\n\n\n"
    "async def profile(uid):\n    user = await fetch_user(uid)\n"
    "    orders = await fetch_orders(uid)\n    return user, orders\n"
)
EXECUTOR = "`await asyncio.get_running_loop().run_in_executor(None, ...)`"


def _project(root: Path, config: str, source: str = NETWORK) -> None:
    write_tree(root, {"pyproject.toml": config, "app.py": source})


@pytest.mark.parametrize(
    "config",
    [
        '[project]\nrequires-python = ">=3.8"\n',
        '[project]\nrequires-python = ">=3.8"\n\n[tool.asynclint]\nselect = ["AL2"]\n',
        '[tool.asynclint]\ntarget-version = "py38"\n',
    ],
)
def test_below_3_9_no_to_thread(run: Run, project: Path, config: str) -> None:
    _project(project, config)
    result = run("--no-cache", "app.py")
    assert result.exit_code == 1
    assert "asyncio.to_thread" not in result.stdout
    assert EXECUTOR in result.stdout
    assert "fixable" not in result.stdout  # the thread fix needs 3.9: not offered
    diff = run("--no-cache", "--diff", "--unsafe-fixes", "app.py")
    assert "to_thread" not in diff.stdout


@pytest.mark.parametrize(
    "config",
    [
        "",
        '[project]\nrequires-python = ">=3.9"\n',
        '[project]\nrequires-python = ">=3.8"\n\n[tool.asynclint]\ntarget-version = "py39"\n',
    ],
)
def test_from_3_9_the_thread_fix(run: Run, project: Path, config: str) -> None:
    _project(project, config)
    result = run("--no-cache", "app.py")
    assert "`await asyncio.to_thread(...)`" in result.stdout
    assert "run_in_executor" not in result.stdout
    diff = run("--no-cache", "--diff", "--unsafe-fixes", "app.py")
    assert "+    return await asyncio.to_thread(requests.get, url)" in diff.stdout


def test_command_line_wins(run: Run, project: Path) -> None:
    _project(project, '[tool.asynclint]\ntarget-version = "py312"\n')
    assert EXECUTOR in run("--no-cache", "--target-version", "py38", "app.py").stdout
    _project(project, '[project]\nrequires-python = ">=3.8"\n')
    assert EXECUTOR not in run("--no-cache", "--target-version", "py39", "app.py").stdout


@pytest.mark.parametrize(
    ("version", "task_group"), [("py310", False), ("py311", True), ("py314", True)]
)
def test_task_group_advice_from_3_11(
    run: Run, project: Path, version: str, task_group: bool
) -> None:
    _project(project, "", SEQUENTIAL)
    result = run("--no-cache", "--select", "AL401", "--target-version", version, "app.py")
    assert "asyncio.gather(...)" in result.stdout
    assert ("asyncio.TaskGroup" in result.stdout) is task_group


def test_kept_results_follow_the_target(run: Run, project: Path) -> None:
    _project(project, "")
    assert EXECUTOR not in run("app.py").stdout
    assert EXECUTOR in run("--target-version", "py38", "app.py").stdout
    assert EXECUTOR not in run("app.py").stdout


def test_unknown_version_on_the_command_line(run: Run, project: Path) -> None:
    _project(project, "")
    result = run("--target-version", "py3.11", "app.py")
    assert result.exit_code == 2
    assert result.stderr == (
        "asynclint: error: --target-version: unknown target-version 'py3.11'; did you mean py311?\n"
    )


@pytest.mark.parametrize(
    ("requires", "oldest"),
    [
        (">=3.8", (3, 8)),
        (">= 3.10, <4", (3, 10)),
        ("~=3.9.2", (3, 9)),
        ("==3.11.*", (3, 11)),
        (">3.8", (3, 8)),
        ("<3.13", None),
        ("", None),
        (None, None),
        (3.9, None),
    ],
)
def test_oldest_python_of_requires_python(requires: object, oldest: object) -> None:
    assert oldest_python(requires) == oldest
