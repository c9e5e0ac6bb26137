"""What a run knows about its projects, built once before any file is checked: the project
index (only when a selected rule needs it) and the blocking-call catalogues with the
configuration applied. The command line and the flake8 plugin build it the same way; worker
processes receive it from the pool that starts them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    ) -> ProjectSession:
        """The session of ``files``, checked with ``rules``: ``configs`` decides which files
        of their projects are indexed, ``python`` whose installed libraries (a configured
        interpreter or virtual environment), ``blocking`` which catalogues are made."""
        if not files or not any(rule.uses_index() for rule in rules):
            return cls()
        project_files = functools.partial(_project_files, configs)
        index = build_index(files, project_files, use_cache, jobs, python)
        catalogues = {config: _configured_catalogue(*config) for config in set(blocking)}
        return cls(index, catalogues)

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


def build_index(
    files: Sequence[Path],
    project_files: Callable[[Path], list[Path]],
    use_cache: bool,
    jobs: int = 1,
    python: str | None = None,
) -> ProjectIndex:
    """The index of every project the files belong to (each found from its ``pyproject.toml``
    or ``.git``), with the libraries of the first project's environment (``python``: a
    configured interpreter or virtual environment).

    ``project_files`` lists the Python files of a project root. Summaries missing from the
    cache are made in ``jobs`` worker processes. A module name that two files of different
    content claim is left out (unknown), rather than guessed.
    """
    roots = sorted({project_root(path) for path in files})
    modules: dict[str, ModuleFact | None] = {}
    contents: dict[str, bytes] = {}
    colliding: set[str] = set()
    missing: list[tuple[bytes, str, bool, SummaryCache, str]] = []
    for root in roots:
        cache = SummaryCache(default_cache_directory(root) if use_cache else None)
        # The files being linted belong in the index even when discovery excludes them
        # (a file named on the command line is linted whatever the excludes say).
        own = [path for path in files if project_root(path) == root]
        # A folder with no project marker is no project: only the files given are indexed,
        # not everything below it (a lone script in ``/tmp`` must not index all of ``/tmp``).
        listed = project_files(root) if is_project_root(root) else []
        for path in dict.fromkeys([*listed, *own]):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            name, is_package = module_name(path)
            if name in contents:
                if contents[name] != data:
                    colliding.add(name)
                continue
            contents[name] = data
            key = cache.key(data, name, is_package)
            modules[name] = cache.load(key)
            if modules[name] is None:
                missing.append((data, name, is_package, cache, key))
    items = [(data, name, package) for data, name, package, _, _ in missing]
    for (_, name, _, cache, key), fact in zip(
        missing, map_in_workers(_summarize, items, jobs), strict=True
    ):
        cache.store(key, fact)
        modules[name] = fact
    for name in colliding:
        modules[name] = None
    base = roots[0] if roots else Path.cwd()
    library_cache = SummaryCache(default_cache_directory(base) if use_cache else None)
    return ProjectIndex(modules, environment_paths(base, python), library_cache)


def _summarize(item: tuple[bytes, str, bool]) -> ModuleFact:
    return summarize(*item)
