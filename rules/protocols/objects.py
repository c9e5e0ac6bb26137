"""What AL505 knows of the object a ``with`` or a ``for`` uses: literals, plain iterables,
plain generator functions of the module, and the protocols the shared facts give."""

from __future__ import annotations

import libcst as cst

from asynclint.facts.protocols import (
    CLASS_MEMBER,
    CONSTRUCTED_HERE,
    INDEXED,
    PLAIN_CLASS,
    PROTOCOLS,
    SUBCLASS_METHOD_KINDS,
)
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE, Instance
from asynclint.knowledge.kinds import PLAIN_ITERABLE_CALLS, SYNC
from asynclint.rule import Context, Rule
from asynclint.rules.protocols.methods import own_yield
from asynclint.syntax.nodes import DISPLAY_TYPES, iter_children

DISPLAYS = DISPLAY_TYPES
PLAIN = "a sync-only iterable: `async for` fails with TypeError; use `for`"


# Builtins that iterate their first argument synchronously.
SYNC_CONSUMERS = frozenset(
    f"builtins.{name}"
    for name in (
        "list",
        "tuple",
        "set",
        "frozenset",
        "sorted",
        "dict",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "enumerate",
        "zip",
        "iter",
        "filter",
        "map",
        "reversed",
    )
)


def consumed_call(rule: Rule, node: cst.Call) -> tuple[str, cst.Call] | None:
    """``(builtin name, argument)`` of ``list(make())``, ``sorted(make())`` ...: a builtin of
    ``SYNC_CONSUMERS`` whose first argument is a call. (A name is not judged: it may have been
    narrowed by ``isinstance`` first, which is not followed.)"""
    if not node.args:
        return None
    consumer = rule.ask(QUALIFIED_NAME, node.func)
    argument = node.args[0]
    if consumer not in SYNC_CONSUMERS or argument.star or argument.keyword is not None:
        return None
    if not isinstance(argument.value, cst.Call):
        return None
    return consumer.rsplit(".", 1)[-1], argument.value


def consumer_message(message: str, consumer: str) -> str:
    """A plain-``for`` message, reworded for a builtin that iterates synchronously."""
    return message.replace(
        "a plain `for` fails", f"`{consumer}()` iterates it synchronously and fails"
    ).replace("use `async for`", "collect it with `[x async for x in ...]`")


def is_async_expression(node: cst.CSTNode) -> bool:
    """Whether an expression holds an ``await`` or an ``async for`` (a generator expression
    that does is an async generator)."""
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Await):
            return True
        if isinstance(current, cst.CompFor) and current.asynchronous is not None:
            return True
        pending.extend(iter_children(current))
    return False


def protocols(
    rule: Rule, node: cst.BaseExpression, with_targets: set[tuple[int, str]]
) -> frozenset[str] | None:
    """The protocol methods of what ``node`` evaluates to, or None when unsure."""
    if isinstance(node, (cst.Name, cst.Attribute)) and bound_by_with(
        rule.context, node, with_targets
    ):
        return None
    return rule.ask(PROTOCOLS, node)


def bound_by_with(
    context: Context, node: cst.BaseExpression, with_targets: set[tuple[int, str]]
) -> bool:
    """Whether the name at the head of ``node`` is bound by ``with ... as name`` (the
    ``(id(scope node), name)`` pairs of ``with_targets``). The engine gives such a name the
    type of the context manager, but it holds what ``__enter__`` returns: the yielded value
    of an ``@contextmanager`` function, a connection from a pool, a path from
    ``TemporaryDirectory()``."""
    while isinstance(node, cst.Attribute):
        node = node.value
    if not isinstance(node, cst.Name) or not with_targets:
        return False
    name = node.value
    innermost = context.scopes[-1]
    for scope in reversed(context.scopes):
        if scope.kind == "class" and scope is not innermost:
            continue
        if name in scope.bindings:
            return (id(scope.node), name) in with_targets
    return False


def subclass_may_add(rule: Rule, node: cst.BaseExpression, method: str) -> bool:
    """Whether the object, known by its declared class rather than by construction, may be
    of a project subclass that defines ``method``. ``self`` in a method of the class is
    always unsure: a subclass may also get the method from another base (a mixin)."""
    value = rule.ask(VALUE, node)
    if not isinstance(value, Instance) or not rule.ask(INDEXED, node):
        return False
    if isinstance(node, cst.Call) and rule.ask(CONSTRUCTED_HERE, node):
        return False  # constructed here (or listed in the library table)
    if isinstance(node, cst.Name) and value.type == rule.context.enclosing_class():
        return True
    return bool(rule.ask(SUBCLASS_METHOD_KINDS, (value.type, method)))


def not_async_iterable(rule: Rule, node: cst.BaseExpression, what: str) -> str | None:
    """``async for`` over an object whose class the index reads whole and which has no
    iteration method at all, or an ``__aiter__`` the loop cannot call."""
    value = rule.ask(VALUE, node)
    if not isinstance(value, Instance) or not rule.ask(PLAIN_CLASS, value.type):
        return None
    if has_getitem(rule, node):
        return f"{what} is {PLAIN}"  # ``for`` falls back to ``__getitem__``
    if isinstance(rule.ask(CLASS_MEMBER, (value.type, "__aiter__")), str):
        return (
            f"{what}: its class's `__aiter__` cannot be called the way `async for` calls it "
            "(it takes other arguments), so `async for` fails with TypeError"
        )
    return (
        f"{what} is not an async iterable (its class defines no `__aiter__`): `async for` "
        "fails with TypeError"
    )


def has_getitem(rule: Rule, node: cst.BaseExpression) -> bool:
    """Whether the object's class has ``__getitem__`` (``for`` falls back to it)."""
    value = rule.ask(VALUE, node)
    if not isinstance(value, Instance):
        return False
    return rule.ask(CLASS_MEMBER, (value.type, "__getitem__")) is not None


def gives_plain_iterable(
    rule: Rule, call: cst.Call, kind: str | None, plain_generators: dict[str, bool]
) -> bool:
    """A builtin that makes a plain iterable, a method of a literal, or a plain generator
    function of this module (``plain_generators`` remembers the module's answers)."""
    func = call.func
    if rule.ask(QUALIFIED_NAME, func) in PLAIN_ITERABLE_CALLS:
        return True
    if isinstance(func, cst.Attribute) and isinstance(func.value, DISPLAYS):
        return True  # ``{...}.items()``, ``"a b".split()``: builtin types' methods
    return kind == SYNC and _is_plain_generator(rule.context, func, plain_generators)


def _is_plain_generator(
    context: Context, func: cst.BaseExpression, plain_generators: dict[str, bool]
) -> bool:
    """Whether ``func`` names an undecorated, plain generator function defined at the
    top level of this module."""
    if not isinstance(func, cst.Name) or context.module_info is None:
        return False
    name = func.value
    qualified = f"{context.module_info[0]}.{name}"
    if context.lookup(name) != qualified:
        return False
    if name not in plain_generators:
        definitions = [
            s
            for s in context.module.body
            if isinstance(s, (cst.FunctionDef, cst.ClassDef)) and s.name.value == name
        ]
        found = len(definitions) == 1 and isinstance(definitions[0], cst.FunctionDef)
        function = definitions[0] if found else None
        plain_generators[name] = (
            isinstance(function, cst.FunctionDef)
            and function.asynchronous is None
            and not function.decorators
            and own_yield(function)
        )
    return plain_generators[name]
