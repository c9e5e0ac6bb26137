"""AL503 callable-mismatch: the rule, which finds the API called and judges its argument."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability
from asynclint.edits import source_of
from asynclint.facts.resolution import CALL_KIND, NEVER_AWAITABLE, QUALIFIED_NAME, VALUE, Instance
from asynclint.knowledge.kinds import ASYNC_GENERATOR, COROUTINE
from asynclint.knowledge.names import LOOP_NAMES
from asynclint.knowledge.roles import GROUP_OPENERS
from asynclint.rule import Rule
from asynclint.rules.callables.apis import (
    COROUTINE_OBJECT,
    FUNCTIONS,
    FUTURE,
    LOOP,
    METHODS,
    NURSERY,
    PARTIAL,
    PORTAL,
    RUNNER,
    SHORT_NAMES,
    SYNC_FUNCTION,
    arguments,
    owner_kind,
)
from asynclint.rules.callables.messages import Callee, instead, pass_function_fix, runs
from asynclint.rules.callables.page import INVALID, PAGE, VALID
from asynclint.syntax.nodes import last_name


class CallableMismatch(Rule):
    __doc__ = PAGE

    code = "AL503"
    silent_where_expected_to_fail = True
    name = "callable-mismatch"
    summary = "A coroutine function, coroutine or sync function passed where another is expected"
    fix_applicability = Applicability.UNSAFE
    requires = (CALL_KIND, NEVER_AWAITABLE, QUALIFIED_NAME, VALUE)

    invalid = INVALID
    valid = VALID

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            short = func.attr.value
        elif isinstance(func, cst.Name):
            # An imported name may be an alias: ``from asyncio import to_thread as offload``.
            bound = self.context.lookup(func.value)
            short = bound.rpartition(".")[2] if isinstance(bound, str) else func.value
        else:
            return
        if short not in SHORT_NAMES or not node.args:
            return
        callee = self._callee(func, short)
        if callee is None:
            return
        slot = callee.slot
        for argument in arguments(node, slot):
            if slot.expects == SYNC_FUNCTION:
                self._expects_sync_function(argument.value, callee)
            elif slot.expects == COROUTINE_OBJECT:
                self._expects_coroutine(argument.value, callee)
            else:
                self._expects_async_function(node, argument, callee)

    # --- which API ------------------------------------------------------------------------
    def _callee(self, func: cst.Name | cst.Attribute, short: str) -> Callee | None:
        context = self.context
        meaning = self.ask(VALUE, func)
        if isinstance(meaning, str):
            slot = FUNCTIONS.get(meaning)
            if slot is not None:
                return Callee(slot, func, context.module)
            klass, _, method = meaning.rpartition(".")
            owner = owner_kind(klass) if isinstance(func, cst.Attribute) else None
            slot = METHODS[owner].get(method) if owner else None
            return Callee(slot, func, context.module) if slot is not None else None
        if meaning is not None or not isinstance(func, cst.Attribute):
            return None
        owner = self._unknown_receiver_kind(func.value, short)
        slot = METHODS[owner].get(short) if owner else None
        return Callee(slot, func, context.module) if slot is not None else None

    def _unknown_receiver_kind(self, receiver: cst.BaseExpression, method: str) -> str | None:
        """The kind of a receiver the engine knows nothing of, from its name, its method's
        name, or the ``async with`` that opened it."""
        typed = self.ask(VALUE, receiver)
        if isinstance(typed, Instance):
            return owner_kind(typed.type)  # a method the index cannot see (``Task``'s, in C)
        if typed is not None:
            return None
        if method == "add_done_callback":
            return FUTURE
        if method == "start_soon":
            return NURSERY
        name = last_name(receiver)
        if name is None:
            return None
        if name in LOOP_NAMES and method in METHODS[LOOP]:
            return LOOP
        if method == "start" and isinstance(receiver, cst.Name) and self._opened_group(name):
            return NURSERY
        return None

    def _opened_group(self, name: str) -> bool:
        """Whether ``name`` is bound by an enclosing ``async with`` of this function that
        opens a nursery or task group."""
        context = self.context
        for ancestor in reversed(context.ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                return False
            if not isinstance(ancestor, cst.With) or ancestor.asynchronous is None:
                continue
            for item in ancestor.items:
                target = item.asname.name if item.asname is not None else None
                if (
                    isinstance(target, cst.Name)
                    and target.value == name
                    and isinstance(item.item, cst.Call)
                    and self.ask(QUALIFIED_NAME, item.item.func) in GROUP_OPENERS
                ):
                    return True
        return False

    # --- what the argument is -------------------------------------------------------------
    def _function_kind(self, node: cst.BaseExpression) -> str | None:
        """What calling ``node`` (a name or attribute, not called here) gives."""
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        return self.ask(CALL_KIND, cst.Call(func=node))

    def _coroutine_call(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and self.ask(CALL_KIND, node) == COROUTINE

    # --- the three expectations -----------------------------------------------------------
    def _expects_sync_function(self, node: cst.BaseExpression, callee: Callee) -> None:
        context = self.context
        role = callee.slot.role
        function = node
        if isinstance(node, cst.Call) and self.ask(QUALIFIED_NAME, node.func) in PARTIAL:
            first = node.args[0] if node.args else None
            if first is None or first.keyword is not None or first.star:
                return
            function = first.value
        kind = self._function_kind(function)
        if kind in (COROUTINE, ASYNC_GENERATOR):
            name = source_of(context.module, function)
            if isinstance(self.ask(VALUE, function), Instance):
                what = f"`{name}` is an object whose `__call__` is `async def`"
                result = "a coroutine that is never awaited"
                advice = instead(role, name)
            elif kind == COROUTINE:
                what = f"`{name}` is a coroutine function"
                result = "a coroutine that is never awaited"
                advice = instead(role, name)
            else:
                what = f"`{name}` is an async generator function"
                result = "an async generator that is never iterated"
                advice = f"pass a sync function, or iterate `{name}(...)` with `async for`"
            self.report(node, f"{what}: {runs(role, callee.label, result)}; {advice}")
            return
        if isinstance(node, cst.Lambda) and self._lambda_calls_coroutine(node):
            call = source_of(context.module, node.body)
            result = "a coroutine that is never awaited"
            self.report(
                node,
                f"The lambda only returns the coroutine `{call}`: "
                f"{runs(role, callee.label, result)}; {instead(role, call, called=True)}",
            )
            return
        if self._coroutine_call(node):
            call = source_of(context.module, node)
            self.report(
                node,
                f"`{call}` is a coroutine, not a function: {callee.label} calls its argument "
                f"from plain code; {instead(role, call, called=True)}",
            )

    def _lambda_calls_coroutine(self, node: cst.Lambda) -> bool:
        body = node.body
        if not isinstance(body, cst.Call) or not self._coroutine_call(body):
            return False
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        root = body.func
        while isinstance(root, cst.Attribute):
            root = root.value
        # The names of the body are looked up outside the lambda: a parameter shadows them.
        return not (isinstance(root, cst.Name) and root.value in {p.name.value for p in every})

    def _expects_coroutine(self, node: cst.BaseExpression, callee: Callee) -> None:
        if self._function_kind(node) != COROUTINE or isinstance(self.ask(VALUE, node), Instance):
            return  # an object with an ``async def __call__`` may be awaitable too
        name = source_of(self.context.module, node)
        self.report(
            node,
            f"`{name}` is a coroutine function, but {callee.label} needs a coroutine: "
            f"pass `{name}(...)` (call it with its arguments)",
        )

    def _expects_async_function(self, call: cst.Call, argument: cst.Arg, callee: Callee) -> None:
        context = self.context
        node = argument.value
        role = callee.slot.role
        if isinstance(node, cst.Call) and self._coroutine_call(node):
            function = source_of(context.module, node.func)
            self.report(
                node,
                f"{callee.label} needs an async function, not the coroutine "
                f"`{source_of(context.module, node)}`: pass the function `{function}` and its "
                "arguments, not the coroutine (it would never be awaited)",
                pass_function_fix(call, argument, node),
            )
            return
        if isinstance(node, (cst.Name, cst.Attribute)) and self.ask(NEVER_AWAITABLE, node):
            name = source_of(context.module, node)
            if role == RUNNER:
                advice = "make it `async def`, or call it directly"
            elif role == PORTAL:
                advice = "use `from_thread.run_sync()` for a sync function"
            else:
                advice = (
                    "call the sync function directly, or run it in a thread with "
                    "`to_thread.run_sync`"
                )
            self.report(
                node,
                f"`{name}` is a sync callable (calling it gives nothing awaitable), but "
                f"{callee.label} needs an async function; {advice}",
            )
