"""Verified fix rounds: apply the fixes that do not overlap, re-parse and re-lint the output, and
keep it only when it parses and every fixed finding is gone; repeat for fixes nested in others.

Linting itself is ``asynclint.linter``'s business: the rounds receive it as a ``Relint``.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import libcst as cst

from asynclint.diagnostics import (
    Diagnostic,
    Edit,
    FileResult,
    Fix,
    FixMode,
    ImportNeeded,
    Location,
    Problem,
)
from asynclint.engine import Report, RuleCrash

# Rounds of fix -> re-lint: a fix nested inside another one waits for the next round.
MAX_FIX_ROUNDS = 8

# A positioned diagnostic and the report it came from (which holds the fix).
Finding = tuple[Diagnostic, Report]
# Parse a source text and lint it: its module and findings, or the AL001 diagnostic saying why
# it does not parse. May raise ``RuleCrash``.
Relint = Callable[[str], "tuple[cst.Module, list[Finding]] | Diagnostic"]


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
    return _with_imports(module, frozenset(imp for fix in applied for imp in fix.imports))


def _with_imports(module: cst.Module, imports: frozenset[ImportNeeded]) -> cst.Module:
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


def _fix_rounds(
    result: FileResult, start: _Round, path: str, fix_mode: FixMode, relint: Relint
) -> _Round:
    """Fix round after round; each round's output is re-parsed and re-linted before it counts.

    Returns the round that is kept. ``result`` receives the fixed text and the count; if a
    round's output does not parse, or a fixed finding is still there, nothing of this file is
    changed and a problem is recorded."""
    current = start
    fixed: list[str] = []
    # After a round whose fixes together fail the check, one fix a round: a fix may bring a
    # finding of the code another fix removes (awaiting a call that returns a task makes a
    # dropped task), which the per-code count cannot tell from a fix that failed.
    one_by_one = False
    rounds = 0
    while rounds < MAX_FIX_ROUNDS + (len(start.found) if one_by_one else 0):
        rounds += 1
        covered = _shared_fixes(_wanted(current.found, fix_mode))
        if one_by_one:
            covered = dict(list(covered.items())[:1])
        if not covered:
            break
        new_module, applied = apply_fixes(current.module, list(covered))
        if not applied:
            break
        codes = [code for fix in applied for code in covered[fix]]
        verified = _verify(new_module.code, codes, current.found, relint)
        if isinstance(verified, str) and len(applied) > 1 and not one_by_one:
            one_by_one = True
            continue
        if isinstance(verified, str):
            result.problems.append(Problem(path, verified, internal=True))
            return start
        fixed += codes
        current = verified
        if fix_mode.only is not None:
            break
    left = len(_wanted(current.found, fix_mode))
    if left and fix_mode.only is None:  # never silent about a fix it advertised
        fixes = "1 fix" if left == 1 else f"{left} fixes"
        message = f"{fixes} could not be applied (overlapping edits); reported unfixed"
        result.problems.append(Problem(path, message, internal=True))
    if fixed:
        result.fixed_count = len(fixed)
        result.fixed_codes = tuple(sorted(fixed))
        result.original_source = start.source
        result.fixed_source = current.source
    return current


def _wanted(found: list[Finding], fix_mode: FixMode) -> list[Finding]:
    """The findings whose fix ``fix_mode`` asks to apply."""
    return [
        (d, r)
        for d, r in found
        if r.fix is not None
        and fix_mode.allows(r.fix)
        and fix_mode.wants(d)
        and fix_mode.fixes(d.code)
    ]


def _shared_fixes(found: list[Finding]) -> dict[Fix, list[str]]:
    """The distinct fixes of ``found``, each with the codes of the findings it fixes. A fix
    that several findings share (the same object, or the same replacements of the same nodes)
    is one fix: applied once, it fixes them all."""
    covered: dict[Fix, list[str]] = {}
    for diagnostic, report in found:
        assert report.fix is not None
        same = next((f for f in covered if _same_edit(f, report.fix)), report.fix)
        covered.setdefault(same, []).append(diagnostic.code)
    return covered


def _same_edit(one: Fix, other: Fix) -> bool:
    if one is other:
        return True
    if len(one.replacements) != len(other.replacements) or one.imports != other.imports:
        return False
    return all(
        old is old_other and _same_node(new, new_other)
        for (old, new), (old_other, new_other) in zip(
            one.replacements, other.replacements, strict=True
        )
    )


def _same_node(one: object, other: object) -> bool:
    """Whether two replacements are the same (a sentinel that removes or flattens, only if it
    is the same object)."""
    if isinstance(one, cst.CSTNode) and isinstance(other, cst.CSTNode):
        return one.deep_equals(other)
    return one is other


def fix_findings(
    result: FileResult,
    module: cst.Module,
    source: str,
    path: str,
    fix_mode: FixMode,
    found: list[Finding],
    relint: Relint,
) -> list[Finding]:
    """What ``fix_mode`` asks of the findings: apply their fixes (``_fix_rounds``), drop the
    fixes of the codes that are not fixable, and describe each remaining fix as text edits.
    Returns the findings that remain."""
    if fix_mode.apply:
        kept = _fix_rounds(result, _Round(source, module, found), path, fix_mode, relint)
        module, found = kept.module, kept.found
    found = [_without_fix(f) if not fix_mode.fixes(f[0].code) else f for f in found]
    if fix_mode.edits:
        found = with_edits(module, found)
    return found


def _without_fix(finding: Finding) -> Finding:
    diagnostic, report = finding
    if report.fix is None:
        return finding
    plain = replace(diagnostic, fix_applicability=None, fix_description=None)
    return plain, replace(report, fix=None)


def with_edits(module: cst.Module, found: list[Finding]) -> list[Finding]:
    """The findings, those with a fix given the text edits that fix alone makes to the
    module's code."""
    if not any(report.fix is not None for _, report in found):
        return found
    source = module.code
    starts = _line_starts(source)
    imports = _ImportEdits(module, source, starts)
    out = []
    for diagnostic, report in found:
        if report.fix is not None:
            edits = _statement_edits(module, source, starts, diagnostic, report, imports)
            if edits is None:
                fixed, applied = apply_fixes(module, [report.fix])
                edits = tuple(text_edits(source, fixed.code, starts)) if applied else None
            if edits is not None:
                diagnostic = replace(diagnostic, fix_edits=edits)
        out.append((diagnostic, report))
    return out


class _ImportEdits:
    """The edits that add a set of imports to a module, made once per set for all the fixes
    that need it (adding imports walks and prints the whole module)."""

    def __init__(self, module: cst.Module, source: str, starts: list[int]) -> None:
        self.module, self.source, self.starts = module, source, starts
        self.made: dict[frozenset[ImportNeeded], tuple[Edit, ...]] = {}

    def of(self, imports: Sequence[ImportNeeded]) -> tuple[Edit, ...]:
        if _imports_present(self.module, imports):
            return ()
        wanted = frozenset(imports)
        if wanted not in self.made:
            head = _import_head(self.module, self.source)
            added = _with_imports(head, wanted).code
            self.made[wanted] = tuple(text_edits(head.code, added, self.starts))
        return self.made[wanted]


def _import_head(module: cst.Module, source: str) -> cst.Module:
    """The start of ``module`` that adding imports reads and changes: its block of imports at
    the top (after a docstring) and the statement after it, which gets a blank line before
    it (as LibCST's ``AddImportsVisitor`` does); the whole module when that start's code is
    not the start of ``source``. Adding imports to a whole module walks and prints it all."""
    body = module.body
    cut = next((i for i in range(1, len(body)) if not _is_import_line(body[i])), len(body))
    if cut + 1 >= len(body):
        return module
    head = module.with_changes(body=body[: cut + 1], footer=())
    return head if source.startswith(head.code) else module


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _statement_edits(
    module: cst.Module,
    source: str,
    starts: list[int],
    diagnostic: Diagnostic,
    report: Report,
    imports: _ImportEdits,
) -> tuple[Edit, ...] | None:
    """The edits of a fix made from the code of the module-level statements it changes alone
    (the one its finding is in, and module-level statements it replaces), plus those adding
    its imports: applying it to the whole module and comparing the module's code costs a walk
    and a code generation of the whole file per finding. None when that cannot be done for
    sure (a statement not found in the text, an import added where a statement changes): the
    caller then applies the fix to the whole module."""
    fix, top = report.fix, report.top
    if fix is None or top is None:
        return None
    edits = _changed_statements(module, source, starts, diagnostic, fix, top)
    if edits is None:
        return None
    added = imports.of(fix.imports)
    if any(_touch(one, other) for one in added for other in edits):
        return None
    return tuple(sorted((*edits, *added), key=lambda e: (e.start.line, e.start.column)))


def _touch(one: Edit, other: Edit) -> bool:
    """Whether two edits overlap or meet (their order would then be unclear)."""
    return (one.start.line, one.start.column) <= (other.end.line, other.end.column) and (
        other.start.line,
        other.start.column,
    ) <= (one.end.line, one.end.column)


def _changed_statements(
    module: cst.Module,
    source: str,
    starts: list[int],
    diagnostic: Diagnostic,
    fix: Fix,
    top: cst.CSTNode,
) -> list[Edit] | None:
    """The edits of ``fix`` but its imports, made from the statements it changes."""
    body = {id(statement) for statement in module.body}
    inner = tuple((old, new) for old, new in fix.replacements if id(old) not in body)
    outer = [(old, new) for old, new in fix.replacements if id(old) in body]
    changed: list[tuple[cst.CSTNode, str]] = []
    if inner:
        if any(old is top for old, _ in outer):
            return None
        transformer = _ApplyFixes([replace(fix, replacements=inner)])
        new_top = top.visit(transformer)
        if transformer.replaced != len(inner) or not isinstance(new_top, cst.CSTNode):
            return None  # a replacement outside the statement
        changed.append((top, module.code_for_node(new_top)))
    for old, new in outer:
        nodes = new.nodes if isinstance(new, cst.FlattenSentinel) else [new]
        code = "".join(module.code_for_node(n) for n in nodes if isinstance(n, cst.CSTNode))
        changed.append((old, code))
    at = starts[diagnostic.start.line - 1] + diagnostic.start.column - 1
    edits: list[Edit] = []
    for old, new_text in changed:
        old_text = module.code_for_node(old)
        begin = _statement_start(source, old_text, at if old is top else None)
        if begin is None:
            return None
        shift = _line_starts(source[:begin])
        line, column = len(shift), begin - shift[-1]  # where it starts (0-based column)
        edits.extend(
            replace(
                edit, start=_moved(edit.start, line, column), end=_moved(edit.end, line, column)
            )
            for edit in text_edits(old_text, new_text)
        )
    return edits


def _statement_start(source: str, text: str, around: int | None) -> int | None:
    """Where the code ``text`` of a module-level statement starts in ``source``: the
    occurrence that holds offset ``around``, or the only one; None when not sure."""
    if around is None:
        return source.find(text) if text and source.count(text) == 1 else None
    begin = source.rfind(text, 0, around + len(text))
    return begin if 0 <= begin <= around < begin + max(len(text), 1) else None


def _imports_present(module: cst.Module, imports: Sequence[ImportNeeded]) -> bool:
    """Whether each of ``imports`` is already a plain module-level import of ``module`` (so
    that adding it changes nothing)."""
    if not imports:
        return True
    present: set[tuple[str, str | None]] = set()
    for statement in module.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Import):
                present.update(
                    (_dotted(alias.name), None) for alias in small.names if alias.asname is None
                )
            elif isinstance(small, cst.ImportFrom) and small.module is not None:
                if not small.relative and not isinstance(small.names, cst.ImportStar):
                    source_module = _dotted(small.module)
                    present.update(
                        (source_module, _dotted(alias.name))
                        for alias in small.names
                        if alias.asname is None
                    )
    return all((imp.module, imp.name) in present for imp in imports)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _moved(location: Location, line: int, column: int) -> Location:
    """``location`` in a statement's code, as a location in the module's (the statement
    starting at 1-based ``line``, 0-based ``column``)."""
    if location.line == 1:
        return Location(line, location.column + column)
    return Location(location.line + line - 1, location.column)


_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> list[str]:
    """The lines of ``text`` with their line breaks, as Python counts lines."""
    return _PHYSICAL_LINE.findall(text)


def _offsets(lines: list[str]) -> list[int]:
    """Where each line starts, and where the last one ends."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def _line_starts(text: str) -> list[int]:
    """Where each line of ``text`` starts (after a last line break: the empty line there)."""
    offsets = _offsets(_lines(text))
    return offsets if not text or text.endswith(("\n", "\r")) else offsets[:-1]


def _location(offset: int, starts: list[int]) -> Location:
    """The 1-based line and column (in characters) of a character offset."""
    row = bisect.bisect_right(starts, offset) - 1
    return Location(row + 1, offset - starts[row] + 1)


def text_edits(old: str, new: str, starts: list[int] | None = None) -> list[Edit]:
    """The edits that turn ``old`` into ``new``: the lines that differ, less what they share at
    either end; positions in ``old`` (``starts``: its line starts, ``_line_starts``)."""
    starts = starts if starts is not None else _line_starts(old)
    old_lines, new_lines = _lines(old), _lines(new)
    offsets = _offsets(old_lines)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = offsets[i1], offsets[i2]
        before, after = old[start:end], "".join(new_lines[j1:j2])
        head = _shared_head(before, after)
        tail = _shared_head(before[head:][::-1], after[head:][::-1])
        content = after[head : len(after) - tail]
        begin, finish = start + head, end - tail
        edits.append(Edit(content, _location(begin, starts), _location(finish, starts)))
    return edits


def _shared_head(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _verify(
    new_source: str, fixed: Sequence[str], before: list[Finding], relint: Relint
) -> _Round | str:
    """The round that the fixes of findings of codes ``fixed`` (a code once per finding)
    made of ``before``, or why it must not be kept."""
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
    applied_codes = Counter(fixed)
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
