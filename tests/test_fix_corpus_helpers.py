"""The checks of the fix-over-the-corpus script (``tests/fix_corpus.py``, not a test itself),
on small made-up inputs, and the names that mark code blocking on purpose."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from fix_corpus import (
    Finding,
    Project,
    Totals,
    check_bytes,
    check_layout,
    check_scopes,
    compare_findings,
    fixed_by_file,
    line_endings,
)

from asynclint.knowledge.blocking import (
    asserts_blocking,
    comment_says_it_blocks,
    named_for_blocking,
    says_it_blocks,
)


def _project() -> Project:
    return Project("demo", Path("."), Path("."), 1, [], Totals(), Path("."))


def _kinds(project: Project) -> list[str]:
    return [kind for kind, _, _ in project.totals.failures]


def test_show_fixes_is_read_by_file_and_code() -> None:
    text = (
        "a.py:3:1: AL204 ...\n\nFixed 3 findings:\n- pkg/a.py:\n"
        "    2 \u00d7 AL201 (blocking-sleep)\n    1 \u00d7 AL202 (blocking-network-call)\n\n"
        "Found 4 findings (3 fixed, 1 remaining).\n"
    )
    assert fixed_by_file(text) == Counter({("pkg/a.py", "AL201"): 2, ("pkg/a.py", "AL202"): 1})


def test_findings_compare_as_counts_per_file_and_code() -> None:
    before = [
        Finding("a.py", "AL201", 3, "", "unsafe"),
        Finding("a.py", "AL204", 9, "", None),
        Finding("b.py", "AL202", 1, "", "unsafe"),
    ]
    after = [Finding("a.py", "AL204", 10, "", None), Finding("a.py", "AL401", 2, "", None)]
    project = _project()
    compare_findings(project, before, Counter({("a.py", "AL201"): 1}), after)
    assert sorted(_kinds(project)) == ["fix-not-applied", "hidden-finding", "new-finding"]


def test_kept_bytes() -> None:
    project = _project()
    check_bytes(project, "a.py", (b"x = 1\r\ny = 2\r\n", 0o100755), (b"x = 1\r\ny = 2\n", 0o100644))
    check_bytes(project, "b.py", (b"\xef\xbb\xbfx\n\f\n", 0o644), (b"x\n\n", 0o644))
    assert sorted(_kinds(project)) == ["bom", "form-feeds", "line-endings", "mode"]
    assert line_endings(b"a\r\nb\rc\n") == {b"\r\n", b"\r", b"\n"}


def test_a_call_joined_into_one_long_line_is_a_layout_failure() -> None:
    old = ["    x = f(\n", "        a,\n", "        b,\n", "    )\n"]
    joined = ["    x = await asyncio.to_thread(f, " + ", ".join(["argument"] * 12) + ")\n"]
    kept = ["    x = await asyncio.to_thread(\n", "        f,\n", *old[1:]]
    project = _project()
    check_layout(project, "a.py", old, kept, 120)
    assert _kinds(project) == []
    check_layout(project, "a.py", old, joined, 120)
    assert _kinds(project) == ["layout"]


@pytest.mark.parametrize(
    ("name", "named", "asserts"),
    [
        ("test_blocking_sleep_is_detected", True, False),
        ("skip_blockbuster", True, True),
        ("test_block_async_io", True, False),
        ("assert_no_checkpoints", False, True),
        ("assert_checkpoints", False, True),
        ("start_blocking_portal", True, False),
        ("read_non_blocking", False, False),
        ("unblock_reader", False, False),
        ("test_protect_loop_glob", False, False),
    ],
)
def test_names_that_say_code_blocks_on_purpose(name: str, named: bool, asserts: bool) -> None:
    assert named_for_blocking(name) is named
    assert asserts_blocking(name) is asserts


@pytest.mark.parametrize(
    ("name", "blocks"),
    [("block_event_loop", True), ("_block_loop", True), ("blocking", False), ("blocker", False)],
)
def test_function_names_that_say_they_block(name: str, blocks: bool) -> None:
    assert says_it_blocks(name) is blocks


@pytest.mark.parametrize(
    ("comment", "meant"),
    [
        ("# time.sleep is a more challenging scenario than asyncio.sleep", True),
        ("# hold the loop on purpose", True),
        ("# asyncio.sleep would not do", False),
        ("# non-blocking read", False),
        ("# error: AL201", False),
    ],
)
def test_comments_that_say_the_blocking_is_meant(comment: str, meant: bool) -> None:
    assert comment_says_it_blocks(comment, "time.sleep") is meant


def test_a_fixed_call_must_stay_in_its_with_blocks() -> None:
    old = "async def f():\n    with trio.CancelScope(shield=True):\n        time.sleep(1)\n"
    kept = old.replace("time.sleep(1)", "await trio.sleep(1)")
    hoisted = (
        "async def f():\n    await trio.sleep(1)\n    with trio.CancelScope(shield=True):\n"
        "        pass\n"
    )
    project = _project()
    check_scopes(project, "a.py", old, kept)
    assert _kinds(project) == []
    check_scopes(project, "a.py", old, hoisted)
    assert _kinds(project) == ["scope"]
