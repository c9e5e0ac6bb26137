"""Reading, linting and (with ``--fix``) rewriting files, in parallel worker processes."""

from __future__ import annotations

import functools
import gc
import io
import multiprocessing
import os
import sys
import tempfile
import threading
import tokenize
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from asynclint.blocking import BlockingCatalogue, load_blocking_catalogue
from asynclint.diagnostics import FileResult, Problem
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
from asynclint.linter import FixMode, ModuleContext, check_source
from asynclint.rules import RULES_BY_CODE

# Below this many files, starting worker processes costs more than it saves.
_MIN_FILES_FOR_WORKERS = 8


@dataclass(frozen=True)
class Task:
    """One file to check. ``codes`` are the rules enabled for it (after per-file-ignores)."""

    path: str  # as it is opened
    display: str  # as it is reported
    codes: tuple[str, ...]
    fix_mode: FixMode | None = None
    write: bool = False  # write fixes back (``--fix`` without ``--diff``)
    # The module's dotted name and whether it is a package ``__init__`` (project index key)
    module: tuple[str, bool] | None = None
    # The file's ``extend-blocking-calls`` and ``allow-blocking-calls``
    blocking: tuple[tuple[str, str], ...] = ()
    allow_blocking: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # "utf-8-sig" when the file starts with a byte-order mark


def decode_source(data: bytes) -> SourceText:
    """Decode Python source by its BOM or coding cookie (PEP 263), keeping line endings."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return SourceText(data.decode(encoding), encoding)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path``'s content by ``data`` through a temporary file and a rename, so the file
    is never seen half-written. Permissions are kept; a symbolic link keeps pointing at it."""
    target = path.resolve()
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".asynclint-tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# LibCST's native parser and the engine's walker recurse once per nesting level. On the
# default 8 MiB stack, valid Python such as a 20,000-term ``and`` chain or 3,000 nested
# parentheses overflows it and kills the process. Files are therefore checked on a thread with
# a large stack (reserved address space; only what is touched is ever committed).
_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 100_000
_deep_thread: tuple[int, ThreadPoolExecutor] | None = None
_T = TypeVar("_T")
_A = TypeVar("_A")


def on_deep_stack(function: Callable[..., _T], *args: object) -> _T:
    """``function(*args)``, run on this process's large-stack thread."""
    global _deep_thread
    if _deep_thread is None or _deep_thread[0] != os.getpid():  # none yet, or inherited by fork
        previous = threading.stack_size(_STACK_BYTES)
        try:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint")
            executor.submit(sys.setrecursionlimit, _RECURSION_LIMIT).result()  # starts it now
        finally:
            threading.stack_size(previous)
        _deep_thread = (os.getpid(), executor)
    return _deep_thread[1].submit(function, *args).result()


def check_task(task: Task) -> FileResult:
    """Read, lint and maybe fix one file; every failure becomes a ``Problem``, never a raise."""
    return on_deep_stack(_check_task, task)


def _check_task(task: Task) -> FileResult:
    try:
        data = Path(task.path).read_bytes()
    except IsADirectoryError:
        return FileResult(task.display, problems=[Problem(task.display, "is a directory")])
    except OSError as error:
        return FileResult(
            task.display,
            problems=[Problem(task.display, f"cannot read: {error.strerror or error}")],
        )
    try:
        source = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        reason = error.msg if isinstance(error, SyntaxError) else str(error)
        return FileResult(
            task.display, problems=[Problem(task.display, f"cannot decode: {reason}")]
        )
    return check_text(source, task)


# The project index of the run: set before worker processes start (they inherit it, or get it
# through their initializer), read by every check.
_index: ProjectIndex | None = None


def check_text(source: SourceText, task: Task) -> FileResult:
    rules = [RULES_BY_CODE[code] for code in task.codes]
    where = None
    if _index is not None and task.module is not None:
        blocking = _configured_catalogue(task.blocking, task.allow_blocking)
        where = ModuleContext(_index, *task.module, blocking)
    try:
        result = check_source(source.text, task.display, rules, task.fix_mode, where)
    except Exception as error:  # a bug of ours: report it against the file, keep going
        return FileResult(
            task.display,
            problems=[
                Problem(
                    task.display,
                    f"internal error: {type(error).__name__}: {error}",
                    internal=True,
                )
            ],
        )
    if task.write and result.fixed_source is not None:
        try:
            write_atomically(Path(task.path), result.fixed_source.encode(source.encoding))
        except (OSError, UnicodeEncodeError) as error:
            # The file keeps its findings: report them as they are, unfixed.
            result = check_source(source.text, task.display, rules)
            result.problems.append(
                Problem(task.display, f"fixes not written: {error}", internal=True)
            )
    return result


@functools.lru_cache(maxsize=32)
def _configured_catalogue(
    extra: tuple[tuple[str, str], ...], allowed: tuple[str, ...]
) -> BlockingCatalogue:
    return load_blocking_catalogue(dict(extra), allowed)


def prepare_process(index: ProjectIndex | None = None) -> None:
    """Set up a process that checks files: the run's project index, the collector's pace."""
    global _index
    _index = index
    # Parsing allocates many small objects that live as long as the tree: collecting them
    # over and over is wasted time. A higher threshold keeps collection for real garbage.
    gc.set_threshold(100_000, 50, 100)


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def run_tasks(
    tasks: Sequence[Task], jobs: int, index: ProjectIndex | None = None
) -> Iterator[FileResult]:
    """Results of ``tasks`` (in the order given), using ``jobs`` worker processes.

    If a worker process dies (a crash in native code), the files it may have been working on
    are checked again one by one in a process of their own, so that only the file that kills
    its process is reported as failed, and the rest of the run goes on in a new pool.
    """
    if jobs <= 1 or len(tasks) < _MIN_FILES_FOR_WORKERS:
        prepare_process(index)
        yield from map(check_task, tasks)
        return
    chunk = max(1, min(16, len(tasks) // (jobs * 8)))
    remaining = list(tasks)
    while remaining:
        done = 0
        try:
            with ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=_pool_context(),
                initializer=prepare_process,
                initargs=(index,),
            ) as pool:
                for result in pool.map(check_task, remaining, chunksize=chunk):
                    done += 1
                    yield result
            return
        except BrokenProcessPool:
            suspects = remaining[done : done + jobs * chunk]
            yield from (_check_alone(task, index) for task in suspects)
            remaining = remaining[done + len(suspects) :]


def _check_alone(task: Task, index: ProjectIndex | None) -> FileResult:
    with ProcessPoolExecutor(
        max_workers=1, mp_context=_pool_context(), initializer=prepare_process, initargs=(index,)
    ) as pool:
        try:
            return pool.submit(check_task, task).result()
        except BrokenProcessPool:
            message = "internal error: the process checking this file crashed"
            return FileResult(task.display, problems=[Problem(task.display, message, True)])


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
    made = _map(_summarize, [(data, name, package) for data, name, package, _, _ in missing], jobs)
    for (_, name, _, cache, key), fact in zip(missing, made, strict=True):
        cache.store(key, fact)
        modules[name] = fact
    for name in colliding:
        modules[name] = None
    base = roots[0] if roots else Path.cwd()
    library_cache = SummaryCache(default_cache_directory(base) if use_cache else None)
    return ProjectIndex(modules, environment_paths(base, python), library_cache)


def _summarize(item: tuple[bytes, str, bool]) -> ModuleFact:
    return summarize(*item)


def _map(function: Callable[[_A], _T], items: Sequence[_A], jobs: int) -> list[_T]:
    """``map`` in ``jobs`` processes when there is enough to share."""
    if jobs <= 1 or len(items) < _MIN_FILES_FOR_WORKERS:
        return list(map(function, items))
    chunk = max(1, min(32, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_pool_context()) as pool:
        return list(pool.map(function, items, chunksize=chunk))


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
