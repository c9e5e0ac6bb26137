"""AL401's documentation page and examples."""

from __future__ import annotations

import textwrap

from asynclint.rule import Example

PAGE = """
## What it does
Finds two or more statements in a row, in one block, each awaiting one call and keeping its
result (`user = await fetch_user(uid)`, `self.settings = await load_settings()`,
`items.append(await fetch_items(uid))`), whose calls could run at the same time. It reports
the run once, on its first statement, naming the calls.

Calls are independent when no statement reads what another binds, and none of these holds
(each keeps the run silent):
- the calls share a resource: one receiver (`api.get_a(); api.get_b()`, `self.get_a();
  self.get_b()`), one object handed to both (`get_a(conn); get_b(conn)`, `power(device);
  reserve(device)`), or objects made from one (`resp = await client.get(); await
  resp.json()`). Plain values (identifiers, strings, numbers) may be shared;
- a call is made on, or handed, something that serialises: a connection, cursor, stream,
  websocket, queue, lock or channel, by its type where known (the tables, a project class
  named so or guarding itself with a lock) and by its name otherwise;
- a callee the project index can read changes module state, or never suspends (an `async
  def` with no `await`: there is nothing to overlap);
- a call paces or moves an object through its life (`sleep`, `acquire`, `connect`,
  `login`, `close`, `setup`), or its result is dropped (a call made for its effect);
- the callee is not surely a coroutine function (a parameter, an unknown library method);
- the run is inside `async with lock:` or a transaction, or a comment in it speaks of order,
  rate limits or concurrency.

Statements in between may only log or compute plain values that do not read an earlier
result; anything else ends the run.

This rule is off by default (right about nine times in ten on real projects, below the
bar for default rules): enable it with `--select AL4`, `extend-select = ["AL4"]`, or a
selection that names it (`select = ["AL"]`, `["AL401"]`).

## Why is this bad?
Each `await` waits for its call to finish before the next one starts, so independent
requests take the sum of their latencies instead of the longest one: three 100 ms requests
take 300 ms in a row and about 100 ms together.

Sequential order is right when a later call relies on an effect of an earlier one (a write
then a read, a login then a request), when both use one connection or stream, when a
server or rate limit must not see them at once, or when the second should not run if the
first fails. Then silence the finding with `# noqa: AL401` on the reported statement, a
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
The fix, for asyncio modules, merges adjacent statements that each assign the awaited call
to a single name into one `asyncio.gather()`, binding the same names. It is unsafe: the
calls now run at the same time and in no fixed order, and when one raises the others keep
running and the names are not bound. No fix is offered when statements stand in between,
when a result goes into a larger expression or a container, when comments would be lost,
or in trio and anyio modules.
"""


def _source(text: str) -> str:
    return textwrap.dedent(text)


INVALID: tuple[Example | str, ...] = (
    Example(
        _source("""\
            async def fetch_user(uid): ...

            async def fetch_orders(uid): ...

            async def profile(uid):
                user = await fetch_user(uid)  # error: AL401
                orders = await fetch_orders(uid)
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
            a = await get_a()  # error: AL401
            logging.info('got a')
            b = await get_b()
            return a, b
        """),
)
VALID: tuple[Example | str, ...] = (
    _source("""\
        async def read_a(conn): ...

        async def read_b(conn): ...

        async def main(conn):
            a = await read_a(conn)
            b = await read_b(conn)
            return a, b
        """),
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
