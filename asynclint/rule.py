"""The rule contract.

A rule is a small class. It declares a permanent ``code``, a kebab-case ``name``, a one-line
``summary``, a documentation page (its docstring, in the sections users know from ruff's rule
pages), and examples that must fire (``invalid``) and near-misses that must stay silent
(``valid``). The test-suite is generated from the examples, so the documentation cannot drift
away from the behaviour.

Rules look like LibCST visitors (``visit_Call``, ``leave_FunctionDef``) but the engine drives
them: it walks each tree once and calls the methods of every enabled rule, and a rule's
``end_of_scope`` as each scope is left. Rules never read files, parse or print; they look at
nodes, ask the facts they declare in ``requires`` (``self.ask(FACT, node)``, see
``asynclint.facts``), and call ``self.report``.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.engine import Context
from asynclint.facts import Fact, UndeclaredFact, closure, need_index
from asynclint.facts.tests import EXPECTED_TO_FAIL

if TYPE_CHECKING:
    from asynclint.syntax.scopes import Scope

__all__ = ["Context", "Example", "Rule", "check_rule_contract"]

T = TypeVar("T")

CODE_RE = re.compile(r"^AL\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")
_VISITOR_RE = re.compile(r"^(visit|leave)_([A-Za-z]+)$")


@dataclass(frozen=True)
class Example:
    """Source code for a rule's documentation and tests.

    Lines that must be reported end with ``# error: AL201`` (several codes separated by commas);
    every other line must stay silent. ``fixed`` is the expected source after ``--fix
    --unsafe-fixes``, when the rule offers a fix for the example.
    """

    code: str
    fixed: str | None = None


class Rule:
    """Base class of every rule. Subclasses set the class attributes and visitor methods."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    # ``None`` when the rule never offers a fix; otherwise the applicability of its fixes.
    fix_applicability: ClassVar[Applicability | None] = None
    invalid: ClassVar[tuple[Example | str, ...]] = ()
    valid: ClassVar[tuple[Example | str, ...]] = ()
    # False for a rule that runs only when selected by name or family (``--select AL4``,
    # ``extend-select``, ``select = ["AL"]``): its findings are right too rarely on real code
    # for a first run.
    default_enabled: ClassVar[bool] = True
    # True for a rule whose mistake a test may make on purpose: its findings inside
    # ``with pytest.raises(...)`` or ``with self.assertRaises(...)`` are dropped (the AL5xx
    # rules: a test checks that the misuse fails).
    silent_where_expected_to_fail: ClassVar[bool] = False
    # Codes of other tools for the same mistake; ``# noqa: <alias>`` silences this rule too.
    noqa_aliases: ClassVar[tuple[str, ...]] = ()
    # The facts the rule asks (``self.ask``); the engine builds the project index when one
    # of them, or a fact they use, needs it.
    requires: ClassVar[tuple[Fact[Any], ...]] = ()
    # Paragraphs several rules' pages share, as ``(name, text)`` pairs: a line ``<<name>>`` in
    # the docstring stands for the text, written once.
    doc_parts: ClassVar[tuple[tuple[str, str], ...]] = ()

    # Filled in by __init_subclass__: libcst node class name -> method names.
    visitor_methods: ClassVar[dict[str, str]]
    leaver_methods: ClassVar[dict[str, str]]
    # ``requires`` and every fact those use: what ``ask`` answers.
    answerable: ClassVar[frozenset[Fact[Any]]] = frozenset()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.answerable = closure(cls.requires)
        cls.visitor_methods = {}
        cls.leaver_methods = {}
        for attr in dir(cls):
            match = _VISITOR_RE.match(attr)
            if not match:
                continue
            kind, node_name = match.groups()
            node_type = getattr(cst, node_name, None)
            if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                raise TypeError(f"{cls.__name__}.{attr}: libcst has no node type {node_name!r}")
            target = cls.visitor_methods if kind == "visit" else cls.leaver_methods
            target[node_name] = attr

    def __init__(self, context: Context) -> None:
        self.context = context

    def report(self, node: cst.CSTNode, message: str | None = None, fix: Fix | None = None) -> None:
        """Report ``node``; ``message`` defaults to the rule's summary."""
        if self.silent_where_expected_to_fail and self.context.answer(EXPECTED_TO_FAIL, node):
            return
        self.context.add_report(self, node, message or self.summary, fix)

    def ask(self, fact: Fact[T], node: Any) -> T:
        """The answer to one of the rule's ``requires`` about ``node``, shared by the rules."""
        if fact not in self.answerable:
            raise UndeclaredFact(f"{self.code} ({self.name})", fact)
        return self.context.answer(fact, node)

    def end_of_scope(self, scope: Scope) -> None:
        """Called as the walker leaves each scope (module, function, lambda, class body), once
        ``scope.reads`` is complete. Rules that judge a whole scope override it."""

    @classmethod
    def has_end_of_scope(cls) -> bool:
        return cls.end_of_scope is not Rule.end_of_scope

    @classmethod
    def uses_index(cls) -> bool:
        """Whether the rule's facts need the project index (other modules, libraries)."""
        return need_index(cls.requires)

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation page (Markdown), from its docstring and shared parts."""
        page = inspect.cleandoc(cls.__doc__ or "")
        for name, part in cls.doc_parts:
            page = page.replace(f"<<{name}>>", inspect.cleandoc(part))
        return page

    @classmethod
    def section(cls, title: str) -> str:
        """The text of one section of the documentation page ("" when absent)."""
        match = re.search(
            rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", cls.documentation(), re.M | re.S
        )
        return match.group(1).strip() if match else ""

    @classmethod
    def examples(cls) -> tuple[list[Example], list[Example]]:
        def as_example(item: Example | str) -> Example:
            return item if isinstance(item, Example) else Example(item)

        return [as_example(e) for e in cls.invalid], [as_example(e) for e in cls.valid]


def check_rule_contract(rule: type[Rule]) -> list[str]:
    """Everything wrong with a rule class's declaration (empty when it keeps the contract)."""
    problems = []
    if not CODE_RE.match(getattr(rule, "code", "")):
        problems.append("code must be 'AL' followed by three digits")
    if not NAME_RE.match(getattr(rule, "name", "")):
        problems.append("name must be kebab-case")
    if not getattr(rule, "summary", "").strip():
        problems.append("summary is missing")
    doc = rule.documentation()
    positions = [doc.find(f"## {section}") for section in DOC_SECTIONS]
    missing = [s for s, p in zip(DOC_SECTIONS, positions, strict=True) if p < 0]
    if missing:
        problems.append(f"documentation lacks sections: {', '.join(missing)}")
    elif positions != sorted(positions):
        problems.append("documentation sections are out of order")
    invalid, valid = rule.examples()
    if not invalid:
        problems.append("no examples that must fire")
    if not valid:
        problems.append("no examples that must stay silent")
    if any(e.fixed is not None for e in invalid) and rule.fix_applicability is None:
        problems.append("examples show a fix but fix_applicability is None")
    return problems
