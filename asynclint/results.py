"""The result cache: a file's findings (and fixes) reused when nothing that could change them
has changed.

A stored result is reused only when all of these are as they were when it was made:

- the file's bytes (its digest, through the store's stat fast path);
- the context: asynclint's own code and data (a digest of its files), the Python and LibCST
  versions, the rules enabled and held back for the file, the fix mode, the file's module name
  and blocking-call settings, whether it is test code, and the library environment (the folders
  installed packages are read from, with their modification times);
- what the file's checks asked of the project index (``index.Trace``): the summary of each
  module they read (a module that did not exist must still not exist), the library files
  they read, and the digest of each answer that came from the whole project (who calls a
  function ...; ``ProjectIndex.answer``), asked again when the project has changed.

A change in ``b.py`` therefore re-checks ``a.py`` only if ``a.py``'s checks read ``b``'s
summary or an answer about the whole project that the change alters. Results with problems
(a crash, a file that cannot be read or written) are never stored: they are tried again.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

from asynclint.diagnostics import Applicability, Diagnostic, Edit, FileResult, Location
from asynclint.index import ProjectIndex, Trace, summary_version
from asynclint.index.query import answer_digest
from asynclint.index.store import Store
from asynclint.runner import Task

# Bumped when the payload's layout changes.
_PAYLOAD = 2


@functools.cache
def code_version() -> str:
    """A digest of asynclint's own code and data (every file of the package, the rules
    included), of the Python version and of LibCST's."""
    import asynclint

    # Found, not imported: a run whose every result is kept never loads the rules (or LibCST).
    rules = importlib.util.find_spec("asynclint.rules")
    rule_folders = (rules.submodule_search_locations or []) if rules is not None else []
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{sys.version_info[:3]}\0{importlib.metadata.version('libcst')}".encode())
    folders = {Path(p).resolve() for p in [*asynclint.__path__, *rule_folders]}
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".toml", ".json") and path.is_file():
                digest.update(f"\0{path.relative_to(folder)}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class ProjectState:
    """What the index knows of the project now, to check a stored result's dependencies
    against: each module's summary key, and the digests derived from them."""

    def __init__(self, index: ProjectIndex | None) -> None:
        self.index = index
        self.keys: dict[str, str] = dict(index.stored.keys) if index and index.stored else {}
        self._stats: dict[str, tuple[int, int] | None] = {}
        self._answers: dict[str, str | None] = {}
        # ``context_of``'s digest input for each set of per-file options.
        self.contexts: dict[tuple[object, ...], str] = {}

    @functools.cached_property
    def project(self) -> str:
        items = sorted(self.keys.items())
        return hashlib.sha1(json.dumps(items).encode(), usedforsecurity=False).hexdigest()

    @functools.cached_property
    def packages(self) -> str:
        names = sorted(self.index._project_packages) if self.index else []
        return hashlib.sha1(json.dumps(names).encode(), usedforsecurity=False).hexdigest()

    @functools.cached_property
    def environment(self) -> str:
        """The library folders the index reads, with their modification times (a package
        installed, removed or upgraded changes its folder's)."""
        marks = []
        for folder in self.index.search if self.index else []:
            marks.append((str(folder), self._stat(str(folder))))
        return hashlib.sha1(json.dumps(marks).encode(), usedforsecurity=False).hexdigest()

    def _stat(self, path: str) -> tuple[int, int] | None:
        if path not in self._stats:
            self._stats[path] = _mark(path)
        return self._stats[path]

    def dependencies(self, trace: Trace | None) -> dict[str, object]:
        if trace is None:
            return {}
        return {
            "whole": self.project,
            "modules": {name: self.keys.get(name) for name in sorted(trace.modules)},
            "libraries": {path: list(mark) for path, mark in sorted(trace.libraries.items())},
            "answers": dict(sorted(trace.answers.items())),
            "packages": self.packages if trace.packages else None,
        }

    def holds(self, dependencies: dict) -> bool:
        """Whether every answer a stored result depended on is still the same."""
        libraries = dependencies.get("libraries", {})
        if any(list(self._stat(path) or ()) != mark for path, mark in libraries.items()):
            return False
        if dependencies.get("packages") not in (None, self.packages):
            return False
        if dependencies.get("whole") == self.project:
            return True  # every summary as it was: so is every answer made from them
        modules = dependencies.get("modules", {})
        if any(self.keys.get(name) != key for name, key in modules.items()):
            return False
        answers = dependencies.get("answers", {})  # asked again, the project having changed
        return all(self._answer(question) == digest for question, digest in answers.items())

    def _answer(self, question: str) -> str | None:
        """The digest of an answer about the whole project as the project is now (asked once
        per run, however many kept results depend on it)."""
        if question not in self._answers:
            kind, _, key = question.partition("\0")
            try:
                value = self.index.answer(kind, key) if self.index is not None else None
            except ValueError:  # a question this version does not ask
                self._answers[question] = None
            else:
                self._answers[question] = answer_digest(value)
        return self._answers[question]


def context_of(task: Task, state: ProjectState) -> str:
    """Everything besides the file's bytes and its index dependencies that decides its result:
    a digest of the options shared by most files of a run, and the file's module name."""
    fix = None if task.fix_mode is None else task.fix_mode.key
    shared = (
        task.codes,
        task.held,
        fix,
        task.blocking,
        task.allow_blocking,
        task.is_test,
        task.target,
    )
    base = state.contexts.get(shared)
    if base is None:  # the same for most files of a run: made once
        parts = [_PAYLOAD, code_version(), *shared, state.index is not None, state.environment]
        text = json.dumps(parts)
        base = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
        state.contexts[shared] = base
    return f"{base} {json.dumps(task.module)}"


class ResultCache:
    """Stored results of the run's files, each in its project's store (``stores``: by the
    file's resolved path)."""

    def __init__(
        self, stores: dict[Path, Store], state: ProjectState, real: dict[str, Path]
    ) -> None:
        self.stores = stores
        self.state = state
        self.real = real  # each task's path, resolved
        self._pending: dict[Store, list[tuple[str, str, str, str, str]]] = {}
        self._digests: dict[Path, str] = {}
        self._marks: dict[Path, tuple[int, int] | None] = {}

    def lookup(self, tasks: Sequence[Task]) -> dict[int, FileResult]:
        """The results that can be reused, by the task's position."""
        by_store: dict[Store, list[Path]] = {}
        for task in tasks:
            path = self.real[task.path]
            if path in self.stores:
                by_store.setdefault(self.stores[path], []).append(path)
        hits: dict[int, FileResult] = {}
        stored: dict[str, tuple[str, str, str, str]] = {}
        for store, paths in by_store.items():
            marks = {path: _mark(path) for path in paths}  # taken before the digests
            digests, _ = store.digests(paths)
            self._digests.update(digests)
            self._marks.update(marks)
            stored.update(store.results(str(path) for path in digests))
        for position, task in enumerate(tasks):
            path = self.real[task.path]
            row = stored.get(str(path))
            if row is None or row[0] != self._digests.get(path):
                continue
            result = self._reuse(task, row)
            if result is not None:
                hits[position] = result
        return hits

    def _reuse(self, task: Task, row: tuple[str, str, str, str]) -> FileResult | None:
        _, context, dependencies, payload = row
        if context != context_of(task, self.state):
            return None
        try:
            if not self.state.holds(json.loads(dependencies)):
                return None
            result = _result_from(task, json.loads(payload))
        except (ValueError, KeyError, TypeError):
            return None
        if task.write and result.fixed_source is not None:
            return None  # fixes to write: the file is checked (and fixed) again
        return result

    def add(self, task: Task, result: FileResult) -> None:
        """Keep a fresh result for the store (written by ``save``)."""
        path = self.real[task.path]
        store = self.stores.get(path)
        digest = self._digests.get(path)
        if store is None or digest is None or result.problems:
            return
        if task.write and result.fixed_source is not None:
            return  # the file has changed since: its next run reads it anew
        if _mark(path) != self._marks.get(path):
            return  # changed since its digest was taken: what was checked is unknown
        row = (
            str(path),
            digest,
            context_of(task, self.state),
            json.dumps(self.state.dependencies(result.trace)),
            json.dumps(_payload_of(result)),
        )
        result.trace = None  # recorded: a large run must not hold every file's
        pending = self._pending.setdefault(store, [])
        pending.append(row)
        if len(pending) >= _ROWS_PER_WRITE:
            store.store_results(pending)
            pending.clear()

    def save(self) -> None:
        for store, rows in self._pending.items():
            store.store_results(rows)
        self._pending.clear()


# Results written to the store in batches of this many while a run goes on, rather than all
# held to the end (a large project's would take a hundred megabytes).
_ROWS_PER_WRITE = 500


def _mark(path: Path | str) -> tuple[int, int] | None:
    """A file's size and modification time, or None when it cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns)


def _payload_of(result: FileResult) -> dict[str, object]:
    return {
        "diagnostics": [_diagnostic_data(d) for d in result.diagnostics],
        "held_back": [_diagnostic_data(d) for d in result.held_back],
        "fixed_count": result.fixed_count,
        "fixed_codes": list(result.fixed_codes),
        "original_source": result.original_source,
        "fixed_source": result.fixed_source,
    }


def _diagnostic_data(diagnostic: Diagnostic) -> dict[str, object]:
    data = asdict(diagnostic)
    del data["path"]  # the path is shown as the run names the file
    return data


def _result_from(task: Task, payload: dict) -> FileResult:
    return FileResult(
        task.display,
        diagnostics=_diagnostics(task.display, payload["diagnostics"]),
        fixed_count=payload["fixed_count"],
        fixed_codes=tuple(payload.get("fixed_codes", ())),
        original_source=payload["original_source"],
        fixed_source=payload["fixed_source"],
        is_test=task.is_test,
        held_back=_diagnostics(task.display, payload["held_back"]),
    )


def _diagnostics(path: str, items: Iterable[dict]) -> list[Diagnostic]:
    found = []
    for item in items:
        applicability = item["fix_applicability"]
        found.append(
            Diagnostic(
                path=path,
                code=item["code"],
                name=item["name"],
                message=item["message"],
                start=Location(**item["start"]),
                end=Location(**item["end"]),
                statement_line=item["statement_line"],
                fix_applicability=Applicability(applicability) if applicability else None,
                fix_description=item["fix_description"],
                fix_edits=tuple(
                    Edit(e["content"], Location(**e["start"]), Location(**e["end"]))
                    for e in item.get("fix_edits", ())
                ),
            )
        )
    return found


def stores_for(
    paths: Iterable[Path],
    folder_of: Callable[[Path], Path | None],
    opened: dict[Path, Store] | None = None,
) -> dict[Path, Store]:
    """Each file's store, by its path (``paths`` are resolved): ``folder_of`` names the cache
    folder of a file (None: no cache); files sharing a folder share one store (``opened``,
    by cache folder, holds those opened already)."""
    opened = {} if opened is None else opened
    stores: dict[Path, Store] = {}
    for path in paths:
        folder = folder_of(path)
        if folder is None:
            continue
        store = opened.get(folder)
        if store is None:
            store = opened[folder] = Store(folder, summary_version())
        stores[path] = store
    return stores
