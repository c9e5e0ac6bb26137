"""AL503 callable-mismatch: a callable of the wrong colour passed to an API that calls it.

Some APIs call the function they are given from plain code: a thread (`asyncio.to_thread`,
`loop.run_in_executor`, `threading.Thread`, an executor), a loop callback (`loop.call_soon`,
`add_done_callback`, a signal handler, `atexit`), or a key function (`filter`, `sorted(key=)`).
Given a coroutine function they only create a coroutine that nothing awaits. Others want a
coroutine (`asyncio.run`, `create_task`, `gather`), or an async function and its arguments
(`trio.run`, `nursery.start_soon`). Which API is called comes from the resolved name, or from
the type of the receiver (an event loop, an executor, a task group); what the argument is comes
from the shared facts (``CALL_KIND``, ``NEVER_AWAITABLE``). When either is unsure, the rule
stays silent.

- ``rule``: the rule; ``apis``: the APIs it knows and where they take the callable;
- ``messages``: the messages' parts and the fix; ``page``: the documentation and examples.
"""

from __future__ import annotations

from asynclint.rules.callables.rule import CallableMismatch

__all__ = ["CallableMismatch"]
