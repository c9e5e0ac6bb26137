"""What a call passes, in the terms of the catalogue's ``[silent-when]`` conditions
(``asynclint.knowledge.arguments``), read from its ``ast`` tree. The rules read the same from
LibCST trees (``asynclint.facts.arguments``); the project index reads it to leave out of a sync
helper's blocking calls those its arguments keep from blocking (``zipfile.ZipFile(
io.BytesIO(data))``). The receiver of a method is not followed here."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from asynclint.knowledge.arguments import NOT_LITERAL, Argument, Arguments

Qualify = Callable[[ast.expr], "str | None"]
Local = Callable[[str], "ast.expr | None"]


def call_arguments(call: ast.Call, qualify: Qualify, local: Local) -> Arguments:
    """The arguments of ``call``; ``qualify`` names a name or attribute chain, ``local`` gives
    the value a local name is bound to, when the function binds it once and to that only."""
    positional: list[Argument] = []
    unpacked = False
    for value in call.args:
        if isinstance(value, ast.Starred):
            unpacked = True
        elif not unpacked:
            positional.append(_argument(value, qualify, local))
    keywords: dict[str, Argument] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            unpacked = True
        else:
            keywords[keyword.arg] = _argument(keyword.value, qualify, local)
    return Arguments(tuple(positional), keywords, unpacked)


def single_values(own: dict[type, list[ast.AST]]) -> dict[str, ast.expr | None]:
    """Names bound once, by a plain ``name = value`` or ``with value as name`` (None: bound
    otherwise or twice). ``own``: the nodes of a function's (or a module's) own code by
    class, each class's in order."""
    values: dict[int, ast.expr] = {}
    for node in own.get(ast.Assign, ()):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            values[id(node.targets[0])] = node.value
    for node in own.get(ast.withitem, ()):
        if isinstance(node, ast.withitem) and node.optional_vars is not None:
            values[id(node.optional_vars)] = node.context_expr
    found: dict[str, ast.expr | None] = {}
    for node in own.get(ast.Name, ()):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found[node.id] = None if node.id in found else values.get(id(node))
    return found


def _argument(value: ast.expr, qualify: Qualify, local: Local | None) -> Argument:
    if local is not None and isinstance(value, ast.Name):
        bound = local(value.id)
        if bound is not None:
            return _argument(bound, qualify, None)
    made = qualify(value.func) if isinstance(value, ast.Call) else None
    return Argument(_literal(value), frozenset(_flags(value, qualify)), made)


def _literal(node: ast.expr) -> Any:
    """The value of a number, string, ``True``, ``False`` or ``None`` literal (``-1``
    included)."""
    if isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, (bool, int, float, str))
    ):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, (int, float))
        and not isinstance(node.operand.value, bool)
    ):
        return -node.operand.value
    return NOT_LITERAL


def _flags(node: ast.expr, qualify: Qualify) -> list[str]:
    """The qualified names a flag argument combines (each name operand of ``a | b``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flags(node.left, qualify) + _flags(node.right, qualify)
    if isinstance(node, (ast.Name, ast.Attribute)):
        qualified = qualify(node)
        return [qualified] if qualified else []
    return []
