"""AL402's documentation page and examples."""

from __future__ import annotations

import textwrap

from asynclint.rule import Example

PAGE = """
## What it does
Finds a `for` loop inside `async def` whose iterations await work that no other iteration
depends on, so the items could be handled at the same time: a fan-out over devices, peers,
users, keys, pages or batches. The main target is a loop whose awaited call's receiver or
arguments are the loop's item (`await device.async_update()`, `await client.get(url)`,
`await self.fetch(key)`), whatever the call is named. The body may hold several awaits,
`async with` of per-item resources (`async with session.get(url) as response:`),
`try`/`except` around the awaits (handlers that log, `continue`, `pass` or raise an error
of their own), `if`/`elif`/`else`, `continue`, logging, plain computation, calls on the
item, and results collected with `append`/`extend`/`add`/`update`, `+=`, `results[key] =`
or `item.attr =`, awaits inside larger expressions included
(`results.append(parse(await fetch(url)))`). The same goes for
`[await fetch(x) for x in xs]`, `{await fetch(x) for x in xs}` and
`{k: await fetch(k) for k in ks}`, reported on the statement that holds them.

A loop stays silent when anything ties its iterations together:
- a value carried from one iteration to the next (`cursor = await fetch(cursor)`), a
  container the loop fills and also reads (`if key in seen`), a result read after the loop
  (only the last one would stay), an attribute of a shared object assigned
  (`self.last = await ...`), a `break` or `return`, a `raise` outside an `except` handler,
  a nested loop (the inner one is judged on its own), `async for`, `for ... else`;
- a shared resource that serialises: a call on, or handed, a connection, cursor, stream,
  websocket, queue, lock, channel or transaction (by type where known, by a project class
  named so or guarding itself with a lock, by name otherwise), an `async with` of something
  every item shares (a lock, a semaphore, a limiter), or the loop inside one;
- a callee the project index can read that changes module state, or assigns attributes of
  a receiver every item shares, or never suspends;
- pacing and order: `sleep`, `acquire`, `wait_*`, `get_next`, `gather` per batch, protocol
  methods (`__aexit__`), items that are attempts, events, messages, commands, chunks, steps,
  callbacks or hooks (by their names), `reversed(...)`, a comment in or above the loop that
  speaks of order, rate limits or concurrency;
- one destination getting the items in turn: an effect (`send`, `post`, `set_*`,
  `delete`, `write` ...) on a receiver every item shares (`channel.send(page)`), or a
  function named so with shared arguments beside the item;
- a call that is the same for every item (`await client.ping()`), or an unknown method of
  the `self` every item shares.

This rule is off by default (right about nine times in ten on real projects, below the
bar for default rules): enable it with `--select AL4`, `extend-select = ["AL4"]`, or a
selection that names it (`select = ["AL"]`, `["AL402"]`).

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
read twice); `results = []` directly followed by a loop whose body is
`results.append(await f(x))` (or `r = await f(x)` then `results.append(r)`); and a loop
whose whole body is one `await f(x)` whose result is dropped, which becomes
`await asyncio.gather(*(f(x) for x in xs))`. The loop binds its variable (and `r`) and the
rewrite does not, so the loop fixes are offered only when those names are not used anywhere
else in the function. Other loops (several awaits, `try`/`except`, `async with`, `if`
branches) that fill no container of the function become a coroutine per item, defined just
before and gathered: `async def _each_peer(peer): <the body>` then
`await asyncio.gather(*(_each_peer(peer) for peer in peers))`, with `continue` turned into
`return`, so each item keeps its own exception handling; a `raise` in a handler now stops
only that item's coroutine while the others run on. Loops that collect results otherwise
(`+=`, `results[key] =`, `.extend()`) get the advice only: their entries would arrive in
the order the items finish. A long generator goes on a line of its own inside `gather(...)`;
a comprehension whose `gather()` would be too long for one line (over 80 characters) gets
the advice only, since it stands inside an expression.
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
        async def main(channel, pages):
            for page in pages:
                await channel.send(page)
        """),
    _source("""\
        async def main(client, page):
            for _ in range(10):
                page = await client.get_page(page.next)
        """),
    _source("""\
        async def main(handlers, event):
            for handler in handlers:
                await handler(event)
        """),
)
