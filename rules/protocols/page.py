"""AL505's documentation page and examples."""

from __future__ import annotations

import textwrap

PAGE = """
## What it does
Finds the sync and async protocols mixed up:

- `with` on an object that only supports `async with` (an `asyncio.Lock`, an
  `asyncio.timeout()`, an `aiohttp.ClientSession`, an `httpx.AsyncClient`, a task group,
  an `@asynccontextmanager` function, a class of the project with only `__aenter__`), and
  `async with` on one that only supports `with` (`open()`, `threading.Lock()`,
  `trio.move_on_after()`, an `@contextmanager` function); `with`/`async with` on the
  coroutine of an `async def` function or on an undecorated async generator; `with`/`async
  with` on a literal (`async with 3:`, `with [a, b]:`); `async with` on an object of a class
  the index reads whole (no decorator, metaclass or `__getattr__` in it or its bases) that
  defines neither `__aenter__` nor `__aexit__`, only one of them, one the statement cannot
  call (`async def __aenter__(self, timeout)`, `__aexit__ = None`), or writes them as plain
  `def`s that return no awaitable (`def __aenter__(self): return self`);
- a plain `for` (or comprehension) over an async generator or another async iterator, or
  such a call handed to a builtin that iterates synchronously (`list(agen())`, `sorted()`,
  `sum()`, `set()` ...), and
  `async for` over a plain iterable (a list, a string, `range()`, a plain generator, an
  object with only `__iter__` or `__getitem__`, a name bound to a display such as
  `hosts = ["a", "b"]`, a value annotated `Iterable[...]`, `Sequence[...]`, `Mapping[...]`),
  over an object of a class read whole that has no `__aiter__` or one the loop cannot call,
  or over the coroutine of an `async def` function;
- `@contextmanager` on an `async def` generator, `@asynccontextmanager` on a plain one;
- a plain `def` method, returning nothing awaitable, that overrides an `async def` of the
  nearest base defining it (a class that makes several of its base's coroutine methods
  plain is a sync flavour of it on purpose, and is left alone), and an `async def` method
  that overrides a plain `def` which the base's own sync methods call as a statement
  (`self.flush()`), unless the class overrides those callers too;
- `async def __init__`, and `async def` versions of special methods that Python calls
  synchronously (`__enter__`, `__exit__`, `__iter__`, `__next__`, `__await__`, and an
  `__aiter__` that does not `yield`).

What an object supports comes from the project index and the library table: the kind of a
call, and the protocol methods of a class through its bases. A method defined under an `if`
or `try` in the class body counts as defined. Classes with both the sync and the async
protocol, objects of unknown type and calls of unknown kind are never reported.

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

INVALID = (
    textwrap.dedent("""\
        import asyncio

        lock = asyncio.Lock()

        async def main():
            with lock:  # error: AL505
                pass
    """),
    textwrap.dedent("""\
        async def main(path):
            async with open(path) as f:  # error: AL505
                return f.read()
    """),
    textwrap.dedent("""\
        async def rows():
            yield 1

        def main():
            return [r for r in rows()]  # error: AL505
    """),
    textwrap.dedent("""\
        async def main():
            async for i in range(3):  # error: AL505
                print(i)
    """),
    textwrap.dedent("""\
        async def fetch_rows(): ...

        async def main():
            async for row in fetch_rows():  # error: AL505
                print(row)
    """),
    textwrap.dedent("""\
        from contextlib import contextmanager

        @contextmanager  # error: AL505
        async def connect():
            yield
    """),
    textwrap.dedent("""\
        class Client:
            async def __init__(self):  # error: AL505
                pass
    """),
    textwrap.dedent("""\
        class Resource:
            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                pass

        def use():
            with Resource():  # error: AL505
                pass
    """),
)

VALID = (
    textwrap.dedent("""\
        import asyncio

        lock = asyncio.Lock()

        async def main():
            async with lock:
                pass
    """),
    textwrap.dedent("""\
        import threading

        lock = threading.Lock()

        async def main():
            with lock:
                pass
    """),
    textwrap.dedent("""\
        import contextlib

        async def main():
            async with contextlib.AsyncExitStack() as stack:
                pass
    """),
    textwrap.dedent("""\
        async def rows():
            yield 1

        async def main():
            return [r async for r in rows()]
    """),
    textwrap.dedent("""\
        async def main(source):
            async for item in source:
                print(item)
    """),
    textwrap.dedent("""\
        class Both:
            def __enter__(self): ...
            def __exit__(self, *exc): ...
            async def __aenter__(self): ...
            async def __aexit__(self, *exc): ...

        async def main():
            async with Both():
                pass
            with Both():
                pass
    """),
    textwrap.dedent("""\
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def connect():
            yield
    """),
    textwrap.dedent("""\
        class Stream:
            async def __aiter__(self):
                yield 1
    """),
    textwrap.dedent("""\
        from plugins import Base

        class Resource(Base):
            async def __aenter__(self):
                return self

        def use():
            with Resource():
                pass
    """),
)
