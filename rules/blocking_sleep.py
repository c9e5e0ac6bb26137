"""AL201 blocking-sleep: ``time.sleep()`` inside ``async def``."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import awaited, source_of
from asynclint.rule import Example, Rule
from asynclint.rules.blocking_calls import blocking_call, chain_text


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
    (`asyncio.to_thread(load_config)`) is not a call and stays silent.

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
    """

    code = "AL201"
    name = "blocking-sleep"
    summary = "`time.sleep()` blocks the event loop inside `async def`"
    fix_applicability = Applicability.UNSAFE
    noqa_aliases = ("ASYNC251",)  # flake8-async and ruff: blocking sleep in async function

    invalid = (
        Example(
            "import time\n\nasync def poll():\n    time.sleep(1)  # error: AL201\n",
            fixed="import time\nimport asyncio\n\nasync def poll():\n    await asyncio.sleep(1)\n",
        ),
        Example(
            "from time import sleep as nap\n"
            "import trio\n"
            "\n"
            "async def poll():\n"
            "    nap(0.1)  # error: AL201\n",
            fixed="from time import sleep as nap\nimport trio\n\n"
            "async def poll():\n    await trio.sleep(0.1)\n",
        ),
        "import time as t\n"
        "\n"
        "async def ticks():\n"
        "    for i in range(3):\n"
        "        yield [t.sleep(i) for _ in range(2)]  # error: AL201\n",
        "import time\n"
        "\n"
        "def outer():\n"
        "    async def inner():\n"
        "        time.sleep(1)  # error: AL201\n"
        "    return inner\n",
    )
    valid = (
        "import asyncio\n\nasync def poll():\n    await asyncio.sleep(1)\n",
        "import time\n\ndef poll():\n    time.sleep(1)\n",
        "import asyncio, time\n\nasync def poll():\n    await asyncio.to_thread(time.sleep, 1)\n",
        "import time\n\nasync def poll():\n    def worker():\n        time.sleep(1)\n"
        "    return worker\n",
        "import time\n\nasync def poll(loop):\n"
        "    await loop.run_in_executor(None, lambda: time.sleep(1))\n",
        "import time\n\nasync def poll():\n    class Retry:\n        delay = time.sleep(0)\n",
        "import asyncio\n\nasync def poll():\n    def sleep(x): ...\n    sleep(1)\n",
        "from asyncio import sleep\n\nasync def poll():\n    await sleep(1)\n",
        "import time\n\nasync def poll(time):\n    time.sleep(1)\n",
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if not context.in_async_function:
            return
        if context.resolve(node.func) != "time.sleep":
            self._through_helper(node)
            return
        if context.blocking.family_of("time.sleep") is None:
            return  # listed in allow-blocking-calls
        library = context.async_library
        self.report(
            node,
            f"`time.sleep()` blocks the event loop inside `async def`; "
            f"use `await {library}.sleep()`",
            self._fix(node, library),
        )

    def _through_helper(self, node: cst.Call) -> None:
        """A project sync function that sleeps, called from the coroutine."""
        if self.context.index is None:
            return
        found = blocking_call(self, node)
        if found is not None and found.chain and found.family.name == "sleep":
            name = source_of(self.context.module, node.func)
            self.report(
                node,
                f"`{name}()` blocks the event loop through a sync helper: {chain_text(found)}; "
                f"make the helper async and use `await {self.context.async_library}.sleep()`",
            )

    def _fix(self, node: cst.Call, library: str) -> Fix | None:
        if self.context.enclosing(cst.GeneratorExp) is not None:
            return None
        reference, imports = self.context.module_reference(library)
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
