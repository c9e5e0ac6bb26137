"""What AL402 asks of single expressions: pure values, plain reads, one await."""

from __future__ import annotations

import libcst as cst

from asynclint.facts.dependence import callee_words
from asynclint.knowledge.names import (
    is_pure_call,
)
from asynclint.syntax.nodes import own_nodes

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def names(paths: set[str]) -> set[str]:
    """The first names of dotted paths."""
    return {path.split(".", 1)[0] for path in paths}


def target_names(target: cst.BaseExpression) -> set[str] | None:
    """The names a loop target binds, or None for a target that is not only names."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        found: set[str] = set()
        for element in target.elements:
            inner = target_names(element.value)
            if inner is None:
                return None
            found |= inner
        return found
    return None


def is_pure(node: cst.CSTNode) -> bool:
    """No await, walrus, yield or lambda, and only calls that neither wait nor change state."""
    for inner in (node, *own_nodes(node)):
        if isinstance(inner, (cst.Await, cst.NamedExpr, cst.Yield, cst.Lambda)):
            return False
        if isinstance(inner, _COMPREHENSIONS):
            return False
        if isinstance(inner, cst.Call):
            _, name = callee_words(inner.func)
            if not is_pure_call(name):
                return False
    return True


def awaited_call(node: cst.BaseExpression) -> cst.Call | None:
    """``f(x)`` of ``await f(x)``."""
    if isinstance(node, cst.Await) and isinstance(node.expression, cst.Call):
        return node.expression
    return None


def has_own(node: cst.CSTNode, kind: type[cst.CSTNode]) -> bool:
    """``node`` is, or holds outside nested code, a node of type ``kind``."""
    return isinstance(node, kind) or any(isinstance(n, kind) for n in own_nodes(node))


def awaits_once(node: cst.CSTNode) -> bool:
    """``node`` has exactly one ``await`` of its own, no ``async for``/``async with``, and
    nothing that binds or hands out values behind the loop's back (walrus, ``yield``,
    ``global``)."""
    count = 0
    for inner in own_nodes(node):
        if isinstance(inner, cst.Await):
            count += 1
        elif isinstance(inner, (cst.For, cst.With, cst.CompFor)) and inner.asynchronous:
            return False
        elif isinstance(inner, (cst.Yield, cst.NamedExpr, cst.Global, cst.Nonlocal)):
            return False
    return count == 1
