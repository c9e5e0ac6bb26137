"""The code on each rule's documentation page does what the page says.

Every ```python block under "Example" must be reported by the rule at least once; every block
under "Use instead" must not be. Blocks are linted as the rules' own examples are: one module
on its own, with the library index available.
"""

from __future__ import annotations

import re

import pytest

from asynclint.linter import ModuleContext, check_source
from asynclint.rule import Rule
from asynclint.rules import ALL_RULES

PATH = "example.py"
_BLOCK = re.compile(r"^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.M | re.S)
EXAMPLE, USE_INSTEAD = "Example", "Use instead"

# Blocks known not to do what their page says: (code, section, number) -> reason.
KNOWN_FAILURES: dict[tuple[str, str, int], str] = {}


def python_blocks(text: str) -> list[str]:
    """The fenced ```python blocks of a Markdown text, in order."""
    return [match.group("code") for match in _BLOCK.finditer(text)]


def _cases() -> list[pytest.param]:
    cases = []
    for rule in ALL_RULES:
        for section in (EXAMPLE, USE_INSTEAD):
            for number, code in enumerate(python_blocks(rule.section(section))):
                key = (rule.code, section, number)
                marks = []
                if key in KNOWN_FAILURES:
                    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[key])]
                slug = section.lower().replace(" ", "-")
                cases.append(
                    pytest.param(
                        rule, section, code, marks=marks, id=f"{rule.code}-{slug}-{number}"
                    )
                )
    return cases


def _codes_reported(code: str, rule: type[Rule]) -> list[tuple[int, str]]:
    """``(line, code)`` of what ``rule`` reports on the block, as a module of its own."""
    try:
        compile(code, PATH, "exec", dont_inherit=True)
    except SyntaxError as error:
        pytest.fail(f"the block is not a complete module: {error.msg} (line {error.lineno})")
    # AL002 judges the comments of the rules that ran with it: its page assumes the others.
    rules = list(ALL_RULES) if rule.code == "AL002" else [rule]
    result = check_source(code, PATH, rules, where=ModuleContext.alone(code, PATH))
    if result.problems:
        pytest.fail("; ".join(p.message for p in result.problems))
    return sorted((d.start.line, d.code) for d in result.diagnostics)


def test_the_blocks_are_found() -> None:
    text = "Intro\n\n```python\nimport time\n```\n\n```toml\n[x]\n```\n\n```python\npass\n```\n"
    assert python_blocks(text) == ["import time\n", "pass\n"]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_page_shows_both_sides(rule: type[Rule]) -> None:
    assert python_blocks(rule.section(EXAMPLE)), f"{rule.code}: no ```python block in Example"
    assert python_blocks(rule.section(USE_INSTEAD)), (
        f"{rule.code}: no ```python block in Use instead"
    )


@pytest.mark.parametrize(("rule", "section", "code"), _cases())
def test_documented_code_behaves_as_documented(rule: type[Rule], section: str, code: str) -> None:
    found = [line for line, reported in _codes_reported(code, rule) if reported == rule.code]
    if section == EXAMPLE:
        assert found, f"{rule.code} reports nothing on its page's example:\n{code}"
    else:
        assert not found, f"{rule.code} reports lines {found} of the code its page recommends"
