"""How AL103 tells that a coroutine is used where its result was meant."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from asynclint.facts.resolution import QUALIFIED_NAME, VALUE, Instance
from asynclint.knowledge.names import LOGGING_METHODS, is_logger_name
from asynclint.knowledge.values import (
    COROUTINE_ATTRIBUTES,
    COROUTINE_CLASSES,
    DESCRIBING_FUNCTIONS,
    FIRST_ARGUMENT_ONLY,
    STRING_METHODS_FORMATTING,
    STRING_METHODS_NEEDING_VALUES,
    VALUE_FUNCTIONS,
)
from asynclint.rule import Rule

_TRUTH_PARENTS = (cst.If, cst.While, cst.IfExp, cst.Assert)
_ORDERING = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_LOGGING_CALLS = frozenset(f"logging.{name}" for name in LOGGING_METHODS)


@dataclass(frozen=True)
class Use:
    """A use of a coroutine that needs the result instead."""

    text: str  # how it is used: "tested for truth (always true)"
    # Whether the use raises at once; otherwise it gives a silently wrong answer, which is
    # harmless when the coroutine is awaited afterwards.
    raises: bool
    # Whether the use is just as wrong for a future (which has attributes and items of its
    # own) as for a coroutine.
    any_awaitable: bool = True


def how_used(rule: Rule, node: cst.BaseExpression, parent: cst.CSTNode) -> Use | None:
    """How ``node`` is used, when that use needs the result rather than the coroutine."""
    if isinstance(parent, _TRUTH_PARENTS) and parent.test is node:
        return Use("tested for truth (always true)", raises=False)
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return Use("negated with `not` (always false)", raises=False)
    if isinstance(parent, cst.BooleanOperation) and (parent.left is node or _tested(rule, parent)):
        return Use("used in `and`/`or` (always true)", raises=False)
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
        return _comparison_use(parent)
    if isinstance(parent, cst.FormattedStringExpression):
        return Use("formatted into a string", raises=False)
    if (
        isinstance(parent, (cst.For, cst.CompFor))
        and parent.iter is node
        and parent.asynchronous is None
    ):
        return Use("iterated with a plain `for`", raises=True)
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return Use("indexed", raises=True, any_awaitable=False)
    if isinstance(parent, cst.Attribute) and parent.value is node:
        if parent.attr.value in COROUTINE_ATTRIBUTES:
            return None
        return Use(f"read for `.{parent.attr.value}`", raises=True, any_awaitable=False)
    if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Modulo):
        if isinstance(parent.left, _STRINGS) and parent.right is node:
            return Use("formatted into a string", raises=False)
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
        if isinstance(parent.targets[0].target, (cst.Tuple, cst.List)):
            return Use("unpacked (a coroutine is not iterable)", raises=True, any_awaitable=False)
    if isinstance(parent, cst.StarredElement):
        return Use("unpacked with `*` (a coroutine is not iterable)", raises=True)
    if isinstance(parent, cst.Arg):
        return _argument_use(rule, parent)
    return None


def _tested(rule: Rule, operation: cst.BooleanOperation) -> bool:
    """Whether the value of ``a and b`` is itself tested (``if a and b:``): only then is the
    truth of ``b`` asked (``x = cached or load()`` hands ``load()`` on)."""
    ancestors = rule.context.ancestors
    for index in range(len(ancestors) - 1, 0, -1):
        if ancestors[index] is operation:
            parent = ancestors[index - 1]
            if isinstance(parent, cst.BooleanOperation):
                return _tested(rule, parent)
            if isinstance(parent, cst.UnaryOperation):
                return isinstance(parent.operator, cst.Not)
            return isinstance(parent, _TRUTH_PARENTS) and parent.test is operation
    return False


def _comparison_use(parent: cst.Comparison | cst.ComparisonTarget) -> Use | None:
    """A comparison of the coroutine: with ``is``/``is not`` only against ``None`` (a fresh
    coroutine never is; identity with anything else is meaningful for the object itself)."""
    if isinstance(parent, cst.ComparisonTarget):
        if isinstance(parent.operator, (cst.Is, cst.IsNot)):
            return None
        return Use("compared", raises=isinstance(parent.operator, _ORDERING))
    first = parent.comparisons[0]
    if isinstance(first.operator, (cst.Is, cst.IsNot)):
        comparator = first.comparator
        if not (isinstance(comparator, cst.Name) and comparator.value == "None"):
            return None
        if isinstance(first.operator, cst.Is):
            return Use("compared with `is None` (always false)", raises=False)
        return Use("compared with `is not None` (always true)", raises=False)
    return Use("compared", raises=isinstance(first.operator, _ORDERING))


def _argument_use(rule: Rule, argument: cst.Arg) -> Use | None:
    if argument.star:
        return Use(f"unpacked with `{argument.star}` (a coroutine is not iterable)", raises=True)
    call = rule.context.enclosing(cst.Call)
    if argument.keyword is not None or not isinstance(call, cst.Call):
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    position = next((i for i, a in enumerate(positional) if a is argument), None)
    if position is None:
        return None
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, _STRINGS):
        return _string_method_use(func.attr.value)
    callee = rule.ask(QUALIFIED_NAME, func) or ""
    if callee in FIRST_ARGUMENT_ONLY and position != 0:
        return None
    if callee == "builtins.isinstance" and _may_be_coroutine_class(call):
        return None
    name = callee.removeprefix("builtins.")
    if callee in DESCRIBING_FUNCTIONS:
        return Use(f"passed to `{name}()`", raises=False, any_awaitable=name in _ANY_AWAITABLE)
    if callee in VALUE_FUNCTIONS:
        return Use(f"passed to `{name}()`", raises=True)
    if callee in _LOGGING_CALLS or _is_logger_method(rule, func):
        return Use("passed to a logging call", raises=False)
    return None


# Of the describing functions, those whose answer is just as wrong for a future.
_ANY_AWAITABLE = frozenset({"print", "str", "repr", "ascii", "format", "bool"})


def _string_method_use(method: str) -> Use | None:
    if method in STRING_METHODS_FORMATTING:
        return Use("formatted into a string", raises=False)
    if method in STRING_METHODS_NEEDING_VALUES:
        return Use(f"passed to `str.{method}()`", raises=True)
    return None


def _may_be_coroutine_class(call: cst.Call) -> bool:
    """Whether the classes ``isinstance(x, ...)`` asks about may include a coroutine's own
    (``Awaitable``, ``Coroutine``, ``object`` ...), or are not written out."""
    if len(call.args) < 2:
        return True
    classes = call.args[1].value
    elements = [e.value for e in classes.elements] if isinstance(classes, cst.Tuple) else [classes]
    for element in elements:
        while isinstance(element, cst.Attribute):
            element = element.attr
        if not isinstance(element, cst.Name) or element.value in COROUTINE_CLASSES:
            return True
    return False


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


def only_tested(node: cst.BaseExpression, parent: cst.CSTNode | None) -> bool:
    """Whether ``node`` is only tested there (for truth, or against ``None``): a cheap check,
    without facts, that the read does not hand the object on to be awaited."""
    if isinstance(parent, _TRUTH_PARENTS):
        return parent.test is node
    if isinstance(parent, cst.BooleanOperation):
        return parent.left is node
    if isinstance(parent, cst.UnaryOperation):
        return isinstance(parent.operator, cst.Not)
    if isinstance(parent, cst.Comparison):
        return isinstance(parent.comparisons[0].operator, (cst.Is, cst.IsNot))
    return False
