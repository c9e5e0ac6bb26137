"""AL103 coroutine-used-as-value: a coroutine tested, compared, formatted or iterated."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE
from asynclint.knowledge.kinds import COROUTINE
from asynclint.rule import Example
from asynclint.rules.missing_await.common import await_fix, describe_call
from asynclint.rules.missing_await.stored import FollowsStores, key_of, path_root
from asynclint.rules.missing_await.usage import Use, how_used, only_tested
from asynclint.syntax.scopes import is_read


class CoroutineUsedAsValue(FollowsStores):
    """
    ## What it does
    Finds a coroutine (or awaitable) used as if it were the result of the call: tested for
    truth (`if is_ready():`, `while`, `not`, `and`/`or`, `assert`, `bool()`), compared
    (`is None` and `is not None` included; `is` against anything else is left alone),
    formatted or printed (f-strings, `str()`, `print()`, logging calls, `%`), iterated with a
    plain `for`, unpacked (`a, b = fetch()`, `*fetch()`), indexed, read for an attribute the
    result would have (`fetch().json`), asked about with `hasattr()`, `getattr()` or
    `isinstance()`, or passed to a function that needs a value and takes no awaitable
    (`len()`, `sorted()`, `json.dumps()`, `", ".join()` and the other names of a curated list).

    The same holds for a coroutine stored in a variable (a walrus `if (user := fetch_user())
    is not None:` included), an attribute or an item, used later in the function; one
    coroutine is reported once. A test or a message (a use that does not raise) is not
    reported when the coroutine is awaited or handed on afterwards: it is then only redundant.
    A store made on one path only (inside an `if`, a loop, a `try` one of whose handlers may
    carry on) is not followed past it; a store in a `try` whose every handler raises,
    returns, `continue`s or `break`s is.

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
            async def fetch_user(): ...

            async def main():
                if (user := fetch_user()) is not None:  # error: AL103
                    print(user)
        """),
        dedent("""\
            async def fetch_pair(): ...

            async def main():
                low, high = fetch_pair()  # error: AL103
        """),
        dedent("""\
            import json

            async def fetch(): ...

            async def main():
                return json.dumps(fetch())  # error: AL103
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
        dedent("""\
            async def fetch(): ...

            async def main():
                if (coro := fetch()) is not None:
                    await coro
        """),
        dedent("""\
            async def fetch(): ...

            async def main(retry):
                coro = None
                if retry:
                    coro = fetch()
                if coro:
                    await coro
        """),
    )

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        """``if (user := fetch_user()) is not None``: a store and a use at once."""
        self._rebound(node.target)
        record = self._store(node.target, node.value, node)
        parent = self.context.parent
        if record is None or parent is None or isinstance(parent, cst.Expr):
            return
        use = how_used(self, node, parent)
        if use is None:
            record.handed_on = True
            return
        call = node.value
        assert isinstance(call, cst.Call)
        self.used(record, call, use, self._call_message(call, COROUTINE, use))

    # --- uses ---------------------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.watched:
            self._stored_use(node, node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        frame = self.frame
        if frame is not None and frame.paths and node.attr.value in frame.attributes:
            key = key_of(self.context.module, node)
            if key in frame.paths:
                self._stored_use(node, key)
                return
        if is_read(self.context.ancestors) and not only_tested(node, self.context.parent):
            self.read_attributes.add(node.attr.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        frame = self.frame
        if frame is not None and frame.paths and path_root(node) in frame.roots:
            key = key_of(self.context.module, node)
            if key in frame.paths:
                self._stored_use(node, key)

    def _stored_use(self, node: cst.BaseExpression, key: str) -> None:
        """A read of a variable, attribute or item that held a coroutine in this function."""
        context = self.context
        parent = context.parent
        if parent is None or not is_read(context.ancestors):
            return
        frame = self.frames[-1]
        record = frame.get(key)
        if record is None:
            # Not known to hold it here (a path may have skipped the store, or the read is in
            # a nested function): unless only tested, the read may hand it on.
            if not only_tested(node, parent):
                for outer in self.frames:
                    outer.handed_on.add(key)
            return
        use = how_used(self, node, parent)
        if use is None:
            record.handed_on = True
            if record.is_name:
                frame.handed_on.add(key)
            # An attribute read here gets the coroutine stored here, not another method's.
            return
        message = (
            f"`{key}` holds the {record.what} from `{record.callee}()`, not its result, and is "
            f"{use.text}; missing `await` where it was stored?"
        )
        self.used(record, node, use, message)

    def visit_Call(self, node: cst.Call) -> None:
        parent = self.context.parent
        if parent is None or isinstance(parent, (cst.Await, cst.Expr, cst.NamedExpr)):
            return
        use = how_used(self, node, parent)
        if use is None:
            return
        kind = self.ask(AWAITABLE_KIND, node)
        if kind is None or (kind != COROUTINE and not use.any_awaitable):
            return  # a future's own methods (``add_done_callback``) are fine
        self.report(node, self._call_message(node, kind, use), await_fix(self, node))

    def _call_message(self, node: cst.Call, kind: str, use: Use) -> str:
        return (
            f"{describe_call(self.context, node, kind)} is {use.text} instead of its result; "
            "it never runs (missing `await`?)"
        )
