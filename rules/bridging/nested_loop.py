"""AL501 nested-event-loop: an event loop started inside the running one."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.edits import source_of
from asynclint.facts.loops import EVENT_LOOP
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.facts.runners import RUNNER_CHAIN
from asynclint.knowledge.roles import FORKS, LOOP_RUN_METHODS, REENTRANT_PATCHES, RUNNERS
from asynclint.knowledge.versions import for_target
from asynclint.rule import Context, Rule


class NestedEventLoop(Rule):
    """
    ## What it does
    Finds code that starts an event loop while one is running: `asyncio.run()`, `trio.run()`,
    `anyio.run()`, `loop.run_until_complete()` and `loop.run_forever()` inside an `async def`.
    A call of one of the project's sync functions that reaches such a call (directly or a few
    calls down, across modules) is reported too, at the call in the coroutine, with the chain
    in the message. Code in a nested sync `def` or `lambda` (handed to a thread, say) is not
    reported, nor is a module that imports `nest_asyncio`, which patches asyncio to allow it,
    nor code after `os.fork()` in the same coroutine (the child process has no running loop).

    ## Why is this bad?
    One thread runs one event loop at a time. Inside a coroutine a loop is already running, so
    these calls fail at run time: "asyncio.run() cannot be called from a running event loop",
    "This event loop is already running", "Cannot run the event loop while another loop is
    running". The code was usually written for a script and then called from async code.

    ## Example
    ```python
    import asyncio


    async def fetch(url): ...


    async def handler(url):
        return asyncio.run(fetch(url))
    ```

    ## Use instead
    ```python
    async def fetch(url): ...


    async def handler(url):
        return await fetch(url)
    ```
    A sync helper that must run a coroutine should become `async def` (and be awaited), or be
    handed to a thread (`await asyncio.to_thread(helper)`), where a loop of its own may run.

    ## Fix safety
    No fix is offered: the caller has to become async or the work has to move to a thread,
    and which is right depends on the program.
    """

    code = "AL501"
    silent_where_expected_to_fail = True
    name = "nested-event-loop"
    summary = "An event loop is started inside a running one (`asyncio.run` in `async def`)"
    requires = (QUALIFIED_NAME, EVENT_LOOP, RUNNER_CHAIN)

    invalid = (
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                return asyncio.run(fetch())  # error: AL501
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                loop = asyncio.get_event_loop()
                loop.run_until_complete(fetch())  # error: AL501
        """),
        dedent("""\
            import trio

            async def fetch(): ...

            def fetch_now():
                return trio.run(fetch)

            async def main():
                fetch_now()  # error: AL501
        """),
    )
    valid = (
        dedent("""\
            import asyncio

            async def main(): ...

            if __name__ == '__main__':
                asyncio.run(main())
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            def cli():
                asyncio.run(fetch())
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                await asyncio.to_thread(lambda: asyncio.run(fetch()))
        """),
        dedent("""\
            import asyncio

            import nest_asyncio

            nest_asyncio.apply()

            async def fetch(): ...

            async def main():
                asyncio.run(fetch())
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            def fetch_now():
                return asyncio.run(fetch())

            async def main():
                await asyncio.to_thread(fetch_now)
        """),
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.forked: set[int] = set()  # functions that have called ``os.fork()`` so far
        # Whether the module imports a patch that lets a loop run inside the running one.
        self.patched = any(
            isinstance(q, str) and q.split(".", 1)[0] in REENTRANT_PATCHES
            for q in context.module_scope.bindings.values()
        )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if not context.in_async_function or self.patched:
            return
        func = node.func
        resolved = self.ask(QUALIFIED_NAME, func)
        if resolved in FORKS:
            self.forked.add(id(context.scope.node))
            return
        if id(context.scope.node) in self.forked:
            return  # the child of ``os.fork()`` has no running loop
        if resolved in RUNNERS:
            name = source_of(context.module, func)
            self.report(
                node,
                f"`{name}()` starts an event loop inside a running one and fails at run time; "
                "`await` the coroutine instead",
            )
            return
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in LOOP_RUN_METHODS
            and self.ask(EVENT_LOOP, func.value)
        ):
            name = source_of(context.module, func)
            self.report(
                node,
                f"`{name}()` runs an event loop inside a running one and fails at run time "
                '("This event loop is already running"); `await` the coroutine instead',
            )
            return
        chain = self.ask(RUNNER_CHAIN, node)
        if chain:
            helpers = [f"{n.rsplit('.', 1)[-1]}()" for n in chain[:-1]]
            path = " -> ".join([*helpers, f"{chain[-1]}()"])
            name = source_of(context.module, func)
            self.report(
                node,
                f"`{name}()` starts an event loop inside the running one through a sync "
                f"helper: {path}; it fails at run time. Make the helper `async def` and "
                + for_target(
                    "await it, or run it in a thread (`await asyncio.to_thread(...)`)",
                    context.target_version,
                ),
            )
