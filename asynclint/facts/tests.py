"""Whether code makes a mistake on purpose: a test that expects it to fail."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.resolution import QUALIFIED_NAME

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
