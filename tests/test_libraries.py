"""The curated table of async library APIs: it loads, it is consistent, and well-known facts hold.

None of these tests needs the libraries themselves; ``tests/check_library_table.py`` is the tool
that compares the table with their source.
"""

from __future__ import annotations

import re

import pytest

from asynclint.knowledge.libraries import (
    CALL_KINDS,
    CLASS_PROTOCOLS,
    LibraryTable,
    load_library_table,
    parse_library_table,
)


@pytest.fixture(scope="module")
def table() -> LibraryTable:
    return load_library_table()


def test_table_loads_once(table: LibraryTable) -> None:
    assert load_library_table() is table
    assert len(table.calls) > 300
    assert table.classes and table.returns and table.aliases


def test_kinds_are_valid(table: LibraryTable) -> None:
    assert set(table.calls.values()) <= CALL_KINDS
    assert all(protocols <= CLASS_PROTOCOLS for protocols in table.classes.values())
    assert set(table.calls.values()) == CALL_KINDS  # every kind is used


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("asyncio.sleep", "coroutine"),
        ("asyncio.gather", "awaitable"),
        ("asyncio.create_task", "task"),
        ("asyncio.timeout", "async-context-manager"),
        ("asyncio.run", "sync"),
        ("asyncio.Queue.put_nowait", "sync"),
        ("asyncio.StreamWriter.drain", "coroutine"),
        ("asyncio.StreamWriter.write", "sync"),
        ("asyncio.AbstractEventLoop.run_in_executor", "awaitable"),
        ("asyncio.AbstractEventLoop.sock_recv", "coroutine"),
        ("trio.sleep", "coroutine"),
        ("trio.open_nursery", "async-context-manager"),
        ("trio.move_on_after", "sync"),
        ("anyio.to_thread.run_sync", "coroutine"),
        ("anyio.create_task_group", "async-context-manager"),
        ("aiohttp.ClientSession.get", "awaitable"),
        ("aiohttp.ClientResponse.json", "coroutine"),
        ("httpx.AsyncClient.get", "coroutine"),
        ("httpx.AsyncClient.stream", "async-context-manager"),
        ("httpx.Response.aiter_bytes", "async-iterator"),
        ("httpx.Response.json", "sync"),
        ("asyncpg.connect", "coroutine"),
        ("asyncpg.Pool.acquire", "awaitable"),
        ("redis.asyncio.Redis.get", "coroutine"),
        ("redis.asyncio.Redis.pipeline", "sync"),
        ("redis.asyncio.client.Pipeline.execute", "coroutine"),
        ("redis.asyncio.client.PubSub.listen", "async-iterator"),
        ("motor.motor_asyncio.AsyncIOMotorCollection.find", "sync"),
        ("motor.motor_asyncio.AsyncIOMotorCollection.find_one", "coroutine"),
        ("aiofiles.open", "awaitable"),
        ("aiofiles.os.remove", "coroutine"),
        ("websockets.asyncio.client.connect", "awaitable"),
        ("websockets.asyncio.client.ClientConnection.recv", "coroutine"),
    ],
)
def test_well_known_calls(table: LibraryTable, name: str, kind: str) -> None:
    assert table.call_kind(name) == kind


def test_well_known_classes_and_returns(table: LibraryTable) -> None:
    assert table.class_protocols("asyncio.Lock") == {"async-context-manager"}
    assert table.class_protocols("asyncio.Event") == frozenset()
    assert table.class_protocols("asyncio.Future") == {"awaitable"}
    assert table.class_protocols("httpx.AsyncClient") == {"async-context-manager"}
    assert table.return_type("asyncpg.connect") == "asyncpg.Connection"
    assert table.return_type("aiohttp.ClientSession.get") == "aiohttp.ClientResponse"
    assert table.return_type("asyncio.get_running_loop") == "asyncio.AbstractEventLoop"


def test_aliases_resolve_whole_names_and_class_prefixes(table: LibraryTable) -> None:
    assert table.canonical("redis.asyncio.StrictRedis") == "redis.asyncio.Redis"
    assert table.class_protocols("redis.asyncio.StrictRedis") == {
        "async-context-manager",
        "awaitable",
    }
    # a method reached through an aliased class
    assert table.call_kind("redis.asyncio.StrictRedis.get") == "coroutine"
    assert table.call_kind("redis.asyncio.client.StrictRedis.pipeline") == "sync"
    assert table.return_type("redis.asyncio.StrictRedis.pipeline") == (
        "redis.asyncio.client.Pipeline"
    )
    # an aliased function
    assert table.call_kind("websockets.connect") == "awaitable"
    assert table.return_type("websockets.connect") == "websockets.asyncio.client.ClientConnection"


def test_unknown_names_give_none(table: LibraryTable) -> None:
    assert table.call_kind("asyncio.no_such_function") is None
    assert table.call_kind("somelib.thing") is None
    assert table.class_protocols("asyncio.sleep") is None
    assert table.return_type("asyncio.sleep") is None
    assert table.canonical("somelib.thing") == "somelib.thing"


def test_sections_agree(table: LibraryTable) -> None:
    # an alias stands for another name: it is not also listed itself
    for section in (table.calls, table.classes, table.returns):
        assert not set(section) & set(table.aliases)
    # a class that is also listed as a call: the call kind follows from its protocols
    for name in set(table.calls) & set(table.classes):
        protocols = table.class_protocols(name)
        assert protocols is not None
        if "awaitable" in protocols:
            assert table.calls[name] == "awaitable", name
        else:
            assert table.calls[name] in {"async-context-manager", "async-iterator", "sync"}, name
    # a returned type is known to the table: listed as a class, or owning listed methods
    owners = {name.rpartition(".")[0] for name in table.calls}
    for name, returned in table.returns.items():
        assert table.canonical(name) in table.calls or name in table.calls, name
        assert returned in table.classes or returned in owners, (name, returned)
    # an alias leads somewhere known
    known = set(table.calls) | set(table.classes) | owners
    for name, target in table.aliases.items():
        assert target in known, (name, target)


def test_every_key_is_a_qualified_name(table: LibraryTable) -> None:
    for section in (table.calls, table.classes, table.returns, table.aliases):
        for name in section:
            parts = name.split(".")
            assert len(parts) >= 2 and all(part.isidentifier() for part in parts), name


def test_invalid_kind_names_the_key() -> None:
    with pytest.raises(ValueError, match=re.escape("asyncio.sleep")):
        parse_library_table('[calls]\n"asyncio.sleep" = "coro"\n')
    with pytest.raises(ValueError, match=re.escape("asyncio.Lock")):
        parse_library_table('[classes]\n"asyncio.Lock" = ["async-cm"]\n')
    with pytest.raises(ValueError, match=re.escape("asyncio.Lock")):
        parse_library_table('[classes]\n"asyncio.Lock" = "async-context-manager"\n')
    with pytest.raises(ValueError, match=re.escape("asyncpg.connect")):
        parse_library_table('[returns]\n"asyncpg.connect" = "not a name"\n')
    with pytest.raises(ValueError, match="misc"):
        parse_library_table('[misc]\n"a.b" = "c.d"\n')


def test_alias_cycle_does_not_hang() -> None:
    cyclic = parse_library_table('[aliases]\n"a.b" = "c.d"\n"c.d" = "a.b"\n')
    assert cyclic.call_kind("a.b.f") is None


def test_table_is_read_only(table: LibraryTable) -> None:
    with pytest.raises(TypeError):
        table.calls["x.y"] = "sync"  # type: ignore[index]
