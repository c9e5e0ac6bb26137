"""A rule's findings do not depend on which other rules are selected.

For every rule, on every source it is tested on (its own examples and every fixture, linted
as ``tests/test_rules.py`` and ``tests/test_fixtures.py`` lint them), what the rule reports
when it is selected alone equals what it reports when every rule is selected: same lines,
columns and messages.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import Run, write_tree
from test_fixtures import FIXTURES, _as_library, _variants

import asynclint.index
from asynclint.index import ModuleFact
from asynclint.linter import check_source
from asynclint.rule import Rule
from asynclint.rules import ALL_RULES

Finding = tuple[int, int, int, int, str, str]
EXAMPLE_PATH = "example.py"


def _findings(source: str, path: str, rules: Sequence[type[Rule]]) -> list[Finding]:
    """What ``rules`` report on ``source``, with positions and messages (problems raise)."""
    result = check_source(source, path, rules)
    if result.problems:
        raise AssertionError("; ".join(p.message for p in result.problems))
    return sorted(
        (d.start.line, d.start.column, d.end.line, d.end.column, d.code, d.message)
        for d in result.diagnostics
    )


@pytest.fixture(scope="module", autouse=True)
def _library_summaries_read_once() -> Iterator[None]:
    """Summarise each library module (asyncio, typing ...) once for the whole file, as the
    summary cache on disk does for the command line; otherwise every lint of every rule reads
    them again. A summary is a pure function of the module's source, so nothing else changes."""
    cache = getattr(asynclint.index, "SummaryCache", None)
    if cache is None:
        yield
        return
    summarise = cache.file_summary
    memo: dict[tuple[Path, str, bool], tuple[ModuleFact | None, tuple[int, int] | None]] = {}

    def file_summary(
        self: asynclint.index.SummaryCache, path: Path, name: str, is_package: bool
    ) -> tuple[ModuleFact | None, tuple[int, int] | None]:
        key = (path, name, is_package)
        if key not in memo:
            memo[key] = summarise(self, path, name, is_package)
        return memo[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "file_summary", file_summary)
        yield


@functools.cache
def _with_every_rule(source: str, path: str) -> tuple[Finding, ...]:
    return tuple(_findings(source, path, ALL_RULES))


@functools.cache
def _fixture_sources() -> tuple[tuple[str, str, str], ...]:
    """``(name, source, path)`` of every fixture, in each library variant it runs in."""
    sources = []
    for path in sorted(FIXTURES.rglob("*.py")):
        if path.name.endswith(".fixed.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for library in _variants(text):
            name = f"{path.relative_to(FIXTURES).as_posix()}[{library}]"
            sources.append((name, _as_library(text, library), str(path)))
    return tuple(sources)


def _sources_of(rule: type[Rule]) -> list[tuple[str, str, str]]:
    invalid, valid = rule.examples()
    examples = [
        (f"{rule.code} {kind} example {number}", example.code, EXAMPLE_PATH)
        for kind, items in (("invalid", invalid), ("valid", valid))
        for number, example in enumerate(items)
    ]
    return examples + list(_fixture_sources())


def test_there_are_sources() -> None:
    assert len(_fixture_sources()) >= 5


# AL002 judges the noqa comments of the rules that run with it: its findings depend on the
# selection by design (``tests/test_noqa.py`` tests how).
@pytest.mark.parametrize(
    "rule", [r for r in ALL_RULES if r.code != "AL002"], ids=lambda rule: rule.code
)
def test_findings_do_not_depend_on_the_selection(rule: type[Rule]) -> None:
    differences = []
    for name, source, path in _sources_of(rule):
        every = [f for f in _with_every_rule(source, path) if f[4] == rule.code]
        alone = _findings(source, path, [rule])
        if alone != every:
            only_alone = sorted(set(alone) - set(every))
            only_every = sorted(set(every) - set(alone))
            differences.append(
                f"{name}: reported only when alone {only_alone}, only with every rule {only_every}"
            )
    assert not differences, f"{rule.code} depends on the selection:\n  " + "\n  ".join(differences)


def test_a_blocking_helper_in_another_module_is_found_whatever_the_selection(
    run: Run, project: Path
) -> None:
    write_tree(
        project,
        {
            "app.py": "from helpers import helper\n\n\nasync def main():\n    helper()\n",
            "helpers.py": "import time\n\n\ndef helper():\n    time.sleep(1)\n",
        },
    )
    alone = run("--select", "AL201", ".")
    family = run("--select", "AL2", ".")
    assert alone.stdout == family.stdout
    assert alone.stdout.startswith("app.py:5:5: AL201 `helper()` blocks the event loop")
    assert (alone.exit_code, family.exit_code) == (1, 1)
