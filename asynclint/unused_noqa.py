"""AL002 unused-noqa (``asynclint.rules.unused_noqa`` documents it): the codes of a ``# noqa``
that silenced nothing, found once every other rule's findings have met the file's
suppressions, with a fix that takes them out of the comment."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import cast

import libcst as cst

from asynclint.catalogue import BY_CODE as RULES_BY_CODE
from asynclint.diagnostics import Applicability, Fix
from asynclint.engine import Report
from asynclint.noqa import ALL, CODE_SEPARATOR, CODES, Suppressions
from asynclint.positions import node_ranges
from asynclint.rule import Rule
from asynclint.rules.unused_noqa import UnusedNoqa

CODE = UnusedNoqa.code
# A noqa directive with codes inside a comment, with the blanks before it.
_DIRECTIVE = re.compile(rf"\s*#\s*noqa:\s?(?P<codes>{CODES})", re.IGNORECASE)
# A file-level one with codes (asynclint's or flake8's form, ``noqa.find_suppressions``).
_FILE_DIRECTIVE = re.compile(
    rf"#\s*(?:asynclint|flake8)\s*:\s*noqa\s*:\s*(?P<codes>{CODES})", re.IGNORECASE
)


def unused_reports(
    module: cst.Module,
    suppressions: Suppressions,
    used: Mapping[int, Collection[str]],
    judged: Collection[str],
) -> list[Report]:
    """A report for each comment whose asynclint codes silenced nothing (``used``: the codes
    each line's comment did silence), for the codes of rules in ``judged`` and unknown ones."""
    listings = {**suppressions.lines, **suppressions.file_codes}
    wanted = {
        line: unused
        for line, listed in listings.items()
        if listed is not ALL and (unused := _unused(listed, used.get(line, ()), judged))  # type: ignore[arg-type]
    }
    if not wanted:
        return []
    comments, lines_of = _comments(module)
    ranges = node_ranges(module, {None: [comment for comment, _ in comments]})
    reports = []
    for comment, owner in comments:
        line = ranges[comment][0].line
        unused = wanted.get(line)
        whole_file = line in suppressions.file_codes
        if unused is None:
            continue
        if not (_FILE_DIRECTIVE if whole_file else _DIRECTIVE).search(comment.value):
            continue
        listed = ", ".join(sorted(unused))
        message = f"unused `# noqa` code{'s' * (len(unused) > 1)} {listed}: " + _why(
            unused, "in this file" if whole_file else "on this line"
        )
        fix = (
            _fix_file_directive(comment, owner, unused, lines_of.get(id(owner)))
            if whole_file
            else _fix(comment, owner, unused)
        )
        rule = cast(Rule, UnusedNoqa)  # reported by the linter, not by a walk
        reports.append(Report(rule, comment, message, fix, comment))
    return reports


def _unused(listed: frozenset[str], used: Collection[str], judged: Collection[str]) -> set[str]:
    return {
        code
        for code in listed
        if code.startswith("AL")
        and code not in used
        and (code in judged or code not in RULES_BY_CODE)
        and code != "AL001"
    }


def _why(unused: set[str], where: str) -> str:
    if all(code not in RULES_BY_CODE for code in unused):
        return "asynclint has no rule of that code" if len(unused) == 1 else "no such rules"
    return f"nothing {where} is reported under it"


# The fields that hold lines of their own (``EmptyLine``s), in the nodes that have them.
_LINE_FIELDS = ("header", "footer", "leading_lines", "lines_after_decorators")
# A line of its own: the node whose field holds it, and the field's name.
LinesOf = dict[int, tuple[cst.CSTNode, str]]


def _comments(module: cst.Module) -> tuple[list[tuple[cst.Comment, cst.CSTNode]], LinesOf]:
    """Every comment of the module, with the node that holds it (``TrailingWhitespace`` at
    the end of a line of code, ``EmptyLine`` for a comment on a line of its own); and, by the
    ``id`` of each such ``EmptyLine``, where it stands."""
    found: list[tuple[cst.Comment, cst.CSTNode]] = []
    lines_of: LinesOf = {}

    class Collector(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            for name in _LINE_FIELDS:
                lines = getattr(node, name, None)
                if isinstance(lines, (list, tuple)):
                    lines_of.update((id(line), (node, name)) for line in lines)
            return super().on_visit(node)

        def visit_TrailingWhitespace(self, node: cst.TrailingWhitespace) -> None:
            if node.comment is not None:
                found.append((node.comment, node))

        def visit_EmptyLine(self, node: cst.EmptyLine) -> None:
            if node.comment is not None:
                found.append((node.comment, node))

    module.visit(Collector())
    return found, lines_of


def _fix(comment: cst.Comment, owner: cst.CSTNode, unused: set[str]) -> Fix | None:
    """The comment without the unused codes (without its noqa directive when none is left, and
    gone when nothing else is left); None for a comment on a line of its own."""
    if not isinstance(owner, cst.TrailingWhitespace):
        return None
    directive = _DIRECTIVE.search(comment.value)
    if directive is None:
        return None
    codes = [c for c in CODE_SEPARATOR.split(directive["codes"]) if c]
    kept = [c for c in codes if c.upper() not in unused]
    start, end = directive.span()
    rest = comment.value[end:]
    if kept:
        text = f"{comment.value[: directive.start('codes')]}{', '.join(kept)}{rest}"
    elif start == 0:  # the comment starts with the directive: what follows it, if anything
        text = rest.lstrip()
    else:
        text = comment.value[:start] + rest
    if not text.strip():
        new_owner = owner.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
    else:
        new_owner = owner.with_changes(comment=cst.Comment(text))
    description = "Remove the unused `# noqa` code" + ("s" if len(unused) > 1 else "")
    return Fix(description, ((owner, new_owner),), Applicability.SAFE)


def _fix_file_directive(
    comment: cst.Comment,
    owner: cst.CSTNode,
    unused: set[str],
    where: tuple[cst.CSTNode, str] | None,
) -> Fix | None:
    """The file-level directive without the unused codes; its line gone (as ruff's RUF100
    removes it) when no code is left, taken out of the node that holds it (``where``)."""
    directive = _FILE_DIRECTIVE.match(comment.value)
    if directive is None:
        return None
    codes = [c for c in CODE_SEPARATOR.split(directive["codes"]) if c]
    kept = [c for c in codes if c.upper() not in unused]
    description = "Remove the unused `# noqa` code" + ("s" if len(unused) > 1 else "")
    if not kept:
        if where is None:
            return None
        holder, name = where
        lines = [line for line in getattr(holder, name) if line is not owner]
        new_holder = holder.with_changes(**{name: lines})
        return Fix(
            "Remove the unused `# noqa` directive", ((holder, new_holder),), Applicability.SAFE
        )
    text = f"{comment.value[: directive.start('codes')]}{', '.join(kept)}"
    text += comment.value[directive.end("codes") :]
    new_owner = owner.with_changes(comment=cst.Comment(text))
    return Fix(description, ((owner, new_owner),), Applicability.SAFE)
