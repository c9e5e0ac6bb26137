"""Fixes that must hold up in real projects: what a fix writes runs on the oldest Python the
project targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, write_tree

DROPPED = "import asyncio\n\n\nasync def start(job):\n    asyncio.create_task(job())\n"


@pytest.mark.parametrize(
    ("version", "annotation"),
    [("py38", '"set[asyncio.Task]"'), ("py39", "set[asyncio.Task]")],
)
def test_the_task_set_annotation_runs_on_the_target(
    run: Run, project: Path, version: str, annotation: str
) -> None:
    """``set[...]`` at module level is evaluated on import: before 3.9 it raises TypeError."""
    write_tree(project, {"app.py": DROPPED})
    result = run("--no-cache", "--target-version", version, "--fix", "--unsafe-fixes", "app.py")
    assert result.exit_code == 0, result.stdout
    fixed = (project / "app.py").read_text(encoding="utf-8")
    assert f"_background_tasks: {annotation} = set()\n" in fixed
