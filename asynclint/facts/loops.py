"""Whether an expression is an asyncio event loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE
from asynclint.index import Instance
from asynclint.knowledge.names import LOOP_NAMES
from asynclint.knowledge.roles import LOOP_GETTERS, LOOP_TYPES

if TYPE_CHECKING:
    from asynclint.engine import Context


@fact("event-loop", uses=(QUALIFIED_NAME, VALUE))
def EVENT_LOOP(context: Context, node: cst.BaseExpression) -> bool:
    """Whether ``node`` is an event loop: the result of ``get_event_loop()`` or
    ``new_event_loop()``, an object of an event-loop type, or named like one with nothing else
    known of it."""
    if isinstance(node, cst.Call):
        return context.answer(QUALIFIED_NAME, node.func) in LOOP_GETTERS
    meaning = context.answer(VALUE, node)
    if isinstance(meaning, Instance):
        return meaning.type in LOOP_TYPES
    last = node.attr.value if isinstance(node, cst.Attribute) else getattr(node, "value", "")
    return meaning is None and last in LOOP_NAMES
