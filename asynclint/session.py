"""What a run knows about its projects, built once before any file is checked: the project
index (only when a selected rule needs it) and the blocking-call catalogues with the
configuration applied. The command line and the flake8 plugin build it the same way; worker
processes receive it from the pool that starts them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from asynclint.config import ConfigFinder
from asynclint.discovery import FileFinder
from asynclint.index import (
    ModuleFact,
    ProjectIndex,
    SummaryCache,
    default_cache_directory,
    environment_paths,
    is_project_root,
    module_name,
    project_root,
    summarize,
)
from asynclint.knowledge.blocking import BlockingCatalogue, load_blocking_catalogue
from asynclint.linter import ModuleContext
from asynclint.rule import Rule
from asynclint.runner import map_in_workers

# A file's ``extend-blocking-calls`` as sorted (name, family) pairs, and its
# ``allow-blocking-calls``.
BlockingConfig = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]
NO_BLOCKING_CONFIG: BlockingConfig = ((), ())


@dataclass(frozen=True)
class ProjectSession:
    """The project index of the checked files (None when no selected rule needs one) and the
    blocking-call catalogue of each configuration the files have."""

    index: ProjectIndex | None = None
    catalogues: Mapping[BlockingConfig, BlockingCatalogue] = field(default_factory=dict)
    # The files indexed under a name of their own (``IndexedProjects.own_names``).
    own_names: Mapping[Path, tuple[str, bool]] = field(default_factory=dict)
    # Project files the index could not read or parse: what they define is unknown.
    unreadable: tuple[Path, ...] = ()

    @classmethod
    def build(
        cls,
        files: Sequence[Path],
        rules: Iterable[type[Rule]],
        configs: ConfigFinder,
        *,
        use_cache: bool = True,
        jobs: int = 1,
        blocking: Iterable[BlockingConfig] = (NO_BLOCKING_CONFIG,),
        python: str | None = None,
        cache_dir: Path | None = None,
    ) -> ProjectSession:
        """The session of ``files``, checked with ``rules``: ``configs`` decides which files
        of their projects are indexed, ``python`` whose installed libraries (a configured
        interpreter or virtual environment), ``blocking`` which catalogues are made."""
        if not files or not any(rule.uses_index() for rule in rules):
            return cls()
        project_files = functools.partial(_project_files, configs)
        built = build_index(files, project_files, use_cache, jobs, python, cache_dir)
        catalogues = {config: _configured_catalogue(*config) for config in set(blocking)}
        return cls(built.index, catalogues, built.own_names, built.unreadable)

    def module_for(self, path: Path) -> tuple[str, bool]:
        """The module name (and whether a package ``__init__``) the index knows a file by: its
        dotted name, or a name of its own when another file claims that name too."""
        if self.own_names:
            own = self.own_names.get(path.resolve())
            if own is not None:
                return own
        return module_name(path)

    def unreadable_note(
        self, display: Callable[[Path], str] = str, besides: Collection[Path] = (), shown: int = 5
    ) -> str | None:
        """The line that names the project files the index could not read (other than
        ``besides``, resolved paths), or None."""
        names = [display(path) for path in self.unreadable if path not in besides]
        if not names:
            return None
        listed = ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")
        count = len(names)
        return (
            f"asynclint: {count} file{'s' * (count != 1)} could not be read for the project "
            f"index (what {'they define' if count != 1 else 'it defines'} is unknown to "
            f"other files): {listed}"
        )

    def catalogue(self, config: BlockingConfig = NO_BLOCKING_CONFIG) -> BlockingCatalogue:
        found = self.catalogues.get(config)
        return found if found is not None else _configured_catalogue(*config)

    def context_for(
        self, module: tuple[str, bool] | None, config: BlockingConfig = NO_BLOCKING_CONFIG
    ) -> ModuleContext | None:
        """Where the module (dotted name, whether a package ``__init__``) stands in the
        project, or None without an index or a module name (the module is analysed alone)."""
        if self.index is None or module is None:
            return None
        name, is_package = module
        return ModuleContext(self.index, name, is_package, self.catalogue(config))


def _project_files(configs: ConfigFinder, root: Path) -> list[Path]:
    return FileFinder(configs).find([str(root)])  # its problems are not the user's


@functools.lru_cache(maxsize=32)
def _configured_catalogue(
    extra: tuple[tuple[str, str], ...], allowed: tuple[str, ...]
) -> BlockingCatalogue:
    return load_blocking_catalogue(dict(extra), allowed)


@dataclass(frozen=True)
class IndexedProjects:
    """The project index, with what the session tells the linter about the indexed files."""

    index: ProjectIndex
    # Files whose module name another file of different content claims: the name each one
    # is indexed under (its own, which no import can spell), by resolved path.
    own_names: dict[Path, tuple[str, bool]] = field(default_factory=dict)
    # Project files the index could not read or parse, even as newer syntax.
    unreadable: tuple[Path, ...] = ()


@dataclass
class _Source:
    path: Path  # resolved
    data: bytes
    name: str
    is_package: bool
    cache: SummaryCache


def build_index(
    files: Sequence[Path],
    project_files: Callable[[Path], list[Path]],
    use_cache: bool,
    jobs: int = 1,
    python: str | None = None,
    cache_dir: Path | None = None,
) -> IndexedProjects:
    """The index of every project the files belong to (each found from its ``pyproject.toml``
    or ``.git``), with the libraries of the first project's environment (``python``: a
    configured interpreter or virtual environment).

    ``project_files`` lists the Python files of a project root. Summaries missing from the
    cache are made in ``jobs`` worker processes. A module name that two files of different
    content claim is unknown to the other modules (an import of it resolves to nothing, rather
    than to a guess); each of those files is indexed under a name of its own, so it still
    knows what it defines itself.
    """
    by_root: dict[Path, list[Path]] = {}
    for path in files:  # each file's project found once (it walks up the folders)
        by_root.setdefault(project_root(path), []).append(path)
    roots = sorted(by_root)
    sources, unreadable = _read_projects(by_root, project_files, use_cache, cache_dir)
    own_names, colliding = _own_names(sources)
    modules: dict[str, ModuleFact | None] = {}
    paths: dict[str, Path] = {}
    missing: list[tuple[_Source, str, str, bool]] = []
    for source in sources:
        name, is_package = own_names.get(source.path, (source.name, source.is_package))
        if name in modules:
            continue  # the same content again (a copy): one summary serves both
        key = source.cache.key(source.data, name, is_package)
        modules[name] = source.cache.load(key)
        paths[name] = source.path
        if modules[name] is None:
            missing.append((source, key, name, is_package))
    items = [(source.data, name, package) for source, _, name, package in missing]
    for (source, key, name, _), fact in zip(
        missing, map_in_workers(_summarize, items, jobs), strict=True
    ):
        source.cache.store(key, fact)
        modules[name] = fact
    unreadable.extend(paths[name] for name, fact in modules.items() if fact and not fact.readable)
    for name in colliding:
        modules[name] = None
    base = roots[0] if roots else Path.cwd()
    library_cache = SummaryCache(default_cache_directory(base, cache_dir) if use_cache else None)
    index = ProjectIndex(modules, environment_paths(base, python), library_cache)
    return IndexedProjects(index, own_names, tuple(sorted(set(unreadable))))


def _read_projects(
    by_root: dict[Path, list[Path]],
    project_files: Callable[[Path], list[Path]],
    use_cache: bool,
    cache_dir: Path | None = None,
) -> tuple[list[_Source], list[Path]]:
    """The source of every file of the projects at the roots of ``by_root`` (each with the
    files given that belong to it), and the files that cannot be read."""
    sources: list[_Source] = []
    unreadable: list[Path] = []
    for root in sorted(by_root):
        cache = SummaryCache(default_cache_directory(root, cache_dir) if use_cache else None)
        # The files being linted belong in the index even when discovery excludes them
        # (a file named on the command line is linted whatever the excludes say).
        own = by_root[root]
        # A folder with no project marker is no project: only the files given are indexed,
        # not everything below it (a lone script in ``/tmp`` must not index all of ``/tmp``).
        listed = project_files(root) if is_project_root(root) else []
        for path in dict.fromkeys(path.resolve() for path in [*listed, *own]):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue  # gone since it was listed, or only named (``--stdin-filename``)
            except OSError:
                unreadable.append(path)
                continue
            sources.append(_Source(path, data, *module_name(path), cache))
    return sources, unreadable


def _own_names(sources: list[_Source]) -> tuple[dict[Path, tuple[str, bool]], set[str]]:
    """For each file whose module name a file of different content claims too, a name of its
    own: the module name with a mark of its path that no import can spell
    (``conftest#3f2a9c01d4``); and the module names so claimed."""
    contents: dict[str, set[bytes]] = {}
    for source in sources:
        contents.setdefault(source.name, set()).add(source.data)
    colliding = {name for name, found in contents.items() if len(found) > 1}
    own_names = {}
    for source in sources:
        if source.name in colliding:
            mark = hashlib.sha1(str(source.path).encode(), usedforsecurity=False).hexdigest()
            own_names[source.path] = (f"{source.name}#{mark[:10]}", source.is_package)
    return own_names, colliding


def _summarize(item: tuple[bytes, str, bool]) -> ModuleFact:
    return summarize(*item)
