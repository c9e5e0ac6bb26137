"""The helpers the AL4xx rules judge independence with."""

from __future__ import annotations

import libcst as cst
import pytest

from asynclint.facts.dependence import depends, paths_read, target_paths
from asynclint.knowledge.names import is_logging_call, is_ordered_receiver, is_read_like


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fetch_user", True),
        ("get", True),
        ("getUser", True),
        ("_load_config", True),
        ("list_orders", True),
        ("save_user", False),
        ("send", False),
        ("create_order", False),
        ("getter_setup", False),
        (None, False),
    ],
)
def test_read_like_names(name: str | None, expected: bool) -> None:
    assert is_read_like(name) is expected


@pytest.mark.parametrize(
    ("receiver", "expected"),
    [
        ("conn", True),
        ("self.db_conn", True),
        ("jobs_queue", True),
        ("q", True),
        ("self._lock", True),
        ("websocket", True),
        ("users_api", False),
        ("self.client", False),
        (None, False),
    ],
)
def test_ordered_receivers(receiver: str | None, expected: bool) -> None:
    assert is_ordered_receiver(receiver) is expected


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
