"""AL401's documentation page and examples."""

from __future__ import annotations

import textwrap

from asynclint.rule import Example

PAGE = """
## What it does
Finds two or more statements in one block, each awaiting a call (`x = await
fetch_user(uid)`, `await load_config()`, annotated or augmented assignments too), where no
later call's arguments, receiver or callee use what an earlier statement bound or changed,
and the calls do not share a receiver. It reports each later statement of such a run.

It is deliberately conservative, because order often matters:
- both callees must be named for reading (`get_*`, `fetch_*`, `load_*`, `read_*`,
  `query_*`, `find_*`, `list_*`, `search_*` ...): a `save()`, `send()` or `create()` may have
  effects the next call relies on;
- calls on one receiver (`conn.fetch(); conn.fetch()`, `self.get_a(); self.get_b()`), on
  receivers named like connections, sessions, cursors, streams, queues, sockets, locks or
  channels, and awaits inside `async with lock:`/transactions are ordered and never
  reported;
- statements in between may only log or compute plain values that do not read an earlier
  result; anything else ends the run.

## Why is this bad?
Each `await` waits for its call to finish before the next one starts, so independent
requests take the sum of their latencies instead of the longest one: three 100 ms requests
take 300 ms in a row and about 100 ms together.

Sequential order is right when a later call relies on an effect of an earlier one (a write
then a read, a login then a request), when both use one connection or stream, when a
server or rate limit must not see them at once, or when the second should not run if the
first fails. Then silence the line with `# noqa: AL401` (on the reported statement), a
whole function with `# noqa: AL401` on its `def` line, or a file with `per-file-ignores`.

## Example
```python
async def fetch_user(uid): ...


async def fetch_orders(uid): ...


async def profile(uid):
    user = await fetch_user(uid)
    orders = await fetch_orders(uid)
    return user, orders
```

## Use instead
```python
import asyncio


async def fetch_user(uid): ...


async def fetch_orders(uid): ...


async def profile(uid):
    user, orders = await asyncio.gather(fetch_user(uid), fetch_orders(uid))
    return user, orders
```
With trio or anyio, start the calls in a nursery or task group and collect the results.

## Fix safety
The fix, for asyncio modules, merges adjacent statements that assign single names (or
discard their results) into one `asyncio.gather()`, binding the same names. It is unsafe:
the calls now run at the same time and in no fixed order, and when one raises the others
keep running and the names are not bound. No fix is offered when statements stand in
between, when comments would be lost, or in trio and anyio modules.
"""


def _source(text: str) -> str:
    return textwrap.dedent(text)


INVALID: tuple[Example | str, ...] = (
    Example(
        _source("""\
            async def fetch_user(uid): ...

            async def fetch_orders(uid): ...

            async def profile(uid):
                user = await fetch_user(uid)
                orders = await fetch_orders(uid)  # error: AL401
                return user, orders
            """),
        fixed=_source("""\
            import asyncio

            async def fetch_user(uid): ...

            async def fetch_orders(uid): ...

            async def profile(uid):
                user, orders = await asyncio.gather(fetch_user(uid), fetch_orders(uid))
                return user, orders
            """),
    ),
    _source("""\
        import logging

        async def get_a(): ...

        async def get_b(): ...

        async def main():
            a = await get_a()
            logging.info('got a')
            b = await get_b()  # error: AL401
            return a, b
        """),
)
VALID: tuple[Example | str, ...] = (
    _source("""\
        async def fetch_user(uid): ...

        async def fetch_orders(user): ...

        async def profile(uid):
            user = await fetch_user(uid)
            orders = await fetch_orders(user)
            return orders
        """),
    _source("""\
        async def main(conn):
            a = await conn.fetch('a')
            b = await conn.fetch('b')
            return a, b
        """),
    _source("""\
        async def save(x): ...

        async def load(x): ...

        async def main(x):
            await save(x)
            return await load(x)
        """),
    _source("""\
        import asyncio

        async def get_a(): ...

        async def get_b(): ...

        async def main(lock):
            async with lock:
                a = await get_a()
                b = await get_b()
            return a, b
        """),
    _source("""\
        import asyncio

        async def get_a(): ...

        async def main():
            a = await get_a()
            await asyncio.sleep(1)
            b = await get_a()
        """),
    _source("""\
        async def get_a(): ...

        async def get_b(x): ...

        async def main():
            a = await get_a()
            x = a + 1
            b = await get_b(x)
        """),
)
