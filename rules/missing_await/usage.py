"""How AL103 tells that a coroutine is used where its result was meant."""

from __future__ import annotations

import libcst as cst

from asynclint.facts.resolution import QUALIFIED_NAME, VALUE, Instance
from asynclint.knowledge.names import LOGGING_METHODS, is_logger_name
from asynclint.rule import Rule

_TRUTH_PARENTS = (cst.If, cst.While, cst.IfExp, cst.Assert)
_COROUTINE_ATTRIBUTES = frozenset(
    {
        "send",
        "throw",
        "close",
        "cr_await",
        "cr_frame",
        "cr_running",
        "cr_code",
        "cr_origin",
        "cr_suspended",
        "__await__",
        "__class__",
        "__name__",
        "__qualname__",
    }
)
_VALUE_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "bool",
        "str",
        "repr",
        "int",
        "float",
        "len",
        "list",
        "tuple",
        "set",
        "dict",
        "sorted",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "print",
        "format",
        "iter",
        "enumerate",
        "zip",
        "abs",
        "round",
        "hash",
    )
)
_LOGGING_CALLS = frozenset(f"logging.{name}" for name in LOGGING_METHODS)


def how_used(rule: Rule, node: cst.BaseExpression, parent: cst.CSTNode) -> str | None:
    """How ``node`` is used, when that use needs the result rather than the coroutine."""
    if isinstance(parent, _TRUTH_PARENTS) and parent.test is node:
        return "tested for truth (always true)"
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return "negated with `not` (always false)"
    if isinstance(parent, cst.BooleanOperation):
        return "used in `and`/`or` (always true)"
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
        first = parent.comparisons[0] if isinstance(parent, cst.Comparison) else parent
        if isinstance(first.operator, (cst.Is, cst.IsNot)):
            return None  # identity: meaningful for the object itself
        return "compared"
    if isinstance(parent, cst.FormattedStringExpression):
        return "formatted into a string"
    if (
        isinstance(parent, (cst.For, cst.CompFor))
        and parent.iter is node
        and parent.asynchronous is None
    ):
        return "iterated with a plain `for`"
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return "indexed"
    if isinstance(parent, cst.Attribute) and parent.value is node:
        if parent.attr.value in _COROUTINE_ATTRIBUTES:
            return None
        return f"read for `.{parent.attr.value}`"
    if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Modulo):
        if isinstance(parent.left, (cst.SimpleString, cst.ConcatenatedString)):
            return "formatted into a string"
    if isinstance(parent, cst.Arg):
        return _argument_usage(rule, parent)
    return None


def _argument_usage(rule: Rule, argument: cst.Arg) -> str | None:
    call = rule.context.enclosing(cst.Call)
    if not isinstance(call, cst.Call) or not any(a is argument for a in call.args):
        return None
    callee = rule.ask(QUALIFIED_NAME, call.func)
    if callee in _VALUE_BUILTINS:
        return f"passed to `{callee.removeprefix('builtins.')}()`"
    if callee in _LOGGING_CALLS or _is_logger_method(rule, call.func):
        return "passed to a logging call"
    if (
        isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "format"
        and (isinstance(call.func.value, (cst.SimpleString, cst.ConcatenatedString)))
    ):
        return "formatted into a string"
    return None


def _is_logger_method(rule: Rule, func: cst.BaseExpression) -> bool:
    """``logger.info(...)`` on a ``logging.Logger``, or on a receiver named like one."""
    if not isinstance(func, cst.Attribute) or func.attr.value not in LOGGING_METHODS:
        return False
    receiver = rule.ask(VALUE, func.value)
    if isinstance(receiver, Instance):
        return receiver.type == "logging.Logger"
    name = (
        func.value.attr.value
        if isinstance(func.value, cst.Attribute)
        else getattr(func.value, "value", "")
    )
    return isinstance(name, str) and is_logger_name(name)
