"""Names the queries know: decorators, the protocols of abstract bases, return annotations.

What a decorator does to a function's kind, which protocol methods the abstract bases of
``typing`` and ``collections.abc`` stand for (they are built dynamically, so their source does
not tell), and which return annotations speak of an awaitable, of a plain value or of anything.
"""

from __future__ import annotations

import sys

from asynclint.knowledge.kinds import ASYNC_CONTEXT_MANAGER, CONTEXT_MANAGER, PROPERTY

# The standard library's top-level modules (``builtins`` among them): never the project's.
STDLIB_MODULES = frozenset(sys.stdlib_module_names)

# Decorators that leave a function what it was.
TRANSPARENT_DECORATORS = frozenset(
    {
        "builtins.staticmethod",
        "builtins.classmethod",
        "abc.abstractmethod",
        "functools.cache",
        "functools.lru_cache",
        "functools.wraps",
        "typing.final",
        "typing.override",
        "typing_extensions.final",
        "typing_extensions.override",
        "pytest.fixture",
        "pytest_asyncio.fixture",
    }
)
# Decorators that keep a function's result: the work (blocking or not) is done once, often
# while the module is imported (a warmed cache), not on each call in a coroutine. A blocking
# chain is not followed into them (see ``index.blocking``).
MEMOISING_DECORATORS = frozenset(
    {
        "functools.cache",
        "functools.lru_cache",
        "functools.cached_property",
        "cachetools.cached",
        "cachetools.cachedmethod",
        "cachetools.func.fifo_cache",
        "cachetools.func.lfu_cache",
        "cachetools.func.lru_cache",
        "cachetools.func.mru_cache",
        "cachetools.func.rr_cache",
        "cachetools.func.ttl_cache",
    }
)
# Return annotations that say a function hands out a task.
TASK_ANNOTATIONS = frozenset({"asyncio.Task", "asyncio.tasks.Task"})
KIND_DECORATORS = {
    "contextlib.asynccontextmanager": ASYNC_CONTEXT_MANAGER,
    "contextlib.contextmanager": CONTEXT_MANAGER,
    "builtins.property": PROPERTY,
    "functools.cached_property": PROPERTY,
}

# The protocols of the abstract bases that ``typing`` and ``collections.abc`` build dynamically.
_AWAIT = frozenset({"__await__"})
# A ``Coroutine`` subclass wraps work that does not start until awaited.
COROUTINE_LIKE = frozenset({"__await__", "send", "throw"})
_ASYNC_ITER = frozenset({"__aiter__", "__anext__"})
_ASYNC_WITH = frozenset({"__aenter__", "__aexit__"})
ABSTRACT_PROTOCOLS: dict[str, frozenset[str]] = {
    **{
        f"{m}.{n}": _AWAIT
        for m in ("typing", "collections.abc")
        for n in ("Awaitable", "Coroutine")
    },
    **{
        f"{m}.{n}": _ASYNC_ITER
        for m in ("typing", "collections.abc")
        for n in ("AsyncIterator", "AsyncGenerator", "AsyncIterable")
    },
    **{
        f"{m}.{n}": frozenset({"__iter__"})
        for m in ("typing", "collections.abc")
        for n in ("Iterable", "Iterator", "Generator", "Sequence", "Mapping", "Collection")
    },
    "typing.AsyncContextManager": _ASYNC_WITH,
    "contextlib.AbstractAsyncContextManager": _ASYNC_WITH,
    "typing.ContextManager": frozenset({"__enter__", "__exit__"}),
    "contextlib.AbstractContextManager": frozenset({"__enter__", "__exit__"}),
    **{
        name: frozenset()
        for name in (
            "builtins.object",
            "typing.Generic",
            "typing.Protocol",
            "typing_extensions.Protocol",
            "abc.ABC",
        )
    },
}

# Return annotations of awaitables that may be coroutines, tasks or futures.
AWAITABLE_ANNOTATIONS = frozenset(
    {
        "typing.Awaitable",
        "typing.Coroutine",
        "collections.abc.Awaitable",
        "collections.abc.Coroutine",
        "asyncio.Future",
        "asyncio.Task",
        "asyncio.futures.Future",
        "asyncio.tasks.Task",
    }
)
# Return annotations of values that are never awaitable, and of values that may be anything.
PLAIN_TYPES = frozenset(
    f"builtins.{name}"
    for name in (
        "None",
        "bool",
        "int",
        "float",
        "complex",
        "str",
        "bytes",
        "bytearray",
        "list",
        "dict",
        "set",
        "frozenset",
        "tuple",
        "range",
    )
) | frozenset(f"typing.{name}" for name in ("List", "Dict", "Set", "FrozenSet", "Tuple", "Text"))
# (``NoReturn``/``Never``: a call that never returns gives nothing, awaitable or not; an
# ``await`` of it is never reached.)
ANY_TYPES = frozenset({"typing.Any", "builtins.object", "typing_extensions.Any"})

# The library table's protocol names, as the dunder methods that make them.
TABLE_PROTOCOLS = {
    "awaitable": ("__await__",),
    "async-context-manager": ("__aenter__", "__aexit__"),
    "context-manager": ("__enter__", "__exit__"),
    "async-iterator": ("__aiter__", "__anext__"),
    "iterator": ("__iter__", "__next__"),
}
