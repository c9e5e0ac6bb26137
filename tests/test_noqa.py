"""``# noqa`` comments, per line and per file, and how they interact with formats and fixes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SLEEPY, Run, finding, write_tree

from asynclint.fixing import FixMode
from asynclint.linter import check_source
from asynclint.noqa import find_suppressions
from asynclint.rules import ALL_RULES

HEAD = "import time\n\nasync def poll():\n"
# Every rule but AL002, which would report the codes of these comments that silence nothing.
WITHOUT_AL002 = [rule for rule in ALL_RULES if rule.code != "AL002"]


def reported_lines(body: str) -> list[int]:
    """Lines of the findings in ``HEAD + body`` (the body starts at line 4)."""
    result = check_source(HEAD + body, "x.py", WITHOUT_AL002)
    assert result.problems == []
    return [d.start.line for d in result.diagnostics]


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",
        "#noqa",
        "# NOQA",
        "# NoQa",
        "# noqa: AL201",
        "# noqa:AL201",
        "# noqa: al201",
        "# NOQA: AL201",
        "# noqa: AL201,AL301",
        "# noqa:AL301,AL201",
        "# noqa: AL301, AL201",
        "# noqa: AL301 AL201",
        "# noqa: ASYNC251",
        "# noqa: async251",
        "# type: ignore  # noqa: AL201",
        "# noqa: AL201 -- the sleep is intended",
    ],
)
def test_comment_suppresses(comment: str) -> None:
    assert reported_lines(f"    time.sleep(1)  {comment}\n") == []


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: AL301",
        "# noqa: AL2011",
        "# noqa: AL20",
        "# noqa: E501,W291",
        "# noqa: ASYNC250",
        "# asynclint: noqa",  # the file-level form only counts on a line of its own
        "# no qa",
    ],
)
def test_comment_does_not_suppress(comment: str) -> None:
    assert reported_lines(f"    time.sleep(1)  {comment}\n") == [4]


def test_only_the_commented_line_is_silenced() -> None:
    body = "    time.sleep(1)  # noqa: AL201\n    time.sleep(2)\n    time.sleep(3)  # noqa\n"
    assert reported_lines(body) == [5]


def test_noqa_inside_a_string_does_not_suppress() -> None:
    body = (
        '    time.sleep(1); x = "# noqa"\n'
        "    time.sleep(2); y = '# noqa: AL201'\n"
        '    z = """\n'
        "    # asynclint: noqa\n"
        '    """; time.sleep(3)\n'
    )
    assert reported_lines(body) == [4, 5, 8]


def test_first_line_of_a_multiline_statement() -> None:
    body = (
        "    result = combine(  # noqa: AL201\n"
        "        1,\n"
        "        time.sleep(1),\n"
        "    )\n"
        "    other = combine(\n"
        "        time.sleep(2),  # noqa: AL201\n"
        "    )\n"
        "    third = combine(\n"
        "        2,  # noqa: AL201\n"
        "        time.sleep(3),\n"
        "    )\n"
    )
    # Line 4 holds the statement's first line, line 9 the finding itself; line 12 is neither.
    assert reported_lines(body) == [13]


def test_noqa_on_an_enclosing_block_or_a_comment_line_above_does_not_suppress() -> None:
    body = (
        "    if ready:  # noqa: AL201\n"
        "        time.sleep(1)\n"
        "    # noqa: AL201\n"
        "    time.sleep(2)\n"
    )
    assert reported_lines(body) == [5, 7]


def test_noqa_on_a_compound_statement_header_covers_the_header() -> None:
    body = (
        "    while time.sleep(\n"
        "        1\n"
        "    ):  # noqa\n"
        "        pass\n"
        "    while time.sleep(\n"
        "        1):\n"
        "        pass  # noqa\n"
    )
    # The finding on line 4 belongs to the `while` statement, whose first line is 4; a noqa on
    # its later lines counts for neither.
    assert reported_lines(body) == [4, 8]


@pytest.mark.parametrize(
    "line",
    [
        "# asynclint: noqa",
        "#asynclint:noqa",
        "# ASYNCLINT: NOQA",
        "    # asynclint: noqa",
    ],
)
def test_file_level_noqa(line: str) -> None:
    source = f"{HEAD}    time.sleep(1)\n    time.sleep(2)\n{line}\n"
    assert check_source(source, "x.py", ALL_RULES).diagnostics == []


def test_file_level_noqa_must_stand_alone() -> None:
    source = f"{HEAD}    time.sleep(1)\n# asynclint: noqa because\n"
    assert len(check_source(source, "x.py", ALL_RULES).diagnostics) == 1


def test_find_suppressions_records_codes_per_line() -> None:
    suppressions = find_suppressions("a = 1  # noqa: AL201,al301\nb = 2  # noqa\nc = 3\n")
    assert suppressions.file_level is False
    assert suppressions.lines == {1: frozenset({"AL201", "AL301"}), 2: None}
    assert suppressions.suppresses(["AL301"], 1)
    assert not suppressions.suppresses(["AL401"], 1)
    assert suppressions.suppresses(["AL401"], 2)
    assert not suppressions.suppresses(["AL201"], 3)
    assert suppressions.suppresses(["AL201"], 3, 1)


def test_comments_are_found_even_where_the_tokenizer_gives_up() -> None:
    # An unterminated triple-quoted string stops the tokenizer; the plain line scan takes over.
    source = 'x = 1  # noqa: AL201\n# asynclint: noqa\ny = 2  # asynclint: noqa\nz = """\n'
    suppressions = find_suppressions(source)
    assert suppressions.lines == {1: frozenset({"AL201"})}
    assert suppressions.file_level is True
    trailing_only = find_suppressions('y = 2  # asynclint: noqa\nz = """\n')
    assert (trailing_only.file_level, trailing_only.lines) == (False, {})


SUPPRESSED_AND_NOT = (
    "import time\n\nasync def poll():\n    time.sleep(1)  # noqa: ASYNC251\n    time.sleep(2)\n"
)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_suppression_is_the_same_in_every_format(
    run: Run, project: Path, output_format: str
) -> None:
    write_tree(project, {"a.py": SUPPRESSED_AND_NOT, "b.py": f"{SLEEPY}# asynclint: noqa\n"})
    result = run("--output-format", output_format, "-q", ".")
    assert result.exit_code == 1
    if output_format == "text":
        lines = [finding("a.py", 5, 5, call="time.sleep(2)")]
        assert result.stdout.splitlines() == lines
    elif output_format == "json":
        rows = [(d["filename"], d["location"]["row"]) for d in json.loads(result.stdout)]
        assert rows == [("a.py", 5)]
    elif output_format == "sarif":
        results = json.loads(result.stdout)["runs"][0]["results"]
        regions = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
        assert regions == [5]
    else:
        assert len(result.stdout.splitlines()) == 1
        assert "file=a.py,line=5,col=5," in result.stdout


def test_statistics_count_only_what_is_not_suppressed(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SUPPRESSED_AND_NOT})
    assert run("--statistics", "a.py").stdout == "1\tAL201\tblocking-sleep\n"


def test_suppressed_findings_are_not_fixed(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SUPPRESSED_AND_NOT})
    result = run("--fix", "--unsafe-fixes", "a.py")
    assert result.exit_code == 0
    assert (project / "a.py").read_text() == (
        "import time\nimport asyncio\n\nasync def poll():\n"
        "    time.sleep(1)  # noqa: ASYNC251\n    await asyncio.sleep(2)\n"
    )
    assert result.stdout == "Found 1 finding (1 fixed, 0 remaining).\n"


def test_file_level_noqa_prevents_fixes(project: Path) -> None:
    source = f"{SLEEPY}# asynclint: noqa\n"
    result = check_source(source, "x.py", ALL_RULES, FixMode(unsafe=True))
    assert (result.diagnostics, result.fixed_source, result.fixed_count) == ([], None, 0)


def test_a_noqa_with_codes_on_a_def_line_covers_the_function(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            "app.py": (
                "import time\n"
                "\n"
                "async def warm_up():  # noqa: AL201\n"
                "    time.sleep(1)\n"
                "    async def inner():\n"
                "        time.sleep(2)\n"
                "    return inner\n"
                "\n"
                "async def bare():  # noqa\n"
                "    time.sleep(3)\n"
                "\n"
                "async def other_code():  # noqa: AL204\n"
                "    time.sleep(4)\n"
            )
        },
    )
    result = run("-q", "--select", "AL201", "app.py")
    assert [line.split(":")[1] for line in result.stdout.splitlines()] == ["10", "13"]


UNUSED = (
    "import time\n\n\nasync def poll():\n"
    "    time.sleep(1)  # noqa: AL201\n"
    "    time.sleep(2)  # noqa: AL201, AL301\n"
    "    print(3)  # noqa: AL201\n"
    "    print(4)  # noqa: AL401\n"
)


def test_unused_noqa_codes_are_reported_only_when_selected(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": UNUSED, "tests/test_a.py": UNUSED})
    assert run("-q", "a.py").stdout == ""  # off by default
    result = run("-q", "--extend-select", "AL002", ".")
    lines = [line.split(": ", 1)[0] + " " + line.split()[1] for line in result.stdout.splitlines()]
    # AL401 did not run (off by default): its code is not judged. In test code the test
    # profile holds AL201 back, but the comments silenced its findings all the same.
    assert lines == [
        "a.py:6:20 AL002",
        "a.py:7:15 AL002",
        "tests/test_a.py:6:20 AL002",
        "tests/test_a.py:7:15 AL002",
    ]
    assert "unused `# noqa` code AL301: nothing on this line is reported under it" in result.stdout
    # With every rule on, the AL401 code is judged too.
    assert len(run("-q", "--select", "ALL", "a.py").stdout.splitlines()) == 3


def test_unused_noqa_codes_are_removed_by_the_fix(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": UNUSED})
    result = run("--extend-select", "unused-noqa", "--fix", "a.py")
    assert result.exit_code == 0, result.output
    assert (project / "a.py").read_text() == (
        "import time\n\n\nasync def poll():\n"
        "    time.sleep(1)  # noqa: AL201\n"
        "    time.sleep(2)  # noqa: AL201\n"
        "    print(3)\n"
        "    print(4)  # noqa: AL401\n"
    )


# A module with an AL201 finding (line 5) and an AL301 one (line 6), for the file-level forms.
TWO_CODES = (
    "import asyncio\nimport time\n\nasync def poll():\n"
    "    time.sleep(1)\n"
    "    asyncio.create_task(poll())\n"
)


def reported_codes(source: str) -> list[str]:
    result = check_source(source, "x.py", WITHOUT_AL002)
    assert result.problems == []
    return [d.code for d in result.diagnostics]


@pytest.mark.parametrize(
    ("directive", "left"),
    [
        ("# asynclint: noqa: AL201", ["AL301"]),
        ("#asynclint:noqa:AL201", ["AL301"]),
        ("# ASYNCLINT: NOQA: al201", ["AL301"]),
        ("# asynclint: noqa: AL201, AL301", []),
        ("# asynclint: noqa: AL201 AL301", []),
        ("# asynclint: noqa: AL301 -- tasks are kept by the caller", ["AL201"]),
        ("    # asynclint: noqa: AL201", ["AL301"]),
        ("# asynclint: noqa: ASYNC251", ["AL301"]),  # a peer's code, as on a line
        ("# flake8: noqa", []),
        ("# flake8: noqa generated by a tool", []),
        ("# FLAKE8: NOQA", []),
        ("# flake8: noqa: AL201", ["AL301"]),
        ("# flake8:noqa:AL301,AL201", []),
    ],
)
def test_file_level_directives(directive: str, left: list[str]) -> None:
    for source in (f"{directive}\n{TWO_CODES}", f"{TWO_CODES}{directive}\n"):
        assert reported_codes(source) == left


@pytest.mark.parametrize(
    "directive",
    [
        "x = 1  # asynclint: noqa: AL201",  # not on a line of its own
        "x = 1  # flake8: noqa",
        "# asynclint: noqa: AL2",  # a prefix is not a code
        "# asynclint: noqa: AL2011",
        "# asynclint: noqa:",
        "# flake8: noqa:",  # flake8 ignores it; so do ruff and asynclint
        "# flake8 noqa",
        "# flake8: noqa-ish",
        "# pylint: noqa: AL201",
        "# ruff: noqa: AL201",  # ruff's own directive is ruff's business
        '"""\n# flake8: noqa\n"""',  # inside a string
    ],
)
def test_near_misses_of_file_level_directives_silence_nothing(directive: str) -> None:
    assert reported_codes(f"{directive}\n{TWO_CODES}") == ["AL201", "AL301"]


def test_file_level_codes_are_recorded_apart() -> None:
    suppressions = find_suppressions("# asynclint: noqa: AL201, al301\nx = 1  # noqa: AL401\n")
    assert suppressions.file_level is False
    assert suppressions.file_codes == {1: frozenset({"AL201", "AL301"})}
    assert suppressions.lines == {2: frozenset({"AL401"})}
    assert suppressions.suppresses(["AL301"], 40)
    assert not suppressions.suppresses(["AL401"], 40)
    assert suppressions.used == {1: {"AL301"}}
    assert find_suppressions("# flake8: noqa\n").file_level is True


def test_file_level_codes_keep_their_findings_unfixed() -> None:
    source = f"# asynclint: noqa: AL201\n{TWO_CODES}"
    result = check_source(source, "x.py", WITHOUT_AL002, FixMode(unsafe=True))
    assert result.fixed_source is not None  # AL301's fix applies
    assert "    time.sleep(1)\n" in result.fixed_source  # AL201 is silenced: left alone
    assert "AL201" not in [d.code for d in result.diagnostics]


def _unused(source: str) -> list[tuple[int, str]]:
    result = check_source(source, "x.py", ALL_RULES)
    return [(d.start.line, d.message) for d in result.diagnostics if d.code == "AL002"]


def test_unused_codes_of_a_file_level_directive_are_reported() -> None:
    used_and_not = f"# asynclint: noqa: AL201, AL502\n{TWO_CODES}"
    assert _unused(used_and_not) == [
        (1, "unused `# noqa` code AL502: nothing in this file is reported under it")
    ]
    none_used = f"{TWO_CODES}# flake8: noqa: AL502, AL299\n"
    assert _unused(none_used) == [
        (7, "unused `# noqa` codes AL299, AL502: nothing in this file is reported under it")
    ]
    # All used, a bare directive (which judges nothing), another tool's code: nothing.
    assert _unused(f"# asynclint: noqa: AL201, AL301\n{TWO_CODES}") == []
    assert _unused(f"# asynclint: noqa\n# asynclint: noqa: AL502\n{TWO_CODES}") == []
    assert _unused(f"# flake8: noqa: E501\n{TWO_CODES}") == []


def test_a_line_noqa_after_a_file_level_code_is_unused() -> None:
    # The file-level directive silences the finding first, as in ruff.
    source = TWO_CODES.replace("time.sleep(1)", "time.sleep(1)  # noqa: AL201")
    assert _unused(f"# asynclint: noqa: AL201\n{source}") == [
        (6, "unused `# noqa` code AL201: nothing on this line is reported under it")
    ]


def test_unused_file_level_codes_are_removed_by_the_fix(run: Run, project: Path) -> None:
    write_tree(
        project,
        {
            "some.py": f"# asynclint: noqa: AL201, AL502  (legacy)\n{TWO_CODES}",
            "none.py": f"# asynclint: noqa: AL502\n{SLEEPY}",
        },
    )
    result = run("--select", "AL2,AL3,AL5,AL002", "--fix", ".")
    assert (project / "some.py").read_text() == f"# asynclint: noqa: AL201  (legacy)\n{TWO_CODES}"
    assert (project / "none.py").read_text() == SLEEPY  # the directive's line is gone
    assert "AL002" not in result.stdout
    assert "none.py:4:5: AL201" in result.stdout
    assert "some.py:7:5: AL301" in result.stdout
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "before",
    [
        "# asynclint: noqa: AL502\n{code}",
        "{code}\n# flake8: noqa: AL502, AL299\n",
        "import time\n\n# asynclint: noqa: AL502\n\nasync def poll():\n    time.sleep(1)\n",
        "import time\n\n\nasync def poll():\n    # asynclint: noqa: AL502\n    time.sleep(1)\n",
    ],
)
def test_an_unused_file_level_directive_is_removed_whole(before: str) -> None:
    source = before.format(code=SLEEPY.rstrip("\n"))
    result = check_source(source, "x.py", ALL_RULES, FixMode())
    assert result.fixed_source is not None
    assert "noqa" not in result.fixed_source
    assert result.fixed_source.count("\n") == source.count("\n") - 1
    assert [d.code for d in result.diagnostics] == ["AL201"]


@pytest.mark.parametrize(
    ("directive", "left"),
    [
        ("# asynclint: noqa: AL201", ["AL301"]),
        # flake8 skips the whole file for either form (unlike ruff and asynclint, which read
        # the first as codes): the plugin never sees it.
        ("# flake8: noqa: AL301", []),
        ("# flake8: noqa", []),
        ("# asynclint: noqa", []),
        ("x = 1  # asynclint: noqa: AL201", ["AL201", "AL301"]),
    ],
)
def test_the_flake8_plugin_reads_file_level_directives_alike(
    tmp_path: Path, directive: str, left: list[str]
) -> None:
    pytest.importorskip("flake8")
    write_tree(tmp_path, {"x.py": f"{directive}\n{TWO_CODES}"})
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "AL", "x.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert [line.split()[1] for line in done.stdout.splitlines()] == left, done.stderr
