"""The helpers the AL4xx rules judge independence with."""

from __future__ import annotations

import libcst as cst
import pytest

from asynclint.facts.dependence import depends, paths_read, target_paths
from asynclint.knowledge.names import is_logging_call


@pytest.mark.parametrize(
    ("receiver", "method", "expected"),
    [
        ("logger", "info", True),
        ("self.logger", "info", True),
        ("self._log", "debug", True),
        ("logging", "warning", True),
        (None, "print", True),
        ("self.cache", "put", False),
        (None, "fetch", False),
    ],
)
def test_logging_calls(receiver: str | None, method: str, expected: bool) -> None:
    assert is_logging_call(receiver, method) is expected


def test_paths_and_dependence() -> None:
    call = cst.parse_expression("fetch(self.cache.get(key), user)")
    read = paths_read(call)
    assert {"self", "self.cache", "self.cache.get", "key", "user", "fetch"} <= read
    assert target_paths(cst.parse_expression("self.cache[key]")) == {"self.cache"}
    assert target_paths(cst.parse_expression("(a, b)")) == {"a", "b"}
    assert depends(read, {"self.cache"})
    assert depends({"self"}, {"self.cache"})  # ``self`` passed on reaches ``self.cache``
    assert not depends(read, {"orders"})
