"""The parts asyncio, trio and anyio play: which calls start, run, get or cancel what.

Qualified names are listed with every spelling the libraries export (``asyncio.create_task``
and ``asyncio.tasks.create_task``), since resolution gives the name the code imported.
"""

from __future__ import annotations

# Calls that create an ``asyncio.Task`` (a scheduled coroutine) or wrap a coroutine in one.
TASK_FACTORIES = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.Task",
        "asyncio.tasks.create_task",
        "asyncio.tasks.ensure_future",
        "asyncio.tasks.Task",
    }
)
# ``ensure_future`` returns a future it is given as it is: only a coroutine makes a new task.
ENSURE_FUTURE = frozenset({"asyncio.ensure_future", "asyncio.tasks.ensure_future"})
# Submit a coroutine to a loop in another thread; the result is a ``concurrent.futures.Future``.
THREADSAFE = frozenset(
    {"asyncio.run_coroutine_threadsafe", "asyncio.tasks.run_coroutine_threadsafe"}
)
# ``create_task`` of a task group: the group holds the task and awaits it.
GROUP_CREATE_TASK = frozenset(
    {"asyncio.TaskGroup.create_task", "asyncio.taskgroups.TaskGroup.create_task"}
)
# What opens a task group or nursery in ``async with ... as name``, and how to start a task in it.
GROUP_OPENERS = {
    "asyncio.TaskGroup": "create_task",
    "asyncio.taskgroups.TaskGroup": "create_task",
    "trio.open_nursery": "start_soon",
    "anyio.create_task_group": "start_soon",
}
# The classes of task groups and nurseries (in annotations), and how to start a task in them.
GROUP_TYPES = {
    "asyncio.TaskGroup": "create_task",
    "asyncio.taskgroups.TaskGroup": "create_task",
    "trio.Nursery": "start_soon",
    "anyio.abc.TaskGroup": "start_soon",
    "anyio.abc._tasks.TaskGroup": "start_soon",
}

# Functions that start an event loop and run a coroutine to its end: the program's entry point.
RUNNERS = frozenset(
    {"asyncio.run", "asyncio.runners.run", "trio.run", "anyio.run", "anyio._core._eventloop.run"}
)
# Event-loop methods that run the loop until something finishes.
LOOP_RUN_METHODS = frozenset({"run_until_complete", "run_forever"})
# Classes of asyncio event loops.
LOOP_TYPES = frozenset(
    {
        "asyncio.AbstractEventLoop",
        "asyncio.events.AbstractEventLoop",
        "asyncio.BaseEventLoop",
        "asyncio.base_events.BaseEventLoop",
        "asyncio.SelectorEventLoop",
        "asyncio.ProactorEventLoop",
        "uvloop.Loop",
    }
)
# Calls that give the running loop when one runs (``get_event_loop`` does inside a coroutine).
RUNNING_LOOP_GETTERS = frozenset(
    {
        "asyncio.get_event_loop",
        "asyncio.events.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.events.get_running_loop",
    }
)
# Calls that give an event loop: the running one, the thread's, or a new one.
LOOP_GETTERS = RUNNING_LOOP_GETTERS | {"asyncio.new_event_loop", "asyncio.events.new_event_loop"}
# ``get_event_loop``: deprecated where no loop runs, and a roundabout ``get_running_loop`` where
# one does.
GET_EVENT_LOOP = frozenset({"asyncio.get_event_loop", "asyncio.events.get_event_loop"})
POLICY_GETTERS = frozenset(
    {"asyncio.get_event_loop_policy", "asyncio.events.get_event_loop_policy"}
)
# After a fork the child has no running loop: it may start its own.
FORKS = frozenset({"os.fork", "os.forkpty"})
# Modules that patch asyncio so that a loop may run inside the running one.
REENTRANT_PATCHES = frozenset({"nest_asyncio"})

# The exception classes that cancellation raises into a task, by the library that raises them.
CANCELLED_CLASSES = {
    "asyncio.CancelledError": "asyncio",
    "asyncio.exceptions.CancelledError": "asyncio",
    "trio.Cancelled": "trio",
}
# ``except anyio.get_cancelled_exc_class():`` (the backend's class, known only at run time).
ANYIO_CANCELLED_CALL = "anyio.get_cancelled_exc_class"
BASE_EXCEPTION = "builtins.BaseException"
SUPPRESS = frozenset({"contextlib.suppress"})
# asyncio functions whose awaiting raises ``CancelledError`` when the task or future passed to
# them was cancelled: with an existing task among the arguments, the error caught may be that
# task's own cancellation rather than the current task's.
WAITS_FOR_ARGUMENTS = frozenset(
    {
        "asyncio.ensure_future",
        "asyncio.gather",
        "asyncio.shield",
        "asyncio.wait",
        "asyncio.wait_for",
        "asyncio.wrap_future",
    }
)
# Of those, the ones that wait for every positional argument; the others for the first only
# (``asyncio.wait_for(task, seconds)``).
WAITS_FOR_EVERY_ARGUMENT = frozenset({"asyncio.gather"})
# What gives the running task: code that cancels it requests its own cancellation.
CURRENT_TASK = frozenset({"asyncio.current_task", "asyncio.tasks.current_task"})
# Cancel scopes: cancelling one cancels the code inside it, the current task's included.
CANCEL_SCOPE_TYPES = frozenset({"trio.CancelScope", "anyio.CancelScope"})
# The libraries whose ``.cancel()`` is mostly a cancel scope's (a nursery's, a task group's).
SCOPED_CANCELLATION = frozenset({"trio", "anyio"})
# Calls that give the items of their argument (``for t in list(tasks)`` iterates ``tasks``).
SAME_ITEMS = frozenset(
    {"builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset", "builtins.sorted"}
)
SAME_ITEMS_METHODS = frozenset({"values", "copy"})
# Calls that never return: a handler calling one does not carry on as if nothing happened.
NO_RETURN = frozenset(
    {
        "os._exit",
        "os.abort",
        "pytest.exit",
        "pytest.fail",
        "pytest.skip",
        "pytest.xfail",
        "sys.exit",
    }
)
NO_RETURN_TEST_METHODS = frozenset({"fail", "skipTest"})  # ``self.fail()`` in a TestCase

# How each library runs a blocking call in a worker thread.
THREAD_OFFLOAD = {
    "asyncio": "`await asyncio.to_thread(...)`",
    "trio": "`await trio.to_thread.run_sync(...)`",
    "anyio": "`await anyio.to_thread.run_sync(...)`",
}

# Parameters whose meaning a protocol fixes, by the signature they stand in: an ASGI
# application is called with ``(scope, receive, send)``, whose ``receive`` and ``send`` are
# coroutine functions (the ASGI specification's "awaitable callables"); a Starlette or FastAPI
# HTTP middleware receives ``(request, call_next)``, and ``call_next(request)`` must be
# awaited. Only unannotated parameters named so, in that order, take the meaning.
ASGI_SIGNATURE = ("scope", "receive", "send")
CONVENTIONAL_CALLABLES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (ASGI_SIGNATURE, frozenset({"receive", "send"})),
    (("request", "call_next"), frozenset({"call_next"})),
)
