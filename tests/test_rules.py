"""Tests generated from every rule's documented examples, and the rule contract itself."""

from __future__ import annotations

import pytest

from asynclint.rule import Example, Rule, check_rule_contract
from asynclint.rules import ALL_RULES
from asynclint.testing import actual_findings, expected_findings, fixed_source


def _cases(kind: str) -> list[pytest.param]:
    cases = []
    for rule in ALL_RULES:
        invalid, valid = rule.examples()
        for index, example in enumerate(invalid if kind == "invalid" else valid):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}"))
    return cases


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_keeps_the_contract(rule: type[Rule]) -> None:
    assert check_rule_contract(rule) == []


def test_codes_and_names_are_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


@pytest.mark.parametrize(("rule", "example"), _cases("invalid"))
def test_invalid_example_fires(rule: type[Rule], example: Example) -> None:
    expected = expected_findings(example.code)
    assert expected, "an example that must fire needs an `# error:` marker"
    assert {code for _, code in expected} == {rule.code}
    assert actual_findings(example.code, [rule]) == expected


@pytest.mark.parametrize(("rule", "example"), _cases("valid"))
def test_valid_example_stays_silent(rule: type[Rule], example: Example) -> None:
    assert expected_findings(example.code) == []
    assert actual_findings(example.code, [rule]) == []


@pytest.mark.parametrize(
    ("rule", "example"),
    [p for p in _cases("invalid") if p.values[1].fixed is not None],
)
def test_example_fix(rule: type[Rule], example: Example) -> None:
    assert example.fixed is not None
    # The marker comment stays in the source, so compare without it.
    fixed = fixed_source(example.code, [rule])
    without_markers = "\n".join(line.split("  # error:")[0] for line in fixed.splitlines()) + "\n"
    assert without_markers == example.fixed
    assert fixed_source(example.fixed, [rule]) == example.fixed, "the fix is not idempotent"


def test_a_broken_contract_is_detected() -> None:
    class Sloppy(Rule):
        """Nothing here."""

        code = "X1"
        name = "Not_Kebab"
        summary = ""

    problems = check_rule_contract(Sloppy)
    assert len(problems) == 6
