"""Interrupted runs: ``--fix`` killed at any moment leaves every file old or new and no
temporary file the next run does not remove, and no worker process outlives its run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SLEEPY, SLEEPY_FIXED, write_tree

from asynclint.runner import TEMPORARY_SUFFIX, remove_stale_temporaries

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="finds processes through /proc"
)


def _state(pid: int) -> tuple[int, str] | None:
    """The parent and state of process ``pid``, or None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]), fields[0]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            state = _state(int(entry))
            if state is not None and state[0] == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    state = _state(pid)
    return state is not None and state[1] != "Z"  # a zombie has ended


def _still_alive(pids: set[int], seconds: float = 5.0) -> set[int]:
    """Those of ``pids`` still running after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := {p for p in pids if _alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _end(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# A run whose two workers each take a file and sleep on it: the parent waits for them.
_SLEEPING_RUN = """
import sys
import time

import asynclint.runner as runner
from asynclint.runner import Task


def _check_in_worker(task):
    time.sleep(60)


_check_in_worker.__module__ = "asynclint.runner"
runner._check_in_worker = _check_in_worker
if sys.argv[1] == "portable":
    runner._kill_when_parent_ends = lambda: False
tasks = [Task(f"m{n}.py", f"m{n}.py", ("AL101",)) for n in range(10)]
for result in runner.run_tasks(tasks, 2):
    pass
"""


@pytest.mark.parametrize(
    ("how", "mode"),
    [(signal.SIGKILL, "linux"), (signal.SIGTERM, "linux"), (signal.SIGKILL, "portable")],
)
def test_workers_end_with_their_parent(how: signal.Signals, mode: str, tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", _SLEEPING_RUN, mode], cwd=tmp_path)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 20
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _children(parent.pid)
        assert len(workers) == 2
        time.sleep(0.2)  # the workers are set up and sleeping on their files
        parent.send_signal(how)
        parent.wait(10)
        assert _still_alive(workers) == set()
    finally:
        parent.kill()
        parent.wait()
        _end(workers)


def _tree(count: int) -> tuple[dict[str, str], dict[str, str]]:
    """A project of ``count`` modules that ``--fix --unsafe-fixes`` rewrites, and the same
    project fixed."""
    old, new = {"pyproject.toml": "[project]\nname = 'shop'\n"}, {}
    for number in range(count):
        tail = f"\n\nasync def poll{number}():\n    return {number}\n" * (number % 4)
        old[f"shop/m{number}.py"] = SLEEPY + tail
        new[f"shop/m{number}.py"] = SLEEPY_FIXED + tail
    return old, new


def _fix(*args: str) -> list[str]:
    return [sys.executable, "-m", "asynclint", "--fix", "--unsafe-fixes", "-q", *args]


def test_fix_killed_at_random_moments(tmp_path: Path) -> None:
    """``--fix`` (two workers, the result cache on) killed at random moments: each file is
    old or new, no worker lives on, and the next run finishes the work and removes every
    temporary file the killed ones left."""
    old, new = _tree(12)
    started = time.monotonic()
    subprocess.run(_fix("-j", "2", "."), cwd=write_tree(tmp_path / "whole", old), check=True)
    whole = time.monotonic() - started  # most kills fall where files are being written
    chance = random.Random(20)
    moments = [whole * chance.uniform(0.05, 1) for _ in range(2)]
    moments += [whole * chance.uniform(0.55, 1) for _ in range(4)]
    roots = []
    for number, moment in enumerate(sorted(moments)):
        root = write_tree(tmp_path / f"run{number}", old)
        roots.append(root)
        run = subprocess.Popen(_fix("-j", "2", "."), cwd=root, stdout=subprocess.DEVNULL)
        time.sleep(moment)
        workers = _children(run.pid)
        run.kill()
        run.wait()
        assert _still_alive(workers) == set(), f"killed after {moment:.2f} s"
        for name, text in new.items():
            assert (root / name).read_text() in (old[name], text), name
    finished = subprocess.run(
        _fix("-j", "2", *(r.name for r in roots)), cwd=tmp_path, capture_output=True, text=True
    )
    assert (finished.returncode, finished.stderr) == (0, "")
    for root in roots:
        for name, text in new.items():
            assert (root / name).read_text() == text
        assert list(root.rglob(f"*{TEMPORARY_SUFFIX}")) == []


# ``--fix`` with ``os.replace`` killing the process: it dies between writing the temporary
# file and renaming it over the file.
_DIES_BEFORE_RENAME = """
import os
import signal

from asynclint.cli import main

os.replace = lambda source, target: os.kill(os.getpid(), signal.SIGKILL)
main(["--fix", "--unsafe-fixes", "--jobs", "1", "--no-cache", "a.py"])
"""


def test_the_next_run_removes_what_a_kill_before_the_rename_left(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": SLEEPY, "b.py": SLEEPY, "notes.asynclint-tmp": "mine\n"})
    died = subprocess.run([sys.executable, "-c", _DIES_BEFORE_RENAME], cwd=tmp_path, check=False)
    assert died.returncode == -signal.SIGKILL
    [left] = tmp_path.glob(f".a.py.*{TEMPORARY_SUFFIX}")
    assert left.read_text() == SLEEPY_FIXED
    assert (tmp_path / "a.py").read_text() == SLEEPY
    # A temporary file of a run still writing (this process) is never touched.
    writing = tmp_path / f".b.py.{os.getpid()}-abc_12{TEMPORARY_SUFFIX}"
    writing.write_text("")
    subprocess.run(_fix("--no-cache", "b.py"), cwd=tmp_path, check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["a.py", "b.py", "notes.asynclint-tmp", writing.name]
    )
    assert (tmp_path / "a.py").read_text() == SLEEPY  # b.py's run removed a.py's leftover


def test_only_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    names = {
        "dead": f".a.py.{gone.pid}-x1_y{TEMPORARY_SUFFIX}",
        "alive": f".a.py.{os.getppid()}-x2{TEMPORARY_SUFFIX}",
        "old": f".a.py.x3abc{TEMPORARY_SUFFIX}",
        "recent": f".a.py.x4abc{TEMPORARY_SUFFIX}",
        "other": f"a.py{TEMPORARY_SUFFIX}",
    }
    for name in names.values():
        (tmp_path / name).write_text("")
    hour_ago = time.time() - 3700
    os.utime(tmp_path / names["old"], (hour_ago, hour_ago))
    removed = remove_stale_temporaries([tmp_path, tmp_path / "missing"])
    assert sorted(p.name for p in removed) == sorted([names["dead"], names["old"]])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [names["alive"], names["recent"], names["other"]]
    )


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_an_ended_process_not_yet_reaped_leaves_stale_temporaries(tmp_path: Path) -> None:
    """A killed run's worker may stay a zombie until its new parent collects it: its
    temporary files are stale all the same."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while _state(ended.pid) is not None and _state(ended.pid)[1] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    left = tmp_path / f".a.py.{ended.pid}-x1y2z3{TEMPORARY_SUFFIX}"
    left.write_text("half\n")
    assert remove_stale_temporaries([tmp_path]) == [left]
    ended.wait()
