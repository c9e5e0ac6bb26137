"""AL505 sync-async-protocol-mismatch: the sync and async protocols mixed up.

``with`` on an object that only supports ``async with`` (and the reverse), ``for`` over an async
iterator and ``async for`` over a plain iterable or a coroutine, ``@contextmanager`` on an async
generator, and special methods written ``async def`` where Python calls them synchronously.

What an object supports comes from the engine: the kind of a call (a coroutine function, an
async generator, an ``@asynccontextmanager`` function, the library table's kinds), and the
protocol methods of its class (``index.class_protocols``: the project's classes through their
bases, the standard library and installed packages read as source, and the curated table). When
any of that is unsure, the rule stays silent.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from asynclint.edits import source_of
from asynclint.engine import Context, iter_children
from asynclint.index import (
    ASYNC_CONTEXT_MANAGER,
    ASYNC_GENERATOR,
    AWAITABLE,
    CONTEXT_MANAGER,
    COROUTINE,
    SYNC,
    Instance,
)
from asynclint.rule import Rule

_ASYNC_ITERATOR = "async-iterator"  # the library table's kind of calls giving an async iterator

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

# Types (as annotations of parameters and attributes name them) whose values are plain iterables
# and never async ones.
_PLAIN_ITERABLE_TYPES = frozenset(
    {
        *(
            f"builtins.{name}"
            for name in (
                "list",
                "tuple",
                "set",
                "frozenset",
                "dict",
                "str",
                "bytes",
                "bytearray",
                "range",
            )
        ),
        *(f"typing.{name}" for name in ("List", "Tuple", "Set", "FrozenSet", "Dict", "Generator")),
        "collections.abc.Generator",
    }
)
# Builtins whose call gives a plain iterable or iterator, whatever the arguments.
_PLAIN_ITERABLE_CALLS = frozenset(
    f"builtins.{name}"
    for name in (
        "range",
        "enumerate",
        "zip",
        "reversed",
        "sorted",
        "map",
        "filter",
        "iter",
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "str",
        "bytes",
        "bytearray",
    )
)
_DISPLAYS = (
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.Dict,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
)
_CONTEXTMANAGER = "contextlib.contextmanager"
_ASYNCCONTEXTMANAGER = "contextlib.asynccontextmanager"

# ``async def`` special methods that Python calls synchronously, and what to write instead.
_SYNC_ONLY_METHODS = {
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
_AITER_MESSAGE = (
    "`async def __aiter__` without `yield` returns a coroutine, but `async for` needs an async "
    "iterator at once (TypeError); make it a plain `def` returning `self` (with an "
    "`async def __anext__`), or an async generator that `yield`s"
)
_INIT_MESSAGE = (
    "`__init__` cannot be `async def`: creating the object raises TypeError (`__init__()` "
    "should return None, not 'coroutine'); keep `__init__` sync and do the async set-up in an "
    "async factory (`@classmethod async def create(cls, ...)`) or in `__aenter__`"
)


def _dunders(protocols: Iterable[str]) -> frozenset[str]:
    """Protocol methods from the index's answer, whether it names labels or methods."""
    methods: set[str] = set()
    for protocol in protocols:
        methods.update(_LABEL_METHODS.get(protocol, (protocol,)))
    return frozenset(methods)


def _is_placeholder(body: cst.BaseSuite) -> bool:
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


def _own_yield(function: cst.FunctionDef) -> bool:
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


def _is_async_expression(node: cst.CSTNode) -> bool:
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


class SyncAsyncProtocolMismatch(Rule):
    """
    ## What it does
    Finds the sync and async protocols mixed up:

    - `with` on an object that only supports `async with` (an `asyncio.Lock`, an
      `asyncio.timeout()`, an `aiohttp.ClientSession`, an `httpx.AsyncClient`, a task group,
      an `@asynccontextmanager` function, a class of the project with only `__aenter__`), and
      `async with` on one that only supports `with` (`open()`, `threading.Lock()`,
      `trio.move_on_after()`, an `@contextmanager` function); `with`/`async with` on the
      coroutine of an `async def` function or on an undecorated async generator;
    - a plain `for` (or comprehension) over an async generator or another async iterator, and
      `async for` over a plain iterable (a list, a string, `range()`, a plain generator, an
      object with only `__iter__`) or over the coroutine of an `async def` function;
    - `@contextmanager` on an `async def` generator, `@asynccontextmanager` on a plain one;
    - `async def __init__`, and `async def` versions of special methods that Python calls
      synchronously (`__enter__`, `__exit__`, `__iter__`, `__next__`, `__await__`, and an
      `__aiter__` that does not `yield`).

    What an object supports comes from the project index and the library table: the kind of a
    call, and the protocol methods of a class through its bases. Classes with both the sync and
    the async protocol, objects of unknown type and calls of unknown kind are never reported.

    ## Why is this bad?
    Each of these fails when the line runs: `with asyncio.Lock()` raises `TypeError` (an
    `AttributeError` before Python 3.11), `async with open(...)` raises `TypeError: ... does not
    support the asynchronous context manager protocol`, `for` over an async generator raises
    `TypeError: 'async_generator' object is not iterable`, and an `async def __init__` makes
    every construction fail. Some are worse than a crash: a coroutine returned by an
    `async def __exit__` is always true, so the `with` block silently swallows every exception
    while the cleanup never runs. The code usually comes from converting sync code to async (or
    back) halfway.

    ## Example
    ```python
    import asyncio
    from contextlib import contextmanager

    lock = asyncio.Lock()


    def load_rows():
        yield from ({"id": 1}, {"id": 2})


    @contextmanager
    async def connection():
        yield


    class Client:
        async def __init__(self):
            self.session = await open_session()


    async def main():
        with lock:
            async for row in load_rows():
                print(row)
    ```

    ## Use instead
    ```python
    import asyncio
    from contextlib import asynccontextmanager

    lock = asyncio.Lock()


    def load_rows():
        yield from ({"id": 1}, {"id": 2})


    @asynccontextmanager
    async def connection():
        yield


    class Client:
        def __init__(self, session):
            self.session = session

        @classmethod
        async def create(cls):
            return cls(await open_session())


    async def main():
        async with lock:
            for row in load_rows():
                print(row)
    ```

    ## Fix safety
    No fix is offered: whether the statement, the object or the function is the part to change
    depends on the program, and `async with`/`async for` are only valid inside `async def`.
    """

    code = "AL505"
    name = "sync-async-protocol-mismatch"
    summary = "A sync protocol is used on an async-only object, or the reverse"
    needs_index = True

    invalid = (
        "import asyncio\n\nlock = asyncio.Lock()\n\n"
        "async def main():\n    with lock:  # error: AL505\n        pass\n",
        "async def main(path):\n    async with open(path) as f:  # error: AL505\n"
        "        return f.read()\n",
        "async def rows():\n    yield 1\n\n"
        "def main():\n    return [r for r in rows()]  # error: AL505\n",
        "async def main():\n    async for i in range(3):  # error: AL505\n        print(i)\n",
        "async def fetch_rows(): ...\n\n"
        "async def main():\n    async for row in fetch_rows():  # error: AL505\n"
        "        print(row)\n",
        "from contextlib import contextmanager\n\n"
        "@contextmanager  # error: AL505\nasync def connect():\n    yield\n",
        "class Client:\n    async def __init__(self):  # error: AL505\n        pass\n",
        "class Resource:\n    async def __aenter__(self):\n        return self\n\n"
        "    async def __aexit__(self, *exc):\n        pass\n\n"
        "def use():\n    with Resource():  # error: AL505\n        pass\n",
    )
    valid = (
        "import asyncio\n\nlock = asyncio.Lock()\n\n"
        "async def main():\n    async with lock:\n        pass\n",
        "import threading\n\nlock = threading.Lock()\n\n"
        "async def main():\n    with lock:\n        pass\n",
        "import contextlib\n\n"
        "async def main():\n    async with contextlib.AsyncExitStack() as stack:\n        pass\n",
        "async def rows():\n    yield 1\n\n"
        "async def main():\n    return [r async for r in rows()]\n",
        "async def main(source):\n    async for item in source:\n        print(item)\n",
        "class Both:\n    def __enter__(self): ...\n    def __exit__(self, *exc): ...\n"
        "    async def __aenter__(self): ...\n    async def __aexit__(self, *exc): ...\n\n"
        "async def main():\n    async with Both():\n        pass\n    with Both():\n        pass\n",
        "from contextlib import asynccontextmanager\n\n"
        "@asynccontextmanager\nasync def connect():\n    yield\n",
        "class Stream:\n    async def __aiter__(self):\n        yield 1\n",
        "from plugins import Base\n\nclass Resource(Base):\n"
        "    async def __aenter__(self):\n        return self\n\n"
        "def use():\n    with Resource():\n        pass\n",
    )

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
        if self.context.index is None:
            return
        is_async = node.asynchronous is not None
        for item in node.items:
            message = self._with_mismatch(item.item, is_async)
            if message is not None and not self._expected_to_fail():
                self.report(item.item, message)

    def _with_mismatch(self, expression: cst.BaseExpression, is_async: bool) -> str | None:
        statement = "async with" if is_async else "with"
        if isinstance(expression, cst.Call):
            kind = self.context.call_kind(expression)
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
            if kind == AWAITABLE and not is_async and self._listed_awaitable(expression):
                return (
                    f"{callee} returns an awaitable, which plain `with` cannot use: "
                    f"`async with` it{self._inside_async()} when it is an async context "
                    "manager (an `aiohttp` request, an `asyncpg` pool's `acquire()`), "
                    "else `with await ...`"
                )
        methods = self._protocols(expression)
        if methods is None:
            return None
        what = self._describe(expression)
        if not is_async and "__aenter__" in methods and "__enter__" not in methods:
            if self._subclass_may_add(expression, "__enter__"):
                return None
            where = "" if self.context.in_async_function else " (inside an `async def`)"
            return (
                f"{what} is an async-only context manager: a plain `with` fails "
                f"with TypeError; use `async with`{where}"
            )
        if is_async and "__enter__" in methods and "__aenter__" not in methods:
            if self._subclass_may_add(expression, "__aenter__"):
                return None
            return (
                f"{what} is a sync-only context manager: `async with` fails "
                "with TypeError; use `with`"
            )
        return None

    # --- for / async for / comprehensions -------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        self._check_iteration(node.iter, node.asynchronous is not None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._check_iteration(node.iter, node.asynchronous is not None)

    def _check_iteration(self, iterable: cst.BaseExpression, is_async: bool) -> None:
        if self.context.index is None:
            return
        message = self._async_for_mismatch(iterable) if is_async else self._for_mismatch(iterable)
        if message is not None and not self._expected_to_fail():
            self.report(iterable, message)

    def _expected_to_fail(self) -> bool:
        """Whether the code runs inside ``with pytest.raises(...)`` or ``with
        self.assertRaises(...)``: a test that makes the mistake on purpose."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if not isinstance(ancestor, cst.With):
                continue
            for item in ancestor.items:
                call = item.item
                if not isinstance(call, cst.Call):
                    continue
                if self.context.resolve(call.func) == "pytest.raises" or (
                    isinstance(call.func, cst.Attribute)
                    and call.func.attr.value.startswith("assertRaises")
                ):
                    return True
        return False

    def _for_mismatch(self, iterable: cst.BaseExpression) -> str | None:
        if isinstance(iterable, cst.Call):
            kind = self.context.call_kind(iterable)
            if self.context.resolve(iterable.func) == "builtins.aiter":
                kind = _ASYNC_ITERATOR
            if kind in (ASYNC_GENERATOR, _ASYNC_ITERATOR):
                # (a coroutine iterated with ``for`` is AL103's)
                what = "an async generator" if kind == ASYNC_GENERATOR else "an async iterator"
                return (
                    f"`{source_of(self.context.module, iterable.func)}()` gives {what}: a plain "
                    f"`for` fails with TypeError; use `async for`{self._inside_async()}"
                )
        methods = self._protocols(iterable)
        if methods is None or "__aiter__" not in methods or "__iter__" in methods:
            return None
        if self._subclass_may_add(iterable, "__iter__") or self._has_getitem(iterable):
            return None
        return (
            f"{self._describe(iterable)} is an async-only iterable: a plain `for` "
            f"fails with TypeError; use `async for`"
            f"{self._inside_async()}"
        )

    def _async_for_mismatch(self, iterable: cst.BaseExpression) -> str | None:
        plain = "a sync-only iterable: `async for` fails with TypeError; use `for`"
        if isinstance(iterable, _DISPLAYS) or (
            isinstance(iterable, cst.GeneratorExp) and not _is_async_expression(iterable)
        ):
            return f"{self._describe(iterable)} is {plain}"
        if isinstance(iterable, cst.Call):
            callee = _Code(self.context.module, iterable.func)
            kind = self.context.call_kind(iterable)
            if kind == COROUTINE:
                return (
                    f"{callee} creates a coroutine, not an async iterator: if it returns "
                    "one, use `async for ... in await ...`; to produce items one by one, make "
                    "the function an async generator (`yield` them)"
                )
            if self._gives_plain_iterable(iterable, kind):
                return f"{callee} gives {plain}"
        methods = self._protocols(iterable)
        if methods is None or "__iter__" not in methods or "__aiter__" in methods:
            return None
        if self._subclass_may_add(iterable, "__aiter__"):
            return None
        return f"{self._describe(iterable)} is {plain}"

    def _listed_awaitable(self, call: cst.Call) -> bool:
        """Whether the library table lists the call as giving an awaitable: none of those
        objects supports a plain ``with`` (the project's own awaitable classes may)."""
        callee = self.context.value(call.func)
        index = self.context.index
        return (
            isinstance(callee, str)
            and index is not None
            and index.library.call_kind(callee) == AWAITABLE
        )

    def _gives_plain_iterable(self, call: cst.Call, kind: str | None) -> bool:
        """A builtin that makes a plain iterable, a method of a literal, or a plain generator
        function of this module."""
        func = call.func
        if self.context.resolve(func) in _PLAIN_ITERABLE_CALLS:
            return True
        if isinstance(func, cst.Attribute) and isinstance(func.value, _DISPLAYS):
            return True  # ``{...}.items()``, ``"a b".split()``: builtin types' methods
        return kind == SYNC and self._is_plain_generator(func)

    def _is_plain_generator(self, func: cst.BaseExpression) -> bool:
        """Whether ``func`` names an undecorated, plain generator function defined at the
        top level of this module."""
        if not isinstance(func, cst.Name) or self.context.module_info is None:
            return False
        name = func.value
        qualified = f"{self.context.module_info[0]}.{name}"
        if self.context.lookup(name) != qualified:
            return False
        if name not in self._plain_generators:
            definitions = [
                s
                for s in self.context.module.body
                if isinstance(s, (cst.FunctionDef, cst.ClassDef)) and s.name.value == name
            ]
            found = len(definitions) == 1 and isinstance(definitions[0], cst.FunctionDef)
            function = definitions[0] if found else None
            self._plain_generators[name] = (
                isinstance(function, cst.FunctionDef)
                and function.asynchronous is None
                and not function.decorators
                and _own_yield(function)
            )
        return self._plain_generators[name]

    # --- decorators and special methods ---------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        context = self.context
        name = node.name.value
        if context.scope.kind == "class" and node.asynchronous is not None:
            if name == "__init__" and not self._may_construct_otherwise():
                self.report(node.name, _INIT_MESSAGE)
            elif name in _SYNC_ONLY_METHODS:
                self.report(node.name, f"`async def {name}`: {_SYNC_ONLY_METHODS[name]}")
            elif name == "__aiter__" and not _is_placeholder(node.body):
                self._yields[id(node)] = False
        if any(self._context_decorator(d) for d in node.decorators):
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
                self.report(node.name, _AITER_MESSAGE)
            return
        for decorator in node.decorators:
            resolved = self._context_decorator(decorator)
            if resolved == _CONTEXTMANAGER and is_async:
                self.report(
                    decorator,
                    "`@contextmanager` on an async generator: the result fails in `with` and "
                    "in `async with`; use `@asynccontextmanager` and `async with`",
                )
            elif resolved == _ASYNCCONTEXTMANAGER and not is_async:
                self.report(
                    decorator,
                    "`@asynccontextmanager` on a plain generator function: `async with` fails "
                    "with TypeError; make the function `async def`, or use `@contextmanager` "
                    "and `with`",
                )

    def _context_decorator(self, decorator: cst.Decorator) -> str | None:
        resolved = self.context.resolve(decorator.decorator)
        return resolved if resolved in (_CONTEXTMANAGER, _ASYNCCONTEXTMANAGER) else None

    # --- what an object supports ----------------------------------------------------------
    def _protocols(self, node: cst.BaseExpression) -> frozenset[str] | None:
        """The protocol methods of what ``node`` evaluates to, or None when unsure."""
        context = self.context
        index = context.index
        if index is None:
            return None
        if isinstance(node, cst.Call):
            kind = context.call_kind(node)
            if kind == ASYNC_CONTEXT_MANAGER:
                return _ASYNC_WITH
            if kind == CONTEXT_MANAGER:
                return _SYNC_WITH
            if kind in (ASYNC_GENERATOR, _ASYNC_ITERATOR):
                return _ASYNC_ITER
            if kind not in (SYNC, None):
                return None  # a coroutine, a future: what it gives after ``await`` is known
            callee = context.value(node.func)
            if not isinstance(callee, str):
                return None
            found = index.find(callee)
            if (
                found is not None
                and found.what == "function"
                and found.function is not None
                and index.function_kind(found.function) != SYNC
            ):
                # A decorator the index cannot see through, or one that makes the return
                # annotation describe something else (``@contextmanager``'s generator). (A
                # function known only from the library table has no fact: the table's
                # ``returns`` speak for it.)
                return None
            value = context.value(node)
            if value is None and found is None:
                # A class the library table lists, its package not installed: constructed.
                protocols = index.class_protocols(callee)
                return _dunders(protocols) if protocols is not None else None
        elif isinstance(node, cst.Await):
            inner = node.expression
            if not isinstance(inner, cst.Call) or context.call_kind(inner) not in (
                COROUTINE,
                AWAITABLE,
            ):
                return None
            value = context.value(node)
        elif isinstance(node, (cst.Name, cst.Attribute)):
            if self._bound_by_with(node):
                return None
            value = context.value(node)
            if isinstance(value, Instance) and value.type in _PLAIN_ITERABLE_TYPES:
                return _SYNC_ITER  # annotated ``list[int]``, ``str`` ...
        else:
            return None
        if not isinstance(value, Instance):
            return None
        protocols = index.class_protocols(value.type)
        return _dunders(protocols) if protocols is not None else None

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            scope = self.context.scope
            if scope.kind != "module":
                self._with_targets.add((id(scope.node), node.asname.name.value))

    def _bound_by_with(self, node: cst.BaseExpression) -> bool:
        """Whether the name at the head of ``node`` is bound by ``with ... as name``. The engine
        gives such a name the type of the context manager, but it holds what ``__enter__``
        returns: the yielded value of an ``@contextmanager`` function, a connection from a
        pool, a path from ``TemporaryDirectory()``."""
        while isinstance(node, cst.Attribute):
            node = node.value
        if not isinstance(node, cst.Name) or not self._with_targets:
            return False
        name = node.value
        innermost = self.context.scopes[-1]
        for scope in reversed(self.context.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if name in scope.bindings:
                return (id(scope.node), name) in self._with_targets
        return False

    def _subclass_may_add(self, node: cst.BaseExpression, method: str) -> bool:
        """Whether the object, known by its declared class rather than by construction, may be
        of a project subclass that defines ``method``. ``self`` in a method of the class is
        always unsure: a subclass may also get the method from another base (a mixin)."""
        index = self.context.index
        value = self.context.value(node)
        if not isinstance(value, Instance) or index is None:
            return False
        if isinstance(node, cst.Call):
            callee = self.context.value(node.func)
            found = index.find(callee) if isinstance(callee, str) else None
            if found is None or found.what == "class":
                return False  # constructed here (or listed in the library table)
        if isinstance(node, cst.Name) and value.type == self.context.enclosing_class():
            return True
        return bool(index.overriding_kinds(value.type, method))

    def _has_getitem(self, node: cst.BaseExpression) -> bool:
        """Whether the object's class has ``__getitem__`` (``for`` falls back to it)."""
        value = self.context.value(node)
        if not isinstance(value, Instance) or self.context.index is None:
            return False
        return self.context.index.member(value.type, "__getitem__") is not None

    def _may_construct_otherwise(self) -> bool:
        """Whether the class may construct its objects some other way: a class decorator, a
        metaclass, a ``__new__`` of its own or of a base, or a base the index cannot see."""
        context = self.context
        klass = context.scope.node
        if not isinstance(klass, cst.ClassDef) or context.index is None:
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
            qualified = context.resolve(written)
            if qualified is None:
                return True
            if qualified == "builtins.object":
                continue
            found = context.index.find(qualified)
            if found is None or found.what != "class" or found.klass is None:
                return True
            if context.index.member(qualified, "__new__") is not None:
                return True
            if context.index.class_protocols(qualified) is None:
                return True  # a base of its own the index cannot see
        return False

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
