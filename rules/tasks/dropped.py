"""AL301 dropped-task: a task created and dropped at once (fire-and-forget)."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability
from asynclint.facts.resolution import QUALIFIED_NAME, Instance
from asynclint.facts.tasks import TASK_CREATION, TaskCreation
from asynclint.knowledge.roles import GROUP_OPENERS, GROUP_TYPES
from asynclint.rule import Rule
from asynclint.rules.tasks.common import described
from asynclint.rules.tasks.examples import DROPPED_INVALID, DROPPED_VALID
from asynclint.rules.tasks.fix import keep_reference_fix


def group_in_scope(rule: Rule) -> tuple[str, str] | None:
    """``(name, method)`` of a task group or nursery the current node can use: one opened by an
    enclosing ``async with`` of this function, or a parameter annotated as one."""
    context = rule.context
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
            break
        if not isinstance(ancestor, cst.With) or ancestor.asynchronous is None:
            continue
        for item in ancestor.items:
            opener = item.item.func if isinstance(item.item, cst.Call) else None
            method = GROUP_OPENERS.get(rule.ask(QUALIFIED_NAME, opener) or "") if opener else None
            if method and item.asname and isinstance(item.asname.name, cst.Name):
                return item.asname.name.value, method
    function = context.scope.node if context.scope.kind == "function" else None
    if isinstance(function, cst.FunctionDef):
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            meaning = context.lookup(param.name.value)
            if isinstance(meaning, Instance) and meaning.type in GROUP_TYPES:
                return param.name.value, GROUP_TYPES[meaning.type]
    return None


class DroppedTask(Rule):
    """
    ## What it does
    Finds a task that is created and dropped at once: the result of `asyncio.create_task()`,
    `asyncio.ensure_future()` (of a coroutine), `asyncio.Task(...)` or `loop.create_task()`
    used as a statement of its own, assigned to `_`, or built into a list that is dropped.
    The loop may come from `asyncio.get_running_loop()`/`get_event_loop()`, a parameter or
    attribute annotated `asyncio.AbstractEventLoop`, an attribute whose type the project index
    knows (`self.loop`, `bot.loop`), or a receiver named `loop`. The project's own functions
    that return a task they just created (`def spawn(coro): return asyncio.create_task(coro)`)
    count too, across modules. Inside `async def`, a dropped
    `asyncio.run_coroutine_threadsafe()` future is reported as well.

    A task group's `create_task()` and a nursery's `start_soon()` are not reported: the group
    keeps the task and waits for it.

    ## Why is this bad?
    The event loop keeps only a weak reference to a task. Once the statement is done nothing
    else refers to it, so the task can be garbage-collected before it finishes ("Task was
    destroyed but it is pending!"), and if it raises, the exception is never retrieved: at
    best a "Task exception was never retrieved" line appears in the log, long after the
    fact. A dropped future from `run_coroutine_threadsafe()` loses the coroutine's result and
    exception in the same way.

    ## Example
    ```python
    import asyncio


    async def notify(user): ...


    async def handle(user):
        asyncio.create_task(notify(user))
    ```

    ## Use instead
    Keep a strong reference until the task is done, as the asyncio documentation recommends:
    ```python
    import asyncio

    _background_tasks: set[asyncio.Task] = set()


    async def notify(user): ...


    async def handle(user):
        task = asyncio.create_task(notify(user))
        _background_tasks.add(task)
        task.add_done_callback(_background_tasks.discard)
    ```
    Better still, where the caller can wait, use a task group (`asyncio.TaskGroup`, a trio
    nursery, an anyio task group): it holds the tasks and reports their errors.

    A `# noqa: RUF006` written for ruff silences this rule too.

    ## Fix safety
    The fix keeps the task in a module-level set (created after the imports if missing) and
    removes it when it is done. It is unsafe: the task now runs to completion where before it
    might have been collected, and its exception is still only logged by the loop, not
    handled. When a task group or nursery is in scope no fix is offered; the message says to
    use it. No fix is offered for a dropped `run_coroutine_threadsafe()` future or a
    dropped list of tasks: what should happen to their results depends on the program.
    """

    code = "AL301"
    name = "dropped-task"
    summary = "A task is created and its reference dropped (fire-and-forget)"
    fix_applicability = Applicability.UNSAFE
    requires = (TASK_CREATION, QUALIFIED_NAME)
    noqa_aliases = ("RUF006",)  # asyncio-dangling-task in ruff
    invalid = DROPPED_INVALID
    valid = DROPPED_VALID

    def visit_Expr(self, node: cst.Expr) -> None:
        value = node.value
        created = self.ask(TASK_CREATION, value)
        if created is not None:
            self._report(value, created)
            return
        if isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            created = self.ask(TASK_CREATION, value.elt)
            if created is not None:
                self.report(
                    value.elt,
                    f"The tasks from {described(self.context.module, created)} are collected "
                    "into a value that is dropped: nothing keeps them, so they can be "
                    "garbage-collected before they finish and their exceptions are never "
                    "retrieved; keep the list and await it (`asyncio.gather(*tasks)`), or use "
                    "a task group",
                )

    def visit_Assign(self, node: cst.Assign) -> None:
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and node.targets[0].target.value == "_"
            and self.context.scope.kind == "function"
        ):
            created = self.ask(TASK_CREATION, node.value)
            if created is not None:
                self._report(node.value, created)

    def _report(self, node: cst.BaseExpression, created: TaskCreation) -> None:
        context = self.context
        what = described(context.module, created)
        if created.threadsafe:
            self.report(
                node,
                f"The future from {what} is dropped: the coroutine's result and exception are "
                "lost; keep the future and handle its outcome (`await "
                "asyncio.wrap_future(future)` or `future.add_done_callback(...)`)",
            )
            return
        lost = (
            f"The task from {what} is dropped: nothing keeps a reference, so it can "
            "be garbage-collected before it finishes and its exception is never retrieved"
        )
        group = group_in_scope(self)
        if group is not None:
            name, method = group
            self.report(
                node,
                f"{lost}; a task group is in scope: start it with `{name}.{method}(...)`, "
                "which holds the task and reports its errors",
            )
            return
        fix = keep_reference_fix(context, node) if isinstance(node, cst.Call) else None
        self.report(
            node,
            f"{lost}; keep a reference until it is done (a set of background tasks and "
            "`add_done_callback(set.discard)`), await it, or use a task group",
            fix,
        )
