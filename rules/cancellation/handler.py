"""Whether an ``except`` handler passes the caught cancellation on instead of carrying on."""

from __future__ import annotations

import libcst as cst

from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.names import LOGGING_METHODS
from asynclint.knowledge.roles import NO_RETURN, NO_RETURN_TEST_METHODS
from asynclint.rule import Rule
from asynclint.syntax.nodes import own_nodes

# Calls that only look at an exception (log, print, inspect it): handing the caught exception
# to one of these does not pass it on.
_LOOKING_FUNCTIONS = frozenset(
    {
        "builtins.format",
        "builtins.id",
        "builtins.isinstance",
        "builtins.print",
        "builtins.repr",
        "builtins.str",
        "builtins.type",
    }
)
# The logging methods, and ``traceback``'s functions that print or format an exception.
_LOOKING_METHODS = LOGGING_METHODS | {"format_exception", "print_exception"}


def passes_on(rule: Rule, handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """Whether the handler does not simply carry on: it raises (anything, on any path),
    calls ``uncancel()`` or a function that never returns, or hands the caught exception
    to other code (stores it, returns it, passes it to a call that is not logging)."""
    bound = None
    if handler.name is not None and isinstance(handler.name.name, cst.Name):
        bound = handler.name.name.value
    for node in own_nodes(handler.body):
        if isinstance(node, cst.Raise):
            return True
        if isinstance(node, cst.Assert) and _is_false_constant(node.test):
            return True
        if isinstance(node, cst.Call) and _never_returns_or_uncancels(rule, node):
            return True
        if bound is not None and _hands_on(rule, node, bound):
            return True
    return False


def _never_returns_or_uncancels(rule: Rule, call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute):
        if func.attr.value == "uncancel":
            return True
        if (
            func.attr.value in NO_RETURN_TEST_METHODS
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
        ):
            return True
    elif isinstance(func, cst.Name) and func.value == "uncancel":
        return True
    return rule.ask(QUALIFIED_NAME, func) in NO_RETURN


def _hands_on(rule: Rule, node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` passes the exception bound to ``name`` to other code."""
    if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return)):
        return node.value is not None and _holds_name(node.value, name)
    if isinstance(node, cst.Yield):
        return isinstance(node.value, cst.BaseExpression) and _holds_name(node.value, name)
    if isinstance(node, cst.Call):
        if not any(_holds_name(arg.value, name) for arg in node.args):
            return False
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _LOOKING_METHODS:
            return False
        return rule.ask(QUALIFIED_NAME, func) not in _LOOKING_FUNCTIONS
    return False


def _holds_name(node: cst.BaseExpression, name: str) -> bool:
    """``name`` itself, or ``name`` as an element of a tuple or list display."""
    if isinstance(node, cst.Name):
        return node.value == name
    if isinstance(node, (cst.Tuple, cst.List)):
        return any(_holds_name(element.value, name) for element in node.elements)
    return False


def _is_false_constant(node: cst.BaseExpression) -> bool:
    """``False`` or ``0``: ``assert False`` always raises."""
    if isinstance(node, cst.Name):
        return node.value == "False"
    return isinstance(node, cst.Integer) and node.value == "0"
