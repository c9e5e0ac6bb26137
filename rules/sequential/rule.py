"""AL401 sequential-awaits: the rule, reporting the later statements of each run."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability
from asynclint.edits import async_library, source_of
from asynclint.facts.dependence import in_ordering_context
from asynclint.rule import Rule
from asynclint.rules.sequential.fix import gather_fix
from asynclint.rules.sequential.page import INVALID, PAGE, VALID
from asynclint.rules.sequential.runs import BlockReader, Run


class SequentialAwaits(Rule):
    __doc__ = PAGE

    code = "AL401"
    name = "sequential-awaits"
    summary = "Independent awaits run one after another; they could run concurrently"
    fix_applicability = Applicability.UNSAFE

    invalid = INVALID
    valid = VALID

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        context = self.context
        if not context.in_async_function:
            return
        found = BlockReader(context.module.code_for_node).runs(node)
        # Looked up only when there is something to report: it prints the ``with`` items.
        if found and not in_ordering_context(context):
            for finished in found:
                self._report_run(finished)

    def _report_run(self, run: Run) -> None:
        context = self.context
        first = run.members[0]
        library = async_library(context.module_scope)
        fix = gather_fix(run, context.module_scope) if library == "asyncio" else None
        if library == "asyncio":
            advice = "run them concurrently with `asyncio.gather(...)` (or an `asyncio.TaskGroup`)"
        else:
            advice = (
                f"start them in a {'nursery' if library == 'trio' else 'task group'} "
                "and collect the results"
            )
        earlier = source_of(context.module, first.call, 50)
        for position, member in enumerate(run.members[1:], start=1):
            later = source_of(context.module, member.call, 50)
            self.report(
                member.small,
                f"`await {later}` does not depend on `await {earlier}` before it, yet waits "
                f"for it to finish; {advice}. If the order matters, add `# noqa: AL401`",
                fix if position == len(run.members) - 1 else None,
            )
