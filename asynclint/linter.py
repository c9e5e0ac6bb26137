"""Lint one source text: parse once, walk once, position and filter what was reported, fix.

Everything here works on text; reading and writing files is ``asynclint.runner``'s business.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from asynclint.blocking import BlockingCatalogue
from asynclint.diagnostics import (
    Applicability,
    Diagnostic,
    FileResult,
    Fix,
    Location,
    Problem,
)
from asynclint.engine import Report, RuleCrash, lint_module
from asynclint.index import ProjectIndex, environment_paths, summarize
from asynclint.noqa import find_suppressions
from asynclint.positions import node_ranges
from asynclint.rule import Rule

SYNTAX_ERROR_CODE = "AL001"
SYNTAX_ERROR_NAME = "syntax-error"
# Rounds of fix -> re-lint: a fix nested inside another one waits for the next round.
MAX_FIX_ROUNDS = 8


@dataclass(frozen=True)
class FixMode:
    """Which fixes to apply: safe ones always, unsafe ones on request."""

    unsafe: bool = False

    def allows(self, fix: Fix) -> bool:
        return fix.applicability is Applicability.SAFE or self.unsafe


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
    module: cst.Module, source: str, path: str, reports: list[Report]
) -> list[tuple[Diagnostic, Report]]:
    """Turn reports into positioned diagnostics, dropping the ones a ``# noqa`` suppresses."""
    if not reports:
        return []
    ranges = node_ranges(module, {n for r in reports for n in (r.node, r.statement, *r.functions)})
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


class _ApplyFixes(cst.CSTTransformer):
    """Replaces the fixes' nodes in one pass; a fix whose node contains an already replaced node
    is skipped (it is tried again in the next round, against the updated tree)."""

    def __init__(self, fixes: Sequence[Fix]) -> None:
        super().__init__()
        self.targets: dict[int, tuple[cst.CSTNode, Fix]] = {}
        self.replaced = 0
        self.replaced_at_entry: dict[int, int] = {}
        self.applied: dict[int, Fix] = {}
        self.skipped: set[int] = set()
        for fix in fixes:
            # Two fixes that replace the same node (both add a definition after the imports)
            # cannot both apply: the later one waits for the next round.
            if any(id(old) in self.targets for old, _ in fix.replacements):
                self.skipped.add(id(fix))
                continue
            for old, new in fix.replacements:
                self.targets[id(old)] = (new, fix)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.targets:
            self.replaced_at_entry[id(node)] = self.replaced
        return True

    def on_leave(
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        target = self.targets.get(id(original_node))
        if target is None:
            return updated_node
        new, fix = target
        if self.replaced != self.replaced_at_entry[id(original_node)] or id(fix) in self.skipped:
            self.skipped.add(id(fix))
            return updated_node
        self.replaced += 1
        self.applied[id(fix)] = fix
        return new


def apply_fixes(module: cst.Module, fixes: Sequence[Fix]) -> tuple[cst.Module, list[Fix]]:
    """Apply as many of ``fixes`` as do not overlap; return the new module and those applied."""
    candidates = list(fixes)
    while candidates:
        transformer = _ApplyFixes(candidates)
        new_module = module.visit(transformer)
        partial = [
            f for f in candidates if id(f) in transformer.skipped and id(f) in transformer.applied
        ]
        if partial:  # a fix with several replacements got only some of them: drop it, redo
            candidates = [f for f in candidates if f not in partial]
            continue
        applied = [f for f in candidates if id(f) in transformer.applied]
        imports = {imp for fix in applied for imp in fix.imports}
        if imports:
            context = CodemodContext()
            for imp in sorted(imports, key=lambda i: (i.module, i.name or "")):
                AddImportsVisitor.add_needed_import(context, imp.module, imp.name)
            new_module = AddImportsVisitor(context).transform_module(new_module)
        return new_module, applied
    return module, []


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

    def lint(self, module: cst.Module, rules: Sequence[type[Rule]]) -> list[Report]:
        return lint_module(module, rules, self.index, (self.name, self.is_package), self.blocking)


def _lint(
    module: cst.Module, rules: Sequence[type[Rule]], where: ModuleContext | None
) -> list[Report]:
    return where.lint(module, rules) if where is not None else lint_module(module, rules)


def check_source(
    source: str,
    path: str,
    rules: Sequence[type[Rule]],
    fix_mode: FixMode | None = None,
    where: ModuleContext | None = None,
) -> FileResult:
    """Lint ``source``; with ``fix_mode``, also fix it (the result then holds the fixed text).

    ``where`` places the module in its project; without it, the module is analysed alone."""
    result = FileResult(path)
    module = parse(source, path)
    if isinstance(module, Diagnostic):
        result.diagnostics.append(module)
        return result
    if where is None and any(rule.needs_index for rule in rules):
        where = ModuleContext.alone(source, path)
    try:
        found = _diagnose(module, source, path, _lint(module, rules, where))
    except RuleCrash as crash:
        result.problems.append(Problem(path, f"internal error: {crash}", internal=True))
        return result
    except RecursionError:
        result.problems.append(
            Problem(path, "internal error: the file is nested too deeply to analyse", internal=True)
        )
        return result
    if fix_mode is not None:
        found = _fix(result, module, source, path, rules, fix_mode, found, where)
    result.diagnostics.extend(d for d, _ in found)
    return result


def _fix(
    result: FileResult,
    module: cst.Module,
    source: str,
    path: str,
    rules: Sequence[type[Rule]],
    fix_mode: FixMode,
    found: list[tuple[Diagnostic, Report]],
    where: ModuleContext | None,
) -> list[tuple[Diagnostic, Report]]:
    """Fix round after round; each round's output is re-parsed and re-linted before it counts.

    Returns the findings that remain. ``result`` receives the fixed text and the count; if a
    round's output does not parse, or a fixed finding is still there, nothing of this file is
    changed and a problem is recorded.
    """
    current_source, current_module, current = source, module, found
    fixed = 0
    for _ in range(MAX_FIX_ROUNDS):
        fixes = [r.fix for _, r in current if r.fix is not None and fix_mode.allows(r.fix)]
        if not fixes:
            break
        new_module, applied = apply_fixes(current_module, fixes)
        if not applied:
            break
        new_source = new_module.code
        reparsed = parse(new_source, path)
        if isinstance(reparsed, Diagnostic):
            result.problems.append(
                Problem(
                    path,
                    f"fixing produced code that does not parse ({reparsed.message}); "
                    "the file was left unchanged",
                    internal=True,
                )
            )
            return found
        try:
            new_found = _diagnose(reparsed, new_source, path, _lint(reparsed, rules, where))
        except RuleCrash as crash:
            result.problems.append(
                Problem(path, f"internal error after fixing: {crash}", internal=True)
            )
            return found
        applied_codes = Counter(_code_of(fix, current) for fix in applied)
        before = Counter(d.code for d, _ in current)
        after = Counter(d.code for d, _ in new_found)
        still_there = [c for c, n in applied_codes.items() if after[c] > before[c] - n]
        if still_there:
            result.problems.append(
                Problem(
                    path,
                    f"a fix for {', '.join(sorted(still_there))} did not remove the "
                    "finding; the file was left unchanged",
                    internal=True,
                )
            )
            return found
        fixed += len(applied)
        current_source, current_module, current = new_source, reparsed, new_found
    if fixed:
        result.fixed_count = fixed
        result.original_source = source
        result.fixed_source = current_source
    return current


def _code_of(fix: Fix, found: list[tuple[Diagnostic, Report]]) -> str:
    for diagnostic, report in found:
        if report.fix is fix:
            return diagnostic.code
    raise LookupError("an applied fix belongs to no finding")
