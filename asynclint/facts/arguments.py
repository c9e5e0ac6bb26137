"""What a call passes, in the terms of the catalogue's ``[silent-when]`` conditions
(``asynclint.knowledge.arguments``), read from its LibCST tree: literals, the constants a flag
argument combines, what made an object argument, and what made a method's receiver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from asynclint.facts.resolution import QUALIFIED_NAME, VALUE
from asynclint.index import Instance
from asynclint.knowledge.arguments import NOT_LITERAL, Argument, Arguments
from asynclint.syntax.bindings import attribute_values, values_bound

if TYPE_CHECKING:
    from asynclint.engine import Context


def call_arguments(context: Context, call: cst.Call, receiver_class: str | None) -> Arguments:
    """The arguments of ``call``; with ``receiver_class`` (the catalogue class of the method
    called), also those of the calls that made its receiver."""
    positional: list[Argument] = []
    keywords: dict[str, Argument] = {}
    unpacked = False
    for arg in call.args:
        if arg.star:
            unpacked = True
        elif arg.keyword is not None:
            keywords[arg.keyword.value] = _argument(context, arg.value)
        elif not unpacked:
            positional.append(_argument(context, arg.value))
    receivers = None
    if receiver_class is not None and isinstance(call.func, cst.Attribute):
        receivers = _receivers(context, call.func.value, receiver_class)
    return Arguments(tuple(positional), keywords, unpacked, receivers)


def _argument(context: Context, value: cst.BaseExpression, follow: bool = True) -> Argument:
    """``value`` as an argument; a name the code binds once, to a value it can read, stands
    for that value (``flags = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV``)."""
    if follow and isinstance(value, cst.Name):
        bound = _values_bound(context, value.value)
        if bound is not None and len(bound) == 1 and bound[0] is not None:
            return _argument(context, bound[0], follow=False)
    return Argument(_literal(value), frozenset(_flags(context, value)), _made_by(context, value))


def _literal(node: cst.BaseExpression) -> Any:
    """The value of a number, string, ``True``, ``False`` or ``None`` literal (``-1``
    included)."""
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, (cst.Integer, cst.Float))
    ):
        return -node.expression.evaluated_value
    return NOT_LITERAL


def _flags(context: Context, node: cst.BaseExpression, follow: bool = True) -> list[str]:
    """The qualified names a flag argument combines: ``socket.AI_NUMERICHOST``, or each
    operand of ``a | b`` that is a name; a name of the code's own that holds flags stands for
    the ones it holds (``_NUMERIC_ONLY = socket.AI_NUMERICHOST``, then ``_NUMERIC_ONLY |=
    ...``, as trio's ``getaddrinfo`` has it)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _flags(context, node.left, follow) + _flags(context, node.right, follow)
    if isinstance(node, (cst.Name, cst.Attribute)):
        qualified = context.answer(QUALIFIED_NAME, node)
        found = [qualified] if qualified else []
        if follow and isinstance(node, cst.Name):
            value = _flags_value(context, node.value)
            if value is not None:
                found += _flags(context, value, follow=False)
        return found
    return []


def _flags_value(context: Context, name: str) -> cst.BaseExpression | None:
    """The one value ``name`` is bound to when each other binding only adds flags to it
    (``name |= ...`` in the same scope); None otherwise."""
    scope = context.scope_binding(name)
    if scope is None or scope.kind not in ("module", "function"):
        return None
    bound = values_bound(scope.node, name)
    values = [value for value in bound if value is not None]
    if len(values) != 1 or len(bound) - 1 != _flags_added(scope.node, name):
        return None
    return values[0]


def _flags_added(scope: cst.CSTNode, name: str) -> int:
    """How many ``name |= ...`` statements the code of ``scope`` holds, outside nested
    functions and classes."""
    count = 0
    stack: list[cst.CSTNode] = [scope.body if isinstance(scope, cst.FunctionDef) else scope]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.AugAssign):
            target = node.target
            if isinstance(target, cst.Name) and target.value == name:
                count += isinstance(node.operator, cst.BitOrAssign)
        elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(node.children)
    return count


def _made_by(context: Context, node: cst.BaseExpression) -> str | None:
    """The callee whose result ``node`` is: ``io.BytesIO`` for ``io.BytesIO(data)``, and for
    a name that the code binds only to calls of it; else the class an annotation gives it."""
    if isinstance(node, cst.Call):
        return context.answer(QUALIFIED_NAME, node.func)
    if not isinstance(node, cst.Name):
        return None
    calls = _constructor_calls(context, node.value)
    if calls:
        callees = {context.answer(QUALIFIED_NAME, call.func) for call in calls}
        if len(callees) == 1:
            return callees.pop()
    meaning = context.answer(VALUE, node)
    return meaning.type if isinstance(meaning, Instance) else None


def _values_bound(context: Context, name: str) -> list[cst.BaseExpression | None] | None:
    """What the code binds ``name`` to, in the scope whose ``name`` is seen here."""
    scope = context.scope_binding(name)
    if scope is None or scope.kind not in ("module", "function"):
        return None
    return values_bound(scope.node, name)


def _constructor_calls(context: Context, name: str) -> list[cst.Call] | None:
    """The calls that ``name`` is bound to where the code stands, when the code binds it
    to nothing else (no parameter, import, unpacking ...); None otherwise."""
    values = _values_bound(context, name)
    if not values or not all(isinstance(value, cst.Call) for value in values):
        return None
    return [value for value in values if isinstance(value, cst.Call)]


def made_by_calls(context: Context, receiver: cst.BaseExpression) -> list[cst.Call] | None:
    """The calls that made ``receiver``: itself when it is a call, every value of a name the
    code binds only to calls, or of a ``self.<attr>`` the class so binds; None otherwise."""
    if isinstance(receiver, cst.Call):
        return [receiver]
    if isinstance(receiver, cst.Name):
        return _constructor_calls(context, receiver.value)
    if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name):
        return _attribute_calls(context, receiver.value.value, receiver.attr.value)
    return None


def _receivers(
    context: Context, receiver: cst.BaseExpression, receiver_class: str
) -> tuple[Arguments, ...] | None:
    """The arguments of every call that made ``receiver`` (a name, or ``self.<attr>`` in a
    method of a module-level class), when each is a constructor of ``receiver_class``."""
    calls = None if isinstance(receiver, cst.Call) else made_by_calls(context, receiver)
    if not calls:
        return None
    catalogue = context.blocking
    for call in calls:
        callee = context.answer(QUALIFIED_NAME, call.func)
        if callee is None or catalogue.class_of_constructor(callee) != receiver_class:
            return None
    return tuple(call_arguments(context, call, None) for call in calls)


def _attribute_calls(context: Context, base: str, attribute: str) -> list[cst.Call] | None:
    """The calls ``self.<attribute>`` is bound to, in a method whose ``self`` is ``base``."""
    owner = context.enclosing_class()
    scopes = context.scopes
    if owner is None or len(scopes) < 3 or scopes[1].kind != "class":
        return None
    method = scopes[2].node
    if not isinstance(method, cst.FunctionDef) or not isinstance(scopes[1].node, cst.ClassDef):
        return None
    first = [*method.params.posonly_params, *method.params.params][:1]
    if not first or first[0].name.value != base or context.scope_binding(base) is not scopes[2]:
        return None
    values = attribute_values(context.module, scopes[1].node, attribute)
    if not values or not all(isinstance(value, cst.Call) for value in values):
        return None
    return [value for value in values if isinstance(value, cst.Call)]
