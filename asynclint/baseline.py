"""Baselines: today's findings recorded in a file (``--write-baseline``), so that a later run
(``--baseline``) reports only the findings that are new.

A finding is recorded by a fingerprint that survives line moves and unrelated edits: its file
(relative to the baseline's folder), its code, the function (or class) it is in, by qualified
name, and the text of what it reports and of the first line of its statement, with their
whitespace collapsed. Neither its line nor its message counts. When the same fingerprint
occurs several times, the baseline keeps how many: a later run reports the occurrences beyond
that number.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asynclint.diagnostics import Diagnostic
from asynclint.reporters import source_lines
from asynclint.runner import decode_source

# Bumped when the fingerprint changes: a baseline of another version is refused with a
# message rather than matching nothing.
VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or used."""


@dataclass(frozen=True)
class Entry:
    path: str
    code: str
    function: str
    fingerprint: str


def entries(diagnostics: Sequence[Diagnostic], folder: Path) -> list[Entry]:
    """The baseline entry of each diagnostic, in order; paths relative to ``folder``."""
    sources: dict[str, _Source | None] = {}
    found = []
    for diagnostic in diagnostics:
        if diagnostic.path not in sources:
            sources[diagnostic.path] = _Source.read(diagnostic.path)
        found.append(_entry(diagnostic, sources[diagnostic.path], folder))
    return found


def write(path: Path, diagnostics: Sequence[Diagnostic]) -> int:
    """Record ``diagnostics`` in the baseline file ``path``; how many were recorded."""
    counts = Counter(entries(diagnostics, path.resolve().parent))
    records = [
        {"path": e.path, "code": e.code, "function": e.function, "fingerprint": e.fingerprint}
        | ({"count": n} if n > 1 else {})
        for e, n in sorted(counts.items(), key=lambda item: _order(item[0]))
    ]
    text = json.dumps({"asynclint-baseline": VERSION, "findings": records}, indent=2) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BaselineError(f"cannot write the baseline {path}: {error.strerror}") from error
    return len(diagnostics)


def read(path: Path) -> Counter[str]:
    """How many findings of each fingerprint the baseline file ``path`` records."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror}") from error
    except ValueError as error:
        raise BaselineError(f"{path} is not a baseline: {error}") from error
    if not isinstance(data, dict) or data.get("asynclint-baseline") != VERSION:
        raise BaselineError(
            f"{path} is not an asynclint baseline of this version; write it again with "
            "--write-baseline"
        )
    counts: Counter[str] = Counter()
    for record in data.get("findings", []):
        try:
            counts[str(record["fingerprint"])] += int(record.get("count", 1))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BaselineError(f"{path}: a damaged entry: {record!r}") from error
    return counts


def new_findings(
    diagnostics: Sequence[Diagnostic], baseline: Counter[str], folder: Path
) -> tuple[list[Diagnostic], int]:
    """The diagnostics the baseline does not record (in order), and how many it does."""
    left = Counter(baseline)
    new = []
    for diagnostic, entry in zip(diagnostics, entries(diagnostics, folder), strict=True):
        if left[entry.fingerprint] > 0:
            left[entry.fingerprint] -= 1
        else:
            new.append(diagnostic)
    return new, len(diagnostics) - len(new)


def _order(entry: Entry) -> tuple[str, str, str, str]:
    return (entry.path, entry.code, entry.function, entry.fingerprint)


@dataclass
class _Source:
    lines: list[str]
    # (first line, last line, qualified name) of each function and class.
    scopes: list[tuple[int, int, str]]

    @classmethod
    def read(cls, path: str) -> _Source | None:
        try:
            text = decode_source(Path(path).read_bytes()).text
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
            return None
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        scopes = list(_scopes(tree.body, "")) if tree is not None else []
        return cls(source_lines(text), scopes)

    def function_at(self, line: int) -> str:
        """The qualified name of the innermost function or class holding ``line``."""
        holding = [s for s in self.scopes if s[0] <= line <= s[1]]
        return max(holding, key=lambda s: s[0])[2] if holding else ""

    def line_text(self, line: int) -> str:
        """A line, whitespace collapsed."""
        return " ".join(self.lines[line - 1].split()) if 0 < line <= len(self.lines) else ""

    def text(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """The source from ``start`` to ``end`` (1-based lines and columns), whitespace
        collapsed."""
        (first, column), (last, end_column) = start, end
        if not 0 < first <= last <= len(self.lines):
            return ""
        if first == last:
            piece = self.lines[first - 1][column - 1 : end_column - 1]
        else:
            middle = self.lines[first : last - 1]
            piece = " ".join(
                [
                    self.lines[first - 1][column - 1 :],
                    *middle,
                    self.lines[last - 1][: end_column - 1],
                ]
            )
        return " ".join(piece.split())


def _scopes(body: Iterable[ast.stmt], prefix: str) -> Iterable[tuple[int, int, str]]:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield first, node.end_lineno or node.lineno, name
            yield from _scopes(node.body, f"{name}.")
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    yield from _scopes(inner, prefix)


def _entry(diagnostic: Diagnostic, source: _Source | None, folder: Path) -> Entry:
    path = _relative(diagnostic.path, folder)
    start = (diagnostic.start.line, diagnostic.start.column)
    end = (diagnostic.end.line, diagnostic.end.column)
    if source is not None:
        function = source.function_at(diagnostic.start.line)
        reported = source.text(start, end)
        statement = source.line_text(diagnostic.statement_line)
    else:
        function, reported, statement = "", diagnostic.message, ""
    text = "\0".join([path, diagnostic.code, function, statement, reported])
    fingerprint = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
    return Entry(path, diagnostic.code, function, fingerprint)


def _relative(path: str, folder: Path) -> str:
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(folder).as_posix()
    except ValueError:
        return resolved.as_posix()
