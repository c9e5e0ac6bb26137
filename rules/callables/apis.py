"""The APIs AL503 knows: what each does with the callable it is given, and where it takes it.

An API is a function (by its qualified name, also under the module that defines it) or a
method of a kind of object (an event loop, an executor, a future, a task group, a nursery).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

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


FUNCTIONS: dict[str, Slot] = _both(
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
LOOP = "loop"
EXECUTOR = "executor"
FUTURE = "future"
ASYNCIO_GROUP = "asyncio task group"
NURSERY = "nursery"
METHODS: dict[str, dict[str, Slot]] = {
    LOOP: {
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
    EXECUTOR: {
        "submit": Slot(SYNC_FUNCTION, THREAD),
        "map": Slot(SYNC_FUNCTION, THREAD, keyword="fn"),
    },
    FUTURE: {"add_done_callback": Slot(SYNC_FUNCTION, DONE_CALLBACK, keyword="fn")},
    ASYNCIO_GROUP: {
        "create_task": Slot(COROUTINE_OBJECT, keyword="coro"),
        "run": Slot(COROUTINE_OBJECT, keyword="coro"),  # asyncio.Runner
    },
    NURSERY: {
        "start_soon": Slot(ASYNC_FUNCTION, GROUP),
        "start": Slot(ASYNC_FUNCTION, GROUP),
    },
}
# Every last name of a callee worth a closer look: a cheap first test for every call.
SHORT_NAMES = frozenset(
    {name.rpartition(".")[2] for name in FUNCTIONS}
    | {method for methods in METHODS.values() for method in methods}
)
PARTIAL = frozenset({"functools.partial"})


def owner_kind(klass: str) -> str | None:
    """Which of the known kinds of object a class (of a method's qualified name) is."""
    module, _, name = klass.rpartition(".")
    top = module.split(".", 1)[0]
    if (top == "asyncio" and name.endswith("EventLoop")) or klass == "uvloop.Loop":
        return LOOP
    if module.startswith("concurrent.futures") and name.endswith("Executor"):
        return EXECUTOR
    if (top == "asyncio" and name in ("Future", "Task")) or klass in (
        "concurrent.futures.Future",
        "concurrent.futures._base.Future",
    ):
        return FUTURE
    if top == "asyncio" and name in ("TaskGroup", "Runner"):
        return ASYNCIO_GROUP
    if (top == "trio" and name == "Nursery") or (top == "anyio" and name == "TaskGroup"):
        return NURSERY
    return None


def arguments(call: cst.Call, slot: Slot) -> list[cst.Arg]:
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
