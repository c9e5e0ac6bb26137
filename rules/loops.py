"""AL402 await-in-loop: a loop (or comprehension) that awaits one independent read per item.

Only loops whose whole body is understood are judged: one awaited call per iteration, whose
callee is named for reading, whose receiver is not a queue, stream, connection or lock, and
whose arguments read only the loop's item and names the loop does not change; the result is
collected into a container, bound to a name for the next statement, or dropped. Anything else
(another await, a branch that leaves the loop, an accumulation, a call that is not logging)
keeps the loop silent: sequential order is often intended, and precision comes first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from asynclint.dependence import (
    CONSUMING_METHODS,
    callee_words,
    depends,
    in_ordering_context,
    is_ordered_receiver,
    is_read_like,
    own_nodes,
    paths_read,
    words,
)
from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.engine import dotted_name, iter_children
from asynclint.rule import Example, Rule

# Words of a callee name that make a "read" change something too (``get_or_create``,
# ``fetch_and_delete``) or hand out the next item of something shared (``get_next``).
_MUTATING_WORDS = frozenset(
    {
        "ack",
        "acquire",
        "add",
        "apply",
        "claim",
        "clear",
        "commit",
        "consume",
        "create",
        "dec",
        "decr",
        "delete",
        "dequeue",
        "dispatch",
        "emit",
        "enqueue",
        "execute",
        "flush",
        "handle",
        "incr",
        "increment",
        "insert",
        "into",
        "invalidate",
        "lease",
        "lock",
        "login",
        "mark",
        "more",
        "next",
        "notify",
        "or",
        "persist",
        "pop",
        "post",
        "process",
        "publish",
        "push",
        "put",
        "record",
        "refresh",
        "register",
        "remove",
        "reserve",
        "reset",
        "rollback",
        "run",
        "save",
        "send",
        "set",
        "store",
        "sync",
        "take",
        "track",
        "trigger",
        "update",
        "upsert",
        "write",
    }
)
# First words of methods that consume a stream even when named for reading.
_STREAM_WORDS = frozenset({"read", "readline", "recv", "receive"})
# ``with`` items that order what runs inside them, besides the shared ORDERING_CONTEXT_WORDS.
_MORE_ORDERING_WORDS = frozenset(
    {
        "acquire",
        "limit",
        "limiter",
        "limits",
        "rate",
        "ratelimit",
        "sem",
        "sema",
        "sequential",
        "serial",
        "throttle",
    }
)
# Loop variables that name attempts: the loop is a retry, not a batch.
_RETRY_WORDS = ("attempt", "retry", "retries", "tries", "try")
# Calls allowed in arguments and in the values a loop body computes: they neither wait nor
# change shared state.
_PURE_CALLS = frozenset(
    {
        "abs",
        "bool",
        "bytes",
        "decode",
        "dict",
        "dumps",
        "encode",
        "float",
        "format",
        "frozenset",
        "get",
        "int",
        "isinstance",
        "items",
        "join",
        "json",
        "keys",
        "len",
        "list",
        "loads",
        "lower",
        "max",
        "min",
        "parse",
        "quote",
        "repr",
        "round",
        "set",
        "sorted",
        "split",
        "str",
        "strip",
        "tuple",
        "upper",
        "urljoin",
        "values",
    }
)
# Methods that put a result into a container.
_COLLECTING_METHODS = frozenset({"append", "add", "extend", "update"})
# Receivers of logging calls, allowed in a loop body.
_LOGGER_RE = re.compile(r"^_*(log|logger|logging)$|logger$", re.IGNORECASE)
# Expressions that must be parenthesised to stand as a comprehension's iterable.
_NEEDS_PARENS = (cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Tuple, cst.Yield)
# What makes the names bound in a function visible without naming them.
_INTROSPECTION = frozenset({"locals", "vars", "dir", "eval", "exec"})
_REITERABLE_VALUES = (
    cst.List,
    cst.Set,
    cst.Dict,
    cst.Tuple,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
)
_REITERABLE_CALLS = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted"})


def _names(paths: set[str]) -> set[str]:
    return {path.split(".", 1)[0] for path in paths}


def _target_names(target: cst.BaseExpression) -> set[str] | None:
    """The names a loop target binds, or None for a target that is not only names."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        names: set[str] = set()
        for element in target.elements:
            inner = _target_names(element.value)
            if inner is None:
                return None
            names |= inner
        return names
    return None


def _is_pure(node: cst.CSTNode) -> bool:
    """No await, walrus, yield or lambda, and only calls that neither wait nor change state."""
    for inner in (node, *own_nodes(node)):
        if isinstance(inner, (cst.Await, cst.NamedExpr, cst.Yield, cst.Lambda)):
            return False
        if isinstance(inner, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return False
        if isinstance(inner, cst.Call):
            _, name = callee_words(inner.func)
            if name not in _PURE_CALLS:
                return False
    return True


def _is_logging(call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value == "print"
    if isinstance(func, cst.Attribute):
        receiver = dotted_name(func.value)
        return receiver is not None and bool(_LOGGER_RE.search(receiver.rsplit(".", 1)[-1]))
    return False


def _awaited_call(node: cst.BaseExpression) -> cst.Call | None:
    if isinstance(node, cst.Await) and isinstance(node.expression, cst.Call):
        return node.expression
    return None


def _is_plain_read(call: cst.Call) -> bool:
    """The call is named for reading (no word that writes), on no queue, stream, connection or
    lock, with arguments that neither wait nor change anything."""
    receiver, name = callee_words(call.func)
    if name is None or receiver == "?" or not is_read_like(name):
        return False
    parts = words(name)
    if any(part in _MUTATING_WORDS for part in parts):
        return False
    if receiver is not None and (
        is_ordered_receiver(receiver) or name in CONSUMING_METHODS or parts[0] in _STREAM_WORDS
    ):
        return False
    return all(_is_pure(argument.value) for argument in call.args)


@dataclass
class _Body:
    """What a loop body does, when every statement of it is understood."""

    call: cst.Call
    # Containers the body puts results into (``results``, ``self.cache``, ``item.profile``).
    containers: set[str] = field(default_factory=set)
    # The name the awaited result is bound to (``r = await f(x)``), if any.
    result_name: str | None = None
    # ``results.append(await f(x))`` / ``r = await f(x); results.append(r)``: the list.
    appended_to: str | None = None
    statements: int = 0


def _small_statements(block: cst.BaseSuite) -> list[cst.CSTNode] | None:
    """The body's statements, simple ones flattened; None if it holds anything unusual."""
    if isinstance(block, cst.SimpleStatementSuite):
        return list(block.body)
    statements: list[cst.CSTNode] = []
    for statement in block.body:
        if isinstance(statement, cst.SimpleStatementLine):
            statements.extend(statement.body)
        elif isinstance(statement, cst.If):
            statements.append(statement)
        else:
            return None
    return statements


def _assigned_names(statements: Sequence[cst.CSTNode]) -> set[str]:
    names: set[str] = set()
    for statement in statements:
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                if isinstance(target.target, cst.Name):
                    names.add(target.target.value)
    return names


def _analyse_body(statements: Sequence[cst.CSTNode], loop_names: set[str]) -> _Body | None:
    """The awaited call of a loop body whose iterations do not depend on each other."""
    assigned = _assigned_names(statements)
    if assigned & loop_names:
        return None
    containers: set[str] = set()
    item_containers: set[str] = set()  # attributes or items of the loop's own item
    call: cst.Call | None = None
    result_name = appended_to = None
    reads: list[set[str]] = []  # what statements read, checked once containers are known

    def value_slot(value: cst.BaseExpression, branch: bool) -> bool:
        """The awaited call of the body (not in a branch), or a pure value."""
        nonlocal call
        awaited = _awaited_call(value)
        if awaited is not None:
            if call is not None or branch:
                return False
            call = awaited
            return True
        if not _is_pure(value):
            return False
        reads.append(paths_read(value))
        return True

    def container(node: cst.BaseExpression) -> str | None:
        path = dotted_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        if path is None:
            return None
        head = path.split(".", 1)[0]
        if head in loop_names:
            if path == head:
                return None  # rebinding the item itself
            item_containers.add(path)
        elif head in assigned:
            return None
        else:
            containers.add(path)
        return path

    def understood(statement: cst.CSTNode, branch: bool) -> bool:
        """``statement`` is one a loop of independent iterations may hold; in a branch of an
        ``if`` it may neither await nor bind a name (a conditional binding may carry a value
        over to the next iteration)."""
        nonlocal result_name, appended_to
        if isinstance(statement, cst.Pass) or (branch and isinstance(statement, cst.Continue)):
            return True
        if isinstance(statement, cst.If) and not branch:
            if not _is_pure(statement.test):
                return False
            reads.append(paths_read(statement.test))
            branches = [statement.body]
            if isinstance(statement.orelse, cst.Else):
                branches.append(statement.orelse.body)
            elif statement.orelse is not None:
                return False
            for block in branches:
                inner = _small_statements(block)
                if inner is None or not all(understood(s, True) for s in inner):
                    return False
            return True
        if isinstance(statement, cst.Expr):
            value = statement.value
            if _awaited_call(value) is not None:
                return value_slot(value, branch)
            if not isinstance(value, cst.Call):
                return False
            if _is_logging(value):
                return not any(_has_own(a.value, cst.Await) for a in value.args)
            func = value.func
            if (
                not isinstance(func, cst.Attribute)
                or func.attr.value not in _COLLECTING_METHODS
                or len(value.args) != 1
                or value.args[0].keyword is not None
                or value.args[0].star
            ):
                return False
            path = container(func.value)
            argument = value.args[0].value
            if path is None or not value_slot(argument, branch):
                return False
            if func.attr.value == "append" and not branch:
                if _awaited_call(argument) is not None or (
                    isinstance(argument, cst.Name) and argument.value == result_name
                ):
                    appended_to = path
            return True
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            target = statement.targets[0].target
            value = statement.value
            if isinstance(target, cst.Name):
                if branch or not value_slot(value, branch):
                    return False
                if _awaited_call(value) is not None:
                    result_name = target.value
                return True
            if isinstance(target, cst.Subscript):
                if container(target.value) is None or not _is_pure(target):
                    return False
                reads.append(paths_read(target.slice[0]) if target.slice else set())
                return value_slot(value, branch)
            if isinstance(target, cst.Attribute):
                return container(target) is not None and value_slot(value, branch)
        return False

    for statement in statements:
        if not understood(statement, False):
            return None
    if call is None:
        return None
    call_reads = paths_read(call)
    if depends(call_reads, containers):
        return None
    for path in call_reads:
        if any(path == c or path.startswith(c + ".") for c in item_containers):
            return None
    if any(depends(r, containers) for r in reads):
        return None
    return _Body(call, containers | item_containers, result_name, appended_to, len(statements))


def _has_own(node: cst.CSTNode, kind: type[cst.CSTNode]) -> bool:
    return isinstance(node, kind) or any(isinstance(n, kind) for n in own_nodes(node))


def _awaits_once(node: cst.CSTNode) -> bool:
    """``node`` has exactly one ``await`` of its own, no ``async for``/``async with``, and
    nothing that binds or hands out values behind the loop's back (walrus, ``yield``,
    ``global``)."""
    count = 0
    for inner in own_nodes(node):
        if isinstance(inner, cst.Await):
            count += 1
        elif isinstance(inner, (cst.For, cst.With, cst.CompFor)) and inner.asynchronous:
            return False
        elif isinstance(inner, (cst.Yield, cst.NamedExpr, cst.Global, cst.Nonlocal)):
            return False
    return count == 1


def _binding_order_ok(statements: Sequence[cst.CSTNode]) -> bool:
    """No statement reads a name the body binds only later (a value carried over from the
    previous iteration: ``prev = await f(prev)``, ``url = page.next; page = await get(url)``)."""
    assigned = _assigned_names(statements)
    bound: set[str] = set()
    for statement in statements:
        if isinstance(statement, cst.Assign):
            read = _names(paths_read(statement.value))
            for target in statement.targets:
                if not isinstance(target.target, cst.Name):
                    read |= _names(paths_read(target.target))
        else:
            read = _names(paths_read(statement))
        if (read & assigned) - bound:
            return False
        if isinstance(statement, cst.Assign):
            bound |= _assigned_names([statement])
    return True


class AwaitInLoop(Rule):
    """
    ## What it does
    Finds a `for` loop inside `async def` that awaits one call per item, one after another,
    where the iterations do not depend on each other: the awaited call is named for reading
    (`fetch_*`, `get_*`, `load_*`, `query_*` ...), its receiver is not a queue, stream,
    connection, session, lock or limiter, its arguments read only the loop variable and names
    the loop does not change, and the result is collected into a list, set or dict, stored on
    the item, or dropped. Besides that one await the body may only log, skip items
    (`if not url: continue`) and collect conditionally (`if page: pages.append(page)`). The
    same goes for `[await fetch(x) for x in xs]`, `{await fetch(x) for x in xs}` and
    `{k: await fetch(k) for k in ks}`, reported on the statement that holds them.

    A loop stays silent when anything suggests the order matters: a second await (an
    `asyncio.sleep()` between requests, a lock, a queue), a `break`, `return`, `raise` or
    `try`, a value carried from one iteration to the next (`total += await f(x)`,
    `page = await fetch(page.next)`, only the last result kept), a call that writes (`save`,
    `send`, `insert`, `update`, `get_or_create` ...), a connection or session handed to every
    call (`get_user(conn, uid)`), a loop variable named like a retry (`attempt`), an
    `async with` in the body, and a loop inside `async with lock:`, a semaphore, a
    transaction or a rate limiter.

    ## Why is this bad?
    Each `await` waits for its request to finish before the next one starts, so `n`
    independent requests take `n` round trips instead of about one. `asyncio.gather()` (or a
    task group) starts them all and waits once.

    Sequential order is right when it is intended: to stay under a rate limit or spare a
    server, because the calls share one connection or transaction, because a later call
    relies on an earlier one's effect, or because the first failure must stop the rest.
    `gather()` runs *all* the calls at once; for long lists bound the concurrency with an
    `asyncio.Semaphore` acquired inside the coroutine each task runs (a loop that acquires
    one around its await is already left alone). When the order is intended, say so with
    `# noqa: AL402` at the end of the `for` line (or of the first line of the statement that
    holds the comprehension); for a whole function, put `# noqa: AL402` on its `def` line;
    for whole files, use `per-file-ignores`.

    ## Example
    ```python
    async def fetch_user(user_id): ...


    async def load_users(ids):
        users = []
        for user_id in ids:
            users.append(await fetch_user(user_id))
        return users
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch_user(user_id): ...


    async def load_users(ids):
        users = list(await asyncio.gather(*(fetch_user(user_id) for user_id in ids)))
        return users
    ```

    With trio or anyio, start one task per item in a nursery or task group
    (`async with trio.open_nursery() as nursery:` / `async with anyio.create_task_group() as
    tg:`, then `start_soon(fetch_into, results, user_id)` with a small function that stores
    its result); no fix is offered there.

    ## Fix safety
    The fix is unsafe: it changes ordering and error behaviour. The calls run at the same
    time and may finish in any order (the results keep the order of the items); when one
    raises, `gather()` raises that exception while the other calls keep running, and calls
    after a failing one are started anyway, where the loop would have stopped. Only asyncio
    code is fixed, and only these forms: a list, set or dict comprehension whose element is
    the awaited call (a dict one only when the key is the loop variable, there is no `if`, and
    the iterable is a name this function binds only to a list, tuple, set or dict, since it is
    read twice), and
    `results = []` directly followed by a loop whose body is `results.append(await f(x))` (or
    `r = await f(x)` then `results.append(r)`). The loop binds its variable (and `r`) and the
    rewrite does not, so the loop fix is offered only when those names are not used anywhere
    else in the function.
    """

    code = "AL402"
    name = "await-in-loop"
    summary = "Loop awaits independent calls one at a time; they could run concurrently"
    fix_applicability = Applicability.UNSAFE

    invalid = (
        Example(
            "async def fetch_user(i): ...\n\n"
            "async def main(ids):\n"
            "    users = []\n"
            "    for i in ids:  # error: AL402\n"
            "        users.append(await fetch_user(i))\n"
            "    return users\n",
            fixed="import asyncio\n\n"
            "async def fetch_user(i): ...\n\n"
            "async def main(ids):\n"
            "    users = list(await asyncio.gather(*(fetch_user(i) for i in ids)))\n"
            "    return users\n",
        ),
        Example(
            "import asyncio\n\nasync def main(client, urls):\n"
            "    return [await client.get(u) for u in urls]  # error: AL402\n",
            fixed="import asyncio\n\nasync def main(client, urls):\n"
            "    return list(await asyncio.gather(*(client.get(u) for u in urls)))\n",
        ),
        "async def main(client, ids):\n"
        "    found = {}\n"
        "    for i in ids:  # error: AL402\n"
        "        found[i] = await client.fetch_item(i)\n"
        "    return found\n",
    )
    valid = (
        "import asyncio\n\nasync def main(client, ids):\n"
        "    for i in ids:\n"
        "        await client.fetch_item(i)\n"
        "        await asyncio.sleep(1)\n",
        "async def main(lock, client, ids):\n"
        "    async with lock:\n"
        "        for i in ids:\n"
        "            await client.fetch_item(i)\n",
        "async def main(conn, queries):\n    return [await conn.fetch(q) for q in queries]\n",
        "async def main(client, ids):\n    for i in ids:\n        await client.save(i)\n",
        "async def main(client, page):\n"
        "    for _ in range(10):\n"
        "        page = await client.get_page(page.next)\n",
        "async def main(client, ids):\n"
        "    total = 0\n"
        "    for i in ids:\n"
        "        total += await client.get_count(i)\n",
    )

    # --- for loops ------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        context = self.context
        if node.asynchronous is not None or node.orelse is not None:
            return
        if not context.in_async_function:
            return
        loop_names = _target_names(node.target)
        if not loop_names or any(w in n.lower() for n in loop_names for w in _RETRY_WORDS):
            return
        statements = _small_statements(node.body)
        if statements is None or len(statements) > 6:
            return
        if not _awaits_once(node.body):
            return
        body = _analyse_body(statements, loop_names)
        if body is None or not _binding_order_ok(statements):
            return
        if not self._independent_call(body.call, loop_names | _assigned_names(statements)):
            return
        if body.result_name is not None and not self._result_stays_in_loop(body, node):
            return
        iterable_reads = paths_read(node.iter)
        if depends(iterable_reads, body.containers):
            return
        if in_ordering_context(self.context, _MORE_ORDERING_WORDS):
            return
        fix = self._loop_fix(node, body, loop_names)
        self.report(node, self._message(body.call, "`for` loop"), fix)

    def _result_stays_in_loop(self, body: _Body, loop: cst.For) -> bool:
        """``r = await f(x)``: ``r`` is not used outside the loop (a program that keeps only
        the last result, or reads ``r`` later, relies on the order)."""
        function = self._function()
        return function is not None and _unused_elsewhere(function, loop, {body.result_name or ""})

    # --- comprehensions -------------------------------------------------------------------
    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node, node.elt, "list")

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node, node.elt, "set")

    def visit_DictComp(self, node: cst.DictComp) -> None:
        if _has_own(node.key, cst.Await):
            return
        self._comprehension(node, node.value, "dict")

    def _comprehension(self, node: cst.BaseComp, element: cst.BaseExpression, kind: str) -> None:
        context = self.context
        for_in = node.for_in
        if for_in.asynchronous is not None or for_in.inner_for_in is not None:
            return
        if not context.in_async_function:
            return
        call = _awaited_call(element)
        if call is None:
            return
        loop_names = _target_names(for_in.target)
        if not loop_names or any(w in n.lower() for n in loop_names for w in _RETRY_WORDS):
            return
        if not _awaits_once(node) or not all(_is_pure(i.test) for i in for_in.ifs):
            return
        if not self._independent_call(call, loop_names):
            return
        if in_ordering_context(self.context, _MORE_ORDERING_WORDS):
            return
        fix = self._comprehension_fix(node, call, kind)
        self.report(self._statement_of(node), self._message(call, f"{kind} comprehension"), fix)

    # --- shared checks ----------------------------------------------------------------------
    def _independent_call(self, call: cst.Call, local: set[str]) -> bool:
        """The awaited call reads for each item, from a receiver the loop does not change."""
        if not _is_plain_read(call):
            return False
        func = call.func
        if isinstance(func, cst.Attribute) and _names(paths_read(func.value)) & local:
            return False
        arguments: set[str] = set()
        for argument in call.args:
            arguments |= paths_read(argument.value)
        # A connection, session or cursor handed to every call (``get_user(conn, uid)``) is
        # one resource the calls would share at once.
        shared = {p for p in arguments if p.split(".", 1)[0] not in local}
        if any(is_ordered_receiver(path) for path in shared):
            return False
        return bool(_names(arguments) & local)

    def _statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The simple statement that holds ``node`` (``node`` itself in a compound one's
        header)."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.BaseSmallStatement):
                return ancestor
            if isinstance(ancestor, cst.BaseCompoundStatement):
                break
        return node

    def _message(self, call: cst.Call, where: str) -> str:
        callee = source_of(self.context.module, call.func)
        library = self.context.async_library
        if library == "asyncio":
            how = "`asyncio.gather()` (or an `asyncio.TaskGroup`) could run them concurrently"
        elif library == "trio":
            how = (
                "a nursery could run them concurrently "
                "(`async with trio.open_nursery() as nursery:` + `nursery.start_soon(...)`)"
            )
        else:
            how = (
                "a task group could run them concurrently "
                "(`async with anyio.create_task_group() as tg:` + `tg.start_soon(...)`)"
            )
        return (
            f"{where} awaits `{callee}()` once per item, one after another; the calls do not "
            f"depend on each other, so {how}. If the order is intended (rate limit, shared "
            "connection), add `# noqa: AL402`"
        )

    # --- fixes ----------------------------------------------------------------------------
    def _gather(self, call: cst.Call, for_in: cst.CompFor) -> tuple[cst.Await, tuple]:
        reference, imports = self.context.module_reference("asyncio")
        generator = cst.GeneratorExp(elt=call, for_in=for_in)
        gather = cst.Call(
            func=cst.parse_expression(f"{reference}.gather"),
            args=[cst.Arg(value=generator, star="*")],
        )
        return cst.Await(expression=gather), imports

    def _builtin(self, name: str) -> bool:
        return self.context.lookup(name) == f"builtins.{name}"

    def _comprehension_fix(self, node: cst.BaseComp, call: cst.Call, kind: str) -> Fix | None:
        if self.context.async_library != "asyncio" or node.lpar:
            return None
        for_in = node.for_in
        if kind == "dict":
            assert isinstance(node, cst.DictComp)
            if (
                for_in.ifs
                or not isinstance(for_in.iter, cst.Name)
                or not isinstance(for_in.target, cst.Name)
                or not isinstance(node.key, cst.Name)
                or node.key.value != for_in.target.value
                or not (self._builtin("dict") and self._builtin("zip"))
                or not self._reiterable(for_in.iter.value)
            ):
                return None
            awaited, imports = self._gather(call, for_in)
            zipped = cst.Call(
                func=cst.Name("zip"), args=[cst.Arg(for_in.iter.deep_clone()), cst.Arg(awaited)]
            )
            new: cst.BaseExpression = cst.Call(func=cst.Name("dict"), args=[cst.Arg(zipped)])
        else:
            if not self._builtin(kind):
                return None
            awaited, imports = self._gather(call, for_in)
            new = cst.Call(func=cst.Name(kind), args=[cst.Arg(awaited)])
        return Fix(
            "Run the calls concurrently with `asyncio.gather()`",
            ((node, new),),
            Applicability.UNSAFE,
            imports,
        )

    def _function(self) -> cst.FunctionDef | None:
        scope = self.context.scope
        return scope.node if isinstance(scope.node, cst.FunctionDef) else None

    def _reiterable(self, name: str) -> bool:
        """``name`` is bound in this function only to lists, tuples, sets or dicts (it can be
        iterated twice), and is not a parameter."""
        function = self._function()
        if function is None:
            return False
        params = function.params
        every = (*params.posonly_params, *params.params, *params.kwonly_params)
        if any(p.name.value == name for p in every):
            return False
        found = False
        for inner in _all_nodes(function.body):
            if (
                isinstance(inner, cst.Assign)
                and len(inner.targets) == 1
                and isinstance(inner.targets[0].target, cst.Name)
                and inner.targets[0].target.value == name
            ):
                value = inner.value
                if not isinstance(value, _REITERABLE_VALUES) and not (
                    isinstance(value, cst.Call)
                    and isinstance(value.func, cst.Name)
                    and value.func.value in _REITERABLE_CALLS
                    and self._builtin(value.func.value)
                ):
                    return False
                found = True
            elif name in _bound_names(inner):
                return False
        return found

    def _loop_fix(self, node: cst.For, body: _Body, loop_names: set[str]) -> Fix | None:
        """``results = []`` + ``for x in xs: results.append(await f(x))`` -> one statement."""
        context = self.context
        if context.async_library != "asyncio" or body.appended_to is None:
            return None
        if body.statements != (1 if body.result_name is None else 2):
            return None
        if body.containers != {body.appended_to} or not self._builtin("list"):
            return None
        block = context.parent
        if not isinstance(block, cst.IndentedBlock):
            return None
        position = next(i for i, s in enumerate(block.body) if s is node)
        if position == 0:
            return None
        before = block.body[position - 1]
        if not _is_empty_list_assignment(before, body.appended_to):
            return None
        assert isinstance(before, cst.SimpleStatementLine)
        if _has_own(node.iter, cst.Await) or not isinstance(node.body, cst.IndentedBlock):
            return None
        if any("#" in context.module.code_for_node(s) for s in node.body.body):
            return None  # comments inside the loop would be lost
        trailing = before.trailing_whitespace
        header = node.body.header
        if header.comment is not None:
            if trailing.comment is not None:
                return None
            trailing = header
        function = self._function()
        names = loop_names | ({body.result_name} if body.result_name else set())
        if function is None or not _unused_elsewhere(function, node, names):
            return None
        iterable = node.iter
        if isinstance(iterable, _NEEDS_PARENS) and not iterable.lpar:
            iterable = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        for_in = cst.CompFor(target=node.target, iter=iterable)
        awaited, imports = self._gather(body.call, for_in)
        value = cst.Call(func=cst.Name("list"), args=[cst.Arg(awaited)])
        small = before.body[0]
        assert isinstance(small, (cst.Assign, cst.AnnAssign))
        comments = [line for line in node.leading_lines if line.comment is not None]
        new_line = before.with_changes(
            body=[small.with_changes(value=value)],
            leading_lines=[*before.leading_lines, *comments],
            trailing_whitespace=trailing,
        )
        return Fix(
            "Run the calls concurrently with `asyncio.gather()`",
            ((before, new_line), (node, cst.RemovalSentinel.REMOVE)),
            Applicability.UNSAFE,
            imports,
        )


def _all_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node``, nested functions included."""
    stack = list(iter_children(node))
    while stack:
        current = stack.pop()
        yield current
        stack.extend(iter_children(current))


def _bound_names(node: cst.CSTNode) -> set[str]:
    """The names ``node`` binds by itself (not counting what its children bind)."""
    if isinstance(node, cst.Assign):
        return {n for t in node.targets for n in _target_names(t.target) or ()}
    if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        return _target_names(node.target) or set()
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return {node.name.value}
    if isinstance(node, cst.WithItem) and node.asname is not None:
        return _target_names(node.asname.name) or set()
    if isinstance(node, cst.ExceptHandler) and node.name is not None:
        return _target_names(node.name.name) or set()
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        return {item.name.value for item in node.names}
    if isinstance(node, cst.Del):
        return paths_read(node.target)
    if isinstance(node, cst.ImportAlias):
        alias = node.asname.name if node.asname is not None else node.name
        return {n.split(".", 1)[0] for n in paths_read(alias)}
    return set()


def _is_empty_list_assignment(statement: cst.CSTNode, name: str) -> bool:
    """``name = []`` (or ``name: T = []``, ``name = list()``) alone on its line."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return False
    if not isinstance(target, cst.Name) or target.value != name:
        return False
    return isinstance(value, cst.List) and not value.elements


def _unused_elsewhere(function: cst.FunctionDef, loop: cst.For, names: set[str]) -> bool:
    """None of ``names`` appears in ``function`` outside ``loop``, and nothing reads the
    function's names without naming them (``locals()``, ``vars()``)."""
    stack = [*iter_children(function.params), function.body]
    while stack:
        current = stack.pop()
        if current is loop:
            continue
        if isinstance(current, cst.Name) and (
            current.value in names or current.value in _INTROSPECTION
        ):
            return False
        stack.extend(iter_children(current))
    return True
