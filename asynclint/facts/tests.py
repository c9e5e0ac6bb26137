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
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(ancestor, cst.With) and expects_an_error(context, ancestor):
            return True
    return False


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
