"""Lint one source text: parse once, walk once, position and filter what was reported; with a
``FixMode``, hand the findings to ``asynclint.fixing``'s verified fix rounds.

Everything here works on text; reading and writing files is ``asynclint.runner``'s business.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from asynclint.diagnostics import (
    SYNTAX_ERROR_CODE,
    SYNTAX_ERROR_NAME,
    Diagnostic,
    FileResult,
    Location,
    Problem,
)
from asynclint.engine import Report, RuleCrash, lint_module
from asynclint.fixing import Finding, FixMode, fix_findings
from asynclint.index import ProjectIndex, environment_paths, summarize
from asynclint.index.downgrade import by_lines, downgrade
from asynclint.index.summarise import PYTHON_LIMITS
from asynclint.knowledge.blocking import BlockingCatalogue
from asynclint.noqa import Suppressions, find_suppressions
from asynclint.positions import node_ranges
from asynclint.rule import Rule
from asynclint.unused_noqa import CODE as UNUSED_NOQA_CODE
from asynclint.unused_noqa import unused_reports


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
    """The module, or an AL001 diagnostic saying where and why it does not parse."""
    return _parse(source, path)[0]


def _parse(
    source: str, path: str, newer_syntax: bool = True
) -> tuple[cst.Module | Diagnostic, ast.Module | None]:
    """The module, or an AL001 diagnostic; and CPython's ``ast`` of the source (None when it
    does not compile), which positions reuse.

    CPython's compiler judges first: it rejects in milliseconds what LibCST would take minutes
    over (a 10,000-term ``+`` chain, 3,000 nested brackets) or accept although Python cannot
    run it (a null byte), and its messages and positions are the ones users know. Only code it
    rejects with a plain syntax error is tried with LibCST, which reads newer syntax than the
    running Python (``newer_syntax``: allowed)."""
    tree: ast.Module | None = None
    try:
        tree = _compile_as_python_would(source, path)
    except SyntaxError as error:
        message = str(error.msg)
        rejected = _syntax_error(
            path, f"SyntaxError: {message}", error.lineno or 1, error.offset or 1
        )
        if not newer_syntax or any(limit in message for limit in PYTHON_LIMITS):
            return rejected, None
    except (ValueError, RecursionError, MemoryError) as error:
        reason = str(error) or type(error).__name__
        if isinstance(error, RecursionError):
            reason = "nested too deeply for Python's compiler"
        return _syntax_error(path, f"cannot parse: {reason}", 1, 1), None
    else:
        rejected = None
    try:
        module = cst.parse_module(source)
        if rejected is None or _is_newer_syntax(source, path, module):
            return module, tree
        return rejected, None
    except cst.ParserSyntaxError as error:
        libcst_message = str(error.message)
        position = _LIBCST_POSITION.search(libcst_message)
        line, column = error.raw_line, error.raw_column + 1
        if position:
            line, column = int(position.group(1)), int(position.group(2)) + 1
    except (RecursionError, MemoryError, ValueError, TypeError) as error:
        # LibCST's parser refuses some inputs (absurd nesting) with other errors.
        libcst_message, line, column = f"{type(error).__name__}: {error}", 1, 1
    if rejected is not None:
        return rejected, None
    short = libcst_message.split(": expected one of", 1)[0]
    return _syntax_error(path, f"LibCST cannot parse this file ({short})", line, column), tree


# Python's default recursion limit. Files are checked under a far higher one (a large stack,
# for LibCST's parser and the engine's walks), under which the compiler of Python 3.11 accepts
# what ``python`` itself rejects, such as a 10,000-term ``+`` chain (LibCST then takes a minute).
_PYTHON_RECURSION_LIMIT = 1000


def _compile_as_python_would(source: str, path: str) -> ast.Module:
    """``compile`` the source to its ``ast`` under Python's default recursion limit."""
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(min(limit, _PYTHON_RECURSION_LIMIT))
    except RecursionError:  # called deeper than that: judged under the current limit
        pass
    try:
        return compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    finally:
        sys.setrecursionlimit(limit)


def _is_newer_syntax(source: str, path: str, module: cst.Module) -> bool:
    """Whether source the running Python rejects, and LibCST reads (``module``), is valid in a
    newer Python: rewritten without its newer syntax (as the index reads it), it compiles.
    Inconsistent tabs and the other mistakes LibCST lets pass do not. The rewrite of lines
    (type parameters, ``type`` aliases) is tried first: rewriting the tree costs as much as
    a second parse, on every file of a project that uses them."""
    return _compiles(by_lines(source), path) or _compiles(downgrade(source, module), path)


def _compiles(code: str | None, path: str) -> bool:
    if code is None:
        return False
    try:
        compile(code, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _diagnose(
    module: cst.Module,
    source: str,
    path: str,
    reports: list[Report],
    judged: frozenset[str] | None = None,
    tree: ast.Module | None = None,
) -> list[Finding]:
    """Turn reports into positioned diagnostics, dropping the ones a ``# noqa`` suppresses.
    With ``judged`` (the codes of the rules that ran, AL002 among them), the codes of
    ``# noqa`` comments that silenced nothing are reported too. ``tree`` is the source's
    ``ast``, when made already."""
    if judged is None:
        return _positioned(module, source, path, reports, None, tree) if reports else []
    suppressions = find_suppressions(source)
    found = _positioned(module, source, path, reports, suppressions, tree)
    if suppressions.with_codes:
        unused = unused_reports(module, suppressions, suppressions.used, judged)
        found += _positioned(module, source, path, unused, Suppressions(False, {}), tree)
    return found


def _positioned(
    module: cst.Module,
    source: str,
    path: str,
    reports: list[Report],
    suppressions: Suppressions | None,
    tree: ast.Module | None = None,
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
    ranges = node_ranges(module, wanted, source, tree)
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
    module, tree = _parse(source, path)
    if isinstance(module, Diagnostic):
        result.diagnostics.append(module)
        return result
    if where is None and any(rule.uses_index() for rule in rules):
        where = ModuleContext.alone(source, path)
    try:
        reports = _lint(module, rules, where, target)
        found = _diagnose(module, source, path, reports, _judged(rules), tree)
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
        # Code that compiled must compile once fixed; newer syntax is judged by LibCST.
        relint = functools.partial(
            _parse_and_lint, path, rules, where, target=target, newer_syntax=tree is None
        )
        found = fix_findings(result, module, source, path, fix_mode, found, relint)
    result.diagnostics.extend(d for d, _ in found)
    return result


def _parse_and_lint(
    path: str,
    rules: Sequence[type[Rule]],
    where: ModuleContext | None,
    source: str,
    target: tuple[int, int] | None = None,
    newer_syntax: bool = True,
) -> tuple[cst.Module, list[Finding]] | Diagnostic:
    """What a fix round made of ``source``: its module and findings, or why it does not parse
    (or, without ``newer_syntax``, compile)."""
    module, tree = _parse(source, path, newer_syntax)
    if isinstance(module, Diagnostic):
        return module
    reports = _lint(module, rules, where, target)
    return module, _diagnose(module, source, path, reports, _judged(rules), tree)


def _judged(rules: Sequence[type[Rule]]) -> frozenset[str] | None:
    """The codes whose ``# noqa`` comments AL002 judges: those of the rules that run, when
    AL002 is one of them."""
    codes = frozenset(rule.code for rule in rules)
    return codes if UNUSED_NOQA_CODE in codes else None
