"""Benchmark: asynclint against a bare LibCST parse of the same files, in one run.

    python tests/benchmark.py [PATHS...] [--jobs N] [--repeat R] [--peers/--no-peers] [--limit K]

Every measurement runs in its own child process, so memory and garbage-collector state do not
carry over from one to the next; wall time, CPU time (user + system, worker processes
included) and peak RSS are those of that child:

1. bare parse: ``libcst.parse_module`` of every file in one process (only the parsing is
   timed; the files are read and decoded first);
2. the ``asynclint`` command with ``--jobs 1``;
3. the ``asynclint`` command with ``--jobs N``;
4. peers, when installed: ruff (ASYNC and RUF006, one thread) and flake8-async
   (``flake8 -j1 --select ASYNC``; by default on an evenly spaced sample of the files, with
   the whole-set time extrapolated from its lines per second).

The target is the lint with N jobs in no more wall time than the bare single-process parse.
This is a development script, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK, EXIT_MISSING_INPUT = 0, 2
FETCH_HINT = "../shared/corpus/fetch.sh"
PEER_INSTALL_HINT = "pip install ruff flake8 flake8-async"
# What asynclint's worker processes set before parsing (see asynclint.runner.prepare_process).
TUNED_GC_THRESHOLD = (100_000, 50, 100)
# Above this, explicit file lists are passed relative to their common directory.
ARGV_CHARS_LIMIT = 100_000
# Other processes busy on average on this many CPUs during a measurement make it suspect.
OTHERS_BUSY_WARNING = 0.1


def default_corpus() -> Path:
    root = os.environ.get("ASYNCLINT_CORPUS")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "asynclint-corpus"
    return base / "src"


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


# --- running and measuring a child ----------------------------------------------------------


@dataclass(frozen=True)
class ChildRun:
    wall: float  # from start to exit, as seen by this process
    cpu: float  # user + system of the child and of the children it waited for
    max_rss_mib: float  # the largest resident set of any process in that tree
    returncode: int
    stdout: str
    stderr: str
    # CPUs kept busy on average by other processes meanwhile (None where unknown)
    others_busy: float | None


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
    so a large report cannot block the child on a full pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy_before = busy_cpu_seconds()
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        busy_after = busy_cpu_seconds()
        cpu = usage.ru_utime + usage.ru_stime
        others_busy = None
        # /proc/stat counts in clock ticks: too coarse for runs shorter than a second.
        if busy_before is not None and busy_after is not None and wall >= 1.0:
            others_busy = max(0.0, busy_after - busy_before - cpu) / wall
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            wall=wall,
            cpu=cpu,
            max_rss_mib=_max_rss_mib(usage.ru_maxrss),
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            others_busy=others_busy,
        )


# --- files ----------------------------------------------------------------------------------


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
        step = len(self.files) / size
        return FileSet.of([self.files[int(i * step)] for i in range(size)])


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


# --- measurements ---------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    files: int = 0
    lines: int = 0
    findings: int | None = None
    notes: list[str] = field(default_factory=list)
    process_walls: list[float] = field(default_factory=list)  # whole child, when it differs
    others_busy: list[float] = field(default_factory=list)
    extrapolated: bool = False

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def add(self, wall: float, cpu: float, run: ChildRun) -> None:
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.rss.append(run.max_rss_mib)
        if run.others_busy is not None:
            self.others_busy.append(run.others_busy)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _failure(run: ChildRun) -> str:
    tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
    return f"exit {run.returncode}: " + " | ".join(tail)


def measure_parse(row: Row, file_list: Path, tuned_gc: bool) -> None:
    argv = [sys.executable, str(Path(__file__).resolve()), "--_parse-only", str(file_list)]
    if tuned_gc:
        argv.append("--tuned-parse")
    run = run_child(argv)
    try:
        result = json.loads(run.stdout)
    except json.JSONDecodeError:
        row.note(f"bare parse failed ({_failure(run)})")
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


def measure_lint(row: Row, targets: Targets, jobs: int) -> None:
    argv = [
        *asynclint_command(),
        "--jobs",
        str(jobs),
        "--quiet",
        "--exit-zero",
        "--select",
        "ALL",  # every rule, those off by default (AL4xx) included
        "--output-format",
        "json",
        *targets.args,
    ]
    run = run_child(argv, cwd=targets.cwd)
    try:
        findings = len(json.loads(run.stdout))
    except json.JSONDecodeError:
        row.note(f"{row.name}: no JSON report ({_failure(run)})")
        return
    row.add(run.wall, run.cpu, run)
    row.findings = findings
    errors = [line for line in run.stderr.splitlines() if line.startswith("asynclint:")]
    if errors:
        row.note(f"{row.name}: error lines on stderr: {len(errors)}, e.g. {errors[0]}")


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
        row.note(f"ruff failed ({_failure(run)})")
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
        row.note(f"flake8 failed ({_failure(run)})")
        return
    row.add(run.wall, run.cpu, run)
    row.findings = sum(1 for line in run.stdout.splitlines() if line.strip())


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
        f"({usable} usable); --jobs {jobs}",
        flush=True,
    )


def print_table(rows: list[Row], parse_wall: float | None, all_files: int) -> None:
    """The ``x parse`` column is left empty for rows timed on a sample of the files."""
    header = [
        "measurement",
        "wall s",
        "CPU s",
        "peak RSS MiB",
        "files",
        "lines",
        "lines/s",
        "x parse",
        "findings",
    ]
    table = [header]
    for row in rows:
        if not row.walls:
            continue
        mark = "~" if row.extrapolated else ""
        table.append(
            [
                row.name,
                f"{mark}{row.wall:.2f}",
                f"{mark}{row.cpu:.2f}",
                f"{max(row.rss):.0f}" if row.rss else "-",
                str(row.files),
                str(row.lines),
                f"{row.lines / row.wall:,.0f}" if row.wall > 0 else "-",
                f"{mark}{row.wall / parse_wall:.2f}"
                if parse_wall and row.files == all_files
                else "-",
                "-" if row.findings is None else str(row.findings),
            ]
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for index, line in enumerate(table):
        cells = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


# --- main -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time asynclint against a bare libcst.parse_module of the same files."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATHS",
        help=f"files and directories (default: the corpus, {default_corpus()})",
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
        "--_parse-only", dest="parse_only", metavar="FILELIST", help=argparse.SUPPRESS
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.parse_only:
        parse_only(Path(args.parse_only), args.tuned_parse)
        return EXIT_OK
    jobs = max(1, args.jobs)
    repeat = max(1, args.repeat)

    if args.paths:
        paths = list(args.paths)
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            print(f"benchmark: no such file or directory: {', '.join(missing)}", file=sys.stderr)
            return EXIT_MISSING_INPUT
    else:
        corpus = default_corpus()
        if not corpus.is_dir():
            print(
                f"benchmark: the corpus is missing ({corpus}).\n"
                f"Fetch it with `{FETCH_HINT}` (from the repository root), or name files and "
                "directories to time.",
                file=sys.stderr,
            )
            return EXIT_MISSING_INPUT
        paths = [str(corpus)]

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

    print_environment(jobs)
    print(
        f"files: {len(files)} ({file_set.lines:,} lines) from {', '.join(paths)}"
        + (f", first {len(files)} sorted" if limited else "")
        + f"; median of {repeat} run{'s' * (repeat != 1)} per measurement",
        flush=True,
    )

    parse = Row("bare parse, 1 process", files=len(files), lines=file_set.lines)
    rows = [parse]
    steps: list[tuple[str, Callable[[], None]]] = []
    lint_jobs = [1] if jobs == 1 else [1, jobs]
    with tempfile.TemporaryDirectory(prefix="asynclint-bench-") as scratch:
        file_list = Path(scratch) / "files.txt"
        file_list.write_text("".join(f"{path.resolve()}\n" for path in files), encoding="utf-8")
        steps.append(("bare parse", lambda: measure_parse(parse, file_list, args.tuned_parse)))
        lint_rows: dict[int, Row] = {}
        for n in lint_jobs:
            row = Row(f"asynclint --jobs {n}", files=len(files), lines=file_set.lines)
            lint_rows[n] = row
            rows.append(row)
            steps.append((row.name, lambda row=row, n=n: measure_lint(row, lint_targets, n)))

        flake8_sample: FileSet | None = None
        flake8_row: Row | None = None
        if args.peers:
            ruff = ruff_command()
            if ruff is None:
                print(f"peer: ruff is not installed (to time it: {PEER_INSTALL_HINT})", flush=True)
            else:
                row = Row("ruff ASYNC,RUF006, 1 thread", files=len(files), lines=file_set.lines)
                rows.append(row)
                steps.append((row.name, lambda row=row: measure_ruff(row, ruff, explicit_targets)))
            if not flake8_async_installed():
                print(
                    f"peer: flake8-async is not installed (to time it: {PEER_INSTALL_HINT})",
                    flush=True,
                )
            else:
                flake8_sample = file_set.sample(args.peer_limit)
                sampled = len(flake8_sample.files) < len(files)
                label = "flake8-async -j1"
                if sampled:
                    label += f" ({len(flake8_sample.files)}-file sample)"
                flake8_row = Row(
                    label,
                    files=len(flake8_sample.files),
                    lines=flake8_sample.lines,
                )
                rows.append(flake8_row)
                sample_targets = Targets.explicit(flake8_sample.files)
                steps.append(
                    (
                        flake8_row.name,
                        lambda row=flake8_row: measure_flake8(row, sample_targets),
                    )
                )

        # Round-robin over the measurements so that drift in machine load hits all of them.
        for run in range(repeat):
            for name, step in steps:
                label = f" (run {run + 1}/{repeat})" if repeat > 1 else ""
                print(f"  timing {name}{label} ...", file=sys.stderr, flush=True)
                step()

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
        )
        rows.append(estimate)

    print()
    parse_wall = parse.wall if parse.walls else None
    print_table(rows, parse_wall, len(files))
    print()
    print("wall: median of the runs; for the bare parse, the parsing alone (no start-up, reading).")
    print("CPU: user + system, worker processes included. peak RSS: the largest single process.")
    print("findings: each tool with its own rules.")
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
    lint = lint_rows[jobs]
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
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
