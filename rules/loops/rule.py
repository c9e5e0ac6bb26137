"""AL402 await-in-loop: the rule, for ``for`` loops and comprehensions."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability
from asynclint.edits import async_library, source_of
from asynclint.facts.dependence import depends, in_ordering_context, paths_read
from asynclint.knowledge.names import LOOP_ORDERING_WORDS, is_ordered_receiver, is_retry_name
from asynclint.rule import Rule
from asynclint.rules.loops.body import (
    Body,
    analyse_body,
    assigned_names,
    binding_order_ok,
    small_statements,
)
from asynclint.rules.loops.calls import (
    awaited_call,
    awaits_once,
    has_own,
    is_plain_read,
    is_pure,
    names,
    target_names,
)
from asynclint.rules.loops.fix import comprehension_fix, function_of, loop_fix, unused_elsewhere
from asynclint.rules.loops.page import INVALID, PAGE, VALID

# A loop body longer than this is not judged.
_MAX_STATEMENTS = 6


class AwaitInLoop(Rule):
    __doc__ = PAGE

    code = "AL402"
    name = "await-in-loop"
    summary = "Loop awaits independent calls one at a time; they could run concurrently"
    fix_applicability = Applicability.UNSAFE

    invalid = INVALID
    valid = VALID

    # --- for loops ------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        context = self.context
        if node.asynchronous is not None or node.orelse is not None:
            return
        if not context.in_async_function:
            return
        loop_names = target_names(node.target)
        if not loop_names or any(is_retry_name(n) for n in loop_names):
            return
        statements = small_statements(node.body)
        if statements is None or len(statements) > _MAX_STATEMENTS:
            return
        if not awaits_once(node.body):
            return
        body = analyse_body(statements, loop_names)
        if body is None or not binding_order_ok(statements):
            return
        if not _independent_call(body.call, loop_names | assigned_names(statements)):
            return
        if body.result_name is not None and not self._result_stays_in_loop(body, node):
            return
        if depends(paths_read(node.iter), body.containers):
            return
        if in_ordering_context(context, LOOP_ORDERING_WORDS):
            return
        fix = loop_fix(context, node, body, loop_names)
        self.report(node, self._message(body.call, "`for` loop"), fix)

    def _result_stays_in_loop(self, body: Body, loop: cst.For) -> bool:
        """``r = await f(x)``: ``r`` is not used outside the loop (a program that keeps only
        the last result, or reads ``r`` later, relies on the order)."""
        function = function_of(self.context)
        return function is not None and unused_elsewhere(function, loop, {body.result_name or ""})

    # --- comprehensions -------------------------------------------------------------------
    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node, node.elt, "list")

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node, node.elt, "set")

    def visit_DictComp(self, node: cst.DictComp) -> None:
        if has_own(node.key, cst.Await):
            return
        self._comprehension(node, node.value, "dict")

    def _comprehension(self, node: cst.BaseComp, element: cst.BaseExpression, kind: str) -> None:
        context = self.context
        for_in = node.for_in
        if for_in.asynchronous is not None or for_in.inner_for_in is not None:
            return
        if not context.in_async_function:
            return
        call = awaited_call(element)
        if call is None:
            return
        loop_names = target_names(for_in.target)
        if not loop_names or any(is_retry_name(n) for n in loop_names):
            return
        if not awaits_once(node) or not all(is_pure(i.test) for i in for_in.ifs):
            return
        if not _independent_call(call, loop_names):
            return
        if in_ordering_context(context, LOOP_ORDERING_WORDS):
            return
        fix = comprehension_fix(context, node, call, kind)
        self.report(self._statement_of(node), self._message(call, f"{kind} comprehension"), fix)

    # --- reports --------------------------------------------------------------------------
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
        library = async_library(self.context.module_scope)
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


def _independent_call(call: cst.Call, local: set[str]) -> bool:
    """The awaited call reads for each item, from a receiver the loop does not change."""
    if not is_plain_read(call):
        return False
    func = call.func
    if isinstance(func, cst.Attribute) and names(paths_read(func.value)) & local:
        return False
    arguments: set[str] = set()
    for argument in call.args:
        arguments |= paths_read(argument.value)
    # A connection, session or cursor handed to every call (``get_user(conn, uid)``) is
    # one resource the calls would share at once.
    shared = {p for p in arguments if p.split(".", 1)[0] not in local}
    if any(is_ordered_receiver(path) for path in shared):
        return False
    return bool(names(arguments) & local)
