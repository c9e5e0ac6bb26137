"""Formatting findings. Reporters only format: they get the sorted diagnostics and return text."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import click

import asynclint
from asynclint import __version__
from asynclint.catalogue import BY_CODE
from asynclint.diagnostics import (
    SYNTAX_ERROR_CODE,
    SYNTAX_ERROR_NAME,
    Applicability,
    Diagnostic,
    Edit,
)
from asynclint.runner import decode_source

OUTPUT_FORMATS = ("text", "concise", "full", "json", "sarif", "github", "gitlab", "junit", "pylint")
# The formats printed by ``format_text`` (``full`` with the source line and a caret).
TEXT_FORMATS = ("text", "concise", "full")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


COLOR_CHOICES = ("auto", "always", "never")
# Hosts whose web pages show a file of a repository at a commit, and how.
_BLOB_PAGES = {
    "github.com": "{repo}/blob/{commit}/README.md",
    "gitlab.com": "{repo}/-/blob/{commit}/README.md",
}


def use_color(choice: str, stream: IO[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to colour what goes to ``stream``, as ruff decides: ``always`` and ``never``
    say so; for ``auto``, never when ``NO_COLOR`` is set, always when ``FORCE_COLOR`` or
    ``CLICOLOR_FORCE`` is, else only on a terminal (a variable set to an empty string counts
    as not set)."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR") or environ.get("CLICOLOR_FORCE"):
        return True
    return stream.isatty()


@functools.cache
def documentation_url() -> str | None:
    """The README this asynclint comes from, when one is known to exist: the checkout it runs
    from (an editable install), the folder ``pip install`` was given, or the page of the commit
    installed from a GitHub or GitLab repository (``pip install 'git+https://...'``)."""
    checkout = Path(asynclint.__file__).resolve().parent.parent / "README.md"
    if checkout.is_file() and (checkout.parent / "rules").is_dir():
        return checkout.as_uri()
    try:
        origin = json.loads(
            importlib.metadata.distribution("asynclint").read_text("direct_url.json") or "{}"
        )
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
    url = str(origin.get("url", ""))
    parts = urlsplit(url)
    if "dir_info" in origin and parts.scheme == "file":
        readme = Path(parts.path) / "README.md"
        return readme.as_uri() if readme.is_file() else None
    commit = origin.get("vcs_info", {}).get("commit_id")
    page = _BLOB_PAGES.get(parts.hostname or "")
    if commit and page and parts.scheme == "https":
        return page.format(repo=url.removesuffix(".git"), commit=commit)
    return None


def help_url(code: str) -> str | None:
    """The rule's section of the README (``documentation_url``), when one is known."""
    base = documentation_url()
    if base is None:
        return None
    rule = BY_CODE.get(code)
    name = rule.name if rule else SYNTAX_ERROR_NAME
    return f"{base}#{code.lower()}-{name}"


def rule_url(code: str) -> str:
    """``help_url``, or (with no README known) the installed package's metadata file, which
    holds the README's text, the rule's section included."""
    url = help_url(code)
    if url is not None:
        return url
    try:
        distribution = importlib.metadata.distribution("asynclint")
    except importlib.metadata.PackageNotFoundError:
        return Path(asynclint.__file__).resolve().parent.as_uri()
    for file in distribution.files or ():
        if file.name == "METADATA":
            return Path(str(distribution.locate_file(file))).resolve().as_uri()
    return Path(asynclint.__file__).resolve().parent.as_uri()


def _web_url(url: str | None) -> str | None:
    """``url`` if it is a web page others can open too (not a file on this machine)."""
    return url if url is not None and urlsplit(url).scheme == "https" else None


def source_lines(text: str) -> list[str]:
    """Lines as Python numbers them (``str.splitlines`` also breaks at form feeds and more)."""
    return _LINE_BREAK.split(text)


def _read_line(path: str, line: int, cache: dict[str, list[str]]) -> str | None:
    if path not in cache:
        try:
            cache[path] = source_lines(decode_source(Path(path).read_bytes()).text)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
            cache[path] = []
    lines = cache[path]
    return lines[line - 1] if 0 < line <= len(lines) else None


def format_text(
    diagnostics: Sequence[Diagnostic],
    *,
    color: bool,
    show_source: bool = False,
    sources: dict[str, str] | None = None,
) -> str:
    """flake8's ``path:line:col: CODE message``, optionally with the source line and a caret."""
    out = []
    cache: dict[str, list[str]] = {p: source_lines(s) for p, s in (sources or {}).items()}
    for d in diagnostics:
        location = f"{d.path}:{d.start.line}:{d.start.column}:"
        code = d.code
        if color:
            location = click.style(location, bold=True)
            code = click.style(code, fg="red", bold=True)
        out.append(f"{location} {code} {d.message}")
        if show_source:
            line = _read_line(d.path, d.start.line, cache)
            if line is not None:
                width = max(1, d.end.column - d.start.column) if d.end.line == d.start.line else 1
                caret = " " * (d.start.column - 1) + "^" * width
                out.append(f"    {line}")
                out.append(f"    {click.style(caret, fg='red') if color else caret}")
    return "\n".join(out) + ("\n" if out else "")


def _edit_json(edit: Edit) -> dict[str, object]:
    return {
        "content": edit.content,
        "location": {"row": edit.start.line, "column": edit.start.column},
        "end_location": {"row": edit.end.line, "column": edit.end.column},
    }


def _fix_json(d: Diagnostic) -> dict[str, object] | None:
    """ruff's ``fix`` object: applicability, message and the text edits."""
    if d.fix_applicability is None:
        return None
    return {
        "applicability": d.fix_applicability.value,
        "message": d.fix_description,
        "edits": [_edit_json(edit) for edit in d.fix_edits],
    }


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    items = [
        {
            "code": d.code,
            "name": d.name,
            "message": d.message,
            "filename": d.path,
            "location": {"row": d.start.line, "column": d.start.column},
            "end_location": {"row": d.end.line, "column": d.end.column},
            "noqa_row": d.statement_line,
            "fix": _fix_json(d),
            "url": help_url(d.code),
        }
        for d in diagnostics
    ]
    return json.dumps(items, indent=2) + "\n"


# SARIF's conventional name for the root that relative artifact URIs are resolved against; the
# run maps it to the working directory the paths are relative to.
SRCROOT = "%SRCROOT%"


def _uri(path: str) -> str:
    """A URI reference for SARIF: relative paths percent-encoded, absolute ones as ``file:``."""
    if Path(path).is_absolute():
        return Path(path).as_uri()
    posix = Path(path).as_posix()
    return quote(posix[2:] if posix.startswith("./") else posix)


def _artifact_location(path: str) -> dict[str, str]:
    """Relative paths are relative to ``%SRCROOT%`` (the working directory), as GitHub expects."""
    uri = _uri(path)
    return {"uri": uri} if Path(path).is_absolute() else {"uri": uri, "uriBaseId": SRCROOT}


def _directory_uri(directory: Path) -> str:
    """A ``file:`` URI for a directory, ending in ``/`` as SARIF requires for a base URI."""
    uri = directory.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _help(code: str, name: str, summary: str, page: str) -> dict[str, str]:
    """The help GitHub code scanning shows for a rule: its documentation page (what
    ``asynclint --explain`` prints), and a link to it online when there is one."""
    url = _web_url(help_url(code))
    text = f"{code} {name}: {summary}.\n\n{page}"
    markdown = f"**{code} {name}**: {summary}.\n\n{page}"
    if url is None:
        return {"text": text, "markdown": markdown}
    return {
        "text": f"{text}\n\nDocumentation: {url}",
        "markdown": f"{markdown}\n\n[Documentation]({url})",
    }


def _with_help_uri(descriptor: dict[str, object], code: str) -> dict[str, object]:
    """``descriptor`` with a ``helpUri`` when the rule's page is online (SARIF: optional)."""
    url = _web_url(help_url(code))
    return descriptor if url is None else {**descriptor, "helpUri": url}


def sarif_rules() -> list[dict[str, object]]:
    """SARIF ``reportingDescriptor``s for every rule (and the syntax-error pseudo-rule)."""
    syntax_summary = "The file does not parse"
    syntax_page = (
        "The file is not valid Python, so nothing else in it was checked. The message and "
        "position come from CPython's compiler. AL001 is always reported, whatever the "
        "selection, and cannot be fixed automatically."
    )
    syntax_error = {
        "id": SYNTAX_ERROR_CODE,
        "name": SYNTAX_ERROR_NAME,
        "shortDescription": {"text": syntax_summary},
        "fullDescription": {"text": syntax_page},
        "help": _help(SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME, syntax_summary, syntax_page),
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["async", "syntax"]},
    }
    descriptors = [_with_help_uri(syntax_error, SYNTAX_ERROR_CODE)]
    from asynclint.rules import ALL_RULES  # the rules' pages: only SARIF output loads them

    for rule in ALL_RULES:
        documentation = rule.documentation()
        tags = ["async", f"family-{rule.code[:3]}xx"]
        if rule.fix_applicability is not None:
            tags.append(f"fix-{rule.fix_applicability.value}")
        descriptor = {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.section("What it does")},
            "help": _help(rule.code, rule.name, rule.summary, documentation),
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": tags},
        }
        descriptors.append(_with_help_uri(descriptor, rule.code))
    return descriptors


def format_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    """SARIF 2.1.0, in the shape GitHub code scanning reads. Lines and columns are 1-based; an
    end column is the one just after the last character, as SARIF's regions are."""
    rules = sarif_rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": "error",
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact_location(d.path),
                            "region": {
                                "startLine": d.start.line,
                                "startColumn": d.start.column,
                                "endLine": d.end.line,
                                "endColumn": d.end.column,
                            },
                        }
                    }
                ],
            }
        )
    driver: dict[str, object] = {"name": "asynclint", "version": __version__, "rules": rules}
    home = _web_url(documentation_url())
    if home is not None:
        driver["informationUri"] = home
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(Path.cwd())}},
                # Columns count characters (code points), as in the other formats.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one ``::error`` annotation per finding."""
    lines = []
    for d in diagnostics:
        properties = ",".join(
            [
                f"title={_escape_property(f'asynclint ({d.code})')}",
                f"file={_escape_property(d.path)}",
                f"line={d.start.line}",
                f"col={d.start.column}",
                f"endLine={d.end.line}",
                f"endColumn={d.end.column}",
            ]
        )
        lines.append(f"::error {properties}::{_escape_data(f'{d.code} {d.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_gitlab(diagnostics: Sequence[Diagnostic]) -> str:
    """GitLab's Code Quality report (``artifacts:reports:codequality``): a JSON list of issues.
    A fingerprint is the digest of the path, code and message, and of how many identical ones
    come before it in the file: unique, and the same when lines move."""
    issues = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for d in diagnostics:
        key = (d.path, d.code, d.message)
        seen[key] += 1
        text = "\0".join([*key, str(seen[key])])
        issues.append(
            {
                "type": "issue",
                "check_name": d.code,
                "description": f"{d.code} {d.message}",
                "categories": ["Bug Risk"],
                "severity": "blocker" if d.code == SYNTAX_ERROR_CODE else "major",
                "fingerprint": hashlib.sha256(text.encode()).hexdigest()[:32],
                "location": {
                    "path": Path(d.path).as_posix(),
                    "positions": {
                        "begin": {"line": d.start.line, "column": d.start.column},
                        "end": {"line": d.end.line, "column": d.end.column},
                    },
                },
            }
        )
    return json.dumps(issues, indent=2) + "\n"


def format_junit(diagnostics: Sequence[Diagnostic]) -> str:
    """JUnit XML, as CI systems read test reports: a test suite per file with findings, a
    failed test case per finding; one passed test case when there is none."""
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_file.setdefault(d.path, []).append(d)
    total = len(diagnostics)
    root = ElementTree.Element(
        "testsuites", name="asynclint", tests=str(max(total, 1)), failures=str(total), errors="0"
    )
    for path, found in by_file.items():
        suite = ElementTree.SubElement(
            root, "testsuite", name=path, tests=str(len(found)), failures=str(len(found))
        )
        suite.set("errors", "0")
        for d in found:
            case = ElementTree.SubElement(
                suite, "testcase", name=f"asynclint.{d.code}", classname=path
            )
            case.set("file", path)
            case.set("line", str(d.start.line))
            failure = ElementTree.SubElement(case, "failure", message=f"{d.code} {d.message}")
            failure.set("type", d.name)
            failure.text = f"{path}:{d.start.line}:{d.start.column}: {d.code} {d.message}"
    if not by_file:
        suite = ElementTree.SubElement(
            root, "testsuite", name="asynclint", tests="1", failures="0", errors="0"
        )
        ElementTree.SubElement(suite, "testcase", name="no findings", classname="asynclint")
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def format_pylint(diagnostics: Sequence[Diagnostic]) -> str:
    """pylint's parseable format, ``path:line: [CODE(name), ] message``, which editors and CI
    parsers for pylint read."""
    lines = [f"{d.path}:{d.start.line}: [{d.code}({d.name}), ] {d.message}" for d in diagnostics]
    return "\n".join(lines) + ("\n" if lines else "")


# The families, by the hundreds digit of their codes.
FAMILIES = {
    "AL1": "missing await",
    "AL2": "blocking",
    "AL3": "tasks",
    "AL4": "sequential",
    "AL5": "bridging",
}


def family_counts(diagnostics: Iterable[Diagnostic]) -> str:
    """``3 missing await (AL1xx), 5 blocking (AL2xx)``: findings per family, in code order."""
    counts = Counter(d.code[:3] for d in diagnostics)
    return ", ".join(
        f"{counts[family]} {FAMILIES.get(family, family)} ({family}xx)" for family in sorted(counts)
    )


def _fixable_codes(diagnostics: Iterable[Diagnostic], unsafe: bool) -> set[str]:
    """The codes with a finding that ``--fix`` fixes (with ``--unsafe-fixes`` when
    ``unsafe``), as ruff marks them ``[*]``."""
    wanted = {Applicability.SAFE, Applicability.UNSAFE} if unsafe else {Applicability.SAFE}
    return {d.code for d in diagnostics if d.fix_applicability in wanted}


def _by_count(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, int]]:
    """Each code and its count, most frequent first."""
    counts = Counter(d.code for d in diagnostics)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def format_statistics(
    diagnostics: Sequence[Diagnostic],
    test_paths: Collection[str] = (),
    held_back: Sequence[Diagnostic] = (),
    *,
    unsafe: bool = False,
) -> str:
    """One line per code: count, code, whether fixable (``[*]``: a safe fix, or with
    ``unsafe`` any fix), name, and how many of them are in test code (``test_paths``); most
    frequent first. Then the findings per family, in code and in tests, and those the test
    profile held back."""
    counts = _by_count(diagnostics)
    in_tests = Counter(d.code for d in diagnostics if d.path in test_paths)
    names = {d.code: d.name for d in diagnostics}
    fixable = _fixable_codes(diagnostics, unsafe)
    width = max((len(str(n)) for _, n in counts), default=1)
    # As in ruff, the column of marks only when a code is fixable.
    marks = {code: ("[*] " if code in fixable else "[ ] ") if fixable else "" for code in names}
    lines = [
        f"{count:>{width}}\t{code}\t{marks[code]}{names[code]}"
        + (f"\t({in_tests[code]} in tests)" if in_tests[code] else "")
        for code, count in counts
    ]
    lines += family_lines(diagnostics, test_paths, held_back)
    return "\n".join(lines) + ("\n" if lines else "")


def format_statistics_json(diagnostics: Sequence[Diagnostic], *, unsafe: bool = False) -> str:
    """``--statistics`` in JSON, as ruff prints it: a list of ``code``, ``name``, ``count``,
    ``fixable`` (as ``[*]`` in text) and ``fixable_count`` (how many ``--fix`` fixes), most
    frequent first."""
    names = {d.code: d.name for d in diagnostics}
    fixable = _fixable_codes(diagnostics, unsafe)
    fixes = Counter(d.code for d in diagnostics if _fixable_codes([d], unsafe))
    items = [
        {
            "code": code,
            "name": names[code],
            "count": count,
            "fixable": code in fixable,
            "fixable_count": fixes[code],
        }
        for code, count in _by_count(diagnostics)
    ]
    return json.dumps(items, indent=2) + "\n"


def fix_summary(fixed: Sequence[tuple[str, Sequence[str]]], color: bool) -> str:
    """``--show-fixes``: the fixes applied (``fixed``: each file and the code of each fix),
    per file and code, as ruff lists them."""
    counts = {path: Counter(codes) for path, codes in fixed}
    total = sum(sum(c.values()) for c in counts.values())
    width = max((len(str(n)) for c in counts.values() for n in c.values()), default=1)
    head = f"Fixed {total} finding{'s' * (total != 1)}:"
    lines = [click.style(head, fg="green", bold=True) if color else head]
    for path in sorted(counts):
        lines.append(f"- {click.style(path, bold=True) if color else path}:")
        for code, count in sorted(counts[path].items()):
            rule = BY_CODE.get(code)
            shown = click.style(code, fg="red", bold=True) if color else code
            name = rule.name if rule else code
            lines.append(f"    {count:>{width}} \N{MULTIPLICATION SIGN} {shown} ({name})")
    return "\n".join(lines) + "\n"


def family_lines(
    diagnostics: Sequence[Diagnostic],
    test_paths: Collection[str],
    held_back: Sequence[Diagnostic],
) -> list[str]:
    """The findings per family in code and in tests, and the line on those held back: none
    when every finding is in code and of one family (the counts above say it all)."""
    lines = []
    mistakes = [d for d in diagnostics if not d.code.startswith("AL0")]  # not syntax errors
    code = [d for d in mistakes if d.path not in test_paths]
    tests = [d for d in mistakes if d.path in test_paths]
    if not tests and len({d.code[:3] for d in code}) < 2:
        code = []
    if code:
        lines.append(f"  in code:  {family_counts(code)}")
    if tests:
        lines.append(f"  in tests: {family_counts(tests)}")
    if held_back:
        lines.append(
            f"Held back in tests by the test profile: {family_counts(held_back)}; "
            "`--no-test-profile` shows them."
        )
    return lines


FORMATTERS: dict[str, Callable[[Sequence[Diagnostic]], str]] = {
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
    "gitlab": format_gitlab,
    "junit": format_junit,
    "pylint": format_pylint,
}
