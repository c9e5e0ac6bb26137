"""asynclint's findings, rule pages and fixed texts as the protocol's types (``lsprotocol``).

Positions: asynclint counts lines from 1 and columns from 1 in characters; the protocol counts
both from 0, columns in the units the editor and server agreed on (UTF-16 unless the editor
offers another), which ``PositionCodec`` counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import PositionCodec

from asynclint.diagnostics import Diagnostic
from asynclint.docs import explain
from asynclint.linter import SYNTAX_ERROR_CODE
from asynclint.reporters import rule_url
from asynclint.rules import RULES_BY_CODE
from asynclint.server.linting import Snapshot, changed_lines, split_lines
from asynclint.unused_noqa import CODE as UNUSED_NOQA_CODE


def before(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) <= (b.line, b.character)


def overlaps(a: types.Range, b: types.Range) -> bool:
    return before(a.start, b.end) and before(b.start, a.end)


def asks_for(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a code action request's ``only`` takes actions of ``kind``."""
    return only is None or any(kind == given or kind.startswith(f"{given}.") for given in only)


def uri_argument(args: Sequence[Any]) -> str | None:
    """The document a command names: ``"file:///..."``, ``{"uri": ...}`` or
    ``{"textDocument": {"uri": ...}}``."""
    if not args:
        return None
    first = args[0]
    if isinstance(first, dict):
        first = first.get("uri") or (first.get("textDocument") or {}).get("uri")
    return first if isinstance(first, str) else None


def workspace_root(params: types.InitializeParams) -> Path | None:
    """The folder the editor opened (its first, if several)."""
    uri = params.workspace_folders[0].uri if params.workspace_folders else params.root_uri
    path = to_fs_path(uri) if uri else params.root_path
    if not path or not Path(path).is_dir():
        return None
    return Path(path)


def position(codec: PositionCodec, lines: list[str], line: int, column: int) -> types.Position:
    """A 0-based line and column (in characters) of a text of ``lines``, in the editor's
    units."""
    text = lines[line] if 0 <= line < len(lines) else ""
    return types.Position(line=line, character=codec.client_num_units(text[: max(column, 0)]))


def diagnostic(codec: PositionCodec, lines: list[str], finding: Diagnostic) -> types.Diagnostic:
    """A finding in a text of ``lines``, as the editor shows it."""
    start, end = finding.start, finding.end
    severity = types.DiagnosticSeverity.Warning
    if finding.code == SYNTAX_ERROR_CODE:
        severity = types.DiagnosticSeverity.Error
    return types.Diagnostic(
        range=types.Range(
            start=position(codec, lines, start.line - 1, start.column - 1),
            end=position(codec, lines, end.line - 1, end.column - 1),
        ),
        message=finding.message,
        severity=severity,
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(finding.code)),
        source="asynclint",
        tags=[types.DiagnosticTag.Unnecessary] if finding.code == UNUSED_NOQA_CODE else None,
    )


def workspace_edit(
    codec: PositionCodec, snapshot: Snapshot, new_text: str, versioned: bool
) -> types.WorkspaceEdit:
    """The edit that turns the document's text into ``new_text``: the lines that differ.
    ``versioned``: the editor takes ``documentChanges`` (and refuses an edit made for a
    version of the document it no longer has)."""
    change = changed_lines(snapshot.text, new_text)
    edits = []
    if change is not None:
        span = types.Range(
            start=types.Position(line=change.start_line, character=0),
            end=position(codec, split_lines(snapshot.text), *change.end),
        )
        edits.append(types.TextEdit(range=span, new_text=change.text))
    if not versioned:
        return types.WorkspaceEdit(changes={snapshot.uri: edits})
    document = types.OptionalVersionedTextDocumentIdentifier(
        uri=snapshot.uri, version=snapshot.version
    )
    return types.WorkspaceEdit(
        document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)]
    )


def rule_pages(codes: Sequence[str], markdown: bool) -> types.MarkupContent | None:
    """The pages of the rules of ``codes`` (those that have one), as ``--explain`` prints
    them, each with the link to its page online."""
    known = [code for code in dict.fromkeys(codes) if code in RULES_BY_CODE]
    if not known:
        return None
    pages = []
    for code in known:
        url = rule_url(code)
        link = f"[{code} online]({url})" if markdown else f"{code} online: {url}"
        pages.append(f"{explain(RULES_BY_CODE[code])}\n{link}")
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.MarkupContent(kind=kind, value="\n\n---\n\n".join(pages))
