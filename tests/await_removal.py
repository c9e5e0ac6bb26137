"""Missing-await recall on real code: remove one ``await`` per file, lint, count what is found.

    python tests/await_removal.py [PROJECTS...] [--per-project N] [--seed S] [--untyped]
                                  [--command "path/to/asynclint"]

Each project (default: the corpus's, see ``tests/benchmark.py``) is copied to a temporary
folder, where up to N files (chosen at random, seeded) lose one ``await`` each: a statement
``await f(...)`` or ``x = await f(...)`` on one line becomes ``f(...)`` or ``x = f(...)``. With
``--untyped`` every file of the copy loses its annotations first (``asynclint.testing.
strip_annotations``), as most application code is written. The copy is linted with
``--select AL1``; a removal counts as found when a finding is reported on its line, or, for a
stored coroutine (AL102, AL103), within the 30 lines after it. Printed: found / removed per
project and in all, and the findings on lines no removal touched (false alarms, unless the
original code already had them).

This is a development script, not a test: pytest does not collect it. The analysed code is
never imported or run.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmark import default_corpus

from asynclint.testing import strip_annotations

_FINDING = re.compile(r"(?P<path>.+?):(?P<line>\d+):\d+: (?P<code>AL1\d\d)")
_FOLLOWED = ("AL102", "AL103")  # reported where the stored coroutine is used
_WINDOW = 30


def remove_awaits(root: Path, count: int, seed: int, untyped: bool) -> list[tuple[str, int]]:
    """Remove one ``await`` in each of up to ``count`` files under ``root``, in place."""
    rng = random.Random(seed)
    files = sorted(root.rglob("*.py"))
    if untyped:
        for path in files:
            try:
                path.write_text(strip_annotations(path.read_text("utf-8")), "utf-8")
            except Exception:  # a file the stripper cannot rewrite keeps its annotations
                continue
    rng.shuffle(files)
    removed: list[tuple[str, int]] = []
    for path in files:
        if len(removed) >= count:
            break
        try:
            text = path.read_text("utf-8")
            tree = ast.parse(text)
        except (UnicodeDecodeError, SyntaxError, ValueError):
            continue
        spots = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, (ast.Expr, ast.Assign))
            and isinstance(node.value, ast.Await)
            and isinstance(node.value.value, ast.Call)
            and node.value.lineno == node.value.end_lineno
        ]
        if not spots:
            continue
        spot = rng.choice(spots)
        lines = text.splitlines(keepends=True)
        line = lines[spot.lineno - 1]
        column = len(line.encode()[: spot.col_offset].decode())
        if not line[column:].startswith("await "):
            continue
        lines[spot.lineno - 1] = line[:column] + line[column + len("await ") :]
        path.write_text("".join(lines), "utf-8")
        removed.append((path.relative_to(root).as_posix(), spot.lineno))
    return removed


def lint(root: Path, command: Sequence[str]) -> list[tuple[str, int, str]]:
    argv = [*command, "-q", "--no-cache", "--exit-zero", "--select", "AL1", "."]
    result = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    findings = []
    for line in result.stdout.splitlines():
        match = _FINDING.match(line)
        if match:
            path = Path(match["path"]).as_posix().removeprefix("./")
            findings.append((path, int(match["line"]), match["code"]))
    return findings


def score(removed: list[tuple[str, int]], findings: list[tuple[str, int, str]]) -> tuple[int, int]:
    """How many removals were found, and how many findings stand on no removal's lines."""
    found = 0
    explained: set[tuple[str, int, str]] = set()
    for path, line in removed:
        near = [
            f
            for f in findings
            if f[0] == path and (f[1] == line or (f[2] in _FOLLOWED and 0 < f[1] - line <= _WINDOW))
        ]
        found += bool(near)
        explained.update(near)
    return found, len(set(findings) - explained)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", type=Path)
    parser.add_argument("--per-project", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--untyped", action="store_true", help="strip every annotation first")
    parser.add_argument("--json", action="store_true", help="print the totals as JSON")
    parser.add_argument(
        "--command",
        default=f"{sys.executable} -m asynclint",
        help="the asynclint to run, to compare versions (default: this interpreter's)",
    )
    args = parser.parse_args(argv)
    projects = args.projects or sorted(p for p in default_corpus().iterdir() if p.is_dir())
    if not projects:
        print("no projects: fetch the corpus with ../shared/corpus/fetch.sh", file=sys.stderr)
        return 2
    total_found = total_removed = total_other = 0
    with tempfile.TemporaryDirectory() as scratch:
        for project in projects:
            copy = Path(scratch) / project.name
            shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".asynclint_cache"))
            removed = remove_awaits(copy, args.per_project, args.seed, args.untyped)
            found, other = score(removed, lint(copy, args.command.split()))
            total_found, total_removed = total_found + found, total_removed + len(removed)
            total_other += other
            print(f"{project.name:20} found {found:3}/{len(removed):3}  other findings {other}")
            shutil.rmtree(copy)
    share = 100 * total_found / total_removed if total_removed else 0.0
    print(f"{'all':20} found {total_found:3}/{total_removed:3} ({share:.1f}%)  other {total_other}")
    if args.json:
        print(json.dumps({"found": total_found, "removed": total_removed, "other": total_other}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
