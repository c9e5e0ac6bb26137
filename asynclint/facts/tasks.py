"""Whether a call creates a task that only the caller holds, and how.

Which calls create a task: the standard names (``asyncio.create_task``,
``asyncio.ensure_future`` of a coroutine, ``asyncio.Task``), ``create_task`` on an event loop
(known from ``get_running_loop()``, an annotation, the project index, or a receiver named like
a loop), inside ``async def`` ``asyncio.run_coroutine_threadsafe`` (a concurrent future), and
the project's own functions that return a task they created and kept no other reference to.
A task group's ``create_task`` gives a task the group holds: it is not one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import CALL_KIND, QUALIFIED_NAME, VALUE
from asynclint.knowledge.kinds import AWAITABLE, AWAITABLE_OBJECT, COROUTINE, TASK
from asynclint.knowledge.names import LOOP_NAMES
from asynclint.knowledge.roles import ENSURE_FUTURE, GROUP_CREATE_TASK, TASK_FACTORIES, THREADSAFE

if TYPE_CHECKING:
    from asynclint.engine import Context


@dataclass(frozen=True)
class TaskCreation:
    """A call that creates a task (or a concurrent future) the caller alone holds."""

    func: cst.BaseExpression  # what is called: messages name it, ``asyncio.create_task``
    threadsafe: bool = False  # ``run_coroutine_threadsafe``: a concurrent.futures.Future
    awaited: bool = False  # ``await start()``: a project coroutine that returns the task


@fact("task-creation", uses_index=True, uses=(CALL_KIND, QUALIFIED_NAME, VALUE))
def TASK_CREATION(context: Context, node: cst.BaseExpression) -> TaskCreation | None:
    """What ``node`` creates, when it is a call that creates a task only the caller holds;
    also ``await factory()`` of a project coroutine that returns a fresh task."""
    if isinstance(node, cst.Await):
        return _awaited_factory(context, node)
    if not isinstance(node, cst.Call):
        return None
    resolved = context.answer(QUALIFIED_NAME, node.func)
    if resolved in THREADSAFE:
        return TaskCreation(node.func, threadsafe=True) if context.in_async_function else None
    if resolved in ENSURE_FUTURE:
        return TaskCreation(node.func) if _wraps_new_work(context, node) else None
    if resolved in TASK_FACTORIES:
        return TaskCreation(node.func)
    kind = context.answer(CALL_KIND, node)
    if kind == TASK:
        callee = context.answer(VALUE, node.func)
        if isinstance(callee, str) and callee in GROUP_CREATE_TASK:
            return None
        return TaskCreation(node.func)
    if kind is None and _on_a_loop(context, node.func):
        return TaskCreation(node.func)
    return None


def _awaited_factory(context: Context, node: cst.Await) -> TaskCreation | None:
    """``await start()`` where the project index says the coroutine ``start`` returns a task
    it created and kept no other reference to."""
    call = node.expression
    if not isinstance(call, cst.Call) or context.index is None:
        return None
    callee = context.answer(VALUE, call.func)
    if (
        isinstance(callee, str)
        and context.answer(CALL_KIND, call) == COROUTINE
        and context.index.returns_fresh_task(callee)
    ):
        return TaskCreation(call.func, awaited=True)
    return None


def _wraps_new_work(context: Context, call: cst.Call) -> bool:
    """``ensure_future(arg)`` makes a new task when ``arg`` is a coroutine; given an existing
    future or task (a name, or a call known to return a future, like ``gather()`` or
    ``run_in_executor()``) it returns that object, which its creator holds."""
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        return False
    argument = call.args[0].value
    if not isinstance(argument, cst.Call):
        return False
    return context.answer(CALL_KIND, argument) not in (AWAITABLE, AWAITABLE_OBJECT, TASK)


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
    return name in LOOP_NAMES and context.answer(VALUE, receiver) is None
