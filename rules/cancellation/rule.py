"""AL303 swallowed-cancellation: an ``except`` that catches cancellation and never re-raises."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from asynclint.edits import async_library, source_of
from asynclint.facts.awaitables import COROUTINE_OBJECT
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE
from asynclint.knowledge.roles import (
    ANYIO_CANCELLED_CALL,
    BASE_EXCEPTION,
    CANCELLED_CLASSES,
    SUPPRESS,
)
from asynclint.rule import Rule
from asynclint.rules.cancellation.arrival import cancellation_can_arrive
from asynclint.rules.cancellation.examples import INVALID, VALID
from asynclint.rules.cancellation.handler import passes_on

# What each library's cancellation drives, for the messages.
_WHAT_BREAKS = {
    "asyncio": "`task.cancel()`, timeouts (`asyncio.timeout`, `asyncio.wait_for`) and TaskGroup "
    "shutdown",
    "trio": "cancel scopes (`trio.move_on_after`, `trio.fail_after`, `cancel_scope.cancel()`) and "
    "nursery shutdown",
    "anyio": "cancel scopes (`anyio.move_on_after`, `anyio.fail_after`, `cancel_scope.cancel()`) "
    "and task group shutdown",
}


class SwallowedCancellation(Rule):
    """
    ## What it does
    Finds `except` clauses in an `async def` that catch cancellation and do not re-raise it:
    `except asyncio.CancelledError` (however imported), `except trio.Cancelled`,
    `except anyio.get_cancelled_exc_class()`, `except BaseException`, a bare `except:`, a tuple
    holding any of these, and the same in `except*`; also `with contextlib.suppress(...)` of
    one of these. The `try` (or `with`) body must have an await point of its own (`await`,
    `async with`, `async for`), since that is where cancellation arrives.

    A handler is fine when it contains a `raise` (bare, `raise exc`, `raise Other() from exc`,
    even if only on some path), calls `uncancel()` or a function that never returns
    (`sys.exit()`, `pytest.fail()`), or hands the caught exception on: stores it
    (`errors.append(exc)`, `self._error = exc`), returns it, or passes it to a call other than
    logging (`self._convert_error(exc)` may re-raise it). Only the first handler that catches
    cancellation counts: after `except asyncio.CancelledError: raise`, a later
    `except BaseException:` never sees it. `except Exception` does not catch cancellation.

    Where the cancellation caught may not be the current task's, nothing is reported: a `try`
    body that awaits an existing task or future (`await task`, `await self._waiter`,
    `await asyncio.wait_for(task, 1)`, `await asyncio.gather(*tasks)`), which code elsewhere
    may have cancelled; awaits inside a shielded cancel scope (`with CancelScope(shield=True):`,
    around the `try` or in its body); and a `try` after the code cancelled the current task
    itself (`asyncio.current_task().cancel()`) or a cancel scope (`scope.cancel()`,
    `nursery.cancel_scope.cancel()`, any `.cancel()` in trio or anyio code).

    After `.cancel()` calls earlier in the same block, or in the `try` body, what they
    cancelled decides. `task.cancel()` then `try: await task` is the documented idiom of
    waiting for a task one has just cancelled, and is not reported, nor is awaiting it through
    `asyncio.wait_for(task, 1)`, a call that is passed it, a method of the object that holds
    it (`self.wait_closed()` after `self._task.cancel()`), or `asyncio.gather(*tasks)` after
    `for t in tasks: t.cancel()`. But after `other.cancel()`, a `CancelledError` caught at
    `await task` or `await queue.get()` cannot be `other`'s: it is reported.

    A coroutine object is not a task: awaiting one runs it in the current task. `await coro`
    is reported like any other await when `coro` is annotated `Coroutine[...]`, is a parameter
    every call site in the project passes a coroutine (`guarded(fetch(url))`), or is a local
    assigned a coroutine call.

    ## Why is this bad?
    Cancellation is delivered as an exception raised at an await point, and it only works if
    that exception reaches the event loop. A handler that swallows it lets the coroutine carry
    on as if nothing happened: `task.cancel()` no longer stops the task, `asyncio.timeout()` and
    `asyncio.wait_for()` wait forever or report the wrong outcome, a `TaskGroup` (trio or anyio
    cancel scope, nursery, task group) cannot shut down its children, and `asyncio.run()` hangs
    on Ctrl-C. The asyncio documentation says `CancelledError` should in almost all situations
    be re-raised. `except BaseException` and a bare `except:` also catch `KeyboardInterrupt`
    and `SystemExit`.

    ## Example
    ```python
    import asyncio


    async def consume(queue):
        while True:
            try:
                item = await queue.get()
            except asyncio.CancelledError:
                break
            await handle(item)
    ```

    ## Use instead
    ```python
    import asyncio


    async def consume(queue):
        while True:
            try:
                item = await queue.get()
            except asyncio.CancelledError:
                await flush()
                raise
            await handle(item)
    ```
    To handle errors without touching cancellation, catch `Exception` instead of
    `BaseException` or a bare `except:`. If a task really must absorb a cancellation it
    requested itself, call `asyncio.current_task().uncancel()` in the handler.

    A `# noqa: ASYNC103` or `# noqa: ASYNC104` written for flake8-async silences this rule too.

    ## Fix safety
    No fix is offered: whether to re-raise, narrow the `except`, or move the cleanup into a
    `finally` depends on what the handler is for, and re-raising changes what the caller sees.
    """

    code = "AL303"
    name = "swallowed-cancellation"
    requires = (QUALIFIED_NAME, VALUE, COROUTINE_OBJECT)
    summary = "`except` catches cancellation and never re-raises it"
    # flake8-async: ASYNC103 no-reraise-cancelled, ASYNC104 cancelled-not-raised
    noqa_aliases = ("ASYNC103", "ASYNC104")
    invalid = INVALID
    valid = VALID

    def visit_Try(self, node: cst.Try) -> None:
        self._check(node, node.body, node.handlers)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._check(node, node.body, node.handlers)

    def visit_With(self, node: cst.With) -> None:
        """``with contextlib.suppress(asyncio.CancelledError): await ...`` swallows too."""
        if not self.context.in_async_function:
            return
        for item in node.items:
            call = item.item
            if (
                not isinstance(call, cst.Call)
                or self.ask(QUALIFIED_NAME, call.func) not in SUPPRESS
            ):
                continue
            caught = next(
                (
                    what
                    for what in (self._caught_cancellation(arg.value) for arg in call.args)
                    if what is not None
                ),
                None,
            )
            if caught is not None and cancellation_can_arrive(self, node, node.body):
                self.report(item, self._suppress_message(call, caught))
                return

    def _check(
        self,
        node: cst.Try | cst.TryStar,
        body: cst.BaseSuite,
        handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler],
    ) -> None:
        if not self.context.in_async_function:
            return
        for handler in handlers:
            caught = self._caught_cancellation(handler.type)
            if caught is None:
                continue
            # Only the first handler that catches cancellation ever sees it.
            if not passes_on(self, handler) and cancellation_can_arrive(self, node, body):
                self.report(handler, self._message(handler, caught))
            return

    def _caught_cancellation(self, kind: cst.BaseExpression | None) -> str | None:
        """What in ``kind`` (an except clause's class expression) catches cancellation: a
        library's name, "BaseException" or "bare"; None when it does not catch it."""
        if kind is None:
            return "bare"
        if isinstance(kind, cst.Tuple):
            found = [self._caught_cancellation(e.value) for e in kind.elements]
            return next((what for what in found if what is not None), None)
        if isinstance(kind, cst.Call):
            if self.ask(QUALIFIED_NAME, kind.func) == ANYIO_CANCELLED_CALL and not kind.args:
                return "anyio"
            return None
        qualified = self.ask(QUALIFIED_NAME, kind)
        if qualified == BASE_EXCEPTION:
            return "BaseException"
        return CANCELLED_CLASSES.get(qualified or "")

    def _suppress_message(self, call: cst.Call, caught: str) -> str:
        library = caught if caught in _WHAT_BREAKS else async_library(self.context.module_scope)
        return (
            f"`{source_of(self.context.module, call, 60)}` swallows the task's cancellation, "
            f"which breaks {_WHAT_BREAKS[library]}; suppress only the errors you mean "
            "(`Exception` subclasses), and let cancellation propagate"
        )

    def _message(self, handler: cst.ExceptHandler | cst.ExceptStarHandler, caught: str) -> str:
        star = "*" if isinstance(handler, cst.ExceptStarHandler) else ""
        if caught in ("bare", "BaseException"):
            clause = f"except{star}:" if caught == "bare" else f"except{star} BaseException"
            library = async_library(self.context.module_scope)
            return (
                f"`{clause}` catches cancellation (and KeyboardInterrupt, SystemExit) and never "
                f"re-raises it, which breaks {_WHAT_BREAKS[library]}; narrow it to "
                "`except Exception`, or end the handler with `raise`"
            )
        assert handler.type is not None
        clause = f"except{star} {source_of(self.context.module, handler.type)}"
        return (
            f"`{clause}` swallows the task's cancellation, which breaks {_WHAT_BREAKS[caught]}; "
            "re-raise it with `raise` after any cleanup"
        )
