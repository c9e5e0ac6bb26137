"""AL505 on ``async with``/``with`` items that cannot be context managers of that kind: a
literal, a project class with none of the protocol's methods, with half of the pair, or with
``__aenter__``/``__aexit__`` written as plain functions that return no awaitable."""

from __future__ import annotations

import libcst as cst

from asynclint.facts.protocols import (
    CLASS_MEMBER,
    MEMBER_NEVER_AWAITABLE,
    OVERRIDDEN_ASYNC,
    OVERRIDDEN_SYNC_DROPPED,
    PLAIN_CLASS,
)
from asynclint.facts.resolution import VALUE, Instance
from asynclint.rule import Rule
from asynclint.syntax.nodes import LITERAL_TYPES


def literal_message(item: cst.BaseExpression, is_async: bool) -> str | None:
    """``with 3:``, ``async with [lock]:``: a literal has no ``__enter__``/``__aenter__``."""
    if not isinstance(item, LITERAL_TYPES):
        return None
    statement = "async with" if is_async else "with"
    return f"a literal is not a context manager: `{statement}` fails with TypeError"


def async_manager_message(
    rule: Rule, item: cst.BaseExpression, methods: frozenset[str], what: str
) -> str | None:
    """``async with X()`` where the class ``X`` the index reads whole lacks the async pair,
    has half of it, or defines it with plain ``def``s that return no awaitable."""
    value = rule.ask(VALUE, item)
    if not isinstance(value, Instance) or not rule.ask(PLAIN_CLASS, value.type):
        return None  # a decorator, a metaclass or an unreadable base may add the methods
    unusable = [
        m
        for m in ("__aenter__", "__aexit__")
        if m not in methods and isinstance(rule.ask(CLASS_MEMBER, (value.type, m)), str)
    ]
    if unusable:
        return (
            f"{what}: its class's `{unusable[0]}` cannot be called the way `async with` calls "
            "it (it takes other arguments), so `async with` fails with TypeError"
        )
    has_enter, has_exit = "__aenter__" in methods, "__aexit__" in methods
    if not has_enter and not has_exit:
        if "__enter__" in methods:
            return None  # a sync-only manager: reported as such
        return (
            f"{what} is not a context manager (its class defines neither `__aenter__` nor "
            "`__aexit__`): `async with` fails with TypeError"
        )
    if has_enter != has_exit:
        missing = "__aexit__" if has_enter else "__aenter__"
        return (
            f"{what} has only half of the async context-manager protocol: its class lacks "
            f"`{missing}`, so `async with` fails with TypeError"
        )
    plain = [
        m for m in ("__aenter__", "__aexit__") if rule.ask(MEMBER_NEVER_AWAITABLE, (value.type, m))
    ]
    if plain:
        return (
            f"{what}: its class defines `{plain[0]}` with a plain `def` that returns no "
            f"awaitable, so `async with` fails with TypeError; make it `async def`"
        )
    return None


def kind_message(
    rule: Rule, item: cst.BaseExpression, methods: frozenset[str], what: str, is_async: bool
) -> str | None:
    """A plain ``with`` on an async-only manager (its class defines ``__aenter__``, usable or
    not, and no ``__enter__``), or ``async with`` on a sync-only one."""
    if not is_async and "__enter__" not in methods and _declares(rule, item, methods, "__aenter__"):
        inside = "" if rule.context.in_async_function else " (inside an `async def`)"
        return (
            f"{what} is an async-only context manager: a plain `with` fails "
            f"with TypeError; use `async with`{inside}"
        )
    if is_async and "__enter__" in methods and "__aenter__" not in methods:
        return (
            f"{what} is a sync-only context manager: `async with` fails with TypeError; use `with`"
        )
    return None


def _declares(rule: Rule, item: cst.BaseExpression, methods: frozenset[str], method: str) -> bool:
    """Whether the object's class has ``method``: among its usable protocol methods, or
    defined with a signature the protocol cannot call."""
    if method in methods:
        return True
    value = rule.ask(VALUE, item)
    return isinstance(value, Instance) and isinstance(
        rule.ask(CLASS_MEMBER, (value.type, method)), str
    )


def async_override_message(rule: Rule, name: str) -> str | None:
    """``async def flush(self)`` in a class whose base has a plain ``def flush`` that the
    base's own plain methods call as a statement (``self.flush()``): there it now makes a
    coroutine that nobody awaits."""
    klass = _module_level_class(rule, name)
    if klass is None:
        return None
    base = rule.ask(OVERRIDDEN_SYNC_DROPPED, (klass, name))
    if base is None:
        return None
    short = base.rsplit(".", 1)[-1]
    return (
        f"`async def {name}` overrides a plain `def {name}` of `{short}`, whose own sync "
        f"methods call `self.{name}()` and drop the result: there it now makes a coroutine "
        "that never runs; keep it a plain `def`, or make those callers async and await it"
    )


def _module_level_class(rule: Rule, name: str) -> str | None:
    """The qualified name of the module-level class whose body defines method ``name``."""
    context = rule.context
    owner = context.scope.node
    if (
        name.startswith("__")
        or not isinstance(owner, cst.ClassDef)
        or len(context.scopes) != 2  # a module-level class: the index knows it by name
        or context.module_info is None
    ):
        return None
    return f"{context.module_info[0]}.{owner.name.value}"


def override_message(rule: Rule, name: str) -> str | None:
    """``def run(self)`` in a class whose base has ``async def run``, when this ``run`` surely
    returns nothing awaitable: code that awaits the base's method fails on this class. A class
    that makes several of its base's coroutine methods plain is a sync flavour of it on
    purpose (``SyncWebhookMessage(Message)``): left alone."""
    klass = _module_level_class(rule, name)
    owner = rule.context.scope.node
    if klass is None or not isinstance(owner, cst.ClassDef):
        return None
    base = _turned_sync(rule, klass, name)
    if base is None:
        return None
    others = [
        item.name.value
        for item in owner.body.body
        if isinstance(item, cst.FunctionDef)
        and item.asynchronous is None
        and not item.decorators
        and item.name.value != name
        and rule.ask(OVERRIDDEN_ASYNC, (klass, item.name.value)) is not None
    ]
    if others:
        return None  # several coroutine methods made plain: a sync flavour of the class
    short = base.rsplit(".", 1)[-1]
    return (
        f"`def {name}` overrides `async def {name}` of `{short}`: code that awaits "
        f"`{short}.{name}()` fails on this class (its result cannot be awaited); make the "
        f"two agree (`async def` here, or a plain `def` in `{short}` if no caller awaits it)"
    )


def _turned_sync(rule: Rule, klass: str, name: str) -> str | None:
    """The base whose ``async def name`` the class's plain ``name`` overrides, when that
    surely returns nothing awaitable."""
    base = rule.ask(OVERRIDDEN_ASYNC, (klass, name))
    if base is None or not rule.ask(MEMBER_NEVER_AWAITABLE, (klass, name)):
        return None
    return base
