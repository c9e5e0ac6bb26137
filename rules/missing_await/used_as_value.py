"""AL103 coroutine-used-as-value: a coroutine tested, compared, formatted or iterated."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.diagnostics import Fix
from asynclint.edits import source_of
from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE
from asynclint.knowledge.kinds import COROUTINE
from asynclint.rule import Context, Example
from asynclint.rules.missing_await.common import MissingAwaitRule, await_fix, describe_call
from asynclint.rules.missing_await.usage import how_used


class CoroutineUsedAsValue(MissingAwaitRule):
    """
    ## What it does
    Finds a coroutine (or awaitable) used as if it were the result of the call: tested for
    truth (`if is_ready():`, `while`, `not`, `and`/`or`, `assert`, `bool()`), compared,
    formatted or printed (f-strings, `str()`, `print()`, logging calls, `%`), iterated with a
    plain `for`, indexed, or read for an attribute the result would have (`fetch().json`).

    ## Why is this bad?
    A coroutine object is always true, never equal to anything but itself, prints as
    `<coroutine object ...>`, and has none of the result's attributes or items. The condition,
    comparison or message is silently wrong (or raises far from the cause), and the coroutine
    itself never runs.

    ## Example
    ```python
    async def is_ready(service): ...


    async def wait(service):
        if is_ready(service):
            return True
    ```

    ## Use instead
    ```python
    async def is_ready(service): ...


    async def wait(service):
        if await is_ready(service):
            return True
    ```

    ## Fix safety
    <<fix safety>>
    """

    code = "AL103"
    name = "coroutine-used-as-value"
    summary = "A coroutine is used as a value (tested, compared, formatted, iterated, indexed)"
    requires = (AWAITABLE_KIND, QUALIFIED_NAME, VALUE)

    invalid = (
        Example(
            dedent("""\
                async def is_ready(): ...

                async def main():
                    if is_ready():  # error: AL103
                        pass
            """),
            fixed=dedent("""\
                async def is_ready(): ...

                async def main():
                    if await is_ready():
                        pass
            """),
        ),
        Example(
            dedent("""\
                async def fetch(): ...

                async def main():
                    return fetch().json  # error: AL103
            """),
            fixed=dedent("""\
                async def fetch(): ...

                async def main():
                    return (await fetch()).json
            """),
        ),
        dedent("""\
            async def count(): ...

            async def main():
                print(f'{count()} items')  # error: AL103
        """),
        dedent("""\
            async def count(): ...

            def main():
                return count() > 3  # error: AL103
        """),
        dedent("""\
            async def rows(): ...

            async def main():
                for row in rows():  # error: AL103
                    pass
        """),
        dedent("""\
            import logging

            async def status(): ...

            async def main():
                logging.info('status %s', status())  # error: AL103
        """),
    )
    valid = (
        dedent("""\
            async def is_ready(): ...

            async def main():
                if await is_ready():
                    pass
        """),
        dedent("""\
            async def fetch(): ...

            async def main():
                coro = fetch()
                coro.close()
        """),
        dedent("""\
            async def rows(): ...

            async def main():
                async for row in rows():
                    pass
        """),
        dedent("""\
            def is_ready(): ...

            async def main():
                if is_ready():
                    pass
        """),
        dedent("""\
            import asyncio

            async def fetch(): ...

            async def main():
                print(await asyncio.gather(fetch()))
        """),
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Per function being walked: the code of a target that holds a coroutine (``data``,
        # ``self.user``, ``result["a"]``) -> (the callee's code, the fix at the store).
        self.stored: list[dict[str, tuple[str, Fix | None]]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stored.append({})

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stored.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.stored:
            return
        for target in node.targets:
            key = self._key(target.target)
            if key is None:
                continue
            kind = self.ask(AWAITABLE_KIND, node.value)
            # Futures have methods and attributes of their own; only coroutines are tracked.
            if kind != COROUTINE or len(node.targets) != 1 or not isinstance(node.value, cst.Call):
                self.stored[-1].pop(key, None)  # rebound to something else
                continue
            callee = source_of(self.context.module, node.value.func)
            self.stored[-1][key] = (callee, await_fix(self, node.value, node))

    def _key(self, target: cst.BaseExpression) -> str | None:
        if isinstance(target, (cst.Name, cst.Attribute, cst.Subscript)):
            return self.context.module.code_for_node(target.with_changes(lpar=(), rpar=()))
        return None

    def _stored_use(self, node: cst.BaseExpression) -> None:
        """A variable, attribute or item that holds a coroutine, used as if it held the
        result (``user = fetch_user(); user.name``, ``self.data = load(); self.data["k"]``)."""
        if not self.stored or not self.stored[-1]:
            return
        name = node.value if type(node) is cst.Name else self._key(node) or ""
        stored = self.stored[-1].get(name)
        if stored is None:
            return
        parent = self.context.parent
        if parent is None or isinstance(parent, (cst.AssignTarget, cst.Await)):
            return
        usage = how_used(self, node, parent)
        if usage is None:
            return
        callee, fix = stored
        self.report(
            node,
            f"`{name}` holds the coroutine from `{callee}()`, not its result, and is {usage}; "
            "missing `await` where it was stored?",
            fix,
        )

    def visit_Name(self, node: cst.Name) -> None:
        self._stored_use(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._stored_use(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._stored_use(node)

    def visit_Call(self, node: cst.Call) -> None:
        parent = self.context.parent
        if parent is None or isinstance(parent, (cst.Await, cst.Expr)):
            return
        usage = how_used(self, node, parent)
        if usage is None:
            return
        kind = self.ask(AWAITABLE_KIND, node)
        if kind is None or (kind != COROUTINE and usage.startswith(("read for", "indexed"))):
            return  # a future's own methods (``add_done_callback``) are fine
        self.report(
            node,
            f"{describe_call(self.context, node, kind)} is {usage} instead of its result; "
            "it never runs (missing `await`?)",
            await_fix(self, node),
        )
