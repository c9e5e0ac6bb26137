"""The summary cache: module summaries on disk, keyed by what decides their content.

An entry's key hashes the module's source and name with ``summary_version()``, a digest of the
source of the modules that make a summary (``summarise``, the facts it fills in, and the
knowledge it reads, with the data files that knowledge loads), so a change to any of them
invalidates the cache by itself.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import marshal
import os
import sys
from pathlib import Path

from asynclint.index.locate import is_project_root
from asynclint.index.model import ModuleFact
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
    the module ``asynclint.x.y`` when that is one, else ``asynclint.x``)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.append(submodule if _is_module(submodule) else node.module)
    return [name for name in names if name.split(".", 1)[0] == "asynclint"]


def _is_module(name: str) -> bool:
    try:
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


class SummaryCache:
    """Summaries on disk, keyed by the hash of the source and of ``summary_version()``."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _path(self, digest: str) -> Path | None:
        if self.directory is None:
            return None
        folder = self.directory / f"index-{summary_version()[:12]}"
        return folder / digest[:2] / f"{digest}.json"

    @staticmethod
    def key(data: bytes, name: str, is_package: bool) -> str:
        """The entry of a module's summary: its source, its name, and what summarising is."""
        digest = hashlib.sha1(data, usedforsecurity=False)
        digest.update(f"\0{name}\0{is_package}\0{summary_version()}".encode())
        return digest.hexdigest()

    def load(self, key: str) -> ModuleFact | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            return ModuleFact.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, key: str, fact: ModuleFact) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _mark_cache_folder(self.directory)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(fact.to_json()), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            pass

    def summary(self, data: bytes, name: str, is_package: bool) -> ModuleFact:
        key = self.key(data, name, is_package)
        fact = self.load(key)
        if fact is None:
            fact = summarize(data, name, is_package)
            self.store(key, fact)
        return fact


def _mark_cache_folder(directory: Path | None) -> None:
    if directory is None:
        return
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Made by asynclint: a cache, never committed.\n*\n", encoding="utf-8")


def default_cache_directory(root: Path, chosen: Path | None = None) -> Path | None:
    """The cache folder for a project: the one the user chose (``--cache-dir``, the
    ``ASYNCLINT_CACHE_DIR`` variable, ``cache-dir``), shared by every project since entries are
    keyed by content; else ``.asynclint_cache`` in the project's root; None for a folder that
    is no project."""
    if chosen is not None:
        return chosen
    return root / ".asynclint_cache" if is_project_root(root) else None
