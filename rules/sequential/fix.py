"""AL401's fix: one ``asyncio.gather()`` for a run of adjacent awaits."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import module_reference
from asynclint.rules.sequential.runs import Await, Run
from asynclint.syntax.scopes import Scope


def gather_fix(run: Run, module_scope: Scope) -> Fix | None:
    """Merge the run into one ``gather()`` binding the same names, when nothing stands in
    between, each statement binds one name (or none does) and no comment would be lost."""
    members = run.members
    if any(m.gap_before for m in members[1:]) or not all(m.direct for m in members):
        return None
    names = _bound_names(members)
    if names is None or not _comments_kept(members):
        return None
    commented = [m.line for m in members if m.line.trailing_whitespace.comment is not None]
    trailing = (commented or [members[0].line])[0].trailing_whitespace
    reference, imports = module_reference(module_scope, "asyncio")
    gather = cst.Await(
        cst.Call(
            func=cst.parse_expression(f"{reference}.gather"),
            args=[cst.Arg(m.call.with_changes(lpar=(), rpar=())) for m in members],
        )
    )
    if names:
        small: cst.BaseSmallStatement = cst.Assign(
            targets=[
                cst.AssignTarget(
                    cst.Tuple([cst.Element(cst.Name(n)) for n in names], lpar=(), rpar=())
                )
            ],
            value=gather,
        )
    else:
        small = cst.Expr(gather)
    first = members[0].line
    replacements: list[tuple[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel]] = [
        (first, first.with_changes(body=[small], trailing_whitespace=trailing))
    ]
    replacements.extend((m.line, cst.RemovalSentinel.REMOVE) for m in members[1:])
    return Fix(
        "Run the calls concurrently with `asyncio.gather()`",
        tuple(replacements),  # type: ignore[arg-type]
        Applicability.UNSAFE,
        imports,
    )


def _bound_names(members: list[Await]) -> list[str] | None:
    """The single name each statement assigns, ``[]`` when all discard their results, None
    for any other mix."""
    kinds = {type(m.small) for m in members}
    if kinds == {cst.Expr}:
        return []
    if kinds != {cst.Assign}:
        return None
    names = []
    for member in members:
        assign = member.small
        assert isinstance(assign, cst.Assign)
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            return None
        names.append(assign.targets[0].target.value)
    return names


def _comments_kept(members: list[Await]) -> bool:
    if any(e.comment is not None for m in members[1:] for e in m.line.leading_lines):
        return False  # a comment line would be lost
    commented = [m for m in members if m.line.trailing_whitespace.comment is not None]
    return len(commented) <= 1  # two end-of-line comments cannot both stay
