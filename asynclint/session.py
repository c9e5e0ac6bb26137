"""What a run knows about its projects, built once before any file is checked: the project
index (only when a selected rule needs it) and the blocking-call catalogues with the
configuration applied. The command line and the flake8 plugin build it the same way; worker
processes receive it from the pool that starts them.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asynclint import progress
from asynclint.config import ConfigFinder, RootsAbove, index_root, is_index_root
from asynclint.discovery import FileFinder
from asynclint.index import (
    COLLIDING,
    ProjectIndex,
    StoredModules,
    SummaryCache,
    default_cache_directory,
    environment_paths,
    module_name,
)
from asynclint.index.cache import encoded_summary
from asynclint.index.store import Store, file_digest, read_regular
from asynclint.knowledge.blocking import BlockingCatalogue, load_blocking_catalogue
from asynclint.listing import WalkRecord, keep_walked, kept_listing, listing_key
from asynclint.rule_info import RuleInfo
from asynclint.runner import map_in_workers

if TYPE_CHECKING:
    from asynclint.linter import ModuleContext
    from asynclint.rule import Rule

# How many project files make a run without the cache keep its summaries in a temporary store.
SCRATCH_FROM = 4000
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
    # The temporary store of a large run without the cache (``_scratch_store``).
    scratch: Path | None = None

    def close(self) -> None:
        """Remove what the run kept only for itself."""
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        if self.index is not None:
            self.index.close_shared()

    @classmethod
    def build(
        cls,
        files: Sequence[Path],
        rules: Iterable[type[Rule] | RuleInfo],
        configs: ConfigFinder,
        *,
        use_cache: bool = True,
        jobs: int = 1,
        blocking: Iterable[BlockingConfig] = (NO_BLOCKING_CONFIG,),
        python: str | None = None,
        cache_dir: Path | None = None,
        finder: FileFinder | None = None,
        packages: dict[Path, tuple[str, ...]] | None = None,
    ) -> ProjectSession:
        """The session of ``files``, checked with ``rules``: ``configs`` decides which files
        of their projects are indexed, ``python`` whose installed libraries (a configured
        interpreter or virtual environment), ``blocking`` which catalogues are made.
        ``finder``, the one that found ``files``, knows their resolved paths and the folders
        it has walked whole."""
        if not files or not any(rule.uses_index() for rule in rules):
            return cls()
        project_files = functools.partial(_project_files, configs, finder)
        resolved = finder is not None and all(path in finder.resolved for path in files)
        if finder is not None and resolved:
            files = [finder.resolved[path] for path in files]
        built = build_index(
            files,
            project_files,
            use_cache,
            jobs,
            python,
            cache_dir,
            resolved=resolved,
            packages=packages,
        )
        catalogues = {config: _configured_catalogue(*config) for config in set(blocking)}
        return cls(built.index, catalogues, built.own_names, built.unreadable, built.scratch)

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
        from asynclint.linter import ModuleContext  # with the rules, by the first file checked

        name, is_package = module
        return ModuleContext(self.index, name, is_package, self.catalogue(config))


def _project_files(
    configs: ConfigFinder, finder: FileFinder | None, root: Path, store: Store | None
) -> list[Path]:
    """The Python files of a project root, resolved: those ``finder`` found walking it whole
    (unless it skipped excluded files named on the command line), else the list kept in
    ``store`` if nothing it depends on changed, else found now."""
    key = listing_key(configs.explicit, configs.exclude, configs.extend_exclude)
    if finder is not None and not finder.force_exclude and root in finder.walked:
        if finder.record is not None and not finder.problems:  # for a run on one file later
            keep_walked(store, root, key, finder.walked[root], finder.record, finder.began)
        return finder.walked[root]

    def walk(record: WalkRecord) -> tuple[list[Path], bool]:
        walker = FileFinder(configs, record=record)
        found = walker.find([str(root)])  # its problems are not the user's
        return [walker.resolved[path] for path in found], not walker.problems

    return kept_listing(store, root, key, walk)


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
    scratch: Path | None = None


@dataclass
class _Source:
    path: Path  # resolved
    digest: str  # of its content
    name: str
    is_package: bool
    cache: SummaryCache


def build_index(
    files: Sequence[Path],
    project_files: Callable[[Path, Store | None], list[Path]],
    use_cache: bool,
    jobs: int = 1,
    python: str | None = None,
    cache_dir: Path | None = None,
    resolved: bool = False,
    packages: dict[Path, tuple[str, ...]] | None = None,
) -> IndexedProjects:
    """The index of every project the files belong to (``index_root``: the repository, else
    the top-most ``pyproject.toml``), with the libraries of the first project's environment
    (``python``: a configured interpreter or virtual environment).

    ``project_files`` lists the Python files of a project root (with the cache store it may
    keep the list in). Summaries missing from the cache are made in ``jobs`` worker processes;
    the others are read from the cache store when a question first needs them. A module name
    that two files of different content claim is unknown to the other modules (an import of
    it resolves to nothing, rather than to a guess); each of those files is indexed under a
    name of its own, so it still knows what it defines itself. ``resolved``: the paths of
    ``files`` are resolved already; ``packages`` remembers the package chain of each folder
    (``module_name``).
    """
    by_root: dict[Path, list[Path]] = {}
    marked: RootsAbove = {}  # each folder's project found once (it walks up)
    for path in files:
        path = path if resolved else path.resolve()
        by_root.setdefault(index_root(path.parent, marked), []).append(path)
    roots = sorted(by_root)
    sources, unreadable = _read_projects(
        by_root, project_files, use_cache, cache_dir, packages if packages is not None else {}
    )
    scratch = None if use_cache else _scratch_store(len(sources))
    for source in sources if scratch is not None else ():
        source.cache = scratch
    own_names, colliding = _own_names(sources)
    stored, wanted = _stored_modules(sources, own_names)
    present: dict[str, bool] = {}
    for cache, names in _by_cache(wanted).items():
        present.update(cache.store.summary_keys(stored.keys[name] for name in names))
    missing = [name for name in wanted if stored.keys[name] not in present]
    unreadable.extend(
        wanted[name].path for name in wanted if present.get(stored.keys[name]) is False
    )
    digests = {name: wanted[name].digest for name in missing}
    unreadable.extend(_make_summaries(missing, stored, jobs, digests))
    for name in colliding:
        stored.keys[name] = COLLIDING
    base = roots[0] if roots else Path.cwd()
    library_cache = scratch or SummaryCache(
        default_cache_directory(base, cache_dir) if use_cache else None
    )
    index = ProjectIndex(None, environment_paths(base, python), library_cache, stored=stored)
    folder = scratch.directory if scratch is not None else None
    return IndexedProjects(index, own_names, tuple(sorted(set(unreadable))), folder)


def _stored_modules(
    sources: list[_Source], own_names: dict[Path, tuple[str, bool]]
) -> tuple[StoredModules, dict[str, _Source]]:
    """The project's modules by name, each with the key of its summary, and the source of
    each (a copy of a file already listed under the same name adds nothing)."""
    stored = StoredModules()
    wanted: dict[str, _Source] = {}
    for source in sources:
        name, is_package = own_names.get(source.path, (source.name, source.is_package))
        if name in stored.keys:
            continue  # the same content again (a copy): one summary serves both
        stored.keys[name] = source.cache.key_of(source.digest, name, is_package)
        stored.sources[name] = (source.path, is_package, source.cache)
        wanted[name] = source
    return stored, wanted


def _scratch_store(count: int) -> SummaryCache | None:
    """For a run of ``count`` project files without the cache, when that is many: a store in a
    temporary folder (removed when the run ends) for the summaries it makes, library ones
    included. Worker processes read what they need from there, instead of each holding the
    whole project (and each summarising the same library modules). Below that many files,
    writing them costs more than it saves."""
    if count < SCRATCH_FROM:
        return None
    try:
        folder = Path(tempfile.mkdtemp(prefix="asynclint-run-"))
    except OSError:
        return None  # no temporary folder: the summaries stay in memory
    atexit.register(shutil.rmtree, folder, True)  # should the run end before ``close``
    return SummaryCache(folder)


def _by_cache(wanted: dict[str, _Source]) -> dict[SummaryCache, list[str]]:
    grouped: dict[SummaryCache, list[str]] = {}
    for name, source in wanted.items():
        grouped.setdefault(source.cache, []).append(name)
    return grouped


def _make_summaries(
    missing: list[str], stored: StoredModules, jobs: int, digests: dict[str, str]
) -> list[Path]:
    """Summarise the modules the store lacks (in ``jobs`` processes) and store them; the
    files that could not be read since their digest (``digests``, by name) was taken (their
    modules are unknown). A file changed since is summarised as it is now, under the key of
    what was read: an entry's key always names the content it was made from."""
    items: list[tuple[bytes, str, bool]] = []
    made: list[str] = []
    unreadable: list[Path] = []
    for name in missing:
        path, is_package, cache = stored.sources[name]
        try:
            data = read_regular(path)
        except FileNotFoundError:
            continue  # gone since it was listed: nothing of it is left to know
        except OSError:
            unreadable.append(path)
            continue
        digest = file_digest(data)
        if digest != digests.get(name, digest):
            stored.keys[name] = cache.key_of(digest, name, is_package)
        items.append((data, name, is_package))
        made.append(name)
    rows: dict[SummaryCache, list[tuple[str, str, bool, bytes, list[str]]]] = {}
    summaries = map_in_workers(encoded_summary, items, jobs)
    counted = progress.current().counted(summaries, "indexing modules", len(items))
    for name, text in zip(made, counted, strict=True):
        readable = stored.add_made(name, text).readable
        path, _, cache = stored.sources[name]
        if not readable:
            unreadable.append(path)
        row = (stored.keys[name], str(path), readable, text, stored.entries[name])
        rows.setdefault(cache, []).append(row)
    for cache, found in rows.items():
        if cache.store.store_summaries(found):  # read back from there when needed
            for name in (n for n in made if stored.sources[n][2] is cache):
                stored.forget_made(name)
    return unreadable


def _read_projects(
    by_root: dict[Path, list[Path]],
    project_files: Callable[[Path, Store | None], list[Path]],
    use_cache: bool,
    cache_dir: Path | None = None,
    packages: dict[Path, tuple[str, ...]] | None = None,
) -> tuple[list[_Source], list[Path]]:
    """The digest of every file of the projects at the roots of ``by_root`` (each with the
    files given that belong to it), and the files that cannot be read. Entries of a project's
    files that have gone are pruned from its cache store."""
    sources: list[_Source] = []
    unreadable: list[Path] = []
    packages = packages if packages is not None else {}
    caches: dict[Path | None, SummaryCache] = {}
    for root in sorted(by_root):
        folder = default_cache_directory(root, cache_dir) if use_cache else None
        cache = caches.get(folder) or caches.setdefault(folder, SummaryCache(folder))
        # The files being linted belong in the index even when discovery excludes them
        # (a file named on the command line is linted whatever the excludes say).
        own = by_root[root]
        # A folder with no project marker is no project: only the files given are indexed,
        # not everything below it (a lone script in ``/tmp`` must not index all of ``/tmp``).
        whole = is_index_root(root)
        listed = project_files(root, cache.store if folder is not None else None) if whole else []
        paths = list(dict.fromkeys([*listed, *own]))  # resolved already
        digests, failed = cache.store.digests(paths)
        unreadable.extend(failed)
        if whole:
            cache.store.forget_files(root, digests)
        for path, digest in digests.items():
            name, is_package = module_name(path, packages, resolved=True)
            sources.append(_Source(path, digest, name, is_package, cache))
    return sources, unreadable


def _own_names(sources: list[_Source]) -> tuple[dict[Path, tuple[str, bool]], set[str]]:
    """For each file whose module name a file of different content claims too, a name of its
    own: the module name with a mark of its path that no import can spell
    (``conftest#3f2a9c01d4``); and the module names so claimed."""
    contents: dict[str, set[str]] = {}
    for source in sources:
        contents.setdefault(source.name, set()).add(source.digest)
    colliding = {name for name, found in contents.items() if len(found) > 1}
    own_names = {}
    for source in sources:
        if source.name in colliding:
            mark = hashlib.sha1(str(source.path).encode(), usedforsecurity=False).hexdigest()
            own_names[source.path] = (f"{source.name}#{mark[:10]}", source.is_package)
    return own_names, colliding
