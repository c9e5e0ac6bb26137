"""Which modules of the project mention a name: what answers about the whole project start from.

An answer about the whole project (the call sites of a function, the classes deriving from a
class, the methods named ``save`` ...) needs only the modules that mention the name asked
about. Each summary's entries (``name_entries``) say which names it mentions, and how: as the
last part of a callee (``call``), of a name read as a value (``ref``), of a base class
(``base``, and the base in full as ``basefull``), as an attribute read as a value (``attr``),
as a method or data attribute a class defines (``method``), as a private callee (``private``),
or as the target of an alias (``alias``: ``from .impl import fetch as get`` is an entry
``alias fetch``, since the module calls ``fetch`` by another name). A name reaches a definition
under its own last part or under an alias of it, so the modules so found are all the ones an
answer can come from.

The cache store keeps the entries beside the summaries (``Store.names_with``); ``NameTable``
reads them from there for the summaries it did not make, and makes them for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from asynclint.index.model import ModuleFact
from asynclint.index.store import Store

CALL = "call"
REF = "ref"
ATTR = "attr"
BASE = "base"
BASE_FULL = "basefull"
METHOD = "method"
PRIVATE = "private"
ALIAS = "alias"
# The ``call`` entry of ``self.m()`` (``@pkg.mod.Class.m``) and of ``x.m()`` (``?.m``) is ``m``.
_CALLEE_MARKS = ("@", "?.")


def last_part(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def entry(kind: str, name: str) -> str:
    return f"{kind}\0{name}"


def name_entries(fact: ModuleFact) -> list[str]:
    """The names a module's summary mentions, as ``kind\\0name`` entries (sorted)."""
    found: set[str] = set()
    for site in fact.call_sites:
        found.add(entry(CALL, last_part(site[0])))
    found.update(entry(REF, last_part(used)) for used in fact.name_refs)
    found.update(entry(ATTR, name) for name in fact.attribute_refs)
    for klass in [*fact.classes.values(), *fact.local_classes]:
        for base in klass.bases:
            if base:
                found.add(entry(BASE, last_part(base)))
                found.add(entry(BASE_FULL, base))
        found.update(entry(METHOD, name) for name in klass.methods)
        found.update(entry(METHOD, name) for name in (*klass.data, *klass.attributes))
    functions = list(fact.functions.values())
    for klass in fact.classes.values():
        functions.extend(klass.methods.values())
    for function in functions:
        for called in function.calls:
            if last_part(called).startswith("_"):
                found.add(entry(PRIVATE, last_part(called)))
    found.update(entry(PRIVATE, last_part(used)) for used in fact.loose_private)
    for local, target in fact.names.items():
        if target and local != last_part(target):
            found.add(entry(ALIAS, last_part(target)))
    return sorted(found)


class NameTable:
    """The project's modules by the entries of their summaries.

    ``in_memory`` are the modules whose summaries this run holds (made by it, or given), with
    their entries. ``stored`` are the others, by summary key, with the store that holds their
    entries; ``load`` reads a module's summary when a store cannot answer."""

    def __init__(
        self,
        in_memory: Iterable[tuple[str, list[str]]],
        stored: Iterable[tuple[str, str, Store]] = (),
        load: Callable[[str], ModuleFact | None] = lambda name: None,
    ) -> None:
        self._memory: dict[str, set[str]] = {}
        for name, entries in in_memory:
            for item in entries:
                self._memory.setdefault(item, set()).add(name)
        # Each store, with the module name of each of its keys.
        self._stores: dict[Store, dict[str, str]] = {}
        for name, key, store in stored:
            self._stores.setdefault(store, {})[key] = name
        self._load = load
        self._found: dict[str, tuple[str, ...]] = {}

    def _add(self, name: str, fact: ModuleFact | None) -> None:
        for item in name_entries(fact) if fact is not None else ():
            self._memory.setdefault(item, set()).add(name)

    def modules_with(self, kind: str, names: Iterable[str]) -> list[str]:
        """The modules whose summaries mention any of ``names`` as ``kind``, sorted."""
        wanted = [entry(kind, name) for name in names]
        missing = [item for item in wanted if item not in self._found]
        if missing:
            self._look_up(missing)
        found: set[str] = set()
        for item in wanted:
            found.update(self._found[item])
        return sorted(found)

    def mentioned(self, kind: str) -> list[str]:
        """The names some module mentions as ``kind`` (a store may add names of summaries
        that are no longer the project's: ``modules_with`` tells)."""
        prefix = entry(kind, "")
        found = {item[len(prefix) :] for item in self._memory if item.startswith(prefix)}
        for store in list(self._stores):
            names = store.names_of_kind(prefix)
            if names is None:
                self._read_back(store)
                return self.mentioned(kind)
            found.update(names)
        return sorted(found)

    def _look_up(self, items: list[str]) -> None:
        found: dict[str, set[str]] = {item: set(self._memory.get(item, ())) for item in items}
        for store, names in list(self._stores.items()):
            rows = store.names_with(items)
            if rows is None:
                self._read_back(store)
                return self._look_up(items)
            for item, keys in rows.items():
                found[item].update(names[key] for key in keys if key in names)
        for item in items:
            self._found[item] = tuple(sorted(found[item]))

    def _read_back(self, store: Store) -> None:
        """A store that cannot answer: the entries of its modules are made here instead."""
        for name in self._stores.pop(store).values():
            self._add(name, self._load(name))
        self._found.clear()
