"""AL302 unused-task: a task kept only in a local variable nobody uses (or a loop overwrites)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.facts.tasks import TASK_CREATION, TaskCreation
from asynclint.rule import Context, Rule
from asynclint.rules.tasks.common import described
from asynclint.rules.tasks.examples import UNUSED_INVALID, UNUSED_VALID
from asynclint.syntax.nodes import iter_children
from asynclint.syntax.scopes import Scope, reads_go_to

_LOOPS = (cst.For, cst.While)


@dataclass
class _Stored:
    """A task stored in a local variable, the loop whose iterations overwrite it, and the
    loops around that one (in the same function)."""

    call: cst.BaseExpression
    created: TaskCreation
    loop: cst.CSTNode | None
    outer_loops: tuple[cst.CSTNode, ...] = ()
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
    function never uses: never awaited, cancelled, stored elsewhere, returned, passed on or
    given a done callback. Also a task created in a loop into a variable that is overwritten
    on every iteration and used only after the loop: only the last task is kept.

    A read in a nested function, lambda or class body is a use wherever it stands, even
    before the task is created (a closure sees the variable, not its value when defined),
    and so is one through `nonlocal`. A closure defined before the loop may be called on any
    iteration: its reads count as uses in the loop.

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
        # Per function scope: the names that closures defined so far read from it.
        self.read_by_closures: dict[Scope, set[str]] = {}

    def end_of_scope(self, scope: Scope) -> None:
        self._closure_reads(scope)
        stored = self.stored.pop(scope, {})
        unsure = self.unsure.pop(scope, set())
        self.read_by_closures.pop(scope, None)
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
        loops = self._loops()
        item = _Stored(value, created, self._loop(loops), loops)
        if target.value in self.read_by_closures.get(scope, ()):
            item.references_in_loop += 1  # a closure defined earlier may run in the loop
        stored[target.value] = item

    def _loops(self) -> tuple[cst.CSTNode, ...]:
        """The loops of this function around the current node, innermost first."""
        found: list[cst.CSTNode] = []
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                break
            if isinstance(ancestor, _LOOPS):
                found.append(ancestor)
        return tuple(found)

    @staticmethod
    def _loop(loops: tuple[cst.CSTNode, ...]) -> cst.CSTNode | None:
        """The innermost of ``loops``, if its iterations cannot end early (a ``break`` or
        ``return`` may stop after one task)."""
        if not loops or _exits_early(loops[0].body):
            return None
        return loops[0]

    def _closure_reads(self, scope: Scope) -> None:
        """As a nested function, lambda or class body ends: what it reads of the function
        around it. Python closures see the variable, not its value when defined, so a closure
        defined before the loop that stores the task (or in a loop around both) may be
        called on any iteration: its reads count as uses in the loop."""
        if scope.kind == "module":
            return
        reader = reads_go_to(self.context.scopes)
        if reader is None or reader.kind != "function":
            return
        free = scope.free_reads()
        self.read_by_closures.setdefault(reader, set()).update(free)
        stored = self.stored.get(reader, {})
        ancestors = {id(node) for node in self.context.ancestors}
        for name in free & stored.keys():
            item = stored[name]
            if item.loop is not None and any(id(loop) in ancestors for loop in item.outer_loops):
                item.references_in_loop += 1

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
