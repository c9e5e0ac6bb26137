"""What a function changes outside its locals, and whether it suspends, read from its ``ast``.

``own_writes`` and ``own_suspends`` fill ``FunctionFact.writes`` and ``FunctionFact.suspends``
for the summary; ``asynclint.index.effects`` puts the summaries together.
"""

from __future__ import annotations

import ast

from asynclint.knowledge.concurrency import MUTATING_METHODS

SELF = "self."
GLOBAL = "global:"
# Suffix of ``self.<attr>`` when only items of the attribute change (``self.cache[key] = v``,
# ``self.seen.add(x)``): a container filled, not the attribute rebound.
FILLED = "[]"


def own_suspends(own: list[ast.AST]) -> bool:
    """Whether a function's own nodes hold an ``await``, ``async for`` or ``async with``."""
    return any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in own)


def own_paces(own: list[ast.AST]) -> bool:
    """Whether a function's own nodes call a ``sleep`` (``asyncio.sleep(1)``, ``sleep(delay)``);
    ``sleep(0)`` only lets other tasks run."""
    for node in own:
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0] if node.args else None
            if name == "sleep" and not (isinstance(first, ast.Constant) and first.value == 0):
                return True
    return False


def own_writes(
    function: ast.FunctionDef | ast.AsyncFunctionDef, own: list[ast.AST], receiver: str | None
) -> list[str]:
    """``self.<attr>`` for each attribute of ``receiver`` the function assigns or deletes,
    ``self.<attr>[]`` for one it stores an item into or calls a mutating method on
    (``self.items.append(x)``), and ``global:<name>``
    for each module-level name it changes so (or rebinds under a ``global`` statement)."""
    declared = {n for node in own if isinstance(node, ast.Global) for n in node.names}
    local = _local_names(function, own) - declared
    found: set[str] = set()
    for node in own:
        for target, filled in _changed(node):
            root, attribute = _root(target)
            if root is None:
                continue
            if root.id == receiver:
                if attribute is not None:
                    found.add(SELF + attribute + (FILLED if filled else ""))
            elif root.id in declared or (root.id not in local and target is not root):
                found.add(GLOBAL + root.id)
    return sorted(found)


def _changed(node: ast.AST) -> list[tuple[ast.expr, bool]]:
    """The expressions ``node`` changes, each with whether only its items change: assignment
    and ``del`` targets (``x[k] = v`` fills ``x``), and the objects whose mutating methods it
    calls (``x.append(v)`` fills ``x``)."""
    targets: list[ast.expr] = []
    if isinstance(node, (ast.Assign, ast.Delete)):
        targets = [t for target in node.targets for t in _flat(target)]
    elif isinstance(node, ast.AugAssign) or (
        isinstance(node, ast.AnnAssign) and node.value is not None
    ):
        targets = _flat(node.target)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in MUTATING_METHODS
    ):
        return [(node.func.value, True)]
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


def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef, own: list[ast.AST]) -> set:
    arguments = function.args
    names = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
    names |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    for node in own:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".", 1)[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names
