"""Generated programs: asynclint on thousands of valid programs nobody wrote, with every rule
and with every fix, must never crash and never hang.

    python tests/generated_programs.py [--count N] [--seed S] [--corpus DIR] [--no-ha]
        [--hypothesmith-share F] [--jobs J] [--batch B] [--file-timeout SECONDS] [--keep DIR]

The programs (``--count``, 10,000 by default; the same ``--seed`` gives the same programs)
come from two sources:

- ``hypothesmith``: programs generated from Python's grammar (``from_grammar``) and, a tenth
  of them, from LibCST's node types (``from_node``), drawn by Hypothesis from the seed;
- mutations of real files (``--corpus``, by default the corpus ``../shared/corpus/fetch.sh``
  downloads, Home Assistant included): one to three edits of one kind, at places drawn from
  the seed: an ``await`` removed, an ``await`` added before a call in a coroutine function,
  ``async`` added to or removed from a ``def``, ``with`` and ``async with`` swapped, a call
  wrapped in ``asyncio.create_task(...)`` (with ``import asyncio`` added when missing). The
  edits are made in the text, at the positions the standard library's ``ast`` gives, so the
  rest of the file (comments, layout) stays as it was.

A program is kept only if CPython compiles it (``compile``, which never runs it); the others
are counted as discarded, and mutants are drawn until there are ``--count`` programs. The kept
ones are written in batches of files to a temporary folder and linted there through the real
command, ``python -m asynclint``, twice per batch: with every rule (``--select ALL
--output-format json``), and with ``--fix --unsafe-fixes --diff``, each with a per-file time
budget (``--file-timeout``) and one cache folder for the whole run (so the summaries of the
standard library's modules are made once). What is counted:

- the findings per code;
- internal errors: any ``internal error`` line, any traceback, any exit status other than 0,
  1 and 2 (a killed process);
- timeouts: the files the budget abandoned (``not checked: ... (file-timeout)``), and hangs: a
  run that outlives a limit of its own (a minute, and two seconds a file);
- fixes whose result does not compile: those the linter caught (``fixing produced code that
  does not parse``) and any fixed file of the diff that CPython cannot compile;
- fixes refused: the linter left a file unchanged because a fix ``did not remove the
  finding`` or the edits overlapped (reported, not failures: nothing wrong was written);
- the files the project index could not read, and any other problem line.

The script exits with 1 when there is any internal error, timeout, hang or fix whose result
does not compile (the failures). The programs involved (those of refused fixes too) are copied
to ``--keep`` (default ``generated-failures`` in the working directory), with where each came
from. ``tests/test_generated_programs.py`` runs 200 of these programs, made from the fixtures,
in the test suite.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path.home() / ".cache" / "asynclint-corpus" / "src"
REPOSITORY = Path(__file__).resolve().parent.parent
# Files larger than this are not mutated (asynclint skips files over 2 MB anyway).
MAX_MUTATED_BYTES = 400_000
MUTATION_KINDS = ("remove-await", "add-await", "toggle-async", "swap-with", "create-task")
# How long one asynclint run over a batch may take before it counts as hung, in seconds per file
# (beyond a minute).
_BATCH_SECONDS_PER_FILE = 2.0


@dataclass(frozen=True)
class Program:
    """A generated program: its file name, where it came from, and its bytes."""

    name: str
    source: str  # "hypothesmith", "hypothesmith-node" or "mutation:<kind>"
    origin: str  # the corpus file mutated, or the seed it was drawn from
    data: bytes


@dataclass
class Tally:
    """What the runs over the programs found."""

    programs: Counter[str] = field(default_factory=Counter)  # kept, by source
    discarded: Counter[str] = field(default_factory=Counter)  # do not compile, by source
    findings: Counter[str] = field(default_factory=Counter)  # by code
    internal: list[str] = field(default_factory=list)  # the lines, or what happened
    timeouts: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    not_compiling: list[str] = field(default_factory=list)  # fixes whose result does not
    refused: list[str] = field(default_factory=list)  # fixes the linter did not apply
    unindexed: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    fixed_files: int = 0
    failing: set[str] = field(default_factory=set)  # names of the programs involved
    seconds: Counter[str] = field(default_factory=Counter)  # wall time by phase

    @property
    def failures(self) -> int:
        return sum(map(len, (self.internal, self.timeouts, self.hangs, self.not_compiling)))


# Generation: hypothesmith


def hypothesmith_sources(count: int, seed: int, from_node: bool = False) -> list[str]:
    """``count`` programs (at most; Hypothesis may run out) drawn by Hypothesis from ``seed``:
    the same seed gives the same programs."""
    import hypothesmith
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    strategy = hypothesmith.from_node() if from_node else hypothesmith.from_grammar()
    found: list[str] = []

    @with_seed(seed)
    @settings(
        database=None,
        max_examples=count,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(source: str) -> None:
        found.append(source)

    collect()
    return found[:count]


def _hypothesmith_chunk(job: tuple[int, int, bool]) -> list[str]:
    count, seed, from_node = job
    with warnings.catch_warnings():  # what CPython says of the odd code it compiles
        warnings.simplefilter("ignore", SyntaxWarning)
        return hypothesmith_sources(count, seed, from_node)


def hypothesmith_programs(
    count: int, seed: int, jobs: int = 1, node_share: float = 0.1
) -> Iterator[tuple[str, str]]:
    """(source kind, text) of ``count`` programs, ``node_share`` of them from LibCST's nodes
    (ten times slower to draw), in chunks of 100 drawn in ``jobs`` processes, each chunk from
    a seed of its own."""
    nodes = round(count * node_share)
    plan = [*_chunks(count - nodes, seed, False), *_chunks(nodes, seed + 1, True)]
    if jobs > 1 and len(plan) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            drawn = list(pool.map(_hypothesmith_chunk, plan))
    else:
        drawn = [_hypothesmith_chunk(job) for job in plan]
    for (_, _, from_node), texts in zip(plan, drawn, strict=True):
        kind = "hypothesmith-node" if from_node else "hypothesmith"
        yield from ((kind, text) for text in texts)


def _chunks(count: int, seed: int, from_node: bool, size: int = 100) -> list[tuple[int, int, bool]]:
    return [
        (min(size, count - start), seed * 100_003 + start, from_node)
        for start in range(0, count, size)
    ]


# Generation: mutations of real files


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` by ``new``."""

    start: int
    end: int
    new: str


class _Offsets:
    """Character offsets in a text of the (line, UTF-8 byte column) positions ``ast`` gives."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def at(self, line: int, column: int) -> int:
        text = self.lines[line - 1]
        return self.starts[line - 1] + len(text.encode("utf-8")[:column].decode("utf-8", "replace"))


def _async_bodies(tree: ast.Module) -> Iterator[ast.AST]:
    """Nodes inside a coroutine function's own body (not inside a nested def, class or
    lambda), where ``await`` is allowed."""

    def inside(node: ast.AST, in_async: bool) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.AsyncFunctionDef):
                yield from inside(child, True)
            elif isinstance(child, ast.FunctionDef | ast.Lambda | ast.ClassDef):
                yield from inside(child, False)
            else:
                if in_async:
                    yield child
                yield from inside(child, in_async)

    yield from inside(tree, False)


def _await_sites(tree: ast.Module, at: _Offsets, kind: str) -> list[list[Edit]]:
    if kind == "remove-await":
        starts = [_start(n, at) for n in ast.walk(tree) if isinstance(n, ast.Await)]
        keyword = re.compile(r"await\s*")
        found = [keyword.match(at.text, start) for start in starts]
        return [[Edit(m.start(), m.end(), "")] for m in found if m]
    awaited = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Await)}
    calls = [n for n in _async_bodies(tree) if isinstance(n, ast.Call) and id(n) not in awaited]
    if kind == "add-await":
        return [[Edit(_start(n, at), _start(n, at), "await ")] for n in calls]
    return [
        [
            Edit(_start(n, at), _start(n, at), "asyncio.create_task("),
            Edit(_end(n, at), _end(n, at), ")"),
        ]
        for n in calls
    ]


def _start(node: ast.AST, at: _Offsets) -> int:
    return at.at(node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _end(node: ast.AST, at: _Offsets) -> int:
    return at.at(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _keyword_sites(tree: ast.Module, at: _Offsets, kind: str) -> list[list[Edit]]:
    """``async`` toggled on a ``def``, or ``with`` and ``async with`` swapped."""
    sites = []
    if kind == "toggle-async":
        plain, marked = ast.FunctionDef, ast.AsyncFunctionDef
    else:
        plain, marked = ast.With, ast.AsyncWith
    for node in ast.walk(tree):
        if isinstance(node, plain):
            sites.append([Edit(_start(node, at), _start(node, at), "async ")])
        elif isinstance(node, marked):
            start = _start(node, at)
            found = re.compile(r"async\s+").match(at.text, start)
            if found:
                sites.append([Edit(start, found.end(), "")])
    return sites


def _import_asyncio(tree: ast.Module, at: _Offsets) -> list[Edit]:
    """``import asyncio`` before the first statement that is not the docstring or a
    ``__future__`` import, unless the module imports it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "asyncio" for a in node.names):
            return []
    for index, statement in enumerate(tree.body):
        docstring = index == 0 and isinstance(statement, ast.Expr)
        future = isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
        if not (docstring or future):
            first = min([statement.lineno, *(d.lineno for d in _decorators(statement))])
            return [Edit(at.starts[first - 1], at.starts[first - 1], "import asyncio\n")]
    return [Edit(len(at.text), len(at.text), "\nimport asyncio\n")]


def _decorators(statement: ast.stmt) -> list[ast.expr]:
    return list(getattr(statement, "decorator_list", []))


def mutation_sites(text: str, kind: str, tree: ast.Module | None = None) -> list[list[Edit]]:
    """The places ``kind`` can edit in ``text`` (parsed: ``tree``), each as the edits one
    mutation makes."""
    try:
        tree = tree or ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    at = _Offsets(text)
    if kind in ("remove-await", "add-await", "create-task"):
        return _await_sites(tree, at, kind)
    return _keyword_sites(tree, at, kind)


def mutate(text: str, rng: random.Random) -> tuple[str, str] | None:
    """(kind, mutated text) of one to three edits of one kind drawn by ``rng``; None when no
    kind applies to ``text``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    kinds = list(MUTATION_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        sites = mutation_sites(text, kind, tree)
        if not sites:
            continue
        chosen = rng.sample(sites, min(len(sites), rng.choice((1, 1, 2, 3))))
        edits = [edit for site in chosen for edit in site]
        if kind == "create-task":
            edits += _import_asyncio(tree, _Offsets(text))
        return kind, apply_edits(text, edits)
    return None


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with ``edits`` made (from the last to the first; insertions at the same
    place keep their order)."""
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[0]), reverse=True)
    for _, edit in ordered:
        text = text[: edit.start] + edit.new + text[edit.end :]
    return text


def python_files(folders: Sequence[Path]) -> list[Path]:
    """The ``.py`` files under ``folders``, sorted, not larger than ``MAX_MUTATED_BYTES``."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            try:
                if path.is_file() and 0 < path.stat().st_size <= MAX_MUTATED_BYTES:
                    found.append(path)
            except OSError:
                continue
    return found


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of Python source bytes, or None."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def mutated_programs(
    files: Sequence[Path], count: int, seed: int, jobs: int = 1, first: int = 0
) -> list[tuple[str, str, bytes, bool]]:
    """(kind, origin, bytes, whether CPython compiles it) of mutants number ``first`` to
    ``first + count`` (fewer if the files give none), made in ``jobs`` processes; each is
    drawn by a generator seeded with ``seed`` and its number."""
    stop = first + count
    plan = [(files, seed, start, min(start + 200, stop)) for start in range(first, stop, 200)]
    if jobs > 1 and len(plan) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return [m for made in pool.map(_mutants, plan) for m in made]
    return [m for job in plan for m in _mutants(job)]


def _mutants(job: tuple[Sequence[Path], int, int, int]) -> list[tuple[str, str, bytes, bool]]:
    files, seed, start, stop = job
    made = []
    for number in range(start, stop):
        found = _mutant(files, random.Random(f"{seed}:{number}"))
        if found is not None:
            made.append((*found, compiles(found[2])))
    return made


def _mutant(files: Sequence[Path], rng: random.Random) -> tuple[str, str, bytes] | None:
    """A mutant of a file drawn by ``rng``, in the file's own encoding (ten files tried)."""
    for _ in range(10 if files else 0):
        path = rng.choice(files)
        decoded = decode(path.read_bytes())
        mutant = mutate(decoded[0], rng) if decoded else None
        if mutant is None or decoded is None:
            continue
        try:
            return f"mutation:{mutant[0]}", str(path), mutant[1].encode(decoded[1])
        except UnicodeEncodeError:
            continue
    return None


# Programs


def compiles(data: bytes) -> bool:
    """Whether CPython compiles ``data`` (to bytecode, never run)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            compile(data, "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def make_programs(
    count: int,
    seed: int,
    files: Sequence[Path],
    share: float,
    jobs: int = 1,
    node_share: float = 0.1,
) -> tuple[list[Program], Counter[str]]:
    """``count`` programs that CPython compiles (``share`` of them from hypothesmith,
    ``node_share`` of those from LibCST's nodes; the rest mutations of ``files``, drawn until
    there are enough; all from hypothesmith without files), and how many of each source were
    discarded because CPython does not compile them."""
    drawn = round(count * share) if files else count
    programs: list[Program] = []
    discarded: Counter[str] = Counter()
    drawn_programs = hypothesmith_programs(drawn, seed, jobs, node_share)
    _keep(
        [(k, f"seed {seed}", *_compiled(t)) for k, t in drawn_programs], count, programs, discarded
    )
    first = 0
    while len(programs) < count and files and first < count * 5:
        wanted = (count - len(programs)) * 9 // 8 + 1
        _keep(mutated_programs(files, wanted, seed, jobs, first), count, programs, discarded)
        first += wanted
    return programs, discarded


def _compiled(text: str) -> tuple[bytes, bool]:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return b"", False
    return data, compiles(data)


def _keep(
    candidates: Iterable[tuple[str, str, bytes, bool]],
    count: int,
    programs: list[Program],
    discarded: Counter[str],
) -> None:
    """Add to ``programs`` the ``candidates`` (kind, origin, bytes, whether they compile)
    that compile, up to ``count`` programs; count the others in ``discarded``."""
    for kind, origin, data, ok in candidates:
        if len(programs) >= count:
            return
        if not ok:
            discarded[kind] += 1
            continue
        name = f"p{len(programs):05d}_{kind.split(':')[-1].replace('-', '_')}.py"
        programs.append(Program(name, kind, origin, data))


# Linting


# The exit status ``asynclint`` gives a run that outlived its time limit.
_HUNG = -1000


def asynclint(args: Sequence[str], timeout: float) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``python -m asynclint ARGS``; status ``_HUNG`` and a
    note for stderr when it outlives ``timeout`` seconds (it is killed)."""
    command = [sys.executable, "-m", "asynclint", *args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=REPOSITORY
        )
    except subprocess.TimeoutExpired:
        return _HUNG, "", f"hung: still running after {timeout:.0f} s: {' '.join(command)}"
    return done.returncode, done.stdout, done.stderr


def lint_options(jobs: int, file_timeout: float, cache: Path | None = None) -> list[str]:
    """Every rule, ``jobs`` processes, the time budget; the cache in ``cache`` (the summaries
    of the standard library's modules are then made once, not in every run), else none."""
    where = ["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]
    budget = ["--file-timeout", str(file_timeout)]
    return ["--select", "ALL", *where, "--jobs", str(jobs), *budget]


_PROBLEM = re.compile(r"asynclint: error: (?P<path>.+?): (?P<message>.*)$")
_FIX_REFUSED = ("did not remove the finding", "overlapping edits")


def read_stderr(stderr: str, status: int, folder: Path, tally: Tally) -> None:
    """Count the problems a run printed (and its exit status) in ``tally``."""
    if status == _HUNG:
        tally.hangs.append(f"{folder.name}: {stderr}")
        return
    if status not in (0, 1, 2):
        tally.internal.append(f"exit status {status}: {stderr.strip()[-2000:]}")
    if "Traceback (most recent call last)" in stderr:
        tally.internal.append(f"traceback: {stderr.strip()[-2000:]}")
    for line in stderr.splitlines():
        problem = _PROBLEM.match(line)
        if "could not be read for the project index" in line:
            tally.unindexed.append(line)
            tally.failing.update(re.findall(r"p\d{5}_\w+\.py", line))
        elif problem is None:
            continue
        elif "internal error" in line:
            tally.internal.append(line)
        elif "(file-timeout)" in line:
            tally.timeouts.append(line)
        elif "fixing produced code that does not parse" in line:
            tally.not_compiling.append(line)
        elif any(refused in line for refused in _FIX_REFUSED):
            tally.refused.append(line)
        else:
            tally.other.append(line)
        if problem is not None:
            tally.failing.add(Path(problem["path"]).name)


def lint_findings(
    folder: Path, jobs: int, file_timeout: float, tally: Tally, cache: Path | None = None
) -> None:
    """Lint the programs in ``folder`` with every rule; count the findings and problems."""
    files = len(list(folder.iterdir()))
    limit = 60 + files * _BATCH_SECONDS_PER_FILE
    args = [*lint_options(jobs, file_timeout, cache), "--output-format", "json", "--exit-zero"]
    status, out, err = asynclint([*args, str(folder)], limit)
    read_stderr(err, status, folder, tally)
    try:
        findings = json.loads(out) if out.strip() else []
    except json.JSONDecodeError:
        tally.internal.append(f"output that is not JSON: {out[:200]!r}")
        return
    tally.findings.update(f["code"] for f in findings)


def lint_fixes(
    folder: Path, jobs: int, file_timeout: float, tally: Tally, cache: Path | None = None
) -> None:
    """``--fix --unsafe-fixes --diff`` on ``folder``: count the problems, and the fixed files
    of the diff that CPython cannot compile."""
    files = len(list(folder.iterdir()))
    limit = 60 + files * _BATCH_SECONDS_PER_FILE
    args = [*lint_options(jobs, file_timeout, cache), "--fix", "--unsafe-fixes", "--diff"]
    status, out, err = asynclint([*args, str(folder)], limit)
    read_stderr(err, status, folder, tally)
    for name, fixed in patched_files(out, folder):
        tally.fixed_files += 1
        if fixed is None or not compiles(fixed.encode("utf-8")):
            tally.not_compiling.append(f"{name}: the fixed file does not compile")
            tally.failing.add(name)


def patched_files(diff: str, folder: Path) -> Iterator[tuple[str, str | None]]:
    """(file name, fixed text, None if the diff does not apply) of each file of a unified
    ``diff`` of files in ``folder``."""
    for name, hunks in _diff_files(diff):
        original = decode((folder / name).read_bytes())
        yield name, (patch(original[0], hunks) if original else None)


def _diff_files(diff: str) -> Iterator[tuple[str, list[list[str]]]]:
    name, hunks = None, []
    for line in diff.splitlines(keepends=True):
        if line.startswith("+++ b/"):
            if name is not None:
                yield name, hunks
            name, hunks = Path(line[6:].rstrip("\r\n")).name, []
        elif line.startswith("@@"):
            hunks.append([line])
        elif hunks and not line.startswith("--- a/"):
            hunks[-1].append(line)
    if name is not None:
        yield name, hunks


def patch(text: str, hunks: list[list[str]]) -> str | None:
    """``text`` with the ``hunks`` of a unified diff applied; None when they do not match."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for hunk in hunks:
        found = re.match(r"@@ -(\d+)(?:,(\d+))?", hunk[0])
        if found is None:
            return None
        line, size = int(found[1]), int(found[2] or 1)
        start = line if size == 0 else line - 1  # an empty range names the line before
        out.extend(lines[position:start])
        position = start
        for line in hunk[1:]:
            if line.startswith("\\"):
                continue
            if line[:1] in (" ", "-"):
                if position >= len(lines) or lines[position] != line[1:]:
                    return None
                position += 1
            if line[:1] in (" ", "+"):
                out.append(line[1:])
    out.extend(lines[position:])
    return "".join(out)


# The run


def write_batch(folder: Path, programs: Sequence[Program]) -> None:
    folder.mkdir(parents=True)
    for program in programs:
        (folder / program.name).write_bytes(program.data)


def lint_programs(
    programs: Sequence[Program], batch: int, jobs: int, file_timeout: float, tally: Tally
) -> None:
    """Lint ``programs`` in batches of ``batch`` files, with every rule, then with every fix."""
    with tempfile.TemporaryDirectory(prefix="asynclint-generated-") as scratch:
        cache = Path(scratch) / "cache"
        for number, start in enumerate(range(0, len(programs), batch)):
            folder = Path(scratch) / f"batch{number:03d}"
            write_batch(folder, programs[start : start + batch])
            began = time.perf_counter()
            lint_findings(folder, jobs, file_timeout, tally, cache)
            middle = time.perf_counter()
            lint_fixes(folder, jobs, file_timeout, tally, cache)
            tally.seconds["lint (every rule)"] += middle - began
            tally.seconds["lint (--fix --unsafe-fixes --diff)"] += time.perf_counter() - middle
            shutil.rmtree(folder)
            done = min(start + batch, len(programs))
            print(f"  {done:,} of {len(programs):,} programs linted", file=sys.stderr)


def keep_failures(programs: Sequence[Program], tally: Tally, keep: Path) -> None:
    """Copy the programs involved in a failure to ``keep``, with where each came from."""
    chosen = [p for p in programs if p.name in tally.failing]
    if not chosen:
        return
    keep.mkdir(parents=True, exist_ok=True)
    write_lines = []
    for program in chosen:
        (keep / program.name).write_bytes(program.data)
        write_lines.append(f"{program.name}\t{program.source}\t{program.origin}\n")
    (keep / "ORIGINS.tsv").write_text("".join(write_lines), encoding="utf-8")
    options = " ".join(lint_options(1, 60))
    print(
        f"programs involved: {keep} (rerun: python -m asynclint {options} FILE, and with "
        "--fix --unsafe-fixes --diff)",
        file=sys.stderr,
    )


def report(tally: Tally, wall: float) -> str:
    """The figures of a run, as text."""
    kept = sum(tally.programs.values())
    lines = [f"programs: {kept:,} (discarded, not compiling: {sum(tally.discarded.values()):,})"]
    for source in sorted(set(tally.programs) | set(tally.discarded)):
        kept_here, dropped = tally.programs[source], tally.discarded[source]
        lines.append(f"  {source:<28} {kept_here:>6,} kept {dropped:>6,} discarded")
    lines.append(f"findings: {sum(tally.findings.values()):,}")
    lines += [f"  {code} {count:>8,}" for code, count in sorted(tally.findings.items())]
    lines.append(f"files a fix changed (--diff): {tally.fixed_files:,}")
    for title, found in (
        ("internal errors", tally.internal),
        ("timeouts", tally.timeouts),
        ("hangs", tally.hangs),
        ("fixes whose result does not compile", tally.not_compiling),
        ("fixes refused (the file left unchanged)", tally.refused),
        ("not read by the project index", tally.unindexed),
        ("other problems", tally.other),
    ):
        lines.append(f"{title}: {len(found)}")
        lines += [f"  {line[:500]}" for line in found[:20]]
    lines.append("wall time: " + ", ".join(f"{k} {v:.0f} s" for k, v in tally.seconds.items()))
    lines.append(f"  total {wall:.0f} s ({kept / max(wall, 1e-9):.1f} programs per second)")
    return "\n".join(lines)


def run(options: argparse.Namespace) -> Tally:
    tally = Tally()
    began = time.perf_counter()
    folders = corpus_folders(options.corpus, options.no_ha) if options.corpus else []
    files = python_files(folders)
    programs, tally.discarded = make_programs(
        options.count, options.seed, files, options.hypothesmith_share, options.jobs
    )
    tally.programs.update(p.source for p in programs)
    tally.seconds["generation"] = time.perf_counter() - began
    print(f"{len(programs):,} programs made from {len(files):,} files", file=sys.stderr)
    lint_programs(programs, options.batch, options.jobs, options.file_timeout, tally)
    keep_failures(programs, tally, options.keep)
    return tally


def corpus_folders(corpus: Path, no_ha: bool) -> list[Path]:
    """The projects of the corpus (Home Assistant aside with ``no_ha``)."""
    if not corpus.is_dir():
        return []
    return [
        p
        for p in sorted(corpus.iterdir())
        if p.is_dir() and not (no_ha and p.name == "homeassistant")
    ]


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="programs (default 10,000)")
    parser.add_argument("--seed", type=int, default=20, help="the seed of everything drawn")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the real files to mutate")
    parser.add_argument("--no-ha", action="store_true", help="leave Home Assistant out")
    parser.add_argument(
        "--hypothesmith-share", type=float, default=0.2, help="share of hypothesmith programs"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch", type=int, default=1000, help="files per asynclint run")
    parser.add_argument("--file-timeout", type=float, default=60.0, help="asynclint's budget")
    parser.add_argument("--keep", type=Path, default=Path("generated-failures"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_arguments(argv)
    began = time.perf_counter()
    tally = run(options)
    print(report(tally, time.perf_counter() - began))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
