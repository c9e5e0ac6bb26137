"""AL502 get-event-loop-in-coroutine: ``asyncio.get_event_loop()`` where a loop surely runs."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import module_reference, source_of
from asynclint.facts.callers import ONLY_CALLED_FROM_COROUTINES
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.roles import GET_EVENT_LOOP, POLICY_GETTERS
from asynclint.rule import Example, Rule


class GetEventLoopInCoroutine(Rule):
    """
    ## What it does
    Finds `asyncio.get_event_loop()` (also through `asyncio.get_event_loop_policy()`) called
    where a running loop is certain, and the removed `asyncio.Task.current_task()` and
    `asyncio.Task.all_tasks()` class methods there: inside an `async def`, and in a private
    module-level sync function (`def _helper():`) that, by the project index, only
    coroutines of the project call (it is never taken as a value, called at module level, from
    a nested function or from sync code).

    ## Why is this bad?
    `get_event_loop()` guesses: outside a running loop it may create a loop, warn
    (deprecated since Python 3.10-3.12) or raise (3.14). Inside a coroutine the loop is running
    for sure, and `asyncio.get_running_loop()` says so: it returns the same loop, never creates
    one, and fails loudly if the code is ever moved somewhere without a running loop.
    `Task.current_task()` and `Task.all_tasks()` were removed in Python 3.9.

    ## Example
    ```python
    import asyncio


    async def read(path):
        loop = asyncio.get_event_loop()
        return await loop.run_in_executor(None, open, path)
    ```

    ## Use instead
    ```python
    import asyncio


    async def read(path):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, open, path)
    ```

    ## Fix safety
    The fix is safe: inside a coroutine the running loop is the one `get_event_loop()` returns,
    and `asyncio.current_task()`/`asyncio.all_tasks()` do what the removed methods did.
    """

    code = "AL502"
    silent_where_expected_to_fail = True
    name = "get-event-loop-in-coroutine"
    summary = "`asyncio.get_event_loop()` inside a coroutine; use `asyncio.get_running_loop()`"
    fix_applicability = Applicability.SAFE
    requires = (QUALIFIED_NAME, ONLY_CALLED_FROM_COROUTINES)

    invalid = (
        Example(
            dedent("""\
                import asyncio

                async def main():
                    loop = asyncio.get_event_loop()  # error: AL502
            """),
            fixed=dedent("""\
                import asyncio

                async def main():
                    loop = asyncio.get_running_loop()
            """),
        ),
        Example(
            dedent("""\
                from asyncio import get_event_loop

                async def main(job):
                    await get_event_loop().run_in_executor(None, job)  # error: AL502
            """),
            fixed=dedent("""\
                from asyncio import get_event_loop
                import asyncio

                async def main(job):
                    await asyncio.get_running_loop().run_in_executor(None, job)
            """),
        ),
        Example(
            dedent("""\
                import asyncio

                def _loop():
                    return asyncio.get_event_loop()  # error: AL502

                async def main():
                    return _loop()
            """),
            fixed=dedent("""\
                import asyncio

                def _loop():
                    return asyncio.get_running_loop()

                async def main():
                    return _loop()
            """),
        ),
        Example(
            dedent("""\
                import asyncio

                async def main():
                    return asyncio.Task.current_task()  # error: AL502
            """),
            fixed=dedent("""\
                import asyncio

                async def main():
                    return asyncio.current_task()
            """),
        ),
    )
    valid = (
        dedent("""\
            import asyncio

            def _loop():
                return asyncio.get_event_loop()

            async def main():
                return _loop()

            def sync_main():
                return _loop()
        """),
        dedent("""\
            import asyncio

            async def main():
                loop = asyncio.get_running_loop()
        """),
        dedent("""\
            import asyncio

            def main():
                loop = asyncio.get_event_loop()
        """),
        dedent("""\
            import asyncio

            async def main():
                def later():
                    return asyncio.get_event_loop()
                return later
        """),
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if node.args:
            return
        func = node.func
        resolved = self.ask(QUALIFIED_NAME, func)
        replacement = None
        if resolved in GET_EVENT_LOOP:
            replacement = "get_running_loop"
        elif resolved in ("asyncio.Task.current_task", "asyncio.Task.all_tasks"):
            replacement = resolved.rsplit(".", 1)[-1]
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value == "get_event_loop"
            and isinstance(func.value, cst.Call)
            and self.ask(QUALIFIED_NAME, func.value.func) in POLICY_GETTERS
        ):
            replacement = "get_running_loop"
        if replacement is None:
            return
        where = "inside a coroutine"
        if not context.in_async_function:
            # Asked only for the calls in question: the first answer reads the whole project.
            helper = self._helper_of_coroutines()
            if helper is None:
                return
            where = f"in `{helper}()`, which only coroutines call"
        reference, imports = module_reference(context.module_scope, "asyncio")
        new_func = cst.parse_expression(f"{reference}.{replacement}")
        what = source_of(context.module, func)
        self.report(
            node,
            f"`{what}()` {where}: use `asyncio.{replacement}()`"
            + (", which returns the running loop" if replacement == "get_running_loop" else ""),
            Fix(
                f"Use `asyncio.{replacement}()`",
                ((func, new_func),),
                Applicability.SAFE,
                imports,
            ),
        )

    def _helper_of_coroutines(self) -> str | None:
        """The name of the module-level sync function being walked, when the project index
        says only coroutines call it (then a loop is running whenever it runs)."""
        context = self.context
        scope = context.scope
        if (
            scope.kind != "function"
            or len(context.scopes) != 2
            or not isinstance(scope.node, cst.FunctionDef)
        ):
            return None
        if not self.ask(ONLY_CALLED_FROM_COROUTINES, scope.node):
            return None
        return scope.node.name.value
