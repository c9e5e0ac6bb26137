"""Reading, linting and (with ``--fix``) rewriting files, in parallel worker processes."""

from __future__ import annotations

import ctypes
import errno
import functools
import gc
import io
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import time
import tokenize
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures import TimeoutError as FutureTimeout  # not the builtin on 3.10
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from asynclint.diagnostics import FileResult, FixMode, Problem
from asynclint.index import Trace
from asynclint.index.store import NotRegularFile, read_regular

if TYPE_CHECKING:
    from asynclint.session import BlockingConfig, ProjectSession

# Below this many files, starting worker processes costs more than it saves.
_MIN_FILES_FOR_WORKERS = 8
# How many files (and bytes of source) a worker process checks before a fresh one takes over
# (``_run_in_pools``).
_FILES_PER_WORKER = 2000
_BYTES_PER_WORKER = 8_000_000
# A file this large is checked alone: its tree (LibCST's, with the analysis) takes over 200 MB.
_HUGE_FILE = 384 * 1024
# A worker gives the memory back to the system after checking a file of this size or more.
_TRIM_AFTER = 48 * 1024
# A larger file is not linted (a problem says so): LibCST's tree of a 5 MB file takes 4 GB and
# minutes. The largest module of the fifteen corpus projects is under 0.5 MB.
MAX_SOURCE_BYTES = 2_000_000


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
    # For test code: whether the file is, and the enabled codes the test profile holds back
    # (checked, counted, neither reported nor fixed).
    is_test: bool = False
    held: tuple[str, ...] = ()
    # ``target-version``: the oldest Python the file must run on (None: the newest).
    target: tuple[int, int] | None = None
    # Record what the checks ask of the project index (``FileResult.trace``), for the
    # result cache.
    trace: bool = False
    # The time budget of the check, in seconds (``file-timeout``); None: no budget.
    timeout: float | None = None

    @property
    def blocking_config(self) -> BlockingConfig:
        return (self.blocking, self.allow_blocking)


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # "utf-8-sig" when the file starts with a byte-order mark


def decode_source(data: bytes) -> SourceText:
    """Decode Python source by its BOM or coding cookie (PEP 263), keeping line endings."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return SourceText(data.decode(encoding), encoding)


# The temporary file ``write_atomically`` writes beside ``x.py`` before renaming it over
# ``x.py``: ``.x.py.<pid>-<random>.asynclint-tmp``. A process killed between the two leaves it;
# the next run that writes fixes there removes it (``remove_stale_temporaries``).
TEMPORARY_SUFFIX = ".asynclint-tmp"
_TEMPORARY = re.compile(r"\..+\.(?:(\d+)-)?[a-z0-9_]+" + re.escape(TEMPORARY_SUFFIX))
# A temporary file this old is stale whoever wrote it: a write lasts far less.
_STALE_AFTER = 3600.0


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path``'s content by ``data`` through a temporary file and a rename, so the file
    is never seen half-written. Permissions are kept; a symbolic link keeps pointing at it."""
    target = path.resolve()
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}-", suffix=TEMPORARY_SUFFIX, dir=target.parent
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


def remove_stale_temporaries(folders: Iterable[Path]) -> list[Path]:
    """Remove from ``folders`` the temporary files of ``write_atomically`` that no process is
    writing any more (its process is gone, or it is an hour old); return those removed."""
    removed = []
    for folder in folders:
        try:
            entries = [e for e in os.scandir(folder) if e.name.endswith(TEMPORARY_SUFFIX)]
        except OSError:
            continue
        for entry in entries:
            found = _TEMPORARY.fullmatch(entry.name)
            if found is None or not _is_stale(entry, found.group(1)):
                continue
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


def _is_stale(entry: os.DirEntry[str], pid: str | None) -> bool:
    try:
        if not entry.is_file(follow_symlinks=False):
            return False
        if time.time() - entry.stat(follow_symlinks=False).st_mtime > _STALE_AFTER:
            return True
    except OSError:
        return False
    if pid is None or int(pid) == os.getpid():  # this process writes nothing yet
        return pid is not None
    return not _is_running(int(pid))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # another user's
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """Whether ``pid`` has ended but is not yet reaped (a killed run's worker, whose new
    parent has not collected it): it writes nothing more. Linux only; elsewhere False."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rpartition(b")")[2].split()[:1]
    except OSError:
        return False
    return state in ([b"Z"], [b"X"])


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
    return _deep_executor().submit(function, *args).result()


def _deep_executor() -> ThreadPoolExecutor:
    """The executor of this process's large-stack thread."""
    global _deep_thread
    if _deep_thread is None or _deep_thread[0] != os.getpid():  # none yet, or inherited by fork
        previous = threading.stack_size(_STACK_BYTES)
        try:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint")
            executor.submit(sys.setrecursionlimit, _RECURSION_LIMIT).result()  # starts it now
        finally:
            threading.stack_size(previous)
        _deep_thread = (os.getpid(), executor)
    return _deep_thread[1]


def check_task(task: Task, session: ProjectSession | None = None) -> FileResult:
    """Read, lint and maybe fix one file; every failure becomes a ``Problem``, never a raise.
    ``session`` holds the project index; without one, each module is analysed alone. A check
    that takes longer than ``task.timeout`` seconds is abandoned (``within_budget``)."""
    return within_budget(task.timeout, task.display, _check_task, task, session)


# Once the budget is spent, how often the checking thread is told again to stop (a ``finally``
# or an ``except BaseException`` on its way may have swallowed the first word), in seconds.
_STOP_AGAIN_EVERY = 1.0


class FileTimeout(BaseException):
    """Raised in the thread checking a file whose time budget is spent. A ``BaseException``,
    as ``KeyboardInterrupt`` is: no ``except Exception`` on its way turns it into an internal
    error or carries on with the check."""


def timeout_problem(display: str, seconds: float) -> Problem:
    """The line of a file abandoned after ``seconds``: no finding, counted as not checked."""
    took = f"{seconds:g} s"
    return Problem(display, f"not checked: took longer than {took} (file-timeout)")


def within_budget(
    seconds: float | None, display: str, function: Callable[..., FileResult], *args: object
) -> FileResult:
    """``function(*args)`` on the large-stack thread (``on_deep_stack``); when it takes longer
    than ``seconds`` (None or 0: no limit), ``FileTimeout`` is raised in that thread, which
    unwinds the check (its ``finally`` clauses run), and the result is a ``timeout_problem``
    for ``display``. The caller's thread only waits, so a budget works in a worker process,
    in the command's process and on any thread (the language server has none: it passes
    ``None``)."""
    if not seconds:
        return on_deep_stack(function, *args)
    guard = _Guard()
    future = _deep_executor().submit(guard.run, function, *args)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        pass
    while True:
        guard.stop()
        try:
            return future.result(timeout=_STOP_AGAIN_EVERY)
        except FutureTimeout:
            continue
        except FileTimeout:
            return FileResult(display, problems=[timeout_problem(display, seconds)])


class _Guard:
    """Runs a function on the large-stack thread so that another thread can stop it
    (``stop``): ``FileTimeout`` is raised asynchronously in that thread while, and only while,
    the function runs; a stop that comes as it returns is withdrawn."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: int | None = None  # the thread running the function, while it does
        self._stopped = False

    def run(self, function: Callable[..., _T], *args: object) -> _T:
        try:
            with self._lock:
                self._thread = threading.get_ident()
            return function(*args)
        finally:
            self._finish()

    def _finish(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            if self._stopped and thread is not None:
                _raise_in(thread, None)  # withdraw a stop that has not been raised yet
        if self._stopped:  # the budget was spent: whatever the function made is not kept
            raise FileTimeout

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._stopped = True
                _raise_in(self._thread, FileTimeout)


def _raise_in(thread: int, exception: type[BaseException] | None) -> None:
    """Have ``exception`` raised in ``thread`` at its next Python instruction (None: no
    longer)."""
    set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    set_async(ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None)


def _check_task(task: Task, session: ProjectSession | None) -> FileResult:
    try:
        data = read_regular(task.path)
    except (IsADirectoryError, NotRegularFile) as error:
        reason = error.strerror if isinstance(error, NotRegularFile) else "is a directory"
        return FileResult(task.display, problems=[Problem(task.display, str(reason))])
    except OSError as error:
        reason = "no such file (gone since it was found)" if error.errno == errno.ENOENT else None
        return FileResult(
            task.display,
            problems=[Problem(task.display, f"cannot read: {reason or error.strerror or error}")],
        )
    if len(data) > MAX_SOURCE_BYTES:
        size = f"{len(data) / 1_000_000:.1f} MB"
        reason = f"too large to lint ({size}; the limit is {MAX_SOURCE_BYTES // 1_000_000} MB)"
        return FileResult(task.display, problems=[Problem(task.display, f"{reason}; skipped")])
    try:
        source = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        reason = error.msg if isinstance(error, SyntaxError) else str(error)
        return FileResult(
            task.display, problems=[Problem(task.display, f"cannot decode: {reason}")]
        )
    return check_text(source, task, session)


def check_text(source: SourceText, task: Task, session: ProjectSession | None = None) -> FileResult:
    where = session.context_for(task.module, task.blocking_config) if session else None
    index = where.index if where is not None else None
    if index is None or not task.trace:
        if index is not None:
            index.begin_file(None)
        return _check_text(source, task, session)
    index.begin_file(Trace())
    try:
        result = _check_text(source, task, session)
        result.trace = index.trace
    finally:
        index.begin_file(None)
    return result


def check_source(*args: Any, **kwargs: Any) -> FileResult:
    """``linter.check_source``, loaded by the first file checked: a run whose every result is
    kept never loads the linter, the rules or LibCST."""
    from asynclint.linter import check_source as check

    return check(*args, **kwargs)


def _check_text(source: SourceText, task: Task, session: ProjectSession | None) -> FileResult:
    from asynclint.rules import RULES_BY_CODE  # see ``check_source``

    rules = [RULES_BY_CODE[code] for code in (*task.codes, *task.held)]
    where = session.context_for(task.module, task.blocking_config) if session else None
    held = frozenset(task.held)
    try:
        result = check_source(
            source.text, task.display, rules, task.fix_mode, where, held, task.target
        )
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
            result = check_source(source.text, task.display, rules, held=held, target=task.target)
            result.problems.append(
                Problem(task.display, f"fixes not written: {error}", internal=True)
            )
    result.is_test = task.is_test
    return result


def tune_collector() -> None:
    """Parsing allocates many small objects that live as long as the tree: collecting them
    over and over is wasted time. A higher threshold keeps collection for real garbage."""
    gc.set_threshold(100_000, 50, 100)


# The session of the run, in a worker process only: its pool's initializer sets it from the
# argument the pool was given (inherited with the process under ``fork``, pickled once per
# worker otherwise), never per task.
_worker_session: ProjectSession | None = None


def prepare_process(session: ProjectSession | None = None, parent: int | None = None) -> None:
    """Set up a worker process: the run's session, the collector's pace, and its end when
    ``parent`` (the process id of the run) ends."""
    global _worker_session
    _worker_session = session
    tune_collector()
    if parent is not None:
        end_with_parent(parent)


def _prepare_for_map(parent: int) -> None:
    """Set up a worker process of ``map_in_workers``."""
    tune_collector()
    end_with_parent(parent)


# Linux's ``prctl`` option that has the kernel send a signal to a process when its parent ends.
_PR_SET_PDEATHSIG = 1
# How often a worker that cannot ask for that checks that its parent is still there (seconds).
_PARENT_CHECK_EVERY = 1.0


def end_with_parent(parent: int) -> None:
    """End this worker process as soon as ``parent`` ends, however it ends (``kill -9``
    included): a worker never outlives the run that started it. On Linux the kernel kills it
    (``PR_SET_PDEATHSIG``); elsewhere a thread checks for a new parent every second."""
    if not _kill_when_parent_ends():
        watcher = threading.Thread(
            target=_watch_parent, args=(parent,), name="asynclint-parent", daemon=True
        )
        watcher.start()
    if os.getppid() != parent:  # it ended before the request took effect
        os._exit(1)


def _kill_when_parent_ends() -> bool:
    # The signal comes when the thread that started the worker ends: the pools are made and
    # used within one call, on a thread that outlives them.
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0  # type: ignore[no-any-return]


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_EVERY)
    os._exit(1)


def _check_in_worker(task: Task) -> FileResult:
    result = check_task(task, _worker_session)
    if _size(task.path) >= _TRIM_AFTER:
        _give_back_memory()
    return result


def _give_back_memory() -> None:
    """Return to the system the memory a large file's tree took and no longer uses: the C
    allocator keeps freed pages between those still in use, and a worker would otherwise
    hold the high-water mark of the largest file it met (70 MB more than needed, measured
    on Home Assistant's largest modules) for the rest of its life."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, where the process has it (Linux with glibc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def run_tasks(
    tasks: Sequence[Task], jobs: int, session: ProjectSession | None = None
) -> Iterator[FileResult]:
    """Results of ``tasks`` (in the order given), using ``jobs`` worker processes.

    The workers take the largest files first: the last files to finish are small ones, and
    the memory a large file's tree needs is taken while the workers hold little else. A file
    of ``_HUGE_FILE`` bytes or more (its tree alone takes a few hundred megabytes) is checked
    while no other large one is: the other worker takes the smallest files meanwhile.

    If a worker process dies (a crash in native code), the files it may have been working on
    are checked again one by one in a process of their own, so that only the file that kills
    its process is reported as failed, and the rest of the run goes on in a new pool.
    """
    # What a run killed while writing fixes left beside the files this one may write.
    remove_stale_temporaries({Path(os.path.realpath(t.path)).parent for t in tasks if t.write})
    if jobs <= 1 or len(tasks) < _MIN_FILES_FOR_WORKERS:
        tune_collector()
        yield from (check_task(task, session) for task in tasks)
        return
    _give_back_memory()  # what making the index freed: not to be inherited by the workers
    sizes = [_size(task.path) for task in tasks]
    order = sorted(range(len(tasks)), key=lambda i: -sizes[i])
    huge = sum(1 for i in order if sizes[i] >= _HUGE_FILE)
    alone, shared = order[:huge], order[huge:]
    results = _positioned_results(tasks, sizes, alone, shared, jobs, session)
    done: dict[int, FileResult] = {}
    ready = 0
    for position, result in results:
        done[position] = result
        while ready in done:
            yield done.pop(ready)
            ready += 1


def _positioned_results(
    tasks: Sequence[Task],
    sizes: Sequence[int],
    huge: Sequence[int],
    shared: Sequence[int],
    jobs: int,
    session: ProjectSession | None,
) -> Iterator[tuple[int, FileResult]]:
    """(position, result) of the ``huge`` files, then of the ``shared`` ones (by position,
    in the order to check them)."""
    beside: list[int] = []  # the smallest files, checked beside the huge ones
    if huge:
        yield from _beside_huge(tasks, huge, shared, beside, session)
    rest = shared[: len(shared) - len(beside)]
    rest_sizes = [sizes[i] for i in rest]
    checked = _run_in_pools([tasks[i] for i in rest], rest_sizes, jobs, session)
    yield from zip(rest, checked, strict=True)


def _beside_huge(
    tasks: Sequence[Task],
    huge: Sequence[int],
    shared: Sequence[int],
    beside: list[int],
    session: ProjectSession | None,
) -> Iterator[tuple[int, FileResult]]:
    """(position, result) of the ``huge`` files, one at a time, in a pool of two workers whose
    other worker takes files from the small end of ``shared`` (largest first) until they are
    done; the positions of those it took are added to ``beside``."""
    smallest = list(reversed(shared))
    pending: dict[Future[FileResult], int] = {}
    started: list[int] = []
    try:
        with ProcessPoolExecutor(
            max_workers=2,
            mp_context=_pool_context(),
            initializer=prepare_process,
            initargs=(session, os.getpid()),
        ) as pool:
            for position in huge:
                big = pool.submit(_check_in_worker, tasks[position])
                pending[big] = position
                started.append(position)
                while big in pending:
                    # One small file running beside the huge one, one queued behind it.
                    if not big.done() and len(pending) < 3 and len(beside) < len(smallest):
                        small = smallest[len(beside)]
                        pending[pool.submit(_check_in_worker, tasks[small])] = small
                        beside.append(small)
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        result = future.result()  # a dead worker's file stays pending
                        yield pending.pop(future), result
            for future in list(pending):
                result = future.result()
                yield pending.pop(future), result
    except BrokenProcessPool:
        left = [*pending.values(), *(p for p in huge if p not in started)]
        yield from ((position, _check_alone(tasks[position], session)) for position in left)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _run_in_pools(
    tasks: Sequence[Task], sizes: Sequence[int], jobs: int, session: ProjectSession | None
) -> Iterator[FileResult]:
    """The results of ``tasks`` (of ``sizes`` bytes) in their order, from pools of ``jobs``
    workers: a new pool each time a worker has checked ``_FILES_PER_WORKER`` files or
    ``_BYTES_PER_WORKER`` of source (a process that has parsed large or many trees keeps
    memory it no longer uses), and for the rest when one dies."""
    chunk = max(1, min(16, len(tasks) // (jobs * 8)))
    remaining = list(tasks)
    left = list(sizes)
    while remaining:
        count = _batch_size(left, jobs)
        batch = remaining[:count]
        done = 0
        try:
            with ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=_pool_context(),
                initializer=prepare_process,
                initargs=(session, os.getpid()),
            ) as pool:
                for result in pool.map(_check_in_worker, batch, chunksize=chunk):
                    done += 1
                    yield result
            remaining, left = remaining[count:], left[count:]
        except BrokenProcessPool:
            suspects = batch[done : done + jobs * chunk]
            yield from (_check_alone(task, session) for task in suspects)
            remaining = remaining[done + len(suspects) :]
            left = left[done + len(suspects) :]


def _batch_size(sizes: Sequence[int], jobs: int) -> int:
    """How many of the files (of ``sizes`` bytes) the next pool of ``jobs`` workers takes."""
    total = 0
    for count, size in enumerate(sizes[: _FILES_PER_WORKER * jobs]):
        total += size
        if total > _BYTES_PER_WORKER * jobs and count > 0:
            return count
    return min(len(sizes), _FILES_PER_WORKER * jobs)


def _check_alone(task: Task, session: ProjectSession | None) -> FileResult:
    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=_pool_context(),
        initializer=prepare_process,
        initargs=(session, os.getpid()),
    ) as pool:
        try:
            return pool.submit(_check_in_worker, task).result()
        except BrokenProcessPool:
            message = "internal error: the process checking this file crashed"
            return FileResult(task.display, problems=[Problem(task.display, message, True)])


def map_in_workers(function: Callable[[_A], _T], items: Sequence[_A], jobs: int) -> list[_T]:
    """``map`` in ``jobs`` processes when there is enough to share."""
    if jobs <= 1 or len(items) < _MIN_FILES_FOR_WORKERS:
        return list(map(function, items))
    chunk = max(1, min(32, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_pool_context(),
        initializer=_prepare_for_map,
        initargs=(os.getpid(),),
    ) as pool:
        return list(pool.map(function, items, chunksize=chunk))


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
