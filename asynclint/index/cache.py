"""The summary cache: module summaries on disk, keyed by what decides their content.

An entry's key hashes the module's source and name with ``summary_version()``, a digest of the
source of the modules that make a summary (``summarise``, the facts it fills in, and the
knowledge it reads, with the data files that knowledge loads), so a change to any of them
invalidates the cache by itself.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import marshal
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asynclint.index.locate import is_project_root
from asynclint.index.model import ModuleFact
from asynclint.index.names import NameTable, name_entries
from asynclint.index.store import (
    Store,
    decode_summary,
    encode_summary,
    file_digest,
    read_regular,
)
from asynclint.index.summarise import summarize
from asynclint.toml import read_data_file

# Where summarising starts; the asynclint modules it imports (transitively) count too.
_SUMMARY_ROOT = "asynclint.index.summarise"
# The data summarising reads: which calls keep from blocking with which arguments.
_SUMMARY_DATA = ("blocking.toml",)


@functools.cache
def summary_version() -> str:
    """A digest of what decides a summary's content, computed once per process: the source of
    ``summarise`` and of every asynclint module it imports, directly or not (the facts'
    dataclasses, ``absolute_module``, the kinds and names it records), the Python version
    (its ``ast`` and its builtins), LibCST's (the newer syntax it reads), and the data files it
    reads."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"python {sys.version_info[0]}.{sys.version_info[1]}".encode())
    # Source in newer syntax is read through LibCST (``downgrade``): its grammar counts too.
    digest.update(f"\0libcst {importlib.metadata.version('libcst')}".encode())
    for name in summary_modules():
        digest.update(f"\0{name}\0".encode())
        digest.update(_module_source(name))
    for data in _SUMMARY_DATA:
        digest.update(f"\0{data}\0{read_data_file(data)}".encode())
    return digest.hexdigest()


def summary_modules() -> list[str]:
    """``asynclint.index.summarise`` and the asynclint modules it imports, transitively."""
    found: list[str] = []
    pending = [_SUMMARY_ROOT]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.append(name)
        pending.extend(_asynclint_imports(_module_source(name)))
    return sorted(found)


def _asynclint_imports(source: bytes) -> list[str]:
    """The asynclint modules a module's source imports (``from asynclint.x import y`` names
    the module ``asynclint.x.y`` when that is one, else ``asynclint.x``). Import statements
    are found by their lines, nested ones included, without parsing the module (which would
    cost more than the rest of a warm run's start): a line in a string that reads like an
    import only adds a module to the digest."""
    names: list[str] = []
    for match in _IMPORT_LINE.finditer(source.decode("utf-8", "replace")):
        module, imported, plain = match.groups()
        if plain is not None:
            names.extend(_imported_names(plain))
            continue
        for name in _imported_names(imported.strip("()")):
            submodule = f"{module}.{name}"
            names.append(submodule if _is_module(submodule) else module)
    return [name for name in names if name.split(".", 1)[0] == "asynclint"]


# An import statement's line (a parenthesised list may span lines): ``from`` module and
# names, or ``import``'s names.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)"
    r"|import[ \t]+([^\n#;]*))",
    re.MULTILINE,
)


def _imported_names(text: str) -> list[str]:
    """The names of an import list (``a.b as c, d``: ``a.b``, ``d``)."""
    names = []
    for part in re.sub(r"#[^\n]*", "", text).split(","):
        words = part.split()
        if words and words[0] != "*":
            names.append(words[0])
    return names


def _is_module(name: str) -> bool:
    """Whether ``name`` is a module, found without running any module but packages above it:
    ``find_spec`` imports a dotted name's parent, and ``downgrade`` (say) would load LibCST."""
    parent = name.rpartition(".")[0]
    try:
        if parent:
            found = importlib.util.find_spec(parent)
            if found is None or found.submodule_search_locations is None:
                return False  # a plain module has no submodules
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _module_source(name: str) -> bytes:
    """A module's source as installed (its compiled code where no source is shipped)."""
    spec = importlib.util.find_spec(name)
    loader = spec.loader if spec is not None else None
    get_source = getattr(loader, "get_source", None)
    source = get_source(name) if get_source is not None else None
    if source is not None:
        return source.encode()
    get_code = getattr(loader, "get_code", None)
    code = get_code(name) if get_code is not None else None
    if code is None:
        raise ImportError(f"no source or code for {name}, which summaries depend on")
    return marshal.dumps(code)


@dataclass
class Trace:
    """What checking one file asked of the index: its findings can change only when an answer
    to one of these questions does."""

    # Every module name asked for (of the project or not).
    modules: set[str] = field(default_factory=set)
    # The library files read for those: path -> (size, modification time).
    libraries: dict[str, tuple[int, int]] = field(default_factory=dict)
    # The answers that came from tables about the whole project (who calls a function, which
    # classes define a method ...; ``ProjectIndex.answer``): "kind\0key" -> digest.
    answers: dict[str, str] = field(default_factory=dict)
    # Whether an answer depended on which top-level packages the project has.
    packages: bool = False


class SummaryCache:
    """Summaries in the cache store of ``directory`` (none without one), keyed by the digest
    of the source, the module's name, and ``summary_version()``."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.store = Store(directory, summary_version() if directory is not None else "")

    def __getstate__(self) -> dict[str, object]:
        return {"directory": self.directory}

    def __setstate__(self, state: dict[str, Path | None]) -> None:
        self.__init__(state["directory"])  # type: ignore[misc]

    @staticmethod
    def key_of(digest: str, name: str, is_package: bool) -> str:
        """The entry of a module's summary: its source's digest, its name, and what
        summarising is."""
        key = f"{digest}\0{name}\0{is_package}\0{summary_version()}"
        return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()

    @classmethod
    def key(cls, data: bytes, name: str, is_package: bool) -> str:
        return cls.key_of(file_digest(data), name, is_package)

    def load(self, key: str, path: Path | str | None = None) -> ModuleFact | None:
        """The stored summary of ``key`` (made from the file at ``path``), or None. An entry
        that is not what was written, or not of a summary's shape, is never used: it is
        dropped (to be made anew), with one line on standard error."""
        blob = self.store.summary(key)
        if blob is None:
            return None
        data = decode_summary(blob)
        try:
            if data is not None:
                return ModuleFact.from_json(data)
        except (ValueError, KeyError, TypeError):
            pass
        self.store.forget_summary(key)
        where = f"the summary of {path}" if path is not None else "a summary"
        print(
            f"asynclint: {where} in the cache store {self.store.path} was damaged; it is made anew",
            file=sys.stderr,
        )
        return None

    def save(self, rows: list[tuple[str, Path, ModuleFact, bytes | None]]) -> None:
        """Store (key, the file it was made from, summary, its encoding if made already)
        rows."""
        self.store.store_summaries(
            [
                (
                    key,
                    str(path),
                    fact.readable,
                    text or encode_summary(fact.to_json()),
                    name_entries(fact),
                )
                for key, path, fact, text in rows
            ]
        )

    def summary(self, data: bytes, name: str, is_package: bool) -> ModuleFact:
        """The summary of source ``data``, from the store or made (and stored)."""
        key = self.key(data, name, is_package)
        fact = self.load(key)
        if fact is None:
            fact = summarize(data, name, is_package)
            self.save([(key, Path(name), fact, None)])
        return fact

    def file_summary(
        self, path: Path, name: str, is_package: bool
    ) -> tuple[ModuleFact | None, tuple[int, int] | None]:
        """The summary of the file at ``path`` (its digest read through the stat fast path)
        and the size and modification time it had; (None, None) if it cannot be read."""
        try:
            status = path.stat()
        except OSError:
            return None, None
        digests, _ = self.store.digests([path])
        digest = digests.get(path)
        if digest is None:
            return None, None
        key = self.key_of(digest, name, is_package)
        fact = self.load(key, path)
        if fact is None:
            try:
                data = read_regular(path)
            except OSError:
                return None, None
            fact = summarize(data, name, is_package)
            if file_digest(data) == digest:
                self.save([(key, path, fact, None)])
        return fact, (status.st_size, status.st_mtime_ns)


def encoded_summary(item: tuple[bytes, str, bool]) -> bytes:
    """The summary of (source, module name, whether a package) as the store keeps it: what
    worker processes hand back (bytes are cheaper to send than objects)."""
    return encode_summary(summarize(*item).to_json())


def decoded_summary(text: bytes) -> ModuleFact:
    data = decode_summary(text)
    if data is None:
        raise ValueError("not a summary")
    return ModuleFact.from_json(data)


# Stands for a module name two files of different content claim: no import reaches either.
COLLIDING = "#colliding"


@dataclass
class StoredModules:
    """The project's modules by name, each with the key of its summary (``COLLIDING`` for a
    name two files claim) and the cache it is in; summaries are read when first asked for."""

    keys: dict[str, str] = field(default_factory=dict)
    # Each module's file, whether it is a package ``__init__``, and the cache of its project.
    sources: dict[str, tuple[Path, bool, SummaryCache]] = field(default_factory=dict)
    # Summaries made by this run, as the store keeps them (encoded: a fraction of the memory
    # of the objects, which are made when a question needs them), and the names each mentions.
    made: dict[str, bytes] = field(default_factory=dict)
    entries: dict[str, list[str]] = field(default_factory=dict)

    def add_made(self, name: str, text: bytes) -> ModuleFact:
        """Keep a summary this run made (encoded); the summary itself, for a look."""
        fact = decoded_summary(text)
        self.made[name] = text
        self.entries[name] = [sys.intern(item) for item in name_entries(fact)]
        return fact

    def forget_made(self, name: str) -> None:
        """Stop holding a summary this run made, now that its store holds it."""
        self.made.pop(name, None)
        self.entries.pop(name, None)

    def load(self, name: str) -> ModuleFact | None:
        if name in self.made:
            return decoded_summary(self.made[name])
        key = self.keys.get(name)
        if key is None or key == COLLIDING:
            return None
        path, is_package, cache = self.sources[name]
        fact = cache.load(key, path)
        if fact is None:  # gone from the store since the run began (or damaged): made again
            try:
                fact = summarize(read_regular(path), name, is_package)
            except OSError:
                return None
        return fact

    def name_table(
        self, given: list[tuple[str, list[str]]], load: Callable[[str], ModuleFact | None]
    ) -> NameTable:
        """Which modules mention which names: ``given`` (modules held in memory, with their
        entries) and the summaries made by this run from here, the others' from their store."""
        held = {name for name, _ in given}
        stored = [
            (name, key, self.sources[name][2].store)
            for name, key in self.keys.items()
            if key != COLLIDING and name not in self.made and name not in held
        ]
        return NameTable([*given, *self.entries.items()], stored, load)


def default_cache_directory(root: Path, chosen: Path | None = None) -> Path | None:
    """The cache folder for a project: the one the user chose (``--cache-dir``, the
    ``ASYNCLINT_CACHE_DIR`` variable, ``cache-dir``), shared by every project since entries are
    keyed by content; else ``.asynclint_cache`` in the project's root; None for a folder that
    is no project."""
    if chosen is not None:
        return chosen
    return root / ".asynclint_cache" if is_project_root(root) else None
