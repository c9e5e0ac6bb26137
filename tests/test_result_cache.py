"""The result cache: a file's findings are reused only while nothing they depend on changed,
and a cached run prints exactly what an uncached one prints."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import SLEEPY, Run, write_tree

import asynclint.cli
from asynclint.runner import Task

FIXTURE_PROJECTS = Path(__file__).parent.parent / "fixtures" / "projects"
STORE = ".asynclint_cache/asynclint.sqlite3"
PYPROJECT = '[project]\nname = "app"\n'

HELPER_ASYNC = "async def helper():\n    return 1\n"
HELPER_SYNC = "def helper():\n    return 1\n"
CALLER = "from app.b import helper\n\n\nasync def main():\n    helper()\n"
LOOP_HELPER = (
    "import asyncio\n\n\ndef _loop():\n    return asyncio.get_event_loop()\n\n\n"
    "async def main():\n    _loop()\n"
)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files each run checks (rather than reuses), as the run names them."""
    found: list[str] = []
    original = asynclint.cli.run_tasks

    def recording(tasks: Sequence[Task], jobs: int, session: object = None) -> Iterator:
        found.extend(task.display for task in tasks)
        return original(tasks, jobs, session)

    monkeypatch.setattr(asynclint.cli, "run_tasks", recording)
    yield found


def _two_modules(project: Path, helper: str = HELPER_ASYNC) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "app/a.py": CALLER,
            "app/b.py": helper,
            "app/c.py": "def unrelated():\n    return 2\n",
        },
    )


def _edit(path: Path, text: str) -> None:
    """Write ``text`` so that the change is seen even within one tick of the clock."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_a_second_run_checks_nothing_and_prints_the_same(
    run: Run, project: Path, checked: list[str]
) -> None:
    _two_modules(project)
    first = run(".")
    assert "app/a.py:5:5: AL101" in first.stdout
    assert len(checked) == 4
    checked.clear()
    second = run(".")
    assert checked == []
    assert (second.exit_code, second.stdout, second.stderr) == (
        first.exit_code,
        first.stdout,
        first.stderr,
    )


def test_a_dependency_edit_rechecks_the_dependent_file(
    run: Run, project: Path, checked: list[str]
) -> None:
    _two_modules(project)
    run(".")
    _edit(project / "app/b.py", HELPER_SYNC)
    checked.clear()
    assert run("-q", ".").stdout == ""  # the finding in a.py is gone
    assert sorted(checked) == ["app/a.py", "app/b.py"]
    _edit(project / "app/b.py", HELPER_ASYNC)
    assert "app/a.py:5:5: AL101" in run("-q", ".").stdout  # and back


def test_an_edit_nothing_depends_on_rechecks_only_that_file(
    run: Run, project: Path, checked: list[str]
) -> None:
    _two_modules(project)
    run(".")
    _edit(project / "app/c.py", "def unrelated():\n    return 3\n")
    checked.clear()
    assert "app/a.py:5:5: AL101" in run("-q", ".").stdout
    assert checked == ["app/c.py"]


def test_a_new_module_where_an_import_found_nothing(run: Run, project: Path) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "app/a.py": CALLER.replace("app.b", "app.later"),
        },
    )
    assert run("-q", ".").stdout == ""  # what `helper` is cannot be known
    write_tree(project, {"app/later.py": HELPER_ASYNC})
    assert "app/a.py:5:5: AL101" in run("-q", ".").stdout


def test_an_answer_about_the_whole_project(run: Run, project: Path, checked: list[str]) -> None:
    """``_loop()`` is only called from coroutines until another module calls it from plain
    code: AL502's answer depends on every module, not only on those ``a.py`` imports."""
    write_tree(
        project,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "app/a.py": LOOP_HELPER,
            "app/b.py": "def other():\n    return 1\n",
        },
    )
    assert "app/a.py:5:12: AL502" in run("-q", ".").stdout
    # b.py's summary changes (it calls something), but not who calls `_loop`: the answer a.py
    # depends on is asked again, found the same, and a.py is not checked again.
    _edit(project / "app/b.py", "def other():\n    return print(1)\n")
    checked.clear()
    assert "app/a.py:5:12: AL502" in run("-q", ".").stdout
    assert checked == ["app/b.py"]
    _edit(project / "app/b.py", "from app.a import _loop\n\n\ndef other():\n    return _loop()\n")
    checked.clear()
    assert run("-q", ".").stdout == ""
    assert "app/a.py" in checked


def test_settings_noqa_and_the_test_profile_are_part_of_the_answer(run: Run, project: Path) -> None:
    write_tree(project, {"pyproject.toml": PYPROJECT, "app/poll.py": SLEEPY, "tests/t.py": SLEEPY})
    assert [line[:20] for line in run("-q", ".").stdout.splitlines()] == ["app/poll.py:4:5: AL2"]
    assert "tests/t.py:4:5: AL201" in run("-q", "--no-test-profile", ".").stdout
    assert run("-q", "--ignore", "AL201", ".").stdout == ""
    _edit(
        project / "pyproject.toml",
        PYPROJECT + '[tool.asynclint]\nper-file-ignores = { "app/*" = ["AL2"] }\n',
    )
    assert run("-q", ".").stdout == ""
    _edit(project / "pyproject.toml", PYPROJECT)
    _edit(project / "app/poll.py", SLEEPY.replace("sleep(1)", "sleep(1)  # noqa: AL201"))
    assert run("-q", ".").stdout == ""


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github", "statistics"])
def test_cached_output_is_identical_on_the_project_fixtures(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    tree = tmp_path / "projects"
    shutil.copytree(FIXTURE_PROJECTS, tree)
    monkeypatch.chdir(tree)
    names = sorted(p.name for p in tree.iterdir())
    flags = ["--statistics"] if output == "statistics" else ["--output-format", output]
    args = ["--select", "ALL", "--cache-dir", str(tmp_path / "cache"), *flags, *names]
    uncached = run("--no-cache", *args[2:])
    cold, warm = run(*args), run(*args)
    assert "AL101" in uncached.stdout and "AL2" in uncached.stdout
    for cached in (cold, warm):
        assert (cached.exit_code, cached.stdout, cached.stderr) == (
            uncached.exit_code,
            uncached.stdout,
            uncached.stderr,
        )


def test_diff_and_fix_reuse_what_can_be_reused(run: Run, project: Path) -> None:
    write_tree(project, {"pyproject.toml": PYPROJECT, "app/poll.py": SLEEPY})
    diff = run("--diff", "--unsafe-fixes", ".")
    assert diff.stdout == run("--diff", "--unsafe-fixes", ".").stdout != ""
    fixed = run("--fix", "--unsafe-fixes", ".")
    assert fixed.exit_code == 0
    assert "await asyncio.sleep(1)" in (project / "app/poll.py").read_text()
    assert run(".").exit_code == 0


def test_a_deleted_file_is_pruned_from_the_store(run: Run, project: Path) -> None:
    _two_modules(project)
    run(".")
    (project / "app/c.py").unlink()
    run(".")
    with sqlite3.connect(project / STORE) as store:
        for table in ("files", "results", "summaries"):
            paths = [row[0] for row in store.execute(f"SELECT path FROM {table}")]
            assert paths and not any(path.endswith("c.py") for path in paths), table


def test_a_corrupt_store_is_made_anew_with_one_line(run: Run, project: Path) -> None:
    _two_modules(project)
    expected = run(".").stdout
    (project / STORE).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (project / f"{STORE}{suffix}").unlink(missing_ok=True)
    result = run(".")
    assert result.stdout == expected
    assert result.stderr.count("\n") == 1
    assert "could not be read" in result.stderr and "made anew" in result.stderr
    assert run(".").stderr == ""


def _command(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asynclint", "--jobs", "1", *args, "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_two_runs_at_once_and_a_killed_run(tmp_path: Path) -> None:
    project = tmp_path / "project"
    files = {"pyproject.toml": PYPROJECT, "app/__init__.py": ""}
    files.update({f"app/m{i}.py": SLEEPY.replace("poll", f"poll{i}") for i in range(150)})
    write_tree(project, files)
    expected = _command(project, "--no-cache")
    command = [sys.executable, "-m", "asynclint", "--jobs", "1", "."]
    together = [
        subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    for process in together:
        out, _ = process.communicate(timeout=120)
        assert out == expected.stdout
    shutil.rmtree(project / ".asynclint_cache")
    killed = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL)
    time.sleep(2.5)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    again = _command(project)
    assert (again.stdout, again.stderr) == (expected.stdout, expected.stderr)


def test_a_library_edit_rechecks_its_users(
    run: Run, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    environment = tmp_path_factory.mktemp("environment")
    library = environment / "lib/python3.11/site-packages/remote/__init__.py"
    write_tree(library.parent, {"__init__.py": HELPER_ASYNC})
    write_tree(
        project,
        {
            "pyproject.toml": PYPROJECT + f'[tool.asynclint]\npython = "{environment}"\n',
            "app/__init__.py": "",
            "app/a.py": CALLER.replace("app.b", "remote"),
        },
    )
    assert "app/a.py:5:5: AL101" in run("-q", ".").stdout
    _edit(library, HELPER_SYNC)
    assert run("-q", ".").stdout == ""


@pytest.mark.slow
def test_workers_sharing_the_whole_project_tables_answer_alike(
    run: Run, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Over 100 files in 2 workers: the tables about the whole project are made once, before
    the workers start; the findings are those of one process, cached or not."""
    files = {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/b.py": HELPER_ASYNC}
    for i in range(110):
        files[f"app/m{i}.py"] = LOOP_HELPER if i % 2 else CALLER
    files["app/sync_caller.py"] = "from app.m1 import _loop\n\n\ndef other():\n    return _loop()\n"
    write_tree(project, files)
    alone = run("--no-cache", "--jobs", "1", ".")
    assert alone.stdout.count("AL502") == 54 and alone.stdout.count("AL101") == 55
    cache = str(tmp_path_factory.mktemp("cache"))
    before = set(Path(tempfile.gettempdir()).glob("asynclint-answers-*"))
    for args in (["--no-cache"], ["--cache-dir", cache], ["--cache-dir", cache]):
        assert run(*args, "--jobs", "2", ".").stdout == alone.stdout
    # The file through which the workers shared their answers is gone with the run.
    assert set(Path(tempfile.gettempdir()).glob("asynclint-answers-*")) == before


def test_a_cache_folder_that_cannot_be_made_is_one_line(run: Run, project: Path) -> None:
    write_tree(project, {"pyproject.toml": PYPROJECT, "app/poll.py": SLEEPY, "blocker": ""})
    result = run("-q", "--cache-dir", "blocker/cache", ".")
    assert result.exit_code == 1
    assert "app/poll.py:4:5: AL201" in result.stdout
    assert result.stderr.count("\n") == 1
    assert "cannot be used" in result.stderr and "going on without it" in result.stderr


_LOADED = (
    "import sys\n"
    "from asynclint.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(sorted(m for m in ('libcst', 'asynclint.rules', 'asynclint.engine') "
    "if m in sys.modules), file=sys.stderr)\n"
)


def test_a_run_whose_every_result_is_kept_never_loads_the_rules_or_libcst(
    tmp_path: Path,
) -> None:
    """What makes a warm run fast: it reads the kept results and the rule catalogue, never
    the rules' code or LibCST (a third of a warm run's time went to loading them)."""
    project = tmp_path / "project"
    _two_modules(project)
    command = [sys.executable, "-c", _LOADED, "--jobs", "1", "--select", "ALL", "."]
    cold = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    warm = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    assert "AL101" in cold.stdout and warm.stdout == cold.stdout
    assert "libcst" in cold.stderr.splitlines()[-1]
    assert warm.stderr.splitlines()[-1] == "[]"
    for option in ("--output-format=sarif", "--explain=AL101"):  # these load the rules' pages
        shown = subprocess.run([*command, option], cwd=project, capture_output=True, text=True)
        assert "asynclint.rules" in shown.stderr.splitlines()[-1]
