"""The per-file time budget (``--file-timeout``, ``file-timeout``): a file whose check takes
longer is abandoned, named on standard error, counted as not checked, and the run goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import SLEEPY, Run, finding, write_tree

from asynclint import runner
from asynclint.config import DEFAULT_FILE_TIMEOUT
from asynclint.diagnostics import FileResult
from asynclint.session import ProjectSession

SLOW = "slow.py"
# Clean, and quick to check: nothing it imports needs reading (a budget of half a second holds
# on a busy machine).
CLEAN = "def f():\n    return 1\n"
TIMEOUT_LINE = "asynclint: error: slow.py: not checked: took longer than 0.5 s (file-timeout)"


@pytest.fixture
def slow_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking a file named ``slow.py`` never ends (in Python code, as a rule stuck in a loop
    would); every other file is checked as usual. Inherited by forked worker processes."""
    original = runner._check_text

    def stuck_on_slow(
        source: runner.SourceText, task: runner.Task, session: ProjectSession | None
    ) -> FileResult:
        if Path(task.path).name == SLOW:
            while True:
                time.sleep(0.005)
        return original(source, task, session)

    monkeypatch.setattr(runner, "_check_text", stuck_on_slow)


@pytest.mark.usefixtures("slow_file")
def test_a_file_over_its_budget_is_named_and_counted(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY, SLOW: SLEEPY, "z.py": CLEAN})
    began = time.perf_counter()
    result = run("--file-timeout", "0.5", ".")
    assert time.perf_counter() - began < 10
    assert result.stderr.splitlines() == [TIMEOUT_LINE]
    lines = result.stdout.splitlines()
    assert lines[0] == finding("a.py")
    assert lines[-1] == "1 file could not be checked (named above)."
    assert result.exit_code == 2  # as for a file that cannot be read


@pytest.mark.usefixtures("slow_file")
def test_the_budget_holds_in_worker_processes(run: Run, project: Path) -> None:
    files = {f"m{index:02}.py": SLEEPY for index in range(10)}
    write_tree(project, {**files, SLOW: SLEEPY})
    result = run("--jobs", "2", "--file-timeout", "0.5", "-q", ".")
    assert result.stderr.splitlines() == [TIMEOUT_LINE]
    assert sorted(result.stdout.splitlines()) == [finding(name) for name in sorted(files)]
    assert result.exit_code == 2


@pytest.mark.usefixtures("slow_file")
def test_the_budget_comes_from_the_configuration(run: Run, project: Path) -> None:
    write_tree(
        project,
        {"pyproject.toml": "[tool.asynclint]\nfile-timeout = 0.5\n", SLOW: SLEEPY, "a.py": CLEAN},
    )
    result = run("--diff", ".")
    assert TIMEOUT_LINE in result.stderr.splitlines()
    assert result.exit_code == 2


@pytest.mark.usefixtures("slow_file")
def test_standard_input_has_the_budget_too(run: Run, project: Path) -> None:
    result = run("--file-timeout", "0.5", "-", "--stdin-filename", SLOW, input=SLEEPY)
    assert result.stderr.splitlines() == [TIMEOUT_LINE]
    assert result.exit_code == 2


def test_a_budget_that_is_not_spent_changes_nothing(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY, "z.py": CLEAN})
    assert run("-q", "--file-timeout", "30", ".").stdout == f"{finding('a.py')}\n"


def test_the_budget_stops_a_check_that_swallows_the_first_word() -> None:
    """A ``finally`` or an ``except BaseException`` on the way may swallow the exception that
    stops the check: it is raised again until the check ends."""
    swallowed = []

    def stubborn() -> FileResult:
        while True:
            try:
                while True:
                    time.sleep(0.005)
            except BaseException as error:
                swallowed.append(error)
                if len(swallowed) == 2:
                    return FileResult("stubborn.py")

    result = runner.within_budget(0.1, "stubborn.py", stubborn)
    assert [p.message for p in result.problems] == [
        "not checked: took longer than 0.1 s (file-timeout)"
    ]
    # The large-stack thread is free again for the next file.
    assert runner.within_budget(0.1, "next.py", FileResult, "next.py").path == "next.py"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("file-timeout = 5", 5.0),
        ("file-timeout = 0.5", 0.5),
        ("file-timeout = 0", None),
        ("file-timeout = inf", None),
        ("", DEFAULT_FILE_TIMEOUT),
    ],
)
def test_the_configured_budget(project: Path, table: str, expected: float | None) -> None:
    from asynclint.config import load_config_file

    write_tree(project, {"pyproject.toml": f"[tool.asynclint]\n{table}\n"})
    assert load_config_file(project / "pyproject.toml").file_timeout == expected


@pytest.mark.parametrize("value", ["-1", "true", '"60"', "nan"])
def test_a_budget_that_is_no_number_of_seconds_is_an_error(
    run: Run, project: Path, value: str
) -> None:
    write_tree(project, {"pyproject.toml": f"[tool.asynclint]\nfile-timeout = {value}\n"})
    write_tree(project, {"a.py": CLEAN})
    result = run(".")
    assert "`file-timeout` must be a number of seconds (0: no limit)" in result.stderr
    assert result.exit_code == 2


def test_a_negative_budget_on_the_command_line_is_a_usage_error(run: Run, project: Path) -> None:
    result = run("--file-timeout", "-1", ".")
    assert result.exit_code == 2
    assert "--file-timeout" in result.stderr
