"""--fix, --unsafe-fixes and --diff: what is written, how, and what is refused."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pytest
from conftest import SLEEPY, SLEEPY_FIXED, UNSAFE_HINT, Run, finding, write_tree

import asynclint.fixing
import asynclint.runner
from asynclint.diagnostics import Applicability, Fix
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.fixing import FixMode
from asynclint.linter import check_source
from asynclint.rule import Rule
from asynclint.rules import ALL_RULES
from asynclint.runner import Task, check_task

FIXED_SUMMARY = "Found 1 finding (1 fixed, 0 remaining).\n"


def fixed_text(run: Run, project: Path, source: str) -> str:
    write_tree(project, {"m.py": source})
    result = run("--fix", "--unsafe-fixes", "m.py")
    assert result.exit_code == 0, result.output
    return (project / "m.py").read_text()


def test_fix_alone_does_not_apply_unsafe_fixes(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("--fix", "a.py")
    assert (project / "a.py").read_text() == SLEEPY
    assert result.stdout == (
        f"{finding('a.py')}\nFound 1 finding (0 fixed, 1 remaining).\n{UNSAFE_HINT}\n"
    )
    assert result.exit_code == 1


def test_fix_with_unsafe_fixes_rewrites_and_adds_the_import(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("--fix", "--unsafe-fixes", "a.py")
    assert (project / "a.py").read_text() == SLEEPY_FIXED
    assert (result.stdout, result.stderr, result.exit_code) == (FIXED_SUMMARY, "", 0)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "import time\nimport asyncio as aio\n\nasync def poll():\n    time.sleep(1)\n",
            "import time\nimport asyncio as aio\n\nasync def poll():\n    await aio.sleep(1)\n",
        ),
        (
            "import time\nimport trio\n\nasync def poll():\n    time.sleep(1)\n",
            "import time\nimport trio\n\nasync def poll():\n    await trio.sleep(1)\n",
        ),
        (
            "import time\nimport anyio\n\nasync def poll():\n    time.sleep(1)\n",
            "import time\nimport anyio\n\nasync def poll():\n    await anyio.sleep(1)\n",
        ),
        (
            "import time\n\nasync def poll():\n    await time.sleep(1)\n",
            "import time\nimport asyncio\n\nasync def poll():\n    await asyncio.sleep(1)\n",
        ),
        (
            "import time\n\nasync def poll():\n    return time.sleep(1).x\n",
            "import time\nimport asyncio\n\n"
            "async def poll():\n    return (await asyncio.sleep(1)).x\n",
        ),
        (
            # comments and formatting around the call are kept
            "import time\n\nasync def poll():\n    time.sleep( 1 )  # why\n",
            "import time\nimport asyncio\n\n"
            "async def poll():\n    await asyncio.sleep( 1 )  # why\n",
        ),
    ],
)
def test_fix_results(run: Run, project: Path, source: str, expected: str) -> None:
    assert fixed_text(run, project, source) == expected


def test_fix_is_idempotent(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY, "b.py": SLEEPY})
    assert run("--fix", "--unsafe-fixes", ".").exit_code == 0
    first = {name: (project / name).read_bytes() for name in ("a.py", "b.py")}
    again = run("--fix", "--unsafe-fixes", ".")
    assert (again.stdout, again.stderr, again.exit_code) == ("", "", 0)
    assert {name: (project / name).read_bytes() for name in ("a.py", "b.py")} == first


def test_unfixable_findings_remain_and_set_the_exit_code(run: Run, project: Path) -> None:
    source = "import time\n\nasync def poll():\n    list(time.sleep(i) for i in [1])\n"
    write_tree(project, {"a.py": source})
    result = run("--fix", "--unsafe-fixes", "a.py")
    assert (project / "a.py").read_text() == source
    expected = finding("a.py", 4, 10, call="time.sleep(i)")
    assert result.stdout == f"{expected}\nFound 1 finding (0 fixed, 1 remaining).\n"
    assert result.exit_code == 1


class TestDiff:
    def test_prints_a_unified_diff_and_writes_nothing(self, run: Run, project: Path) -> None:
        write_tree(project, {"pkg/a.py": SLEEPY, "b.py": "x = 1\n"})
        result = run("--diff", "--unsafe-fixes", ".")
        assert result.stdout == (
            "--- a/pkg/a.py\n"
            "+++ b/pkg/a.py\n"
            "@@ -1,4 +1,5 @@\n"
            " import time\n"
            "+import asyncio\n"
            " \n"
            " async def poll():\n"
            "-    time.sleep(1)\n"
            "+    await asyncio.sleep(1)\n"
        )
        assert result.stderr == "Would fix 1 finding.\n"
        assert result.exit_code == 1
        assert (project / "pkg" / "a.py").read_text() == SLEEPY

    def test_with_fix_still_writes_nothing(self, run: Run, project: Path) -> None:
        write_tree(project, {"a.py": SLEEPY})
        result = run("--diff", "--fix", "--unsafe-fixes", "a.py")
        assert result.exit_code == 1
        assert result.stdout.startswith("--- a/a.py\n+++ b/a.py\n")
        assert (project / "a.py").read_text() == SLEEPY

    def test_nothing_to_change(self, run: Run, project: Path) -> None:
        write_tree(project, {"a.py": SLEEPY})
        result = run("--diff", "a.py")  # the only fix is unsafe
        assert (result.stdout, result.stderr, result.exit_code) == (
            "",
            "Would fix 0 findings.\n",
            0,
        )
        assert run("--diff", "-q", "a.py").stderr == ""


def test_unsafe_fixes_alone_writes_nothing(run: Run, project: Path) -> None:
    # As in ruff: without --fix, it only counts the unsafe fixes as fixable.
    write_tree(project, {"a.py": SLEEPY})
    result = run("--unsafe-fixes", "a.py")
    assert result.exit_code == 1
    assert result.stdout.endswith("[*] 1 fixable with `--fix --unsafe-fixes`.\n")
    assert (project / "a.py").read_text() == SLEEPY


class TestFileFormatIsKept:
    def test_byte_order_mark(self, run: Run, project: Path) -> None:
        path = project / "a.py"
        path.write_bytes(b"\xef\xbb\xbf" + SLEEPY.encode())
        assert run("--fix", "--unsafe-fixes", "a.py").exit_code == 0
        assert path.read_bytes() == b"\xef\xbb\xbf" + SLEEPY_FIXED.encode()

    def test_coding_cookie(self, run: Run, project: Path) -> None:
        source = (
            "# -*- coding: latin-1 -*-\n"
            "import time\n\n"
            "async def poll():\n"
            "    name = 'café, naïve, ½'\n"
            "    time.sleep(1)\n"
        )
        path = project / "a.py"
        path.write_bytes(source.encode("latin-1"))
        result = run("--fix", "--unsafe-fixes", "a.py")
        assert result.exit_code == 0, result.output
        expected = source.replace("import time\n", "import time\nimport asyncio\n").replace(
            "    time.sleep(1)", "    await asyncio.sleep(1)"
        )
        assert path.read_bytes() == expected.encode("latin-1")
        assert b"caf\xe9, na\xefve, \xbd" in path.read_bytes()

    def test_crlf_line_endings(self, run: Run, project: Path) -> None:
        path = project / "a.py"
        path.write_bytes(SLEEPY.replace("\n", "\r\n").encode())
        assert run("--fix", "--unsafe-fixes", "a.py").exit_code == 0
        assert path.read_bytes() == SLEEPY_FIXED.replace("\n", "\r\n").encode()

    @pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
    def test_permissions(self, run: Run, project: Path) -> None:
        path = project / "a.py"
        path.write_text(SLEEPY)
        path.chmod(0o751)
        assert run("--fix", "--unsafe-fixes", "a.py").exit_code == 0
        assert path.read_text() == SLEEPY_FIXED
        assert path.stat().st_mode & 0o7777 == 0o751


def test_atomic_write_failure_leaves_the_original(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {"a.py": SLEEPY, "b.py": SLEEPY})

    def failing_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(asynclint.runner.os, "replace", failing_replace)
    result = run("--fix", "--unsafe-fixes", "a.py")
    monkeypatch.undo()
    assert (project / "a.py").read_text() == SLEEPY
    assert sorted(p.name for p in project.iterdir()) == ["a.py", "b.py"]
    assert result.stderr == (
        "asynclint: error: a.py: fixes not written: [Errno 28] No space left on device\n"
    )
    # The finding is still in the file, so it is still reported.
    assert result.stdout == (
        f"{finding('a.py')}\nFound 1 finding (0 fixed, 1 remaining).\n"
        "[*] 1 fixable with `--fix --unsafe-fixes`.\n"
    )
    assert result.exit_code == 2


def test_write_failure_is_reported_per_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(project, {"a.py": SLEEPY})

    def failing_replace(source: str, target: str) -> None:
        raise PermissionError(13, "no")

    monkeypatch.setattr(asynclint.runner.os, "replace", failing_replace)
    task = Task("a.py", "a.py", ("AL201",), FixMode(unsafe=True), write=True)
    result = check_task(task)
    monkeypatch.undo()
    assert result.fixed_count == 0
    assert result.fixed_source is None
    assert [p.message for p in result.problems] == ["fixes not written: [Errno 13] no"]
    assert [(d.code, d.start.line) for d in result.diagnostics] == [("AL201", 4)]
    assert (project / "a.py").read_text() == SLEEPY
    assert sorted(p.name for p in project.iterdir()) == ["a.py"]


def _unparsable_name() -> cst.Name:
    """A Name that prints as ``1 +`` (LibCST validates names when they are created)."""
    node = cst.Name("placeholder")
    object.__setattr__(node, "value", "1 +")
    return node


class BreaksTheCode(Rule):
    """A rule whose fix produces code that does not parse."""

    code = "AL991"
    name = "breaks-the-code"
    requires = (QUALIFIED_NAME,)
    summary = "test rule"

    def visit_Call(self, node: cst.Call) -> None:
        if self.ask(QUALIFIED_NAME, node.func) == "time.sleep":
            fix = Fix("break", ((node, _unparsable_name()),), Applicability.SAFE)
            self.report(node, fix=fix)


class KeepsTheFinding(Rule):
    """A rule whose fix leaves the reported call in place."""

    code = "AL992"
    name = "keeps-the-finding"
    requires = (QUALIFIED_NAME,)
    summary = "test rule"

    def visit_Call(self, node: cst.Call) -> None:
        if self.ask(QUALIFIED_NAME, node.func) == "time.sleep":
            replacement = node.with_changes(args=())
            fix = Fix("drop the argument", ((node, replacement),), Applicability.SAFE)
            self.report(node, fix=fix)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            BreaksTheCode,
            "fixing produced code that does not parse (SyntaxError: invalid syntax); "
            "the file was left unchanged",
        ),
        (
            KeepsTheFinding,
            "a fix for AL992 did not remove the finding; the file was left unchanged",
        ),
    ],
)
def test_a_bad_fix_is_refused(rule: type[Rule], message: str) -> None:
    result = check_source(SLEEPY, "a.py", [rule], FixMode())
    assert result.fixed_source is None
    assert result.fixed_count == 0
    assert [(p.message, p.internal) for p in result.problems] == [(message, True)]
    assert [(d.code, d.start.line) for d in result.diagnostics] == [(rule.code, 4)]


@pytest.mark.parametrize("rule", [BreaksTheCode, KeepsTheFinding])
def test_a_bad_fix_leaves_the_file_untouched(
    rule: type[Rule], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {"a.py": SLEEPY})
    monkeypatch.setitem(asynclint.rules.RULES_BY_CODE, rule.code, rule)
    result = check_task(Task("a.py", "a.py", (rule.code,), FixMode(), write=True))
    assert result.problems and result.problems[0].internal
    assert (project / "a.py").read_text() == SLEEPY
    assert sorted(p.name for p in project.iterdir()) == ["a.py"]


class RenamesToCyrillic(Rule):
    """A rule whose fix writes a name that latin-1 cannot encode."""

    code = "AL993"
    name = "renames-to-cyrillic"
    requires = (QUALIFIED_NAME,)
    summary = "test rule"

    def visit_Call(self, node: cst.Call) -> None:
        if self.ask(QUALIFIED_NAME, node.func) == "time.sleep":
            self.report(node, fix=Fix("rename", ((node, cst.Name("жди")),), Applicability.SAFE))


def test_a_fix_the_file_encoding_cannot_hold_is_not_written(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "# coding: latin-1\nimport time\n\nasync def poll():\n    time.sleep(1)  # café\n"
    (project / "a.py").write_bytes(source.encode("latin-1"))
    monkeypatch.setitem(asynclint.rules.RULES_BY_CODE, RenamesToCyrillic.code, RenamesToCyrillic)
    task = Task("a.py", "a.py", (RenamesToCyrillic.code,), FixMode(), write=True)
    result = check_task(task)
    [problem] = result.problems
    assert problem.message.startswith("fixes not written: 'latin-1' codec can't encode")
    assert (result.fixed_count, result.fixed_source) == (0, None)
    assert (project / "a.py").read_bytes() == source.encode("latin-1")
    assert sorted(p.name for p in project.iterdir()) == ["a.py"]


def test_a_good_fix_with_the_same_harness_is_written(project: Path) -> None:
    # The counterpart of the two tests above: the harness itself lets a correct fix through.
    write_tree(project, {"a.py": SLEEPY})
    result = check_task(Task("a.py", "a.py", ("AL201",), FixMode(unsafe=True), write=True))
    assert (result.problems, result.fixed_count) == ([], 1)
    assert (project / "a.py").read_text() == SLEEPY_FIXED


def test_fixing_standard_input_never_writes(run: Run, project: Path) -> None:
    result = run("-", "--stdin-filename", "a.py", "--fix", "--unsafe-fixes", input=SLEEPY)
    assert result.stdout == SLEEPY_FIXED
    assert list(project.iterdir()) == []


def test_all_rules_fix_through_check_source() -> None:
    result = check_source(SLEEPY, "a.py", ALL_RULES, FixMode(unsafe=True))
    assert (result.fixed_source, result.original_source, result.fixed_count) == (
        SLEEPY_FIXED,
        SLEEPY,
        1,
    )
    assert result.diagnostics == []


def test_only_one_findings_fix_is_applied_when_asked() -> None:
    """An editor's quick fix: the fix of one finding (``FixMode.only``), verified, the others
    left as they are."""
    source = (
        "import asyncio\n\nasync def f():\n"
        "    a = asyncio.get_event_loop()\n"
        "    b = asyncio.get_event_loop()\n"
    )
    found = check_source(source, "m.py", ALL_RULES).diagnostics
    second = found[1]
    assert second.start.line == 5
    only = (second.code, second.start.line, second.start.column)
    result = check_source(source, "m.py", ALL_RULES, FixMode(unsafe=True, only=only))
    assert result.fixed_source == source.replace(
        "b = asyncio.get_event_loop()", "b = asyncio.get_running_loop()"
    )
    assert result.fixed_count == 1
    assert [d.start.line for d in result.diagnostics] == [4]


class ReportsTwiceWithOneFix(Rule):
    """A rule that reports a call and its argument with one fix (one ``Fix`` object) that
    settles both, as a stored coroutine and its use share the ``await`` before the call."""

    code = "AL996"
    name = "reports-twice-with-one-fix"
    requires = (QUALIFIED_NAME,)
    summary = "test rule"

    def visit_Call(self, node: cst.Call) -> None:
        awaited = isinstance(self.context.parent, cst.Await)
        if self.ask(QUALIFIED_NAME, node.func) == "asyncio.sleep" and not awaited:
            fix = Fix("await", ((node, cst.Await(node)),), Applicability.UNSAFE)
            self.report(node, fix=fix)
            self.report(node.args[0], fix=fix)


UNAWAITED = "import asyncio\n\nasync def poll():\n    asyncio.sleep(1)\n"


def test_a_fix_two_findings_share_is_applied_once_and_fixes_both(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both findings are advertised as fixable; ``--fix`` applies their fix once and counts
    both as fixed."""
    rule = ReportsTwiceWithOneFix
    plain = check_source(UNAWAITED, "a.py", [rule], FixMode(apply=False))
    assert [d.fix_applicability for d in plain.diagnostics] == [Applicability.UNSAFE] * 2
    write_tree(project, {"a.py": UNAWAITED})
    monkeypatch.setitem(asynclint.rules.RULES_BY_CODE, rule.code, rule)
    result = check_task(Task("a.py", "a.py", (rule.code,), FixMode(unsafe=True), write=True))
    assert (result.problems, result.diagnostics, result.fixed_count) == ([], [], 2)
    assert (project / "a.py").read_text() == UNAWAITED.replace("    asyncio", "    await asyncio")


class AwaitsTheSleep(Rule):
    """A rule whose fix is the same edit as another rule's: ``await`` before the call."""

    code = "AL994"
    name = "awaits-the-sleep"
    requires = (QUALIFIED_NAME,)
    summary = "test rule"

    def visit_Call(self, node: cst.Call) -> None:
        awaited = isinstance(self.context.parent, cst.Await)
        if self.ask(QUALIFIED_NAME, node.func) == "asyncio.sleep" and not awaited:
            fix = Fix("await", ((node, cst.Await(node)),), Applicability.SAFE)
            self.report(node, fix=fix)


class AlsoAwaitsTheSleep(AwaitsTheSleep):
    code = "AL995"
    name = "also-awaits-the-sleep"


def test_two_rules_with_the_same_edit_are_fixed_at_once() -> None:
    source = "import asyncio\n\nasync def poll():\n    asyncio.sleep(1)\n"
    result = check_source(source, "a.py", [AwaitsTheSleep, AlsoAwaitsTheSleep], FixMode())
    assert result.fixed_source == source.replace("    asyncio", "    await asyncio")
    assert (result.fixed_count, result.fixed_codes) == (2, ("AL994", "AL995"))
    assert (result.problems, result.diagnostics) == ([], [])


def test_a_fix_that_cannot_be_applied_is_never_silent(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {"a.py": SLEEPY})
    monkeypatch.setattr(asynclint.fixing, "apply_fixes", lambda module, fixes: (module, []))
    result = run("--fix", "--unsafe-fixes", "a.py")
    assert (project / "a.py").read_text() == SLEEPY
    assert result.stderr == (
        "asynclint: error: a.py: 1 fix could not be applied (overlapping edits); reported unfixed\n"
    )
    assert result.stdout.startswith(f"{finding('a.py')}\nFound 1 finding (0 fixed, 1 remaining).")
    assert result.exit_code == 2


# Awaiting the call (AL101's fix) gives the task ``start_async`` returns, dropped: a new AL301,
# while the fix of the first AL301 removes that one. Counted per code, the round looked as if
# the AL301 fix had failed, and every fix of the file was refused.
A_FIX_BRINGS_A_FINDING = """\
import asyncio

async def start_async(coro):
    return asyncio.create_task(coro)

async def notify(user):
    pass

async def handler(user):
    asyncio.create_task(notify(user))
    start_async(notify(user))
"""


def test_a_fix_that_brings_a_finding_another_fix_removes_is_kept() -> None:
    result = check_source(A_FIX_BRINGS_A_FINDING, "a.py", ALL_RULES, FixMode(unsafe=True))
    assert result.problems == []
    assert result.fixed_codes == ("AL101", "AL301")
    assert result.fixed_source is not None
    assert "    await start_async(notify(user))\n" in result.fixed_source
    assert [(d.code, d.start.line) for d in result.diagnostics] == [("AL301", 15)]
