"""AL505 on definitions: ``async def`` special methods Python calls synchronously, and
``@contextmanager``/``@asynccontextmanager`` on a generator of the other colour."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from asynclint.facts.protocols import CONSTRUCTS_OTHERWISE, INDEXED
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.rule import Rule
from asynclint.syntax.nodes import iter_children

CONTEXTMANAGER = "contextlib.contextmanager"
ASYNCCONTEXTMANAGER = "contextlib.asynccontextmanager"

# ``async def`` special methods that Python calls synchronously, and what to write instead.
SYNC_ONLY_METHODS = {
    "__enter__": "`with` calls `__enter__` without awaiting it: its code never runs and "
    "`as` binds a coroutine; name it `__aenter__` and use the object with `async with`",
    "__exit__": "`with` calls `__exit__` without awaiting it: the cleanup never runs and the "
    "coroutine, always true, silently swallows every exception; name it `__aexit__` and use "
    "the object with `async with`",
    "__iter__": "`for` calls `__iter__` synchronously and gets a coroutine, not an iterator "
    "(TypeError); name it `__aiter__` (a plain `def` returning `self`, or an async generator) "
    "and iterate with `async for`",
    "__next__": "`for` calls `__next__` synchronously and gets a coroutine, never "
    "StopIteration; name it `__anext__` (raising StopAsyncIteration) and iterate with "
    "`async for`",
    "__await__": "`__await__` must return an iterator, not a coroutine (TypeError on `await`); "
    "make it a plain `def` returning `self.<coroutine method>().__await__()`",
}
AITER_MESSAGE = (
    "`async def __aiter__` without `yield` returns a coroutine, but `async for` needs an async "
    "iterator at once (TypeError); make it a plain `def` returning `self` (with an "
    "`async def __anext__`), or an async generator that `yield`s"
)
INIT_MESSAGE = (
    "`__init__` cannot be `async def`: creating the object raises TypeError (`__init__()` "
    "should return None, not 'coroutine'); keep `__init__` sync and do the async set-up in an "
    "async factory (`@classmethod async def create(cls, ...)`) or in `__aenter__`"
)
CONTEXTMANAGER_MESSAGE = (
    "`@contextmanager` on an async generator: the result fails in `with` and "
    "in `async with`; use `@asynccontextmanager` and `async with`"
)
ASYNCCONTEXTMANAGER_MESSAGE = (
    "`@asynccontextmanager` on a plain generator function: `async with` fails "
    "with TypeError; make the function `async def`, or use `@contextmanager` "
    "and `with`"
)


def is_placeholder(body: cst.BaseSuite) -> bool:
    """A body that only stands in for a real one: a docstring, ``...``, ``pass``, a ``raise``."""
    statements: Iterable[cst.CSTNode] = body.body
    if isinstance(body, cst.IndentedBlock):
        lines = []
        for statement in body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                return False
            lines.extend(statement.body)
        statements = lines
    for small in statements:
        if isinstance(small, cst.Expr) and isinstance(
            small.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)
        ):
            continue
        if not isinstance(small, (cst.Pass, cst.Raise)):
            return False
    return True


def own_yield(function: cst.FunctionDef) -> bool:
    """Whether a function's own body (not nested functions, lambdas or classes) yields."""
    pending: list[cst.CSTNode] = [function.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Yield):
            return True
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        pending.extend(iter_children(node))
    return False


def context_decorator(rule: Rule, decorator: cst.Decorator) -> str | None:
    """``contextlib.contextmanager`` or ``contextlib.asynccontextmanager`` when the decorator
    is one of them."""
    resolved = rule.ask(QUALIFIED_NAME, decorator.decorator)
    return resolved if resolved in (CONTEXTMANAGER, ASYNCCONTEXTMANAGER) else None


def decorator_message(resolved: str | None, is_async: bool) -> str | None:
    """The mistake a context-manager decorator makes on a generator function, if any."""
    if resolved == CONTEXTMANAGER and is_async:
        return CONTEXTMANAGER_MESSAGE
    if resolved == ASYNCCONTEXTMANAGER and not is_async:
        return ASYNCCONTEXTMANAGER_MESSAGE
    return None


def may_construct_otherwise(rule: Rule, klass: cst.CSTNode) -> bool:
    """Whether the class may construct its objects some other way: a class decorator, a
    metaclass, a ``__new__`` of its own or of a base, or a base the index cannot see."""
    if not isinstance(klass, cst.ClassDef) or not rule.ask(INDEXED, klass):
        return True
    if klass.decorators or klass.keywords:
        return True
    if isinstance(klass.body, cst.IndentedBlock) and any(
        isinstance(s, cst.FunctionDef) and s.name.value == "__new__" for s in klass.body.body
    ):
        return True
    for base in klass.bases:
        written = base.value
        if isinstance(written, cst.Subscript):
            written = written.value  # ``Base[T]`` derives from ``Base``
        qualified = rule.ask(QUALIFIED_NAME, written)
        if qualified is None:
            return True
        if qualified == "builtins.object":
            continue
        if rule.ask(CONSTRUCTS_OTHERWISE, qualified):
            return True
    return False
