"""The README's generated parts are current, and every rule's page reads as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asynclint.cli import main
from asynclint.docs import CATALOGUE, explain, render_catalogue, render_readme, rules_list
from asynclint.rule import DOC_SECTIONS, Rule
from asynclint.rules import ALL_RULES

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rules_table_and_pages_are_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render_readme(text) == text, "run `python -m asynclint.docs` to regenerate README.md"


def test_the_rule_catalogue_is_current() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert render_catalogue() == text, "run `python -m asynclint.docs` to regenerate it"


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = text.split("```")
    assert "pip install . && asynclint" in blocks[1]
    assert "pip install -e '.[test]' && pytest" in blocks[3]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && pytest" in ci


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_explain_prints_every_section(rule: type[Rule]) -> None:
    result = CliRunner().invoke(main, ["--explain", rule.code.lower()])
    assert result.exit_code == 0
    assert result.output == explain(rule)
    assert result.output.startswith(f"# {rule.code} {rule.name}\n")
    for section in DOC_SECTIONS:
        assert f"\n## {section}\n" in result.output
    assert f"#{rule.code.lower()}-{rule.name}" in README.read_text(encoding="utf-8")


def test_list_rules_names_every_rule() -> None:
    listing = rules_list()
    assert listing.splitlines()[0].split() == ["CODE", "NAME", "DEFAULT", "FIX", "SUMMARY"]
    for rule in ALL_RULES:
        assert any(line.startswith(f"{rule.code}  {rule.name}") for line in listing.splitlines())
