"""One exemption policy for the AL5xx rules: a mistake made on purpose inside
``with pytest.raises(...)`` (or unittest's ``assertRaises``) is not reported.

Every AL5xx rule's own examples are the cases: each line marked ``# error: AL5xx`` that is a
simple statement in a function is wrapped in ``with pytest.raises(Exception):`` (and, again,
in ``with self.assertRaises(TypeError):``), and the rule must fall silent on it.
"""

from __future__ import annotations

import re

import pytest

from asynclint.rule import Example, Rule
from asynclint.rules import ALL_RULES
from asynclint.testing import actual_findings, expected_findings

BRIDGING = [rule for rule in ALL_RULES if rule.code.startswith("AL5")]
_MARKER = re.compile(r"\s*#\s*error:.*$")
_HEADER = re.compile(r"^\s*(async\s+)?(def|class|for|with|while|if|elif|else|try|except|@)\b")


def _wrapped(code: str, line: int, opener: str) -> str | None:
    """``code`` with line ``line`` inside ``opener``, or None when it is not a simple
    statement of a function body."""
    lines = code.splitlines()
    text = lines[line - 1]
    indent = len(text) - len(text.lstrip())
    if indent == 0 or _HEADER.match(text) or text.rstrip().endswith((":", "(", ",", "\\")):
        return None
    body = " " * (indent + 4) + _MARKER.sub("", text.strip())
    lines[line - 1 : line] = [" " * indent + opener, body]
    return "import pytest\n" + "\n".join(lines) + "\n"


def _cases() -> list[pytest.param]:
    cases = []
    for rule in BRIDGING:
        for number, example in enumerate(rule.invalid):
            code = example.code if isinstance(example, Example) else example
            for line, found in expected_findings(code):
                if found == rule.code and _wrapped(code, line, "with x:") is not None:
                    cases.append(pytest.param(rule, code, line, id=f"{rule.code}-{number}-{line}"))
    return cases


@pytest.mark.parametrize(
    "opener", ["with pytest.raises(Exception):", "with self.assertRaises(TypeError):"]
)
@pytest.mark.parametrize(("rule", "code", "line"), _cases())
def test_a_mistake_made_on_purpose_is_silent(
    rule: type[Rule], code: str, line: int, opener: str
) -> None:
    wrapped = _wrapped(code, line, opener)
    assert wrapped is not None
    found = {(at, c) for at, c in actual_findings(wrapped, [rule]) if c == rule.code}
    assert (line + 2, rule.code) not in found, wrapped  # the import and the ``with`` line


def test_every_bridging_rule_is_covered() -> None:
    covered = {case.values[0].code for case in _cases()}
    assert covered == {rule.code for rule in BRIDGING}


HELPER_UNDER_RAISES = """\
import pytest
import trio


async def test_rejects_an_async_function():
    async def async_fn():
        pass

    def thread_fn():
        trio.from_thread.run_sync(async_fn){marker}

    with pytest.raises(TypeError):
        await trio.to_thread.run_sync(thread_fn)
{after}"""


@pytest.mark.parametrize(
    ("after", "reported"),
    [
        ("", False),
        # Used outside `pytest.raises` too: the mistake is not only on purpose.
        ("    await trio.to_thread.run_sync(thread_fn)\n", True),
    ],
)
def test_a_helper_used_only_under_raises_is_silent_too(after: str, reported: bool) -> None:
    code = HELPER_UNDER_RAISES.format(marker="", after=after)
    rule = next(r for r in BRIDGING if r.code == "AL503")
    found = [c for _, c in actual_findings(code, [rule])]
    assert found == (["AL503"] if reported else [])
