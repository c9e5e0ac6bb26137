"""The output formats: text, json, sarif, github, and --statistics."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import AL201_MESSAGE, SLEEPY, UNSAFE_HINT, Run, finding, write_tree

import asynclint
from asynclint.diagnostics import Applicability, Diagnostic, Location
from asynclint.reporters import format_github, format_sarif, format_statistics, rule_url
from asynclint.rules import ALL_RULES, RULES_BY_CODE

# Two findings in pkg/a.py (the second spans two lines), a syntax error, one finding in z.py.
TWO = (
    "import time\n\nasync def poll():\n"
    "    time.sleep(1)\n"
    "    x = print(1, time.sleep(\n"
    "        2))\n"
)
TREE = {"pkg/a.py": TWO, "pkg/broken.py": "def f(:\n    pass\n", "z.py": SLEEPY}


def _json(run: Run, *args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_text(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    result = run(".")
    assert result.stdout == (
        f"{finding('pkg/a.py')}\n"
        f"{finding('pkg/a.py', 5, 18)}\n"
        "pkg/broken.py:1:7: AL001 SyntaxError: invalid syntax\n"
        f"{finding('z.py')}\n"
        "Found 4 findings.\n"
        "3 more fixable with `--fix --unsafe-fixes`.\n"
    )
    assert result.exit_code == 1


def test_text_positions_are_one_based(run: Run, project: Path) -> None:
    write_tree(
        project,
        {"a.py": "import time\nasync def f(): time.sleep(0)\n", "b.py": "def f(:\n"},
    )
    result = run("-q", ".")
    assert result.stdout == (
        f"{finding('a.py', 2, 16)}\nb.py:1:7: AL001 SyntaxError: invalid syntax\n"
    )


def test_text_column_counts_characters(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": 'import time\n\nasync def f():\n    "é€😀"; time.sleep(0)\n'})
    assert run("-q", "a.py").stdout == f"{finding('a.py', 4, 12)}\n"


def test_summary_lines(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    assert run("a.py").stdout == f"{finding('a.py')}\nFound 1 finding.\n{UNSAFE_HINT}\n"
    assert run("--fix", "a.py").stdout == (
        f"{finding('a.py')}\nFound 1 finding (0 fixed, 1 remaining).\n{UNSAFE_HINT}\n"
    )


def test_json(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    items = _json(run, "--output-format", "json", ".")
    assert [set(item) for item in items] == [
        {
            "code",
            "name",
            "message",
            "filename",
            "location",
            "end_location",
            "noqa_row",
            "fix",
            "url",
        }
    ] * 4
    first, second, syntax, last = items
    assert first == {
        "code": "AL201",
        "name": "blocking-sleep",
        "message": AL201_MESSAGE,
        "filename": "pkg/a.py",
        "location": {"row": 4, "column": 5},
        "end_location": {"row": 4, "column": 18},
        "noqa_row": 4,
        "fix": {"applicability": "unsafe", "message": "Replace with `await asyncio.sleep()`"},
        "url": "https://github.com/asynclint/asynclint/blob/main/README.md#al201-blocking-sleep",
    }
    assert second["location"] == {"row": 5, "column": 18}
    assert second["end_location"] == {"row": 6, "column": 11}
    assert second["noqa_row"] == 5
    assert syntax["code"] == "AL001"
    assert syntax["name"] == "syntax-error"
    assert syntax["fix"] is None
    assert syntax["location"] == {"row": 1, "column": 7}
    assert last["filename"] == "z.py"


def test_json_without_findings_is_an_empty_list(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": "x = 1\n"})
    result = run("--output-format", "json", ".")
    assert (json.loads(result.stdout), result.exit_code) == ([], 0)


def test_sarif(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    document = _json(run, "--output-format", "sarif", ".")
    assert document["version"] == "2.1.0"
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(document["runs"]) == 1
    run_ = document["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "asynclint"
    assert driver["version"] == asynclint.__version__
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == ["AL001", *(r.code for r in ALL_RULES)]
    for rule in rules:
        assert {"id", "name", "shortDescription", "helpUri"} <= set(rule)
        assert rule["shortDescription"]["text"]
        assert rule["helpUri"] == rule_url(rule["id"])
    al201 = rules[[r["id"] for r in rules].index("AL201")]
    assert al201["name"] == "blocking-sleep"
    assert al201["shortDescription"] == {"text": RULES_BY_CODE["AL201"].summary}
    assert "## Why is this bad?" in al201["help"]["markdown"]

    results = run_["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("AL201", "error"),
        ("AL201", "error"),
        ("AL001", "error"),
        ("AL201", "error"),
    ]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert results[1]["message"] == {"text": AL201_MESSAGE}
    assert results[1]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "pkg/a.py"},
                "region": {"startLine": 5, "startColumn": 18, "endLine": 6, "endColumn": 11},
            }
        }
    ]
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "z.py"}


def test_sarif_without_findings(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": "x = 1\n"})
    result = run("--output-format", "sarif", ".")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["runs"][0]["results"] == []


def _diagnostic(path: str, message: str = "m", code: str = "AL201") -> Diagnostic:
    return Diagnostic(
        path=path,
        code=code,
        name="blocking-sleep",
        message=message,
        start=Location(3, 7),
        end=Location(4, 2),
        statement_line=3,
        fix_applicability=Applicability.UNSAFE,
        fix_description="d",
    )


def _sarif_uri(path: str) -> str:
    document = json.loads(format_sarif([_diagnostic(path)]))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    return location["artifactLocation"]["uri"]


def test_sarif_uri_is_a_uri_reference(tmp_path: Path) -> None:
    assert _sarif_uri("./my dir/50%.py") == "my%20dir/50%25.py"
    assert _sarif_uri("pkg/a.py") == "pkg/a.py"
    assert _sarif_uri(str(tmp_path / "a b.py")) == (tmp_path / "a b.py").as_uri()
    assert _sarif_uri(str(tmp_path / "a b.py")).startswith("file:///")


def test_github(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    result = run("--output-format", "github", ".")
    assert result.exit_code == 1
    message = AL201_MESSAGE
    assert result.stdout == (
        "::error title=asynclint (AL201),file=pkg/a.py,line=4,col=5,endLine=4,endColumn=18"
        f"::AL201 {message}\n"
        "::error title=asynclint (AL201),file=pkg/a.py,line=5,col=18,endLine=6,endColumn=11"
        f"::AL201 {message}\n"
        "::error title=asynclint (AL001),file=pkg/broken.py,line=1,col=7,endLine=1,endColumn=7"
        "::AL001 SyntaxError: invalid syntax\n"
        "::error title=asynclint (AL201),file=z.py,line=4,col=5,endLine=4,endColumn=18"
        f"::AL201 {message}\n"
    )


def test_github_escapes_properties_and_data() -> None:
    diagnostic = _diagnostic("odd,name:100%\nx.py", message="50% done\r\nnext: a,b")
    assert format_github([diagnostic]) == (
        "::error title=asynclint (AL201),file=odd%2Cname%3A100%25%0Ax.py,"
        "line=3,col=7,endLine=4,endColumn=2"
        "::AL201 50%25 done%0D%0Anext: a,b\n"
    )


def test_github_escaping_through_the_command_line(run: Run, project: Path) -> None:
    result = run("--output-format", "github", "-", "--stdin-filename", "a,b:c%.py", input=SLEEPY)
    assert result.stdout.startswith("::error title=asynclint (AL201),file=a%2Cb%3Ac%25.py,line=4,")


def test_statistics_format() -> None:
    diagnostics = [_diagnostic("a.py")] * 10 + [
        Diagnostic("b.py", "AL001", "syntax-error", "x", Location(1, 1), Location(1, 1), 1)
    ]
    assert format_statistics(diagnostics) == (
        "10\tAL201\t[*] blocking-sleep\n 1\tAL001\t[ ] syntax-error\n"
    )
    assert format_statistics([]) == ""


def test_statistics_through_the_command_line(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    result = run("--statistics", ".")
    assert result.stdout == "3\tAL201\t[*] blocking-sleep\n1\tAL001\t[ ] syntax-error\n"
    assert result.exit_code == 1
    assert run("--statistics", "pkg/broken.py").stdout == "1\tAL001\t[ ] syntax-error\n"


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_machine_formats_have_no_summary(run: Run, project: Path, output_format: str) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("--output-format", output_format, "a.py")
    assert "Found" not in result.output
    assert not re.search(r"fixable", result.output)
