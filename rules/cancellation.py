"""AL303 swallowed-cancellation: an ``except`` that catches cancellation and never re-raises."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from asynclint.dependence import own_nodes
from asynclint.edits import source_of
from asynclint.engine import iter_children
from asynclint.rule import Rule

# The exception classes that cancellation raises into a task, by the library that raises them.
_CANCELLED_CLASSES = {
    "asyncio.CancelledError": "asyncio",
    "asyncio.exceptions.CancelledError": "asyncio",
    "trio.Cancelled": "trio",
}
# ``except anyio.get_cancelled_exc_class():`` (the backend's class, known only at run time).
_ANYIO_CANCELLED_CALL = "anyio.get_cancelled_exc_class"
_BASE_EXCEPTION = "builtins.BaseException"
_SUPPRESS = frozenset({"contextlib.suppress"})

# asyncio functions whose awaiting raises ``CancelledError`` when the task or future passed to
# them was cancelled: with an existing task among the arguments, the error caught may be that
# task's own cancellation rather than the current task's.
_WAITS_FOR_ARGUMENTS = frozenset(
    {
        "asyncio.ensure_future",
        "asyncio.gather",
        "asyncio.shield",
        "asyncio.wait",
        "asyncio.wait_for",
        "asyncio.wrap_future",
    }
)
# Nodes whose body runs somewhere else (or later): their awaits and raises are not this code's.
_OTHER_CODE = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
# Calls that never return: a handler calling one does not carry on as if nothing happened.
_NO_RETURN = frozenset(
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
_NO_RETURN_TEST_METHODS = frozenset({"fail", "skipTest"})  # ``self.fail()`` in a TestCase
# Calls that only look at an exception (log, print, inspect it): handing the caught exception
# to one of these does not pass it on.
_LOOKING_FUNCTIONS = frozenset(
    {
        "builtins.format",
        "builtins.id",
        "builtins.isinstance",
        "builtins.print",
        "builtins.repr",
        "builtins.str",
        "builtins.type",
    }
)
_LOOKING_METHODS = frozenset(
    {
        "critical",
        "debug",
        "error",
        "exception",
        "fatal",
        "format_exception",
        "info",
        "log",
        "print_exception",
        "warn",
        "warning",
    }
)

# What each library's cancellation drives, for the messages.
_WHAT_BREAKS = {
    "asyncio": "`task.cancel()`, timeouts (`asyncio.timeout`, `asyncio.wait_for`) and TaskGroup "
    "shutdown",
    "trio": "cancel scopes (`trio.move_on_after`, `trio.fail_after`, `cancel_scope.cancel()`) and "
    "nursery shutdown",
    "anyio": "cancel scopes (`anyio.move_on_after`, `anyio.fail_after`, `cancel_scope.cancel()`) "
    "and task group shutdown",
}


def _is_existing_object(node: cst.BaseExpression) -> bool:
    """Whether ``node`` refers to objects that already exist (a task, a future, a list of them)
    rather than creating new work (a call)."""
    if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)):
        return True
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return any(
            isinstance(element, cst.StarredElement) or _is_existing_object(element.value)
            for element in node.elements
        )
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return _is_existing_object(node.elt)
    if isinstance(node, cst.IfExp):
        return _is_existing_object(node.body) or _is_existing_object(node.orelse)
    return False


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

    Where the cancellation may not be the current task's, nothing is reported: a `try` body
    that awaits an existing task or future (`await task`, `await self._waiter`,
    `await asyncio.wait_for(task, 1)`, `await asyncio.gather(*tasks)`), as in the documented
    idiom of waiting for a task one has just cancelled; a `try` that calls `.cancel()` in its
    body, or follows such a call in the same block; and awaits inside a shielded cancel scope
    (`with CancelScope(shield=True):`, around the `try` or in its body).

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
    summary = "`except` catches cancellation and never re-raises it"
    # flake8-async: ASYNC103 no-reraise-cancelled, ASYNC104 cancelled-not-raised
    noqa_aliases = ("ASYNC103", "ASYNC104")

    invalid = (
        "import asyncio\n"
        "\n"
        "async def consume(queue):\n"
        "    while True:\n"
        "        try:\n"
        "            item = await queue.get()\n"
        "        except asyncio.CancelledError:  # error: AL303\n"
        "            break\n",
        "async def fetch(client):\n"
        "    try:\n"
        "        return await client.get('/')\n"
        "    except BaseException:  # error: AL303\n"
        "        return None\n",
        "from asyncio import CancelledError\n"
        "\n"
        "async def serve(server):\n"
        "    try:\n"
        "        async with server:\n"
        "            pass\n"
        "    except (CancelledError, OSError):  # error: AL303\n"
        "        print('stopped')\n",
        "import trio\n"
        "\n"
        "async def worker(channel):\n"
        "    try:\n"
        "        async for message in channel:\n"
        "            print(message)\n"
        "    except trio.Cancelled:  # error: AL303\n"
        "        pass\n",
    )
    valid = (
        "import asyncio\n"
        "\n"
        "async def consume(queue):\n"
        "    try:\n"
        "        await queue.get()\n"
        "    except asyncio.CancelledError:\n"
        "        print('cancelled')\n"
        "        raise\n",
        "async def fetch(client):\n"
        "    try:\n"
        "        return await client.get('/')\n"
        "    except Exception:\n"
        "        return None\n",
        "import asyncio\n"
        "\n"
        "async def stop(task):\n"
        "    task.cancel()\n"
        "    try:\n"
        "        await task\n"
        "    except asyncio.CancelledError:\n"
        "        pass\n",
        "import asyncio\n"
        "\n"
        "async def fetch(client):\n"
        "    try:\n"
        "        return await client.get('/')\n"
        "    except asyncio.CancelledError:\n"
        "        raise\n"
        "    except BaseException:\n"
        "        return None\n",
        "def load(path):\n"
        "    try:\n"
        "        return open(path).read()\n"
        "    except BaseException:\n"
        "        return None\n",
        "import asyncio\n"
        "\n"
        "async def wait_quietly(event):\n"
        "    try:\n"
        "        await event.wait()\n"
        "    except asyncio.CancelledError:\n"
        "        asyncio.current_task().uncancel()\n",
        "async def receive(self, sock):\n"
        "    try:\n"
        "        return await sock.recv(1024)\n"
        "    except BaseException as exc:\n"
        "        self._convert_socket_error(exc)\n",
        "import trio\n"
        "\n"
        "async def close(resource):\n"
        "    with trio.CancelScope(shield=True):\n"
        "        try:\n"
        "            await resource.aclose()\n"
        "        except trio.Cancelled:\n"
        "            pass\n",
        "import asyncio\n"
        "\n"
        "async def main():\n"
        "    try:\n"
        "        def later():\n"
        "            async def inner():\n"
        "                await asyncio.sleep(1)\n"
        "            return inner\n"
        "    except asyncio.CancelledError:\n"
        "        pass\n",
    )

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
            if not isinstance(call, cst.Call) or self.context.resolve(call.func) not in _SUPPRESS:
                continue
            caught = next(
                (
                    what
                    for what in (self._caught_cancellation(arg.value) for arg in call.args)
                    if what is not None
                ),
                None,
            )
            if (
                caught is not None
                and self._cancellation_can_arrive(node.body)
                and not self._shielded_or_self_cancelled(node)
            ):
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
            if (
                not self._passes_on(handler)
                and self._cancellation_can_arrive(body)
                and not self._shielded_or_self_cancelled(node)
            ):
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
            if self.context.resolve(kind.func) == _ANYIO_CANCELLED_CALL and not kind.args:
                return "anyio"
            return None
        qualified = self.context.resolve(kind)
        if qualified == _BASE_EXCEPTION:
            return "BaseException"
        return _CANCELLED_CLASSES.get(qualified or "")

    # --- does the handler pass the exception on? ------------------------------------------
    def _passes_on(self, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
        """Whether the handler does not simply carry on: it raises (anything, on any path),
        calls ``uncancel()`` or a function that never returns, or hands the caught exception
        to other code (stores it, returns it, passes it to a call that is not logging)."""
        bound = None
        if handler.name is not None and isinstance(handler.name.name, cst.Name):
            bound = handler.name.name.value
        for node in own_nodes(handler.body):
            if isinstance(node, cst.Raise):
                return True
            if isinstance(node, cst.Assert) and _is_false_constant(node.test):
                return True
            if isinstance(node, cst.Call) and self._never_returns_or_uncancels(node):
                return True
            if bound is not None and self._hands_on(node, bound):
                return True
        return False

    def _never_returns_or_uncancels(self, call: cst.Call) -> bool:
        func = call.func
        if isinstance(func, cst.Attribute):
            if func.attr.value == "uncancel":
                return True
            if (
                func.attr.value in _NO_RETURN_TEST_METHODS
                and isinstance(func.value, cst.Name)
                and func.value.value == "self"
            ):
                return True
        elif isinstance(func, cst.Name) and func.value == "uncancel":
            return True
        return self.context.resolve(func) in _NO_RETURN

    def _hands_on(self, node: cst.CSTNode, name: str) -> bool:
        """Whether ``node`` passes the exception bound to ``name`` to other code."""
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return)):
            return node.value is not None and _holds_name(node.value, name)
        if isinstance(node, cst.Yield):
            return isinstance(node.value, cst.BaseExpression) and _holds_name(node.value, name)
        if isinstance(node, cst.Call):
            if not any(_holds_name(arg.value, name) for arg in node.args):
                return False
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _LOOKING_METHODS:
                return False
            return self.context.resolve(func) not in _LOOKING_FUNCTIONS
        return False

    # --- can the current task's cancellation reach the handler? ---------------------------
    def _cancellation_can_arrive(self, body: cst.BaseSuite) -> bool:
        """Whether the try body has an await point of its own where the current task's
        cancellation (and not only an awaited task's, or one it requested itself) is raised."""
        has_await_point = False
        pending: list[cst.CSTNode] = [body]
        while pending:
            node = pending.pop()
            if isinstance(node, _OTHER_CODE):
                continue
            if isinstance(node, cst.Await):
                if self._awaits_existing_work(node.expression):
                    return False
                has_await_point = True
            elif isinstance(node, cst.Call) and _is_cancel_call(node):
                return False
            elif isinstance(node, (cst.With, cst.For, cst.CompFor)):
                has_await_point = has_await_point or node.asynchronous is not None
                if isinstance(node, cst.With) and _is_shielded(node):
                    continue  # nothing from outside is delivered inside a shielded scope
            pending.extend(iter_children(node))
        return has_await_point

    def _awaits_existing_work(self, awaited: cst.BaseExpression) -> bool:
        """``await task``, ``await asyncio.wait_for(task, 1)``: the awaited thing was created
        elsewhere and may have been cancelled on its own."""
        if not isinstance(awaited, cst.Call):
            return True
        if self.context.resolve(awaited.func) not in _WAITS_FOR_ARGUMENTS:
            return False
        return any(
            arg.keyword is None and (arg.star == "*" or _is_existing_object(arg.value))
            for arg in awaited.args
        )

    def _shielded_or_self_cancelled(self, node: cst.Try | cst.TryStar) -> bool:
        """Whether the ``try`` runs inside a shielded cancel scope of the same function, or
        follows a ``.cancel()`` call in its block (the cancellation may be the function's own
        request, as in ``task.cancel()`` then ``try: await ...``)."""
        context = self.context
        for ancestor in reversed(context.ancestors[:-1]):
            if isinstance(ancestor, _OTHER_CODE):
                break
            if isinstance(ancestor, cst.With) and _is_shielded(ancestor):
                return True
        block = context.parent
        statements = getattr(block, "body", None)
        if not isinstance(statements, Sequence):
            return False
        for statement in statements:
            if statement is node:
                break
            if isinstance(statement, _OTHER_CODE):
                continue  # a definition runs none of its body here
            if any(isinstance(n, cst.Call) and _is_cancel_call(n) for n in own_nodes(statement)):
                return True
        return False

    def _suppress_message(self, call: cst.Call, caught: str) -> str:
        library = caught if caught in _WHAT_BREAKS else self.context.async_library
        return (
            f"`{source_of(self.context.module, call, 60)}` swallows the task's cancellation, "
            f"which breaks {_WHAT_BREAKS[library]}; suppress only the errors you mean "
            "(`Exception` subclasses), and let cancellation propagate"
        )

    def _message(self, handler: cst.ExceptHandler | cst.ExceptStarHandler, caught: str) -> str:
        star = "*" if isinstance(handler, cst.ExceptStarHandler) else ""
        if caught in ("bare", "BaseException"):
            clause = f"except{star}:" if caught == "bare" else f"except{star} BaseException"
            library = self.context.async_library
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


def _holds_name(node: cst.BaseExpression, name: str) -> bool:
    """``name`` itself, or ``name`` as an element of a tuple or list display."""
    if isinstance(node, cst.Name):
        return node.value == name
    if isinstance(node, (cst.Tuple, cst.List)):
        return any(_holds_name(element.value, name) for element in node.elements)
    return False


def _is_false_constant(node: cst.BaseExpression) -> bool:
    """``False`` or ``0``: ``assert False`` always raises."""
    if isinstance(node, cst.Name):
        return node.value == "False"
    return isinstance(node, cst.Integer) and node.value == "0"


def _is_cancel_call(call: cst.Call) -> bool:
    """``something.cancel()`` (a task, a future, a cancel scope)."""
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "cancel"


def _is_shielded(node: cst.With) -> bool:
    """``with CancelScope(shield=True):``, ``with move_on_after(1, shield=True):`` (a
    ``shield`` argument other than ``False``)."""
    for item in node.items:
        call = item.item
        if isinstance(call, cst.Call):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "shield":
                    value = arg.value
                    if not (isinstance(value, cst.Name) and value.value == "False"):
                        return True
    return False
