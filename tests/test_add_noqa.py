"""``--add-noqa``: a ``# noqa`` for every finding, nothing else changed, and a clean next run."""

from __future__ import annotations

from pathlib import Path

from conftest import Run, write_tree

from asynclint.adding_noqa import Wanted, with_noqa

LEGACY = (
    "import asyncio\n"
    "import time\n"
    "\n"
    "\n"
    "async def main():\n"
    "    time.sleep(1)  # keep this\n"
    "    time.sleep(2)  # noqa: AL999\n"
    '    x = """\n'
    '    text""" + str(time.sleep(3))\n'
    "    asyncio.create_task(main())\n"
    "    y = [\n"
    '        time.sleep(len("""\n'
    '        """)),\n'
    "    ]\n"
    "    time.sleep(5)  # noqa\n"
)
ANNOTATED = (
    "import asyncio\n"
    "import time\n"
    "\n"
    "\n"
    "async def main():\n"
    "    time.sleep(1)  # keep this  # noqa: AL201\n"
    "    time.sleep(2)  # noqa: AL201, AL999\n"
    '    x = """\n'
    '    text""" + str(time.sleep(3))  # noqa: AL201\n'
    "    asyncio.create_task(main())  # noqa: AL301\n"
    "    y = [  # noqa: AL201\n"
    '        time.sleep(len("""\n'
    '        """)),\n'
    "    ]\n"
    "    time.sleep(5)  # noqa\n"
)


def test_every_finding_gets_a_noqa_and_the_next_run_is_clean(run: Run, project: Path) -> None:
    write_tree(project, {"app/legacy.py": LEGACY, "app/clean.py": "x = 1\n"})
    result = run("--add-noqa", ".")
    assert result.exit_code == 0
    assert result.stderr == "Added 5 noqa directives.\n"
    assert result.stdout == ""
    assert (project / "app/legacy.py").read_text() == ANNOTATED
    assert (project / "app/clean.py").read_text() == "x = 1\n"
    assert run(".").exit_code == 0  # nothing left to report
    again = run("--add-noqa", ".")
    assert again.stderr == "Added 0 noqa directives.\n"
    assert (project / "app/legacy.py").read_text() == ANNOTATED
    # A new mistake is reported as usual.
    (project / "app/legacy.py").write_text(ANNOTATED + "    time.sleep(6)\n")
    assert run("-q", ".").stdout.startswith("app/legacy.py:16:5: AL201")


def test_the_selection_decides_what_is_annotated(run: Run, project: Path) -> None:
    write_tree(project, {"legacy.py": LEGACY})
    assert run("--add-noqa", "--select", "AL3", ".").stderr == "Added 1 noqa directive.\n"
    assert "# noqa: AL301" in (project / "legacy.py").read_text()
    assert "AL201" not in (project / "legacy.py").read_text().replace("AL999", "")


def test_line_endings_and_the_byte_order_mark_are_kept(run: Run, project: Path) -> None:
    source = "\ufeffimport time\r\n\r\nasync def f():\r\n    time.sleep(1)\r\n"
    (project / "a.py").write_bytes(source.encode("utf-8"))
    assert run("--add-noqa", "a.py").exit_code == 0
    expected = source.replace("sleep(1)", "sleep(1)  # noqa: AL201")
    assert (project / "a.py").read_bytes() == expected.encode("utf-8")


def test_a_line_no_comment_can_end_is_named(run: Run, project: Path) -> None:
    source = 'import time\n\nasync def f():\n    time.sleep(len("""\n    """))\n'
    write_tree(project, {"a.py": source})
    result = run("--add-noqa", "a.py")
    assert result.exit_code == 0
    assert "a.py: no `# noqa` can end line 4" in result.stderr
    assert (project / "a.py").read_text() == source


def test_add_noqa_is_not_combined_with_fixes(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": LEGACY})
    for other in (["--fix"], ["--diff"]):
        result = run("--add-noqa", *other, "a.py")
        assert result.exit_code == 2 and "--add-noqa cannot be combined" in result.stderr
    assert (project / "a.py").read_text() == LEGACY


def test_only_comments_change_or_nothing_does() -> None:
    wanted = [Wanted("AL201", 1, 1)]
    assert with_noqa("x = 1\n", wanted).text == "x = 1  # noqa: AL201\n"
    # Source that does not tokenize is left alone.
    broken = with_noqa('x = """\n', wanted)
    assert broken.refused and broken.text == 'x = """\n'
    # A backslash continuation cannot take a comment: the statement's line is used.
    continued = with_noqa("y = 1 + \\\n    f()\n", [Wanted("AL201", 1, 1)])
    assert continued.text == "y = 1 + \\\n    f()\n" and continued.skipped == [1]
