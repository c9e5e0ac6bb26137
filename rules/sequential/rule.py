"""AL401 sequential-awaits: the rule, reporting each run once, on its first statement."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability
from asynclint.edits import async_library, source_of
from asynclint.facts.concurrency import (
    CALLEE_EFFECTS,
    RESOURCE,
    SharedUse,
    comments_say_order,
    origins,
    shared_use,
)
from asynclint.facts.dependence import in_ordering_context
from asynclint.facts.resolution import CALL_KIND, NEVER_AWAITABLE, VALUE
from asynclint.knowledge.kinds import COROUTINE
from asynclint.knowledge.versions import TASK_GROUP, has
from asynclint.rule import Context, Rule
from asynclint.rules.sequential.fix import gather_fix
from asynclint.rules.sequential.page import INVALID, PAGE, VALID
from asynclint.rules.sequential.runs import BlockReader, Run


class SequentialAwaits(Rule):
    __doc__ = PAGE

    code = "AL401"
    name = "sequential-awaits"
    summary = "Independent awaits run one after another; they could run concurrently"
    fix_applicability = Applicability.UNSAFE
    default_enabled = False  # see the page: right about nine times in ten on real projects
    requires = (VALUE, CALL_KIND, RESOURCE, CALLEE_EFFECTS, NEVER_AWAITABLE)

    invalid = INVALID
    valid = VALID

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        # The function whose ``origins`` were last worked out, and them.
        self._origins_of: tuple[cst.CSTNode | None, dict[str, frozenset[str]]] = (None, {})

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        context = self.context
        if not context.in_async_function:
            return
        found = BlockReader(context.module.code_for_node, self._judge, self._origins).runs(node)
        # Looked up only when there is something to report: it prints the ``with`` items.
        if found and not in_ordering_context(context):
            for finished in found:
                if not comments_say_order(context, [m.line for m in finished.members]):
                    self._report_run(finished)

    def _judge(self, call: cst.Call) -> SharedUse | None:
        """How ``call`` uses what others may use too, when it surely makes a coroutine (a task
        or a future is already running: awaiting it later gains nothing)."""
        if self.ask(CALL_KIND, call) != COROUTINE:
            return None
        return shared_use(self.context, call, frozenset())

    def _origins(self) -> dict[str, frozenset[str]]:
        """``origins`` of the function being walked, worked out once for all its blocks."""
        scope = self.context.scope.node
        if not isinstance(scope, cst.FunctionDef):
            return {}
        if self._origins_of[0] is not scope:
            self._origins_of = (scope, origins(scope))
        return self._origins_of[1]

    def _report_run(self, run: Run) -> None:
        context = self.context
        library = async_library(context.module_scope)
        fix = gather_fix(run, context.module_scope) if library == "asyncio" else None
        if library == "asyncio":
            advice = "run them concurrently with `asyncio.gather(...)`"
            if has(context.target_version, TASK_GROUP):
                advice += " (or an `asyncio.TaskGroup`)"
        else:
            advice = (
                f"start them in a {'nursery' if library == 'trio' else 'task group'} "
                "and collect the results"
            )
        calls = [f"`await {source_of(context.module, m.call, 40)}`" for m in run.members]
        named = ", ".join(calls[:3]) + (f" and {len(calls) - 3} more" if len(calls) > 3 else "")
        self.report(
            run.members[0].small,
            f"{named} do not depend on each other, yet each waits for the one before it; "
            f"{advice}. If the order matters, add `# noqa: AL401`",
            fix,
        )
