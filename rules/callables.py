"""AL503: a callable of the wrong colour passed to an API that calls it.

Some APIs call the function they are given from plain code: a thread (`asyncio.to_thread`,
`loop.run_in_executor`, `threading.Thread`, an executor), a loop callback (`loop.call_soon`,
`add_done_callback`, a signal handler, `atexit`), or a key function (`filter`, `sorted(key=)`).
Given a coroutine function they only create a coroutine that nothing awaits. Others want a
coroutine (`asyncio.run`, `create_task`, `gather`), or an async function and its arguments
(`trio.run`, `nursery.start_soon`). Which API is called comes from the resolved name, or from
the type of the receiver (an event loop, an executor, a task group); what the argument is comes
from the project index. When either is unsure, the rule stays silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.index import ASYNC_GENERATOR, COROUTINE, LOOP_NAMES, Instance
from asynclint.rule import Example, Rule
from asynclint.rules.tasks import GROUP_OPENERS

# What the API does with the argument.
SYNC_FUNCTION = "sync function"  # calls it from plain code and uses the result
COROUTINE_OBJECT = "coroutine"  # awaits (or schedules) it
ASYNC_FUNCTION = "async function"  # calls it and awaits the result

# Who calls a sync function, for the advice in the message.
THREAD = "thread"
LOOP_CALLBACK = "loop callback"
DONE_CALLBACK = "done callback"
SIGNAL = "signal handler"
ATEXIT = "exit handler"
KEY = "key"
FROM_THREAD = "from thread"  # ``from_thread.run_sync``: the async function has its own API
RUNNER = "runner"  # ``trio.run``: the program's entry point
GROUP = "task group"
PORTAL = "portal"  # ``from_thread.run``: from a worker thread into the loop

ALL = -1  # every positional argument (``asyncio.gather``)


@dataclass(frozen=True)
class Slot:
    """Where an API takes the callable: a positional index and/or a keyword."""

    expects: str
    role: str = ""
    position: int | None = 0
    keyword: str | None = None


def _both(names: dict[str, Slot], modules: dict[str, str]) -> dict[str, Slot]:
    """The table with each public name also under its defining module
    (``asyncio.to_thread`` and ``asyncio.threads.to_thread``)."""
    table = dict(names)
    for name, module in modules.items():
        table[f"{module}.{name.rpartition('.')[2]}"] = names[name]
    return table


_FUNCTIONS: dict[str, Slot] = _both(
    {
        "asyncio.to_thread": Slot(SYNC_FUNCTION, THREAD),
        "threading.Thread": Slot(SYNC_FUNCTION, THREAD, 1, "target"),
        "threading.Timer": Slot(SYNC_FUNCTION, THREAD, 1, "function"),
        "trio.to_thread.run_sync": Slot(SYNC_FUNCTION, THREAD),
        "anyio.to_thread.run_sync": Slot(SYNC_FUNCTION, THREAD),
        "anyio.to_process.run_sync": Slot(SYNC_FUNCTION, THREAD),
        "trio.from_thread.run_sync": Slot(SYNC_FUNCTION, FROM_THREAD),
        "anyio.from_thread.run_sync": Slot(SYNC_FUNCTION, FROM_THREAD),
        "signal.signal": Slot(SYNC_FUNCTION, SIGNAL, 1),
        "atexit.register": Slot(SYNC_FUNCTION, ATEXIT),
        "builtins.filter": Slot(SYNC_FUNCTION, KEY),
        "builtins.sorted": Slot(SYNC_FUNCTION, KEY, None, "key"),
        "builtins.min": Slot(SYNC_FUNCTION, KEY, None, "key"),
        "builtins.max": Slot(SYNC_FUNCTION, KEY, None, "key"),
        "asyncio.run": Slot(COROUTINE_OBJECT, position=0, keyword="main"),
        "asyncio.create_task": Slot(COROUTINE_OBJECT, keyword="coro"),
        "asyncio.ensure_future": Slot(COROUTINE_OBJECT, keyword="coro_or_future"),
        "asyncio.Task": Slot(COROUTINE_OBJECT, keyword="coro"),
        "asyncio.gather": Slot(COROUTINE_OBJECT, position=ALL),
        "asyncio.wait_for": Slot(COROUTINE_OBJECT, keyword="fut"),
        "asyncio.shield": Slot(COROUTINE_OBJECT, keyword="arg"),
        "asyncio.run_coroutine_threadsafe": Slot(COROUTINE_OBJECT, keyword="coro"),
        "trio.run": Slot(ASYNC_FUNCTION, RUNNER),
        "anyio.run": Slot(ASYNC_FUNCTION, RUNNER, keyword="func"),
        "trio.lowlevel.spawn_system_task": Slot(ASYNC_FUNCTION, GROUP),
        "trio.from_thread.run": Slot(ASYNC_FUNCTION, PORTAL),
        "anyio.from_thread.run": Slot(ASYNC_FUNCTION, PORTAL),
        # Where trio defines what it exports (its own code imports them from there).
        "trio._threads.to_thread_run_sync": Slot(SYNC_FUNCTION, THREAD),
        "trio._threads.from_thread_run_sync": Slot(SYNC_FUNCTION, FROM_THREAD),
        "trio._threads.from_thread_run": Slot(ASYNC_FUNCTION, PORTAL),
        "trio._core.run": Slot(ASYNC_FUNCTION, RUNNER),
        "trio._core._run.run": Slot(ASYNC_FUNCTION, RUNNER),
        "trio._core.spawn_system_task": Slot(ASYNC_FUNCTION, GROUP),
        "trio._core._run.spawn_system_task": Slot(ASYNC_FUNCTION, GROUP),
    },
    {
        "asyncio.to_thread": "asyncio.threads",
        "asyncio.run": "asyncio.runners",
        "asyncio.create_task": "asyncio.tasks",
        "asyncio.ensure_future": "asyncio.tasks",
        "asyncio.Task": "asyncio.tasks",
        "asyncio.gather": "asyncio.tasks",
        "asyncio.wait_for": "asyncio.tasks",
        "asyncio.shield": "asyncio.tasks",
        "asyncio.run_coroutine_threadsafe": "asyncio.tasks",
    },
)

# Methods, by the kind of object they are called on.
_LOOP = "loop"
_EXECUTOR = "executor"
_FUTURE = "future"
_ASYNCIO_GROUP = "asyncio task group"
_NURSERY = "nursery"
_METHODS: dict[str, dict[str, Slot]] = {
    _LOOP: {
        "run_in_executor": Slot(SYNC_FUNCTION, THREAD, 1),
        "call_soon": Slot(SYNC_FUNCTION, LOOP_CALLBACK),
        "call_soon_threadsafe": Slot(SYNC_FUNCTION, LOOP_CALLBACK),
        "call_later": Slot(SYNC_FUNCTION, LOOP_CALLBACK, 1),
        "call_at": Slot(SYNC_FUNCTION, LOOP_CALLBACK, 1),
        "add_signal_handler": Slot(SYNC_FUNCTION, LOOP_CALLBACK, 1),
        "add_reader": Slot(SYNC_FUNCTION, LOOP_CALLBACK, 1),
        "add_writer": Slot(SYNC_FUNCTION, LOOP_CALLBACK, 1),
        "run_until_complete": Slot(COROUTINE_OBJECT, keyword="future"),
        "create_task": Slot(COROUTINE_OBJECT, keyword="coro"),
    },
    _EXECUTOR: {
        "submit": Slot(SYNC_FUNCTION, THREAD),
        "map": Slot(SYNC_FUNCTION, THREAD, keyword="fn"),
    },
    _FUTURE: {"add_done_callback": Slot(SYNC_FUNCTION, DONE_CALLBACK, keyword="fn")},
    _ASYNCIO_GROUP: {
        "create_task": Slot(COROUTINE_OBJECT, keyword="coro"),
        "run": Slot(COROUTINE_OBJECT, keyword="coro"),  # asyncio.Runner
    },
    _NURSERY: {
        "start_soon": Slot(ASYNC_FUNCTION, GROUP),
        "start": Slot(ASYNC_FUNCTION, GROUP),
    },
}
# Every last name of a callee worth a closer look: a cheap first test for every call.
_SHORT_NAMES = frozenset(
    {name.rpartition(".")[2] for name in _FUNCTIONS}
    | {method for methods in _METHODS.values() for method in methods}
)
_PARTIAL = frozenset({"functools.partial"})


def _owner_kind(klass: str) -> str | None:
    """Which of the known kinds of object a class (of a method's qualified name) is."""
    module, _, name = klass.rpartition(".")
    top = module.split(".", 1)[0]
    if (top == "asyncio" and name.endswith("EventLoop")) or klass == "uvloop.Loop":
        return _LOOP
    if module.startswith("concurrent.futures") and name.endswith("Executor"):
        return _EXECUTOR
    if (top == "asyncio" and name in ("Future", "Task")) or klass in (
        "concurrent.futures.Future",
        "concurrent.futures._base.Future",
    ):
        return _FUTURE
    if top == "asyncio" and name in ("TaskGroup", "Runner"):
        return _ASYNCIO_GROUP
    if (top == "trio" and name == "Nursery") or (top == "anyio" and name == "TaskGroup"):
        return _NURSERY
    return None


@dataclass(frozen=True)
class _Callee:
    slot: Slot
    func: cst.BaseExpression
    module: cst.Module

    @property
    def label(self) -> str:
        """How the message names the API: "`loop.call_soon()`" (made only for a report)."""
        text = source_of(self.module, self.func, limit=1000)
        if len(text) > 40 and isinstance(self.func, cst.Attribute):
            text = self.func.attr.value  # ``asyncio.ensure_future(...).add_done_callback``
        return f"`{text}()`"


class CallableMismatch(Rule):
    """
    ## What it does
    Finds a function of the wrong kind passed to an API that calls it:

    - a coroutine function (or an async generator function, an object whose `__call__` is
      `async def`, a `functools.partial` of one, a `lambda` that only calls one) where a sync
      callable is expected: `asyncio.to_thread`, `loop.run_in_executor`,
      `threading.Thread(target=...)`, `threading.Timer`, `executor.submit`/`map`,
      `trio`/`anyio` `to_thread.run_sync` and `from_thread.run_sync`, `loop.call_soon`/
      `call_soon_threadsafe`/`call_later`/`call_at`/`add_signal_handler`/`add_reader`/
      `add_writer`, `add_done_callback`,
      `signal.signal`, `atexit.register`, `filter`, `sorted`/`min`/`max(key=...)`; a
      coroutine object there is reported too;
    - a coroutine function passed uncalled where a coroutine is expected: `asyncio.run`,
      `asyncio.create_task`, `ensure_future`, `gather`, `wait_for`, `shield`,
      `run_coroutine_threadsafe`, `loop.run_until_complete`, `loop.create_task`, a
      `TaskGroup`'s `create_task`;
    - a coroutine object where an async function is expected: `trio.run`, `anyio.run`,
      `from_thread.run`, a nursery's or task group's `start_soon`/`start`; and a function
      surely sync (it returns no awaitable) there.

    The API is recognised by its resolved name, or by its receiver: an event loop (from
    `get_running_loop()`, an annotation, the project index, or a receiver named `loop`), an
    executor, a task group (from its annotation or the `async with` that opened it). A
    `start_soon` and an `add_done_callback` on an unknown receiver count too: the names are
    specific. `map(coroutine_function, ...)` is not reported: `gather(*map(fetch, urls))` is
    a common, correct idiom.

    ## Why is this bad?
    Calling a coroutine function only creates a coroutine. A thread or a callback that calls
    one gets a coroutine back and drops it: the work never happens, and Python at most warns
    `coroutine ... was never awaited` (asyncio's loop methods raise `TypeError` for some
    cases, but only when the line runs). A key function that returns coroutines makes
    `filter` keep everything and `sorted` fail. The other way round, `asyncio.run(main)` and
    `trio.run(main())` fail at run time, and `start_soon(sync_function)` fails in the task.

    ## Example
    ```python
    import asyncio
    import trio


    async def fetch(url): ...


    async def crawl(url):
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, fetch, url)


    async def main(): ...


    trio.run(main())
    ```

    ## Use instead
    ```python
    import asyncio
    import trio


    async def fetch(url): ...


    async def crawl(url):
        await fetch(url)


    async def main(): ...


    trio.run(main)
    ```

    ## Fix safety
    Only a coroutine object passed where an async function is expected has a fix: pass the
    function and its positional arguments instead (`trio.run(main, 1)` for
    `trio.run(main(1))`), offered when the call has no keyword or starred arguments and is the
    last positional argument. It is unsafe: the function is now called by the library, later
    (in the new task) rather than on this line. No other case has a fix: what the code should
    do instead (call the function, wrap it, move it to the loop) depends on the program.
    """

    code = "AL503"
    name = "callable-mismatch"
    summary = "A coroutine function, coroutine or sync function passed where another is expected"
    fix_applicability = Applicability.UNSAFE
    needs_index = True

    invalid = (
        "import asyncio\n\nasync def fetch(url): ...\n\nasync def crawl(url):\n"
        "    loop = asyncio.get_running_loop()\n"
        "    await loop.run_in_executor(None, fetch, url)  # error: AL503\n",
        "import asyncio\n\nasync def fetch(url): ...\n\nasync def crawl(url):\n"
        "    await asyncio.to_thread(fetch, url)  # error: AL503\n",
        "import threading\n\nasync def serve(): ...\n\n"
        "threading.Thread(target=serve).start()  # error: AL503\n",
        "import asyncio\n\nasync def tick(): ...\n\n"
        "def schedule(loop: asyncio.AbstractEventLoop):\n"
        "    loop.call_soon(lambda: tick())  # error: AL503\n",
        "import asyncio\n\nasync def main(): ...\n\nasyncio.run(main)  # error: AL503\n",
        Example(
            "import trio\n\nasync def main(): ...\n\ntrio.run(main())  # error: AL503\n",
            fixed="import trio\n\nasync def main(): ...\n\ntrio.run(main)\n",
        ),
        "import anyio\n\ndef work() -> None: ...\n\nasync def main():\n"
        "    async with anyio.create_task_group() as tg:\n"
        "        tg.start_soon(work)  # error: AL503\n",
    )
    valid = (
        "import asyncio\n\ndef read(path): ...\n\nasync def main(path):\n"
        "    loop = asyncio.get_running_loop()\n"
        "    await loop.run_in_executor(None, read, path)\n",
        "import asyncio\n\nasync def main(): ...\n\nasyncio.run(main())\n",
        "import trio\n\nasync def fetch(url): ...\n\nasync def main(url):\n"
        "    async with trio.open_nursery() as nursery:\n"
        "        nursery.start_soon(fetch, url)\n",
        "import asyncio\n\nasync def fetch(url): ...\n\nasync def main(urls):\n"
        "    await asyncio.gather(*map(fetch, urls))\n",
        "import trio\n\nasync def fetch(url): ...\n\ndef later(url):\n    return fetch(url)\n\n"
        "async def main(url):\n    async with trio.open_nursery() as nursery:\n"
        "        nursery.start_soon(later, url)\n",
        "async def fetch(): ...\n\ndef schedule(scheduler):\n    scheduler.call_soon(fetch)\n",
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            short = func.attr.value
        elif isinstance(func, cst.Name):
            # An imported name may be an alias: ``from asyncio import to_thread as offload``.
            bound = self.context.lookup(func.value)
            short = bound.rpartition(".")[2] if isinstance(bound, str) else func.value
        else:
            return
        if short not in _SHORT_NAMES or not node.args:
            return
        callee = self._callee(func, short)
        if callee is None:
            return
        slot = callee.slot
        for argument in _arguments(node, slot):
            if slot.expects == SYNC_FUNCTION:
                self._expects_sync_function(argument.value, callee)
            elif slot.expects == COROUTINE_OBJECT:
                self._expects_coroutine(argument.value, callee)
            else:
                self._expects_async_function(node, argument, callee)

    # --- which API ------------------------------------------------------------------------
    def _callee(self, func: cst.Name | cst.Attribute, short: str) -> _Callee | None:
        context = self.context
        meaning = context.value(func)
        if isinstance(meaning, str):
            slot = _FUNCTIONS.get(meaning)
            if slot is not None:
                return _Callee(slot, func, context.module)
            klass, _, method = meaning.rpartition(".")
            owner = _owner_kind(klass) if isinstance(func, cst.Attribute) else None
            slot = _METHODS[owner].get(method) if owner else None
            return _Callee(slot, func, context.module) if slot is not None else None
        if meaning is not None or not isinstance(func, cst.Attribute):
            return None
        owner = self._unknown_receiver_kind(func.value, short)
        slot = _METHODS[owner].get(short) if owner else None
        return _Callee(slot, func, context.module) if slot is not None else None

    def _unknown_receiver_kind(self, receiver: cst.BaseExpression, method: str) -> str | None:
        """The kind of a receiver the engine knows nothing of, from its name, its method's
        name, or the ``async with`` that opened it."""
        context = self.context
        typed = context.value(receiver)
        if isinstance(typed, Instance):
            return _owner_kind(typed.type)  # a method the index cannot see (``Task``'s, in C)
        if typed is not None:
            return None
        if method == "add_done_callback":
            return _FUTURE
        if method == "start_soon":
            return _NURSERY
        name = _last_name(receiver)
        if name is None:
            return None
        if name in LOOP_NAMES and method in _METHODS[_LOOP]:
            return _LOOP
        if method == "start" and isinstance(receiver, cst.Name) and self._opened_group(name):
            return _NURSERY
        return None

    def _opened_group(self, name: str) -> bool:
        """Whether ``name`` is bound by an enclosing ``async with`` of this function that
        opens a nursery or task group."""
        context = self.context
        for ancestor in reversed(context.ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                return False
            if not isinstance(ancestor, cst.With) or ancestor.asynchronous is None:
                continue
            for item in ancestor.items:
                target = item.asname.name if item.asname is not None else None
                if (
                    isinstance(target, cst.Name)
                    and target.value == name
                    and isinstance(item.item, cst.Call)
                    and context.resolve(item.item.func) in GROUP_OPENERS
                ):
                    return True
        return False

    # --- what the argument is -------------------------------------------------------------
    def _function_kind(self, node: cst.BaseExpression) -> str | None:
        """What calling ``node`` (a name or attribute, not called here) gives."""
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        return self.context.call_kind(cst.Call(func=node))

    def _coroutine_call(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and self.context.call_kind(node) == COROUTINE

    # --- the three expectations -----------------------------------------------------------
    def _expects_sync_function(self, node: cst.BaseExpression, callee: _Callee) -> None:
        context = self.context
        role = callee.slot.role
        function = node
        if isinstance(node, cst.Call) and context.resolve(node.func) in _PARTIAL:
            first = node.args[0] if node.args else None
            if first is None or first.keyword is not None or first.star:
                return
            function = first.value
        kind = self._function_kind(function)
        if kind in (COROUTINE, ASYNC_GENERATOR):
            name = source_of(context.module, function)
            if isinstance(context.value(function), Instance):
                what = f"`{name}` is an object whose `__call__` is `async def`"
                result = "a coroutine that is never awaited"
                advice = _advice(role, name)
            elif kind == COROUTINE:
                what = f"`{name}` is a coroutine function"
                result = "a coroutine that is never awaited"
                advice = _advice(role, name)
            else:
                what = f"`{name}` is an async generator function"
                result = "an async generator that is never iterated"
                advice = f"pass a sync function, or iterate `{name}(...)` with `async for`"
            self.report(node, f"{what}: {_runs(role, callee.label, result)}; {advice}")
            return
        if isinstance(node, cst.Lambda) and self._lambda_calls_coroutine(node):
            call = source_of(context.module, node.body)
            result = "a coroutine that is never awaited"
            self.report(
                node,
                f"The lambda only returns the coroutine `{call}`: "
                f"{_runs(role, callee.label, result)}; {_advice(role, call, called=True)}",
            )
            return
        if self._coroutine_call(node):
            call = source_of(context.module, node)
            self.report(
                node,
                f"`{call}` is a coroutine, not a function: {callee.label} calls its argument "
                f"from plain code; {_advice(role, call, called=True)}",
            )

    def _lambda_calls_coroutine(self, node: cst.Lambda) -> bool:
        body = node.body
        if not isinstance(body, cst.Call) or not self._coroutine_call(body):
            return False
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        root = body.func
        while isinstance(root, cst.Attribute):
            root = root.value
        # The names of the body are looked up outside the lambda: a parameter shadows them.
        return not (isinstance(root, cst.Name) and root.value in {p.name.value for p in every})

    def _expects_coroutine(self, node: cst.BaseExpression, callee: _Callee) -> None:
        if self._function_kind(node) != COROUTINE or isinstance(self.context.value(node), Instance):
            return  # an object with an ``async def __call__`` may be awaitable too
        name = source_of(self.context.module, node)
        self.report(
            node,
            f"`{name}` is a coroutine function, but {callee.label} needs a coroutine: "
            f"pass `{name}(...)` (call it with its arguments)",
        )

    def _expects_async_function(self, call: cst.Call, argument: cst.Arg, callee: _Callee) -> None:
        context = self.context
        node = argument.value
        role = callee.slot.role
        if isinstance(node, cst.Call) and self._coroutine_call(node):
            function = source_of(context.module, node.func)
            self.report(
                node,
                f"{callee.label} needs an async function, not the coroutine "
                f"`{source_of(context.module, node)}`: pass the function `{function}` and its "
                "arguments, not the coroutine (it would never be awaited)",
                _pass_function_fix(call, argument, node),
            )
            return
        if isinstance(node, (cst.Name, cst.Attribute)) and context.never_awaitable(node):
            name = source_of(context.module, node)
            if role == RUNNER:
                advice = "make it `async def`, or call it directly"
            elif role == PORTAL:
                advice = "use `from_thread.run_sync()` for a sync function"
            else:
                advice = (
                    "call the sync function directly, or run it in a thread with "
                    "`to_thread.run_sync`"
                )
            self.report(
                node,
                f"`{name}` is a sync callable (calling it gives nothing awaitable), but "
                f"{callee.label} needs an async function; {advice}",
            )


def _arguments(call: cst.Call, slot: Slot) -> list[cst.Arg]:
    """The arguments of ``call`` in the slot (none when a starred argument hides it)."""
    found = []
    position = 0
    for argument in call.args:
        if argument.star:
            if argument.star == "*":
                position = -(10**6)  # positions after ``*args`` are unknown
            continue
        if argument.keyword is not None:
            if argument.keyword.value == slot.keyword:
                found.append(argument)
            continue
        if position >= 0 and (slot.position == ALL or position == slot.position):
            found.append(argument)
        position += 1
    return found


def _last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return None


def _runs(role: str, label: str, result: str) -> str:
    """What the API does with the function: the middle of the message."""
    if role == THREAD:
        return f"{label} would call it in a thread, which only creates {result}"
    if role == FROM_THREAD:
        return f"{label} would call it as a plain function on the loop, which only creates {result}"
    if role == KEY:
        return f"{label} would call it for every item and get {result} instead of a value"
    return f"{label} would call it as a plain callback, which only creates {result}"


def _advice(role: str, name: str, called: bool = False) -> str:
    """What to do instead, for the code that calls the function."""
    run = name if called else f"{name}(...)"
    if role == THREAD:
        return (
            "pass a sync function, or run the coroutine on the event loop "
            f"(`await {run}` in async code, `asyncio.run_coroutine_threadsafe()` from a thread)"
        )
    if role == FROM_THREAD:
        return "use `from_thread.run()` for an async function"
    if role in (LOOP_CALLBACK, DONE_CALLBACK):
        return (
            "pass a sync function that schedules it, e.g. "
            f"`lambda *_: asyncio.create_task({run})` (keeping a reference to the task)"
        )
    if role == SIGNAL:
        return "use `loop.add_signal_handler()` with a sync function that schedules the coroutine"
    if role == ATEXIT:
        return "register a sync function (one that runs the coroutine with `asyncio.run()`)"
    return "await the values first, then pass a sync function"


def _pass_function_fix(call: cst.Call, argument: cst.Arg, inner: cst.Call) -> Fix | None:
    """``start_soon(fetch(url))`` -> ``start_soon(fetch, url)``: when ``inner`` has only plain
    positional arguments and is the last positional argument of ``call``."""
    if argument.keyword is not None or argument.star or inner.lpar:
        return None
    if any(a.keyword is not None or a.star for a in inner.args):
        return None
    index = next(i for i, a in enumerate(call.args) if a is argument)
    if any(a.keyword is None and not a.star for a in call.args[index + 1 :]):
        return None
    if any(a.star for a in call.args[index + 1 :]):
        return None
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    moved = [cst.Arg(value=inner.func), *inner.args]
    new_args = [a.with_changes(comma=separator) for a in moved[:-1]]
    new_args.append(moved[-1].with_changes(comma=argument.comma))
    replaced = call.with_changes(args=[*call.args[:index], *new_args, *call.args[index + 1 :]])
    return Fix(
        "Pass the function and its arguments instead of the coroutine",
        ((call, replaced),),
        Applicability.UNSAFE,
    )
