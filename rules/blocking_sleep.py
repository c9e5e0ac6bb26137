"""AL201 blocking-sleep: ``time.sleep()`` inside ``async def``."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import async_library, awaited, call_text, module_reference
from asynclint.facts.blocking import BLOCKING_CALL
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.facts.tests import INTENDED_TO_BLOCK
from asynclint.rule import Example, Rule


class BlockingSleep(Rule):
    """
    ## What it does
    Finds calls to `time.sleep()` that run inside an `async def`, however `time` or `sleep` was
    imported (`import time as t`, `from time import sleep as nap`), including async generators,
    comprehensions inside the coroutine and nested `async def`s. Code in a nested sync `def`,
    a `lambda` or a class body is not reported (it runs elsewhere), nor is `time.sleep` passed as
    a value to a thread (`asyncio.to_thread(time.sleep, 1)`, `loop.run_in_executor(None,
    time.sleep, 1)`).

    A call of one of the project's sync functions that reaches `time.sleep()` (directly or a few
    calls down, across modules) is reported too, at the call in the coroutine, with the chain
    in the message: `load_config() -> read_file() -> open()`. A helper handed to a thread
    (`asyncio.to_thread(load_config)`) is not a call and stays silent. A helper whose result
    is memoised (`functools.cache`, `lru_cache`, `cached_property`, cachetools' decorators) is
    not followed, even one cached per argument: such helpers are memoised so that the event
    loop may call them, with a few arguments known in advance, and are often warmed while
    their module is imported, so the blocking work is done once, not on each call. In the
    real projects these rules are checked on, every call of a memoised helper that blocks was
    of this kind: reporting them would ask for changes nobody needs.

    ## Why is this bad?
    An event loop runs one thing at a time. `time.sleep()` does not yield to it: for the whole
    duration every other task, callback, timeout and connection of the process is frozen.
    `asyncio.sleep()` (or `trio.sleep()`, `anyio.sleep()`) suspends only the current task.

    ## Example
    ```python
    import time


    async def poll(client):
        while not await client.ready():
            time.sleep(0.5)
    ```

    ## Use instead
    ```python
    import asyncio


    async def poll(client):
        while not await client.ready():
            await asyncio.sleep(0.5)
    ```
    In a module that uses trio or anyio, the fix uses `trio.sleep` or `anyio.sleep`.

    A `# noqa: ASYNC251` written for flake8-async or ruff silences this rule too.

    ## Fix safety
    The fix is unsafe: it changes scheduling. Other tasks now run during the pause, which is the
    point, but code that relied on nothing else happening meanwhile (shared state read before
    and written after the sleep) may behave differently. No fix is offered inside a generator
    expression, where `await` would turn it into an async generator.

    No fix is offered where the code blocks on purpose: under `pytest.raises(...)`, inside a
    checkpoint or blocking assertion (`with trio.testing.assert_no_checkpoints():`), in a test
    named for blocking (`test_blocking_io`, a module `test_block_io.py`, a decorator such as
    `@pytest.mark.skip_blockbuster`), in a function whose name says it blocks
    (`block_event_loop`), or where a comment on the call's line says the blocking is meant
    (it speaks of blocking or of a purpose, or names the call: `# time.sleep is a more
    challenging scenario`). The finding stays; an `await` there would make such a test fail.
    """

    code = "AL201"
    name = "blocking-sleep"
    summary = "`time.sleep()` blocks the event loop inside `async def`"
    fix_applicability = Applicability.UNSAFE
    noqa_aliases = ("ASYNC251",)  # flake8-async and ruff: blocking sleep in async function
    requires = (QUALIFIED_NAME, BLOCKING_CALL, INTENDED_TO_BLOCK)

    invalid = (
        Example(
            dedent("""\
                import time

                async def poll():
                    time.sleep(1)  # error: AL201
            """),
            fixed=dedent("""\
                import time
                import asyncio

                async def poll():
                    await asyncio.sleep(1)
            """),
        ),
        Example(
            dedent("""\
                from time import sleep as nap
                import trio

                async def poll():
                    nap(0.1)  # error: AL201
            """),
            fixed=dedent("""\
                from time import sleep as nap
                import trio

                async def poll():
                    await trio.sleep(0.1)
            """),
        ),
        dedent("""\
            import time as t

            async def ticks():
                for i in range(3):
                    yield [t.sleep(i) for _ in range(2)]  # error: AL201
        """),
        dedent("""\
            import time

            def outer():
                async def inner():
                    time.sleep(1)  # error: AL201
                return inner
        """),
    )
    valid = (
        dedent("""\
            import asyncio

            async def poll():
                await asyncio.sleep(1)
        """),
        dedent("""\
            import time

            def poll():
                time.sleep(1)
        """),
        dedent("""\
            import asyncio, time

            async def poll():
                await asyncio.to_thread(time.sleep, 1)
        """),
        dedent("""\
            import time

            async def poll():
                def worker():
                    time.sleep(1)
                return worker
        """),
        dedent("""\
            import time

            async def poll(loop):
                await loop.run_in_executor(None, lambda: time.sleep(1))
        """),
        dedent("""\
            import time

            async def poll():
                class Retry:
                    delay = time.sleep(0)
        """),
        dedent("""\
            import asyncio

            async def poll():
                def sleep(x): ...
                sleep(1)
        """),
        dedent("""\
            from asyncio import sleep

            async def poll():
                await sleep(1)
        """),
        dedent("""\
            import time

            async def poll(time):
                time.sleep(1)
        """),
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if not context.in_async_function:
            return
        if self.ask(QUALIFIED_NAME, node.func) != "time.sleep":
            self._through_helper(node)
            return
        if context.blocking.family_of("time.sleep") is None:
            return  # listed in allow-blocking-calls
        library = async_library(context.module_scope)
        self.report(
            node,
            f"`{call_text(context.module, node)}` blocks the event loop inside `async def`; "
            f"use `await {library}.sleep()`",
            self._fix(node, library),
        )

    def _through_helper(self, node: cst.Call) -> None:
        """A project sync function that sleeps, called from the coroutine."""
        found = self.ask(BLOCKING_CALL, node)
        if found is not None and found.chain and found.family.name == "sleep":
            call = call_text(self.context.module, node)
            library = async_library(self.context.module_scope)
            self.report(
                node,
                f"`{call}` blocks the event loop through a sync helper: {found.chain_text()}; "
                f"make the helper async and use `await {library}.sleep()`",
            )

    def _fix(self, node: cst.Call, library: str) -> Fix | None:
        if self.context.enclosing(cst.GeneratorExp) is not None:
            return None
        if self.ask(INTENDED_TO_BLOCK, node):
            return None
        reference, imports = module_reference(self.context.module_scope, library)
        call = node.with_changes(
            func=cst.Attribute(value=cst.parse_expression(reference), attr=cst.Name("sleep"))
        )
        parent = self.context.parent
        if isinstance(parent, cst.Await):  # `await time.sleep(1)`: only the callee changes
            return Fix(f"Use `{library}.sleep()`", ((node, call),), Applicability.UNSAFE, imports)
        replacement = awaited(node, parent, call)
        return Fix(
            f"Replace with `await {library}.sleep()`",
            ((node, replacement),),
            Applicability.UNSAFE,
            imports,
        )
