"""AL503's messages: how they name the API, what it does with the function, what to do
instead, and the fix that passes a function and its arguments instead of a coroutine."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.rules.callables.apis import (
    ATEXIT,
    DONE_CALLBACK,
    FROM_THREAD,
    KEY,
    LOOP_CALLBACK,
    SIGNAL,
    THREAD,
    Slot,
)


@dataclass(frozen=True)
class Callee:
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


def runs(role: str, label: str, result: str) -> str:
    """What the API does with the function: the middle of the message."""
    if role == THREAD:
        return f"{label} would call it in a thread, which only creates {result}"
    if role == FROM_THREAD:
        return f"{label} would call it as a plain function on the loop, which only creates {result}"
    if role == KEY:
        return f"{label} would call it for every item and get {result} instead of a value"
    return f"{label} would call it as a plain callback, which only creates {result}"


def instead(role: str, name: str, called: bool = False) -> str:
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


def pass_function_fix(call: cst.Call, argument: cst.Arg, inner: cst.Call) -> Fix | None:
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
