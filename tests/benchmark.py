"""Benchmark: asynclint against a bare LibCST parse and its peers, cold and with its cache.

    python tests/benchmark.py [PATHS...] [--jobs N] [--repeat R] [--peers/--no-peers] [--limit K]
        [--quick] [--no-ha] [--large-project DIR] [--no-large] [--no-warm] [--no-identity]
        [--no-one-file] [--no-scale] [--no-stale-check]

Every measurement runs in its own child process, so memory and garbage-collector state do not
carry over from one to the next; wall time, CPU time (user + system, worker processes
included) and peak RSS (of the largest single process) are those of that child. On Linux the
memory of the child and all its descendants is also sampled every 50 ms from ``/proc`` ("tree
peak": what the whole run holds at once, workers included; each process's proportional set
size, so pages forked workers share with their parent count once).

Every asynclint run uses ``--no-cache`` or a fresh temporary ``--cache-dir``: the projects' own
caches are never read or written. The temporary folders are removed at the end. Children run
with Python's bytecode cache on (``PYTHONDONTWRITEBYTECODE`` is dropped from their
environment), as an installed asynclint runs: installing it compiles its modules, and a
checkout compiles them on its first run; compiling them on every run would add about 0.15 s
to each short one.

On the corpus (PATHS; by default the corpus's projects but Home Assistant, linted at once):

1. bare parse: ``libcst.parse_module`` of every file in one process (only the parsing is
   timed; the files are read and decoded first);
2. ``asynclint --jobs 1 --no-cache``;
3. ``asynclint --jobs N --no-cache`` (cold);
4. ``asynclint --jobs N --cache-dir EMPTY`` (cold, and the cost of filling the cache);
5. the same command again on that filled cache, nothing changed (warm; targets: under 1 s wall
   and within 2x of ruff's cold run of the same files);
6. peers, when installed: ruff (ASYNC and RUF006, one thread, no cache) and flake8-async
   (``flake8 -j1 --select ASYNC``; by default on an evenly spaced sample of the files, with
   the whole-set time extrapolated from its lines per second);
7. output identity: the reports (text, json, sarif, with ``--exit-zero``) of the ``--no-cache``
   run and of the warm run must be byte-identical, and so must the exit status without
   ``--exit-zero``.

On the large project (Home Assistant when present in the corpus and not ``--no-ha``, else the
project with the most files, or ``--large-project DIR``):

8. cold, ``--jobs N --cache-dir EMPTY`` and ``--jobs N --no-cache`` (targets for Home Assistant:
   under 90 s wall, tree peak under 500 MB);
9. one mid-sized module deep in the package linted alone on the cache the cold run filled
   (target: under 1 s), then again after a comment is appended to it (target: under 2 s; the
   file's bytes and times are restored afterwards, and a backup left by a killed run is
   restored when the next one starts);
10. scale: evenly spaced samples of 1/8, 1/4 and 1/2 of its files (each copied with the
    ``__init__.py`` files of their packages and the ``pyproject.toml`` into a project of its
    own) and all of it, cold, ``--jobs N --no-cache``; the exponent k of wall ~ c * files^k
    is fitted by least squares (target: k <= 1.1).

Always (cheap): a stale-cache check on a two-module project: a finding in ``a.py`` must follow
the edits of ``b.py`` it depends on, with the cache, as it does without.

The first target of the original benchmark stands: the lint with N jobs in no more wall time
than the bare single-process parse. This is a development script, not a test: pytest does not
collect it (``tests/test_benchmark_helpers.py`` tests its pure functions).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import gc
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

EXIT_OK, EXIT_MISSING_INPUT = 0, 2
FETCH_HINT = "../shared/corpus/fetch.sh"
PEER_INSTALL_HINT = "pip install ruff flake8 flake8-async"
# What asynclint's worker processes set before parsing (see asynclint.runner.prepare_process).
TUNED_GC_THRESHOLD = (100_000, 50, 100)
# Above this, explicit file lists are passed relative to their common directory.
ARGV_CHARS_LIMIT = 100_000
# Other processes busy on average on this many CPUs during a measurement make it suspect.
OTHERS_BUSY_WARNING = 0.1
# How often the resident memory of a child's process tree is sampled.
TREE_SAMPLE_INTERVAL = 0.05

HOME_ASSISTANT = "homeassistant"
# What makes a folder a project root for asynclint (see asynclint.index.locate).
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
# Folders whose files are not "deep in the package" (for the one-file measurements).
NOT_PACKAGE_CODE = frozenset(
    {"tests", "test", "testing", "docs", "docs_src", "examples", "scripts", "benchmarks"}
)
# What the one-file edit appends (a comment: it changes the bytes, not the meaning).
EDIT_LINE = "# asynclint benchmark edit"
SCALE_DENOMINATORS = (8, 4, 2)  # 1/8, 1/4, 1/2 of the large project (and all of it)
QUICK_PROJECTS = 2  # --quick: the smallest corpus projects

# Targets.
WARM_WALL_TARGET = 1.0  # s, the warm corpus
WARM_VS_RUFF_TARGET = 2.0  # the warm corpus, times ruff's cold run
ONE_FILE_WARM_TARGET = 1.0  # s
ONE_FILE_EDITED_TARGET = 2.0  # s
LARGE_COLD_WALL_TARGET = 90.0  # s, Home Assistant cold with N jobs
LARGE_TREE_PEAK_TARGET_MB = 500  # MB (10**6 bytes), the same run's whole process tree
SCALE_EXPONENT_TARGET = 1.1

T = TypeVar("T")


def default_corpus() -> Path:
    root = os.environ.get("ASYNCLINT_CORPUS")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "asynclint-corpus"
    return base / "src"


def edit_backup_path() -> Path:
    """Where the one-file edit keeps the original of the file it edits while it runs: a fixed
    place, so that a run killed in the middle is repaired by the next one."""
    return default_corpus().parent / ".benchmark-edit-backup.json"


def corpus_projects(corpus: Path) -> list[Path]:
    """The project folders of the corpus, sorted by name."""
    return sorted((p for p in corpus.iterdir() if p.is_dir()), key=lambda p: p.name)


def is_project_root(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in PROJECT_MARKERS)


# --- the bare-parse child -------------------------------------------------------------------


def parse_only(file_list: Path, tuned_gc: bool) -> None:
    """Read and decode every file named in ``file_list``, then time ``libcst.parse_module`` on
    each; print the result as JSON on stdout. Runs in a child process of the benchmark."""
    import libcst

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    texts: list[str] = []
    unreadable = 0
    for name in file_list.read_text(encoding="utf-8").splitlines():
        try:
            data = Path(name).read_bytes()
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            texts.append(data.decode(encoding))
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
            unreadable += 1
    if tuned_gc:
        gc.set_threshold(*TUNED_GC_THRESHOLD)
    gc.collect()

    parsed = failed = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for text in texts:
        try:
            libcst.parse_module(text)
        except Exception:  # ParserSyntaxError, and anything else the parser raises
            failed += 1
        else:
            parsed += 1
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    json.dump(
        {
            "wall": wall,
            "cpu": cpu,
            "parsed": parsed,
            "failed": failed,
            "unreadable": unreadable,
        },
        sys.stdout,
    )


# --- asynclint's own code, which may change while the benchmark runs -----------------------


def code_fingerprint() -> str:
    """A digest of the names, sizes and modification times of asynclint's own files: it
    changes when someone edits asynclint while the benchmark runs (the measurements before and
    after are then of different code, and a cache filled before may be cold after)."""
    spec = importlib.util.find_spec("asynclint")
    if spec is None or not spec.submodule_search_locations:
        return "unknown"
    digest = hashlib.sha1()
    for location in spec.submodule_search_locations:
        root = Path(location)
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts:
                continue
            with contextlib.suppress(OSError):  # removed meanwhile
                info = path.stat()
                if path.is_file():
                    name = path.relative_to(root).as_posix()
                    digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


# --- the memory of a process tree (Linux) ---------------------------------------------------


def parse_ppid(stat_text: str) -> int:
    """The parent's pid in the text of ``/proc/<pid>/stat``. The command name, in parentheses,
    may itself hold spaces and parentheses: the fields after it are read from its last ``)``."""
    return int(stat_text[stat_text.rindex(")") + 1 :].split()[1])


def parse_vmrss_kib(status_text: str) -> int:
    """The ``VmRSS`` of ``/proc/<pid>/status`` in KiB (0 when absent: a zombie, a kernel
    thread)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_members(root: int, children_of: Callable[[int], Iterable[int]]) -> list[int]:
    """``root`` and all its descendants, each once."""
    seen = {root}
    members = [root]
    stack = [root]
    while stack:
        for child in children_of(stack.pop()):
            if child not in seen:
                seen.add(child)
                members.append(child)
                stack.append(child)
    return members


def _read_proc(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    except OSError:  # the process is gone, or it is not ours to read
        return None


@functools.cache
def _have_children_files() -> bool:
    """Whether the kernel lists each thread's children (``CONFIG_PROC_CHILDREN``)."""
    pid = os.getpid()
    return os.path.exists(f"/proc/{pid}/task/{pid}/children")


def _children_from_task_files(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    children: list[int] = []
    for task in tasks:
        text = _read_proc(f"/proc/{pid}/task/{task}/children")
        if text:
            children.extend(int(word) for word in text.split())
    return children


def _children_map_from_stat() -> dict[int, list[int]]:
    """Every process's children, from the parent pid in each ``/proc/<pid>/stat``."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        text = _read_proc(f"/proc/{name}/stat")
        if text:
            with contextlib.suppress(ValueError, IndexError):
                children.setdefault(parse_ppid(text), []).append(int(name))
    return children


def parse_pss_kib(rollup_text: str) -> int | None:
    """The ``Pss`` of ``/proc/<pid>/smaps_rollup`` in KiB, or None when absent."""
    for line in rollup_text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return None


def _process_memory_kib(pid: int) -> int:
    """A process's proportional set size (each page it shares with its forked workers counted
    once over them all), or its ``VmRSS`` where the kernel has no ``smaps_rollup``."""
    pss = parse_pss_kib(_read_proc(f"/proc/{pid}/smaps_rollup") or "")
    if pss is not None:
        return pss
    return parse_vmrss_kib(_read_proc(f"/proc/{pid}/status") or "")


def tree_rss_kib(root: int) -> int:
    """The memory of ``root`` and its descendants now, in KiB: the sum of their proportional
    set sizes, so that pages forked workers share with their parent count once (summed
    ``VmRSS`` would count them in each)."""
    if _have_children_files():
        members = tree_members(root, _children_from_task_files)
    else:
        known = _children_map_from_stat()
        members = tree_members(root, lambda pid: known.get(pid, ()))
    return sum(_process_memory_kib(pid) for pid in members)


class TreeSampler:
    """Samples the resident memory of a process tree in a thread and keeps the peak."""

    def __init__(self, pid: int, interval: float = TREE_SAMPLE_INTERVAL) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-rss", daemon=True)

    @staticmethod
    def supported() -> bool:
        return sys.platform.startswith("linux") and os.path.exists("/proc/self/status")

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, tree_rss_kib(self.pid))
            if self._stop.wait(self.interval):
                return

    def stop(self) -> float:
        """Stop sampling; the peak in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024


# --- running and measuring a child ----------------------------------------------------------


@dataclass(frozen=True)
class ChildRun:
    wall: float  # from start to exit, as seen by this process
    cpu: float  # user + system of the child and of the children it waited for
    max_rss_mib: float  # the largest resident set of any process in that tree
    returncode: int
    out: bytes  # stdout, as written
    err: bytes
    # CPUs kept busy on average by other processes meanwhile (None where unknown)
    others_busy: float | None
    # the peak of the summed resident sets of the whole tree (None where not sampled)
    tree_peak_mib: float | None = None
    # asynclint's code fingerprint during the run (None: it changed while the child ran)
    code: str | None = None

    @property
    def stdout(self) -> str:
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return self.err.decode("utf-8", "replace")


def _max_rss_mib(max_rss: int) -> float:
    # ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS.
    return max_rss / (1024 * 1024) if sys.platform == "darwin" else max_rss / 1024


def busy_cpu_seconds() -> float | None:
    """CPU time the whole machine has spent busy since boot (Linux), else None."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 9:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_child(
    argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> ChildRun:
    """Run ``argv`` to completion and return its own resource usage (from ``os.wait4``, not
    the cumulative ``RUSAGE_CHILDREN`` of this process). Output goes through temporary files,
    so a large report cannot block the child on a full pipe. Where it can, the memory of the
    child's whole process tree is sampled while it runs: the child is waited for without being
    reaped first (``waitid`` with ``WNOWAIT``), so its pid cannot be reused while sampled."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        code = code_fingerprint()
        busy_before = busy_cpu_seconds()
        start = time.perf_counter()
        env = dict(os.environ if env is None else env)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        process = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, env=env
        )
        sampling = TreeSampler.supported() and hasattr(os, "waitid")
        sampler = TreeSampler(process.pid) if sampling else None
        reaped = False
        tree_peak: float | None = None
        exited: float | None = None
        try:
            if sampler is not None:
                sampler.start()
                os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
                exited = time.perf_counter()
                tree_peak = sampler.stop()
            _, status, usage = os.wait4(process.pid, 0)
            reaped = True
        finally:
            if not reaped:  # interrupted: do not leave the child running
                process.kill()
                process.wait()
                if sampler is not None:
                    sampler.stop()
        wall = (time.perf_counter() if exited is None else exited) - start
        busy_after = busy_cpu_seconds()
        cpu = usage.ru_utime + usage.ru_stime
        others_busy = None
        # /proc/stat counts in clock ticks: too coarse for runs shorter than a second.
        if busy_before is not None and busy_after is not None and wall >= 1.0:
            others_busy = max(0.0, busy_after - busy_before - cpu) / wall
        process.returncode = os.waitstatus_to_exitcode(status)
        max_rss = _max_rss_mib(usage.ru_maxrss)
        if tree_peak is not None:  # a run shorter than the interval may fall between samples
            tree_peak = max(tree_peak, max_rss)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            wall=wall,
            cpu=cpu,
            max_rss_mib=max_rss,
            returncode=process.returncode,
            out=out.read(),
            err=err.read(),
            others_busy=others_busy,
            tree_peak_mib=tree_peak,
            code=code if code == code_fingerprint() else None,
        )


# --- files ----------------------------------------------------------------------------------


def evenly_spaced(items: Sequence[T], size: int) -> list[T]:
    """``size`` items spread evenly over ``items``, the first included (all when ``size`` is 0
    or more than there are)."""
    if size <= 0 or size >= len(items):
        return list(items)
    step = len(items) / size
    return [items[int(i * step)] for i in range(size)]


@dataclass(frozen=True)
class FileSet:
    files: list[Path]
    lines: int

    @classmethod
    def of(cls, files: list[Path]) -> FileSet:
        return cls(files, sum(count_lines(path) for path in files))

    def sample(self, size: int) -> FileSet:
        """``size`` files spread evenly over the list (all of them when ``size`` is 0)."""
        if size <= 0 or size >= len(self.files):
            return self
        return FileSet.of(evenly_spaced(self.files, size))


def count_lines(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def discover(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The files asynclint lints for ``paths`` (its own discovery), sorted, and the problems
    it reports on the way (missing paths, unreadable directories)."""
    from asynclint.config import ConfigFinder
    from asynclint.discovery import FileFinder

    finder = FileFinder(ConfigFinder())
    files = finder.find(paths)
    problems = [f"{p.path}: {p.message}" for p in finder.problems]
    return sorted(files, key=str), problems


def package_inits(
    selected: Iterable[PurePosixPath], exists: Callable[[PurePosixPath], bool]
) -> set[PurePosixPath]:
    """The ``__init__.py`` (or ``__init__.pyi``) of every folder above each selected file
    (relative paths) that has one: the packages those files sit in."""
    inits: set[PurePosixPath] = set()
    for path in selected:
        for folder in path.parents:
            if folder == PurePosixPath("."):
                break
            for name in ("__init__.py", "__init__.pyi"):
                candidate = folder / name
                if exists(candidate):
                    inits.add(candidate)
    return inits


def scale_subset(
    relative: Sequence[PurePosixPath],
    denominator: int,
    exists: Callable[[PurePosixPath], bool],
) -> list[PurePosixPath]:
    """An evenly spaced ``1/denominator`` of the files ``relative`` (sorted), with the package
    ``__init__`` files they need: the files of a project of its own, sorted."""
    chosen = evenly_spaced(relative, max(1, len(relative) // denominator))
    return sorted(set(chosen) | package_inits(chosen, exists))


def pick_one_file(root: Path, files: Sequence[Path], size_of: Callable[[Path], int]) -> Path:
    """A mid-sized module deep in a project's package, to lint alone: the median-size file
    in a folder of a ``components`` folder when there are some (Home Assistant's
    integrations), else the median-size one among the deeper half of the project's modules
    (no ``__init__``); never in tests, docs or examples when there is a choice."""
    relative = {path: PurePosixPath(path.relative_to(root).as_posix()) for path in files}
    package = [path for path, rel in relative.items() if not NOT_PACKAGE_CODE & set(rel.parts)]
    candidates = [path for path in package if "components" in relative[path].parts[:-2]]
    if not candidates:
        modules = [
            path for path in package if not relative[path].name.startswith("__init__.")
        ] or list(files)
        median_depth = statistics.median_low(len(relative[path].parts) for path in modules)
        candidates = [path for path in modules if len(relative[path].parts) >= median_depth]
    by_size = sorted(candidates, key=lambda path: (size_of(path), str(relative[path])))
    return by_size[(len(by_size) - 1) // 2]


def fit_exponent(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """``(k, c)`` of ``time ~ c * files ** k``, by least squares on ``log(time)`` against
    ``log(files)``. Needs two points or more with different, positive numbers of files."""
    usable = [(n, t) for n, t in points if n > 0 and t > 0]
    xs = [math.log(n) for n, _ in usable]
    ys = [math.log(t) for _, t in usable]
    if len(set(xs)) < 2:
        raise ValueError("the fit needs two or more different numbers of files")
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    k = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return k, math.exp(mean_y - k * mean_x)


def first_differences(a: bytes, b: bytes, limit: int = 3) -> list[str]:
    """The first ``limit`` lines where two outputs differ (none when they are identical), as
    ``line N: <a's line> | <b's line>`` with the lines' exact bytes shown."""
    if a == b:
        return []
    lines_a, lines_b = a.splitlines(keepends=True), b.splitlines(keepends=True)
    found: list[str] = []
    for index in range(max(len(lines_a), len(lines_b))):
        line_a = lines_a[index] if index < len(lines_a) else None
        line_b = lines_b[index] if index < len(lines_b) else None
        if line_a != line_b:
            found.append(f"line {index + 1}: {_shown(line_a)} | {_shown(line_b)}")
            if len(found) >= limit:
                break
    return found


def _shown(line: bytes | None, width: int = 120) -> str:
    if line is None:
        return "(no such line)"
    text = repr(line)[1:]  # b'...' -> '...'
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class Targets:
    """How to name a set of files on a child's command line: ``args`` run from ``cwd``."""

    args: list[str]
    cwd: Path | None = None

    @classmethod
    def explicit(cls, files: list[Path]) -> Targets:
        names = [str(path) for path in files]
        if sum(len(name) + 1 for name in names) <= ARGV_CHARS_LIMIT:
            return cls(names)
        absolute = [path.resolve() for path in files]
        common = Path(os.path.commonpath(absolute))
        if common in absolute:  # a single file
            common = common.parent
        return cls([str(path.relative_to(common)) for path in absolute], common)


# --- the one-file edit ------------------------------------------------------------------------


def restore_leftover_edit(backup: Path) -> str | None:
    """Put back the file a killed run left edited (from its backup); what was done, if
    anything."""
    if not backup.exists():
        return None
    try:
        saved = json.loads(backup.read_text(encoding="utf-8"))
        path = Path(saved["path"])
        data = base64.b64decode(saved["data"])
        times = (int(saved["atime_ns"]), int(saved["mtime_ns"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"could not read the edit backup {backup} ({error}); left as it is"
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    os.utime(path, ns=times)
    backup.unlink()
    return f"restored {path} from the backup a killed run left ({backup})"


@contextlib.contextmanager
def edited(path: Path, suffix: bytes, backup: Path) -> Iterator[None]:
    """``path`` with ``suffix`` appended, for the time of the block; then its exact bytes and
    times again. The original is kept in ``backup`` meanwhile, written before the edit."""
    original = path.read_bytes()
    info = path.stat()
    saved = {
        "path": str(path.resolve()),
        "atime_ns": info.st_atime_ns,
        "mtime_ns": info.st_mtime_ns,
        "data": base64.b64encode(original).decode("ascii"),
    }
    backup.parent.mkdir(parents=True, exist_ok=True)
    partial = backup.with_name(backup.name + ".partial")
    partial.write_text(json.dumps(saved), encoding="utf-8")
    os.replace(partial, backup)  # the backup is whole, or absent
    try:
        path.write_bytes(original + suffix)
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        backup.unlink(missing_ok=True)


# --- rows and targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An upper bound on a value of a row (met when the value is no more than ``limit``)."""

    label: str
    limit: float
    value: Callable[[], float | None]
    shown: str = "{:.2f}"  # how the value reads

    def measured(self) -> float | None:
        return self.value()

    def met(self) -> bool | None:
        value = self.value()
        return None if value is None else value <= self.limit

    def verdict(self) -> str:
        value = self.value()
        if value is None:
            return "not measured"
        ratio = value / self.limit
        return (
            f"{self.shown.format(value)}, ratio {ratio:.2f}: {'met' if ratio <= 1 else 'NOT met'}"
        )


@dataclass
class Row:
    name: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    tree: list[float] = field(default_factory=list)  # peak of the whole process tree, MiB
    files: int | None = 0
    lines: int | None = 0
    findings: int | None = None
    notes: list[str] = field(default_factory=list)
    process_walls: list[float] = field(default_factory=list)  # whole child, when it differs
    others_busy: list[float] = field(default_factory=list)
    extrapolated: bool = False
    on_corpus: bool = False  # timed on the corpus: comparable with the bare parse
    targets: list[Target] = field(default_factory=list)
    check: str | None = None  # the result of a check that times nothing
    passed: bool | None = None  # whether that check passed
    failed: int = 0  # runs that gave no usable result
    codes: set[str | None] = field(default_factory=set)  # asynclint's code in each run

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def median_wall(self) -> float | None:
        return self.wall if self.walls else None

    def max_tree(self) -> float | None:
        return max(self.tree) if self.tree else None

    def add(self, wall: float, cpu: float, run: ChildRun) -> None:
        self.codes.add(run.code)
        if run.code is None:
            self.note(f"{self.name}: asynclint's code changed while it ran")
        elif len(self.codes - {None}) > 1:
            self.note(f"{self.name}: its runs are of different versions of asynclint's code")
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.rss.append(run.max_rss_mib)
        if run.tree_peak_mib is not None:
            self.tree.append(run.tree_peak_mib)
        if run.others_busy is not None:
            self.others_busy.append(run.others_busy)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def fail(self, text: str) -> None:
        self.failed += 1
        self.note(text)

    def shown(self) -> bool:
        return bool(self.walls or self.check or self.targets or self.notes)


def wall_under(row: Row, limit: float) -> Target:
    return Target(f"wall < {limit:g} s", limit, row.median_wall, "{:.2f} s")


def tree_under_mb(row: Row, limit_mb: float) -> Target:
    limit_mib = limit_mb * 1e6 / 2**20
    return Target(
        f"tree < {limit_mb:g} MB ({limit_mib:.0f} MiB)", limit_mib, row.max_tree, "{:.0f} MiB"
    )


def _failure(run: ChildRun) -> str:
    tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
    return f"exit {run.returncode}: " + " | ".join(tail)


_STARTED = time.monotonic()


def progress(text: str) -> None:
    """A line on stderr as a measurement starts (with the time since the benchmark began)."""
    elapsed = time.monotonic() - _STARTED
    print(f"  [{elapsed // 60:3.0f}:{elapsed % 60:02.0f}] {text} ...", file=sys.stderr, flush=True)


# --- measurements ---------------------------------------------------------------------------


def measure_parse(row: Row, file_list: Path, tuned_gc: bool) -> None:
    argv = [sys.executable, str(Path(__file__).resolve()), "--_parse-only", str(file_list)]
    if tuned_gc:
        argv.append("--tuned-parse")
    run = run_child(argv)
    try:
        result = json.loads(run.stdout)
    except json.JSONDecodeError:
        row.fail(f"bare parse failed ({_failure(run)})")
        return
    row.add(result["wall"], result["cpu"], run)
    row.process_walls.append(run.wall)
    if result["failed"] or result["unreadable"]:
        row.note(
            f"bare parse: files skipped: {result['failed']} did not parse, "
            f"{result['unreadable']} could not be read or decoded"
        )


def asynclint_command() -> list[str]:
    script = Path(sys.executable).parent / ("asynclint.exe" if os.name == "nt" else "asynclint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "asynclint"]


def lint_argv(
    args: Sequence[str],
    *,
    jobs: int | None,
    cache: Path | None,
    output_format: str = "json",
    exit_zero: bool = True,
    select_all: bool = True,
) -> list[str]:
    """The asynclint command line: ``cache`` None for ``--no-cache``, else the ``--cache-dir``;
    ``jobs`` None for asynclint's default."""
    argv = [*asynclint_command()]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    argv += ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    argv.append("--quiet")
    if exit_zero:
        argv.append("--exit-zero")
    if select_all:
        argv += ["--select", "ALL"]  # every rule, those off by default (AL4xx) included
    return [*argv, "--output-format", output_format, *args]


def measure_lint(
    row: Row, targets: Targets, jobs: int | None, cache: Path | None = None
) -> ChildRun | None:
    """One timed run of asynclint with a JSON report; the run, when it gave one."""
    run = run_child(lint_argv(targets.args, jobs=jobs, cache=cache), cwd=targets.cwd)
    try:
        findings = len(json.loads(run.stdout))
    except json.JSONDecodeError:
        row.fail(f"{row.name}: no JSON report ({_failure(run)})")
        return None
    row.add(run.wall, run.cpu, run)
    row.findings = findings
    errors = [line for line in run.stderr.splitlines() if line.startswith("asynclint:")]
    if errors:
        row.note(f"{row.name}: error lines on stderr: {len(errors)}, e.g. {errors[0]}")
    return run


def ruff_command() -> list[str] | None:
    script = Path(sys.executable).parent / "ruff"
    if script.exists():
        return [str(script)]
    found = shutil.which("ruff")
    return [found] if found else None


def measure_ruff(row: Row, command: list[str], targets: Targets) -> None:
    argv = [
        *command,
        "check",
        "--isolated",
        "--select",
        "ASYNC,RUF006",
        "--no-cache",
        "--exit-zero",
        "-q",
        "--output-format",
        "json",
        *targets.args,
    ]
    run = run_child(argv, cwd=targets.cwd, env={**os.environ, "RAYON_NUM_THREADS": "1"})
    try:
        findings = len(json.loads(run.stdout or "[]"))
    except json.JSONDecodeError:
        row.fail(f"ruff failed ({_failure(run)})")
        return
    row.add(run.wall, run.cpu, run)
    row.findings = findings


def flake8_async_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("flake8", "flake8_async"))


def measure_flake8(row: Row, targets: Targets) -> None:
    argv = [
        sys.executable,
        "-m",
        "flake8",
        "--isolated",
        "-j1",
        "--select",
        "ASYNC",
        "--exit-zero",
        *targets.args,
    ]
    run = run_child(argv, cwd=targets.cwd)
    if run.returncode != 0:
        row.fail(f"flake8 failed ({_failure(run)})")
        return
    row.add(run.wall, run.cpu, run)
    row.findings = sum(1 for line in run.stdout.splitlines() if line.strip())


# --- temporary folders and caches -------------------------------------------------------------


class Scratch:
    """The temporary folders of one run, all under one directory removed at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made = 0

    def fresh(self, stem: str) -> Path:
        self._made += 1
        path = self.root / f"{stem}-{self._made}"
        path.mkdir()
        return path


@dataclass
class CacheSlot:
    """The cache folder of the latest cache-filling run of one set of files."""

    scratch: Scratch
    stem: str
    folder: Path | None = None
    filled: bool = False
    code: str | None = None  # asynclint's code when it was filled

    def renew(self) -> Path:
        """A new empty folder (the previous one is removed)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = self.scratch.fresh(self.stem)
        self.filled = False
        self.code = None
        return self.folder

    def check_warm(self, row: Row, run: ChildRun | None) -> None:
        """Note on ``row`` when ``run`` was not of the code that filled the cache."""
        if run is not None and (run.code is None or run.code != self.code):
            row.note(
                f"{row.name}: asynclint's code changed since the cache was filled: "
                "that run may not have been warm"
            )


Step = tuple[str, Callable[[], None]]


# --- the corpus: cold, warm, identity -------------------------------------------------------


@dataclass
class CorpusCache:
    """The runs of the corpus with and without the cache, and the reports they gave."""

    row_fill: Row
    row_warm: Row
    slot: CacheSlot
    cold: ChildRun | None = None  # the latest --no-cache run with N jobs (JSON)
    fill: ChildRun | None = None
    warm: ChildRun | None = None


def fill_step(row: Row, targets: Targets, jobs: int | None, slot: CacheSlot) -> ChildRun | None:
    run = measure_lint(row, targets, jobs, slot.renew())
    slot.filled = run is not None and run.returncode == 0
    slot.code = run.code if run is not None else None
    return run


def warm_step(row: Row, targets: Targets, jobs: int | None, slot: CacheSlot) -> ChildRun | None:
    if not slot.filled or slot.folder is None:
        row.note(f"{row.name}: skipped, the cache-filling run failed")
        return None
    run = measure_lint(row, targets, jobs, slot.folder)
    slot.check_warm(row, run)
    return run


def compare_runs(row: Row, cold: ChildRun | None, warm: ChildRun | None, status: bool) -> None:
    """Fill ``row``'s check: the two reports byte for byte (and the exit statuses)."""
    if cold is None or warm is None:
        row.check, row.passed = "not measured (a run failed)", None
        return
    for label, run in (("--no-cache", cold), ("cached", warm)):
        if not status and run.returncode != 0:  # with --exit-zero: a crash
            row.note(f"{row.name}: the {label} run failed ({_failure(run)})")
    differences = first_differences(cold.out, warm.out)
    status_differs = status and cold.returncode != warm.returncode
    if not differences and not status_differs:
        row.check = "identical" + (f" (exit {cold.returncode})" if status else "")
        row.passed = True
    else:
        parts = []
        if status_differs:
            parts.append(f"exit {cold.returncode} vs {warm.returncode}")
        if differences:
            parts.append(f"{len(cold.out)} vs {len(warm.out)} bytes")
        row.check, row.passed = "DIFFERENT: " + ", ".join(parts), False
        for line in differences:
            row.note(f"{row.name}: {line}")
    if cold.code is None or cold.code != warm.code:
        row.check += ", inconclusive: asynclint's code changed between the runs"
        row.passed = None


def check_identity(
    corpus: CorpusCache, targets: Targets, jobs: int, files: int, lines: int
) -> list[Row]:
    """The reports of ``--no-cache`` and of the warm cache, byte for byte, in each format."""
    rows: list[Row] = []
    folder = corpus.slot.folder if corpus.slot.filled else None

    def run(output_format: str, cache: Path | None, exit_zero: bool = True) -> ChildRun:
        argv = lint_argv(
            targets.args, jobs=jobs, cache=cache, output_format=output_format, exit_zero=exit_zero
        )
        return run_child(argv, cwd=targets.cwd)

    for output_format in ("text", "json", "sarif"):
        row = Row(f"identity {output_format}: --no-cache vs warm", files=files, lines=lines)
        rows.append(row)
        if folder is None:
            row.check, row.passed = "not measured (no filled cache)", None
            continue
        if output_format == "json":  # the timed runs' own reports
            cold, warm = corpus.cold, corpus.warm
        else:
            progress(f"identity {output_format}: the --no-cache run")
            cold = run(output_format, None)
            progress(f"identity {output_format}: the warm run")
            warm = run(output_format, folder)
        compare_runs(row, cold, warm, status=False)
        corpus.slot.check_warm(row, warm)

    row = Row("identity json: --no-cache vs cache filling", files=files, lines=lines)
    rows.append(row)
    compare_runs(row, corpus.cold, corpus.fill, status=False)

    row = Row("identity text, exit status (no --exit-zero)", files=files, lines=lines)
    rows.append(row)
    if folder is None:
        row.check, row.passed = "not measured (no filled cache)", None
    else:
        progress("identity of the exit status: the --no-cache run")
        cold = run("text", None, exit_zero=False)
        progress("identity of the exit status: the warm run")
        warm = run("text", folder, exit_zero=False)
        compare_runs(row, cold, warm, status=True)
        corpus.slot.check_warm(row, warm)
    return rows


# --- the large project: cold, one file, scale -----------------------------------------------


def copy_subset(
    source: Path, relative: Sequence[PurePosixPath], denominator: int, destination: Path
) -> list[Path]:
    """Copy an evenly spaced ``1/denominator`` of the files (with their packages'
    ``__init__`` files and the ``pyproject.toml``) from ``source`` to ``destination``; the
    Python files copied."""
    chosen = scale_subset(relative, denominator, lambda rel: (source / rel).is_file())
    copied: list[Path] = []
    for rel in chosen:
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, target)
        copied.append(target)
    if (source / "pyproject.toml").is_file():
        shutil.copy2(source / "pyproject.toml", destination / "pyproject.toml")
    else:  # still a project of its own
        (destination / "pyproject.toml").write_text(
            f'[project]\nname = "{source.name}-subset"\n', encoding="utf-8"
        )
    return copied


@dataclass
class LargeProject:
    root: Path
    files: list[Path]
    lines: int

    @property
    def name(self) -> str:
        return self.root.name


def choose_large_project(
    explicit: str | None, ha: Path | None, candidates: Sequence[Path]
) -> Path | None:
    """``--large-project``, else Home Assistant, else the candidate with the most files."""
    if explicit:
        return Path(explicit)
    if ha is not None:
        return ha
    sized = []
    for folder in candidates:
        if folder.is_dir():
            found, _ = discover([str(folder)])
            sized.append((len(found), folder.name, folder))
    return max(sized)[2] if sized else None


def plan_large(
    project: LargeProject,
    scratch: Scratch,
    jobs: int,
    one_file: bool,
    scale: bool,
    is_ha: bool,
) -> tuple[list[Step], list[Row], Callable[[], list[Row]]]:
    """The steps of one round of the large project's measurements, their rows, and what
    makes the rows of the results known only at the end (the fitted exponent)."""
    name, count = project.name, len(project.files)
    whole = Targets([str(project.root)])
    slot = CacheSlot(scratch, f"cache-{name}")
    steps: list[Step] = []
    rows: list[Row] = []

    fill = Row(f"{name} cold, --jobs {jobs}, filling a cache", files=count, lines=project.lines)
    fill.targets = [
        wall_under(fill, LARGE_COLD_WALL_TARGET),
        tree_under_mb(fill, LARGE_TREE_PEAK_TARGET_MB),
    ]
    if not is_ha:
        fill.note(f"{name}: the cold targets are set for {HOME_ASSISTANT}, not for {name}")
    rows.append(fill)

    def cold_fill() -> None:
        fill_step(fill, whole, jobs, slot)

    steps.append((fill.name, cold_fill))

    if one_file:
        chosen = pick_one_file(project.root, project.files, lambda path: path.stat().st_size)
        shown = chosen.relative_to(project.root).as_posix()
        one_lines = count_lines(chosen)
        single = Targets([str(chosen)])
        warm = Row(f"{name} one file, warm cache", files=1, lines=one_lines)
        warm.targets = [wall_under(warm, ONE_FILE_WARM_TARGET)]
        warm.note(
            f"one file: {shown} ({chosen.stat().st_size:,} bytes, {one_lines} lines), "
            "default --jobs, on the cache of the cold run"
        )
        changed = Row(f"{name} one file, edited", files=1, lines=one_lines)
        changed.targets = [wall_under(changed, ONE_FILE_EDITED_TARGET)]
        changed.note(f"edited: {EDIT_LINE!r} appended, then the file's bytes and times restored")
        rows += [warm, changed]
        edits = iter(range(1, 1_000_000))

        def one_warm() -> None:
            warm_step(warm, single, None, slot)

        def one_edited() -> None:
            if not slot.filled or slot.folder is None:
                changed.note(f"{changed.name}: skipped, the cache-filling run failed")
                return
            # A new comment each round: the edited bytes are never in the cache already.
            suffix = f"\n{EDIT_LINE} {next(edits)}\n".encode()
            with edited(chosen, suffix, edit_backup_path()):
                slot.check_warm(changed, measure_lint(changed, single, None, slot.folder))

        steps += [(warm.name, one_warm), (changed.name, one_edited)]

    cold = Row(f"{name} cold, --jobs {jobs}, --no-cache", files=count, lines=project.lines)
    cold.targets = [
        wall_under(cold, LARGE_COLD_WALL_TARGET),
        tree_under_mb(cold, LARGE_TREE_PEAK_TARGET_MB),
    ]
    rows.append(cold)

    def cold_no_cache() -> None:
        measure_lint(cold, whole, jobs)

    steps.append((cold.name, cold_no_cache))

    scale_rows: list[Row] = []
    if scale:
        relative = [PurePosixPath(p.relative_to(project.root).as_posix()) for p in project.files]
        for denominator in SCALE_DENOMINATORS:
            progress(f"copying 1/{denominator} of {name} into a project of its own")
            copy_root = scratch.fresh(f"scale-1of{denominator}") / name
            copied = copy_subset(project.root, relative, denominator, copy_root)
            row = Row(
                f"{name} 1/{denominator} (own project), --jobs {jobs}, --no-cache",
                files=len(copied),
                lines=FileSet.of(copied).lines,
            )
            rows.append(row)
            scale_rows.append(row)

            def scale_run(row: Row = row, copy_root: Path = copy_root) -> None:
                measure_lint(row, Targets([str(copy_root)]), jobs)

            steps.append((row.name, scale_run))

    def results() -> list[Row]:
        if not scale:
            return []
        row = Row(f"{name} scale: wall ~ c * files^k", files=None, lines=None)
        timed = [r for r in [*scale_rows, cold] if r.walls and r.files]
        points = [(float(r.files or 0), r.wall) for r in timed]
        cpu_points = [(float(r.files or 0), r.cpu) for r in timed]
        try:
            k, c = fit_exponent(points)
        except ValueError:
            row.check, row.passed = "not measured (fewer than two sizes timed)", None
            return [row]
        row.targets = [Target("k <= 1.1", SCALE_EXPONENT_TARGET, lambda: k, "k={:.2f}")]
        row.note(
            f"{row.name}: points (files, wall s): "
            + ", ".join(f"({n:.0f}, {t:.2f})" for n, t in points)
            + f"; c = {c:.4f} s; the last point is the whole project"
        )
        with contextlib.suppress(ValueError):
            k_cpu, _ = fit_exponent(cpu_points)
            row.note(f"{row.name}: the same fit of CPU time gives k = {k_cpu:.2f}")
        return [row]

    return steps, rows, results


# --- the stale-cache check ------------------------------------------------------------------

STALE_B_ASYNC = "async def helper():\n    return 1\n"
STALE_B_SYNC = "def helper():\n    return 1\n"
STALE_B_HARMLESS = (
    "# a comment, and a function nobody calls\n"
    "async def helper():\n    return 1\n\n\ndef unrelated():\n    return 2\n"
)
STALE_A = "from pkg.b import helper\n\n\nasync def main():\n    helper()\n"


def findings_in(report: str, file_name: str) -> int | None:
    """How many findings of a JSON report are in a file of that name (None: no report)."""
    try:
        findings = json.loads(report)
    except json.JSONDecodeError:
        return None
    return sum(1 for f in findings if Path(f.get("filename", "")).name == file_name)


def stale_cache_check(scratch: Scratch) -> list[Row]:
    """A finding in ``a.py`` that depends on ``b.py``, through edits of ``b.py``: with a cache
    kept from run to run, each answer must be the ``--no-cache`` one, byte for byte."""
    root = scratch.fresh("stale") / "stale"
    cache = scratch.fresh("cache-stale")
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "stale"\n', encoding="utf-8")
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "a.py").write_text(STALE_A, encoding="utf-8")
    b = root / "pkg" / "b.py"
    steps = [
        ("async helper, cache filled", STALE_B_ASYNC, 1),
        ("async helper, warm", STALE_B_ASYNC, 1),
        ("helper made sync", STALE_B_SYNC, 0),
        ("helper async again", STALE_B_ASYNC, 1),
        ("b.py edited harmlessly", STALE_B_HARMLESS, 1),
    ]
    rows: list[Row] = []
    for label, text, expected in steps:
        progress(f"stale-cache check: {label}")
        b.write_text(text, encoding="utf-8")
        row = Row(f"stale cache: {label}", files=3, lines=None)
        rows.append(row)
        cached = run_child(
            lint_argv([str(root)], jobs=None, cache=cache, select_all=False), cwd=root
        )
        fresh = run_child(lint_argv([str(root)], jobs=None, cache=None, select_all=False), cwd=root)
        row.add(cached.wall, cached.cpu, cached)
        count = findings_in(cached.stdout, "a.py")
        row.findings = count
        same = cached.out == fresh.out
        row.passed = count == expected and same
        verdict = "pass" if row.passed else "FAIL"
        row.check = f"{verdict}: {count} in a.py (expected {expected})"
        if not same:
            row.check += "; differs from --no-cache"
        if count is None:
            row.note(f"{row.name}: no JSON report ({_failure(cached)})")
        for line in first_differences(fresh.out, cached.out):
            row.note(f"{row.name}: --no-cache | cached: {line}")
    return rows


# --- report ---------------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def print_environment(jobs: int) -> None:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}, "
        f"{sys.executable}); libcst {_version('libcst')}; asynclint {_version('asynclint')}; "
        f"{platform.system()} {platform.machine()}; CPUs: {os.cpu_count()} "
        f"({usable} usable); --jobs {jobs}; bytecode cache on",
        flush=True,
    )


def table_lines(rows: list[Row], parse_wall: float | None, all_files: int) -> list[str]:
    """The table of every row that has something to show. The ``x parse`` column is filled
    only for rows timed on the whole corpus."""
    header = [
        "measurement",
        "files",
        "lines",
        "wall s",
        "CPU s",
        "RSS MiB",
        "tree MiB",
        "lines/s",
        "x parse",
        "findings",
        "target",
        "ratio / verdict",
    ]
    table = [header]
    for row in rows:
        if not row.shown():
            continue
        mark = "~" if row.extrapolated else ""
        timed = bool(row.walls)
        verdicts = [target.verdict() for target in row.targets]
        if row.check:
            verdicts.insert(0, row.check)
        if row.failed:
            runs = "run" if row.failed == 1 else "runs"
            verdicts.insert(0, f"{row.failed} {runs} FAILED (see the notes)")
        table.append(
            [
                row.name,
                "-" if row.files is None else str(row.files),
                "-" if row.lines is None else str(row.lines),
                f"{mark}{row.wall:.2f}" if timed else "-",
                f"{mark}{row.cpu:.2f}" if timed else "-",
                f"{max(row.rss):.0f}" if row.rss else "-",
                f"{max(row.tree):.0f}" if row.tree else "-",
                f"{row.lines / row.wall:,.0f}" if timed and row.lines and row.wall > 0 else "-",
                f"{mark}{row.wall / parse_wall:.2f}"
                if timed and parse_wall and row.on_corpus and row.files == all_files
                else "-",
                "-" if row.findings is None else str(row.findings),
                "; ".join(target.label for target in row.targets) or "-",
                "; ".join(verdicts) or "-",
            ]
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    text: list[str] = []
    for index, line in enumerate(table):
        cells = [
            cell.ljust(width) if column in (0, 10, 11) else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        text.append("  ".join(cells).rstrip())
        if index == 0:
            text.append("  ".join("-" * width for width in widths))
    return text


# --- main -----------------------------------------------------------------------------------


# The measurements that can be turned off (``--no-...``), each on by default.
_MODE_SWITCHES = (
    ("--large", "the large project's measurements: cold, one file, scale"),
    ("--warm", "the corpus with a cache: filling it, warm, output identity"),
    ("--identity", "compare the reports of --no-cache and warm runs byte for byte"),
    ("--one-file", "one file of the large project, warm and edited"),
    ("--scale", "1/8, 1/4, 1/2 of the large project and the fitted exponent"),
    ("--stale-check", "the stale-cache check on a two-module project"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time asynclint against a bare libcst.parse_module of the same files, "
        "its peers, and itself with its cache."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATHS",
        help=f"files and directories (default: the projects of the corpus, {default_corpus()}, "
        f"but {HOME_ASSISTANT})",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="worker processes for the parallel lint (default: 2)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per measurement; the median wall and CPU time are reported (default: 1)",
    )
    parser.add_argument(
        "--peers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time ruff and flake8-async when installed (default: on)",
    )
    parser.add_argument(
        "--limit", type=int, default=None, metavar="K", help="only the first K files (sorted)"
    )
    parser.add_argument(
        "--peer-limit",
        type=int,
        default=300,
        metavar="K",
        help="run flake8-async on K files spread over the set and extrapolate "
        "(0: all files; default: 300)",
    )
    parser.add_argument(
        "--tuned-parse",
        action="store_true",
        help="give the bare parse the garbage-collector threshold asynclint's workers use",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: the {QUICK_PROJECTS} smallest corpus projects (unless PATHS are "
        f"given), the larger of them as the large project (unless --large-project), no "
        f"{HOME_ASSISTANT}, flake8-async on 50 files at most",
    )
    parser.add_argument(
        "--ha",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"use {HOME_ASSISTANT} as the large project when the corpus has it (default: on)",
    )
    parser.add_argument(
        "--large-project",
        metavar="DIR",
        help=f"the project for the one-file, cold and scale measurements (default: "
        f"{HOME_ASSISTANT}, else the project with the most files)",
    )
    for flag, what in _MODE_SWITCHES:
        parser.add_argument(
            flag, action=argparse.BooleanOptionalAction, default=True, help=f"{what} (default: on)"
        )
    parser.add_argument(
        "--_parse-only", dest="parse_only", metavar="FILELIST", help=argparse.SUPPRESS
    )
    return parser


def _terminate(signum: int, _frame: object) -> None:
    """SIGTERM as an exit: the ``finally`` blocks restore the edited file and remove the
    temporary folders."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.parse_only:
        parse_only(Path(args.parse_only), args.tuned_parse)
        return EXIT_OK
    jobs = max(1, args.jobs)
    repeat = max(1, args.repeat)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    code_at_start = code_fingerprint()
    restored = restore_leftover_edit(edit_backup_path())
    if restored:
        print(f"benchmark: {restored}", file=sys.stderr)

    corpus = default_corpus()
    projects = corpus_projects(corpus) if corpus.is_dir() else []
    ha = corpus / HOME_ASSISTANT
    ha_available = args.ha and not args.quick and ha.is_dir() and is_project_root(ha)
    peer_limit = min(args.peer_limit or 50, 50) if args.quick else args.peer_limit

    if args.paths:
        paths = list(args.paths)
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            print(f"benchmark: no such file or directory: {', '.join(missing)}", file=sys.stderr)
            return EXIT_MISSING_INPUT
    elif not projects:
        print(
            f"benchmark: the corpus is missing ({corpus}).\n"
            f"Fetch it with `{FETCH_HINT}` (from the repository root), or name files and "
            "directories to time.",
            file=sys.stderr,
        )
        return EXIT_MISSING_INPUT
    else:
        chosen = [p for p in projects if p.name != HOME_ASSISTANT]
        if args.quick:
            chosen = sorted(chosen, key=lambda p: (len(discover([str(p)])[0]), p.name))
            chosen = sorted(chosen[:QUICK_PROJECTS], key=lambda p: p.name)
        paths = [str(p) for p in chosen]

    files, problems = discover(paths)
    for problem in problems:
        print(f"benchmark: {problem}", file=sys.stderr)
    limited = args.limit is not None and args.limit < len(files)
    if limited:
        files = files[: max(0, args.limit)]
    if not files:
        print("benchmark: no Python files to time", file=sys.stderr)
        return EXIT_MISSING_INPUT
    file_set = FileSet.of(files)
    # Without --limit the lint discovers the very same files from the paths themselves.
    lint_targets = Targets.explicit(files) if limited else Targets(paths)
    explicit_targets = Targets.explicit(files)

    large: LargeProject | None = None
    if args.large:
        candidates = [Path(p) for p in paths if Path(p).is_dir()]
        root = choose_large_project(args.large_project, ha if ha_available else None, candidates)
        if root is None:
            print("benchmark: no project for the large-project measurements", file=sys.stderr)
        elif not root.is_dir():
            print(f"benchmark: no such directory: {root}", file=sys.stderr)
            return EXIT_MISSING_INPUT
        else:
            if not is_project_root(root):
                print(
                    f"benchmark: {root} has no {', '.join(PROJECT_MARKERS)}: asynclint indexes "
                    "only the files given there, not the whole project",
                    file=sys.stderr,
                )
            large_files, large_problems = discover([str(root)])
            for problem in large_problems:
                print(f"benchmark: {problem}", file=sys.stderr)
            if large_files:
                large = LargeProject(root, large_files, FileSet.of(large_files).lines)

    print_environment(jobs)
    print(
        f"files: {len(files)} ({file_set.lines:,} lines) from {', '.join(paths)}"
        + (f", first {len(files)} sorted" if limited else "")
        + f"; median of {repeat} run{'s' * (repeat != 1)} per measurement",
        flush=True,
    )
    if large is not None:
        print(
            f"large project: {large.root} ({len(large.files)} files, {large.lines:,} lines)",
            flush=True,
        )

    corpus_size = {"files": len(files), "lines": file_set.lines}
    parse = Row("bare parse, 1 process", **corpus_size, on_corpus=True)
    rows = [parse]
    steps: list[Step] = []
    lint_jobs = [1] if jobs == 1 else [1, jobs]
    late_rows: list[Callable[[], list[Row]]] = []
    with tempfile.TemporaryDirectory(prefix="asynclint-bench-") as scratch_dir:
        scratch = Scratch(Path(scratch_dir))
        file_list = Path(scratch_dir) / "files.txt"
        file_list.write_text("".join(f"{path.resolve()}\n" for path in files), encoding="utf-8")
        steps.append(("bare parse", lambda: measure_parse(parse, file_list, args.tuned_parse)))
        fill_row = Row(f"asynclint --jobs {jobs}, filling a cache", **corpus_size, on_corpus=True)
        warm_row = Row(f"asynclint --jobs {jobs}, warm cache", **corpus_size, on_corpus=True)
        cached = CorpusCache(fill_row, warm_row, CacheSlot(scratch, "cache-corpus"))
        lint_rows: dict[int, Row] = {}
        for n in lint_jobs:
            row = Row(f"asynclint --jobs {n}, --no-cache", **corpus_size, on_corpus=True)
            lint_rows[n] = row
            rows.append(row)

            def cold_step(row: Row = row, n: int = n) -> None:
                run = measure_lint(row, lint_targets, n)
                if n == jobs:
                    cached.cold = run

            steps.append((row.name, cold_step))

        if args.warm:
            rows += [fill_row, warm_row]

            def corpus_fill() -> None:
                cached.fill = fill_step(fill_row, lint_targets, jobs, cached.slot)

            def corpus_warm() -> None:
                cached.warm = warm_step(warm_row, lint_targets, jobs, cached.slot)

            steps += [(fill_row.name, corpus_fill), (warm_row.name, corpus_warm)]

        ruff_row: Row | None = None
        flake8_sample: FileSet | None = None
        flake8_row: Row | None = None
        if args.peers:
            ruff = ruff_command()
            if ruff is None:
                print(f"peer: ruff is not installed (to time it: {PEER_INSTALL_HINT})", flush=True)
            else:
                ruff_row = Row("ruff ASYNC,RUF006, 1 thread", **corpus_size, on_corpus=True)
                rows.append(ruff_row)
                steps.append(
                    (
                        ruff_row.name,
                        lambda row=ruff_row: measure_ruff(row, ruff, explicit_targets),
                    )
                )
            if not flake8_async_installed():
                print(
                    f"peer: flake8-async is not installed (to time it: {PEER_INSTALL_HINT})",
                    flush=True,
                )
            else:
                flake8_sample = file_set.sample(peer_limit)
                sampled = len(flake8_sample.files) < len(files)
                label = "flake8-async -j1"
                if sampled:
                    label += f" ({len(flake8_sample.files)}-file sample)"
                flake8_row = Row(
                    label,
                    files=len(flake8_sample.files),
                    lines=flake8_sample.lines,
                    on_corpus=True,
                )
                rows.append(flake8_row)
                sample_targets = Targets.explicit(flake8_sample.files)
                steps.append(
                    (
                        flake8_row.name,
                        lambda row=flake8_row: measure_flake8(row, sample_targets),
                    )
                )
        if args.warm:
            warm_row.targets = [wall_under(warm_row, WARM_WALL_TARGET)]

            def warm_vs_ruff() -> float | None:
                if ruff_row is None or not ruff_row.walls or not warm_row.walls:
                    return None
                return warm_row.wall / ruff_row.wall

            warm_row.targets.append(
                Target(
                    f"<= {WARM_VS_RUFF_TARGET:g}x ruff",
                    WARM_VS_RUFF_TARGET,
                    warm_vs_ruff,
                    "{:.2f}x ruff",
                )
            )

        if large is not None:
            large_steps, large_rows, large_results = plan_large(
                large,
                scratch,
                jobs,
                one_file=args.one_file,
                scale=args.scale,
                is_ha=large.root.resolve() == ha.resolve(),
            )
            steps += large_steps
            rows += large_rows
            late_rows.append(large_results)

        # Round-robin over the measurements so that drift in machine load hits all of them.
        for run in range(repeat):
            for name, step in steps:
                label = f" (run {run + 1}/{repeat})" if repeat > 1 else ""
                progress(f"timing {name}{label}")
                step()

        if args.warm and args.identity:
            rows += check_identity(cached, lint_targets, jobs, len(files), file_set.lines)
        for results in late_rows:
            rows += results()
        if args.stale_check:
            rows += stale_cache_check(scratch)

    if (
        flake8_row is not None
        and flake8_row.walls
        and flake8_sample is not None
        and flake8_sample.lines < file_set.lines
    ):
        scale = file_set.lines / flake8_sample.lines
        estimate = Row(
            "flake8-async -j1 (extrapolated)",
            walls=[flake8_row.wall * scale],
            cpus=[flake8_row.cpu * scale],
            files=len(files),
            lines=file_set.lines,
            extrapolated=True,
            on_corpus=True,
        )
        rows.insert(rows.index(flake8_row) + 1, estimate)

    lint = lint_rows[jobs]
    parse_wall = parse.wall if parse.walls else None
    lint.targets = [
        Target(
            "<= bare parse",
            1.0,
            lambda: lint.wall / parse_wall if parse_wall and lint.walls else None,
            "{:.2f}x parse",
        )
    ]
    print()
    for line in table_lines(rows, parse_wall, len(files)):
        print(line)
    print()
    print("wall: median of the runs; for the bare parse, the parsing alone (no start-up, reading).")
    print("CPU: user + system, worker processes included. RSS: the largest single process.")
    print(
        "tree: the peak memory of the child and all its descendants, sampled every "
        f"{TREE_SAMPLE_INTERVAL * 1000:.0f} ms (the sum of their proportional set sizes: "
        "pages shared with workers counted once)."
    )
    print("findings: each tool with its own rules. ratio: the value over the target's bound.")
    if any(row.extrapolated for row in rows):
        print(
            "~: extrapolated from the sample's lines per second, not measured "
            "(--peer-limit 0 runs flake8-async on every file)."
        )
    for row in rows:
        if row.process_walls:
            print(
                f"note: {row.name}: the whole child process took "
                f"{statistics.median(row.process_walls):.2f} s wall (start-up, reading, parsing)"
            )
        if len(row.walls) > 1:
            runs = ", ".join(f"{wall:.2f}" for wall in row.walls)
            print(f"note: {row.name}: wall s of each run: {runs}")
        for text in row.notes:
            print(f"note: {text}")

    disturbed = [row for row in rows if max(row.others_busy, default=0.0) >= OTHERS_BUSY_WARNING]
    if disturbed:
        busiest = max(max(row.others_busy) for row in disturbed)
        print(
            f"warning: other processes kept up to {busiest:.2f} CPUs busy during: "
            f"{'; '.join(row.name for row in disturbed)}. Wall times may be inflated (the "
            "parallel ones most): run again on an idle machine."
        )
    if parse_wall and lint.walls:
        ratio = lint.wall / parse_wall
        verdict = "met" if ratio <= 1.0 else "NOT met"
        print(
            f"target (lint with {jobs} jobs <= bare single-process parse): "
            f"{verdict} (ratio {ratio:.2f})"
        )
    else:
        print(
            f"target (lint with {jobs} jobs <= bare single-process parse): "
            "not measured (see the notes)"
        )
    if code_fingerprint() != code_at_start:
        print(
            "warning: asynclint's code changed while the benchmark ran: the measurements may be "
            "of different versions, and a cache filled by one version is cold for the next "
            "(see the notes)"
        )
    print_summary(rows)
    return EXIT_OK


def print_summary(rows: list[Row]) -> None:
    """One line: how many targets and checks passed, and which did not."""
    met = missed = unknown = 0
    failed: list[str] = []
    for row in rows:
        if row.failed:
            missed += 1
            failed.append(f"{row.name} ({row.failed} failed)")
        outcomes = [(target.label, target.met()) for target in row.targets]
        if row.check is not None:
            outcomes.append(("check", row.passed))
        for label, outcome in outcomes:
            if outcome is None:
                unknown += 1
            elif outcome:
                met += 1
            else:
                missed += 1
                failed.append(f"{row.name} ({label})")
    print(
        f"targets, checks and runs: {met} met, {missed} NOT met or failed, {unknown} not measured"
    )
    for name in failed:
        print(f"  NOT met: {name}")


if __name__ == "__main__":
    sys.exit(main())
