"""AL402 await-in-loop: the rule, for ``for`` loops and comprehensions."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import async_library, source_of
from asynclint.facts.concurrency import (
    CALLEE_EFFECTS,
    RESOURCE,
    SharedUse,
    comments_say_order,
    orders_its_body,
    shared_use,
)
from asynclint.facts.dependence import callee_words, in_ordering_context, paths_read
from asynclint.facts.resolution import NEVER_AWAITABLE, VALUE
from asynclint.knowledge.concurrency import is_ordered_item_name, is_serial_name
from asynclint.knowledge.names import (
    LOOP_ORDERING_WORDS,
    is_mutating_name,
    is_retry_name,
    is_stream_method,
)
from asynclint.knowledge.versions import TASK_GROUP, has
from asynclint.rule import Rule
from asynclint.rules.loops.body import analyse_body, binding_order_ok, small_statements
from asynclint.rules.loops.calls import (
    awaited_call,
    awaits_once,
    has_own,
    is_pure,
    names,
    target_names,
)
from asynclint.rules.loops.fix import comprehension_fix, discard_fix, function_of, loop_fix
from asynclint.rules.loops.helper_fix import helper_fix
from asynclint.rules.loops.iteration import Iteration, read_iteration
from asynclint.rules.loops.page import INVALID, PAGE, VALID
from asynclint.syntax.nodes import last_name, used_after

# A loop body longer than this is not judged.
_MAX_STATEMENTS = 6


class AwaitInLoop(Rule):
    __doc__ = PAGE

    code = "AL402"
    name = "await-in-loop"
    summary = "Loop awaits independent calls one at a time; they could run concurrently"
    fix_applicability = Applicability.UNSAFE
    default_enabled = False  # see the page: right about nine times in ten on real projects
    requires = (VALUE, RESOURCE, CALLEE_EFFECTS, NEVER_AWAITABLE)

    invalid = INVALID
    valid = VALID

    # --- for loops ------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        context = self.context
        if node.asynchronous is not None or node.orelse is not None:
            return
        if not context.in_async_function or not has_own(node.body, cst.Await):
            return
        loop_names = target_names(node.target)
        if not loop_names or not _plain_sequence(node.iter, loop_names):
            return
        iteration = read_iteration(node.body, loop_names)
        calls = self._independent(iteration) if iteration is not None else None
        if iteration is None or calls is None:
            return
        function = function_of(context)
        # A result read after the loop is the last one to finish (the loop's own names stay
        # the last item's whatever the order).
        if function is None or used_after(function, node, iteration.bound - loop_names):
            return
        if in_ordering_context(context, LOOP_ORDERING_WORDS) or comments_say_order(context, [node]):
            return
        fix = self._fix(node, loop_names) or helper_fix(context, node, iteration, function)
        self.report(node, self._message(calls, "`for` loop"), fix)

    def _independent(self, iteration: Iteration) -> list[cst.Call] | None:
        """The calls an iteration waits for, in order, when each differs from item to item,
        shares nothing that serialises, paces nothing, changes no state the other iterations
        see, and one of them suspends; None otherwise."""
        calls: list[cst.Call] = []
        for item, is_async in iteration.entered:
            value = item.item
            if orders_its_body(self.context, item):
                return None
            if not is_async or _is_timeout(value):
                continue
            if isinstance(value, cst.Call):
                calls.append(value)  # ``async with session.get(url) as resp``
            elif not names(paths_read(value)) & iteration.derived:
                return None  # an ``async with`` of something all items share
        calls.extend(iteration.awaits)
        suspends = False
        for call in calls:
            judged = self._judge(call, iteration.derived)
            if judged is None:
                return None
            suspends = suspends or judged
        return calls if suspends else None

    def _judge(self, call: cst.Call, own: set[str]) -> bool | None:
        """None when ``call`` ties the iterations together; otherwise whether it may
        suspend."""
        func = call.func
        if isinstance(func, cst.Name) and func.value in own:
            return None  # calling the item: hooks and callbacks run in turn
        function = function_of(self.context)
        if function is not None and last_name(func) == function.name.value:
            return None  # the same function on each child: a tree walked in its order
        use = shared_use(self.context, call, own)
        if use.pacing or use.serial or not use.varies or not use.awaitable:
            return None
        on_self = isinstance(func, cst.Attribute) and _is_self(func.value)
        if on_self and not use.resolved:
            return None  # an unknown method of the ``self`` every iteration shares
        if use.changes_shared:
            return None
        _, name = callee_words(func)
        if _effect_on_shared(use, name or "", isinstance(func, cst.Attribute)):
            return None
        return use.suspends

    def _fix(self, node: cst.For, loop_names: set[str]) -> Fix | None:
        statements = small_statements(node.body)
        if statements is None or len(statements) > _MAX_STATEMENTS:
            return None
        body = analyse_body(statements, loop_names)
        if body is None or not binding_order_ok(statements):
            return None
        return loop_fix(self.context, node, body, loop_names) or discard_fix(
            self.context, node, body, loop_names
        )

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
        if not loop_names or not _plain_sequence(for_in.iter, loop_names):
            return
        if not awaits_once(node) or not all(is_pure(i.test) for i in for_in.ifs):
            return
        if not self._judge(call, loop_names):
            return
        if in_ordering_context(context, LOOP_ORDERING_WORDS):
            return
        line = context.enclosing(cst.SimpleStatementLine)
        if comments_say_order(context, [line if line is not None else node]):
            return
        fix = comprehension_fix(context, node, call, kind)
        self.report(self._statement_of(node), self._message([call], f"{kind} comprehension"), fix)

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

    def _message(self, calls: list[cst.Call], where: str) -> str:
        callees: list[str] = []
        for call in calls:
            callee = f"`{source_of(self.context.module, call.func)}()`"
            if callee not in callees:
                callees.append(callee)
        named = " and ".join(callees[:2]) + (" ..." if len(callees) > 2 else "")
        library = async_library(self.context.module_scope)
        if library == "asyncio":
            group = " (or an `asyncio.TaskGroup`)" * has(self.context.target_version, TASK_GROUP)
            how = f"`asyncio.gather()`{group} could run them concurrently"
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
            f"{where} awaits {named} once per item, one item after another; the items do "
            f"not depend on each other, so {how}. If the order is intended (rate limit, shared "
            "connection), add `# noqa: AL402`"
        )


def _plain_sequence(iterable: cst.BaseExpression, loop_names: set[str]) -> bool:
    """The loop goes over items that are not parts of one ordered sequence: not attempts,
    events, messages or callbacks by the names, not ``reversed(...)``, not parts of one
    object that serialises (``self.modbus.controls``)."""
    if any(is_retry_name(n) or is_ordered_item_name(n) for n in loop_names):
        return False
    if any(is_serial_name(path) for path in paths_read(iterable)):
        return False
    if isinstance(iterable, cst.Call):
        _, name = callee_words(iterable.func)
        if name in ("reversed", "enumerate", "zip") and iterable.args:
            if name == "reversed":
                return False
            return _plain_sequence(iterable.args[0].value, set())
        return True
    last = last_name(iterable)
    return last is None or not (is_ordered_item_name(last) or is_retry_name(last))


def _effect_on_shared(use: SharedUse, name: str, method: bool) -> bool:
    """A call named for an effect (``send``, ``post``, ``delete``, ``set_*``) or for taking
    from a stream, on a receiver every item shares (``channel.send(page)``), or with shared
    arguments beside the item (``send_message(chat_id, text)``): one destination gets the
    items in turn, which is the point more often than not."""
    if use.receiver:
        return is_mutating_name(name) or is_stream_method(name)
    return not method and bool(use.arguments) and is_mutating_name(name)


def _is_timeout(value: cst.BaseExpression) -> bool:
    """``asyncio.timeout(5)``, ``async_timeout.timeout(10)``: a deadline for this item."""
    return isinstance(value, cst.Call) and "timeout" in (callee_words(value.func)[1] or "")


def _is_self(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("self", "cls")
