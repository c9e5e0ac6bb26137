"""Reading, linting and (with ``--fix``) rewriting files, in parallel worker processes."""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import sys
import tempfile
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from asynclint.diagnostics import FileResult, Problem
from asynclint.linter import FixMode, check_source
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


def check_task(task: Task) -> FileResult:
    """Read, lint and maybe fix one file; every failure becomes a ``Problem``, never a raise."""
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


def check_text(source: SourceText, task: Task) -> FileResult:
    rules = [RULES_BY_CODE[code] for code in task.codes]
    try:
        result = check_source(source.text, task.display, rules, task.fix_mode)
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


def _init_worker() -> None:
    # Parsing allocates many small objects that live as long as the tree: collecting them
    # over and over is wasted time. A higher threshold keeps collection for real garbage.
    gc.set_threshold(100_000, 50, 100)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def run_tasks(tasks: Sequence[Task], jobs: int) -> Iterator[FileResult]:
    """Results of ``tasks`` (in the order given), using ``jobs`` worker processes."""
    if jobs <= 1 or len(tasks) < _MIN_FILES_FOR_WORKERS:
        _init_worker()
        yield from map(check_task, tasks)
        return
    chunk = max(1, min(16, len(tasks) // (jobs * 8)))
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=_pool_context(), initializer=_init_worker
    ) as pool:
        yield from pool.map(check_task, tasks, chunksize=chunk)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def sorted_results(results: Iterable[FileResult]) -> list[FileResult]:
    return sorted(results, key=lambda r: r.path)
