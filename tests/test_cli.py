"""The command line: paths, selection flags, output switches, standard input, jobs, colour."""

from __future__ import annotations

import importlib.metadata
import io
import os
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import (
    CLEAN,
    SLEEPY,
    SLEEPY_FIXED,
    UNSAFE_HINT,
    Run,
    finding,
    write_tree,
)

import asynclint
import asynclint.runner
from asynclint.cli import main
from asynclint.reporters import use_color
from asynclint.rules import ALL_RULES

ANSI = "\x1b["


def test_default_path_is_the_current_directory(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY, "pkg/b.py": SLEEPY, "pkg/c.py": CLEAN})
    result = run()
    assert result.stdout == (
        f"{finding('a.py')}\n{finding('pkg/b.py')}\n"
        "Found 2 findings.\n2 more fixable with `--fix --unsafe-fixes`.\n"
    )
    assert result.stderr == ""
    assert result.exit_code == 1


def test_several_paths_only_those_are_linted(run: Run, project: Path) -> None:
    write_tree(
        project, {"a.py": SLEEPY, "skipped.py": SLEEPY, "pkg/b.py": SLEEPY, "pkg/c.pyi": SLEEPY}
    )
    result = run("pkg", "a.py")
    assert result.stdout.splitlines()[:3] == [
        finding("a.py"),
        finding("pkg/b.py"),
        finding("pkg/c.pyi"),
    ]
    assert "skipped.py" not in result.stdout
    assert result.exit_code == 1


def test_clean_tree_prints_nothing_and_exits_0(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": CLEAN})
    result = run(".")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "", 0)


@pytest.mark.parametrize(
    ("flags", "reported"),
    [
        (["--select", "AL201"], True),
        (["--select", "AL2"], True),
        (["--select", "AL"], True),
        (["--select", "ALL"], True),
        (["--select", "al2"], True),
        (["--select", "AL1"], False),
        (["--select", "AL1,AL201"], True),
        (["--select", "AL1, AL3"], False),
        (["--select", "AL1", "--select", "AL2"], True),
        (["--ignore", "AL201"], False),
        (["--ignore", "AL2"], False),
        (["--ignore", "ALL"], False),
        (["--ignore", "AL1,AL3"], True),
        (["--select", "AL2", "--ignore", "AL201"], False),
        (["--select", "AL201", "--ignore", "AL2"], True),
        (["--select", "AL1", "--extend-select", "AL201"], True),
        (["--select", "AL1", "--extend-select", "AL3,AL2"], True),
        (["--ignore", "ALL", "--extend-select", "AL2"], True),
        (["--extend-select", "AL2", "--ignore", "AL201"], False),
    ],
)
def test_selection_flags(run: Run, project: Path, flags: list[str], reported: bool) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run(*flags, "a.py")
    assert result.exit_code == (1 if reported else 0), result.output
    assert (finding("a.py") in result.stdout) is reported


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--select", "XYZ"], "--select: unknown rule selector 'XYZ'"),
        (
            ["--select", "AL201,AL2011"],
            "--select: unknown rule selector 'AL2011'; did you mean AL201?",
        ),
        (["--select", "AL2O1"], "--select: unknown rule selector 'AL2O1'; did you mean AL201?"),
        (
            ["--ignore", "blocking_slep"],
            "--ignore: unknown rule selector 'blocking_slep'; did you mean blocking-sleep?",
        ),
        (["--ignore", "AL9"], "--ignore: unknown rule selector 'AL9'"),
        (["--extend-select", "ASYNC251"], "--extend-select: unknown rule selector 'ASYNC251'"),
    ],
)
def test_unknown_selector_is_a_usage_error(
    run: Run, project: Path, flags: list[str], message: str
) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run(*flags, "a.py")
    assert result.exit_code == 2
    assert result.stderr == f"asynclint: error: {message}\n"
    assert result.stdout == ""


def test_rules_are_selected_by_name_too(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    assert finding("a.py") in run("--select", "blocking-sleep", "a.py").stdout
    assert run("--select", "AL2", "--ignore", "Blocking-Sleep", "a.py").exit_code == 0
    assert run("--explain", "blocking-sleep").stdout.startswith("# AL201 blocking-sleep")
    wrong = run("--explain", "AL2O1")
    assert wrong.exit_code == 2 and "did you mean AL201?" in wrong.stderr


def test_statistics(run: Run, project: Path) -> None:
    many = "import time\n\nasync def poll():\n" + "    time.sleep(1)\n" * 11
    write_tree(project, {"a.py": many, "b.py": SLEEPY, "broken.py": "def f(:\n"})
    result = run("--statistics", ".")
    # AL201's fix is unsafe, not what `--fix` fixes: with no code fixable, no column of
    # marks (as in ruff).
    assert result.stdout == "12\tAL201\tblocking-sleep\n 1\tAL001\tsyntax-error\n"
    assert result.exit_code == 1


def test_show_source(run: Run, project: Path) -> None:
    write_tree(
        project,
        {"a.py": SLEEPY, "b.py": "import time\n\nasync def poll():\n    x = time.sleep(\n1)\n"},
    )
    result = run("--show-source", "-q", ".")
    assert result.stdout == (
        f"{finding('a.py')}\n"
        "        time.sleep(1)\n"
        "        ^^^^^^^^^^^^^\n"
        f"{finding('b.py', 4, 9)}\n"
        "        x = time.sleep(\n"
        "            ^\n"
    )


def test_show_source_counts_lines_and_decodes_as_python_does(run: Run, project: Path) -> None:
    write_tree(
        project,
        {
            # A form feed is a line break for str.splitlines() but not for Python.
            "ff.py": "import time\n\x0c\nasync def poll():\n    time.sleep(1)\n",
            "latin.py": (
                '# coding: latin-1\nimport time\nasync def poll():\n    s = "café"; time.sleep(1)\n'
            ).encode("latin-1"),
        },
    )
    result = run("--show-source", "-q", ".")
    assert result.stdout == (
        f"{finding('ff.py')}\n"
        "        time.sleep(1)\n"
        "        ^^^^^^^^^^^^^\n"
        f"{finding('latin.py', 4, 17)}\n"
        '        s = "café"; time.sleep(1)\n'
        "                    ^^^^^^^^^^^^^\n"
    )


def test_show_source_for_standard_input(run: Run, project: Path) -> None:
    result = run("--show-source", "-q", "-", "--stdin-filename", "s.py", input=SLEEPY)
    assert result.stdout == (f"{finding('s.py')}\n        time.sleep(1)\n        ^^^^^^^^^^^^^\n")


def test_exit_zero_still_prints_the_findings(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("--exit-zero", "a.py")
    assert result.exit_code == 0
    assert result.stdout == f"{finding('a.py')}\nFound 1 finding.\n{UNSAFE_HINT}\n"


def test_exit_zero_does_not_hide_input_problems(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("--exit-zero", "a.py", "missing.py")
    assert result.exit_code == 2


def test_quiet_prints_only_the_findings(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("--quiet", "a.py")
    assert result.stdout == f"{finding('a.py')}\n"
    assert result.exit_code == 1


@pytest.mark.parametrize("code", ["AL201", "al201", " AL201 "])
def test_explain(run: Run, code: str) -> None:
    result = run("--explain", code)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "# AL201 blocking-sleep\n\n"
        "`time.sleep()` blocks the event loop inside `async def`.\n\n"
        "Fix: unsafe\n\n"
        "## What it does\n"
    )
    for section in ("Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert f"\n## {section}\n" in result.stdout


def test_explain_says_a_rule_is_off_by_default(run: Run) -> None:
    result = run("--explain", "AL402")
    assert "Fix: unsafe\nDefault: off (enable with `--select AL4`" in result.stdout


def test_explain_unknown_code(run: Run) -> None:
    result = run("--explain", "AL999")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown rule code 'AL999'" in result.stderr
    assert "--list-rules" in result.stderr


def test_list_rules(run: Run) -> None:
    result = run("--list-rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"CODE +NAME +DEFAULT +FIX +SUMMARY", lines[0])
    assert len(lines) == 1 + len(ALL_RULES)
    for line, rule in zip(lines[1:], ALL_RULES, strict=True):
        fix = rule.fix_applicability.value if rule.fix_applicability else "no"
        default = "on" if rule.default_enabled else "off"
        assert re.fullmatch(
            rf"{rule.code} +{re.escape(rule.name)} +{default} +{fix} +{re.escape(rule.summary)}",
            line,
        )
    assert re.search(r"^AL402 +await-in-loop +off +unsafe ", result.stdout, re.M)
    assert re.search(
        r"^AL201 +blocking-sleep +on +unsafe +`time.sleep\(\)` blocks", result.stdout, re.M
    )


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"asynclint, version {importlib.metadata.version('asynclint')}\n"
    assert asynclint.__version__ == importlib.metadata.version("asynclint")


class TestStdin:
    def test_findings_use_the_stdin_filename(self, run: Run, project: Path) -> None:
        result = run("-", "--stdin-filename", "pkg/mod.py", input=SLEEPY)
        assert result.stdout == f"{finding('pkg/mod.py')}\nFound 1 finding.\n{UNSAFE_HINT}\n"
        assert result.exit_code == 1
        assert not (project / "pkg").exists()

    def test_without_a_filename_the_path_is_a_dash(self, run: Run, project: Path) -> None:
        result = run("-", "-q", input=SLEEPY)
        assert result.stdout == f"{finding('-')}\n"
        assert result.exit_code == 1

    def test_fix_prints_the_fixed_code_and_reports_on_stderr(self, run: Run, project: Path) -> None:
        write_tree(project, {"mod.py": "on disk\n"})
        result = run("-", "--stdin-filename", "mod.py", "--fix", "--unsafe-fixes", input=SLEEPY)
        assert result.stdout == SLEEPY_FIXED
        assert result.stderr == "Found 1 finding (1 fixed, 0 remaining).\n"
        assert result.exit_code == 0
        assert (project / "mod.py").read_text() == "on disk\n"

    def test_fix_without_a_change_echoes_the_input(self, run: Run, project: Path) -> None:
        result = run("-", "--stdin-filename", "mod.py", "--fix", input=SLEEPY)
        assert result.stdout == SLEEPY
        assert result.stderr == (
            f"{finding('mod.py')}\nFound 1 finding (0 fixed, 1 remaining).\n{UNSAFE_HINT}\n"
        )
        assert result.exit_code == 1

    def test_clean_input_with_fix(self, run: Run, project: Path) -> None:
        result = run("-", "--fix", input=CLEAN)
        assert (result.stdout, result.stderr, result.exit_code) == (CLEAN, "", 0)

    def test_dash_cannot_be_mixed_with_paths(self, run: Run, project: Path) -> None:
        write_tree(project, {"a.py": SLEEPY})
        result = run("-", "a.py", input=SLEEPY)
        assert result.exit_code == 2
        assert "'-' (standard input) cannot be mixed with other paths" in result.stderr


def _tree_of_many_files(root: Path) -> None:
    files: dict[str, str | bytes] = {}
    for i in range(14):
        folder = ("", "pkg/", "pkg/sub/", "zeta/")[i % 4]
        sleeps = "    time.sleep(1)\n" * (i % 3)
        files[f"{folder}m{i:02}.py"] = f"import time\n\nasync def poll():\n{sleeps}    pass\n"
    files["pkg/broken.py"] = "def f(:\n"
    files["undecodable.py"] = b"x = 1\ny = '\xff'\n"
    write_tree(root, files)


def test_jobs_give_identical_sorted_output(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree_of_many_files(project)
    pools: list[int] = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: Any) -> None:
            pools.append(max_workers)
            super().__init__(max_workers, **kwargs)

    monkeypatch.setattr(asynclint.runner, "ProcessPoolExecutor", RecordingPool)
    serial = run("--jobs", "1", ".")
    assert pools == []
    parallel = run("--jobs", "2", ".")
    # One pool makes the project index's summaries, the next lints; both with 2 workers.
    assert pools == [2, 2]
    assert parallel.stdout == serial.stdout
    assert parallel.stderr == serial.stderr
    assert parallel.exit_code == serial.exit_code == 2
    lines = [line for line in serial.stdout.splitlines() if line.count(":") >= 3]
    assert len(lines) == 14  # 13 AL201 and one AL001
    keys = []
    for line in lines:
        path, row, column, _ = line.split(":", 3)
        keys.append((path, int(row), int(column)))
    assert keys == sorted(keys)
    assert serial.stderr.startswith("asynclint: error: undecodable.py: cannot decode: ")


def test_few_files_do_not_start_workers(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {f"m{i}.py": SLEEPY for i in range(7)})

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started for 7 files")

    monkeypatch.setattr(asynclint.runner, "ProcessPoolExecutor", no_pool)
    assert run("--jobs", "4", ".").exit_code == 1


def test_no_colour_when_not_a_terminal(project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    # color=True keeps any escape sequence that click would otherwise strip from the capture.
    result = CliRunner().invoke(
        main, ["--jobs", "1", "--show-source", "a.py"], color=True, catch_exceptions=False
    )
    assert result.exit_code == 1
    assert finding("a.py") in result.stdout
    assert ANSI not in result.output


def _run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run the console script with its standard output on a pseudo-terminal."""
    pty = pytest.importorskip("pty")
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "asynclint"), *args],
            cwd=cwd,
            env=env,
            stdout=secondary,
            stderr=subprocess.DEVNULL,
        )
    finally:
        os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    return process.wait(timeout=60), b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color(project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, output = _run_on_a_terminal(["--jobs", "1", "a.py"], project, env)
    assert code == 1
    assert f"{ANSI}1ma.py:4:5:{ANSI}0m" in output
    assert f"{ANSI}31m" in output

    code, output = _run_on_a_terminal(["--jobs", "1", "a.py"], project, {**env, "NO_COLOR": "1"})
    assert code == 1
    assert ANSI not in output
    assert finding("a.py") in output


def test_exit_codes(run: Run, project: Path) -> None:
    write_tree(project, {"clean.py": CLEAN, "sleepy.py": SLEEPY})
    assert run("clean.py").exit_code == 0
    assert run("sleepy.py").exit_code == 1
    assert run("--output-format", "xml", "clean.py").exit_code == 2
    assert run("--jobs", "0", "clean.py").exit_code == 2
    assert run("--no-such-option").exit_code == 2


def test_missing_path_is_reported_and_the_rest_linted(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("missing.py", "a.py", "missing_dir")
    assert result.stderr == (
        "asynclint: error: missing.py: no such file or directory\n"
        "asynclint: error: missing_dir: no such file or directory\n"
    )
    assert result.stdout.startswith(f"{finding('a.py')}\n")
    assert result.exit_code == 2


def test_absolute_paths_outside_the_working_directory(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"proj/a.py": SLEEPY, "elsewhere/.keep": ""})
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run("-q", str(tmp_path / "proj"))
    assert result.stdout == f"{finding(str(tmp_path / 'proj' / 'a.py'))}\n"


def test_the_same_file_named_twice_is_linted_once(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("-q", "a.py", "./a.py", ".")
    assert result.stdout == f"{finding('a.py')}\n"


def _script() -> str:
    return str(Path(sys.executable).parent / "asynclint")


def test_console_script(project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY, "pkg/clean.py": CLEAN})
    completed = subprocess.run(
        [_script(), "--jobs", "1", "."], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert completed.stdout == f"{finding('a.py')}\nFound 1 finding.\n{UNSAFE_HINT}\n"
    assert completed.stderr == ""
    assert completed.returncode == 1


def test_python_dash_m(project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    completed = subprocess.run(
        [sys.executable, "-m", "asynclint", "--jobs", "1", "-q", "a.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.stdout == f"{finding('a.py')}\n"
    assert completed.returncode == 1
    helped = subprocess.run(
        [sys.executable, "-m", "asynclint", "--help"], capture_output=True, text=True, timeout=60
    )
    assert helped.returncode == 0
    assert helped.stdout.startswith("Usage: asynclint [OPTIONS] [PATHS]...")


@pytest.mark.parametrize(
    ("choice", "environment", "terminal", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # empty: as if not set
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": ""}, False, False),
        ("auto", {"CLICOLOR_FORCE": "1"}, False, True),
        ("auto", {"CLICOLOR_FORCE": "0"}, False, True),  # set: ruff forces colour
        ("auto", {"CLICOLOR_FORCE": ""}, False, False),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),  # NO_COLOR wins
        ("auto", {"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, False, False),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_when_colour_is_used(
    choice: str, environment: dict[str, str], terminal: bool, expected: bool
) -> None:
    stream = io.StringIO()
    stream.isatty = lambda: terminal  # type: ignore[method-assign]
    assert use_color(choice, stream, environment) is expected


@pytest.mark.parametrize(
    ("args", "environment", "coloured"),
    [
        (["--color", "always"], {}, True),
        (["--color=never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"CLICOLOR_FORCE": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        ([], {}, False),
    ],
)
def test_color_option_and_variables(
    project: Path, args: list[str], environment: dict[str, str], coloured: bool
) -> None:
    write_tree(project, {"a.py": SLEEPY})
    env = {"FORCE_COLOR": None, "CLICOLOR_FORCE": None, "NO_COLOR": None, **environment}
    # color=True keeps any escape sequence that click would otherwise strip from the capture.
    result = CliRunner().invoke(
        main, ["--jobs", "1", *args, "a.py"], color=True, env=env, catch_exceptions=False
    )
    assert result.exit_code == 1
    assert (ANSI in result.stdout) is coloured
    assert result.stdout.count("a.py:4:5:") == 1


def test_unknown_colour_choice_is_a_usage_error(run: Run, project: Path) -> None:
    result = run("--color", "sometimes", ".")
    assert result.exit_code == 2
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in result.stderr
