"""Input that is not clean Python: syntax errors, undecodable or unreadable files, crashes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from conftest import CLEAN, SLEEPY, Run, finding, write_tree

import asynclint.runner
from asynclint.diagnostics import FileResult
from asynclint.linter import check_source
from asynclint.rules import ALL_RULES
from asynclint.rules.blocking_sleep import BlockingSleep
from asynclint.runner import Task, check_task
from asynclint.session import ProjectSession


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(:\n    pass\n", "1:7: AL001 SyntaxError: invalid syntax"),
        ("x = (\n", "1:5: AL001 SyntaxError: '(' was never closed"),
        (
            "import time\n\nasync def poll():\n    time.sleep(1\n\nx = 1\n",
            "4:15: AL001 SyntaxError: '(' was never closed",
        ),
        (
            "def f():\n    return 1\n      y = 2\n",
            "3:6: AL001 SyntaxError: unexpected indent",
        ),
        (
            "if True:\nx = 1\n",
            "2:1: AL001 SyntaxError: expected an indented block after 'if' statement on line 1",
        ),
        ("s = 'abc\n", "1:5: AL001 SyntaxError: unterminated string literal (detected at line 1)"),
    ],
)
def test_syntax_error_position_and_message(
    run: Run, project: Path, source: str, expected: str
) -> None:
    write_tree(project, {"bad.py": source, "a.py": SLEEPY, "z.py": CLEAN})
    result = run("-q", ".")
    assert result.stdout == f"{finding('a.py')}\nbad.py:{expected}\n"
    assert result.stderr == ""
    assert result.exit_code == 1


def test_syntax_error_matches_the_compiler(project: Path) -> None:
    source = "x = [1,\n     2,\n     3 4]\n"
    try:
        compile(source, "bad.py", "exec")
    except SyntaxError as error:
        line, column, message = error.lineno, error.offset, error.msg
    [diagnostic] = check_source(source, "bad.py", ALL_RULES).diagnostics
    assert (diagnostic.start.line, diagnostic.start.column) == (line, column)
    assert diagnostic.message == f"SyntaxError: {message}"


def test_syntax_error_is_reported_whatever_the_selection(run: Run, project: Path) -> None:
    write_tree(project, {"bad.py": "def f(:\n"})
    for flags in (["--select", "AL1"], ["--ignore", "ALL"], ["--ignore", "AL001"]):
        result = run("-q", *flags, "bad.py")
        assert result.stdout == "bad.py:1:7: AL001 SyntaxError: invalid syntax\n", flags
        assert result.exit_code == 1


def test_syntax_error_with_fix_is_left_alone(run: Run, project: Path) -> None:
    write_tree(project, {"bad.py": "import time\nasync def f(:\n    time.sleep(1)\n"})
    result = run("--fix", "--unsafe-fixes", "-q", "bad.py")
    assert result.stdout == "bad.py:2:13: AL001 SyntaxError: invalid syntax\n"
    assert (project / "bad.py").read_text() == "import time\nasync def f(:\n    time.sleep(1)\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"x = 1\ny = '\xff'\n", "cannot decode: 'utf-8' codec can't decode byte 0xff"),
        (b"\xff = 1\n", "cannot decode: invalid or missing encoding declaration"),
        (b"# -*- coding: klingon -*-\nx = 1\n", "cannot decode: unknown encoding: klingon"),
        (b"\xef\xbb\xbf# coding: latin-1\n", "cannot decode: encoding problem: utf-8"),
    ],
)
def test_undecodable_file(run: Run, project: Path, data: bytes, reason: str) -> None:
    write_tree(project, {"bad.py": data, "a.py": SLEEPY})
    result = run("-q", ".")
    assert result.stderr.startswith(f"asynclint: error: bad.py: {reason}")
    assert result.stderr.count("\n") == 1
    assert result.stdout == f"{finding('a.py')}\n"
    assert result.exit_code == 2


def test_undecodable_standard_input(run: Run, project: Path) -> None:
    result = run("-", "--stdin-filename", "x.py", input=b"y = '\xff'\n")
    assert result.stderr.startswith("asynclint: error: x.py: cannot decode: ")
    assert result.exit_code == 2


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_file(run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(project, {"secret.py": SLEEPY, "a.py": SLEEPY})
    if os.geteuid() == 0:  # root reads anything: make reading this one file fail instead
        real_read = asynclint.runner.read_regular

        def read_bytes(path: str) -> bytes:
            if Path(path).name == "secret.py":
                raise PermissionError(13, "Permission denied", path)
            return real_read(path)

        monkeypatch.setattr(asynclint.runner, "read_regular", read_bytes)
    else:
        (project / "secret.py").chmod(0)
    try:
        result = run("-q", ".")
    finally:
        (project / "secret.py").chmod(0o644)
    assert result.stderr == "asynclint: error: secret.py: cannot read: Permission denied\n"
    assert result.stdout == f"{finding('a.py')}\n"
    assert result.exit_code == 2


def test_unreadable_file_through_check_task(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(project, {"secret.py": SLEEPY})

    def read_bytes(path: str) -> bytes:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(asynclint.runner, "read_regular", read_bytes)
    result = check_task(Task("secret.py", "shown.py", ("AL201",)))
    assert [(p.path, p.message) for p in result.problems] == [
        ("shown.py", "cannot read: Permission denied")
    ]
    assert result.diagnostics == []


def test_directory_where_a_file_is_expected(project: Path) -> None:
    (project / "pkg.py").mkdir()
    result = check_task(Task("pkg.py", "pkg.py", ("AL201",)))
    assert [(p.path, p.message) for p in result.problems] == [("pkg.py", "is a directory")]
    assert result.diagnostics == []


def test_directory_named_like_a_module_is_walked(run: Run, project: Path) -> None:
    write_tree(project, {"pkg.py/inner.py": SLEEPY})
    result = run("-q", ".")
    assert (result.stdout, result.stderr) == (f"{finding('pkg.py/inner.py')}\n", "")


def test_crash_inside_a_rule(run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = BlockingSleep.visit_Call

    def visit_call(self: BlockingSleep, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "explode":
            raise ValueError("cannot handle this call")
        original(self, node)

    monkeypatch.setattr(BlockingSleep, "visit_Call", visit_call)
    write_tree(
        project,
        {"a.py": SLEEPY, "boom.py": "explode()\n", "pkg/c.py": SLEEPY},
    )
    result = run("-q", ".")
    assert result.stderr == (
        "asynclint: error: boom.py: internal error: AL201 (blocking-sleep) crashed: "
        "ValueError: cannot handle this call\n"
    )
    assert result.stdout == f"{finding('a.py')}\n{finding('pkg/c.py')}\n"
    assert result.exit_code == 2


def test_crash_outside_the_rules_is_reported_per_file(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = asynclint.runner.check_source

    def check_source_that_fails(source: str, path: str, *args: Any) -> FileResult:
        if path == "boom.py":
            raise KeyError("oops")
        return real(source, path, *args)

    monkeypatch.setattr(asynclint.runner, "check_source", check_source_that_fails)
    write_tree(project, {"a.py": SLEEPY, "boom.py": "x = 1\n"})
    result = run("-q", ".")
    assert result.stderr == "asynclint: error: boom.py: internal error: KeyError: 'oops'\n"
    assert result.stdout == f"{finding('a.py')}\n"
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "data",
    [b"x = 1\x00\n", b"\x00", b"import time\n\nasync def f():\n    time.sleep(1)  \x00\n"],
)
def test_null_bytes(run: Run, project: Path, data: bytes) -> None:
    write_tree(project, {"nul.py": data, "a.py": SLEEPY})
    result = run("-q", ".")
    lines = result.stdout.splitlines()
    assert lines[0] == finding("a.py")
    assert len(lines) == 2
    assert lines[1].startswith("nul.py:1:1: AL001 ")
    assert "null bytes" in lines[1]
    assert result.stderr == ""
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n\n\n",
        "# only a comment\n# and another, with # noqa\n",
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n",
        '"""Only a docstring."""\n',
        "   \n\t\n",
        "\ufeff",
        "\r\n",
        "x = 1",  # no final newline
    ],
)
def test_trivial_files(run: Run, project: Path, source: str) -> None:
    write_tree(project, {"t.py": source})
    result = run("t.py")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "", 0)


def test_trivial_files_with_fix_are_not_rewritten(run: Run, project: Path) -> None:
    write_tree(project, {"e.py": "", "c.py": "# comment\r\n"})
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in project.iterdir()}
    assert run("--fix", "--unsafe-fixes", ".").exit_code == 0
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in project.iterdir()}
    assert after == before


def test_deeply_nested_code(run: Run, project: Path) -> None:
    nested = "x = " + "(" * 300 + "1" + ")" * 300 + "\n"
    write_tree(project, {"deep.py": nested, "a.py": SLEEPY})
    result = run("-q", ".")
    # Python cannot compile it (its parser allows 200 levels): AL001, and not named again by
    # the project index, which cannot read it either.
    assert result.stdout == (
        f"{finding('a.py')}\ndeep.py:1:205: AL001 SyntaxError: too many nested parentheses\n"
    )
    assert result.stderr == ""
    assert result.exit_code == 1


def test_valid_code_nested_deeper_than_the_default_stack_allows(tmp_path: Path) -> None:
    """A 20,000-term ``and`` chain is valid Python; parsing it on the default stack kills the
    process (LibCST's native parser recurses per operand)."""
    source = (
        "import time\n\nasync def f(a):\n    time.sleep(1)\n    return "
        + " and ".join(["a"] * 20_000)
        + "\n"
    )
    path = tmp_path / "deep.py"
    path.write_text(source, encoding="utf-8")
    result = check_task(Task(str(path), "deep.py", ("AL201",)))
    assert result.problems == []
    assert [(d.start.line, d.code) for d in result.diagnostics] == [(4, "AL201")]


def test_a_worker_process_that_dies_loses_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash that kills a worker (native code) is reported for that file alone."""
    import os

    from asynclint import runner

    for index in range(24):
        (tmp_path / f"m{index:02}.py").write_text(
            "import time\n\nasync def f():\n    time.sleep(1)\n", encoding="utf-8"
        )
    original = runner._check_task

    def crash_on_one_file(
        task: runner.Task, session: ProjectSession | None = None
    ) -> runner.FileResult:
        if task.path.endswith("m13.py"):
            os._exit(70)  # what a segfault in a parser looks like from the outside
        return original(task, session)

    monkeypatch.setattr(runner, "_check_task", crash_on_one_file)
    tasks = [runner.Task(str(p), p.name, ("AL201",)) for p in sorted(tmp_path.glob("*.py"))]
    results = list(runner.run_tasks(tasks, jobs=2))
    assert [r.path for r in results] == [t.display for t in tasks]
    crashed = [r for r in results if r.problems]
    assert [r.path for r in crashed] == ["m13.py"]
    assert "crashed" in crashed[0].problems[0].message
    assert all(len(r.diagnostics) == 1 for r in results if r.path != "m13.py")
