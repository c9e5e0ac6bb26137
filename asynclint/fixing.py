"""Verified fix rounds: apply the fixes that do not overlap, re-parse and re-lint the output, and
keep it only when it parses and every fixed finding is gone; repeat for fixes nested in others.

Linting itself is ``asynclint.linter``'s business: the rounds receive it as a ``Relint``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from asynclint.diagnostics import Applicability, Diagnostic, FileResult, Fix, Problem
from asynclint.engine import Report, RuleCrash

# Rounds of fix -> re-lint: a fix nested inside another one waits for the next round.
MAX_FIX_ROUNDS = 8

# A positioned diagnostic and the report it came from (which holds the fix).
Finding = tuple[Diagnostic, Report]
# Parse a source text and lint it: its module and findings, or the AL001 diagnostic saying why
# it does not parse. May raise ``RuleCrash``.
Relint = Callable[[str], "tuple[cst.Module, list[Finding]] | Diagnostic"]


@dataclass(frozen=True)
class FixMode:
    """Which fixes to apply: safe ones always, unsafe ones on request."""

    unsafe: bool = False
    # Only the fix of one finding: its code and where it starts (line, column), as an editor's
    # quick fix asks. Its round is the only one.
    only: tuple[str, int, int] | None = None

    def allows(self, fix: Fix) -> bool:
        return fix.applicability is Applicability.SAFE or self.unsafe

    def wants(self, diagnostic: Diagnostic) -> bool:
        """Whether the fix of ``diagnostic``'s finding is asked for (``only``)."""
        if self.only is None:
            return True
        return self.only == (diagnostic.code, diagnostic.start.line, diagnostic.start.column)


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
        return _add_imports(new_module, applied), applied
    return module, []


def _add_imports(module: cst.Module, applied: Sequence[Fix]) -> cst.Module:
    imports = {imp for fix in applied for imp in fix.imports}
    if not imports:
        return module
    # LibCST's codemod machinery costs a sixth of a second to import: only runs that fix pay.
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    for imp in sorted(imports, key=lambda i: (i.module, i.name or "")):
        AddImportsVisitor.add_needed_import(context, imp.module, imp.name)
    return AddImportsVisitor(context).transform_module(module)


@dataclass(frozen=True)
class _Round:
    """A source text that is verified: its module and its findings."""

    source: str
    module: cst.Module
    found: list[Finding]


def fix_rounds(
    result: FileResult,
    module: cst.Module,
    source: str,
    path: str,
    fix_mode: FixMode,
    found: list[Finding],
    relint: Relint,
) -> list[Finding]:
    """Fix round after round; each round's output is re-parsed and re-linted before it counts.

    Returns the findings that remain. ``result`` receives the fixed text and the count; if a
    round's output does not parse, or a fixed finding is still there, nothing of this file is
    changed and a problem is recorded.
    """
    current = _Round(source, module, found)
    fixed = 0
    for _ in range(MAX_FIX_ROUNDS):
        fixes = [
            r.fix
            for d, r in current.found
            if r.fix is not None and fix_mode.allows(r.fix) and fix_mode.wants(d)
        ]
        if not fixes:
            break
        new_module, applied = apply_fixes(current.module, fixes)
        if not applied:
            break
        verified = _verify(new_module.code, applied, current.found, relint)
        if isinstance(verified, str):
            result.problems.append(Problem(path, verified, internal=True))
            return found
        fixed += len(applied)
        current = verified
        if fix_mode.only is not None:
            break
    if fixed:
        result.fixed_count = fixed
        result.original_source = source
        result.fixed_source = current.source
    return current.found


def _verify(
    new_source: str, applied: Sequence[Fix], before: list[Finding], relint: Relint
) -> _Round | str:
    """The round that ``applied`` made of ``before``, or why it must not be kept."""
    try:
        relinted = relint(new_source)
    except RuleCrash as crash:
        return f"internal error after fixing: {crash}"
    if isinstance(relinted, Diagnostic):
        return (
            f"fixing produced code that does not parse ({relinted.message}); "
            "the file was left unchanged"
        )
    new_module, after = relinted
    applied_codes = Counter(_code_of(fix, before) for fix in applied)
    counts_before = Counter(d.code for d, _ in before)
    counts_after = Counter(d.code for d, _ in after)
    still_there = [
        code for code, n in applied_codes.items() if counts_after[code] > counts_before[code] - n
    ]
    if still_there:
        return (
            f"a fix for {', '.join(sorted(still_there))} did not remove the finding; "
            "the file was left unchanged"
        )
    return _Round(new_source, new_module, after)


def _code_of(fix: Fix, found: list[Finding]) -> str:
    for diagnostic, report in found:
        if report.fix is fix:
            return diagnostic.code
    raise LookupError("an applied fix belongs to no finding")
