"""The output formats: text (concise, full), json, sarif, github, gitlab, junit, pylint, and
--statistics."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import AL201_MESSAGE, SLEEPY, UNSAFE_HINT, Run, finding, write_tree
from referencing import Registry, Resource

import asynclint
from asynclint import reporters
from asynclint.diagnostics import Applicability, Diagnostic, Edit, Location
from asynclint.reporters import (
    format_github,
    format_json,
    format_sarif,
    format_statistics,
    help_url,
    rule_url,
)
from asynclint.rules import ALL_RULES, RULES_BY_CODE

# Two findings in pkg/a.py (the second spans two lines), a syntax error, one finding in z.py.
TWO = (
    "import time\n\nasync def poll():\n"
    "    time.sleep(1)\n"
    "    x = print(1, time.sleep(\n"
    "        2))\n"
)
TREE = {"pkg/a.py": TWO, "pkg/broken.py": "def f(:\n    pass\n", "z.py": SLEEPY}
# The message of the second finding: the call as written, on one line.
SECOND_MESSAGE = AL201_MESSAGE.replace("time.sleep(1)", "time.sleep(2)")


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
        f"{finding('pkg/a.py', 5, 18, call='time.sleep(2)')}\n"
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
        f"{finding('a.py', 2, 16, call='time.sleep(0)')}\n"
        "b.py:1:7: AL001 SyntaxError: invalid syntax\n"
    )


def test_text_column_counts_characters(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": 'import time\n\nasync def f():\n    "é€😀"; time.sleep(0)\n'})
    assert run("-q", "a.py").stdout == f"{finding('a.py', 4, 12, call='time.sleep(0)')}\n"


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
        "fix": {
            "applicability": "unsafe",
            "message": "Replace with `await asyncio.sleep()`",
            "edits": [
                {
                    "content": "import asyncio\n",
                    "location": {"row": 2, "column": 1},
                    "end_location": {"row": 2, "column": 1},
                },
                {
                    "content": "await asyncio",
                    "location": {"row": 4, "column": 5},
                    "end_location": {"row": 4, "column": 9},
                },
            ],
        },
        "url": f"{README.as_uri()}#al201-blocking-sleep",
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
        assert {"id", "name", "shortDescription", "help"} <= set(rule)
        assert rule["shortDescription"]["text"]
        # Run from a clone, the rule's page is a file on this machine: no use to code scanning.
        assert "helpUri" not in rule
    assert "informationUri" not in driver
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
    assert results[1]["message"] == {"text": SECOND_MESSAGE}
    assert results[1]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "pkg/a.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 5, "startColumn": 18, "endLine": 6, "endColumn": 11},
            }
        }
    ]
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "z.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": project.resolve().as_uri() + "/"}}
    assert run_["columnKind"] == "unicodeCodePoints"


def test_sarif_without_findings(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": "x = 1\n"})
    result = run("--output-format", "sarif", ".")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["runs"][0]["results"] == []


SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
# Findings of several rules: AL201 (an unsafe fix), AL301 and AL101 (a safe fix), AL001.
SEVERAL_RULES = {
    "pkg/a.py": TWO,
    "pkg/b.py": (
        "import asyncio\n\n\nasync def notify(user): ...\n\n\n"
        "async def handle(user):\n"
        "    asyncio.create_task(notify(user))\n"
        "    notify(user)\n"
    ),
    "pkg/broken.py": "def f(:\n    pass\n",
    "my dir/50%.py": SLEEPY,
}


def _sarif_validator() -> jsonschema.protocols.Validator:
    """A validator for the official schema (shipped in tests/data) that never goes online:
    the schema's own ``$id`` resolves to the local copy, and nothing else is retrievable."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    registry: Registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return validator_class(schema, registry=registry, format_checker=validator_class.FORMAT_CHECKER)


def test_sarif_schema_is_the_official_one() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"] == {
        "description": "The SARIF format version of this log file.",
        "enum": ["2.1.0"],
    }
    assert {"run", "result", "reportingDescriptor", "region", "artifactLocation"} <= set(
        schema["definitions"]
    )
    assert _sarif_validator().__class__ is jsonschema.Draft7Validator


@pytest.mark.parametrize("tree", [SEVERAL_RULES, {"a.py": "x = 1\n"}], ids=["findings", "none"])
def test_sarif_is_valid_against_the_schema(run: Run, project: Path, tree: dict[str, str]) -> None:
    write_tree(project, tree)
    result = run("--output-format", "sarif", ".")
    assert result.exit_code == (1 if len(tree) > 1 else 0)
    document = json.loads(result.stdout)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _sarif_validator().iter_errors(document)
    ]
    assert errors == []
    results = document["runs"][0]["results"]
    if len(tree) > 1:
        assert {r["ruleId"] for r in results} == {"AL001", "AL101", "AL201", "AL301"}
    else:
        assert results == []


def test_sarif_schema_catches_mistakes() -> None:
    """The validation is not vacuous: the schema rejects what SARIF forbids."""
    document = json.loads(format_sarif([_diagnostic("a.py")]))
    validator = _sarif_validator()
    assert validator.is_valid(document)
    region = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    region["startColumn"] = 0
    assert not validator.is_valid(document)
    region["startColumn"] = 1
    document["runs"][0]["tool"]["driver"]["rules"][0]["help"] = "not an object"
    assert not validator.is_valid(document)


README = Path(__file__).resolve().parent.parent / "README.md"
PAGE = "https://git.example.test/team/asynclint/blob/0123abc/README.md"


def test_sarif_rule_metadata_for_github_code_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if installed from a commit on a code-hosting site, whose page of the README is public.
    monkeypatch.setattr(reporters, "documentation_url", lambda: PAGE)
    document = json.loads(format_sarif([]))
    assert document["runs"][0]["tool"]["driver"]["informationUri"] == PAGE
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["AL001", *(r.code for r in ALL_RULES)]
    readme = README.read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (AL\d{3}) (\S+)$", readme, re.M))
    for rule in rules:
        code = rule["id"]
        assert (code, rule["name"]) in headings
        assert rule["helpUri"] == f"{PAGE}#{code.lower()}-{rule['name']}"
        for key in ("shortDescription", "fullDescription"):
            assert rule[key]["text"].strip(), (code, key)
        assert set(rule["help"]) == {"text", "markdown"}
        assert rule["help"]["text"].startswith(f"{code} {rule['name']}: ")
        assert rule["help"]["markdown"].startswith(f"**{code} {rule['name']}**: ")
        assert rule["helpUri"] in rule["help"]["text"]
        assert f"[Documentation]({rule['helpUri']})" in rule["help"]["markdown"]
        assert rule["defaultConfiguration"] == {"level": "error"}
        assert "async" in rule["properties"]["tags"]
    by_id = {rule["id"]: rule for rule in rules}
    for code, rule_class in RULES_BY_CODE.items():
        descriptor = by_id[code]
        assert descriptor["shortDescription"]["text"] == rule_class.summary
        assert descriptor["fullDescription"]["text"] == rule_class.section("What it does")
        assert rule_class.documentation() in descriptor["help"]["markdown"]
        fix_tags = {t for t in descriptor["properties"]["tags"] if t.startswith("fix-")}
        applicability = rule_class.fix_applicability
        assert fix_tags == ({f"fix-{applicability.value}"} if applicability else set())
    assert "## Why is this bad?" in by_id["AL301"]["help"]["markdown"]
    assert by_id["AL301"]["helpUri"].endswith("README.md#al301-dropped-task")
    assert by_id["AL001"]["helpUri"].endswith("README.md#al001-syntax-error")


def test_sarif_absolute_paths_have_no_base(tmp_path: Path) -> None:
    document = json.loads(format_sarif([_diagnostic(str(tmp_path / "a.py"))]))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": (tmp_path / "a.py").as_uri()}


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
    # Relative paths are relative to %SRCROOT% (the working directory); absolute ones stand alone.
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
        f"::AL201 {SECOND_MESSAGE}\n"
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
    # No code fixable (AL201's fix is unsafe): no column of marks, as in ruff.
    assert format_statistics(diagnostics) == "10\tAL201\tblocking-sleep\n 1\tAL001\tsyntax-error\n"
    assert format_statistics(diagnostics, unsafe=True) == (
        "10\tAL201\t[*] blocking-sleep\n 1\tAL001\t[ ] syntax-error\n"
    )
    safe = replace(diagnostics[0], fix_applicability=Applicability.SAFE)
    assert format_statistics([*diagnostics, safe]).startswith("11\tAL201\t[*] blocking-sleep\n")
    assert format_statistics([]) == ""


def test_statistics_through_the_command_line(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    result = run("--statistics", ".")
    assert result.stdout == "3\tAL201\tblocking-sleep\n1\tAL001\tsyntax-error\n"
    assert result.exit_code == 1
    assert run("--statistics", "pkg/broken.py").stdout == "1\tAL001\tsyntax-error\n"


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_machine_formats_have_no_summary(run: Run, project: Path, output_format: str) -> None:
    write_tree(project, {"a.py": SLEEPY})
    result = run("--output-format", output_format, "a.py")
    assert "Found" not in result.output
    assert not re.search(r"fixable", result.output)


def test_readme_github_actions_commands_run(run: Run, project: Path) -> None:
    """The asynclint commands of the README's GitHub Actions snippet work as the comments say."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### GitHub Actions\n", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s+- run: (asynclint .*)$", section, re.M)
    assert len(commands) == 2
    write_tree(project, {"a.py": SLEEPY})
    sarif, github = (command.split(">")[0].split()[1:] for command in commands)
    result = run(*sarif)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["runs"][0]["results"][0]["ruleId"] == "AL201"
    result = run(*github)
    assert result.exit_code == 1
    assert result.stdout.startswith("::error ")


# GitLab's Code Quality report, as https://docs.gitlab.com/ci/testing/code_quality/ specifies
# it (the fields GitLab reads; ``lines`` or ``positions`` for the place).
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                    "positions": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {
                                "type": "object",
                                "required": ["line"],
                                "properties": {"line": {"type": "integer", "minimum": 1}},
                            }
                        },
                    },
                },
                "oneOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}


def test_gitlab_code_quality(run: Run, project: Path) -> None:
    write_tree(project, {**TREE, "pkg/c.py": TWO.replace("(1)", "(2)")})
    issues = _json(run, "--output-format", "gitlab", ".")
    jsonschema.validate(issues, GITLAB_SCHEMA)
    assert [i["check_name"] for i in issues] == [
        "AL201",
        "AL201",
        "AL001",
        "AL201",
        "AL201",
        "AL201",
    ]
    assert issues[2]["severity"] == "blocker" and issues[0]["severity"] == "major"
    assert issues[0]["location"]["path"] == "pkg/a.py"
    assert issues[0]["location"]["positions"]["begin"] == {"line": 4, "column": 5}
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # two identical findings in pkg/c.py
    # A line added above the findings moves them, not their fingerprints.
    (project / "pkg/a.py").write_text("# moved\n" + TWO)
    moved = _json(run, "--output-format", "gitlab", ".")
    assert [i["fingerprint"] for i in moved] == fingerprints
    assert moved[0]["location"]["positions"]["begin"]["line"] == 5


def test_junit(run: Run, project: Path, tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml

    write_tree(project, TREE)
    result = run("--output-format", "junit", ".")
    assert result.exit_code == 1
    report = tmp_path / "report.xml"
    report.write_text(result.stdout)
    xml = JUnitXml.fromfile(str(report))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"pkg/a.py", "pkg/broken.py", "z.py"}
    cases = list(suites["pkg/a.py"])
    assert [case.name for case in cases] == ["asynclint.AL201", "asynclint.AL201"]
    [failure] = cases[0].result
    assert isinstance(failure, Failure)
    assert failure.message == f"AL201 {AL201_MESSAGE}"
    assert failure.text == f"{finding('pkg/a.py')}"
    assert suites["pkg/a.py"].failures == 2 and suites["z.py"].tests == 1
    # No findings: one passed test case.
    for path in TREE:
        (project / path).unlink()
    clean = run("--output-format", "junit", ".")
    assert clean.exit_code == 0
    report.write_text(clean.stdout)
    [suite] = list(JUnitXml.fromfile(str(report)))
    [case] = list(suite)
    assert case.is_passed and suite.failures == 0


# pylint's parseable template, ``{path}:{line}: [{msg_id}({symbol}), {obj}] {msg}``.
PYLINT_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+): \[(?P<id>[A-Z]+\d+)\((?P<symbol>[a-z0-9-]+)\), "
    r"(?P<obj>[^\]]*)\] (?P<msg>.+)$"
)


def test_pylint(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    result = run("--output-format", "pylint", ".")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    parsed = [PYLINT_LINE.match(line) for line in lines]
    assert all(parsed), lines
    first = parsed[0]
    assert first is not None
    assert (first["path"], first["line"], first["id"], first["symbol"]) == (
        "pkg/a.py",
        "4",
        "AL201",
        "blocking-sleep",
    )
    assert first["msg"] == AL201_MESSAGE
    assert len(lines) == 4


def test_concise_is_the_text_and_full_adds_the_source(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    assert run("--output-format", "concise", ".").stdout == run(".").stdout
    assert run("--output-format", "full", ".").stdout == run("--show-source", ".").stdout


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer(r"\r\n|\r|\n", text):
        starts.append(match.end())
    return starts


def apply_json_fixes(source: str, items: list[dict], unsafe: bool) -> str:
    """Apply the ``fix`` edits of JSON findings as an editor or a bot would: fixes in the order
    of their first edit, an edit identical to one applied already skipped (an import two fixes
    add), a fix that overlaps one applied skipped."""
    starts = _line_starts(source)

    def offset(location: dict) -> int:
        return starts[location["row"] - 1] + location["column"] - 1

    wanted = ("safe", "unsafe") if unsafe else ("safe",)
    fixes = [i["fix"] for i in items if i["fix"] and i["fix"]["applicability"] in wanted]
    applied: list[tuple[int, int, str]] = []
    for fix in sorted(fixes, key=lambda f: min(offset(e["location"]) for e in f["edits"])):
        edits = [
            (offset(e["location"]), offset(e["end_location"]), e["content"]) for e in fix["edits"]
        ]
        new = [edit for edit in edits if edit not in applied]
        if any(
            (start < end2 and start2 < end) or start == start2
            for start, end, _ in new
            for start2, end2, _ in applied
        ):
            continue
        applied += new
    for start, end, content in sorted(applied, reverse=True):
        source = source[:start] + content + source[end:]
    return source


SLEEPS = (
    "import asyncio\nimport time\n\n\nasync def poll():\n"
    '    print("héllo"); time.sleep(1)\n'
    "    time.sleep(2)\n"
    "    return asyncio.get_event_loop()\n"
)
LOOP = "    return asyncio.get_event_loop()\n"


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize(
    "source",
    [SLEEPS, SLEEPS.replace("import asyncio\n", "")[: -len(LOOP)], SLEEPS.replace("\n", "\r\n")],
    ids=["imported", "import-added", "crlf"],
)
def test_json_fix_edits_give_what_fix_writes(
    run: Run, project: Path, source: str, unsafe: bool
) -> None:
    write_tree(project, {"a.py": source})
    flags = ["--unsafe-fixes"] if unsafe else []
    items = json.loads(run("--output-format", "json", *flags, "a.py").stdout)
    assert all(item["fix"]["edits"] for item in items if item["fix"])
    assert len([item for item in items if item["fix"]]) >= 2
    run("--fix", *flags, "a.py")
    fixed = (project / "a.py").read_bytes().decode()
    wanted = ("safe", "unsafe") if unsafe else ("safe",)
    assert (fixed != source) is any(i["fix"]["applicability"] in wanted for i in items if i["fix"])
    assert apply_json_fixes(source, items, unsafe) == fixed


def test_json_fix_edits_after_fixing_are_those_of_the_fixed_text(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPS, "b.py": SLEEPS})
    items = json.loads(run("--fix", "--output-format", "json", "a.py").stdout)
    assert [item["code"] for item in items] == ["AL201", "AL201"]  # AL502 was fixed
    fixed = (project / "a.py").read_text()
    run("--fix", "--unsafe-fixes", "b.py")
    assert apply_json_fixes(fixed, items, unsafe=True) == (project / "b.py").read_text()


def test_json_fix_object_is_ruffs() -> None:
    items = json.loads(
        format_json(
            [
                replace(
                    _diagnostic("a.py"),
                    fix_edits=(
                        Edit("await asyncio.sleep", Location(4, 5), Location(4, 15)),
                        Edit("import asyncio\n", Location(1, 1), Location(1, 1)),
                    ),
                )
            ]
        )
    )
    assert items[0]["fix"] == {
        "applicability": "unsafe",
        "message": "d",
        "edits": [
            {
                "content": "await asyncio.sleep",
                "location": {"row": 4, "column": 5},
                "end_location": {"row": 4, "column": 15},
            },
            {
                "content": "import asyncio\n",
                "location": {"row": 1, "column": 1},
                "end_location": {"row": 1, "column": 1},
            },
        ],
    }


def test_help_links_are_the_sections_of_this_readme() -> None:
    anchors = {
        f"{code.lower()}-{name}"
        for code, name in re.findall(r"^### (AL\d{3}) (\S+)$", README.read_text(), re.M)
    }
    for code in ["AL001", *RULES_BY_CODE]:
        url = help_url(code)
        assert url is not None
        page, anchor = url.split("#")
        assert page == README.as_uri()
        assert anchor in anchors
        assert rule_url(code) == url


class _Installed:
    """An installed distribution as ``importlib.metadata`` gives it, for ``documentation_url``."""

    def __init__(self, origin: dict | None, folder: Path) -> None:
        self.origin = origin
        self.folder = folder
        self.files = [Path("asynclint-0.1.0.dist-info/METADATA")]

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.origin) if self.origin is not None else None

    def locate_file(self, file: Path) -> Path:
        return self.folder / file


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ({"url": "CLONE", "dir_info": {}}, "CLONE/README.md"),
        ({"url": "CLONE", "dir_info": {"editable": True}}, "CLONE/README.md"),
        ({"url": "file:///no/such/folder", "dir_info": {}}, None),
        (
            {
                "url": "https://github.com/team/asynclint.git",
                "vcs_info": {"vcs": "git", "commit_id": "abc123"},
            },
            "https://github.com/team/asynclint/blob/abc123/README.md",
        ),
        (
            {
                "url": "https://gitlab.com/team/asynclint",
                "vcs_info": {"vcs": "git", "commit_id": "abc123"},
            },
            "https://gitlab.com/team/asynclint/-/blob/abc123/README.md",
        ),
        ({"url": "ssh://git@github.com/team/asynclint", "vcs_info": {"commit_id": "abc123"}}, None),
        ({"url": "https://git.example.test/asynclint", "vcs_info": {"commit_id": "abc123"}}, None),
        ({"url": "file:///wheels/asynclint-0.1.0-py3-none-any.whl", "archive_info": {}}, None),
        (None, None),  # installed from an index, or a wheel by an older pip
    ],
)
def test_documentation_url_from_where_asynclint_was_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, origin: dict | None, expected: str | None
) -> None:
    clone = tmp_path / "clone"
    write_tree(clone, {"README.md": "# asynclint\n"})
    if origin is not None and origin["url"] == "CLONE":
        origin = {**origin, "url": clone.as_uri()}
    site = tmp_path / "site-packages"
    monkeypatch.setattr(asynclint, "__file__", str(site / "asynclint" / "__init__.py"))
    installed = _Installed(origin, site)
    monkeypatch.setattr(reporters.importlib.metadata, "distribution", lambda name: installed)
    reporters.documentation_url.cache_clear()
    try:
        url = reporters.documentation_url()
        if expected is not None and expected.startswith("CLONE"):
            expected = (clone / "README.md").as_uri()
        assert url == expected
        if expected is None:
            assert help_url("AL201") is None
            assert json.loads(format_json([_diagnostic("a.py")]))[0]["url"] is None
            metadata = site / "asynclint-0.1.0.dist-info" / "METADATA"
            assert rule_url("AL201") == metadata.resolve().as_uri()
        else:
            assert help_url("AL201") == f"{expected}#al201-blocking-sleep"
    finally:
        reporters.documentation_url.cache_clear()
