"""AL102 unused-coroutine: a coroutine stored in a local variable nobody uses."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst

from asynclint.diagnostics import Fix
from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.kinds import COROUTINE
from asynclint.rule import Context, Example
from asynclint.rules.missing_await.common import MissingAwaitRule, await_fix, describe_call
from asynclint.rules.missing_await.holders import (
    AttributeStores,
    LocalContainers,
    added_values,
    awaitable_in,
    is_fresh_container,
    private_attribute,
)
from asynclint.syntax.scopes import Scope, is_read


class UnusedCoroutine(MissingAwaitRule):
    """
    ## What it does
    Finds a coroutine (or another awaitable) stored in a local variable that the function
    never uses afterwards: never awaited, returned, passed on, scheduled or stored. Also a
    coroutine stored on a private attribute (`self._pending = fetch()`) that nothing in the
    module reads, a coroutine put in a container made in the function (`jobs[key] =
    fetch()`, `jobs.append(fetch())`) that is never read otherwise (returned, passed,
    iterated), and a list of coroutines stored in a local that is never used. A public
    attribute may be read by other modules, and a container that is read may be gathered:
    neither is reported. Where the stored coroutine is used as a value instead, AL103 reports
    that use.

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
    summary = "A coroutine stored in a variable, attribute or container is never awaited or used"
    requires = (AWAITABLE_KIND, QUALIFIED_NAME)

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
        dedent("""\
            async def fetch(): ...

            class Poller:
                def __init__(self):
                    self._pending = fetch()  # error: AL102
        """),
        dedent("""\
            async def fetch(url): ...

            async def main(urls):
                jobs = {}
                for url in urls:
                    jobs[url] = fetch(url)  # error: AL102
                return len(urls)
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
        dedent("""\
            import asyncio

            async def fetch(url): ...

            async def main(urls):
                coros = []
                for url in urls:
                    coros.append(fetch(url))
                await asyncio.gather(*coros)
        """),
        dedent("""\
            async def fetch(): ...

            class Poller:
                def __init__(self):
                    self.pending = fetch()
        """),
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Per function scope: the locals assigned a coroutine -> (the call, message, fix).
        self.candidates: dict[Scope, dict[str, tuple[cst.Call, str, Fix | None]]] = {}
        # Function scopes where a candidate is assigned twice: too subtle to judge.
        self.unsure: set[Scope] = set()
        # Per function scope: the names declared ``global`` or ``nonlocal``.
        self.declared: dict[Scope, set[str]] = {}
        self.containers = LocalContainers()
        self.attributes = AttributeStores()

    # --- stores -------------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._assigned(node, node.targets[0].target, node.value)
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.containers.assigned(self.context.scope, target.target.value, fresh=False)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node, node.target, node.value)

    def _assigned(
        self, statement: cst.CSTNode, target: cst.BaseExpression, value: cst.BaseExpression
    ) -> None:
        scope = self.context.scope
        if scope.kind != "function":
            return
        if isinstance(target, cst.Name):
            self._local(statement, scope, target.value, value)
            return
        if not isinstance(value, cst.Call) or self.ask(AWAITABLE_KIND, value) != COROUTINE:
            return
        message = describe_call(self.context, value, COROUTINE)
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.containers.stored(scope, target.value.value, value, message)
        attribute = private_attribute(target)
        if attribute is not None:
            fix = await_fix(self, value, statement)
            self.attributes.stores.append((attribute, value, message, fix))

    def _local(
        self, statement: cst.CSTNode, scope: Scope, name: str, value: cst.BaseExpression
    ) -> None:
        qualified = self.ask(QUALIFIED_NAME, value.func) if isinstance(value, cst.Call) else None
        self.containers.assigned(scope, name, is_fresh_container(value, qualified))
        found = awaitable_in(self, value)
        if found is None:
            return
        call, kind, built = found
        candidates = self.candidates.setdefault(scope, {})
        if name in candidates:
            self.unsure.add(scope)
        # Message and fix are made here, where the context is the assignment's.
        message = describe_call(self.context, call, kind)
        if built:
            candidates[name] = (call, f"{message} is built into {built} `{name}`", None)
        else:
            fix = await_fix(self, call, statement)
            candidates[name] = (call, f"{message} is stored in `{name}`", fix)

    def visit_Expr(self, node: cst.Expr) -> None:
        added = added_values(node)
        if added is None or not self.containers.follows(self.context.scope, added[0]):
            return
        for value in added[1]:
            if isinstance(value, cst.Call) and self.ask(AWAITABLE_KIND, value) == COROUTINE:
                message = describe_call(self.context, value, COROUTINE)
                self.containers.stored(self.context.scope, added[0], value, message)

    def visit_Global(self, node: cst.Global) -> None:
        self.declared.setdefault(self.context.scope, set()).update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.declared.setdefault(self.context.scope, set()).update(n.name.value for n in node.names)

    # --- reads --------------------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.containers.watched:
            self.containers.seen(node.value, self.context.ancestors)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = node.attr.value
        if name.startswith("_") and is_read(self.context.ancestors):
            self.attributes.read.add(name)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.attributes.saw_string(node, self.context.parent)

    def visit_Call(self, node: cst.Call) -> None:
        self.attributes.saw_call(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.attributes.saw_definition(node.name.value)

    # --- judgement ----------------------------------------------------------------------------
    def end_of_scope(self, scope: Scope) -> None:
        if scope.kind == "module":
            for attribute, call, message, fix in self.attributes.unread():
                self.report(
                    call,
                    f"{message} is stored in `self.{attribute}`, which nothing in this module "
                    "reads",
                    fix,
                )
            return
        declared = self.declared.pop(scope, set())
        self._unused_locals(scope, declared)
        for name, call, message in self.containers.unread(scope, declared):
            self.report(call, f"{message} is put in `{name}`, which is never read")

    def _unused_locals(self, scope: Scope, declared: set[str]) -> None:
        candidates = self.candidates.pop(scope, {})
        if scope in self.unsure:
            self.unsure.discard(scope)
            return
        for name, (call, message, fix) in candidates.items():
            if not scope.is_used(name) and name not in declared:
                self.report(call, f"{message}, which is never used", fix)
