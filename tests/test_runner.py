"""The runner: files checked in worker processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import asynclint.runner
from asynclint.diagnostics import FileResult
from asynclint.runner import Task, run_tasks


@pytest.mark.parametrize("per_worker", [2000, 2])
def test_workers_take_large_files_first_and_results_keep_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_worker: int
) -> None:
    """Workers are handed the largest files first, and fresh workers take over after a
    number of files; the results still come in the order of the files given."""
    monkeypatch.setattr(asynclint.runner, "_FILES_PER_WORKER", per_worker)
    monkeypatch.setattr(asynclint.runner, "_HUGE_FILE", 200)  # the largest files go alone
    sizes = [1, 40, 3, 25, 2, 60, 5, 9, 33, 4]
    tasks = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"m{number}.py"
        path.write_text("x = 1\n" * size)
        tasks.append(Task(str(path), f"m{number}.py", ("AL101",)))
    results = list(run_tasks(tasks, 2))
    assert [result.path for result in results] == [task.display for task in tasks]


@pytest.mark.parametrize("per_worker", [2000, 2])
def test_a_worker_that_dies_costs_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_worker: int
) -> None:
    monkeypatch.setattr(asynclint.runner, "_FILES_PER_WORKER", per_worker)
    monkeypatch.setattr(asynclint.runner, "_BYTES_PER_WORKER", 30)
    check = asynclint.runner._check_in_worker

    def dying(task: Task) -> FileResult:
        if "boom" in task.path:
            os._exit(3)  # as a crash in native code would end the process
        return check(task)

    # Sent to the workers by name, as the function it stands for.
    dying.__qualname__ = dying.__name__ = "_check_in_worker"
    dying.__module__ = "asynclint.runner"
    monkeypatch.setattr(asynclint.runner, "_check_in_worker", dying)
    tasks = []
    for number in range(10):
        path = tmp_path / (f"boom{number}.py" if number == 6 else f"m{number}.py")
        path.write_text("x = 1\n" * (number + 1))
        tasks.append(Task(str(path), path.name, ("AL101",)))
    results = list(run_tasks(tasks, 2))
    assert [result.path for result in results] == [task.display for task in tasks]
    crashed = [result.path for result in results if result.problems]
    assert crashed == ["boom6.py"]


def test_memory_is_given_back_after_a_large_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trimmed: list[int] = []
    monkeypatch.setattr(asynclint.runner, "_malloc_trim", lambda: trimmed.append)
    monkeypatch.setattr(asynclint.runner, "_TRIM_AFTER", 100)
    for name, lines in (("small.py", 1), ("large.py", 50)):
        (tmp_path / name).write_text("x = 1\n" * lines)
        asynclint.runner._check_in_worker(Task(str(tmp_path / name), name, ("AL101",)))
    assert trimmed == [0]  # after the large file only


def test_the_c_allocator_is_trimmed_only_where_it_can_be(monkeypatch: pytest.MonkeyPatch) -> None:
    asynclint.runner._malloc_trim.cache_clear()
    monkeypatch.setattr(asynclint.runner.sys, "platform", "darwin")
    assert asynclint.runner._malloc_trim() is None
    asynclint.runner._give_back_memory()  # nothing to do, and no error
    asynclint.runner._malloc_trim.cache_clear()
