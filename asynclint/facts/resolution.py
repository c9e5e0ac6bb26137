"""What names, attributes and calls stand for: imports, constructors, annotations, the index.

These are the providers every other fact builds on. ``QUALIFIED_NAME`` reads only the module's
import table and the bindings in scope; the others also ask the project index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.index import Instance
from asynclint.knowledge.kinds import (
    ASYNC_GENERATOR,
    AWAITABLE,
    AWAITABLE_TYPES,
    CALLABLE_RETURNING,
    CALLABLE_TYPES,
    COROUTINE,
    COROUTINE_TYPES,
    DISPLAY_CLASSES,
    MAPPING_TYPES,
    OPTIONAL_WRAPPERS,
    PROPERTY,
    SEQUENCE_TYPES,
    SYNC,
)
from asynclint.knowledge.roles import ASGI_SIGNATURE
from asynclint.syntax.nodes import last_name
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
        if meaning is None and not context.is_bound(node.value):
            return _star_imported(context, node.value)
        if meaning is None:
            return _parameter(context, node.value)
        return meaning
    if isinstance(node, cst.Attribute):
        base = context.answer(VALUE, node.value)
        if isinstance(base, str):
            return f"{base}.{node.attr.value}"
        if isinstance(base, Instance) and context.index is not None:
            member = context.index.member(base.type, node.attr.value)
            if isinstance(member, str) and context.index.call_kind(member) == PROPERTY:
                item = context.index.library.item_type(member)
                if item:  # ``path.parents``: a sequence of paths
                    return Instance("typing.Sequence", item)
                produced = context.index.instance_of_call(member)  # ``path.parent``
                return Instance(produced) if produced else None
            return member
        return None
    if isinstance(node, (cst.Call, cst.Await)):
        call = node.expression if isinstance(node, cst.Await) else node
        if not isinstance(call, cst.Call) or context.index is None:
            return None
        callee = context.answer(VALUE, call.func)
        if callee == "functools.partial" and call.args and isinstance(node, cst.Call):
            return _partial(context, call.args[0].value)
        if callee in _THREAD_RUNNERS and call.args and isinstance(node, cst.Await):
            return _called_in_a_thread(context, call.args[0].value)
        if isinstance(callee, str):
            if isinstance(node, cst.Call) and context.index.call_kind(callee) in _NOT_YET:
                return None  # a coroutine, not yet what it returns
            item = context.index.library.item_type(callee)
            if item:  # ``path.iterdir()``: an iterator of paths
                return Instance("typing.Iterator", item)
            produced = context.index.instance_of_call(callee)
            return Instance(produced) if produced else None
    if isinstance(node, cst.Subscript):
        container = context.answer(VALUE, node.value)  # ``clients[0]`` of a ``list[Client]``
        if isinstance(container, Instance) and container.item:
            return Instance(container.item)
        return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        left = context.answer(VALUE, node.left)  # ``base / "name"`` is a path like ``base``
        if isinstance(left, Instance) and left.type.startswith("pathlib."):
            return left
    return None


# ``await asyncio.to_thread(f, ...)`` gives what ``f(...)`` gives.
_THREAD_RUNNERS = frozenset(
    {"asyncio.to_thread", "trio.to_thread.run_sync", "anyio.to_thread.run_sync"}
)


def _called_in_a_thread(context: Context, func: cst.BaseExpression) -> Instance | None:
    """What calling ``func`` gives (``path.resolve``, ``functools.partial(path.resolve,
    strict=True)``), as a thread runner's awaited result: what a thread fix leaves of
    ``path.resolve()`` keeps its type."""
    if isinstance(func, cst.Call) and func.args:
        if context.answer(VALUE, func.func) == "functools.partial":
            func = func.args[0].value
    callee = context.answer(VALUE, func)
    if not isinstance(callee, str) or context.index is None:
        return None
    produced = context.index.instance_of_call(callee)
    return Instance(produced) if produced else None


def _partial(context: Context, func: cst.BaseExpression) -> LocalFunction | None:
    """``functools.partial(fetch, url)``: calling it gives what calling ``fetch`` gives."""
    meaning = context.answer(VALUE, func)
    if isinstance(meaning, LocalFunction):
        return meaning
    if isinstance(meaning, str) and context.index is not None:
        kind = context.index.call_kind(meaning)
        return LocalFunction(kind) if kind in (COROUTINE, ASYNC_GENERATOR) else None
    return None


def _parameter(context: Context, name: str) -> Instance | None:
    """An unannotated parameter that every call site in the project passes one class for."""
    where = context.parameter_of(name)
    if where is None or context.index is None:
        return None
    klass = context.index.parameter_type(*where)
    return Instance(klass) if klass else None


def _star_imported(context: Context, name: str) -> Binding:
    """A name bound nowhere in the module: one of its star imports', if the index knows it."""
    if context.index is None or context.module_info is None:
        return None
    found = context.index.find(f"{context.module_info[0]}.{name}")
    if found is None:
        return None
    if found.what in ("function", "class"):
        return found.qualified
    return Instance(found.type) if found.what == "instance" and found.type else None


def bound_value(
    context: Context, statement: cst.CSTNode, value: cst.BaseExpression | None
) -> Binding:
    """What a name bound by ``statement`` to ``value`` is: an object made by a call (for
    ``with``: what entering it gives), a copy of a known function or object (``g = f``), or
    for ``x: T = ...`` what the annotation names."""
    if isinstance(statement, cst.AnnAssign):
        annotated = parameter_meaning(context, statement.annotation.annotation)
        if annotated is not None:
            return annotated
    if value is None:
        return None
    if isinstance(statement, (cst.For, cst.CompFor)):
        return _item_of(context, value)
    display = DISPLAY_CLASSES.get(type(value).__name__)
    if display is not None and not isinstance(statement, cst.WithItem):
        return Instance(display)  # ``items = [...]``: a list
    if isinstance(value, cst.Name):
        copied = context.lookup(value.value)
        return copied if isinstance(copied, (Instance, LocalFunction)) else None
    if not isinstance(value, (cst.Call, cst.Await, cst.BinaryOperation)):
        return None
    inferred = context.answer(VALUE, value)
    if isinstance(statement, cst.WithItem):
        with_statement = context.enclosing(cst.With)
        is_async = isinstance(with_statement, cst.With) and with_statement.asynchronous is not None
        if inferred is None and is_async:
            return _entered_request(context, value)
        if not isinstance(inferred, Instance):
            return None
        entered = context.index.entered_type(inferred.type, is_async) if context.index else None
        return Instance(entered) if entered else None
    return inferred if isinstance(inferred, (Instance, LocalFunction)) else None


def _entered_request(context: Context, value: cst.BaseExpression) -> Instance | None:
    """``async with session.get(url) as response``: a library call the table lists as an
    awaitable (not a coroutine) that gives a known class enters as that same object, as the
    request managers of aiohttp and the pools of asyncpg do."""
    if not isinstance(value, cst.Call) or context.index is None:
        return None
    callee = context.answer(VALUE, value.func)
    if not isinstance(callee, str) or context.index.library.call_kind(callee) != AWAITABLE:
        return None
    returned = context.index.library.return_type(callee)
    return Instance(returned) if returned else None


def _applies_a_decorator(context: Context, call: cst.Call) -> bool:
    """``app.get("/")(handler)``: one function handed to what a call returned is a decorator
    applied, whatever the factory's annotation says the result is (Sanic annotates route
    decorators as giving the handler they wrap)."""
    if not isinstance(call.func, cst.Call) or len(call.args) != 1:
        return False
    value = call.args[0].value
    if isinstance(value, cst.Lambda):
        return True
    meaning = context.answer(VALUE, value)
    if isinstance(meaning, LocalFunction):
        return True
    if isinstance(meaning, str) and context.index is not None:
        found = context.index.find(meaning)
        return found is not None and found.what in ("function", "class")
    return False


def _callable_returning(context: Context, type_: str) -> str | None:
    """For ``callable->coroutine`` (or an alias the index knows so, ``starlette.types.Send``):
    the kind a call gives; None for anything else."""
    if not type_.startswith(CALLABLE_RETURNING):
        if context.index is None or "." not in type_ or type_.startswith("builtins."):
            return None
        found = context.index.find(type_)
        if found is None or found.what != "instance" or not found.type:
            return None
        type_ = found.type
    if type_.startswith(CALLABLE_RETURNING):
        return type_[len(CALLABLE_RETURNING) :]
    return None


def unpacked_values(context: Context, value: cst.BaseExpression, count: int) -> list[Binding]:
    """What ``a, b = value`` binds to each name, for a call the library table lists as giving
    a tuple (``reader, writer = await asyncio.open_connection()``); Nones when unknown."""
    call = value.expression if isinstance(value, cst.Await) else value
    unknown: list[Binding] = [None] * count
    if not isinstance(call, cst.Call) or context.index is None:
        return unknown
    callee = context.answer(VALUE, call.func)
    types = context.index.library.tuple_types(callee) if isinstance(callee, str) else None
    if types is None or len(types) != count:
        return unknown
    return [Instance(t) for t in types]


def _item_of(context: Context, iterable: cst.BaseExpression) -> Instance | None:
    """What ``for x in iterable`` binds: an item of a typed sequence, a value of a typed
    mapping's ``.values()``."""
    if (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Attribute)
        and iterable.func.attr.value == "values"
        and not iterable.args
    ):
        mapping = context.answer(VALUE, iterable.func.value)
        if isinstance(mapping, Instance) and mapping.type in MAPPING_TYPES and mapping.item:
            return Instance(mapping.item)
        return None
    sequence = context.answer(VALUE, iterable)
    if isinstance(sequence, Instance) and sequence.type in SEQUENCE_TYPES and sequence.item:
        return Instance(sequence.item)
    return None


def parameter_meaning(context: Context, annotation: cst.BaseExpression) -> Binding:
    """What an annotation says a parameter or local is: an object of the class it names, or
    for ``Callable[..., Awaitable[T]]`` (or ``Coroutine``) a function whose call must be
    awaited."""
    annotated = annotation_type(context, annotation)
    annotation = _without_none(context, annotation)  # ``Optional[list[Client]]``: the list
    if annotated in SEQUENCE_TYPES or annotated in MAPPING_TYPES:
        arguments = annotation.slice if isinstance(annotation, cst.Subscript) else ()
        last = arguments[-1].slice if arguments else None
        item = annotation_type(context, last.value) if isinstance(last, cst.Index) else None
        return Instance(annotated, item)
    returning = _callable_returning(context, annotated) if annotated else None
    if returning is not None:  # ``send: Send`` with ``Send = Callable[[Message], Awaitable]``
        return LocalFunction(returning)
    if annotated in CALLABLE_TYPES and isinstance(annotation, cst.Subscript):
        elements = annotation.slice
        result = elements[-1].slice if len(elements) == 2 else None
        if isinstance(result, cst.Index):
            returned = annotation_type(context, result.value)
            if returned in COROUTINE_TYPES:
                return LocalFunction(COROUTINE)
            if returned in AWAITABLE_TYPES:
                return LocalFunction(AWAITABLE)
        return None
    return Instance(annotated) if annotated else None


def _without_none(context: Context, node: cst.BaseExpression) -> cst.BaseExpression:
    """``T`` of ``T | None``, ``None | T``, ``Optional[T]`` and ``Union[T, None]``; ``node``
    itself otherwise (as ``annotation_type`` reads them, and the index's ``slot_type``)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        sides = [side for side in (node.left, node.right) if not _is_none(side)]
        return sides[0] if len(sides) == 1 else node
    if isinstance(node, cst.Subscript):
        if context.answer(QUALIFIED_NAME, node.value) in OPTIONAL_WRAPPERS:
            options = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
            kept = [option for option in options if not _is_none(option)]
            return kept[0] if len(kept) == 1 else node
    return node


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


_NOT_YET = frozenset({COROUTINE, AWAITABLE, ASYNC_GENERATOR})


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
    if callee is None:
        return _agreed_kind(context, func) or _asgi_application_call(call)
    if isinstance(callee, LocalFunction):
        return callee.kind
    if isinstance(callee, Instance):  # calling an object: its class's ``__call__``
        returning = _callable_returning(context, callee.type)
        if returning is not None:  # an attribute, a return or an alias annotated so
            return None if _applies_a_decorator(context, call) else returning
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


def _asgi_application_call(call: cst.Call) -> str | None:
    """``app(scope, receive, send)`` on something nothing else tells: an ASGI application,
    whose call is a coroutine (its three arguments named so, ``send_wrapper`` and
    ``self.scope`` included)."""
    args = call.args
    if len(args) != 3 or any(arg.keyword is not None or arg.star for arg in args):
        return None
    names = [last_name(arg.value) or "" for arg in args]
    scope, receive, send = ASGI_SIGNATURE
    if names[0] == scope and receive in names[1] and send in names[2]:
        return COROUTINE
    return None


# Receivers an agreement on the method name may stand for: not literals, whose types are known.
_UNTYPED_RECEIVERS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


def _agreed_kind(context: Context, func: cst.BaseExpression) -> str | None:
    """``x.m()`` where nothing tells what ``x`` is: the kind that every class defining ``m``
    agrees on (``ProjectIndex.agreed_method_kind``)."""
    if (
        not isinstance(func, cst.Attribute)
        or not isinstance(func.value, _UNTYPED_RECEIVERS)
        or context.index is None
        or context.module_info is None
        or context.answer(VALUE, func.value) is not None
    ):
        return None
    return context.index.agreed_method_kind(context.module_info[0], func.attr.value)


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


@fact("plain-function", uses_index=True, uses=(VALUE,))
def PLAIN_FUNCTION(context: Context, func: cst.BaseExpression) -> bool:
    """Whether ``func`` names a function defined with a plain ``def`` (which may hand on a
    coroutine it gets from another call) rather than ``async def``."""
    callee = context.answer(VALUE, func)
    if not isinstance(callee, str) or context.index is None:
        return False
    found = context.index.find(callee)
    return (
        found is not None
        and found.function is not None
        and context.index.function_kind(found.function) == SYNC
    )


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
    if isinstance(func, cst.Attribute):
        receiver = context.answer(VALUE, func.value)
        if isinstance(receiver, Instance):
            if index.overriding_kinds(receiver.type, func.attr.value):
                return False
            # The method as its receiver's class names it, which the tables list: a mixin
            # defines ``redis.Redis.get``, C defines ``threading.Lock.acquire``.
            if index.never_awaitable(f"{receiver.type}.{func.attr.value}"):
                return True
    return isinstance(callee, str) and index.never_awaitable(callee)


@fact("names-class", uses_index=True, uses=(VALUE,))
def NAMES_CLASS(context: Context, func: cst.BaseExpression) -> bool:
    """Whether ``func`` names a class the index knows (calling it constructs an object)."""
    callee = context.answer(VALUE, func)
    if not isinstance(callee, str) or context.index is None:
        return False
    found = context.index.find(callee)
    return found is not None and found.what == "class"


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
