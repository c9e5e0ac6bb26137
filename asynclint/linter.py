"""Lint one source text: parse once, walk once, position and filter what was reported; with a
``FixMode``, hand the findings to ``asynclint.fixing``'s verified fix rounds.

Everything here works on text; reading and writing files is ``asynclint.runner``'s business.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from asynclint.diagnostics import Diagnostic, FileResult, Location, Problem
from asynclint.engine import Report, RuleCrash, lint_module
from asynclint.fixing import Finding, FixMode, fix_findings
from asynclint.index import ProjectIndex, environment_paths, summarize
from asynclint.knowledge.blocking import BlockingCatalogue
from asynclint.noqa import Suppressions, find_suppressions
from asynclint.positions import node_ranges
from asynclint.rule import Rule
from asynclint.unused_noqa import CODE as UNUSED_NOQA_CODE
from asynclint.unused_noqa import unused_reports

SYNTAX_ERROR_CODE = "AL001"
SYNTAX_ERROR_NAME = "syntax-error"


def _syntax_error(path: str, message: str, line: int, column: int) -> Diagnostic:
    line, column = max(line, 1), max(column, 1)
    return Diagnostic(
        path=path,
        code=SYNTAX_ERROR_CODE,
        name=SYNTAX_ERROR_NAME,
        message=message,
        start=Location(line, column),
        end=Location(line, column),
        statement_line=line,
    )


_LIBCST_POSITION = re.compile(r"error at (\d+):(\d+)")


def parse(source: str, path: str) -> cst.Module | Diagnostic:
    """The module, or an AL001 diagnostic saying where and why it does not parse.

    LibCST's own messages are terse and often point at the start of the line, so the reason
    and position come from CPython's compiler when it agrees that the code is invalid.
    """
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        libcst_message = str(error.message)
        position = _LIBCST_POSITION.search(libcst_message)
        line, column = error.raw_line, error.raw_column + 1
        if position:
            line, column = int(position.group(1)), int(position.group(2)) + 1
    except (RecursionError, MemoryError, ValueError, TypeError) as error:
        # LibCST's parser refuses some inputs (null bytes, absurd nesting) with other errors.
        libcst_message, line, column = f"{type(error).__name__}: {error}", 1, 1
    try:
        compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return _syntax_error(
            path, f"SyntaxError: {error.msg}", error.lineno or line, error.offset or column
        )
    except (ValueError, RecursionError, MemoryError) as error:
        return _syntax_error(path, f"cannot parse: {error}", line, column)
    short = libcst_message.split(": expected one of", 1)[0]
    return _syntax_error(path, f"LibCST cannot parse this file ({short})", line, column)


def _diagnose(
    module: cst.Module,
    source: str,
    path: str,
    reports: list[Report],
    judged: frozenset[str] | None = None,
) -> list[Finding]:
    """Turn reports into positioned diagnostics, dropping the ones a ``# noqa`` suppresses.
    With ``judged`` (the codes of the rules that ran, AL002 among them), the codes of
    ``# noqa`` comments that silenced nothing are reported too."""
    if judged is None:
        return _positioned(module, source, path, reports, None) if reports else []
    suppressions = find_suppressions(source)
    found = _positioned(module, source, path, reports, suppressions)
    if suppressions.with_codes:
        unused = unused_reports(module, suppressions, suppressions.used, judged)
        found += _positioned(module, source, path, unused, Suppressions(False, {}))
    return found


def _positioned(
    module: cst.Module,
    source: str,
    path: str,
    reports: list[Report],
    suppressions: Suppressions | None,
) -> list[Finding]:
    """The diagnostics of ``reports`` but those ``suppressions`` (the source's, when None)
    silence."""
    if not reports:
        return []
    wanted: dict[cst.CSTNode | None, set[cst.CSTNode]] = {}
    for report in reports:
        wanted.setdefault(report.top, set()).update(
            (report.node, report.statement, *report.functions)
        )
    ranges = node_ranges(module, wanted, source)
    if suppressions is None:
        suppressions = find_suppressions(source)
    out = []
    for report in reports:
        start, end = ranges[report.node]
        statement_line = ranges[report.statement][0].line
        code = report.rule.code
        codes = (code, *report.rule.noqa_aliases)
        if suppressions.suppresses(codes, start.line, statement_line):
            continue
        if suppressions.suppresses_in_function(
            codes, [ranges[f][0].line for f in report.functions]
        ):
            continue
        diagnostic = Diagnostic(
            path=path,
            code=code,
            name=report.rule.name,
            message=report.message,
            start=start,
            end=end,
            statement_line=statement_line,
            fix_applicability=report.fix.applicability if report.fix else None,
            fix_description=report.fix.description if report.fix else None,
        )
        out.append((diagnostic, report))
    return out


@dataclass(frozen=True)
class ModuleContext:
    """Where a module stands in its project: the project index, the module's dotted name and
    whether it is a package's ``__init__``."""

    index: ProjectIndex
    name: str
    is_package: bool = False
    blocking: BlockingCatalogue | None = None

    @classmethod
    def alone(cls, source: str, path: str) -> ModuleContext:
        """For a source with no project around it: an index of this one module (and the
        libraries of the running environment)."""
        name = Path(path).name.rsplit(".", 1)[0] or "module"
        name = name if name.isidentifier() else "module"
        modules = {name: summarize(source, name)}
        return cls(ProjectIndex(modules, environment_paths(Path.cwd())), name)

    def lint(
        self, module: cst.Module, rules: Sequence[type[Rule]], target: tuple[int, int] | None
    ) -> list[Report]:
        info = (self.name, self.is_package)
        return lint_module(module, rules, self.index, info, self.blocking, target)


def _lint(
    module: cst.Module,
    rules: Sequence[type[Rule]],
    where: ModuleContext | None,
    target: tuple[int, int] | None = None,
) -> list[Report]:
    if where is not None:
        return where.lint(module, rules, target)
    return lint_module(module, rules, target_version=target)


def check_source(
    source: str,
    path: str,
    rules: Sequence[type[Rule]],
    fix_mode: FixMode | None = None,
    where: ModuleContext | None = None,
    held: frozenset[str] = frozenset(),
    target: tuple[int, int] | None = None,
) -> FileResult:
    """Lint ``source``; with ``fix_mode``, also fix it (the result then holds the fixed text).

    ``where`` places the module in its project; without it, the module is analysed alone.
    The findings of the ``held`` codes go to ``held_back``: neither reported nor fixed.
    ``target`` is the oldest Python the code must run on (``target-version``)."""
    result = FileResult(path)
    module = parse(source, path)
    if isinstance(module, Diagnostic):
        result.diagnostics.append(module)
        return result
    if where is None and any(rule.uses_index() for rule in rules):
        where = ModuleContext.alone(source, path)
    try:
        reports = _lint(module, rules, where, target)
        found = _diagnose(module, source, path, reports, _judged(rules))
    except RuleCrash as crash:
        result.problems.append(Problem(path, f"internal error: {crash}", internal=True))
        return result
    except RecursionError:
        result.problems.append(
            Problem(path, "internal error: the file is nested too deeply to analyse", internal=True)
        )
        return result
    if held:
        result.held_back = [d for d, _ in found if d.code in held]
        found = [f for f in found if f[0].code not in held]
        rules = [rule for rule in rules if rule.code not in held]
    if fix_mode is not None:
        relint = functools.partial(_parse_and_lint, path, rules, where, target=target)
        found = fix_findings(result, module, source, path, fix_mode, found, relint)
    result.diagnostics.extend(d for d, _ in found)
    return result


def _parse_and_lint(
    path: str,
    rules: Sequence[type[Rule]],
    where: ModuleContext | None,
    source: str,
    target: tuple[int, int] | None = None,
) -> tuple[cst.Module, list[Finding]] | Diagnostic:
    """What a fix round made of ``source``: its module and findings, or why it does not parse."""
    module = parse(source, path)
    if isinstance(module, Diagnostic):
        return module
    reports = _lint(module, rules, where, target)
    return module, _diagnose(module, source, path, reports, _judged(rules))


def _judged(rules: Sequence[type[Rule]]) -> frozenset[str] | None:
    """The codes whose ``# noqa`` comments AL002 judges: those of the rules that run, when
    AL002 is one of them."""
    codes = frozenset(rule.code for rule in rules)
    return codes if UNUSED_NOQA_CODE in codes else None
