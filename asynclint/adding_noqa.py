"""``--add-noqa``: a ``# noqa: CODE`` comment on the line of every finding, so that a codebase
adopting asynclint starts from a clean run and sees only its new mistakes.

A comment goes on the line the finding starts on, or when a comment cannot end that line (it
ends inside a string spanning lines, or with a ``\\`` continuation), on the first line of the
statement, which ``# noqa`` covers as well. A line that already has a ``# noqa: X`` gets the
new codes merged into it; any other comment is kept, with the ``# noqa`` after it. Nothing but
comments changes: the file's tokens, comments aside, must be the same after as before, or the
file is left as it was and named.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from asynclint.noqa import LINE_NOQA, split_codes


@dataclass(frozen=True)
class Wanted:
    """A finding to silence: its code, the line it starts on and its statement's first line."""

    code: str
    line: int
    statement_line: int


@dataclass
class Added:
    """What adding comments to one source did."""

    text: str
    added: int = 0  # lines given a new noqa comment, or new codes in theirs
    # Findings whose lines cannot take a comment (each line once).
    skipped: list[int] = field(default_factory=list)
    # Whether the file was left as it was because it does not tokenize, or the comments
    # would have changed more than comments.
    refused: bool = False


def with_noqa(source: str, wanted: Iterable[Wanted]) -> Added:
    """``source`` with a ``# noqa`` naming each wanted finding's code."""
    layout = _layout(source)
    if layout is None:
        return Added(source, refused=True)
    open_lines, comments = layout
    lines = source.split("\n")
    codes_by_line: dict[int, set[str]] = {}
    skipped: set[int] = set()
    for finding in wanted:
        line = next(
            (n for n in (finding.line, finding.statement_line) if n not in open_lines), None
        )
        if line is None or line > len(lines):
            skipped.add(finding.line)
            continue
        codes_by_line.setdefault(line, set()).add(finding.code)
    added = 0
    for line, codes in codes_by_line.items():
        changed = _annotated(lines[line - 1], comments.get(line), codes)
        if changed is not None:
            lines[line - 1] = changed
            added += 1
    text = "\n".join(lines)
    if added and not _same_code(source, text):
        return Added(source, refused=True)
    return Added(text, added, sorted(skipped))


def _annotated(line: str, comment_column: int | None, codes: set[str]) -> str | None:
    """``line`` with ``codes`` in its ``# noqa`` (one is appended, or the existing one's
    codes extended); None when it already names them all, or is a bare ``# noqa``."""
    ending = "\r" if line.endswith("\r") else ""
    body = line[: len(line) - len(ending)]
    if comment_column is not None:
        directives = list(LINE_NOQA.finditer(body[comment_column:]))
        coded = next((d for d in directives if d["codes"]), None)
        if directives and coded is None:
            return None  # a bare noqa silences every code already
        if coded is not None:
            present = set(split_codes(coded["codes"]))
            if codes <= present:
                return None
            merged = ", ".join(sorted(present | codes))
            start = comment_column + coded.start("codes")
            end = comment_column + coded.end("codes")
            return f"{body[:start]}{merged}{body[end:]}{ending}"
    return f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}{ending}"


def _layout(source: str) -> tuple[set[int], dict[int, int]] | None:
    """The lines a comment cannot end (inside a string spanning lines, or continued with a
    ``\\``), and the column each comment starts at, by line; None when the source does not
    tokenize."""
    open_lines: set[int] = set()
    comments: dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.start[1]
            elif token.start[0] != token.end[0] and token.type not in _LINE_ENDS:
                open_lines.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    for number, line in enumerate(source.split("\n"), start=1):
        if line.rstrip("\r").endswith("\\") and number not in comments:
            open_lines.add(number)
    return open_lines, comments


_LINE_ENDS = (tokenize.NEWLINE, tokenize.NL, tokenize.DEDENT, tokenize.INDENT, tokenize.ENDMARKER)


def _same_code(before: str, after: str) -> bool:
    """Whether the two sources have the same tokens, comments aside."""
    return _code_tokens(before) == _code_tokens(after) is not None


def _code_tokens(source: str) -> Sequence[tuple[int, str]] | None:
    try:
        return [
            (token.type, token.string)
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
        ]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
