"""The curated table of async library APIs (``asynclint/data/libraries.toml``).

It says what calling a library's public name returns (a coroutine, an awaitable, an async context
manager, a plain value that is never awaitable, ...), which protocols its classes support, and
what some calls return (a class, a tuple of classes, a container of a class), so that rules know
the common libraries without them being installed and without reading their source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from asynclint import toml
from asynclint.knowledge.kinds import SYNC
from asynclint.toml import read_data_file

# ``plain`` is a ``sync`` call whose result is never awaitable (None, bytes, a number, a dict,
# an object without ``__await__``); ``property`` is an attribute read, not called.
CALL_KINDS = frozenset(
    {
        "coroutine",
        "awaitable",
        "async-context-manager",
        "async-iterator",
        "task",
        "sync",
        "plain",
        "property",
    }
)
PLAIN = "plain"
# The async libraries whose public async API the table lists, class by class: where one is
# not installed, the table stands in for its source when method names are compared.
ASYNC_LIBRARIES = (
    "aiofiles", "aiohttp", "anyio", "asyncpg", "httpx", "motor", "trio", "websockets",
    "redis.asyncio",
)  # fmt: skip


def covered_by_table(module: str) -> bool:
    """Whether ``module`` is (in) one of ``ASYNC_LIBRARIES``."""
    return any(module == name or module.startswith(name + ".") for name in ASYNC_LIBRARIES)


CLASS_PROTOCOLS = frozenset(
    {"async-context-manager", "context-manager", "awaitable", "async-iterator", "iterator"}
)
SECTIONS = ("calls", "classes", "returns", "tuples", "items", "aliases")

T = TypeVar("T")


@dataclass(frozen=True)
class LibraryTable:
    """Facts about library APIs, keyed by fully qualified public names."""

    calls: Mapping[str, str]
    classes: Mapping[str, frozenset[str]]
    returns: Mapping[str, str]
    aliases: Mapping[str, str]
    tuples: Mapping[str, tuple[str, ...]]
    items: Mapping[str, str]

    def canonical(self, qualified: str) -> str:
        """``qualified`` with aliases applied: to the whole name, or else to its longest aliased
        prefix (``redis.asyncio.StrictRedis.get`` -> ``redis.asyncio.Redis.get``)."""
        name = qualified
        for _ in range(len(self.aliases) + 1):  # bounded: a cycle cannot loop forever
            target = self._alias_of(name)
            if target is None:
                break
            name = target
        return name

    def _alias_of(self, name: str) -> str | None:
        if name in self.aliases:
            return self.aliases[name]
        prefix = name
        while "." in prefix:
            prefix = prefix.rpartition(".")[0]
            if prefix in self.aliases:
                return self.aliases[prefix] + name[len(prefix) :]
        return None

    def call_kind(self, qualified: str) -> str | None:
        """What calling ``qualified`` returns (one of ``CALL_KINDS``, with ``plain`` answered
        as ``sync``), or None if unknown."""
        kind = _lookup(self.calls, qualified, self.canonical)
        return SYNC if kind == PLAIN else kind

    def never_awaitable(self, qualified: str) -> bool:
        """Whether the table says that calling ``qualified`` gives a plain value, never an
        awaitable (``json.loads``, ``socket.socket.recv``, ``httpx.Response.json``)."""
        return _lookup(self.calls, qualified, self.canonical) == PLAIN

    def class_protocols(self, qualified: str) -> frozenset[str] | None:
        """The protocols the class ``qualified`` supports, or None if it is not listed."""
        return _lookup(self.classes, qualified, self.canonical)

    def return_type(self, qualified: str) -> str | None:
        """The class a call's result is an instance of (after ``await`` when the call is a
        coroutine or awaitable): the listed one, or the class itself for a listed class
        (``aiohttp.ClientSession()``); None if unknown. For a property: its value's class."""
        listed = _lookup(self.returns, qualified, self.canonical)
        if listed is None and _lookup(self.classes, qualified, self.canonical) is not None:
            return self.canonical(qualified)
        return listed

    def method_kinds(self, module: str) -> dict[str, set[str]]:
        """For a library the table covers (``ASYNC_LIBRARIES``) but the index cannot read (not
        installed where asynclint runs): method name -> the kinds the table lists for it on the
        classes of the module and its submodules (``aiohttp.ClientSession.get`` -> ``get``:
        awaitable)."""
        found: dict[str, set[str]] = {}
        for qualified, kind in self.calls.items():
            owner, _, method = qualified.rpartition(".")
            if owner.startswith(module + ".") and owner.rpartition(".")[2][:1].isupper():
                found.setdefault(method, set()).add(SYNC if kind == PLAIN else kind)
        return found

    def tuple_types(self, qualified: str) -> tuple[str, ...] | None:
        """For a call whose result is a tuple: the class of each item, in order
        (``asyncio.open_connection`` -> StreamReader, StreamWriter); None if unknown."""
        return _lookup(self.tuples, qualified, self.canonical)

    def item_type(self, qualified: str) -> str | None:
        """For a call or property whose result is a container or an iterator: the class of its
        items (``pathlib.Path.iterdir``, ``pathlib.Path.parents`` -> ``pathlib.Path``)."""
        return _lookup(self.items, qualified, self.canonical)


def _lookup(section: Mapping[str, T], qualified: str, canonical: Callable[[str], str]) -> T | None:
    if qualified in section:
        return section[qualified]
    return section.get(canonical(qualified))


@functools.cache
def load_library_table() -> LibraryTable:
    """The table shipped with asynclint, read once."""
    text = read_data_file("libraries.toml")
    return parse_library_table(text)


def parse_library_table(text: str) -> LibraryTable:
    """Build a table from TOML text; ValueError names the first offending key."""
    data = toml.loads(text)
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown section(s) in the library table: {sorted(unknown)}")
    for section in SECTIONS:
        for key in data.get(section, {}):
            if not _is_qualified_name(key):
                raise ValueError(f"[{section}] {key!r} is not a qualified name")
    calls: dict[str, str] = {}
    for key, kind in data.get("calls", {}).items():
        if kind not in CALL_KINDS:
            raise ValueError(f"[calls] {key!r}: {kind!r} is not one of {sorted(CALL_KINDS)}")
        calls[key] = kind
    classes: dict[str, frozenset[str]] = {}
    for key, protocols in data.get("classes", {}).items():
        if not isinstance(protocols, list) or not set(protocols) <= CLASS_PROTOCOLS:
            raise ValueError(
                f"[classes] {key!r}: {protocols!r} is not a list among {sorted(CLASS_PROTOCOLS)}"
            )
        classes[key] = frozenset(protocols)
    tuples: dict[str, tuple[str, ...]] = {}
    for key, items in data.get("tuples", {}).items():
        if not isinstance(items, list) or not all(
            isinstance(item, str) and _is_qualified_name(item) for item in items
        ):
            raise ValueError(f"[tuples] {key!r}: {items!r} is not a list of qualified names")
        tuples[key] = tuple(items)
    return LibraryTable(
        calls=MappingProxyType(calls),
        classes=MappingProxyType(classes),
        returns=MappingProxyType(_names(data, "returns")),
        aliases=MappingProxyType(_names(data, "aliases")),
        tuples=MappingProxyType(tuples),
        items=MappingProxyType(_names(data, "items")),
    )


def _names(data: Mapping[str, Any], section: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for key, value in data.get(section, {}).items():
        if not isinstance(value, str) or not _is_qualified_name(value):
            raise ValueError(f"[{section}] {key!r}: {value!r} is not a qualified name")
        names[key] = value
    return names


def _is_qualified_name(value: str) -> bool:
    return all(part.isidentifier() for part in value.split("."))
