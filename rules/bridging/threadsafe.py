"""AL506 threadsafe-result-deadlock: waiting on the loop's thread for work that loop must do."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.roles import RUNNING_LOOP_GETTERS, THREADSAFE
from asynclint.rule import Context, Rule


class ThreadsafeResultDeadlock(Rule):
    """
    ## What it does
    Finds `asyncio.run_coroutine_threadsafe(coro, loop).result()` inside an `async def` where
    `loop` is the running loop (`asyncio.get_running_loop()`, `asyncio.get_event_loop()`, or a
    local assigned one of them), also when the future is first stored in a variable.

    ## Why is this bad?
    `run_coroutine_threadsafe()` schedules the coroutine on `loop` and `.result()` blocks the
    calling thread until it is done. Called on the loop's own thread, the loop is blocked and
    can never run the coroutine: the program hangs for good (or until the timeout, and then
    the work has not happened).

    ## Example
    ```python
    import asyncio


    async def fetch(): ...


    async def main():
        loop = asyncio.get_running_loop()
        return asyncio.run_coroutine_threadsafe(fetch(), loop).result()
    ```

    ## Use instead
    ```python
    async def fetch(): ...


    async def main():
        return await fetch()
    ```
    `run_coroutine_threadsafe()` is for code running in *another* thread than the loop's.

    ## Fix safety
    No fix is offered.
    """

    code = "AL506"
    silent_where_expected_to_fail = True
    name = "threadsafe-result-deadlock"
    requires = (QUALIFIED_NAME,)
    summary = "`run_coroutine_threadsafe(..., running_loop).result()` on the loop's own thread"

    invalid = (
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                loop = asyncio.get_running_loop()
                return asyncio.run_coroutine_threadsafe(fetch(), loop).result()  # error: AL506
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                future = asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_event_loop())
                return future.result(5)  # error: AL506
        """),
    )
    valid = (
        dedent("""\
            import asyncio

            async def fetch(): ...

            def from_thread(loop):
                return asyncio.run_coroutine_threadsafe(fetch(), loop).result()
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main(other_loop):
                future = asyncio.run_coroutine_threadsafe(fetch(), other_loop)
                return await asyncio.wrap_future(future)
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                loop = asyncio.get_running_loop()
                def work():
                    return asyncio.run_coroutine_threadsafe(fetch(), loop).result()
                return await asyncio.to_thread(work)
        """),
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Per function being walked: names holding the running loop, and names holding a
        # future scheduled on it.
        self.loops: list[set[str]] = []
        self.futures: list[set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.loops.append(set())
        self.futures.append(set())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.loops.pop()
        self.futures.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.loops or not self.context.in_async_function or len(node.targets) != 1:
            return
        target = node.targets[0].target
        if not isinstance(target, cst.Name):
            return
        name = target.value
        self.loops[-1].discard(name)
        self.futures[-1].discard(name)
        value = node.value
        if isinstance(value, cst.Call):
            resolved = self.ask(QUALIFIED_NAME, value.func)
            if resolved in RUNNING_LOOP_GETTERS:
                self.loops[-1].add(name)
            elif self._on_running_loop(value):
                self.futures[-1].add(name)

    def _on_running_loop(self, call: cst.Call) -> bool:
        if self.ask(QUALIFIED_NAME, call.func) not in THREADSAFE:
            return False
        loop = next(
            (a.value for a in call.args if a.keyword and a.keyword.value == "loop"),
            call.args[1].value if len(call.args) > 1 and call.args[1].keyword is None else None,
        )
        if isinstance(loop, cst.Call):
            return self.ask(QUALIFIED_NAME, loop.func) in RUNNING_LOOP_GETTERS
        return isinstance(loop, cst.Name) and bool(self.loops) and loop.value in self.loops[-1]

    def visit_Call(self, node: cst.Call) -> None:
        if not self.context.in_async_function or not self.loops:
            return
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "result":
            return
        future = func.value
        if (isinstance(future, cst.Call) and self._on_running_loop(future)) or (
            isinstance(future, cst.Name) and future.value in self.futures[-1]
        ):
            self.report(
                node,
                "`.result()` waits on the event loop's own thread for a coroutine scheduled on "
                "that same loop: the loop can never run it, so this deadlocks; `await` the "
                "coroutine instead",
            )
