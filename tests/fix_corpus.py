"""Every fix over real code: apply ``--fix --unsafe-fixes`` to copies of the corpus's projects
and prove what a fix must keep.

    python tests/fix_corpus.py [--corpus DIR] [--project NAME ...] [--jobs N] [--diffs DIR]
        [--sample N] [--seed S] [--max-line 120] [--no-test-profile] [--keep] [--linter DIR]

For each project (by default every folder of the corpus, ``~/.cache/asynclint-corpus/src`` or
``$ASYNCLINT_CORPUS/src``), copied to a temporary folder (the corpus is never written), the real
command line runs four times with ``--select ALL`` and a temporary cache folder:

1. plain, ``--unsafe-fixes --output-format json``: the findings and which have a fix;
2. ``--fix --unsafe-fixes --show-fixes``: the fixes applied, by file and code, and its summary;
3. plain again, as 1;
4. ``--fix --unsafe-fixes`` again.

The linter run is a copy of this checkout's (or ``--linter DIR``'s, another checkout, to compare
before and after a change) taken as the script starts.

and checks, each failure counted by kind:

- ``compile``: every changed file compiles (``compile()``, which rejects an ``await`` outside a
  coroutine too) with the running Python, or with the newest Python found (``python3.12`` ...)
  when the running one cannot compile the original; and, when the project's target version
  (``requires-python``) is older than the running Python, ``ast.parse(feature_version=...)``
  accepts it wherever it accepts the original;
- ``not-fixed``, ``new-finding``, ``hidden-finding``: per file and code (lines shift, so findings
  are compared as counts), run 3 finds exactly run 1's findings less those run 2 fixed;
- ``fixed-without-fix``: run 2 fixed no more findings of a file and code than run 1 offered
  fixes for; ``fix-not-applied``: every fix run 1 offered was applied;
- ``fix-run-report``: the findings run 2 prints as remaining are those of run 3, and its
  ``Found N findings (F fixed, R remaining)`` says N = run 1's count, F = the fixes applied,
  R = run 3's count; ``fix-run-error``: run 2 exits 0 or 1 and writes nothing on standard error;
- ``not-idempotent``: run 4 changes no file and fixes nothing;
- ``encoding``, ``bom``, ``line-endings``, ``form-feeds``, ``mode``: a changed file keeps its
  coding cookie (and still decodes with it), byte-order mark, kinds of line break (a CRLF file
  stays CRLF), form feeds and permission bits; ``other-file``: only ``.py`` files change;
- ``scope``: a fix moves no call out of the ``with`` blocks that held it (a shielded cancel
  scope, a deadline): no block holds fewer calls after the fixes;
- ``layout``: a fix keeps a multi-line call's layout: no line of the fixed file's changed lines
  is longer than ``--max-line`` and longer than every line it replaces.

It prints per code the findings, the fixes offered (safe/unsafe) and applied, and the failures
by kind; every changed file's diff goes to ``--diffs DIR`` (``<project>/<path>.diff``, each hunk
headed by the findings of run 1 on its lines), and ``--sample N`` hunks, chosen at random
(``--seed``), to ``DIR/sample.txt`` for reading by hand. The exit status is 1 when any check
failed. A development script, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from asynclint.config import oldest_python  # noqa: E402

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

SOURCE_SUFFIXES = (".py", ".pyi")
FOUND = re.compile(r"^Found (\d+) findings? \((\d+) fixed, (\d+) remaining\)\.$", re.M)
FOUND_PLAIN = re.compile(r"^(?:Found (\d+) findings?\.|All checks passed!)$", re.M)
FIXED_FILE = re.compile(r"^- (.+):$")
FIXED_CODE = re.compile(r"^\s+(\d+) \u00d7 (AL\d+) ")
TEXT_FINDING = re.compile(r"^(.+?):(\d+):(\d+): (AL\d+) ", re.M)
COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)
NEWER_PYTHONS = ("3.14", "3.13", "3.12")


def default_corpus() -> Path:
    root = os.environ.get("ASYNCLINT_CORPUS")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "asynclint-corpus"
    return base / "src"


@dataclass
class Finding:
    path: str
    code: str
    line: int
    message: str
    fix: str | None  # "safe", "unsafe" or None


@dataclass
class Snapshot:
    """The bytes and permission bits of every file of a tree, by path relative to it."""

    files: dict[str, tuple[bytes, int]]

    @classmethod
    def take(cls, root: Path, skip: Path) -> Snapshot:
        files = {}
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if Path(folder, d) != skip]
            for name in names:
                path = Path(folder, name)
                if path.is_symlink() or not path.is_file():
                    continue
                digest = path.read_bytes() if name.endswith(SOURCE_SUFFIXES) else _digest(path)
                files[path.relative_to(root).as_posix()] = (digest, path.stat().st_mode)
        return cls(files)

    def changed(self, other: Snapshot) -> list[str]:
        keys = set(self.files) | set(other.files)
        return sorted(k for k in keys if self.files.get(k) != other.files.get(k))


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


@dataclass
class Totals:
    """What all projects add up to."""

    files: int = 0
    changed: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    safe: Counter[str] = field(default_factory=Counter)
    unsafe: Counter[str] = field(default_factory=Counter)
    applied: Counter[str] = field(default_factory=Counter)
    remaining: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # kind, project, what
    unchecked_compile: int = 0
    hunks: list[str] = field(default_factory=list)


def snapshot_linter(folder: Path, checkout: Path = REPO) -> Path:
    """A copy of a checkout's ``asynclint`` package (``rules/`` as its ``rules``), for every
    run to use the same code while the checkout may change."""
    package = folder / "asynclint"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(checkout / "asynclint", package, ignore=ignore)
    shutil.copytree(checkout / "rules", package / "rules", ignore=ignore)
    return folder


@dataclass
class Project:
    name: str
    root: Path  # the copy
    cache: Path
    jobs: int
    extra: list[str]
    totals: Totals
    linter: Path  # the folder that holds the ``asynclint`` package to run

    def fail(self, kind: str, what: str) -> None:
        self.totals.failures.append((kind, self.name, what))

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "asynclint", "--select", "ALL", "--color", "never"]
        if "file-timeout" in (self.linter / "asynclint" / "cli.py").read_text(encoding="utf-8"):
            command += ["--file-timeout", "0"]  # a loaded machine must not leave files unchecked
        command += ["--cache-dir", str(self.cache), "--jobs", str(self.jobs), *self.extra, *args]
        env = {**os.environ, "PYTHONPATH": str(self.linter), "NO_COLOR": "1"}
        return subprocess.run(
            [*command, "."], cwd=self.root, env=env, capture_output=True, text=True, check=False
        )

    def findings(self) -> list[Finding]:
        done = self.run("--unsafe-fixes", "--output-format", "json", "--exit-zero", "-q")
        if done.returncode != 0 or done.stderr.strip():
            self.fail("lint-run-error", f"exit {done.returncode}: {done.stderr.strip()[:300]}")
        if done.returncode != 0:
            return []
        out = []
        for item in json.loads(done.stdout or "[]"):
            fix = item.get("fix")
            path = (
                (self.root / item["filename"]).resolve().relative_to(self.root.resolve()).as_posix()
            )
            applicability = fix["applicability"] if fix else None
            line = item["location"]["row"]
            out.append(Finding(path, item["code"], line, item["message"], applicability))
        return out


def fixed_by_file(text: str) -> Counter[tuple[str, str]]:
    """``--show-fixes``' list: how many findings of each (file, code) were fixed."""
    fixed: Counter[tuple[str, str]] = Counter()
    current = None
    inside = False
    for line in text.splitlines():
        if line.startswith("Fixed ") and line.endswith(":"):
            inside = True
            continue
        if not inside:
            continue
        file_match, code_match = FIXED_FILE.match(line), FIXED_CODE.match(line)
        if file_match:
            current = file_match.group(1)
        elif code_match and current is not None:
            fixed[(current, code_match.group(2))] += int(code_match.group(1))
        elif line.strip() == "":
            inside = False
    return fixed


def counts(findings: Iterable[Finding]) -> Counter[tuple[str, str]]:
    return Counter((f.path, f.code) for f in findings)


def compare_findings(
    project: Project,
    before: list[Finding],
    fixed: Counter[tuple[str, str]],
    after: list[Finding],
) -> None:
    """Run 3's findings are run 1's less those run 2 fixed, per file and code."""
    was, now = counts(before), counts(after)
    offered = counts(f for f in before if f.fix is not None)
    for key in sorted(set(was) | set(now) | set(fixed)):
        path, code = key
        expected = was[key] - fixed[key]
        if fixed[key] > offered[key]:
            project.fail(
                "fixed-without-fix", f"{path}: {code} fixed {fixed[key]}, offered {offered[key]}"
            )
        if fixed[key] < offered[key]:
            project.fail("fix-not-applied", f"{path}: {code} fixed {fixed[key]} of {offered[key]}")
        if now[key] > expected:
            kind = "not-fixed" if fixed[key] and now[key] <= was[key] else "new-finding"
            lines = [f.line for f in after if (f.path, f.code) == key]
            project.fail(
                kind, f"{path}: {code} {now[key]} after, {expected} expected (lines {lines})"
            )
        elif now[key] < expected:
            lines = [f.line for f in before if (f.path, f.code) == key]
            project.fail(
                "hidden-finding",
                f"{path}: {code} {now[key]} after, {expected} expected (lines {lines})",
            )


def check_fix_run(
    project: Project,
    done: subprocess.CompletedProcess[str],
    before: list[Finding],
    fixed: Counter[tuple[str, str]],
    after: list[Finding],
) -> None:
    """Run 2's exit status, standard error, remaining findings and summary line."""
    if done.returncode not in (0, 1) or done.stderr.strip():
        project.fail("fix-run-error", f"exit {done.returncode}: {done.stderr.strip()[:500]}")
    printed = Counter(
        (Path(m.group(1)).as_posix().removeprefix("./"), m.group(4))
        for m in TEXT_FINDING.finditer(done.stdout)
    )
    if printed != counts(after):
        difference = (printed - counts(after)) + (counts(after) - printed)
        project.fail("fix-run-report", f"remaining findings printed differ: {dict(difference)}")
    summary = FOUND.search(done.stdout)
    expected = (len(before), sum(fixed.values()), len(after))
    if summary is None:
        if before or FOUND_PLAIN.search(done.stdout) is None:
            project.fail("fix-run-report", f"no summary line; expected Found {expected}")
        return
    found = tuple(int(g) for g in summary.groups())
    if found != expected:
        project.fail(
            "fix-run-report", f"summary {found} (found, fixed, remaining), expected {expected}"
        )


def line_endings(data: bytes) -> set[bytes]:
    kinds = set()
    if b"\r\n" in data:
        kinds.add(b"\r\n")
    if re.search(rb"\r(?!\n)", data):
        kinds.add(b"\r")
    if re.search(rb"(?<!\r)\n", data):
        kinds.add(b"\n")
    return kinds


def encoding_of(data: bytes) -> str:
    lines = iter(data.splitlines(keepends=True))
    return tokenize.detect_encoding(lambda: next(lines, b""))[0]


def check_bytes(
    project: Project, path: str, old: tuple[bytes, int], new: tuple[bytes, int]
) -> None:
    """What a changed file must keep: encoding, byte-order mark, line breaks, form feeds, mode."""
    (old_data, old_mode), (new_data, new_mode) = old, new
    if old_mode != new_mode:
        project.fail("mode", f"{path}: {oct(old_mode)} -> {oct(new_mode)}")
    if old_data.startswith(b"\xef\xbb\xbf") != new_data.startswith(b"\xef\xbb\xbf"):
        project.fail("bom", f"{path}: byte-order mark not kept")
    old_cookie = COOKIE.findall(b"\n".join(old_data.splitlines()[:2]))
    new_cookie = COOKIE.findall(b"\n".join(new_data.splitlines()[:2]))
    if old_cookie != new_cookie:
        project.fail("encoding", f"{path}: coding cookie {old_cookie} -> {new_cookie}")
    try:
        new_data.decode(encoding_of(new_data))
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        project.fail("encoding", f"{path}: does not decode: {error}")
    old_endings, new_endings = line_endings(old_data), line_endings(new_data)
    if old_endings and not new_endings <= old_endings:
        project.fail("line-endings", f"{path}: {sorted(old_endings)} -> {sorted(new_endings)}")
    old_feeds, new_feeds = old_data.count(b"\f"), new_data.count(b"\f")
    if old_feeds != new_feeds:
        project.fail("form-feeds", f"{path}: {old_feeds} form feeds -> {new_feeds}")


def source_text(data: bytes) -> str:
    return data.decode(encoding_of(data)).removeprefix("\ufeff")


def compiles(text: str, path: str) -> str | None:
    """Why ``compile()`` of the running Python rejects ``text``, or None."""
    try:
        compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def parses_for(text: str, target: tuple[int, int]) -> str | None:
    try:
        ast.parse(text, feature_version=target)
    except SyntaxError as error:
        return f"SyntaxError: {error}"
    return None


_COMPILE_SCRIPT = """\
import json, sys
out = {}
for path in json.load(sys.stdin):
    try:
        with open(path, "rb") as handle:
            compile(handle.read(), path, "exec", dont_inherit=True)
        out[path] = None
    except (SyntaxError, ValueError) as error:
        out[path] = f"{type(error).__name__}: {error}"
print(json.dumps(out))
"""


def newer_pythons() -> list[str]:
    """Interpreters newer than the running one that answer, newest first."""
    found = []
    pyenv = Path.home() / ".pyenv" / "versions"
    for version in NEWER_PYTHONS:
        if tuple(int(p) for p in version.split(".")) <= sys.version_info[:2]:
            continue
        candidates = [shutil.which(f"python{version}")]
        candidates += [str(p / "bin" / "python3") for p in sorted(pyenv.glob(f"{version}*"))]
        for candidate in candidates:
            if candidate and _answers(candidate):
                found.append(candidate)
                break
    return found


def _answers(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "pass"], capture_output=True, timeout=30, check=False)
    except OSError:
        return False
    return done.returncode == 0


def compile_elsewhere(python: str, paths: list[Path]) -> dict[str, str | None]:
    done = subprocess.run(
        [python, "-c", _COMPILE_SCRIPT],
        input=json.dumps([str(p) for p in paths]),
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(done.stdout) if done.returncode == 0 else {}


def check_compiles(
    project: Project, changed: dict[str, tuple[bytes, bytes]], target: tuple[int, int] | None
) -> None:
    """Every changed file compiles wherever its original does (see the module's docstring)."""
    elsewhere: dict[str, tuple[str, str]] = {}
    for path, (old_data, new_data) in changed.items():
        old, new = source_text(old_data), source_text(new_data)
        error = compiles(new, path)
        if error is not None and compiles(old, path) is None:
            project.fail("compile", f"{path}: {error}")
        elif error is not None:
            elsewhere[path] = (old, new)
        if target is not None and target < sys.version_info[:2]:
            error = parses_for(new, target)
            if error is not None and parses_for(old, target) is None:
                project.fail("compile", f"{path}: for Python {target[0]}.{target[1]}: {error}")
    if elsewhere:
        _compile_with_newer(project, elsewhere)


def _compile_with_newer(project: Project, texts: dict[str, tuple[str, str]]) -> None:
    """The files the running Python cannot compile, before as after: the newest Python that
    compiles the original must compile the fixed file."""
    left = dict(texts)
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for index, (path, (old, new)) in enumerate(left.items()):
            paths[path] = (Path(folder, f"{index}.old.py"), Path(folder, f"{index}.new.py"))
            paths[path][0].write_text(old, encoding="utf-8")
            paths[path][1].write_text(new, encoding="utf-8")
        for python in newer_pythons():
            answers = compile_elsewhere(python, [p for pair in paths.values() for p in pair])
            for path in list(left):
                old_path, new_path = paths[path]
                if str(old_path) in answers and answers[str(old_path)] is None:
                    error = answers.get(str(new_path), "no answer")
                    if error is not None:
                        project.fail("compile", f"{path}: with {python}: {error}")
                    del left[path]
            if not left:
                break
    project.totals.unchecked_compile += len(left)


def with_blocks(text: str) -> list[tuple[str, int]] | None:
    """The ``with`` blocks of ``text`` in the order they start, each as its items' code and
    the number of calls its body makes; None when ``ast`` cannot read it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    blocks = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            items = ", ".join(ast.unparse(item) for item in node.items)
            calls = sum(
                isinstance(inner, ast.Call) for child in node.body for inner in ast.walk(child)
            )
            blocks.append(((node.lineno, node.col_offset), items, calls))
    return [(items, calls) for _, items, calls in sorted(blocks)]


def check_scopes(project: Project, path: str, old: str, new: str) -> None:
    """A fix rewrites code where it stands: no ``with`` block (a shielded cancel scope, a
    deadline) holds fewer calls after it, as one would whose call a fix moved out."""
    before, after = with_blocks(old), with_blocks(new)
    if before is None or after is None or len(before) != len(after):
        return
    for (items, calls), (new_items, new_calls) in zip(before, after, strict=True):
        if items == new_items and new_calls < calls:
            project.fail("scope", f"{path}: `with {items}` held {calls} calls, now {new_calls}")


def check_layout(project: Project, path: str, old: list[str], new: list[str], limit: int) -> None:
    """No changed line longer than ``limit`` and than every line it replaces."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        longest = max((len(line.rstrip("\r\n")) for line in old[i1:i2]), default=0)
        for offset, line in enumerate(new[j1:j2]):
            width = len(line.rstrip("\r\n"))
            if width > limit and width > longest:
                project.fail(
                    "layout",
                    f"{path}:{j1 + offset + 1}: a {width}-character line replaces "
                    f"{i2 - i1} line(s) of at most {longest}",
                )


def hunks(
    project: Project, path: str, old: list[str], new: list[str], before: list[Finding]
) -> list[str]:
    """The unified diff of a file, hunk by hunk, each headed by run 1's findings on its lines."""
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(3):
        first, last = group[0], group[-1]
        i1, i2, j1, j2 = first[1], last[2], first[3], last[4]
        lines = [f"=== {project.name}/{path}"]
        lines += [
            f"# {f.code} [{f.fix or 'no fix'}] line {f.line}: {f.message}"
            for f in before
            if f.path == path and i1 < f.line <= i2
        ]
        lines.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines += [" " + line.rstrip("\r\n") for line in old[a1:a2]]
                continue
            lines += ["-" + line.rstrip("\r\n") for line in old[a1:a2]]
            lines += ["+" + line.rstrip("\r\n") for line in new[b1:b2]]
        out.append("\n".join(lines) + "\n")
    return out


def target_of(root: Path) -> tuple[int, int] | None:
    """The project's target version: ``[tool.asynclint] target-version``, else the oldest
    Python its ``requires-python`` allows."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("asynclint", {})
    if isinstance(table.get("target-version"), str):
        value = table["target-version"].removeprefix("py3")
        return (3, int(value)) if value.isdigit() else None
    return oldest_python(data.get("project", {}).get("requires-python"))


def check_project(project: Project, source: Path, diffs: Path, limit: int) -> None:
    totals = project.totals
    shutil.copytree(source, project.root, symlinks=True)
    original = Snapshot.take(project.root, project.cache)
    totals.files += sum(1 for k in original.files if k.endswith(SOURCE_SUFFIXES))
    before = project.findings()
    done = project.run("--fix", "--unsafe-fixes", "--show-fixes")
    fixed_state = Snapshot.take(project.root, project.cache)
    fixed = fixed_by_file(done.stdout)
    after = project.findings()
    again = project.run("--fix", "--unsafe-fixes", "--show-fixes")
    if Snapshot.take(project.root, project.cache).changed(fixed_state) or fixed_by_file(
        again.stdout
    ):
        project.fail("not-idempotent", f"a second --fix changed {fixed_by_file(again.stdout)}")
    compare_findings(project, before, fixed, after)
    check_fix_run(project, done, before, fixed, after)
    _count(totals, before, fixed, after)
    changed = original.changed(fixed_state)
    totals.changed += len(changed)
    texts = _check_changed(project, original, fixed_state, changed, limit)
    check_compiles(project, texts, target_of(project.root))
    for path, (old_data, new_data) in texts.items():
        check_scopes(project, path, source_text(old_data), source_text(new_data))
        old = source_text(old_data).splitlines(keepends=True)
        new = source_text(new_data).splitlines(keepends=True)
        file_hunks = hunks(project, path, old, new, before)
        totals.hunks += file_hunks
        out = diffs / project.name / f"{path}.diff"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(file_hunks), encoding="utf-8")


def _check_changed(
    project: Project, original: Snapshot, fixed: Snapshot, changed: list[str], limit: int
) -> dict[str, tuple[bytes, bytes]]:
    texts = {}
    for path in changed:
        old, new = original.files.get(path), fixed.files.get(path)
        if old is None or new is None or not path.endswith(SOURCE_SUFFIXES):
            project.fail("other-file", f"{path}: {'created' if old is None else 'changed'}")
            continue
        check_bytes(project, path, old, new)
        texts[path] = (old[0], new[0])
        old_lines = source_text(old[0]).splitlines(keepends=True)
        new_lines = source_text(new[0]).splitlines(keepends=True)
        check_layout(project, path, old_lines, new_lines, limit)
    return texts


def _count(
    totals: Totals, before: list[Finding], fixed: Counter[tuple[str, str]], after: list[Finding]
) -> None:
    for finding in before:
        totals.findings[finding.code] += 1
        if finding.fix == "safe":
            totals.safe[finding.code] += 1
        elif finding.fix == "unsafe":
            totals.unsafe[finding.code] += 1
    for (_, code), n in fixed.items():
        totals.applied[code] += n
    totals.remaining.update(f.code for f in after)


def report(totals: Totals, diffs: Path, sample: int, seed: int) -> None:
    print(f"\n{totals.files} files, {totals.changed} changed by the fixes")
    print(f"{'code':<7} {'found':>7} {'safe':>6} {'unsafe':>7} {'applied':>8} {'remain':>7}")
    codes = sorted(set(totals.findings) | set(totals.applied) | set(totals.remaining))
    for code in codes:
        print(
            f"{code:<7} {totals.findings[code]:>7} {totals.safe[code]:>6} "
            f"{totals.unsafe[code]:>7} {totals.applied[code]:>8} {totals.remaining[code]:>7}"
        )
    print(
        f"{'total':<7} {sum(totals.findings.values()):>7} {sum(totals.safe.values()):>6} "
        f"{sum(totals.unsafe.values()):>7} {sum(totals.applied.values()):>8} "
        f"{sum(totals.remaining.values()):>7}"
    )
    if totals.unchecked_compile:
        print(f"{totals.unchecked_compile} changed files no Python here compiles, before or after")
    by_kind = Counter(kind for kind, _, _ in totals.failures)
    print(
        f"failures: {sum(by_kind.values())}"
        + "".join(f", {k} {n}" for k, n in sorted(by_kind.items()))
    )
    for kind, project, what in totals.failures:
        print(f"  {kind}: {project}: {what}")
    chosen = random.Random(seed).sample(totals.hunks, min(sample, len(totals.hunks)))
    diffs.mkdir(parents=True, exist_ok=True)
    (diffs / "sample.txt").write_text("\n".join(chosen), encoding="utf-8")
    print(f"diffs: {diffs} ({len(totals.hunks)} hunks; {len(chosen)} sampled in sample.txt)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--project", action="append", default=[], help="only these projects")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--diffs", type=Path, help="where the diffs go (default: a new folder)")
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--max-line", type=int, default=120)
    parser.add_argument("--no-test-profile", action="store_true", help="fix test code too")
    parser.add_argument("--keep", action="store_true", help="keep the fixed copies")
    parser.add_argument(
        "--linter",
        type=Path,
        default=REPO,
        help="the checkout whose asynclint runs (default: this)",
    )
    args = parser.parse_args(argv)
    projects = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    if args.project:
        projects = [p for p in projects if p.name in args.project]
        missing = set(args.project) - {p.name for p in projects}
        if missing:
            parser.error(f"no such project in {args.corpus}: {', '.join(sorted(missing))}")
    diffs = args.diffs or Path(tempfile.mkdtemp(prefix="fix-corpus-diffs-"))
    extra = ["--no-test-profile"] if args.no_test_profile else []
    totals = Totals()
    work = Path(tempfile.mkdtemp(prefix="fix-corpus-"))
    try:
        linter = snapshot_linter(work / "linter", args.linter)
        for source in projects:
            print(f"{source.name} ...", flush=True)
            cache = work / f"{source.name}.cache"
            project = Project(
                source.name, work / source.name, cache, args.jobs, extra, totals, linter
            )
            check_project(project, source, diffs, args.max_line)
    finally:
        if args.keep:
            print(f"fixed copies kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(totals, diffs, args.sample, args.seed)
    return 1 if totals.failures else 0


if __name__ == "__main__":
    sys.exit(main())
