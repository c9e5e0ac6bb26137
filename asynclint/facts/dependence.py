"""What statements read and bind, for the rules that judge whether awaits could run at once.

Names are tracked as dotted paths (``user``, ``self.cache``, ``items``): a statement depends
on an earlier one when it reads a path the earlier one binds or mutates, or a prefix or an
extension of one (``self`` passed on may reach ``self.cache``). Precision comes first: when a
statement does something these functions cannot see through, callers treat it as ordered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.knowledge.names import is_ordering_context
from asynclint.syntax.nodes import OTHER_CODE, dotted_name, iter_children

if TYPE_CHECKING:
    from asynclint.engine import Context


def paths_read(node: cst.CSTNode) -> set[str]:
    """Every dotted path an expression or statement reads (``a.b.c`` gives ``a``, ``a.b`` and
    ``a.b.c``), not entering nested functions or lambdas' own parameters."""
    found: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Attribute, cst.Name)):
            dotted = dotted_name(current)
            if dotted is not None:
                parts = dotted.split(".")
                found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
                continue
        stack.extend(iter_children(current))
    return found


def target_paths(target: cst.CSTNode) -> set[str]:
    """The paths an assignment target binds: ``a`` for ``a``, ``self.x`` for ``self.x``,
    ``cache`` for ``cache[key]`` (the container is changed), each element of a tuple."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return {p for element in target.elements for p in target_paths(element.value)}
    if isinstance(target, cst.StarredElement):
        return target_paths(target.value)
    if isinstance(target, cst.Subscript):
        return target_paths(target.value)
    dotted = dotted_name(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
    return {dotted} if dotted else {"*"}


def depends(read: set[str], bound: set[str]) -> bool:
    """Whether something reading ``read`` depends on something that bound ``bound``."""
    if "*" in bound:
        return True
    for path in read:
        for other in bound:
            if path == other or path.startswith(other + ".") or other.startswith(path + "."):
                return True
    return False


def callee_words(func: cst.BaseExpression) -> tuple[str | None, str | None]:
    """``(receiver path, callee name)`` of a call's function: ``("self.client", "get")``,
    ``(None, "fetch_user")``; ``"?"`` for a receiver that is not a dotted name."""
    if isinstance(func, cst.Name):
        return None, func.value
    if isinstance(func, cst.Attribute):
        return dotted_name(func.value) or "?", func.attr.value
    return "?", None


def in_ordering_context(context: Context, extra_words: Iterable[str] = ()) -> bool:
    """Whether the current node runs inside a ``with``/``async with`` of this function whose
    item looks like a lock, semaphore, transaction or limiter (``is_ordering_context``, with
    ``extra_words`` as further whole words)."""
    extra = frozenset(extra_words)
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, OTHER_CODE):
            return False
        if not isinstance(ancestor, cst.With):
            continue
        for item in ancestor.items:
            if is_ordering_context(context.module.code_for_node(item.item), extra):
                return True
    return False
