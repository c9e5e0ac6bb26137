"""The pages of AL205-AL207: thread waits, console input and database calls."""

from __future__ import annotations

from textwrap import dedent

from asynclint.rules.blocking_calls.base import BlockingCallRule


class BlockingThreadSyncCall(BlockingCallRule):
    """
    ## What it does
    Finds waits on thread synchronisation inside `async def`: `acquire`/`wait` on
    `threading.Lock`, `RLock`, `Semaphore`, `Condition`, `Event` and `Barrier`,
    `Thread.join`, `queue.Queue.get/put/join`, `concurrent.futures.Future.result`,
    `concurrent.futures.wait`, and multiprocessing pools and queues. A call that returns at
    once (`acquire(blocking=False)`, `get(block=False)`, `get_nowait()`) is not reported, nor
    is `put` on a `queue.Queue()` made without `maxsize` (a local, a module-level name or a
    `self` attribute bound only to such queues): an unbounded queue never waits for room.
    Nor is `result()` (or `exception()`) of a future that the function shows finished first:
    it registers a done callback on it (and waits for what the callback sets), asks
    `future.done()`, or hands it to `asyncio.wrap_future`/`wait`.

    <<chains>>

    ## Why is this bad?
    These wait for another thread or process. The event loop's thread waits with them, so
    nothing else runs, and if the other side needs the event loop to make progress the wait
    never ends: a deadlock.

    ## Example
    ```python
    import threading

    lock = threading.Lock()


    async def update(state):
        lock.acquire()
        try:
            state.version += 1
        finally:
            lock.release()
    ```

    ## Use instead
    ```python
    import asyncio

    lock = asyncio.Lock()


    async def update(state):
        async with lock:
            state.version += 1
    ```
    Use `asyncio.Queue`, `asyncio.Event`, `await asyncio.wrap_future(future)` for a
    `concurrent.futures.Future`, or wait in a thread with `await asyncio.to_thread(...)`.

    <<thread fix>>
    """

    code = "AL205"
    name = "blocking-thread-sync-call"
    summary = "A wait on a thread lock, event, queue or future inside `async def`"
    family = "thread-sync"
    invalid = (
        dedent("""\
            import threading

            lock = threading.Lock()

            async def f():
                lock.acquire()  # error: AL205
        """),
        dedent("""\
            import queue

            async def f(q: queue.Queue):
                return q.get()  # error: AL205
        """),
    )
    valid = (
        dedent("""\
            import threading

            lock = threading.Lock()

            async def f():
                return lock.acquire(blocking=False)
        """),
        dedent("""\
            import queue

            async def f(q: queue.Queue):
                return q.get_nowait()
        """),
        dedent("""\
            import queue

            results = queue.Queue()

            async def f(item):
                results.put(item)
        """),
        dedent("""\
            import asyncio

            async def f(lock: asyncio.Lock):
                await lock.acquire()
        """),
    )


class BlockingConsoleCall(BlockingCallRule):
    """
    ## What it does
    Finds reads from the console inside `async def`: `input()`, `getpass.getpass()` and
    `sys.stdin.read`/`readline`/`readlines`.

    <<chains>>

    ## Why is this bad?
    Reading the console waits for a person. Until they press Enter, the event loop is frozen:
    no timer fires, no connection is served.

    ## Example
    ```python
    async def confirm():
        return input("Continue? ") == "y"
    ```

    ## Use instead
    ```python
    import asyncio


    async def confirm():
        return await asyncio.to_thread(input, "Continue? ") == "y"
    ```
    With trio or anyio: `await trio.to_thread.run_sync(input, ...)`, `await
    anyio.to_thread.run_sync(input, ...)`.

    <<thread fix>>
    """

    code = "AL206"
    name = "blocking-console-input"
    summary = "Reading the console (input, sys.stdin) inside `async def`"
    family = "console"
    noqa_aliases = ("ASYNC250",)
    invalid = (
        dedent("""\
            async def f():
                return input('name? ')  # error: AL206
        """),
    )
    valid = (
        dedent("""\
            import asyncio

            async def f():
                return await asyncio.to_thread(input, 'name? ')
        """),
        dedent("""\
            def f():
                return input('name? ')
        """),
    )


class BlockingDatabaseCall(BlockingCallRule):
    """
    ## What it does
    Finds calls of blocking database drivers inside `async def`: `sqlite3`, `psycopg2` and
    psycopg's sync API, `pymysql`, the sync `redis` client, `pymongo`, and SQLAlchemy's sync
    `Session`/`Engine`/`Connection`: connecting, executing, committing, fetching from a
    server-side cursor. The async clients (`redis.asyncio`, `asyncpg`, `motor`, psycopg's
    `AsyncConnection`) are not reported.

    <<chains>>

    ## Why is this bad?
    Each query waits for the database server with the event loop's thread; under load the
    whole service serialises behind the slowest query.

    ## Example
    ```python
    import redis

    cache = redis.Redis()


    async def cached(key):
        return cache.get(key)
    ```

    ## Use instead
    ```python
    import redis.asyncio

    cache = redis.asyncio.Redis()


    async def cached(key):
        return await cache.get(key)
    ```
    Use the driver's async counterpart (`asyncpg`, `redis.asyncio`, `motor`, `aiosqlite`,
    SQLAlchemy's `AsyncSession`) or run the query in a thread with `await
    asyncio.to_thread(...)`.

    <<thread fix>>
    """

    code = "AL207"
    name = "blocking-database-call"
    summary = (
        "A blocking database driver call (sqlite3, psycopg2, redis, pymongo ...) in `async def`"
    )
    family = "database"
    invalid = (
        dedent("""\
            import sqlite3

            async def f(path):
                return sqlite3.connect(path)  # error: AL207
        """),
        dedent("""\
            import redis

            cache = redis.Redis()

            async def f(key):
                return cache.get(key)  # error: AL207
        """),
    )
    valid = (
        dedent("""\
            import redis.asyncio

            cache = redis.asyncio.Redis()

            async def f(key):
                return await cache.get(key)
        """),
        dedent("""\
            import sqlite3

            def f(path):
                return sqlite3.connect(path)
        """),
    )
