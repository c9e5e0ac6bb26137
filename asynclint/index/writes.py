"""What a function changes outside its locals, and whether it suspends, read from its ``ast``.

``own_effects`` fills ``FunctionFact.writes``, ``suspends`` and ``paces`` for the summary;
``asynclint.index.effects`` puts the summaries together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from asynclint.knowledge.concurrency import MUTATING_METHODS

_CHANGING = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)
_SUSPENDING = (ast.Await, ast.AsyncFor, ast.AsyncWith)

SELF = "self."
GLOBAL = "global:"
# Suffix of ``self.<attr>`` when only items of the attribute change (``self.cache[key] = v``,
# ``self.seen.add(x)``): a container filled, not the attribute rebound.
FILLED = "[]"


def own_effects(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    own: dict[type, list[ast.AST]],
    stored: Iterable[str],
    receiver: str | None,
) -> tuple[list[str], bool, bool]:
    """``(writes, suspends, paces)`` of a function, from its own nodes by class (``own``) and
    the names its own code binds (``stored``).

    ``writes``: ``self.<attr>`` for each attribute of ``receiver`` the function assigns or
    deletes, ``self.<attr>[]`` for one it stores an item into or calls a mutating method on
    (``self.items.append(x)``), and ``global:<name>`` for each module-level name it changes so
    (or rebinds under a ``global`` statement). ``suspends``: it holds an ``await``, ``async
    for`` or ``async with``. ``paces``: it calls a ``sleep`` (``asyncio.sleep(1)``,
    ``sleep(delay)``; ``sleep(0)`` only lets other tasks run)."""
    arguments = function.args
    local = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
    local |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    local.update(stored)
    declared: set[str] = set()
    for node in (*own.get(ast.Import, ()), *own.get(ast.ImportFrom, ()), *own.get(ast.Global, ())):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local |= {(a.asname or a.name).split(".", 1)[0] for a in node.names}
    local -= declared
    changed = [c for kind in _CHANGING for node in own.get(kind, ()) for c in _changed(node)]
    paces = False
    for call in [node for node in own.get(ast.Call, ()) if isinstance(node, ast.Call)]:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in MUTATING_METHODS:
            changed.append((func.value, True))  # ``x.append(v)`` fills ``x``
        paces = paces or _sleeps(call)
    found: set[str] = set()
    for target, filled in changed:
        root, attribute = _root(target)
        if root is None:
            continue
        if root.id == receiver:
            if attribute is not None:
                found.add(SELF + attribute + (FILLED if filled else ""))
        elif root.id in declared or (root.id not in local and target is not root):
            found.add(GLOBAL + root.id)
    suspends = any(kind in own for kind in _SUSPENDING)
    return sorted(found), suspends, paces


def _sleeps(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    first = call.args[0] if call.args else None
    return name == "sleep" and not (isinstance(first, ast.Constant) and first.value == 0)


def _changed(node: ast.AST) -> list[tuple[ast.expr, bool]]:
    """The targets an assignment or a ``del`` changes, each with whether only its items
    change (``x[k] = v`` fills ``x``)."""
    targets: list[ast.expr] = []
    if isinstance(node, (ast.Assign, ast.Delete)):
        targets = [t for target in node.targets for t in _flat(target)]
    elif isinstance(node, ast.AugAssign) or (
        isinstance(node, ast.AnnAssign) and node.value is not None
    ):
        targets = _flat(node.target)
    return [(t, isinstance(t, ast.Subscript)) for t in targets]


def _flat(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return [t for element in target.elts for t in _flat(element)]
    if isinstance(target, ast.Starred):
        return _flat(target.value)
    return [target]


def _root(target: ast.expr) -> tuple[ast.Name | None, str | None]:
    """The name an attribute or item chain starts from, and the first attribute after it
    (``self.items[0].x`` -> ``self``, ``items``)."""
    attribute = None
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        if isinstance(target, ast.Attribute):
            attribute = target.attr
        target = target.value
    return (target if isinstance(target, ast.Name) else None), attribute
