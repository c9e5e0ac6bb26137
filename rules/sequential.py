"""AL401 sequential-awaits: consecutive awaits that do not depend on each other."""

from __future__ import annotations

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
    target_paths,
)
from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.rule import Example, Rule

# Calls an in-between statement may make without breaking a pair: logging and printing.
_LOGGING_RECEIVERS = frozenset({"logger", "log", "logging", "_logger", "_log", "LOGGER", "LOG"})
_PLAIN_BUILTINS = frozenset(
    {"len", "str", "int", "float", "bool", "dict", "list", "tuple", "set", "repr", "print"}
)


@dataclass
class _Await:
    """One ``x = await call(...)`` / ``await call(...)`` statement of a block."""

    line: cst.SimpleStatementLine
    small: cst.BaseSmallStatement
    call: cst.Call
    receiver: str | None
    bound: set[str]
    read: set[str]
    gap_before: bool = False  # other statements stand between it and the previous one


@dataclass
class _Run:
    members: list[_Await] = field(default_factory=list)


class SequentialAwaits(Rule):
    """
    ## What it does
    Finds two or more statements in one block, each awaiting a call (`x = await
    fetch_user(uid)`, `await load_config()`, annotated or augmented assignments too), where no
    later call's arguments, receiver or callee use what an earlier statement bound or changed,
    and the calls do not share a receiver. It reports each later statement of such a run.

    It is deliberately conservative, because order often matters:
    - both callees must be named for reading (`get_*`, `fetch_*`, `load_*`, `read_*`,
      `query_*`, `find_*`, `list_*`, `search_*` ...): a `save()`, `send()` or `create()` may have
      effects the next call relies on;
    - calls on one receiver (`conn.fetch(); conn.fetch()`, `self.get_a(); self.get_b()`), on
      receivers named like connections, sessions, cursors, streams, queues, sockets, locks or
      channels, and awaits inside `async with lock:`/transactions are ordered and never
      reported;
    - statements in between may only log or compute plain values that do not read an earlier
      result; anything else ends the run.

    ## Why is this bad?
    Each `await` waits for its call to finish before the next one starts, so independent
    requests take the sum of their latencies instead of the longest one: three 100 ms requests
    take 300 ms in a row and about 100 ms together.

    Sequential order is right when a later call relies on an effect of an earlier one (a write
    then a read, a login then a request), when both use one connection or stream, when a
    server or rate limit must not see them at once, or when the second should not run if the
    first fails. Then silence the line with `# noqa: AL401` (on the reported statement), a
    whole function with `# noqa: AL401` on its `def` line, or a file with `per-file-ignores`.

    ## Example
    ```python
    async def fetch_user(uid): ...


    async def fetch_orders(uid): ...


    async def profile(uid):
        user = await fetch_user(uid)
        orders = await fetch_orders(uid)
        return user, orders
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch_user(uid): ...


    async def fetch_orders(uid): ...


    async def profile(uid):
        user, orders = await asyncio.gather(fetch_user(uid), fetch_orders(uid))
        return user, orders
    ```
    With trio or anyio, start the calls in a nursery or task group and collect the results.

    ## Fix safety
    The fix, for asyncio modules, merges adjacent statements that assign single names (or
    discard their results) into one `asyncio.gather()`, binding the same names. It is unsafe:
    the calls now run at the same time and in no fixed order, and when one raises the others
    keep running and the names are not bound. No fix is offered when statements stand in
    between, when comments would be lost, or in trio and anyio modules.
    """

    code = "AL401"
    name = "sequential-awaits"
    summary = "Independent awaits run one after another; they could run concurrently"
    fix_applicability = Applicability.UNSAFE

    invalid = (
        Example(
            "async def fetch_user(uid): ...\n\nasync def fetch_orders(uid): ...\n\n"
            "async def profile(uid):\n"
            "    user = await fetch_user(uid)\n"
            "    orders = await fetch_orders(uid)  # error: AL401\n"
            "    return user, orders\n",
            fixed="import asyncio\n\nasync def fetch_user(uid): ...\n\n"
            "async def fetch_orders(uid): ...\n\n"
            "async def profile(uid):\n"
            "    user, orders = await asyncio.gather(fetch_user(uid), fetch_orders(uid))\n"
            "    return user, orders\n",
        ),
        "import logging\n\nasync def get_a(): ...\n\nasync def get_b(): ...\n\n"
        "async def main():\n    a = await get_a()\n    logging.info('got a')\n"
        "    b = await get_b()  # error: AL401\n    return a, b\n",
    )
    valid = (
        "async def fetch_user(uid): ...\n\nasync def fetch_orders(user): ...\n\n"
        "async def profile(uid):\n    user = await fetch_user(uid)\n"
        "    orders = await fetch_orders(user)\n    return orders\n",
        "async def main(conn):\n    a = await conn.fetch('a')\n    b = await conn.fetch('b')\n"
        "    return a, b\n",
        "async def save(x): ...\n\nasync def load(x): ...\n\n"
        "async def main(x):\n    await save(x)\n    return await load(x)\n",
        "import asyncio\n\nasync def get_a(): ...\n\nasync def get_b(): ...\n\n"
        "async def main(lock):\n    async with lock:\n        a = await get_a()\n"
        "        b = await get_b()\n    return a, b\n",
        "import asyncio\n\nasync def get_a(): ...\n\nasync def main():\n"
        "    a = await get_a()\n    await asyncio.sleep(1)\n    b = await get_a()\n",
        "async def get_a(): ...\n\nasync def get_b(x): ...\n\nasync def main():\n"
        "    a = await get_a()\n    x = a + 1\n    b = await get_b(x)\n",
    )

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        context = self.context
        if not context.in_async_function:
            return
        runs: list[_Run] = []
        run = _Run()
        gap = False
        # What each name was made from: ``resp = await client.get()`` ties ``resp`` to
        # ``client`` (a response holds its client's connection until it is read).
        self.origins: dict[str, str] = {}
        for statement in node.body:
            self._record_origins(statement)
            found = self._awaited(statement)
            if found is not None and run.members and self._independent(found, run):
                found.gap_before = gap
                run.members.append(found)
                gap = False
                continue
            if found is not None:
                runs.append(run)
                run = _Run(members=[found])
                gap = False
                continue
            if run.members and self._neutral(statement, run):
                gap = True
                continue
            runs.append(run)
            run = _Run()
            gap = False
        runs.append(run)
        found = [finished for finished in runs if len(finished.members) > 1]
        # Looked up only when there is something to report: it prints the ``with`` items.
        if found and not in_ordering_context(context):
            for finished in found:
                self._report_run(finished)

    def _record_origins(self, statement: cst.BaseStatement) -> None:
        if not isinstance(statement, cst.SimpleStatementLine):
            return
        for small in statement.body:
            if not isinstance(small, (cst.Assign, cst.AnnAssign)) or small.value is None:
                continue
            value = small.value.expression if isinstance(small.value, cst.Await) else small.value
            if not isinstance(value, cst.Call):
                continue
            receiver, _name = callee_words(value.func)
            if receiver in (None, "?"):
                continue
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            for target in targets:
                if isinstance(target, cst.Name):
                    self.origins[target.value] = self._root(receiver)

    def _root(self, receiver: str) -> str:
        """The first name of a receiver path, followed back to what it was made from."""
        root = receiver.split(".", 1)[0]
        seen = set()
        while root in self.origins and root not in seen:
            seen.add(root)
            root = self.origins[root]
        return root

    def _awaited(self, statement: cst.BaseStatement) -> _Await | None:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        small = statement.body[0]
        bound: set[str] = set()
        if isinstance(small, cst.Expr):
            value = small.value
        elif isinstance(small, cst.Assign):
            value = small.value
            for target in small.targets:
                bound |= target_paths(target.target)
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and small.value is not None:
            value = small.value
            bound |= target_paths(small.target)
        else:
            return None
        if not isinstance(value, cst.Await) or not isinstance(value.expression, cst.Call):
            return None
        call = value.expression
        if any(isinstance(n, cst.Await) for n in own_nodes(call)):
            return None
        receiver, name = callee_words(call.func)
        if (
            receiver == "?"
            or not is_read_like(name)
            or is_ordered_receiver(receiver)
            or (receiver is not None and name in CONSUMING_METHODS)
        ):
            return None
        return _Await(statement, small, call, receiver, bound, paths_read(call))

    def _independent(self, found: _Await, run: _Run) -> bool:
        code = self.context.module.code_for_node
        for member in run.members:
            if depends(found.read, member.bound) or (found.bound & member.bound):
                return False
            if found.receiver is not None and member.receiver is not None:
                if self._root(found.receiver) == self._root(member.receiver):
                    return False  # one receiver, or objects made from it: ordered
            if code(found.call) == code(member.call):
                return False  # the same call again: a poll or a retry, not a fan-out
        return True

    def _neutral(self, statement: cst.BaseStatement, run: _Run) -> bool:
        """A statement between awaits that does not touch their results: logging, or plain
        values computed without calls and awaits."""
        if not isinstance(statement, cst.SimpleStatementLine):
            return False
        bound_so_far = {p for m in run.members for p in m.bound}
        for small in statement.body:
            if isinstance(small, cst.Pass):
                continue
            if depends(paths_read(small), bound_so_far):
                return False
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                receiver, _name = callee_words(small.value.func)
                top = (receiver or "").split(".", 1)[0]
                is_log = top in _LOGGING_RECEIVERS or (receiver is None and _name == "print")
                if not is_log or any(isinstance(n, cst.Await) for n in own_nodes(small)):
                    return False
                continue
            if isinstance(small, (cst.Assign, cst.AnnAssign)):
                if not self._plain(small):
                    return False
                continue
            return False
        return True

    def _plain(self, node: cst.CSTNode) -> bool:
        for inner in own_nodes(node):
            if isinstance(inner, (cst.Await, cst.Yield, cst.NamedExpr)):
                return False
            if isinstance(inner, cst.Call):
                if not (isinstance(inner.func, cst.Name) and inner.func.value in _PLAIN_BUILTINS):
                    return False
        return True

    def _report_run(self, run: _Run) -> None:
        context = self.context
        first = run.members[0]
        library = context.async_library
        fix = self._gather_fix(run) if library == "asyncio" else None
        for position, member in enumerate(run.members[1:], start=1):
            earlier = source_of(context.module, first.call, 50)
            later = source_of(context.module, member.call, 50)
            if library == "asyncio":
                advice = (
                    "run them concurrently with `asyncio.gather(...)` (or an `asyncio.TaskGroup`)"
                )
            else:
                advice = (
                    f"start them in a {'nursery' if library == 'trio' else 'task group'} "
                    "and collect the results"
                )
            self.report(
                member.small,
                f"`await {later}` does not depend on `await {earlier}` before it, yet waits "
                f"for it to finish; {advice}. If the order matters, add `# noqa: AL401`",
                fix if position == len(run.members) - 1 else None,
            )

    def _gather_fix(self, run: _Run) -> Fix | None:
        members = run.members
        if any(m.gap_before for m in members[1:]):
            return None
        kinds = {type(m.small) for m in members}
        if kinds == {cst.Assign}:
            names = []
            for member in members:
                assign = member.small
                assert isinstance(assign, cst.Assign)
                if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
                    return None
                names.append(assign.targets[0].target.value)
        elif kinds != {cst.Expr}:
            return None
        else:
            names = []
        if any(e.comment is not None for m in members[1:] for e in m.line.leading_lines):
            return None  # a comment line would be lost
        commented = [m.line for m in members if m.line.trailing_whitespace.comment is not None]
        if len(commented) > 1:
            return None  # two end-of-line comments cannot both stay
        trailing = (commented or [members[0].line])[0].trailing_whitespace
        reference, imports = self.context.module_reference("asyncio")
        gather = cst.Await(
            cst.Call(
                func=cst.parse_expression(f"{reference}.gather"),
                args=[cst.Arg(m.call.with_changes(lpar=(), rpar=())) for m in members],
            )
        )
        if names:
            small: cst.BaseSmallStatement = cst.Assign(
                targets=[
                    cst.AssignTarget(
                        cst.Tuple([cst.Element(cst.Name(n)) for n in names], lpar=(), rpar=())
                    )
                ],
                value=gather,
            )
        else:
            small = cst.Expr(gather)
        replacements: list[tuple[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel]] = [
            (
                members[0].line,
                members[0].line.with_changes(body=[small], trailing_whitespace=trailing),
            )
        ]
        replacements.extend((m.line, cst.RemovalSentinel.REMOVE) for m in members[1:])
        return Fix(
            "Run the calls concurrently with `asyncio.gather()`",
            tuple(replacements),  # type: ignore[arg-type]
            Applicability.UNSAFE,
            imports,
        )
