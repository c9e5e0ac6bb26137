"""Which protocols an object supports: ``with``/``async with``, ``for``/``async for``, ``await``.

What an object supports comes from the kind of the call that made it (a coroutine function, an
async generator, an ``@asynccontextmanager`` function, the library table's kinds) and from the
protocol methods of its class (``ProjectIndex.class_protocols``: the project's classes through
their bases, the standard library and installed packages read as source, and the curated
table). Answers are protocol methods (``__aenter__``, ``__iter__`` ...); None when unsure.

Questions keyed by a class name (``CLASS_PROTOCOLS``) or by a ``(class, method)`` pair
(``CLASS_MEMBER``, ``SUBCLASS_METHOD_KINDS``) take those strings in place of a node.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import CALL_KIND, VALUE, Instance
from asynclint.knowledge.kinds import (
    ASYNC_CONTEXT_MANAGER,
    ASYNC_GENERATOR,
    AWAITABLE,
    CONTEXT_MANAGER,
    COROUTINE,
    PLAIN_ITERABLE_TYPES,
    SYNC,
)

if TYPE_CHECKING:
    from asynclint.engine import Context

ASYNC_ITERATOR = "async-iterator"  # the library table's kind of calls giving an async iterator

# The library table names protocols by label; the index names a project class's by its methods.
_LABEL_METHODS = {
    "async-context-manager": ("__aenter__", "__aexit__"),
    "context-manager": ("__enter__", "__exit__"),
    "awaitable": ("__await__",),
    "async-iterator": ("__aiter__", "__anext__"),
    "iterator": ("__iter__", "__next__"),
}
_ASYNC_WITH = frozenset({"__aenter__", "__aexit__"})
_SYNC_WITH = frozenset({"__enter__", "__exit__"})
_ASYNC_ITER = frozenset({"__aiter__", "__anext__"})
_SYNC_ITER = frozenset({"__iter__", "__next__"})


def _dunders(protocols: Iterable[str]) -> frozenset[str]:
    """Protocol methods from the index's answer, whether it names labels or methods."""
    methods: set[str] = set()
    for protocol in protocols:
        methods.update(_LABEL_METHODS.get(protocol, (protocol,)))
    return frozenset(methods)


@fact("indexed", uses_index=True)
def INDEXED(context: Context, node: object) -> bool:
    """Whether the project index is there to answer (without it nothing is sure)."""
    return context.index is not None


@fact("library-call-kind", uses_index=True, uses=(VALUE,))
def LIBRARY_CALL_KIND(context: Context, call: cst.Call) -> str | None:
    """The kind the library table lists for the function ``call`` calls (``kinds.AWAITABLE``
    for an ``aiohttp`` request ...), or None when it does not list it."""
    callee = context.answer(VALUE, call.func)
    if not isinstance(callee, str) or context.index is None:
        return None
    return context.index.library.call_kind(callee)


@fact("class-protocols", uses_index=True)
def CLASS_PROTOCOLS(context: Context, klass: str) -> frozenset[str] | None:
    """The protocol methods instances of the class ``klass`` support, its bases included;
    None when a base cannot be seen."""
    if context.index is None:
        return None
    protocols = context.index.class_protocols(klass)
    return _dunders(protocols) if protocols is not None else None


@fact("plain-class", uses_index=True)
def PLAIN_CLASS(context: Context, klass: str) -> bool:
    """Whether all the class ``klass`` has is what its body and its bases' bodies define: no
    decorator, metaclass or ``__getattr__`` anywhere in it, every base readable."""
    return context.index is not None and context.index.plain_class(klass)


@fact("member-never-awaitable", uses_index=True)
def MEMBER_NEVER_AWAITABLE(context: Context, key: tuple[str, str]) -> bool:
    """For the key ``(class, method)``: whether the method is a plain function that surely
    returns nothing awaitable (``def __aenter__(self): return self``)."""
    index = context.index
    if index is None:
        return False
    member = index.member(*key)
    if not isinstance(member, str):
        return False
    if index.never_awaitable(member):
        return True
    found = index.find(member)  # ``return self`` of a class that cannot be awaited
    function = found.function if found is not None else None
    if function is None or index.function_kind(function) != SYNC or not function.returns_self:
        return False
    protocols = index.class_protocols(key[0])
    return protocols is not None and "__await__" not in protocols


def _overridden(context: Context, key: tuple[str, str]) -> str | None:
    """For the key ``(class, method)``: the qualified name of the method the class's own
    ``method`` overrides, in the first base that defines it; None when no base does, or one
    cannot be read."""
    index = context.index
    found = index.find(key[0]) if index is not None else None
    if index is None or found is None or found.klass is None:
        return None
    for base in found.klass.bases:
        if not base:
            return None  # a base the index cannot see may define it
        member = index.member(base, key[1])
        if member is not None:
            return member if isinstance(member, str) else None
    return None


@fact("overridden-async", uses_index=True)
def OVERRIDDEN_ASYNC(context: Context, key: tuple[str, str]) -> str | None:
    """For the key ``(class, method)``: the base class (qualified) whose ``method``, the one the
    class overrides, is an ``async def`` (a coroutine function); None when the nearest base
    that defines it is not, or cannot be read."""
    member = _overridden(context, key)
    if member is None or context.index is None or context.index.call_kind(member) != COROUTINE:
        return None
    return member.rsplit(".", 1)[0]


@fact("overridden-sync-dropped", uses_index=True)
def OVERRIDDEN_SYNC_DROPPED(context: Context, key: tuple[str, str]) -> str | None:
    """For the key ``(class, method)``: the base class (qualified) whose plain ``def method``
    the class overrides, when one of that base's own plain methods, which the class does not
    override too, calls ``self.method()`` as a statement, dropping the result (a coroutine
    there would never run); None otherwise, or when unsure."""
    index = context.index
    member = _overridden(context, key)
    definition = index.find(member) if index is not None and member is not None else None
    if index is None or member is None or definition is None or definition.function is None:
        return None
    if index.function_kind(definition.function) != SYNC:
        return None
    owner = member.rsplit(".", 1)[0]
    klass = index.find(owner)
    if klass is None or klass.klass is None:
        return None
    for caller, method in klass.klass.methods.items():
        if member not in method.dropped_calls or index.function_kind(method) != SYNC:
            continue
        if index.member(key[0], caller) == f"{owner}.{caller}":
            return owner  # the class keeps that caller (it did not override it too)
    return None


@fact("class-member", uses_index=True)
def CLASS_MEMBER(context: Context, key: tuple[str, str]) -> str | Instance | None:
    """An attribute of instances of a class, for the key ``(class, name)``: a method's qualified
    name, an ``Instance`` for a data attribute of known type, or None."""
    if context.index is None:
        return None
    return context.index.member(*key)


@fact("subclass-method-kinds", uses_index=True)
def SUBCLASS_METHOD_KINDS(context: Context, key: tuple[str, str]) -> frozenset[str | None]:
    """The kinds of a method as the project's subclasses of a class redefine it, for the key
    ``(class, method)``: a receiver typed by the class may be any of them."""
    if context.index is None:
        return frozenset()
    return frozenset(context.index.overriding_kinds(*key))


@fact("constructed-here", uses_index=True, uses=(VALUE,))
def CONSTRUCTED_HERE(context: Context, call: cst.Call) -> bool:
    """Whether ``call`` makes its object there and then: it calls a class, or a callee the
    index does not know (the library table lists classes it cannot read), not a function
    whose declared return type a subclass's instance may stand for."""
    callee = context.answer(VALUE, call.func)
    if context.index is None or not isinstance(callee, str):
        return True
    found = context.index.find(callee)
    return found is None or found.what == "class"


@fact("constructs-otherwise", uses_index=True, uses=(CLASS_MEMBER, CLASS_PROTOCOLS))
def CONSTRUCTS_OTHERWISE(context: Context, base: str) -> bool:
    """Whether the base class ``base`` may construct its subclasses' objects some other way
    than through ``__init__``: a ``__new__``, or a class the index cannot see (itself or one of
    its bases)."""
    if context.index is None:
        return True
    found = context.index.find(base)
    if found is None or found.what != "class" or found.klass is None:
        return True
    if context.answer(CLASS_MEMBER, (base, "__new__")) is not None:
        return True
    return context.answer(CLASS_PROTOCOLS, base) is None


@fact("protocols", uses_index=True, uses=(CALL_KIND, VALUE, CLASS_PROTOCOLS))
def PROTOCOLS(context: Context, node: cst.BaseExpression) -> frozenset[str] | None:
    """The protocol methods of what ``node`` (a call, an awaited call, a name or an attribute)
    evaluates to, or None when unsure. A name bound by ``with ... as`` holds what
    ``__enter__`` returned, not the context manager its binding names: the asker excludes
    those."""
    if context.index is None:
        return None
    if isinstance(node, cst.Call):
        return _call_protocols(context, node)
    if isinstance(node, cst.Await):
        inner = node.expression
        if not isinstance(inner, cst.Call) or context.answer(CALL_KIND, inner) not in (
            COROUTINE,
            AWAITABLE,
        ):
            return None
        return _instance_protocols(context, context.answer(VALUE, node))
    if isinstance(node, (cst.Name, cst.Attribute)):
        value = context.answer(VALUE, node)
        if isinstance(value, Instance) and value.type in PLAIN_ITERABLE_TYPES:
            return _SYNC_ITER  # annotated ``list[int]``, ``str`` ...
        return _instance_protocols(context, value)
    return None


def _call_protocols(context: Context, node: cst.Call) -> frozenset[str] | None:
    kind = context.answer(CALL_KIND, node)
    if kind == ASYNC_CONTEXT_MANAGER:
        return _ASYNC_WITH
    if kind == CONTEXT_MANAGER:
        return _SYNC_WITH
    if kind in (ASYNC_GENERATOR, ASYNC_ITERATOR):
        return _ASYNC_ITER
    if kind not in (SYNC, None):
        return None  # a coroutine, a future: what it gives after ``await`` is known
    callee = context.answer(VALUE, node.func)
    index = context.index
    if not isinstance(callee, str) or index is None:
        return None
    found = index.find(callee)
    if (
        found is not None
        and found.what == "function"
        and found.function is not None
        and index.function_kind(found.function) != SYNC
    ):
        # A decorator the index cannot see through, or one that makes the return annotation
        # describe something else (``@contextmanager``'s generator). (A function known only
        # from the library table has no fact: the table's ``returns`` speak for it.)
        return None
    value = context.answer(VALUE, node)
    if value is None and found is None:
        # A class the library table lists, its package not installed: constructed.
        return context.answer(CLASS_PROTOCOLS, callee)
    return _instance_protocols(context, value)


def _instance_protocols(context: Context, value: object) -> frozenset[str] | None:
    if not isinstance(value, Instance):
        return None
    return context.answer(CLASS_PROTOCOLS, value.type)
