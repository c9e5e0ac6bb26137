"""Every file under ``fixtures/``: the lines marked ``# error: CODE`` are reported, no other
line is, and ``name.fixed.py`` is what ``--fix --unsafe-fixes`` makes of ``name.py``.

A fixture whose first line is ``# variants: asyncio, trio, anyio`` also runs with ``asyncio``
replaced by each other library named there, as users of each would write it. A fixture with
``# untyped-twin`` in its header (the comment lines it starts with) must give the same findings
with every annotation removed, as most application code is written.

Folders under ``fixtures/projects/`` are projects of several modules: ``test_project_fixtures``
lints them whole. AL002 (unused ``# noqa`` codes, off by default) runs on the fixtures of
``fixtures/AL002/`` only: the others' comments were written for the rules they show.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asynclint.rule import Rule
from asynclint.rules import ALL_RULES
from asynclint.testing import (
    actual_findings,
    expected_findings,
    fixed_source,
    has_untyped_twin,
    strip_annotations,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECTS = FIXTURES / "projects"
_VARIANTS = re.compile(r"^# variants:\s*(?P<names>[\w, ]+)$")


def _rules(path: Path) -> list[type[Rule]]:
    if path.parent.name == "AL002":
        return list(ALL_RULES)
    return [rule for rule in ALL_RULES if rule.code != "AL002"]


def _variants(source: str) -> list[str]:
    first_line = source.split("\n", 1)[0]
    match = _VARIANTS.match(first_line)
    if not match:
        return ["asyncio"]
    return [name.strip() for name in match.group("names").split(",") if name.strip()]


def _as_library(source: str, library: str) -> str:
    """The fixture as a user of ``library`` would write it (the header line kept)."""
    header, _, body = source.partition("\n")
    return header + "\n" + re.sub(r"\basyncio\b", library, body)


def _cases() -> list[pytest.param]:
    cases = []
    for path in sorted(FIXTURES.rglob("*.py")):
        if path.name.endswith(".fixed.py") or PROJECTS in path.parents:
            continue
        for library in _variants(path.read_text(encoding="utf-8")):
            name = f"{path.relative_to(FIXTURES).as_posix()}[{library}]"
            cases.append(pytest.param(path, library, id=name))
    return cases


def test_there_are_fixtures() -> None:
    assert len(_cases()) >= 5


@pytest.mark.parametrize(("path", "library"), _cases())
def test_fixture_findings(path: Path, library: str) -> None:
    source = _as_library(path.read_text(encoding="utf-8"), library)
    assert actual_findings(source, _rules(path), str(path)) == expected_findings(source)


def _twin_cases() -> list[pytest.param]:
    return [case for case in _cases() if has_untyped_twin(case.values[0].read_text("utf-8"))]


@pytest.mark.parametrize(("path", "library"), _twin_cases())
def test_untyped_twin_findings(path: Path, library: str) -> None:
    source = _as_library(path.read_text(encoding="utf-8"), library)
    untyped = strip_annotations(source)
    assert untyped != source, f"{path.name} has no annotation to remove"
    assert actual_findings(untyped, _rules(path), str(path)) == expected_findings(source)


@pytest.mark.parametrize(("path", "library"), _cases())
def test_fixture_fixes(path: Path, library: str) -> None:
    source = _as_library(path.read_text(encoding="utf-8"), library)
    expected_path = path.with_name(path.name[: -len(".py")] + ".fixed.py")
    fixed = fixed_source(source, _rules(path), str(path))
    if not expected_path.exists():
        assert fixed == source, f"{path.name} is fixable: add {expected_path.name}"
        return
    expected = _as_library(expected_path.read_text(encoding="utf-8"), library)
    assert fixed == expected
    assert fixed_source(fixed, _rules(path), str(path)) == fixed, "fixing again changed the code"
    compile(fixed, str(expected_path), "exec")
