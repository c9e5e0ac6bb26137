"""What kind of awaitable an expression is: a call that creates a coroutine or a future, or a
name that stands for a coroutine function."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import CALL_KIND, VALUE
from asynclint.index import Instance
from asynclint.knowledge.kinds import AWAITABLE, COROUTINE

if TYPE_CHECKING:
    from asynclint.engine import Context

# The call kinds whose result must be awaited (or scheduled) to do its work.
MUST_AWAIT = (COROUTINE, AWAITABLE)


@fact("awaitable-kind", uses=(CALL_KIND,))
def AWAITABLE_KIND(context: Context, node: cst.BaseExpression) -> str | None:
    """``kinds.COROUTINE`` or ``kinds.AWAITABLE`` when ``node`` is a call that creates one,
    else None."""
    if not isinstance(node, cst.Call):
        return None
    kind = context.answer(CALL_KIND, node)
    return kind if kind in MUST_AWAIT else None


@fact("referenced-call-kind", uses_index=True, uses=(VALUE,))
def REFERENCED_CALL_KIND(context: Context, node: cst.BaseExpression) -> str | None:
    """What calling the function that the name or attribute ``node`` stands for would give
    (``await fetch`` without the call: ``kinds.COROUTINE``), or None when unknown."""
    if not isinstance(node, (cst.Name, cst.Attribute)) or context.index is None:
        return None
    meaning = context.answer(VALUE, node)
    if isinstance(meaning, str):
        return context.index.call_kind(meaning)
    if meaning is not None and not isinstance(meaning, Instance):
        return meaning.kind
    return None
