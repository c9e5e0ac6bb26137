"""The runner: files checked in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest

import asynclint.runner
from asynclint.runner import Task, run_tasks


@pytest.mark.parametrize("per_worker", [2000, 2])
def test_workers_take_large_files_first_and_results_keep_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_worker: int
) -> None:
    """Workers are handed the largest files first, and fresh workers take over after a
    number of files; the results still come in the order of the files given."""
    monkeypatch.setattr(asynclint.runner, "_FILES_PER_WORKER", per_worker)
    sizes = [1, 40, 3, 25, 2, 60, 5, 9, 33, 4]
    tasks = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"m{number}.py"
        path.write_text("x = 1\n" * size)
        tasks.append(Task(str(path), f"m{number}.py", ("AL101",)))
    results = list(run_tasks(tasks, 2))
    assert [result.path for result in results] == [task.display for task in tasks]
