"""AL501, AL502, AL504, AL506: calling into the event loop the wrong way from async code.

Running a loop inside the running loop, asking for "the" event loop where the running one is
meant, awaiting what cannot be awaited, and waiting on the loop's own thread for work that
loop must do.

- ``nested_loop``: AL501, ``asyncio.run()`` (or a loop's ``run_until_complete``) in a coroutine;
- ``get_event_loop``: AL502, ``asyncio.get_event_loop()`` where a loop surely runs;
- ``await_not_awaitable``: AL504, ``await`` on a plain value, a function or an async generator;
- ``threadsafe``: AL506, ``run_coroutine_threadsafe(..., running_loop).result()``.
"""

from __future__ import annotations

from asynclint.rules.bridging.await_not_awaitable import AwaitNotAwaitable
from asynclint.rules.bridging.get_event_loop import GetEventLoopInCoroutine
from asynclint.rules.bridging.nested_loop import NestedEventLoop
from asynclint.rules.bridging.threadsafe import ThreadsafeResultDeadlock

__all__ = [
    "AwaitNotAwaitable",
    "GetEventLoopInCoroutine",
    "NestedEventLoop",
    "ThreadsafeResultDeadlock",
]
