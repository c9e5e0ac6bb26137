"""Part of AL101: awaitables held in a display that is awaited (``await [a(), b()]``) or
passed whole where they are taken one by one (``asyncio.gather([a(), b()])``)."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.values import AWAITABLES_AS_ARGUMENTS
from asynclint.rules.missing_await.common import MissingAwaitRule, describe_call, held_calls
from asynclint.syntax.nodes import last_name

_DISPLAY_NAMES = {
    cst.List: "a list",
    cst.ListComp: "a list",
    cst.Tuple: "a tuple",
    cst.Set: "a set",
    cst.SetComp: "a set",
    cst.GeneratorExp: "a generator",
}
_UNPACKING_CALL_NAMES = frozenset(q.rsplit(".", 1)[-1] for q in AWAITABLES_AS_ARGUMENTS)


class AwaitsHeldAwaitables(MissingAwaitRule):
    """Base of AL101: the displays of awaitables that are awaited or passed whole."""

    def visit_Await(self, node: cst.Await) -> None:
        """``await [fetch(a), fetch(b)]``: a list is not awaitable."""
        held = node.expression
        what = _DISPLAY_NAMES.get(type(held))
        call = self._first_awaitable(held_calls(held)) if what else None
        if call is not None:
            self.report(
                held,
                f"{describe_call(self.context, call, self.ask(AWAITABLE_KIND, call))} is "
                f"put in {what} that is awaited: `await` of {what} raises TypeError and the "
                "awaitables in it never run; await them together with `asyncio.gather(...)` "
                "(or a task group)",
            )

    def visit_Call(self, node: cst.Call) -> None:
        """``asyncio.gather([fetch(a), fetch(b)])``: gather takes the awaitables one by one."""
        func = node.func
        name = last_name(func)
        if name not in _UNPACKING_CALL_NAMES:
            return
        callee = self.ask(QUALIFIED_NAME, func)
        if callee not in AWAITABLES_AS_ARGUMENTS:
            return
        for argument in node.args:
            what = _DISPLAY_NAMES.get(type(argument.value))
            if argument.star or argument.keyword is not None or what is None:
                continue
            call = self._first_awaitable(held_calls(argument.value))
            if call is None:
                continue
            kind = self.ask(AWAITABLE_KIND, call)
            fix = Fix(
                "Unpack with `*`",
                ((argument, argument.with_changes(star="*")),),
                Applicability.UNSAFE,
            )
            self.report(
                argument.value,
                f"{describe_call(self.context, call, kind)} is put in {what} passed to "
                f"`{source_of(self.context.module, func)}()`, which takes awaitables as "
                "separate arguments: it raises TypeError and they never run; unpack it with `*`",
                fix,
            )
            return

    def _first_awaitable(self, calls: list[cst.Call]) -> cst.Call | None:
        return next((c for c in calls if self.ask(AWAITABLE_KIND, c) is not None), None)
