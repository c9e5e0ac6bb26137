"""AL501, AL502, AL504, AL506: calling into the event loop the wrong way from async code.

Running a loop inside the running loop, asking for "the" event loop where the running one is
meant, awaiting what cannot be awaited, and waiting on the loop's own thread for work that
loop must do.
"""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.engine import Context
from asynclint.index import ASYNC_GENERATOR, COROUTINE, LOOP_NAMES, SYNC, Instance
from asynclint.rule import Example, Rule
from asynclint.rules.tasks import THREADSAFE

_RUNNERS = frozenset(
    {"asyncio.run", "asyncio.runners.run", "trio.run", "anyio.run", "anyio._core._eventloop.run"}
)
_LOOP_RUN_METHODS = frozenset({"run_until_complete", "run_forever"})
_LOOP_TYPES = frozenset(
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
_LOOP_GETTERS = frozenset(
    {
        "asyncio.get_event_loop",
        "asyncio.events.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.events.get_running_loop",
        "asyncio.new_event_loop",
        "asyncio.events.new_event_loop",
    }
)
_RUNNING_LOOP_GETTERS = frozenset(
    {
        "asyncio.get_event_loop",
        "asyncio.events.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.events.get_running_loop",
    }
)
_GET_EVENT_LOOP = frozenset({"asyncio.get_event_loop", "asyncio.events.get_event_loop"})
_POLICY_GETTERS = frozenset(
    {"asyncio.get_event_loop_policy", "asyncio.events.get_event_loop_policy"}
)
_FORKS = frozenset({"os.fork", "os.forkpty"})
# Modules that patch asyncio so that a loop may run inside the running one.
_REENTRANT_PATCHES = frozenset({"nest_asyncio"})


def _is_runner(qualified: str) -> object | None:
    """``family_of`` for the project index's chain search: a call that runs an event loop."""
    return True if qualified in _RUNNERS else None


def _loop_receiver(context: Context, node: cst.BaseExpression) -> bool:
    """Whether ``node`` is an event loop: from ``get_event_loop()``/``new_event_loop()``, of
    an event-loop type, or named like one with nothing else known of it."""
    if isinstance(node, cst.Call):
        return context.resolve(node.func) in _LOOP_GETTERS
    meaning = context.value(node)
    if isinstance(meaning, Instance):
        return meaning.type in _LOOP_TYPES
    last = node.attr.value if isinstance(node, cst.Attribute) else getattr(node, "value", "")
    return meaning is None and last in LOOP_NAMES


class NestedEventLoop(Rule):
    """
    ## What it does
    Finds code that starts an event loop while one is running: `asyncio.run()`, `trio.run()`,
    `anyio.run()`, `loop.run_until_complete()` and `loop.run_forever()` inside an `async def`.
    A call of one of the project's sync functions that reaches such a call (directly or a few
    calls down, across modules) is reported too, at the call in the coroutine, with the chain
    in the message. Code in a nested sync `def` or `lambda` (handed to a thread, say) is not
    reported, nor is a module that imports `nest_asyncio`, which patches asyncio to allow it,
    nor code after `os.fork()` in the same coroutine (the child process has no running loop).

    ## Why is this bad?
    One thread runs one event loop at a time. Inside a coroutine a loop is already running, so
    these calls fail at run time: "asyncio.run() cannot be called from a running event loop",
    "This event loop is already running", "Cannot run the event loop while another loop is
    running". The code was usually written for a script and then called from async code.

    ## Example
    ```python
    import asyncio


    async def fetch(url): ...


    async def handler(url):
        return asyncio.run(fetch(url))
    ```

    ## Use instead
    ```python
    async def fetch(url): ...


    async def handler(url):
        return await fetch(url)
    ```
    A sync helper that must run a coroutine should become `async def` (and be awaited), or be
    handed to a thread (`await asyncio.to_thread(helper)`), where a loop of its own may run.

    ## Fix safety
    No fix is offered: the caller has to become async or the work has to move to a thread,
    and which is right depends on the program.
    """

    code = "AL501"
    name = "nested-event-loop"
    summary = "An event loop is started inside a running one (`asyncio.run` in `async def`)"
    needs_index = True

    invalid = (
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    return asyncio.run(fetch())  # error: AL501\n",
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    loop = asyncio.get_event_loop()\n"
        "    loop.run_until_complete(fetch())  # error: AL501\n",
        "import trio\n\nasync def fetch(): ...\n\n"
        "def fetch_now():\n    return trio.run(fetch)\n\n"
        "async def main():\n    fetch_now()  # error: AL501\n",
    )
    valid = (
        "import asyncio\n\nasync def main(): ...\n\nif __name__ == '__main__':\n"
        "    asyncio.run(main())\n",
        "import asyncio\n\nasync def fetch(): ...\n\ndef cli():\n    asyncio.run(fetch())\n",
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    await asyncio.to_thread(lambda: asyncio.run(fetch()))\n",
        "import asyncio\n\nimport nest_asyncio\n\nnest_asyncio.apply()\n\n"
        "async def fetch(): ...\n\nasync def main():\n    asyncio.run(fetch())\n",
        "import asyncio\n\nasync def fetch(): ...\n\n"
        "def fetch_now():\n    return asyncio.run(fetch())\n\n"
        "async def main():\n    await asyncio.to_thread(fetch_now)\n",
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if not context.in_async_function or self._patched():
            return
        func = node.func
        resolved = context.resolve(func)
        if resolved in _FORKS:
            self.forked.add(id(context.scope.node))
            return
        if id(context.scope.node) in self.forked:
            return  # the child of ``os.fork()`` has no running loop
        if resolved in _RUNNERS:
            name = source_of(context.module, func)
            self.report(
                node,
                f"`{name}()` starts an event loop inside a running one and fails at run time; "
                "`await` the coroutine instead",
            )
            return
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _LOOP_RUN_METHODS
            and _loop_receiver(context, func.value)
        ):
            name = source_of(context.module, func)
            self.report(
                node,
                f"`{name}()` runs an event loop inside a running one and fails at run time "
                '("This event loop is already running"); `await` the coroutine instead',
            )
            return
        index = context.index
        if index is None or resolved is None:
            return
        candidates = [resolved] if index.is_project_name(resolved) else []
        if isinstance(func, cst.Attribute):
            receiver = context.value(func.value)
            if isinstance(receiver, Instance) and index.is_project_name(receiver.type):
                candidates.append(f"{receiver.type}.{func.attr.value}")
        for candidate in candidates:
            chain = index.blocking_chain(candidate, _is_runner)
            if chain:
                name = source_of(context.module, func)
                path = " -> ".join(
                    [*(f"{n.rsplit('.', 1)[-1]}()" for n in chain[:-1]), f"{chain[-1]}()"]
                )
                self.report(
                    node,
                    f"`{name}()` starts an event loop inside the running one through a sync "
                    f"helper: {path}; it fails at run time. Make the helper `async def` and "
                    "await it, or run it in a thread (`await asyncio.to_thread(...)`)",
                )
                return

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.forked: set[int] = set()  # functions that have called ``os.fork()`` so far

    def _patched(self) -> bool:
        key = ("nest_asyncio", 0)
        memo = self.context.memo
        if key not in memo:
            memo[key] = any(
                isinstance(q, str) and q.split(".", 1)[0] in _REENTRANT_PATCHES
                for q in self.context.module_scope.bindings.values()
            )
        return bool(memo[key])


class GetEventLoopInCoroutine(Rule):
    """
    ## What it does
    Finds `asyncio.get_event_loop()` (also through `asyncio.get_event_loop_policy()`) called
    where a running loop is certain, and the removed `asyncio.Task.current_task()` and
    `asyncio.Task.all_tasks()` class methods there: inside an `async def`, and in a private
    module-level sync function (`def _helper():`) that, by the project index, only
    coroutines of the project call (it is never taken as a value, called at module level, from
    a nested function or from sync code).

    ## Why is this bad?
    `get_event_loop()` guesses: outside a running loop it may create a loop, warn
    (deprecated since Python 3.10-3.12) or raise (3.14). Inside a coroutine the loop is running
    for sure, and `asyncio.get_running_loop()` says so: it returns the same loop, never creates
    one, and fails loudly if the code is ever moved somewhere without a running loop.
    `Task.current_task()` and `Task.all_tasks()` were removed in Python 3.9.

    ## Example
    ```python
    import asyncio


    async def read(path):
        loop = asyncio.get_event_loop()
        return await loop.run_in_executor(None, open, path)
    ```

    ## Use instead
    ```python
    import asyncio


    async def read(path):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, open, path)
    ```

    ## Fix safety
    The fix is safe: inside a coroutine the running loop is the one `get_event_loop()` returns,
    and `asyncio.current_task()`/`asyncio.all_tasks()` do what the removed methods did.
    """

    code = "AL502"
    name = "get-event-loop-in-coroutine"
    summary = "`asyncio.get_event_loop()` inside a coroutine; use `asyncio.get_running_loop()`"
    fix_applicability = Applicability.SAFE
    needs_index = True

    invalid = (
        Example(
            "import asyncio\n\nasync def main():\n"
            "    loop = asyncio.get_event_loop()  # error: AL502\n",
            fixed="import asyncio\n\nasync def main():\n    loop = asyncio.get_running_loop()\n",
        ),
        Example(
            "from asyncio import get_event_loop\n\nasync def main(job):\n"
            "    await get_event_loop().run_in_executor(None, job)  # error: AL502\n",
            fixed="from asyncio import get_event_loop\nimport asyncio\n\nasync def main(job):\n"
            "    await asyncio.get_running_loop().run_in_executor(None, job)\n",
        ),
        Example(
            "import asyncio\n\ndef _loop():\n"
            "    return asyncio.get_event_loop()  # error: AL502\n\n"
            "async def main():\n    return _loop()\n",
            fixed="import asyncio\n\ndef _loop():\n    return asyncio.get_running_loop()\n\n"
            "async def main():\n    return _loop()\n",
        ),
        Example(
            "import asyncio\n\nasync def main():\n"
            "    return asyncio.Task.current_task()  # error: AL502\n",
            fixed="import asyncio\n\nasync def main():\n    return asyncio.current_task()\n",
        ),
    )
    valid = (
        "import asyncio\n\ndef _loop():\n    return asyncio.get_event_loop()\n\n"
        "async def main():\n    return _loop()\n\ndef sync_main():\n    return _loop()\n",
        "import asyncio\n\nasync def main():\n    loop = asyncio.get_running_loop()\n",
        "import asyncio\n\ndef main():\n    loop = asyncio.get_event_loop()\n",
        "import asyncio\n\nasync def main():\n    def later():\n"
        "        return asyncio.get_event_loop()\n    return later\n",
    )

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if node.args:
            return
        func = node.func
        resolved = context.resolve(func)
        replacement = None
        if resolved in _GET_EVENT_LOOP:
            replacement = "get_running_loop"
        elif resolved in ("asyncio.Task.current_task", "asyncio.Task.all_tasks"):
            replacement = resolved.rsplit(".", 1)[-1]
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value == "get_event_loop"
            and isinstance(func.value, cst.Call)
            and context.resolve(func.value.func) in _POLICY_GETTERS
        ):
            replacement = "get_running_loop"
        if replacement is None:
            return
        where = "inside a coroutine"
        if not context.in_async_function:
            # Asked only for the calls in question: the first answer reads the whole project.
            helper = self._helper_of_coroutines()
            if helper is None:
                return
            where = f"in `{helper}()`, which only coroutines call"
        reference, imports = context.module_reference("asyncio")
        new_func = cst.parse_expression(f"{reference}.{replacement}")
        what = source_of(context.module, func)
        self.report(
            node,
            f"`{what}()` {where}: use `asyncio.{replacement}()`"
            + (", which returns the running loop" if replacement == "get_running_loop" else ""),
            Fix(
                f"Use `asyncio.{replacement}()`",
                ((func, new_func),),
                Applicability.SAFE,
                imports,
            ),
        )

    def _helper_of_coroutines(self) -> str | None:
        """The name of the module-level sync function being walked, when the project index
        says only coroutines call it (then a loop is running whenever it runs)."""
        context = self.context
        scope = context.scope
        if (
            scope.kind != "function"
            or len(context.scopes) != 2
            or context.index is None
            or context.module_info is None
            or not isinstance(scope.node, cst.FunctionDef)
        ):
            return None
        name = scope.node.name.value
        key = ("only-from-coroutines", id(scope.node))
        if key not in context.memo:
            qualified = f"{context.module_info[0]}.{name}"
            context.memo[key] = context.index.only_called_from_coroutines(qualified)
        return name if context.memo[key] else None


class AwaitNotAwaitable(Rule):
    """
    ## What it does
    Finds `await` on something that cannot be awaited: the result of a plain function that
    surely returns no awaitable (the project's functions that return nothing or a plainly
    typed value, classes without `__await__`, the blocking calls of the catalogue such as
    `time.sleep()` or `requests.get()`), an `async def` function named without calling it
    (`await fetch`), and an async generator call (`await ticks()`).

    ## Why is this bad?
    It fails at run time: "object NoneType can't be used in 'await' expression", "object
    function can't be used in 'await' expression", "object async_generator can't be used in
    'await' expression". Usually a sync function was taken for async (or was async once), a
    call's parentheses were forgotten, or an async generator was meant to be iterated.

    ## Example
    ```python
    import time


    async def fetch(): ...


    async def main():
        await time.sleep(1)
        await fetch
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch(): ...


    async def main():
        await asyncio.sleep(1)
        await fetch()
    ```

    ## Fix safety
    No fix is offered: whether the callee should become async, the `await` should go, or the
    call is missing its arguments depends on the program.
    """

    code = "AL504"
    name = "await-not-awaitable"
    summary = "`await` on something that is not awaitable"
    needs_index = True

    invalid = (
        "def save(record):\n    print(record)\n\nasync def main(record):\n"
        "    await save(record)  # error: AL504\n",
        "async def fetch(): ...\n\nasync def main():\n    await fetch  # error: AL504\n",
        "async def ticks():\n    yield 1\n\nasync def main():\n    await ticks()  # error: AL504\n",
        "import time\n\nasync def main():\n    await time.sleep(1)  # error: AL504\n",
    )
    valid = (
        "async def fetch(): ...\n\nasync def main():\n    await fetch()\n",
        "async def fetch(): ...\n\ndef start():\n    return fetch()\n\n"
        "async def main():\n    await start()\n",
        "def start(job):\n    return job.run()\n\nasync def main(job):\n    await start(job)\n",
        "import asyncio\n\nasync def main(task: asyncio.Task):\n    await task\n",
        "class Base:\n    def run(self):\n        pass\n\n"
        "class Child(Base):\n    async def run(self): ...\n\n"
        "async def main(job: Base):\n    await job.run()\n",
    )

    def visit_Await(self, node: cst.Await) -> None:
        context = self.context
        expression = node.expression
        if isinstance(expression, cst.Call):
            kind = context.call_kind(expression)
            if kind not in (None, SYNC, ASYNC_GENERATOR):
                return  # a coroutine, a future, a task: awaitable
            name = source_of(context.module, expression.func)
            if kind == ASYNC_GENERATOR:
                self.report(
                    node,
                    f"`{name}()` is an async generator: it cannot be awaited; iterate it with "
                    "`async for`",
                )
            elif context.never_awaitable(expression.func):
                self.report(
                    node,
                    f"`{name}()` returns a value that cannot be awaited (it fails at run "
                    "time); drop the `await`, or make the function `async def`",
                )
            return
        if isinstance(expression, (cst.Name, cst.Attribute)) and context.index is not None:
            meaning = context.value(expression)
            kind = None
            if isinstance(meaning, str):
                kind = context.index.call_kind(meaning)
            elif meaning is not None and not isinstance(meaning, Instance):
                kind = meaning.kind
            if kind == COROUTINE:
                name = source_of(context.module, expression)
                self.report(
                    node,
                    f"`{name}` is a coroutine function, not a coroutine: awaiting it fails at "
                    f"run time; call it: `await {name}(...)`",
                )


class ThreadsafeResultDeadlock(Rule):
    """
    ## What it does
    Finds `asyncio.run_coroutine_threadsafe(coro, loop).result()` inside an `async def` where
    `loop` is the running loop (`asyncio.get_running_loop()`, `asyncio.get_event_loop()`, or a
    local assigned one of them), also when the future is first stored in a variable.

    ## Why is this bad?
    `run_coroutine_threadsafe()` schedules the coroutine on `loop` and `.result()` blocks the
    calling thread until it is done. Called on the loop's own thread, the loop is blocked and
    can never run the coroutine: the program hangs for good (or until the timeout, and then
    the work has not happened).

    ## Example
    ```python
    import asyncio


    async def fetch(): ...


    async def main():
        loop = asyncio.get_running_loop()
        return asyncio.run_coroutine_threadsafe(fetch(), loop).result()
    ```

    ## Use instead
    ```python
    async def fetch(): ...


    async def main():
        return await fetch()
    ```
    `run_coroutine_threadsafe()` is for code running in *another* thread than the loop's.

    ## Fix safety
    No fix is offered.
    """

    code = "AL506"
    name = "threadsafe-result-deadlock"
    summary = "`run_coroutine_threadsafe(..., running_loop).result()` on the loop's own thread"

    invalid = (
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    return asyncio.run_coroutine_threadsafe(fetch(), loop).result()  # error: AL506\n",
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    future = asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_event_loop())\n"
        "    return future.result(5)  # error: AL506\n",
    )
    valid = (
        "import asyncio\n\nasync def fetch(): ...\n\ndef from_thread(loop):\n"
        "    return asyncio.run_coroutine_threadsafe(fetch(), loop).result()\n",
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main(other_loop):\n"
        "    future = asyncio.run_coroutine_threadsafe(fetch(), other_loop)\n"
        "    return await asyncio.wrap_future(future)\n",
        "import asyncio\n\nasync def fetch(): ...\n\nasync def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    def work():\n"
        "        return asyncio.run_coroutine_threadsafe(fetch(), loop).result()\n"
        "    return await asyncio.to_thread(work)\n",
    )

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # Per function being walked: names holding the running loop, and names holding a
        # future scheduled on it.
        self.loops: list[set[str]] = []
        self.futures: list[set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.loops.append(set())
        self.futures.append(set())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.loops.pop()
        self.futures.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.loops or not self.context.in_async_function or len(node.targets) != 1:
            return
        target = node.targets[0].target
        if not isinstance(target, cst.Name):
            return
        name = target.value
        self.loops[-1].discard(name)
        self.futures[-1].discard(name)
        value = node.value
        if isinstance(value, cst.Call):
            resolved = self.context.resolve(value.func)
            if resolved in _RUNNING_LOOP_GETTERS:
                self.loops[-1].add(name)
            elif self._on_running_loop(value):
                self.futures[-1].add(name)

    def _on_running_loop(self, call: cst.Call) -> bool:
        if self.context.resolve(call.func) not in THREADSAFE:
            return False
        loop = next(
            (a.value for a in call.args if a.keyword and a.keyword.value == "loop"),
            call.args[1].value if len(call.args) > 1 and call.args[1].keyword is None else None,
        )
        if isinstance(loop, cst.Call):
            return self.context.resolve(loop.func) in _RUNNING_LOOP_GETTERS
        return isinstance(loop, cst.Name) and bool(self.loops) and loop.value in self.loops[-1]

    def visit_Call(self, node: cst.Call) -> None:
        if not self.context.in_async_function or not self.loops:
            return
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "result":
            return
        future = func.value
        if (isinstance(future, cst.Call) and self._on_running_loop(future)) or (
            isinstance(future, cst.Name) and future.value in self.futures[-1]
        ):
            self.report(
                node,
                "`.result()` waits on the event loop's own thread for a coroutine scheduled on "
                "that same loop: the loop can never run it, so this deadlocks; `await` the "
                "coroutine instead",
            )
