"""AL504 await-not-awaitable: ``await`` on something that cannot be awaited."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.edits import source_of
from asynclint.facts.awaitables import REFERENCED_CALL_KIND
from asynclint.facts.resolution import CALL_KIND, NAMES_CLASS, NEVER_AWAITABLE, QUALIFIED_NAME
from asynclint.knowledge.kinds import ASYNC_GENERATOR, COROUTINE, SYNC
from asynclint.rule import Rule
from asynclint.syntax.nodes import LITERAL_TYPES, own_nodes


class AwaitNotAwaitable(Rule):
    """
    ## What it does
    Finds `await` on something that cannot be awaited: the result of a plain function that
    surely returns no awaitable (the project's functions that return nothing or a plainly
    typed value, classes without an `__await__` that `await` can call (none at all,
    `__await__ = None`, one that takes other arguments or is annotated to return a plain
    value), a function whose every `return` constructs such a class, the blocking calls of
    the catalogue such as `time.sleep()` or `requests.get()`, and the sync library calls the
    library table lists as plain, such as `json.loads()`, `writer.close()` on an asyncio
    stream, `sock.recv()`, `response.json()` of httpx or requests, `nursery.start_soon()`), an
    `async def` function
    named without calling it (`await fetch`), an async generator call (`await ticks()`), the
    call of a plain generator function (`await numbers()`), a literal (`await 3`,
    `await [a, b]`), and `yield from` a coroutine inside a plain generator function (one not
    decorated with `@types.coroutine`).
    A library method counts when its receiver's class is known (a constructor, a return type,
    an annotation) and no class of the project that derives from it redefines the method.
    A function annotated `-> NoReturn` or `-> Never` is left alone: the `await` is never
    reached.

    ## Why is this bad?
    It fails at run time: "object NoneType can't be used in 'await' expression", "object
    function can't be used in 'await' expression", "object async_generator can't be used in
    'await' expression". Usually a sync function was taken for async (or was async once), a
    call's parentheses were forgotten, or an async generator was meant to be iterated.

    ## Example
    ```python
    import time


    async def fetch(): ...


    async def main():
        await time.sleep(1)
        await fetch
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch(): ...


    async def main():
        await asyncio.sleep(1)
        await fetch()
    ```

    ## Fix safety
    No fix is offered: whether the callee should become async, the `await` should go, or the
    call is missing its arguments depends on the program.
    """

    code = "AL504"
    silent_where_expected_to_fail = True
    name = "await-not-awaitable"
    summary = "`await` on something that is not awaitable"
    requires = (CALL_KIND, NAMES_CLASS, NEVER_AWAITABLE, REFERENCED_CALL_KIND, QUALIFIED_NAME)

    invalid = (
        dedent("""\
            def save(record):
                print(record)

            async def main(record):
                await save(record)  # error: AL504
        """),
        dedent("""\
            async def fetch(): ...

            async def main():
                await fetch  # error: AL504
        """),
        dedent("""\
            async def ticks():
                yield 1

            async def main():
                await ticks()  # error: AL504
        """),
        dedent("""\
            import time

            async def main():
                await time.sleep(1)  # error: AL504
        """),
        dedent("""\
            import asyncio

            async def greet(name):
                loop = asyncio.get_running_loop()
                await loop.call_soon(print, name)  # error: AL504
        """),
    )
    valid = (
        dedent("""\
            async def fetch(): ...

            async def main():
                await fetch()
        """),
        dedent("""\
            async def fetch(): ...

            def start():
                return fetch()

            async def main():
                await start()
        """),
        dedent("""\
            def start(job):
                return job.run()

            async def main(job):
                await start(job)
        """),
        dedent("""\
            import asyncio

            async def main(task: asyncio.Task):
                await task
        """),
        dedent("""\
            import asyncio

            async def offload(work):
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, work)
                await loop.create_future()
        """),
        dedent("""\
            class Base:
                def run(self):
                    pass

            class Child(Base):
                async def run(self): ...

            async def main(job: Base):
                await job.run()
        """),
    )

    def visit_Await(self, node: cst.Await) -> None:
        context = self.context
        expression = node.expression
        if isinstance(expression, LITERAL_TYPES):
            # (a display of calls, ``await [fetch(u) for u in urls]``, is AL101's: the
            # coroutines in it are never awaited)
            if not any(isinstance(n, cst.Call) for n in own_nodes(expression)):
                self.report(
                    node, "a literal cannot be awaited (it fails at run time); drop the `await`"
                )
            return
        if isinstance(expression, cst.Call):
            kind = self.ask(CALL_KIND, expression)
            if kind not in (None, SYNC, ASYNC_GENERATOR):
                return  # a coroutine, a future, a task: awaitable
            if kind != ASYNC_GENERATOR and not self.ask(NEVER_AWAITABLE, expression.func):
                return
            name = source_of(context.module, expression.func)
            if kind == ASYNC_GENERATOR:
                self.report(
                    node,
                    f"`{name}()` is an async generator: it cannot be awaited; iterate it with "
                    "`async for`",
                )
            elif self.ask(NAMES_CLASS, expression.func):
                advice = (
                    "its class has no `__await__` method that `await` can call (it fails at "
                    "run time); drop the `await`"
                )
                self.report(node, f"`{name}()` makes an object that cannot be awaited: {advice}")
            else:
                self.report(
                    node,
                    f"`{name}()` returns a value that cannot be awaited (it fails at run "
                    "time); drop the `await`, or make the function `async def`",
                )
            return
        if isinstance(expression, (cst.Name, cst.Attribute)):
            kind = self.ask(REFERENCED_CALL_KIND, expression)
            if kind == COROUTINE:
                name = source_of(context.module, expression)
                self.report(
                    node,
                    f"`{name}` is a coroutine function, not a coroutine: awaiting it fails at "
                    f"run time; call it: `await {name}(...)`",
                )

    def visit_From(self, node: cst.From) -> None:
        """``yield from fetch()`` in a plain generator: a coroutine cannot be delegated to
        there (TypeError), only in a ``@types.coroutine`` generator."""
        context = self.context
        parent = context.parent
        call = node.item
        if not isinstance(parent, cst.Yield) or not isinstance(call, cst.Call):
            return
        function = context.scope.node
        if not isinstance(function, cst.FunctionDef) or function.asynchronous is not None:
            return
        if any(self._is_coroutine_decorator(d.decorator) for d in function.decorators):
            return
        if self.ask(CALL_KIND, call) == COROUTINE:
            name = source_of(context.module, call.func)
            self.report(
                parent,
                f"`yield from {name}()` in a plain generator: a coroutine cannot be delegated "
                "to there (TypeError); make the function `async def` and `await` it",
            )

    def _is_coroutine_decorator(self, decorator: cst.BaseExpression) -> bool:
        target = decorator.func if isinstance(decorator, cst.Call) else decorator
        name = self.ask(QUALIFIED_NAME, target) or ""
        return name.rsplit(".", 1)[-1] == "coroutine"
