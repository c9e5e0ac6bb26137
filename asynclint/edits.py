"""Small tree edits that several rules' fixes share."""

from __future__ import annotations

import re

import libcst as cst

from asynclint.diagnostics import ImportNeeded
from asynclint.syntax.scopes import Scope


def needs_parentheses(node: cst.BaseExpression, parent: cst.CSTNode | None) -> bool:
    """Whether ``await node`` must be parenthesised where ``node`` stands: only as the object of
    an attribute, a subscript or a call (``await`` binds tighter than every operator)."""
    if isinstance(parent, (cst.Attribute, cst.Subscript)):
        return parent.value is node
    return isinstance(parent, cst.Call) and parent.func is node


def awaited(
    node: cst.BaseExpression,
    parent: cst.CSTNode | None,
    expression: cst.BaseExpression | None = None,
) -> cst.BaseExpression:
    """``await <expression>`` to stand where ``node`` stands (``expression`` defaults to
    ``node``), parenthesised where the grammar needs it; ``node``'s own parentheses are kept
    around the whole."""
    inner = (expression or node).with_changes(lpar=(), rpar=())
    result: cst.BaseExpression = cst.Await(expression=inner)
    if node.lpar or needs_parentheses(node, parent):
        result = result.with_changes(
            lpar=node.lpar or (cst.LeftParen(),), rpar=node.rpar or (cst.RightParen(),)
        )
    return result


def line_break(indent: str) -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, then the indentation of the statement and ``indent``."""
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace(indent)
    )


def source_of(module: cst.Module, node: cst.CSTNode, limit: int = 40) -> str:
    """The code of ``node`` on one line, shortened to about ``limit`` characters."""
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def call_text(module: cst.Module, call: cst.Call, limit: int = 50) -> str:
    """A call as written, on one line. When that is longer than ``limit``, long arguments give
    way to ``…`` (keyword names kept: ``requests.get(url, timeout=…)``), then all of them
    (``requests.get(…)``); a call it is made on is shortened alike (``open(…).read()``)."""
    text = one_line(module, call)
    if len(text) <= limit:
        return text
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        callee = f"{call_text(module, func.value, limit)}.{func.attr.value}"
    else:
        callee = source_of(module, func, limit)
    arguments = ", ".join(_short_argument(module, argument) for argument in call.args)
    text = f"{callee}({arguments})"
    return text if len(text) <= limit or not call.args else f"{callee}(…)"


def one_line(module: cst.Module, node: cst.CSTNode) -> str:
    """The code of ``node`` on one line: ``f(\n    a,\n)`` reads ``f(a)``."""
    code = module.code_for_node(node)
    text = " ".join(code.split())
    if "\n" in code.strip():
        text = re.sub(r",? ?([)\]}])", r"\1", re.sub(r"([(\[{]) ", r"\1", text))
    return text


def _short_argument(module: cst.Module, argument: cst.Arg) -> str:
    value = one_line(module, argument.value)
    if len(value) > 12:
        value = "…"
    if argument.keyword is not None:
        return f"{argument.keyword.value}={value}"
    return f"{argument.star}{value}"


def async_library(module_scope: Scope) -> str:
    """``anyio``, ``trio`` or ``asyncio``: which library the module's async code uses, from
    what the module imports (``module_scope`` is the module's scope)."""
    imported = {q.split(".", 1)[0] for q in module_scope.bindings.values() if isinstance(q, str)}
    if "anyio" in imported:
        return "anyio"
    if "trio" in imported and "asyncio" not in imported:
        return "trio"
    return "asyncio"


def module_reference(module_scope: Scope, module: str) -> tuple[str, tuple[ImportNeeded, ...]]:
    """How code in the module can name ``module``, and the import that needs, if any."""
    for name, qualified in module_scope.bindings.items():
        if qualified == module:
            return name, ()
    return module, (ImportNeeded(module),)
