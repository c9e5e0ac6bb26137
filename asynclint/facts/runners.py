"""Whether a call of one of the project's sync functions reaches a call that runs an event
loop (``asyncio.run``, ``trio.run`` ...), directly or a few calls down."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE
from asynclint.index import Instance
from asynclint.knowledge.roles import RUNNERS

if TYPE_CHECKING:
    from asynclint.engine import Context


def _is_runner(qualified: str) -> object | None:
    """``family_of`` for the project index's chain search: a call that runs an event loop."""
    return True if qualified in RUNNERS else None


@fact("runner-chain", uses_index=True, uses=(QUALIFIED_NAME, VALUE))
def RUNNER_CHAIN(context: Context, node: cst.Call) -> tuple[str, ...] | None:
    """The project functions ``node`` calls through down to a runner, the runner last
    (``("app.fetch_now", "trio.run")``), or None when it reaches none."""
    index = context.index
    func = node.func
    resolved = context.answer(QUALIFIED_NAME, func)
    if index is None or resolved is None:
        return None
    candidates = [resolved] if index.is_project_name(resolved) else []
    if isinstance(func, cst.Attribute):
        receiver = context.answer(VALUE, func.value)
        if isinstance(receiver, Instance) and index.is_project_name(receiver.type):
            candidates.append(f"{receiver.type}.{func.attr.value}")
    for candidate in candidates:
        chain = index.blocking_chain(candidate, _is_runner)
        if chain:
            return tuple(chain)
    return None
