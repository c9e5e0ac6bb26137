"""Small tree edits that several rules' fixes share."""

from __future__ import annotations

import libcst as cst


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


def source_of(module: cst.Module, node: cst.CSTNode, limit: int = 40) -> str:
    """The code of ``node`` on one line, shortened to about ``limit`` characters."""
    text = " ".join(module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
