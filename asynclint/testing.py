"""Checking annotated examples and fixtures: ``# error: AL201`` marks a line that must be
reported; every other line must stay silent.

Used by the test-suite for the rules' own examples and for ``fixtures/``; handy for anyone
writing a rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from asynclint.fixing import FixMode
from asynclint.linter import check_source
from asynclint.rule import Rule

_MARKER = re.compile(r"#\s*error:\s*(?P<codes>AL\d{3}(?:\s*,\s*AL\d{3})*)\s*$")


def expected_findings(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` pairs the ``# error:`` markers of ``source`` ask for, sorted."""
    expected = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            for code in re.split(r"\s*,\s*", match.group("codes")):
                expected.append((number, code))
    return sorted(expected)


def actual_findings(
    source: str, rules: Sequence[type[Rule]], path: str = "example.py"
) -> list[tuple[int, str]]:
    """``(line, code)`` of what ``rules`` report on ``source`` (problems raise)."""
    result = check_source(source, path, rules)
    if result.problems:
        raise AssertionError("; ".join(p.message for p in result.problems))
    return sorted((d.start.line, d.code) for d in result.diagnostics)


def fixed_source(source: str, rules: Sequence[type[Rule]], path: str = "example.py") -> str:
    """``source`` after every fix (safe and unsafe) of ``rules``; unchanged when none applies."""
    result = check_source(source, path, rules, FixMode(unsafe=True))
    if result.problems:
        raise AssertionError("; ".join(p.message for p in result.problems))
    return result.fixed_source if result.fixed_source is not None else source


class _AnnotationStripper(cst.CSTTransformer):
    """Removes parameter and return annotations; ``x: T = v`` becomes ``x = v`` and a bare
    ``x: T`` becomes ``...`` (line numbers are kept)."""

    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        return updated.with_changes(annotation=None)

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        return updated.with_changes(returns=None)

    def leave_AnnAssign(
        self, original: cst.AnnAssign, updated: cst.AnnAssign
    ) -> cst.BaseSmallStatement:
        if updated.value is None:
            return cst.Expr(cst.Ellipsis())
        return cst.Assign(targets=[cst.AssignTarget(updated.target)], value=updated.value)


def strip_annotations(source: str) -> str:
    """``source`` as untyped code is written: every annotation removed, lines kept in place
    (for checking that a finding does not depend on annotations)."""
    return cst.parse_module(source).visit(_AnnotationStripper()).code


def has_untyped_twin(source: str) -> bool:
    """Whether a fixture's header (the comment lines it starts with) says ``# untyped-twin``:
    the same findings are expected with every annotation removed."""
    for line in source.splitlines():
        if not line.startswith("#"):
            return False
        if line.strip() == "# untyped-twin":
            return True
    return False
