"""What names, attributes and calls stand for: imports, constructors, annotations, the index.

These are the providers every other fact builds on. ``QUALIFIED_NAME`` reads only the module's
import table and the bindings in scope; the others also ask the project index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.index import Instance
from asynclint.knowledge.kinds import OPTIONAL_WRAPPERS
from asynclint.syntax.scopes import LocalFunction

if TYPE_CHECKING:
    from asynclint.engine import Binding, Context


@fact("qualified-name")
def QUALIFIED_NAME(context: Context, node: cst.BaseExpression) -> str | None:
    """The qualified name of a name or attribute chain (``t.sleep`` -> ``time.sleep``)."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    base = context.lookup(node.value)
    if not isinstance(base, str):
        return None
    parts.append(base)
    return ".".join(reversed(parts))


@fact("value", uses_index=True)
def VALUE(context: Context, node: cst.BaseExpression) -> Binding:
    """What an expression is, as far as names, imports, constructors, annotations and the
    project index tell: a qualified name, an ``Instance``, a ``LocalFunction``, or None."""
    if isinstance(node, cst.Name):
        meaning = context.lookup(node.value)
        if meaning is None and context.bound_at_module_level(node.value):
            return _module_variable(context, node.value)
        return meaning
    if isinstance(node, cst.Attribute):
        base = context.answer(VALUE, node.value)
        if isinstance(base, str):
            return f"{base}.{node.attr.value}"
        if isinstance(base, Instance) and context.index is not None:
            return context.index.member(base.type, node.attr.value)
        return None
    if isinstance(node, (cst.Call, cst.Await)):
        call = node.expression if isinstance(node, cst.Await) else node
        if not isinstance(call, cst.Call) or context.index is None:
            return None
        callee = context.answer(VALUE, call.func)
        if isinstance(callee, str):
            produced = context.index.instance_of_call(callee)
            return Instance(produced) if produced else None
    return None


def _module_variable(context: Context, name: str) -> Instance | None:
    """A module-level object (``lock = threading.Lock()``), as the index summarised it."""
    if context.index is None or context.module_info is None:
        return None
    found = context.index.find(f"{context.module_info[0]}.{name}")
    if found is not None and found.what == "instance" and found.type:
        return Instance(found.type)
    return None


@fact("call-kind", uses_index=True, uses=(VALUE,))
def CALL_KIND(context: Context, call: cst.Call) -> str | None:
    """What calling ``call.func`` gives (``kinds.COROUTINE``, ``kinds.AWAITABLE``,
    ``kinds.SYNC`` ...), or None when the engine is not sure."""
    func = call.func
    index = context.index
    if index is None:
        return None
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Call)
        and isinstance(func.value.func, cst.Name)
        and func.value.func.value == "super"
        and context.lookup("super") == "builtins.super"
    ):
        return _super_call_kind(context, func.attr.value)
    callee = context.answer(VALUE, func)
    if isinstance(callee, LocalFunction):
        return callee.kind
    if isinstance(callee, Instance):  # calling an object: its class's ``__call__``
        method = index.member(callee.type, "__call__")
        return index.call_kind(method) if isinstance(method, str) else None
    if not isinstance(callee, str):
        return None
    kind = index.call_kind(callee)
    if kind is not None and isinstance(func, cst.Attribute):
        # A receiver of class C may be any subclass: if one of the project's subclasses
        # redefines the method as something else, the call's kind is not known.
        receiver = context.answer(VALUE, func.value)
        if isinstance(receiver, Instance):
            overriding = index.overriding_kinds(receiver.type, func.attr.value)
            if overriding - {kind}:
                return None
    return kind


def _super_call_kind(context: Context, method: str) -> str | None:
    owner = context.enclosing_class()
    index = context.index
    if owner is None or index is None:
        return None
    found = index.find(owner)
    if found is None or found.klass is None:
        return None
    kinds = set()
    for base in found.klass.bases:
        member = index.member(base, method) if base else None
        kinds.add(index.call_kind(member) if isinstance(member, str) else None)
    return kinds.pop() if len(kinds) == 1 else None


@fact("never-awaitable", uses_index=True, uses=(VALUE,))
def NEVER_AWAITABLE(context: Context, func: cst.BaseExpression) -> bool:
    """Whether calling ``func`` (a name or attribute, not called here) surely gives something
    that cannot be awaited: a known plain function that returns nothing or a plainly typed
    value, a class without ``__await__``, a catalogued blocking call. A method that a project
    subclass redefines makes it unsure."""
    index = context.index
    if index is None:
        return False
    callee = context.answer(VALUE, func)
    if not isinstance(callee, str):
        return False
    if isinstance(func, cst.Attribute):
        receiver = context.answer(VALUE, func.value)
        if isinstance(receiver, Instance) and index.overriding_kinds(
            receiver.type, func.attr.value
        ):
            return False
    return index.never_awaitable(callee)


def annotation_type(context: Context, node: cst.BaseExpression) -> str | None:
    """The class an annotation names: ``Client``, ``Optional[Client]``, ``Client | None``
    (annotations in strings are parsed on the fly, so the answer is not memoised)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left, right = annotation_type(context, node.left), annotation_type(context, node.right)
        if right in (None, "builtins.None"):
            return left
        return right if left in (None, "builtins.None") else None
    if isinstance(node, cst.Name) and node.value == "None":
        return "builtins.None"
    if isinstance(node, cst.Subscript):
        outer = context.answer(QUALIFIED_NAME, node.value)
        if outer in OPTIONAL_WRAPPERS:
            options = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
            if len(options) == 1 and isinstance(options[0], cst.Tuple):  # ``Union[(T, None)]``
                options = [element.value for element in options[0].elements]
            types = {annotation_type(context, option) for option in options} - {"builtins.None"}
            return types.pop() if len(types) == 1 else None
        return outer
    if isinstance(node, cst.SimpleString):
        if not isinstance(node.evaluated_value, str):
            return None  # a bytes literal is no annotation
        try:
            return annotation_type(context, cst.parse_expression(node.evaluated_value))
        except (cst.ParserSyntaxError, ValueError, TypeError):
            return None
    return context.answer(QUALIFIED_NAME, node)
