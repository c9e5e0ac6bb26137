"""The analysis the AL4xx rules judge independence with: effects, resources, iterations."""

from __future__ import annotations

import libcst as cst
import pytest

from asynclint.index import ProjectIndex, summarize
from asynclint.knowledge.concurrency import (
    is_lifecycle_name,
    is_ordered_item_name,
    is_pacing_name,
    is_serial_name,
    is_value_name,
    says_order_matters,
)
from asynclint.rules.loops.iteration import read_iteration
from asynclint.syntax.nodes import used_after

SOURCE = """
import asyncio

CACHE = {}
COUNT = 0


class Hub:
    async def rebinds(self, device):
        self.last = await device.read()

    async def fills(self, device):
        self.seen[device.id] = await device.read()
        self.order.append(device.id)

    async def calls_a_method_that_rebinds(self, device):
        await self.rebinds(device)

    async def no_await(self, device):
        return device.name

    async def stub(self, device): ...

    async def yields(self, device):
        await asyncio.sleep(0)

    async def waits(self, device):
        await asyncio.sleep(device.delay)


async def changes_a_global(key):
    global COUNT
    COUNT += 1
    CACHE[key] = await asyncio.sleep(0)


async def only_locals(key):
    found = {}
    found[key] = 1
    await asyncio.sleep(0)
    return found
"""


@pytest.fixture(scope="module")
def index() -> ProjectIndex:
    return ProjectIndex({"hub": summarize(SOURCE, "hub")})


def test_writes_of_receiver_attributes(index: ProjectIndex) -> None:
    effects = index.call_effects("hub.Hub.rebinds")
    assert effects is not None and effects.writes == {"self.last"}
    filled = index.call_effects("hub.Hub.fills")
    assert filled is not None and filled.writes == {"self.seen[]", "self.order[]"}


def test_writes_are_followed_through_self_calls(index: ProjectIndex) -> None:
    effects = index.call_effects("hub.Hub.calls_a_method_that_rebinds")
    assert effects is not None and "self.last" in effects.writes


def test_global_writes_and_locals(index: ProjectIndex) -> None:
    effects = index.call_effects("hub.changes_a_global")
    assert effects is not None and effects.writes == {"global:COUNT", "global:CACHE"}
    local = index.call_effects("hub.only_locals")
    assert local is not None and local.writes == frozenset()


def test_suspension(index: ProjectIndex) -> None:
    never = index.call_effects("hub.Hub.no_await")
    assert never is not None and not never.suspends
    suspends = index.call_effects("hub.Hub.rebinds")
    assert suspends is not None and suspends.suspends
    assert index.call_effects("hub.Hub.stub") is None  # a placeholder: an override works


def test_pacing(index: ProjectIndex) -> None:
    yields = index.call_effects("hub.Hub.yields")
    waits = index.call_effects("hub.Hub.waits")
    assert yields is not None and not yields.paces  # ``sleep(0)`` lets others run
    assert waits is not None and waits.paces


def test_methods_of_an_unknown_receiver(index: ProjectIndex) -> None:
    effects = index.named_method_effects("rebinds")
    assert effects is not None and "self.last" in effects.writes
    assert index.named_method_effects("no_such_method") is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("conn", True),
        ("self._cursor", True),
        ("ws", True),
        ("job_queue", True),
        ("q", True),
        ("modbus_client", True),
        ("client", False),
        ("self.api", False),
        ("devices", False),
    ],
)
def test_serial_names(path: str, expected: bool) -> None:
    assert is_serial_name(path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [("uid", True), ("user_id", True), ("self.url", True), ("host", True), ("user", False)],
)
def test_value_names(path: str, expected: bool) -> None:
    assert is_value_name(path) is expected


def test_names_of_calls_and_items() -> None:
    assert is_pacing_name("sleep") and is_pacing_name("wait_until_ready")
    assert is_pacing_name("get_next") and is_pacing_name("__aexit__")
    assert not is_pacing_name("fetch_user")
    assert is_lifecycle_name("async_setup") and is_lifecycle_name("connect")
    assert not is_lifecycle_name("get_status")
    assert is_ordered_item_name("event") and is_ordered_item_name("callbacks")
    assert not is_ordered_item_name("device")


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("one at a time: the bridge drops concurrent requests", True),
        ("keep the order", True),
        ("rate limited by the API", True),
        ("always stop existing stream first", False),
        ("setup the players", False),
    ],
)
def test_comments_that_speak_of_order(comment: str, expected: bool) -> None:
    assert says_order_matters(comment) is expected


def _loop(code: str) -> cst.For:
    statement = cst.parse_module(code).body[0]
    assert isinstance(statement, cst.For)
    return statement


@pytest.mark.parametrize(
    "code",
    [
        "for x in xs:\n    y = await f(prev)\n    prev = y\n",  # carried to the next item
        "for x in xs:\n    if x:\n        r = await f(x)\n    out.append(r)\n",  # maybe bound
        "for x in xs:\n    if x in seen:\n        continue\n    seen.add(x)\n    await f(x)\n",
        "for x in xs:\n    self.last = await f(x)\n",  # only the last stays
        "for x in xs:\n    await f(x)\n    break\n",
        "for x in xs:\n    if x.bad:\n        raise ValueError(x)\n    await f(x)\n",
        "for x in xs:\n    x = await f(x)\n",
        "for x in xs:\n    await task\n",
    ],
)
def test_iterations_that_depend_on_each_other(code: str) -> None:
    loop = _loop(code)
    assert read_iteration(loop.body, {"x"}) is None


@pytest.mark.parametrize(
    "code",
    [
        "for x in xs:\n    r = await f(x)\n    out.append(r)\n",
        "for x in xs:\n    try:\n        r = await f(x)\n    except E:\n        continue\n"
        "    out.append(r)\n",
        "for x in xs:\n    total += await f(x)\n",
        "for x in xs:\n    x.state = await f(x)\n",
        "for x in xs:\n    try:\n        await f(x)\n    except E as err:\n"
        "        raise Other(x) from err\n",
    ],
)
def test_independent_iterations(code: str) -> None:
    loop = _loop(code)
    found = read_iteration(loop.body, {"x"})
    assert found is not None and found.awaits


def test_used_after_the_loop() -> None:
    module = cst.parse_module(
        "async def f(xs):\n"
        "    r = None\n"
        "    for x in xs:\n"
        "        r = await g(x)\n"
        "    print(user.r)\n"
        "    for r in other:\n"
        "        print(r)\n"
    )
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    assert isinstance(function.body, cst.IndentedBlock)
    loop = function.body.body[1]
    assert isinstance(loop, cst.For)
    assert not used_after(function, loop, {"r"})  # an attribute, then a new binding
    reads = cst.parse_module(
        "async def f(xs):\n    for x in xs:\n        r = await g(x)\n    return r\n"
    ).body[0]
    assert isinstance(reads, cst.FunctionDef) and isinstance(reads.body, cst.IndentedBlock)
    loop = reads.body.body[0]
    assert isinstance(loop, cst.For)
    assert used_after(reads, loop, {"r"})
