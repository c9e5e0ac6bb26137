"""AL102 unused-coroutine: a coroutine stored in a local variable nobody uses."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.diagnostics import Fix
from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.rule import Context, Example
from asynclint.rules.missing_await.common import MissingAwaitRule, await_fix, describe_call
from asynclint.syntax.scopes import Scope


class UnusedCoroutine(MissingAwaitRule):
    """
    ## What it does
    Finds a coroutine (or another awaitable) stored in a local variable that the function
    never uses afterwards: never awaited, returned, passed on, scheduled or stored.

    ## Why is this bad?
    Storing a coroutine does not run it. A variable that is never read again means the
    coroutine is dropped when the function returns: the work never happens, and Python at most
    warns `coroutine ... was never awaited` at garbage collection.

    ## Example
    ```python
    async def refresh(cache): ...


    async def handler(cache):
        result = refresh(cache)
        return "ok"
    ```

    ## Use instead
    ```python
    async def refresh(cache): ...


    async def handler(cache):
        result = await refresh(cache)
        return "ok"
    ```

    ## Fix safety
    <<fix safety>>
    """

    code = "AL102"
    name = "unused-coroutine"
    summary = "A coroutine stored in a variable is never awaited or used"
    requires = (AWAITABLE_KIND,)

    invalid = (
        Example(
            dedent("""\
                async def fetch(): ...

                async def main():
                    data = fetch()  # error: AL102
                    return 1
            """),
            fixed=dedent("""\
                async def fetch(): ...

                async def main():
                    data = await fetch()
                    return 1
            """),
        ),
        dedent("""\
            async def fetch(): ...

            def main():
                pending = fetch()  # error: AL102
        """),
    )
    valid = (
        dedent("""\
            async def fetch(): ...

            async def main():
                coro = fetch()
                await coro
        """),
        dedent("""\
            async def fetch(): ...

            def main():
                coro = fetch()
                return coro
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                coros = fetch()
                await asyncio.gather(coros)
        """),
        dedent("""\
            async def fetch(): ...

            async def main():
                coro = fetch()
                def later():
                    return coro
                return later
        """),
        dedent("""\
            async def fetch(): ...

            async def main():
                coro = fetch()
                return locals()
        """),
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Per function scope: the locals assigned a coroutine -> (the call, message, fix).
        self.candidates: dict[Scope, dict[str, tuple[cst.Call, str, Fix | None]]] = {}
        # Function scopes where a candidate is assigned twice: too subtle to judge.
        self.unsure: set[Scope] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._assigned(node, node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node, node.target, node.value)

    def _assigned(
        self, statement: cst.CSTNode, target: cst.BaseExpression, value: cst.BaseExpression
    ) -> None:
        scope = self.context.scope
        if scope.kind != "function" or not isinstance(target, cst.Name):
            return
        if not isinstance(value, cst.Call):
            return
        kind = self.ask(AWAITABLE_KIND, value)
        if kind is None:
            return
        candidates = self.candidates.setdefault(scope, {})
        if target.value in candidates:
            self.unsure.add(scope)
        # Message and fix are made here, where the context is the assignment's.
        message = describe_call(self.context, value, kind)
        candidates[target.value] = (value, message, await_fix(self, value, statement))

    def end_of_scope(self, scope: Scope) -> None:
        candidates = self.candidates.pop(scope, {})
        if scope in self.unsure:
            self.unsure.discard(scope)
            return
        for name, (call, message, fix) in candidates.items():
            if not scope.is_used(name):
                self.report(call, f"{message} is stored in `{name}`, which is never used", fix)
