"""What kind of awaitable an expression is: a call that creates a coroutine or a future, a
name that stands for a coroutine function, or a name that holds a coroutine object."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import CALL_KIND, VALUE
from asynclint.index import Instance
from asynclint.knowledge.kinds import AWAITABLE, COROUTINE, COROUTINE_TYPES
from asynclint.syntax.nodes import own_nodes, target_names

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


@fact("coroutine-object", uses_index=True, uses=(CALL_KIND, VALUE))
def COROUTINE_OBJECT(context: Context, node: cst.BaseExpression) -> bool:
    """Whether the name ``node`` holds a coroutine object, not a task or a future: it is
    annotated ``Coroutine[...]``, is an unannotated parameter that every call site in the
    project passes a coroutine, or is a local of the function assigned only coroutine calls
    (``coro = fetch(url)``). Awaiting it runs the coroutine in the current task."""
    if not isinstance(node, cst.Name):
        return False
    where = context.parameter_of(node.value)
    if where is not None:
        return context.index is not None and context.index.passes_coroutine(*where)
    meaning = context.answer(VALUE, node)
    if isinstance(meaning, Instance):
        return meaning.type in COROUTINE_TYPES
    scope = context.scope
    if scope.kind != "function" or node.value not in scope.bindings or meaning is not None:
        return False
    return _assigned_only_coroutines(context, scope.node, node.value)


def _assigned_only_coroutines(context: Context, function: cst.CSTNode, name: str) -> bool:
    """Whether every binding of ``name`` in ``function``'s own code is ``name = <a call that
    makes a coroutine>`` (and there is one)."""
    assigned = False
    for inner in own_nodes(function):
        if isinstance(inner, cst.Assign) and any(
            name in target_names(t.target) for t in inner.targets
        ):
            plain = len(inner.targets) == 1 and isinstance(inner.targets[0].target, cst.Name)
            if not plain or context.answer(AWAITABLE_KIND, inner.value) != COROUTINE:
                return False
            assigned = True
        elif _binds_otherwise(inner, name):
            return False
    return assigned


def _binds_otherwise(node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` binds ``name`` other than by a plain assignment (``for``, ``with``,
    ``:=``, ``+=``, an annotation, ``global``/``nonlocal``, ``del``, a parameter)."""
    if isinstance(node, (cst.For, cst.CompFor)):
        return name in target_names(node.target)
    if isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
        return name in target_names(node.target)
    if isinstance(node, cst.AsName):
        return name in target_names(node.name)
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        return any(item.name.value == name for item in node.names)
    if isinstance(node, cst.Del):
        return name in target_names(node.target)
    return isinstance(node, cst.Param) and node.name.value == name
