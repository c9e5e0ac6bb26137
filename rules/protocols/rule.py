"""AL505 sync-async-protocol-mismatch: the rule, for ``with``, ``for`` and definitions."""

from __future__ import annotations

import libcst as cst

from asynclint.edits import source_of
from asynclint.facts.protocols import (
    ASYNC_ITERATOR,
    CLASS_MEMBER,
    CONSTRUCTED_HERE,
    CONSTRUCTS_OTHERWISE,
    INDEXED,
    LIBRARY_CALL_KIND,
    MEMBER_NEVER_AWAITABLE,
    OVERRIDDEN_ASYNC,
    OVERRIDDEN_SYNC_DROPPED,
    PLAIN_CLASS,
    PROTOCOLS,
    SUBCLASS_METHOD_KINDS,
)
from asynclint.facts.resolution import CALL_KIND, QUALIFIED_NAME, VALUE
from asynclint.knowledge.kinds import ASYNC_GENERATOR, AWAITABLE, COROUTINE
from asynclint.rule import Context, Rule
from asynclint.rules.protocols.managers import (
    async_manager_message,
    async_override_message,
    kind_message,
    literal_message,
    override_message,
)
from asynclint.rules.protocols.methods import (
    AITER_MESSAGE,
    INIT_MESSAGE,
    SYNC_ONLY_METHODS,
    context_decorator,
    decorator_message,
    is_placeholder,
    may_construct_otherwise,
)
from asynclint.rules.protocols.objects import (
    DISPLAYS,
    PLAIN,
    consumed_call,
    consumer_message,
    gives_plain_iterable,
    has_getitem,
    is_async_expression,
    not_async_iterable,
    protocols,
    subclass_may_add,
)
from asynclint.rules.protocols.page import INVALID, PAGE, VALID


class SyncAsyncProtocolMismatch(Rule):
    __doc__ = PAGE

    code = "AL505"
    silent_where_expected_to_fail = True
    name = "sync-async-protocol-mismatch"
    summary = "A sync protocol is used on an async-only object, or the reverse"
    requires = (
        CALL_KIND,
        CLASS_MEMBER,
        CONSTRUCTED_HERE,
        CONSTRUCTS_OTHERWISE,
        INDEXED,
        LIBRARY_CALL_KIND,
        MEMBER_NEVER_AWAITABLE,
        OVERRIDDEN_ASYNC,
        OVERRIDDEN_SYNC_DROPPED,
        PLAIN_CLASS,
        PROTOCOLS,
        QUALIFIED_NAME,
        SUBCLASS_METHOD_KINDS,
        VALUE,
    )

    invalid = INVALID
    valid = VALID

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Functions whose ``yield`` decides (``id`` -> whether one was seen): those under
        # ``@contextmanager``/``@asynccontextmanager``, and ``async def __aiter__`` methods.
        self._yields: dict[int, bool] = {}
        # module-level function name -> whether it is a plain, undecorated generator function
        self._plain_generators: dict[str, bool] = {}
        # ``(id(function node), name)`` of names bound by ``with ... as name``
        self._with_targets: set[tuple[int, str]] = set()

    # --- with / async with ------------------------------------------------------------------
    def visit_With(self, node: cst.With) -> None:
        if not self.ask(INDEXED, node):
            return
        is_async = node.asynchronous is not None
        for item in node.items:
            message = self._with_mismatch(item.item, is_async)
            if message is not None:
                self.report(item.item, message)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            scope = self.context.scope
            if scope.kind != "module":
                self._with_targets.add((id(scope.node), node.asname.name.value))

    def _with_mismatch(self, expression: cst.BaseExpression, is_async: bool) -> str | None:
        literal = literal_message(expression, is_async)
        if literal is not None:
            return literal
        if isinstance(expression, cst.Call):
            message = self._with_call_mismatch(expression, is_async)
            if message is not None:
                return message
        methods = protocols(self, expression, self._with_targets)
        if methods is None:
            return None
        what = self._describe(expression)
        if is_async and not subclass_may_add(self, expression, "__aenter__"):
            message = async_manager_message(self, expression, methods, what)
            if message is not None:
                return message
        wanted = "__aenter__" if is_async else "__enter__"
        if subclass_may_add(self, expression, wanted):
            return None
        return kind_message(self, expression, methods, what, is_async)

    def _with_call_mismatch(self, expression: cst.Call, is_async: bool) -> str | None:
        """A call whose kind alone says it gives no context manager for the statement."""
        statement = "async with" if is_async else "with"
        kind = self.ask(CALL_KIND, expression)
        callee = _Code(self.context.module, expression.func)
        if kind == COROUTINE:
            return (
                f"{callee} creates a coroutine, which is not a context manager: if it "
                f"returns one, use `{statement} await ...`; if it `yield`s once, make it an "
                "`@asynccontextmanager` and use `async with`"
            )
        if kind == ASYNC_GENERATOR:
            return (
                f"{callee} is an async generator, not a context manager: decorate the "
                "function with `@contextlib.asynccontextmanager` and use `async with`"
            )
        # Of the library table's awaitables none supports a plain ``with`` (the project's
        # own awaitable classes may).
        if (
            kind == AWAITABLE
            and not is_async
            and self.ask(LIBRARY_CALL_KIND, expression) == AWAITABLE
        ):
            return (
                f"{callee} returns an awaitable, which plain `with` cannot use: "
                f"`async with` it{self._inside_async()} when it is an async context "
                "manager (an `aiohttp` request, an `asyncpg` pool's `acquire()`), "
                "else `with await ...`"
            )
        return None

    # --- for / async for / comprehensions -------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        self._check_iteration(node.iter, node.asynchronous is not None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._check_iteration(node.iter, node.asynchronous is not None)

    def visit_Call(self, node: cst.Call) -> None:
        """``list(agen())``, ``sorted(OnlyAiter())``: builtins that iterate their argument
        synchronously, given a call that makes an async iterable."""
        found = consumed_call(self, node)
        if found is not None and self.ask(INDEXED, found[1]):
            message = self._for_mismatch(found[1])
            if message is not None:
                self.report(found[1], consumer_message(message, found[0]))

    def _check_iteration(self, iterable: cst.BaseExpression, is_async: bool) -> None:
        if not self.ask(INDEXED, iterable):
            return
        message = self._async_for_mismatch(iterable) if is_async else self._for_mismatch(iterable)
        if message is not None:
            self.report(iterable, message)

    def _for_mismatch(self, iterable: cst.BaseExpression) -> str | None:
        if isinstance(iterable, cst.Call):
            kind = self.ask(CALL_KIND, iterable)
            if self.ask(QUALIFIED_NAME, iterable.func) == "builtins.aiter":
                kind = ASYNC_ITERATOR
            if kind in (ASYNC_GENERATOR, ASYNC_ITERATOR):
                # (a coroutine iterated with ``for`` is AL103's)
                what = "an async generator" if kind == ASYNC_GENERATOR else "an async iterator"
                return (
                    f"`{source_of(self.context.module, iterable.func)}()` gives {what}: a plain "
                    f"`for` fails with TypeError; use `async for`{self._inside_async()}"
                )
        methods = protocols(self, iterable, self._with_targets)
        if methods is None or "__aiter__" not in methods or "__iter__" in methods:
            return None
        if subclass_may_add(self, iterable, "__iter__") or has_getitem(self, iterable):
            return None
        return (
            f"{self._describe(iterable)} is an async-only iterable: a plain `for` "
            f"fails with TypeError; use `async for`"
            f"{self._inside_async()}"
        )

    def _async_for_mismatch(self, iterable: cst.BaseExpression) -> str | None:
        if isinstance(iterable, DISPLAYS) or (
            isinstance(iterable, cst.GeneratorExp) and not is_async_expression(iterable)
        ):
            return f"{self._describe(iterable)} is {PLAIN}"
        if isinstance(iterable, cst.Call):
            callee = _Code(self.context.module, iterable.func)
            kind = self.ask(CALL_KIND, iterable)
            if kind == COROUTINE:
                return (
                    f"{callee} creates a coroutine, not an async iterator: if it returns "
                    "one, use `async for ... in await ...`; to produce items one by one, make "
                    "the function an async generator (`yield` them)"
                )
            if gives_plain_iterable(self, iterable, kind, self._plain_generators):
                return f"{callee} gives {PLAIN}"
        methods = protocols(self, iterable, self._with_targets)
        if methods is None or "__aiter__" in methods:
            return None
        if subclass_may_add(self, iterable, "__aiter__"):
            return None
        if "__iter__" not in methods:
            return not_async_iterable(self, iterable, self._describe(iterable))
        return f"{self._describe(iterable)} is {PLAIN}"

    # --- decorators and special methods ---------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        context = self.context
        name = node.name.value
        if context.scope.kind == "class" and not node.decorators:
            is_async = node.asynchronous is not None
            check = async_override_message if is_async else override_message
            message = check(self, name)
            if message is not None:
                self.report(node.name, message)
        if context.scope.kind == "class" and node.asynchronous is not None:
            if name == "__init__" and not may_construct_otherwise(self, context.scope.node):
                self.report(node.name, INIT_MESSAGE)
            elif name in SYNC_ONLY_METHODS:
                self.report(node.name, f"`async def {name}`: {SYNC_ONLY_METHODS[name]}")
            elif name == "__aiter__" and not is_placeholder(node.body):
                self._yields[id(node)] = False
        if any(context_decorator(self, d) for d in node.decorators):
            self._yields[id(node)] = False

    def visit_Yield(self, node: cst.Yield) -> None:
        key = id(self.context.scope.node)
        if key in self._yields:
            self._yields[key] = True

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        yields = self._yields.pop(id(node), None)
        if yields is None:
            return
        is_async = node.asynchronous is not None
        if not yields:
            # ``return other_cm()`` under a decorator is fine; an ``async def __aiter__``
            # that does not yield returns a coroutine.
            if is_async and node.name.value == "__aiter__" and not node.decorators:
                self.report(node.name, AITER_MESSAGE)
            return
        for decorator in node.decorators:
            message = decorator_message(context_decorator(self, decorator), is_async)
            if message is not None:
                self.report(decorator, message)

    # --- messages -------------------------------------------------------------------------
    def _describe(self, node: cst.BaseExpression) -> str:
        if isinstance(node, cst.Call):
            return f"`{source_of(self.context.module, node.func)}()`"
        return f"`{source_of(self.context.module, node)}`"

    def _inside_async(self) -> str:
        return "" if self.context.in_async_function else " (inside an `async def`)"


class _Code:
    """A callee's code for a message, printed only if a message is made (printing code is the
    costly part of a check that usually finds nothing)."""

    def __init__(self, module: cst.Module, func: cst.BaseExpression) -> None:
        self.module = module
        self.func = func

    def __format__(self, spec: str) -> str:
        return f"`{source_of(self.module, self.func)}()`"
