"""AL301, AL302: tasks whose reference is dropped (fire-and-forget).

The event loop keeps only a weak reference to a task. A task nobody else references can be
garbage-collected before it finishes, and an exception it raises is never retrieved. Which
calls create a task comes from the engine: the standard names (``asyncio.create_task``,
``asyncio.ensure_future``, ``asyncio.Task``), ``create_task`` on an event loop (known from
``get_running_loop()``, an annotation, the project index, or a receiver named ``loop``), and
the project's own functions that return a task they created and kept no other reference to.
A task group's ``create_task`` is never reported: the group holds the task.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.engine import Context, iter_children
from asynclint.index import (
    AWAITABLE,
    AWAITABLE_OBJECT,
    COROUTINE,
    LOOP_NAMES,
    TASK,
    TASK_FACTORIES,
    Instance,
)
from asynclint.rule import Example, Rule

_ENSURE_FUTURE = frozenset({"asyncio.ensure_future", "asyncio.tasks.ensure_future"})
THREADSAFE = frozenset(
    {"asyncio.run_coroutine_threadsafe", "asyncio.tasks.run_coroutine_threadsafe"}
)
# ``create_task`` of a task group: the group holds the task and awaits it.
_GROUP_CREATE_TASK = frozenset(
    {"asyncio.TaskGroup.create_task", "asyncio.taskgroups.TaskGroup.create_task"}
)
# What opens a task group or nursery in ``async with ... as name``, and how to start a task in it.
GROUP_OPENERS = {
    "asyncio.TaskGroup": "create_task",
    "asyncio.taskgroups.TaskGroup": "create_task",
    "trio.open_nursery": "start_soon",
    "anyio.create_task_group": "start_soon",
}
_GROUP_TYPES = {
    "asyncio.TaskGroup": "create_task",
    "asyncio.taskgroups.TaskGroup": "create_task",
    "trio.Nursery": "start_soon",
    "anyio.abc.TaskGroup": "start_soon",
    "anyio.abc._tasks.TaskGroup": "start_soon",
}
_SET_NAME = "_background_tasks"


@dataclass(frozen=True)
class TaskCreation:
    """A call that creates a task (or a concurrent future) the caller alone holds."""

    what: str  # how the message names it: "`asyncio.create_task()`"
    threadsafe: bool = False  # ``run_coroutine_threadsafe``: a concurrent.futures.Future


def task_creation(context: Context, node: cst.BaseExpression) -> TaskCreation | None:
    """What ``node`` creates, when it is a call that creates a task only the caller holds;
    also ``await factory()`` of a project coroutine that returns a fresh task."""
    if isinstance(node, cst.Await):
        call = node.expression
        if not isinstance(call, cst.Call) or context.index is None:
            return None
        callee = context.value(call.func)
        if (
            isinstance(callee, str)
            and context.call_kind(call) == COROUTINE
            and context.index.returns_fresh_task(callee)
        ):
            return TaskCreation(f"`await {source_of(context.module, call.func)}()`")
        return None
    if not isinstance(node, cst.Call):
        return None
    resolved = context.resolve(node.func)
    if resolved in THREADSAFE:
        return _made(context, node, threadsafe=True) if context.in_async_function else None
    if resolved in _ENSURE_FUTURE:
        return _made(context, node) if _wraps_new_work(context, node) else None
    if resolved in TASK_FACTORIES:
        return _made(context, node)
    kind = context.call_kind(node)
    if kind == TASK:
        callee = context.value(node.func)
        if isinstance(callee, str) and callee in _GROUP_CREATE_TASK:
            return None
        return _made(context, node)
    if kind is None and _on_a_loop(context, node.func):
        return _made(context, node)
    return None


def _made(context: Context, call: cst.Call, threadsafe: bool = False) -> TaskCreation:
    """The finding's description of ``call`` (its code is printed only for calls that create
    a task: printing is the costly part)."""
    return TaskCreation(f"`{source_of(context.module, call.func)}()`", threadsafe)


def _wraps_new_work(context: Context, call: cst.Call) -> bool:
    """``ensure_future(arg)`` makes a new task when ``arg`` is a coroutine; given an existing
    future or task (a name, or a call known to return a future, like ``gather()`` or
    ``run_in_executor()``) it returns that object, which its creator holds."""
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        return False
    argument = call.args[0].value
    if not isinstance(argument, cst.Call):
        return False
    return context.call_kind(argument) not in (AWAITABLE, AWAITABLE_OBJECT, TASK)


def _on_a_loop(context: Context, func: cst.BaseExpression) -> bool:
    """``loop.create_task`` / ``self.loop.create_task`` where nothing else is known of the
    receiver than that it is named like an event loop."""
    if not isinstance(func, cst.Attribute) or func.attr.value != "create_task":
        return False
    receiver = func.value
    if isinstance(receiver, cst.Attribute):
        name = receiver.attr.value
    elif isinstance(receiver, cst.Name):
        name = receiver.value
    else:
        return False
    return name in LOOP_NAMES and context.value(receiver) is None


def group_in_scope(context: Context) -> tuple[str, str] | None:
    """``(name, method)`` of a task group or nursery the current node can use: one opened by an
    enclosing ``async with`` of this function, or a parameter annotated as one."""
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
            break
        if not isinstance(ancestor, cst.With) or ancestor.asynchronous is None:
            continue
        for item in ancestor.items:
            opener = item.item.func if isinstance(item.item, cst.Call) else None
            method = GROUP_OPENERS.get(context.resolve(opener) or "") if opener else None
            if method and item.asname and isinstance(item.asname.name, cst.Name):
                return item.asname.name.value, method
    function = context.scope.node if context.scope.kind == "function" else None
    if isinstance(function, cst.FunctionDef):
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            meaning = context.lookup(param.name.value)
            if isinstance(meaning, Instance) and meaning.type in _GROUP_TYPES:
                return param.name.value, _GROUP_TYPES[meaning.type]
    return None


def _names_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            names.add(current.value)
        stack.extend(iter_children(current))
    return names


def _is_task_set(statement: cst.CSTNode) -> bool:
    """``_background_tasks = set()`` (annotated or not) at the top of a module."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return False
    return (
        isinstance(target, cst.Name)
        and target.value == _SET_NAME
        and isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "set"
        and not value.args
    )


def _definition_anchor(module: cst.Module) -> cst.SimpleStatementLine | None:
    """The last statement of the module's leading imports (after the docstring): where the set
    of background tasks is defined."""
    anchor = None
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
            anchor = statement
        elif index == 0 and isinstance(statement.body[0], cst.Expr):
            if isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                anchor = anchor or statement  # the docstring, if no import follows
                continue
            break
        else:
            break
    return anchor


def keep_reference_fix(context: Context, call: cst.Call) -> Fix | None:
    """Keep the task in a module-level set until it is done, as the asyncio documentation
    recommends: ``task = ...; _background_tasks.add(task);
    task.add_done_callback(_background_tasks.discard)``. Only for a statement alone on its
    line (the call itself, or ``_ = call``)."""
    line = context.enclosing(cst.SimpleStatementLine)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    small = line.body[0]
    if not (
        (isinstance(small, cst.Expr) and small.value is call)
        or (isinstance(small, cst.Assign) and small.value is call)
    ):
        return None
    module = context.module
    replacements: list[tuple[cst.CSTNode, cst.CSTNode]] = []
    imports: tuple = ()
    if not any(_is_task_set(s) for s in module.body):
        if _SET_NAME in context.module_scope.bindings or context.lookup(_SET_NAME) is not None:
            return None
        anchor = _definition_anchor(module)
        if anchor is None:
            return None
        reference, imports = context.module_reference("asyncio")
        definition = cst.parse_statement(f"{_SET_NAME}: set[{reference}.Task] = set()\n")
        definition = definition.with_changes(leading_lines=[cst.EmptyLine()])
        replacements.append((anchor, cst.FlattenSentinel([anchor, definition])))
    scope_node = context.scope.node if context.scope.kind == "function" else module
    taken = _names_in(scope_node)
    variable = next(
        name
        for name in ("task", "background_task", *(f"task_{n}" for n in range(2, 99)), "")
        if name not in taken
    )
    if not variable:
        return None
    first = line.with_changes(
        body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(variable))], value=call)]
    )
    keep = cst.parse_statement(f"{_SET_NAME}.add({variable})\n")
    release = cst.parse_statement(f"{variable}.add_done_callback({_SET_NAME}.discard)\n")
    replacements.append((line, cst.FlattenSentinel([first, keep, release])))
    return Fix(
        f"Keep a reference to the task in `{_SET_NAME}` until it is done",
        tuple(replacements),
        Applicability.UNSAFE,
        imports,
    )


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
    needs_index = True
    noqa_aliases = ("RUF006",)  # asyncio-dangling-task in ruff

    invalid = (
        Example(
            "import asyncio\n"
            "\n"
            "async def notify(user): ...\n"
            "\n"
            "async def handle(user):\n"
            "    asyncio.create_task(notify(user))  # error: AL301\n",
            fixed="import asyncio\n"
            "\n"
            "_background_tasks: set[asyncio.Task] = set()\n"
            "\n"
            "async def notify(user): ...\n"
            "\n"
            "async def handle(user):\n"
            "    task = asyncio.create_task(notify(user))\n"
            "    _background_tasks.add(task)\n"
            "    task.add_done_callback(_background_tasks.discard)\n",
        ),
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    loop.create_task(tick())  # error: AL301\n",
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    _ = asyncio.ensure_future(tick())  # error: AL301\n",
        "import asyncio\n\nasync def tick(): ...\n\n"
        "def spawn(coro):\n    return asyncio.create_task(coro)\n\n"
        "async def main():\n    spawn(tick())  # error: AL301\n",
        "import asyncio\n\nasync def fetch(url): ...\n\nasync def main(urls):\n"
        "    [asyncio.create_task(fetch(u)) for u in urls]  # error: AL301\n",
        "import asyncio\n\nasync def tick(): ...\n\nclass Bot:\n"
        "    def __init__(self, loop: asyncio.AbstractEventLoop):\n        self.loop = loop\n\n"
        "    def start(self):\n        self.loop.create_task(tick())  # error: AL301\n",
    )
    valid = (
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    async with asyncio.TaskGroup() as tg:\n        tg.create_task(tick())\n",
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    await asyncio.create_task(tick())\n",
        "import asyncio\n\nasync def tick(): ...\n\nasync def main(tasks):\n"
        "    tasks.add(asyncio.create_task(tick()))\n",
        "import asyncio\n\nasync def tick(): ...\n\nclass Worker:\n    def start(self):\n"
        "        self.task = asyncio.create_task(tick())\n",
        "import asyncio\n\nasync def tick(): ...\n\nasync def main(done):\n"
        "    asyncio.create_task(tick()).add_done_callback(done)\n",
        "import asyncio\n\nasync def main(future):\n    asyncio.ensure_future(future)\n",
        "import trio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    async with trio.open_nursery() as nursery:\n        nursery.start_soon(tick)\n",
        "import asyncio\n\nasync def tick(): ...\n\nclass Runner:\n"
        "    def start(self):\n        self._task = asyncio.create_task(tick())\n"
        "        return self._task\n\n"
        "    async def main(self):\n        self.start()\n",
    )

    def visit_Expr(self, node: cst.Expr) -> None:
        value = node.value
        created = task_creation(self.context, value)
        if created is not None:
            self._report(value, created)
            return
        if isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            created = task_creation(self.context, value.elt)
            if created is not None:
                self.report(
                    value.elt,
                    f"The tasks from {created.what} are collected into a value that is "
                    "dropped: nothing keeps them, so they can be garbage-collected before "
                    "they finish and their exceptions are never retrieved; keep the list "
                    "and await it (`asyncio.gather(*tasks)`), or use a task group",
                )

    def visit_Assign(self, node: cst.Assign) -> None:
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and node.targets[0].target.value == "_"
            and self.context.scope.kind == "function"
        ):
            created = task_creation(self.context, node.value)
            if created is not None:
                self._report(node.value, created)

    def _report(self, node: cst.BaseExpression, created: TaskCreation) -> None:
        context = self.context
        if created.threadsafe:
            self.report(
                node,
                f"The future from {created.what} is dropped: the coroutine's result and "
                "exception are lost; keep the future and handle its outcome (`await "
                "asyncio.wrap_future(future)` or `future.add_done_callback(...)`)",
            )
            return
        lost = (
            f"The task from {created.what} is dropped: nothing keeps a reference, so it can "
            "be garbage-collected before it finishes and its exception is never retrieved"
        )
        group = group_in_scope(context)
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
    needs_index = True

    invalid = (
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    task = asyncio.create_task(tick())  # error: AL302\n    return 1\n",
        "import asyncio\n\nasync def fetch(url): ...\n\nasync def crawl(urls):\n"
        "    for url in urls:\n"
        "        task = asyncio.create_task(fetch(url))  # error: AL302\n"
        "    await task\n",
        "import asyncio\n\nasync def tick(): ...\n\n"
        "def on_message(loop: asyncio.AbstractEventLoop):\n"
        "    pending = loop.create_task(tick())  # error: AL302\n",
    )
    valid = (
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    task = asyncio.create_task(tick())\n    await task\n",
        "import asyncio\n\nasync def tick(): ...\n\nasync def main(done):\n"
        "    task = asyncio.create_task(tick())\n    task.add_done_callback(done)\n",
        "import asyncio\n\nasync def fetch(url): ...\n\nasync def crawl(urls):\n"
        "    tasks = []\n    for url in urls:\n"
        "        task = asyncio.create_task(fetch(url))\n        tasks.append(task)\n"
        "    await asyncio.gather(*tasks)\n",
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    task = asyncio.create_task(tick())\n    return task\n",
        "import asyncio\n\nasync def tick(): ...\n\nasync def main():\n"
        "    async with asyncio.TaskGroup() as tg:\n        task = tg.create_task(tick())\n",
        "import asyncio\n\nasync def fetch(url): ...\n\nasync def first(urls):\n"
        "    for url in urls:\n        task = asyncio.create_task(fetch(url))\n"
        "        break\n    await task\n",
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # One frame per function being walked: task variables -> _Stored
        self.frames: list[dict[str, _Stored]] = []
        self.unsure: list[set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.append({})
        self.unsure.append(set())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        frame = self.frames.pop()
        unsure = self.unsure.pop()
        if "*" in unsure:
            return
        for name, stored in frame.items():
            if name in unsure:
                continue
            if stored.references == 0:
                self.report(
                    stored.call,
                    f"The task from {stored.created.what} is stored in `{name}`, which is "
                    "never used: once the function returns nothing keeps the task, so it can "
                    "be garbage-collected before it finishes and its exception is never "
                    "retrieved; await it, keep it, or add a done callback",
                )
            elif stored.loop is not None and stored.references_in_loop == 0:
                self.report(
                    stored.call,
                    f"The task from {stored.created.what} is stored in `{name}`, which the "
                    "next iteration overwrites: only the last task is used after the loop, "
                    "the others are never awaited and can be garbage-collected mid-flight; "
                    "collect the tasks in a list (or a task group)",
                )

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._assigned(node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def visit_Global(self, node: cst.Global) -> None:
        if self.unsure:
            self.unsure[-1].update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if self.unsure:
            self.unsure[-1].update(n.name.value for n in node.names)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not self.frames or not isinstance(target, cst.Name):
            return
        created = task_creation(self.context, value)
        if created is None or target.value == "_":
            return
        if target.value in self.frames[-1]:
            self.unsure[-1].add(target.value)  # assigned twice: too subtle to judge
        self.frames[-1][target.value] = _Stored(value, created, self._loop())

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
        if not self.frames:
            return
        if node.value in ("locals", "vars", "eval", "exec"):
            self.unsure[-1].add("*")
        for frame in reversed(self.frames):
            stored = frame.get(node.value)
            if stored is None:
                continue
            parent = self.context.parent
            if isinstance(parent, (cst.AssignTarget, cst.AnnAssign)) and parent.target is node:
                return  # the assignment itself
            stored.references += 1
            if stored.loop is not None and any(a is stored.loop for a in self.context.ancestors):
                stored.references_in_loop += 1
            return


@dataclass
class _Stored:
    call: cst.BaseExpression
    created: TaskCreation
    loop: cst.CSTNode | None
    references: int = 0
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
