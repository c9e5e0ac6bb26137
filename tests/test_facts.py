"""The facts layer: declared questions, answered once per node, index derived from them."""

from __future__ import annotations

import libcst as cst
import pytest

from asynclint.engine import RuleCrash, lint_module
from asynclint.facts import Fact, UndeclaredFact, fact, need_index
from asynclint.facts.blocking import BLOCKING_CALL
from asynclint.facts.resolution import CALL_KIND, QUALIFIED_NAME, VALUE
from asynclint.rule import Rule
from asynclint.rules import ALL_RULES

CALLS: list[str] = []


@fact("counted-name", uses=(QUALIFIED_NAME,))
def COUNTED(context, node):  # type: ignore[no-untyped-def]
    CALLS.append(cst.Module([]).code_for_node(node))
    return context.answer(QUALIFIED_NAME, node)


def _asking(fact_to_ask: Fact[object], declared: tuple[Fact[object], ...], code: str) -> type:
    class Asks(Rule):
        requires = declared
        name = f"asks-{code.lower()}"
        summary = "asks"

        def visit_Call(self, node: cst.Call) -> None:
            self.ask(fact_to_ask, node.func)

    Asks.code = code
    return Asks


def test_an_undeclared_fact_is_refused() -> None:
    rule = _asking(VALUE, (QUALIFIED_NAME,), "AL990")
    with pytest.raises(RuleCrash) as raised:
        lint_module(cst.parse_module("f()\n"), [rule])
    assert isinstance(raised.value.error, UndeclaredFact)


def test_the_facts_a_declared_fact_uses_may_be_asked_too() -> None:
    rule = _asking(QUALIFIED_NAME, (COUNTED,), "AL991")
    lint_module(cst.parse_module("f()\n"), [rule])


def test_two_rules_share_one_answer_per_node() -> None:
    CALLS.clear()
    first = _asking(COUNTED, (COUNTED,), "AL992")
    second = _asking(COUNTED, (COUNTED,), "AL993")
    lint_module(cst.parse_module("import time\ntime.sleep(1)\nprint(2)\n"), [first, second])
    assert CALLS == ["time.sleep", "print"]


def test_answers_are_not_reused_once_the_bindings_change() -> None:
    """A name rebound between two questions about one node gets a fresh answer."""
    CALLS.clear()
    seen: list[str | None] = []

    class LooksAhead(Rule):
        code = "AL994"
        name = "looks-ahead"
        summary = "asks about a later call early"
        requires = (COUNTED,)
        target: cst.Call

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            statement = node.body.body[-1].body[0]
            self.target = statement.value
            seen.append(self.ask(COUNTED, self.target.func))

        def visit_Call(self, node: cst.Call) -> None:
            if node is self.target:
                seen.append(self.ask(COUNTED, node.func))

    source = "import time\ndef f():\n    import os as time\n    time.sleep(1)\n"
    lint_module(cst.parse_module(source), [LooksAhead])
    assert seen == ["time.sleep", "os.sleep"]


def test_whether_the_index_is_needed_follows_from_the_declarations() -> None:
    assert not need_index([QUALIFIED_NAME])
    assert need_index([CALL_KIND]) and need_index([BLOCKING_CALL])
    assert not _asking(QUALIFIED_NAME, (QUALIFIED_NAME,), "AL995").uses_index()
    for rule in ALL_RULES:
        assert rule.uses_index() == need_index(rule.requires)
