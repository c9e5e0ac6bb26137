"""Whether the current task's cancellation can reach a ``try`` body (and not only an awaited
task's own cancellation, or one the code requested itself)."""

from __future__ import annotations

import libcst as cst

from asynclint.facts.awaitables import COROUTINE_OBJECT
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.roles import WAITS_FOR_ARGUMENTS, WAITS_FOR_EVERY_ARGUMENT
from asynclint.rule import Rule
from asynclint.rules.cancellation.requests import (
    Requests,
    cancel_requests,
    iterated_keys,
    key_of,
)
from asynclint.syntax.nodes import OTHER_CODE, iter_children


def cancellation_can_arrive(
    rule: Rule, node: cst.Try | cst.TryStar | cst.With, body: cst.BaseSuite
) -> bool:
    """Whether ``body`` (of ``node``, the node being visited) has an await point of its own
    where the current task's cancellation is raised, and the cancellation caught cannot be
    one the code requested (a cancelled task it awaits, the current task, a cancel scope) or
    an existing task's or future's own."""
    if _in_shielded_scope(rule):
        return False
    requested = cancel_requests(rule, node, body)
    if requested is not None and requested.own:
        return False
    has_await_point = False
    pending: list[cst.CSTNode] = [body]
    while pending:
        current = pending.pop()
        if isinstance(current, OTHER_CODE):
            continue
        if isinstance(current, cst.Await):
            if _may_be_other_cancellation(rule, current.expression, requested, body):
                return False
            has_await_point = True
        elif isinstance(current, (cst.With, cst.For, cst.CompFor)):
            if current.asynchronous is not None:
                if requested is not None and _touches_cancelled(rule, current, requested):
                    return False
                has_await_point = True
            if isinstance(current, cst.With) and _is_shielded(current):
                continue  # nothing from outside is delivered inside a shielded scope
        pending.extend(iter_children(current))
    return has_await_point


def _may_be_other_cancellation(
    rule: Rule,
    awaited: cst.BaseExpression,
    requested: Requests | None,
    body: cst.BaseSuite,
) -> bool:
    """Whether a ``CancelledError`` raised at ``await awaited`` may be another task's own:
    ``awaited`` is (or waits for, as ``asyncio.wait_for(task, 1)`` does) an existing task or
    future, and, after ``.cancel()`` calls, one they cancelled; or it may await one they
    cancelled (``self.wait_closed()`` after ``self._task.cancel()``)."""
    if not isinstance(awaited, cst.Call):
        existing = [awaited] if _is_existing_object(rule, awaited) else []
    elif (waits := rule.ask(QUALIFIED_NAME, awaited.func)) in WAITS_FOR_ARGUMENTS:
        positional = [arg for arg in awaited.args if arg.keyword is None]
        if waits not in WAITS_FOR_EVERY_ARGUMENT:
            positional = positional[:1]
        existing = [
            arg.value
            for arg in positional
            if (arg.star == "*" and isinstance(arg.value, cst.Call))  # ``*self.pending()``
            or _is_existing_object(rule, arg.value)
        ]
    else:
        existing = []
    if requested is None:
        return bool(existing)
    return any(_may_hold(rule, value, requested, body) for value in existing) or (
        isinstance(awaited, cst.Call) and _may_hold(rule, awaited, requested, body)
    )


# Values that hold no task: literals, and the strings made of them.
_PLAIN_VALUES = (
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
)


def _may_hold(
    rule: Rule, value: cst.BaseExpression, requested: Requests, body: cst.BaseSuite | None
) -> bool:
    """Whether ``value`` may be, hold or await an object that was cancelled: by its key (for a
    loop variable, also the container its loop iterates); for a call, one of its arguments or
    its receiver may. An expression of another kind may be anything."""
    if isinstance(value, _PLAIN_VALUES):
        return False
    if isinstance(value, cst.Call):
        values = [arg.value for arg in value.args]
        if isinstance(value.func, cst.Attribute):
            values.append(value.func.value)
        return any(_may_hold(rule, inner, requested, body) for inner in values)
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return any(_may_hold(rule, e.value, requested, body) for e in value.elements)
    if requested.touches(key_of(rule, value)):
        return True
    if isinstance(value, cst.Name) and body is not None:
        return any(requested.touches(k) for k in iterated_keys(rule, value.value, [body]))
    return False


def _touches_cancelled(
    rule: Rule, node: cst.With | cst.For | cst.CompFor, requested: Requests
) -> bool:
    """``async with`` / ``async for`` over something that may await an object cancelled."""
    values = [item.item for item in node.items] if isinstance(node, cst.With) else [node.iter]
    return any(_may_hold(rule, value, requested, None) for value in values)


def _is_existing_object(rule: Rule, node: cst.BaseExpression) -> bool:
    """Whether ``node`` refers to objects that already exist (a task, a future, a list of them)
    rather than creating new work (a call, a coroutine object)."""
    if isinstance(node, cst.Name):
        return not rule.ask(COROUTINE_OBJECT, node)
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        return True
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return any(
            isinstance(element, cst.StarredElement) or _is_existing_object(rule, element.value)
            for element in node.elements
        )
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return _is_existing_object(rule, node.elt)
    if isinstance(node, cst.IfExp):
        return _is_existing_object(rule, node.body) or _is_existing_object(rule, node.orelse)
    return False


def _in_shielded_scope(rule: Rule) -> bool:
    """Whether the node being visited runs inside a shielded cancel scope of its function."""
    for ancestor in reversed(rule.context.ancestors[:-1]):
        if isinstance(ancestor, OTHER_CODE):
            break
        if isinstance(ancestor, cst.With) and _is_shielded(ancestor):
            return True
    return False


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
