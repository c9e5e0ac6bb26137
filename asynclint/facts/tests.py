"""Whether code makes a mistake on purpose: a test that expects it to fail."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import QUALIFIED_NAME
from asynclint.knowledge.blocking import (
    asserts_blocking,
    comment_says_it_blocks,
    named_for_blocking,
    says_it_blocks,
)

if TYPE_CHECKING:
    from asynclint.engine import Context

# ``with <call>:`` items that expect the code inside to raise.
_RAISES = frozenset({"pytest.raises"})
_ASSERT_RAISES = ("assertRaises",)  # unittest's assertRaises, assertRaisesRegex


@fact("expected-to-fail", uses=(QUALIFIED_NAME,))
def EXPECTED_TO_FAIL(context: Context, node: cst.CSTNode) -> bool:
    """Whether the node being visited runs inside ``with pytest.raises(...)`` or ``with
    self.assertRaises(...)`` of its own function: a test that makes a mistake on purpose to
    see it fail. (``node`` only keys the memo: the walk's position decides.)"""
    ancestors = context.ancestors
    for index in range(len(ancestors) - 1, -1, -1):
        ancestor = ancestors[index]
        if isinstance(ancestor, cst.ClassDef):
            return False
        if isinstance(ancestor, cst.FunctionDef):
            # A helper the test defines for the purpose (``def bad(): run_sync(async_fn)``)
            # and uses only inside ``pytest.raises``: its mistake is expected too.
            return _used_only_where_expected(context, ancestor, ancestors[:index])
        if isinstance(ancestor, cst.With) and expects_an_error(context, ancestor):
            return True
    return False


def _used_only_where_expected(
    context: Context, function: cst.FunctionDef, outer: list[cst.CSTNode]
) -> bool:
    """Whether the nested ``function`` is named at least once in the function around it, and
    each time inside a ``with pytest.raises(...)`` (or ``assertRaises``) block."""
    enclosing = next((a for a in reversed(outer) if isinstance(a, cst.FunctionDef)), None)
    if enclosing is None:
        return False
    name = function.name.value
    found = False
    pending: list[tuple[cst.CSTNode, bool]] = [(enclosing.body, False)]
    while pending:
        node, expected = pending.pop()
        if node is function:
            continue
        if isinstance(node, cst.Name) and node.value == name:
            if not expected:
                return False
            found = True
        if isinstance(node, cst.With) and expects_an_error(context, node):
            expected = True
        pending.extend((child, expected) for child in node.children)
    return found


def expects_an_error(context: Context, statement: cst.With) -> bool:
    """Whether one of the ``with`` statement's items is ``pytest.raises(...)`` or a unittest
    ``self.assertRaises(...)`` (``assertRaisesRegex`` ...)."""
    for item in statement.items:
        call = item.item
        if not isinstance(call, cst.Call):
            continue
        if context.answer(QUALIFIED_NAME, call.func) in _RAISES:
            return True
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value.startswith(_ASSERT_RAISES):
            return True
    return False


@fact("intended-to-block", uses=(QUALIFIED_NAME,))
def INTENDED_TO_BLOCK(context: Context, node: cst.CSTNode) -> bool:
    """Whether the code being visited visibly blocks the event loop on purpose, so that a fix
    that moves a blocking call off it would defeat the code: inside ``with pytest.raises(...)``
    (or ``assertRaises``) or a checkpoint or blocking assertion (``assert_no_checkpoints()``)
    of its own function; in a test function or class named for blocking (``test_blocking_io``),
    a function whose name says it blocks (``block_event_loop``) or under a decorator so named
    (``@pytest.mark.skip_blockbuster``); or in a test module named for blocking
    (``test_block_async_io.py``); or where a comment on its line says so. (``node`` only keys
    the memo: the walk's position decides.)"""
    module = (context.module_info or ("", False))[0].rpartition(".")[2]
    if module.startswith("test") and named_for_blocking(module):
        return True
    if isinstance(node, cst.Call) and _commented_as_meant(context, node):
        return True
    in_own_function = True
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
            in_own_function = False
            name = ancestor.name.value
            is_test = name.lower().startswith("test")
            if (
                (is_test and named_for_blocking(name))
                or says_it_blocks(name)
                or any(_mentions_blocking(decorator.decorator) for decorator in ancestor.decorators)
            ):
                return True
        elif in_own_function and isinstance(ancestor, cst.With):
            if expects_an_error(context, ancestor) or any(
                isinstance(item.item, cst.Call) and asserts_blocking(_last_name(item.item.func))
                for item in ancestor.items
            ):
                return True
    return False


def _commented_as_meant(context: Context, call: cst.Call) -> bool:
    """Whether a comment on the line of ``call`` (at its end, or on the lines right above it)
    says the blocking is meant (``comment_says_it_blocks``)."""
    line = next(
        (a for a in reversed(context.ancestors) if isinstance(a, cst.SimpleStatementLine)), None
    )
    if line is None:
        return False
    comments = [empty.comment.value for empty in line.leading_lines if empty.comment]
    if line.trailing_whitespace.comment is not None:
        comments.append(line.trailing_whitespace.comment.value)
    callee = context.module.code_for_node(call.func)
    return any(comment_says_it_blocks(comment, callee) for comment in comments)


def _last_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def _mentions_blocking(node: cst.CSTNode) -> bool:
    """Whether a decorator names something for blocking, or passes a string that does
    (``@pytest.mark.usefixtures("deactivate_blockbuster")``)."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Name) and named_for_blocking(current.value):
            return True
        if isinstance(current, cst.SimpleString) and named_for_blocking(current.value):
            return True
        pending.extend(current.children)
    return False
