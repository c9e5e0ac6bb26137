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


def _logging_check(log: Path, pause_for: str) -> object:
    """``_check_in_worker``, writing when each file starts and ends to ``log``; files whose
    name holds ``pause_for`` take a while, so that others are checked beside them."""
    check = asynclint.runner._check_in_worker

    def logged(task: Task) -> FileResult:
        with open(log, "a") as out:
            out.write(f"start {task.display}\n")
        if pause_for in task.display:
            import time

            time.sleep(0.3)
        result = check(task)
        with open(log, "a") as out:
            out.write(f"end {task.display}\n")
        return result

    logged.__qualname__ = logged.__name__ = "_check_in_worker"
    logged.__module__ = "asynclint.runner"
    return logged


def test_huge_files_are_checked_one_at_a_time_beside_the_smallest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asynclint.runner, "_HUGE_FILE", 400)
    log = tmp_path / "log.txt"
    monkeypatch.setattr(asynclint.runner, "_check_in_worker", _logging_check(log, "huge"))
    tasks = []
    for number, lines in enumerate([1, 100, 2, 3, 120, 4, 5, 6, 7, 8, 9, 10]):
        name = f"huge{number}.py" if lines >= 100 else f"m{number}.py"
        (tmp_path / name).write_text("x = 1\n" * lines)
        tasks.append(Task(str(tmp_path / name), name, ("AL101",)))
    results = list(run_tasks(tasks, 2))
    assert [result.path for result in results] == [task.display for task in tasks]
    events = log.read_text().split("\n")[:-1]
    assert sorted(e.split()[1] for e in events if e.startswith("start")) == sorted(
        task.display for task in tasks
    )  # each file once
    running: set[str] = set()
    beside: set[str] = set()
    for event in events:
        what, name = event.split()
        if what == "start":
            running.add(name)
        else:
            running.discard(name)
        huge = {n for n in running if n.startswith("huge")}
        assert len(huge) <= 1  # never two huge trees at once
        if huge:
            beside |= running - huge
    by_size = ["m0.py", "m2.py", "m3.py", *(f"m{n}.py" for n in (5, 6, 7, 8, 9, 10, 11))]
    assert beside and beside == set(by_size[: len(beside)])  # the smallest ones


def test_a_huge_file_that_kills_its_worker_costs_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asynclint.runner, "_HUGE_FILE", 400)
    check = asynclint.runner._check_in_worker

    def dying(task: Task) -> FileResult:
        if "boom" in task.path:
            os._exit(3)
        return check(task)

    dying.__qualname__ = dying.__name__ = "_check_in_worker"
    dying.__module__ = "asynclint.runner"
    monkeypatch.setattr(asynclint.runner, "_check_in_worker", dying)
    tasks = []
    for number, lines in enumerate([1, 100, 2, 3, 120, 4, 5, 6, 7, 8]):
        name = f"boom{number}.py" if number == 1 else f"m{number}.py"
        (tmp_path / name).write_text("x = 1\n" * lines)
        tasks.append(Task(str(tmp_path / name), name, ("AL101",)))
    results = list(run_tasks(tasks, 2))
    assert [result.path for result in results] == [task.display for task in tasks]
    assert [result.path for result in results if result.problems] == ["boom1.py"]
