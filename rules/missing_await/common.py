"""What the AL1xx rules share: how a message names the call, the ``await`` fix, the base."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import awaited, source_of
from asynclint.knowledge.kinds import COROUTINE
from asynclint.rule import Context, Rule

# The "Fix safety" paragraph of every AL1xx page (``<<fix safety>>`` in the pages).
_FIX_SAFETY = """
The fix inserts `await`; it is offered only inside `async def` and is unsafe: the awaited
code now runs (and may raise) where before it silently did not, and the statement now waits
for it. If the coroutine was meant to run in the background, schedule it with
`asyncio.create_task()` (keeping a reference) instead.
"""


def describe_call(context: Context, call: cst.Call, kind: str) -> str:
    """The start of a message: what calling ``call.func`` creates, and that it ..."""
    name = source_of(context.module, call.func)
    if kind == COROUTINE:
        return f"`{name}()` is a coroutine function: calling it creates a coroutine that"
    return f"`{name}()` returns an awaitable that"


def await_fix(rule: Rule, node: cst.Call, parent: cst.CSTNode | None = None) -> Fix | None:
    """Insert ``await`` before ``node`` (whose parent is ``parent``, by default the parent of
    the node being visited), where the engine knows ``await`` is allowed."""
    context = rule.context
    if not context.in_async_function or context.enclosing(cst.GeneratorExp) is not None:
        return None
    return Fix(
        "Add `await`",
        ((node, awaited(node, parent or context.parent)),),
        Applicability.UNSAFE,
    )


class MissingAwaitRule(Rule):
    """Base of the AL1xx rules; not a rule itself."""

    fix_applicability = Applicability.UNSAFE
    doc_parts = (("fix safety", _FIX_SAFETY),)


def held_calls(value: cst.BaseExpression) -> list[cst.Call]:
    """The calls a list, tuple or set display (or comprehension) is built of. A starred
    element (``[*fetch()]``) is unpacked, not held: that is a use of its own (AL103)."""
    if isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return [value.elt] if isinstance(value.elt, cst.Call) else []
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return [
            e.value
            for e in value.elements
            if isinstance(e, cst.Element) and isinstance(e.value, cst.Call)
        ]
    return []
