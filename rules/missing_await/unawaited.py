"""AL101 unawaited-coroutine: a coroutine or awaitable created and dropped at once."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.facts.resolution import PLAIN_FUNCTION, QUALIFIED_NAME
from asynclint.facts.tests import expects_an_error
from asynclint.knowledge.kinds import COROUTINE
from asynclint.rule import Example
from asynclint.rules.missing_await.common import await_fix, describe_call, held_calls
from asynclint.rules.missing_await.displays import AwaitsHeldAwaitables


class UnawaitedCoroutine(AwaitsHeldAwaitables):
    """
    ## What it does
    Finds calls that create a coroutine (a call of an `async def` function or method) or
    another awaitable (the future of `asyncio.gather()`, `loop.run_in_executor()`, an
    `aiohttp` request) as a statement of its own, so that the result is dropped: never
    awaited, run or scheduled. Also a comprehension or conditional expression of such calls
    used as a statement, a list or tuple of them that is awaited (`await [fetch(a),
    fetch(b)]`: a list is not awaitable) and a list of them passed whole to
    `asyncio.gather()`, which takes them one by one. This works across the modules of the
    project (imports, re-exports, `self.method()`, base classes, annotated parameters and
    attributes, objects made by a constructor) and for library APIs, without running a type
    checker. A plain function that hands on a coroutine (`def get(self): return
    self.request()`), called inside `with pytest.raises(...)` (or unittest's
    `assertRaises`), is left alone: it is meant to raise before it gives anything.

    ## Why is this bad?
    Calling a coroutine function does not run it: it only creates a coroutine object. Dropped,
    the code never runs; Python at most prints `RuntimeWarning: coroutine ... was never
    awaited` when the object is garbage-collected, long after the fact. A dropped future runs,
    but its result and any exception are lost. In sync code (a plain function or the module
    level) the coroutine can never be awaited: it needs `asyncio.run()` at the top level, or
    the caller must become `async def`, or it must be scheduled on a running loop. A future
    created in sync code (a callback scheduling work) runs anyway; dropping it is the
    fire-and-forget family (AL3xx) and is not reported here.

    ## Example
    ```python
    async def save(record): ...


    async def handler(record):
        save(record)


    def main():
        handler({"id": 1})
    ```

    ## Use instead
    ```python
    import asyncio


    async def save(record): ...


    async def handler(record):
        await save(record)


    def main():
        asyncio.run(handler({"id": 1}))
    ```

    ## Fix safety
    <<fix safety>>
    In sync code no fix is offered: which of the remedies is right depends on the program.
    Nor for an awaited list (`asyncio.gather()` or a task group are the remedies); a list
    passed to `asyncio.gather()` is unpacked with `*` (unsafe: the awaitables now run).
    """

    code = "AL101"
    name = "unawaited-coroutine"
    summary = "A coroutine or awaitable is created and dropped without being awaited"
    requires = (AWAITABLE_KIND, PLAIN_FUNCTION, QUALIFIED_NAME)

    invalid = (
        Example(
            dedent("""\
                async def fetch(url): ...

                async def main():
                    fetch('https://example.com')  # error: AL101
            """),
            fixed=dedent("""\
                async def fetch(url): ...

                async def main():
                    await fetch('https://example.com')
            """),
        ),
        dedent("""\
            async def main(): ...

            main()  # error: AL101
        """),
        dedent("""\
            class Client:
                async def close(self): ...

                def __del__(self):
                    self.close()  # error: AL101
        """),
        dedent("""\
            import asyncio

            async def poll():
                asyncio.sleep(1)  # error: AL101
        """),
        dedent("""\
            class Store:
                async def put(self, item): ...

            async def save(store: Store, items):
                [store.put(i) for i in items]  # error: AL101
        """),
        dedent("""\
            async def fetch(url): ...

            async def main(a, b):
                await [fetch(a), fetch(b)]  # error: AL101
        """),
        Example(
            dedent("""\
                import asyncio

                async def fetch(url): ...

                async def main(urls):
                    await asyncio.gather([fetch(u) for u in urls])  # error: AL101
            """),
            fixed=dedent("""\
                import asyncio

                async def fetch(url): ...

                async def main(urls):
                    await asyncio.gather(*[fetch(u) for u in urls])
            """),
        ),
        dedent("""\
            import asyncio

            async def work(loop, job):
                loop = asyncio.get_running_loop()
                asyncio.gather(job(), job())  # error: AL101
        """),
    )
    valid = (
        dedent("""\
            async def fetch(): ...

            async def main():
                await fetch()
        """),
        dedent("""\
            import asyncio

            async def main(): ...

            asyncio.run(main())
        """),
        dedent("""\
            async def fetch(): ...

            def later():
                return fetch()
        """),
        dedent("""\
            async def fetch(): ...

            async def main():
                task = asyncio.create_task(fetch())
                await task
        """),
        dedent("""\
            def fetch(): ...

            async def main():
                fetch()
        """),
        dedent("""\
            async def fetch(): ...

            async def main(fetch):
                fetch()
        """),
        dedent("""\
            from unittest.mock import AsyncMock

            mock = AsyncMock()
            mock()
        """),
        dedent("""\
            import registry

            @registry.register
            async def job(): ...

            job()
        """),
        dedent("""\
            import asyncio

            def on_done(loop, work):
                loop = asyncio.get_running_loop()
                loop.run_in_executor(None, work)
        """),
    )

    def visit_Expr(self, node: cst.Expr) -> None:
        value = node.value
        if (
            isinstance(value, cst.Call)
            and self.ask(PLAIN_FUNCTION, value.func)
            and self._expects_an_error()
        ):
            return
        kind = self.ask(AWAITABLE_KIND, value)
        if kind is not None:
            self._report_call(value, kind)
            return
        calls = _dropped_calls(value)
        for call in calls:
            kind = self.ask(AWAITABLE_KIND, call)
            if kind is not None:
                what = describe_call(self.context, call, kind)
                self.report(
                    call, f"{what} is built into a value that is dropped; nothing awaits it"
                )
                return

    def _expects_an_error(self) -> bool:
        """Inside ``with pytest.raises(...)`` (or unittest's ``assertRaises``) the statement is
        meant to raise before it gives anything: a plain function that hands on a coroutine
        may well (a coroutine function called there raises nothing: that is reported)."""
        with_statement = self.context.enclosing(cst.With)
        return isinstance(with_statement, cst.With) and expects_an_error(
            self.context, with_statement
        )

    def _report_call(self, call: cst.Call, kind: str) -> None:
        context = self.context
        what = describe_call(context, call, kind)
        if kind != COROUTINE and not context.in_async_function:
            return  # a future scheduled from sync code runs anyway: that is the AL3xx family
        if context.in_async_function:
            self.report(call, f"{what} is never awaited; add `await`", await_fix(self, call))
        elif context.scope.kind == "function" and context.scope.is_async is False:
            self.report(
                call,
                f"{what} is never run: sync code cannot await it; make this function "
                "`async def` and await it, run it with `asyncio.run()` from the top level, "
                "or schedule it on the running loop (`asyncio.run_coroutine_threadsafe()` "
                "from another thread)",
            )
        else:
            self.report(
                call,
                f"{what} is never run; run it with `asyncio.run(...)` (or your library's "
                "`run`), or await it from async code",
            )


def _dropped_calls(value: cst.BaseExpression) -> list[cst.Call]:
    """Calls whose result a dropped comprehension or conditional expression holds."""
    if isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return held_calls(value)
    if isinstance(value, cst.IfExp):
        return [v for v in (value.body, value.orelse) if isinstance(v, cst.Call)]
    return []
