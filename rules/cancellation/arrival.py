"""Whether the current task's cancellation can reach a ``try`` body (and not only an awaited
task's own cancellation, or one the code requested itself)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.roles import WAITS_FOR_ARGUMENTS
from asynclint.rule import Rule
from asynclint.syntax.nodes import OTHER_CODE, iter_children, own_nodes


def cancellation_can_arrive(rule: Rule, body: cst.BaseSuite) -> bool:
    """Whether the try body has an await point of its own where the current task's
    cancellation (and not only an awaited task's, or one it requested itself) is raised."""
    has_await_point = False
    pending: list[cst.CSTNode] = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, OTHER_CODE):
            continue
        if isinstance(node, cst.Await):
            if _awaits_existing_work(rule, node.expression):
                return False
            has_await_point = True
        elif isinstance(node, cst.Call) and _is_cancel_call(node):
            return False
        elif isinstance(node, (cst.With, cst.For, cst.CompFor)):
            has_await_point = has_await_point or node.asynchronous is not None
            if isinstance(node, cst.With) and _is_shielded(node):
                continue  # nothing from outside is delivered inside a shielded scope
        pending.extend(iter_children(node))
    return has_await_point


def shielded_or_self_cancelled(rule: Rule, node: cst.Try | cst.TryStar | cst.With) -> bool:
    """Whether ``node`` (the node being visited) runs inside a shielded cancel scope of the
    same function, or follows a ``.cancel()`` call in its block (the cancellation may be the
    function's own request, as in ``task.cancel()`` then ``try: await ...``)."""
    context = rule.context
    for ancestor in reversed(context.ancestors[:-1]):
        if isinstance(ancestor, OTHER_CODE):
            break
        if isinstance(ancestor, cst.With) and _is_shielded(ancestor):
            return True
    block = context.parent
    statements = getattr(block, "body", None)
    if not isinstance(statements, Sequence):
        return False
    for statement in statements:
        if statement is node:
            break
        if isinstance(statement, OTHER_CODE):
            continue  # a definition runs none of its body here
        if any(isinstance(n, cst.Call) and _is_cancel_call(n) for n in own_nodes(statement)):
            return True
    return False


def _awaits_existing_work(rule: Rule, awaited: cst.BaseExpression) -> bool:
    """``await task``, ``await asyncio.wait_for(task, 1)``: the awaited thing was created
    elsewhere and may have been cancelled on its own."""
    if not isinstance(awaited, cst.Call):
        return True
    if rule.ask(QUALIFIED_NAME, awaited.func) not in WAITS_FOR_ARGUMENTS:
        return False
    return any(
        arg.keyword is None and (arg.star == "*" or _is_existing_object(arg.value))
        for arg in awaited.args
    )


def _is_existing_object(node: cst.BaseExpression) -> bool:
    """Whether ``node`` refers to objects that already exist (a task, a future, a list of them)
    rather than creating new work (a call)."""
    if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)):
        return True
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return any(
            isinstance(element, cst.StarredElement) or _is_existing_object(element.value)
            for element in node.elements
        )
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return _is_existing_object(node.elt)
    if isinstance(node, cst.IfExp):
        return _is_existing_object(node.body) or _is_existing_object(node.orelse)
    return False


def _is_cancel_call(call: cst.Call) -> bool:
    """``something.cancel()`` (a task, a future, a cancel scope)."""
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "cancel"


def _is_shielded(node: cst.With) -> bool:
    """``with CancelScope(shield=True):``, ``with move_on_after(1, shield=True):`` (a
    ``shield`` argument other than ``False``)."""
    for item in node.items:
        call = item.item
        if isinstance(call, cst.Call):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "shield":
                    value = arg.value
                    if not (isinstance(value, cst.Name) and value.value == "False"):
                        return True
    return False
