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
    covered_by_table,
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
        # "plain" entries are sync calls, and properties are answered as such
        ("json.loads", "sync"),
        ("socket.socket.recv", "sync"),
        ("asyncio.StreamWriter.close", "sync"),
        ("pathlib.Path.parent", "property"),
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


@pytest.mark.parametrize(
    "name",
    [
        "json.loads",
        "socket.socket.recv",
        "threading.Lock.acquire",
        "asyncio.StreamWriter.close",
        "asyncio.AbstractEventLoop.call_soon",
        "asyncio.run_coroutine_threadsafe",
        "concurrent.futures.ThreadPoolExecutor.submit",
        "trio.Nursery.start_soon",
        "httpx.Response.json",
        "aiohttp.ClientResponse.raise_for_status",
        "requests.models.Response.json",  # through an alias
        "pathlib.Path.with_suffix",
    ],
)
def test_plain_calls_are_never_awaitable(table: LibraryTable, name: str) -> None:
    assert table.never_awaitable(name)


@pytest.mark.parametrize(
    "name",
    [
        "asyncio.sleep",
        "asyncio.AbstractEventLoop.create_future",  # a future
        "asyncio.AbstractEventLoop.run_until_complete",  # whatever the coroutine returns
        "asyncio.Future.result",
        "asyncio.Queue.get_nowait",  # an item, perhaps a coroutine
        "asyncio.current_task",
        "redis.asyncio.Redis.pipeline",  # awaiting it is optional
        "aiohttp.ClientResponse.release",  # returns an awaitable no-op
        "anyio.abc.TaskGroup.start_soon",  # a TaskHandle since anyio 4.14
        "anyio.Event.set",  # a DeprecatedAwaitable in anyio 3
        "trio.MemoryReceiveChannel.receive_nowait",
        "somelib.thing",
    ],
)
def test_sync_calls_that_may_give_an_awaitable_are_not_plain(
    table: LibraryTable, name: str
) -> None:
    assert not table.never_awaitable(name)


def test_plain_results_have_no_await(table: LibraryTable) -> None:
    for name, kind in table.calls.items():
        if kind != "plain":
            continue
        for returned in (table.return_type(name), *(table.tuple_types(name) or ())):
            protocols = table.class_protocols(returned) if returned else None
            assert protocols is None or "awaitable" not in protocols, (name, returned)


def test_return_types_for_untyped_code(table: LibraryTable) -> None:
    # a listed class's constructor gives an instance of it, installed or not
    assert table.return_type("aiohttp.ClientSession") == "aiohttp.ClientSession"
    assert table.return_type("httpx.AsyncClient") == "httpx.AsyncClient"
    assert table.return_type("redis.asyncio.StrictRedis") == "redis.asyncio.Redis"
    assert table.return_type("ssl.create_default_context") == "ssl.SSLContext"
    assert table.return_type("socket.create_connection") == "socket.socket"
    assert table.return_type("sqlite3.connect") == "sqlite3.Connection"
    assert table.return_type("builtins.open") == "io.TextIOWrapper"
    for method in ("joinpath", "with_suffix", "with_name", "with_stem", "resolve", "absolute"):
        assert table.return_type(f"pathlib.Path.{method}") == "pathlib.Path", method
    for method in ("expanduser", "relative_to", "cwd", "home", "parent"):
        assert table.return_type(f"pathlib.Path.{method}") == "pathlib.Path", method
    assert table.item_type("pathlib.Path.parents") == "pathlib.Path"
    assert table.item_type("pathlib.Path.iterdir") == "pathlib.Path"
    assert table.tuple_types("asyncio.open_connection") == (
        "asyncio.StreamReader",
        "asyncio.StreamWriter",
    )
    assert table.tuple_types("trio.open_memory_channel") == (
        "trio.MemorySendChannel",
        "trio.MemoryReceiveChannel",
    )
    assert table.tuple_types("asyncio.sleep") is None
    assert table.item_type("asyncio.sleep") is None


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
    for section in (table.calls, table.classes, table.returns, table.tuples, table.items):
        assert not set(section) & set(table.aliases)
    # a class that is also listed as a call: the call kind follows from its protocols
    for name in set(table.calls) & set(table.classes):
        protocols = table.class_protocols(name)
        assert protocols is not None
        if "awaitable" in protocols:
            assert table.calls[name] == "awaitable", name
        else:
            assert table.calls[name] in {
                "async-context-manager",
                "async-iterator",
                "sync",
                "plain",
            }, name
    # a returned type is known to the table: listed as a class, or owning listed methods
    owners = {name.rpartition(".")[0] for name in table.calls}
    returned_types = [
        *table.returns.items(),
        *table.items.items(),
        *((name, item) for name, items in table.tuples.items() for item in items),
    ]
    for name, returned in returned_types:
        assert table.canonical(name) in table.calls or name in table.calls, name
        assert returned in table.classes or returned in owners, (name, returned)
    # what a property gives is read, not called: it is no plain call
    for name, kind in table.calls.items():
        if kind == "property":
            assert name in table.returns or name in table.items, name
    # an alias leads somewhere known
    known = set(table.calls) | set(table.classes) | owners
    for name, target in table.aliases.items():
        assert target in known, (name, target)


def test_every_key_is_a_qualified_name(table: LibraryTable) -> None:
    sections = (table.calls, table.classes, table.returns, table.tuples, table.items)
    for section in (*sections, table.aliases):
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
    with pytest.raises(ValueError, match=re.escape("asyncio.open_connection")):
        parse_library_table('[tuples]\n"asyncio.open_connection" = "asyncio.StreamReader"\n')
    with pytest.raises(ValueError, match=re.escape("pathlib.Path.iterdir")):
        parse_library_table('[items]\n"pathlib.Path.iterdir" = ["pathlib.Path"]\n')


def test_alias_cycle_does_not_hang() -> None:
    cyclic = parse_library_table('[aliases]\n"a.b" = "c.d"\n"c.d" = "a.b"\n')
    assert cyclic.call_kind("a.b.f") is None


def test_table_is_read_only(table: LibraryTable) -> None:
    with pytest.raises(TypeError):
        table.calls["x.y"] = "sync"  # type: ignore[index]


def test_the_table_stands_in_for_the_async_libraries_it_covers(table: LibraryTable) -> None:
    assert covered_by_table("aiohttp") and covered_by_table("aiohttp.web")
    assert covered_by_table("redis.asyncio.client")
    assert not covered_by_table("redis") and not covered_by_table("aiohttp_jinja2")
    methods = table.method_kinds("aiohttp")
    assert methods["request"] == {"awaitable"}  # ClientSession.request
    assert "coroutine" in methods["json"]  # ClientResponse.json
    assert "sync" in methods["raise_for_status"]  # listed plain
    assert table.method_kinds("httpx")["aread"] == {"coroutine"}  # Response.aread
