"""AL301's fix: keep a dropped task in a module-level set of background tasks until it is done."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import module_reference
from asynclint.knowledge.versions import has
from asynclint.rule import Context
from asynclint.syntax.nodes import lone_assignment, subtree

SET_NAME = "_background_tasks"
_GENERIC_SET = (3, 9)  # the first Python whose ``set`` takes a subscript: ``set[asyncio.Task]``


def _names_in(node: cst.CSTNode) -> set[str]:
    return {current.value for current in subtree(node) if isinstance(current, cst.Name)}


def _is_task_set(statement: cst.CSTNode) -> bool:
    """``_background_tasks = set()`` (annotated or not) at the top of a module."""
    assignment = lone_assignment(statement)
    if assignment is None:
        return False
    target, value = assignment
    return (
        isinstance(target, cst.Name)
        and target.value == SET_NAME
        and isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "set"
        and not value.args
    )


def _definition_anchor(module: cst.Module) -> cst.SimpleStatementLine | None:
    """The last statement of the module's leading imports (after the docstring): where the set
    of background tasks is defined."""
    anchor = None
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
            anchor = statement
        elif index == 0 and isinstance(statement.body[0], cst.Expr):
            if isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                anchor = anchor or statement  # the docstring, if no import follows
                continue
            break
        else:
            break
    return anchor


def _lone_statement(context: Context, call: cst.Call) -> cst.SimpleStatementLine | None:
    """The line of ``call`` when the call is all of it (``call`` or ``_ = call``)."""
    line = context.enclosing(cst.SimpleStatementLine)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    small = line.body[0]
    if (isinstance(small, cst.Expr) and small.value is call) or (
        isinstance(small, cst.Assign) and small.value is call
    ):
        return line
    return None


def _define_the_set(context: Context) -> tuple[list[tuple[cst.CSTNode, cst.CSTNode]], tuple] | None:
    """The edits that define the set after the module's imports (none when it exists), and
    the imports they need; None when the name is taken or there is nowhere to put it."""
    module = context.module
    if any(_is_task_set(s) for s in module.body):
        return [], ()
    if SET_NAME in context.module_scope.bindings or context.lookup(SET_NAME) is not None:
        return None
    anchor = _definition_anchor(module)
    if anchor is None:
        return None
    reference, imports = module_reference(context.module_scope, "asyncio")
    annotation = f"set[{reference}.Task]"
    if not has(context.target_version, _GENERIC_SET):
        annotation = f'"{annotation}"'  # ``set[...]`` raises TypeError when run before 3.9
    definition = cst.parse_statement(f"{SET_NAME}: {annotation} = set()\n")
    definition = definition.with_changes(leading_lines=[cst.EmptyLine()])
    return [(anchor, cst.FlattenSentinel([anchor, definition]))], imports


def keep_reference_fix(context: Context, call: cst.Call) -> Fix | None:
    """Keep the task in a module-level set until it is done, as the asyncio documentation
    recommends: ``task = ...; _background_tasks.add(task);
    task.add_done_callback(_background_tasks.discard)``. Only for a statement alone on its
    line (the call itself, or ``_ = call``)."""
    line = _lone_statement(context, call)
    if line is None:
        return None
    defined = _define_the_set(context)
    if defined is None:
        return None
    replacements, imports = defined
    scope_node = context.scope.node if context.scope.kind == "function" else context.module
    taken = _names_in(scope_node)
    variable = next(
        name
        for name in ("task", "background_task", *(f"task_{n}" for n in range(2, 99)), "")
        if name not in taken
    )
    if not variable:
        return None
    first = line.with_changes(
        body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(variable))], value=call)]
    )
    keep = cst.parse_statement(f"{SET_NAME}.add({variable})\n")
    release = cst.parse_statement(f"{variable}.add_done_callback({SET_NAME}.discard)\n")
    replacements.append((line, cst.FlattenSentinel([first, keep, release])))
    return Fix(
        f"Keep a reference to the task in `{SET_NAME}` until it is done",
        tuple(replacements),
        Applicability.UNSAFE,
        imports,
    )
