"""AL402's documentation page and examples."""

from __future__ import annotations

import textwrap

from asynclint.rule import Example

PAGE = """
## What it does
Finds a `for` loop inside `async def` that awaits one call per item, one after another,
where the iterations do not depend on each other: the awaited call is named for reading
(`fetch_*`, `get_*`, `load_*`, `query_*` ...), its receiver is not a queue, stream,
connection, session, lock or limiter, its arguments read only the loop variable and names
the loop does not change, and the result is collected into a list, set or dict, stored on
the item, or dropped. Besides that one await the body may only log, skip items
(`if not url: continue`) and collect conditionally (`if page: pages.append(page)`). The
same goes for `[await fetch(x) for x in xs]`, `{await fetch(x) for x in xs}` and
`{k: await fetch(k) for k in ks}`, reported on the statement that holds them.

A loop stays silent when anything suggests the order matters: a second await (an
`asyncio.sleep()` between requests, a lock, a queue), a `break`, `return`, `raise` or
`try`, a value carried from one iteration to the next (`total += await f(x)`,
`page = await fetch(page.next)`, only the last result kept), a call that writes (`save`,
`send`, `insert`, `update`, `get_or_create` ...), a connection or session handed to every
call (`get_user(conn, uid)`), a loop variable named like a retry (`attempt`), an
`async with` in the body, and a loop inside `async with lock:`, a semaphore, a
transaction or a rate limiter.

## Why is this bad?
Each `await` waits for its request to finish before the next one starts, so `n`
independent requests take `n` round trips instead of about one. `asyncio.gather()` (or a
task group) starts them all and waits once.

Sequential order is right when it is intended: to stay under a rate limit or spare a
server, because the calls share one connection or transaction, because a later call
relies on an earlier one's effect, or because the first failure must stop the rest.
`gather()` runs *all* the calls at once; for long lists bound the concurrency with an
`asyncio.Semaphore` acquired inside the coroutine each task runs (a loop that acquires
one around its await is already left alone). When the order is intended, say so with
`# noqa: AL402` at the end of the `for` line (or of the first line of the statement that
holds the comprehension); for a whole function, put `# noqa: AL402` on its `def` line;
for whole files, use `per-file-ignores`.

## Example
```python
async def fetch_user(user_id): ...


async def load_users(ids):
    users = []
    for user_id in ids:
        users.append(await fetch_user(user_id))
    return users
```

## Use instead
```python
import asyncio


async def fetch_user(user_id): ...


async def load_users(ids):
    users = list(await asyncio.gather(*(fetch_user(user_id) for user_id in ids)))
    return users
```

With trio or anyio, start one task per item in a nursery or task group
(`async with trio.open_nursery() as nursery:` / `async with anyio.create_task_group() as
tg:`, then `start_soon(fetch_into, results, user_id)` with a small function that stores
its result); no fix is offered there.

## Fix safety
The fix is unsafe: it changes ordering and error behaviour. The calls run at the same
time and may finish in any order (the results keep the order of the items); when one
raises, `gather()` raises that exception while the other calls keep running, and calls
after a failing one are started anyway, where the loop would have stopped. Only asyncio
code is fixed, and only these forms: a list, set or dict comprehension whose element is
the awaited call (a dict one only when the key is the loop variable, there is no `if`, and
the iterable is a name this function binds only to a list, tuple, set or dict, since it is
read twice), and
`results = []` directly followed by a loop whose body is `results.append(await f(x))` (or
`r = await f(x)` then `results.append(r)`). The loop binds its variable (and `r`) and the
rewrite does not, so the loop fix is offered only when those names are not used anywhere
else in the function.
"""


def _source(text: str) -> str:
    return textwrap.dedent(text)


INVALID: tuple[Example | str, ...] = (
    Example(
        _source("""\
            async def fetch_user(i): ...

            async def main(ids):
                users = []
                for i in ids:  # error: AL402
                    users.append(await fetch_user(i))
                return users
            """),
        fixed=_source("""\
            import asyncio

            async def fetch_user(i): ...

            async def main(ids):
                users = list(await asyncio.gather(*(fetch_user(i) for i in ids)))
                return users
            """),
    ),
    Example(
        _source("""\
            import asyncio

            async def main(client, urls):
                return [await client.get(u) for u in urls]  # error: AL402
            """),
        fixed=_source("""\
            import asyncio

            async def main(client, urls):
                return list(await asyncio.gather(*(client.get(u) for u in urls)))
            """),
    ),
    _source("""\
        async def main(client, ids):
            found = {}
            for i in ids:  # error: AL402
                found[i] = await client.fetch_item(i)
            return found
        """),
)
VALID: tuple[Example | str, ...] = (
    _source("""\
        import asyncio

        async def main(client, ids):
            for i in ids:
                await client.fetch_item(i)
                await asyncio.sleep(1)
        """),
    _source("""\
        async def main(lock, client, ids):
            async with lock:
                for i in ids:
                    await client.fetch_item(i)
        """),
    _source("""\
        async def main(conn, queries):
            return [await conn.fetch(q) for q in queries]
        """),
    _source("""\
        async def main(client, ids):
            for i in ids:
                await client.save(i)
        """),
    _source("""\
        async def main(client, page):
            for _ in range(10):
                page = await client.get_page(page.next)
        """),
    _source("""\
        async def main(client, ids):
            total = 0
            for i in ids:
                total += await client.get_count(i)
        """),
)
