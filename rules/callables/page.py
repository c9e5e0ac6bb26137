"""AL503's documentation page and examples."""

from __future__ import annotations

import textwrap

from asynclint.rule import Example

PAGE = """
## What it does
Finds a function of the wrong kind passed to an API that calls it:

- a coroutine function (or an async generator function, an object whose `__call__` is
  `async def`, a `functools.partial` of one, a `lambda` that only calls one) where a sync
  callable is expected: `asyncio.to_thread`, `loop.run_in_executor`,
  `threading.Thread(target=...)`, `threading.Timer`, `executor.submit`/`map`,
  `trio`/`anyio` `to_thread.run_sync` and `from_thread.run_sync`, `loop.call_soon`/
  `call_soon_threadsafe`/`call_later`/`call_at`/`add_signal_handler`/`add_reader`/
  `add_writer`, `add_done_callback`,
  `signal.signal`, `atexit.register`, `filter`, `sorted`/`min`/`max(key=...)`; a
  coroutine object there is reported too;
- a coroutine function passed uncalled where a coroutine is expected: `asyncio.run`,
  `asyncio.create_task`, `ensure_future`, `gather`, `wait_for`, `shield`,
  `run_coroutine_threadsafe`, `loop.run_until_complete`, `loop.create_task`, a
  `TaskGroup`'s `create_task`;
- a coroutine object where an async function is expected: `trio.run`, `anyio.run`,
  `from_thread.run`, a nursery's or task group's `start_soon`/`start`; and a function
  surely sync (it returns no awaitable) there.

The API is recognised by its resolved name, or by its receiver: an event loop (from
`get_running_loop()`, an annotation, the project index, or a receiver named `loop`), an
executor, a task group (from its annotation or the `async with` that opened it). A
`start_soon` and an `add_done_callback` on an unknown receiver count too: the names are
specific. `map(coroutine_function, ...)` is not reported: `gather(*map(fetch, urls))` is
a common, correct idiom.

## Why is this bad?
Calling a coroutine function only creates a coroutine. A thread or a callback that calls
one gets a coroutine back and drops it: the work never happens, and Python at most warns
`coroutine ... was never awaited` (asyncio's loop methods raise `TypeError` for some
cases, but only when the line runs). A key function that returns coroutines makes
`filter` keep everything and `sorted` fail. The other way round, `asyncio.run(main)` and
`trio.run(main())` fail at run time, and `start_soon(sync_function)` fails in the task.

## Example
```python
import asyncio
import trio


async def fetch(url): ...


async def crawl(url):
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, fetch, url)


async def main(): ...


trio.run(main())
```

## Use instead
```python
import asyncio
import trio


async def fetch(url): ...


async def crawl(url):
    await fetch(url)


async def main(): ...


trio.run(main)
```

## Fix safety
Only a coroutine object passed where an async function is expected has a fix: pass the
function and its positional arguments instead (`trio.run(main, 1)` for
`trio.run(main(1))`), offered when the call has no keyword or starred arguments and is the
last positional argument. It is unsafe: the function is now called by the library, later
(in the new task) rather than on this line. No other case has a fix: what the code should
do instead (call the function, wrap it, move it to the loop) depends on the program.
"""

INVALID = (
    textwrap.dedent("""\
        import asyncio

        async def fetch(url): ...

        async def crawl(url):
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, fetch, url)  # error: AL503
    """),
    textwrap.dedent("""\
        import asyncio

        async def fetch(url): ...

        async def crawl(url):
            await asyncio.to_thread(fetch, url)  # error: AL503
    """),
    textwrap.dedent("""\
        import threading

        async def serve(): ...

        threading.Thread(target=serve).start()  # error: AL503
    """),
    textwrap.dedent("""\
        import asyncio

        async def tick(): ...

        def schedule(loop: asyncio.AbstractEventLoop):
            loop.call_soon(lambda: tick())  # error: AL503
    """),
    textwrap.dedent("""\
        import asyncio

        async def main(): ...

        asyncio.run(main)  # error: AL503
    """),
    Example(
        textwrap.dedent("""\
            import trio

            async def main(): ...

            trio.run(main())  # error: AL503
        """),
        fixed=textwrap.dedent("""\
            import trio

            async def main(): ...

            trio.run(main)
        """),
    ),
    textwrap.dedent("""\
        import anyio

        def work() -> None: ...

        async def main():
            async with anyio.create_task_group() as tg:
                tg.start_soon(work)  # error: AL503
    """),
)

VALID = (
    textwrap.dedent("""\
        import asyncio

        def read(path): ...

        async def main(path):
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, read, path)
    """),
    textwrap.dedent("""\
        import asyncio

        async def main(): ...

        asyncio.run(main())
    """),
    textwrap.dedent("""\
        import trio

        async def fetch(url): ...

        async def main(url):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(fetch, url)
    """),
    textwrap.dedent("""\
        import asyncio

        async def fetch(url): ...

        async def main(urls):
            await asyncio.gather(*map(fetch, urls))
    """),
    textwrap.dedent("""\
        import trio

        async def fetch(url): ...

        def later(url):
            return fetch(url)

        async def main(url):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(later, url)
    """),
    textwrap.dedent("""\
        async def fetch(): ...

        def schedule(scheduler):
            scheduler.call_soon(fetch)
    """),
)
