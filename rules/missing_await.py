"""AL1xx: a coroutine (or another awaitable) is created and never awaited.

Whether a call creates a coroutine comes from the engine: the project index (``async def``
functions and methods of every module of the project, through imports, re-exports, ``self``,
base classes, annotations and constructors) and the library knowledge (the standard library
and installed packages read as source, plus the curated table). When that is unsure, these
rules stay silent.
"""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import awaited, source_of
from asynclint.engine import Context
from asynclint.index import AWAITABLE, COROUTINE, Instance
from asynclint.rule import Example, Rule

_MUST_AWAIT = (COROUTINE, AWAITABLE)


# The "Fix safety" paragraph of every AL1xx page (``<<fix safety>>`` in the pages).
_FIX_SAFETY = """
The fix inserts `await`; it is offered only inside `async def` and is unsafe: the awaited
code now runs (and may raise) where before it silently did not, and the statement now waits
for it. If the coroutine was meant to run in the background, schedule it with
`asyncio.create_task()` (keeping a reference) instead.
"""


def awaitable_kind(context: Context, node: cst.BaseExpression) -> str | None:
    """COROUTINE or AWAITABLE when ``node`` is a call that creates one, else None."""
    if not isinstance(node, cst.Call):
        return None
    kind = context.call_kind(node)
    return kind if kind in _MUST_AWAIT else None


def _what(context: Context, call: cst.Call, kind: str) -> str:
    name = source_of(context.module, call.func)
    if kind == COROUTINE:
        return f"`{name}()` is a coroutine function: calling it creates a coroutine that"
    return f"`{name}()` returns an awaitable (a future) that"


def _await_fix(rule: Rule, node: cst.Call, parent: cst.CSTNode | None = None) -> Fix | None:
    """Insert ``await`` before ``node`` (whose parent is ``parent``, by default the parent of
    the node being visited), where the engine knows ``await`` is allowed."""
    context = rule.context
    if not context.in_async_function or context.enclosing(cst.GeneratorExp) is not None:
        return None
    return Fix(
        "Add `await`",
        ((node, awaited(node, parent or context.parent)),),
        Applicability.UNSAFE,
    )


class MissingAwaitRule(Rule):
    """Base of the AL1xx rules; not a rule itself."""

    needs_index = True
    fix_applicability = Applicability.UNSAFE
    doc_parts = (("fix safety", _FIX_SAFETY),)


class UnawaitedCoroutine(MissingAwaitRule):
    """
    ## What it does
    Finds calls that create a coroutine (a call of an `async def` function or method) or
    another awaitable (the future of `asyncio.gather()`, `loop.run_in_executor()`, an
    `aiohttp` request) as a statement of its own, so that the result is dropped: never
    awaited, run or scheduled. Also a comprehension or conditional expression of such calls
    used as a statement. This works across the modules of the project (imports, re-exports,
    `self.method()`, base classes, annotated parameters and attributes, objects made by a
    constructor) and for library APIs, without running a type checker.

    ## Why is this bad?
    Calling a coroutine function does not run it: it only creates a coroutine object. Dropped,
    the code never runs; Python at most prints `RuntimeWarning: coroutine ... was never
    awaited` when the object is garbage-collected, long after the fact. A dropped future runs,
    but its result and any exception are lost. In sync code (a plain function or the module
    level) the coroutine can never be awaited: it needs `asyncio.run()` at the top level, or
    the caller must become `async def`, or it must be scheduled on a running loop. A future
    created in sync code (a callback scheduling work) runs anyway; dropping it is the
    fire-and-forget family (AL3xx) and is not reported here.

    ## Example
    ```python
    async def save(record): ...


    async def handler(record):
        save(record)


    def main():
        handler({"id": 1})
    ```

    ## Use instead
    ```python
    import asyncio


    async def save(record): ...


    async def handler(record):
        await save(record)


    def main():
        asyncio.run(handler({"id": 1}))
    ```

    ## Fix safety
    <<fix safety>>
    In sync code no fix is offered: which of the remedies is right depends on the program.
    """

    code = "AL101"
    name = "unawaited-coroutine"
    summary = "A coroutine or awaitable is created and dropped without being awaited"

    invalid = (
        Example(
            "async def fetch(url): ...\n"
            "\n"
            "async def main():\n"
            "    fetch('https://example.com')  # error: AL101\n",
            fixed="async def fetch(url): ...\n\nasync def main():\n"
            "    await fetch('https://example.com')\n",
        ),
        "async def main(): ...\n\nmain()  # error: AL101\n",
        "class Client:\n"
        "    async def close(self): ...\n"
        "\n"
        "    def __del__(self):\n"
        "        self.close()  # error: AL101\n",
        "import asyncio\n\nasync def poll():\n    asyncio.sleep(1)  # error: AL101\n",
        "class Store:\n"
        "    async def put(self, item): ...\n"
        "\n"
        "async def save(store: Store, items):\n"
        "    [store.put(i) for i in items]  # error: AL101\n",
        "import asyncio\n\n"
        "async def work(loop, job):\n"
        "    loop = asyncio.get_running_loop()\n"
        "    asyncio.gather(job(), job())  # error: AL101\n",
    )
    valid = (
        "async def fetch(): ...\n\nasync def main():\n    await fetch()\n",
        "import asyncio\n\nasync def main(): ...\n\nasyncio.run(main())\n",
        "async def fetch(): ...\n\ndef later():\n    return fetch()\n",
        "async def fetch(): ...\n\nasync def main():\n    task = asyncio.create_task(fetch())\n"
        "    await task\n",
        "def fetch(): ...\n\nasync def main():\n    fetch()\n",
        "async def fetch(): ...\n\nasync def main(fetch):\n    fetch()\n",
        "from unittest.mock import AsyncMock\n\nmock = AsyncMock()\nmock()\n",
        "import registry\n\n@registry.register\nasync def job(): ...\n\njob()\n",
        "import asyncio\n\ndef on_done(loop, work):\n    loop = asyncio.get_running_loop()\n"
        "    loop.run_in_executor(None, work)\n",
    )

    def visit_Expr(self, node: cst.Expr) -> None:
        value = node.value
        kind = awaitable_kind(self.context, value)
        if kind is not None:
            self._report_call(value, kind)
            return
        calls = _dropped_calls(value)
        for call in calls:
            kind = awaitable_kind(self.context, call)
            if kind is not None:
                self.report(
                    call,
                    f"{_what(self.context, call, kind)} is built into a value that is dropped; "
                    "nothing awaits it",
                )
                return

    def _report_call(self, call: cst.Call, kind: str) -> None:
        context = self.context
        what = _what(context, call, kind)
        if kind != COROUTINE and not context.in_async_function:
            return  # a future scheduled from sync code runs anyway: that is the AL3xx family
        if context.in_async_function:
            self.report(call, f"{what} is never awaited; add `await`", _await_fix(self, call))
        elif context.scope.kind == "function" and context.scope.is_async is False:
            self.report(
                call,
                f"{what} is never run: sync code cannot await it; make this function "
                "`async def` and await it, run it with `asyncio.run()` from the top level, "
                "or schedule it on the running loop (`asyncio.run_coroutine_threadsafe()` "
                "from another thread)",
            )
        else:
            self.report(
                call,
                f"{what} is never run; run it with `asyncio.run(...)` (or your library's "
                "`run`), or await it from async code",
            )


def _dropped_calls(value: cst.BaseExpression) -> list[cst.Call]:
    """Calls whose result a dropped comprehension or conditional expression holds."""
    if isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return [value.elt] if isinstance(value.elt, cst.Call) else []
    if isinstance(value, cst.IfExp):
        return [v for v in (value.body, value.orelse) if isinstance(v, cst.Call)]
    return []


class UnusedCoroutine(MissingAwaitRule):
    """
    ## What it does
    Finds a coroutine (or another awaitable) stored in a local variable that the function
    never uses afterwards: never awaited, returned, passed on, scheduled or stored.

    ## Why is this bad?
    Storing a coroutine does not run it. A variable that is never read again means the
    coroutine is dropped when the function returns: the work never happens, and Python at most
    warns `coroutine ... was never awaited` at garbage collection.

    ## Example
    ```python
    async def refresh(cache): ...


    async def handler(cache):
        result = refresh(cache)
        return "ok"
    ```

    ## Use instead
    ```python
    async def refresh(cache): ...


    async def handler(cache):
        result = await refresh(cache)
        return "ok"
    ```

    ## Fix safety
    <<fix safety>>
    """

    code = "AL102"
    name = "unused-coroutine"
    summary = "A coroutine stored in a variable is never awaited or used"

    invalid = (
        Example(
            "async def fetch(): ...\n"
            "\n"
            "async def main():\n"
            "    data = fetch()  # error: AL102\n"
            "    return 1\n",
            fixed="async def fetch(): ...\n\nasync def main():\n"
            "    data = await fetch()\n    return 1\n",
        ),
        "async def fetch(): ...\n\ndef main():\n    pending = fetch()  # error: AL102\n",
    )
    valid = (
        "async def fetch(): ...\n\nasync def main():\n    coro = fetch()\n    await coro\n",
        "async def fetch(): ...\n\ndef main():\n    coro = fetch()\n    return coro\n",
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    coros = fetch()\n    await asyncio.gather(coros)\n",
        "async def fetch(): ...\n\nasync def main():\n    coro = fetch()\n"
        "    def later():\n        return coro\n    return later\n",
        "async def fetch(): ...\n\nasync def main():\n    coro = fetch()\n    return locals()\n",
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # One frame per function being walked: coroutine variables -> [node, references]
        self.frames: list[dict[str, list]] = []
        self.unsure: list[bool] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.append({})
        self.unsure.append(False)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        frame = self.frames.pop()
        unsure = self.unsure.pop()
        if unsure:
            return
        for name, (call, message, fix, references) in frame.items():
            if references == 0:
                self.report(call, f"{message} is stored in `{name}`, which is never used", fix)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._assigned(node, node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node, node.target, node.value)

    def _assigned(
        self, statement: cst.CSTNode, target: cst.BaseExpression, value: cst.BaseExpression
    ) -> None:
        if not self.frames or not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
            return
        kind = awaitable_kind(self.context, value)
        if kind is None:
            return
        if target.value in self.frames[-1]:
            self.unsure[-1] = True  # assigned twice: too subtle to judge
        # Message and fix are made here, where the context is the assignment's.
        message = _what(self.context, value, kind)
        self.frames[-1][target.value] = [value, message, _await_fix(self, value, statement), 0]

    def visit_Name(self, node: cst.Name) -> None:
        if not self.frames:
            return
        if node.value in ("locals", "vars", "eval", "exec"):
            self.unsure[-1] = True
        for frame in reversed(self.frames):
            if node.value in frame:
                parent = self.context.parent
                if isinstance(parent, (cst.AssignTarget, cst.AnnAssign)) and parent.target is node:
                    return  # the assignment itself
                frame[node.value][3] += 1
                return


_TRUTH_PARENTS = (cst.If, cst.While, cst.IfExp, cst.Assert)
_COROUTINE_ATTRIBUTES = frozenset(
    {
        "send",
        "throw",
        "close",
        "cr_await",
        "cr_frame",
        "cr_running",
        "cr_code",
        "cr_origin",
        "cr_suspended",
        "__await__",
        "__class__",
        "__name__",
        "__qualname__",
    }
)
_VALUE_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "bool",
        "str",
        "repr",
        "int",
        "float",
        "len",
        "list",
        "tuple",
        "set",
        "dict",
        "sorted",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "print",
        "format",
        "iter",
        "enumerate",
        "zip",
        "abs",
        "round",
        "hash",
    )
)
_LOGGING = frozenset(
    f"logging.{name}"
    for name in ("debug", "info", "warning", "warn", "error", "exception", "critical", "log")
)


class CoroutineUsedAsValue(MissingAwaitRule):
    """
    ## What it does
    Finds a coroutine (or awaitable) used as if it were the result of the call: tested for
    truth (`if is_ready():`, `while`, `not`, `and`/`or`, `assert`, `bool()`), compared,
    formatted or printed (f-strings, `str()`, `print()`, logging calls, `%`), iterated with a
    plain `for`, indexed, or read for an attribute the result would have (`fetch().json`).

    ## Why is this bad?
    A coroutine object is always true, never equal to anything but itself, prints as
    `<coroutine object ...>`, and has none of the result's attributes or items. The condition,
    comparison or message is silently wrong (or raises far from the cause), and the coroutine
    itself never runs.

    ## Example
    ```python
    async def is_ready(service): ...


    async def wait(service):
        if is_ready(service):
            return True
    ```

    ## Use instead
    ```python
    async def is_ready(service): ...


    async def wait(service):
        if await is_ready(service):
            return True
    ```

    ## Fix safety
    <<fix safety>>
    """

    code = "AL103"
    name = "coroutine-used-as-value"
    summary = "A coroutine is used as a value (tested, compared, formatted, iterated, indexed)"

    invalid = (
        Example(
            "async def is_ready(): ...\n"
            "\n"
            "async def main():\n"
            "    if is_ready():  # error: AL103\n"
            "        pass\n",
            fixed="async def is_ready(): ...\n\nasync def main():\n"
            "    if await is_ready():\n        pass\n",
        ),
        Example(
            "async def fetch(): ...\n"
            "\n"
            "async def main():\n"
            "    return fetch().json  # error: AL103\n",
            fixed="async def fetch(): ...\n\nasync def main():\n    return (await fetch()).json\n",
        ),
        "async def count(): ...\n\nasync def main():\n"
        "    print(f'{count()} items')  # error: AL103\n",
        "async def count(): ...\n\ndef main():\n    return count() > 3  # error: AL103\n",
        "async def rows(): ...\n\nasync def main():\n    for row in rows():  # error: AL103\n"
        "        pass\n",
        "import logging\n\nasync def status(): ...\n\nasync def main():\n"
        "    logging.info('status %s', status())  # error: AL103\n",
    )
    valid = (
        "async def is_ready(): ...\n\nasync def main():\n    if await is_ready():\n        pass\n",
        "async def fetch(): ...\n\nasync def main():\n    coro = fetch()\n    coro.close()\n",
        "async def rows(): ...\n\nasync def main():\n    async for row in rows():\n        pass\n",
        "def is_ready(): ...\n\nasync def main():\n    if is_ready():\n        pass\n",
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    print(await asyncio.gather(fetch()))\n",
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Per function being walked: the code of a target that holds a coroutine (``data``,
        # ``self.user``, ``result["a"]``) -> (the callee's code, the fix at the store).
        self.stored: list[dict[str, tuple[str, Fix | None]]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stored.append({})

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stored.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.stored:
            return
        for target in node.targets:
            key = self._key(target.target)
            if key is None:
                continue
            kind = awaitable_kind(self.context, node.value)
            # Futures have methods and attributes of their own; only coroutines are tracked.
            if kind != COROUTINE or len(node.targets) != 1 or not isinstance(node.value, cst.Call):
                self.stored[-1].pop(key, None)  # rebound to something else
                continue
            callee = source_of(self.context.module, node.value.func)
            self.stored[-1][key] = (callee, _await_fix(self, node.value, node))

    def _key(self, target: cst.BaseExpression) -> str | None:
        if isinstance(target, (cst.Name, cst.Attribute, cst.Subscript)):
            return self.context.module.code_for_node(target.with_changes(lpar=(), rpar=()))
        return None

    def _stored_use(self, node: cst.BaseExpression) -> None:
        """A variable, attribute or item that holds a coroutine, used as if it held the
        result (``user = fetch_user(); user.name``, ``self.data = load(); self.data["k"]``)."""
        if not self.stored or not self.stored[-1]:
            return
        name = node.value if type(node) is cst.Name else self._key(node) or ""
        stored = self.stored[-1].get(name)
        if stored is None:
            return
        parent = self.context.parent
        if parent is None or isinstance(parent, (cst.AssignTarget, cst.Await)):
            return
        usage = self._usage(node, parent)
        if usage is None:
            return
        callee, fix = stored
        self.report(
            node,
            f"`{name}` holds the coroutine from `{callee}()`, not its result, and is {usage}; "
            "missing `await` where it was stored?",
            fix,
        )

    def visit_Name(self, node: cst.Name) -> None:
        self._stored_use(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._stored_use(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._stored_use(node)

    def visit_Call(self, node: cst.Call) -> None:
        parent = self.context.parent
        if parent is None or isinstance(parent, (cst.Await, cst.Expr)):
            return
        usage = self._usage(node, parent)
        if usage is None:
            return
        kind = awaitable_kind(self.context, node)
        if kind is None or (kind != COROUTINE and usage.startswith(("read for", "indexed"))):
            return  # a future's own methods (``add_done_callback``) are fine
        self.report(
            node,
            f"{_what(self.context, node, kind)} is {usage} instead of its result; "
            "it never runs (missing `await`?)",
            _await_fix(self, node),
        )

    def _usage(self, node: cst.BaseExpression, parent: cst.CSTNode) -> str | None:
        """How ``node`` is used, when that use needs the result rather than the coroutine."""
        if isinstance(parent, _TRUTH_PARENTS) and parent.test is node:
            return "tested for truth (always true)"
        if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
            return "negated with `not` (always false)"
        if isinstance(parent, cst.BooleanOperation):
            return "used in `and`/`or` (always true)"
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            first = parent.comparisons[0] if isinstance(parent, cst.Comparison) else parent
            if isinstance(first.operator, (cst.Is, cst.IsNot)):
                return None  # identity: meaningful for the object itself
            return "compared"
        if isinstance(parent, cst.FormattedStringExpression):
            return "formatted into a string"
        if (
            isinstance(parent, (cst.For, cst.CompFor))
            and parent.iter is node
            and parent.asynchronous is None
        ):
            return "iterated with a plain `for`"
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return "indexed"
        if isinstance(parent, cst.Attribute) and parent.value is node:
            if parent.attr.value in _COROUTINE_ATTRIBUTES:
                return None
            return f"read for `.{parent.attr.value}`"
        if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Modulo):
            if isinstance(parent.left, (cst.SimpleString, cst.ConcatenatedString)):
                return "formatted into a string"
        if isinstance(parent, cst.Arg):
            return self._argument_usage(parent)
        return None

    def _argument_usage(self, argument: cst.Arg) -> str | None:
        call = self.context.enclosing(cst.Call)
        if not isinstance(call, cst.Call) or not any(a is argument for a in call.args):
            return None
        callee = self.context.resolve(call.func)
        if callee in _VALUE_BUILTINS:
            return f"passed to `{callee.removeprefix('builtins.')}()`"
        if callee in _LOGGING or self._is_logger_method(call.func):
            return "passed to a logging call"
        if (
            isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "format"
            and (isinstance(call.func.value, (cst.SimpleString, cst.ConcatenatedString)))
        ):
            return "formatted into a string"
        return None

    def _is_logger_method(self, func: cst.BaseExpression) -> bool:
        """``logger.info(...)`` on a ``logging.Logger``, or on a receiver named like one."""
        if not isinstance(func, cst.Attribute) or f"logging.{func.attr.value}" not in _LOGGING:
            return False
        receiver = self.context.value(func.value)
        if isinstance(receiver, Instance):
            return receiver.type == "logging.Logger"
        name = (
            func.value.attr.value
            if isinstance(func.value, cst.Attribute)
            else getattr(func.value, "value", "")
        )
        return isinstance(name, str) and name.strip("_").lower() in ("log", "logger")
