"""AL302 unused-task: a task kept only in a local variable nobody uses (or a loop overwrites)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.facts.tasks import TASK_CREATION, TaskCreation
from asynclint.rule import Context, Rule
from asynclint.rules.tasks.common import described
from asynclint.rules.tasks.examples import UNUSED_INVALID, UNUSED_VALID
from asynclint.syntax.nodes import iter_children
from asynclint.syntax.scopes import Scope


@dataclass
class _Stored:
    """A task stored in a local variable, and the loop whose iterations overwrite it."""

    call: cst.BaseExpression
    created: TaskCreation
    loop: cst.CSTNode | None
    references_in_loop: int = 0


def _exits_early(body: cst.CSTNode) -> bool:
    """Whether a loop body holds a ``break`` or ``return`` of its own (not of a nested loop
    or function)."""
    stack = list(iter_children(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Break, cst.Return, cst.Raise)):
            return True
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.For, cst.While)):
            continue
        stack.extend(iter_children(node))
    return False


class UnusedTask(Rule):
    """
    ## What it does
    Finds a task (created as described under AL301) stored in a local variable that the
    function never uses afterwards: never awaited, cancelled, stored elsewhere, returned,
    passed on or given a done callback. Also a task created in a loop into a variable that is
    overwritten on every iteration and used only after the loop: only the last task is kept.

    ## Why is this bad?
    A local variable is no reference once the function returns (or once the next iteration
    rebinds it). From then on the task has only the event loop's weak reference: it can be
    garbage-collected mid-flight and its exception is never retrieved. The earlier tasks of a
    loop are also never awaited or cancelled, which is rarely what the code meant.

    ## Example
    ```python
    import asyncio


    async def fetch(url): ...


    async def crawl(urls):
        for url in urls:
            task = asyncio.create_task(fetch(url))
        await task
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch(url): ...


    async def crawl(urls):
        tasks = [asyncio.create_task(fetch(url)) for url in urls]
        await asyncio.gather(*tasks)
    ```

    ## Fix safety
    No fix is offered: whether the task should be awaited, collected or cancelled depends on
    the program.
    """

    code = "AL302"
    name = "unused-task"
    summary = "A task stored in a local variable is never used (or overwritten in a loop)"
    requires = (TASK_CREATION,)
    invalid = UNUSED_INVALID
    valid = UNUSED_VALID

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Per function scope: the task variables, and what each holds.
        self.stored: dict[Scope, dict[str, _Stored]] = {}
        # Per function scope: names too subtle to judge (global, nonlocal, assigned twice).
        self.unsure: dict[Scope, set[str]] = {}

    def end_of_scope(self, scope: Scope) -> None:
        stored = self.stored.pop(scope, {})
        unsure = self.unsure.pop(scope, set())
        if scope.introspected:
            return
        for name, item in stored.items():
            if name in unsure:
                continue
            what = described(self.context.module, item.created)
            if not scope.is_used(name):
                self.report(
                    item.call,
                    f"The task from {what} is stored in `{name}`, which is never used: once "
                    "the function returns nothing keeps the task, so it can be "
                    "garbage-collected before it finishes and its exception is never "
                    "retrieved; await it, keep it, or add a done callback",
                )
            elif item.loop is not None and item.references_in_loop == 0:
                self.report(
                    item.call,
                    f"The task from {what} is stored in `{name}`, which the next iteration "
                    "overwrites: only the last task is used after the loop, the others are "
                    "never awaited and can be garbage-collected mid-flight; collect the "
                    "tasks in a list (or a task group)",
                )

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._assigned(node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def visit_Global(self, node: cst.Global) -> None:
        self._unsure().update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._unsure().update(n.name.value for n in node.names)

    def _unsure(self) -> set[str]:
        return self.unsure.setdefault(self.context.scope, set())

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        scope = self.context.scope
        if scope.kind != "function" or not isinstance(target, cst.Name):
            return
        created = self.ask(TASK_CREATION, value)
        if created is None or target.value == "_":
            return
        stored = self.stored.setdefault(scope, {})
        if target.value in stored:
            self._unsure().add(target.value)  # assigned twice: too subtle to judge
        stored[target.value] = _Stored(value, created, self._loop())

    def _loop(self) -> cst.CSTNode | None:
        """The innermost loop of this function whose body holds the current node, if its
        iterations cannot end early (a ``break`` or ``return`` may stop after one task)."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return None
            if isinstance(ancestor, (cst.For, cst.While)):
                return None if _exits_early(ancestor.body) else ancestor
        return None

    def visit_Name(self, node: cst.Name) -> None:
        """Count the uses of a task variable inside the loop that overwrites it."""
        if not self.stored:
            return
        for scope in reversed(self.context.scopes):
            stored = self.stored.get(scope, {}).get(node.value)
            if stored is None:
                continue
            parent = self.context.parent
            if isinstance(parent, (cst.AssignTarget, cst.AnnAssign)) and parent.target is node:
                return  # the assignment itself
            if stored.loop is not None and any(a is stored.loop for a in self.context.ancestors):
                stored.references_in_loop += 1
            return
