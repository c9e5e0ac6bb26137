"""Line and column of reported nodes, computed only for files that have findings.

LibCST's ``PositionProvider`` generates the code of the whole module while counting lines, for
every node; on a clean file that is pure waste. Here the same code generation runs only when
something was reported, records ranges as it goes, and stops as soon as every node asked about
has its range.

Nor does it start at the top of the module: the line each module-level statement starts on is
read from the standard library's ``ast`` (a C parser, far cheaper than generating the code of
everything above), and the code of a statement holding reported nodes is generated from there.
The code generated must be the source's text at that place, character for character, or the
whole module is generated after all (as it is when ``ast`` cannot parse the source).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Mapping

import libcst as cst
from libcst._nodes.internal import CodegenState

from asynclint.diagnostics import Location

_NEWLINE = re.compile(r"\r\n?|\n")


class _Found(Exception):
    """Raised to stop code generation once every wanted node has a range."""


class _PositionState(CodegenState):
    def __init__(self, module: cst.Module, wanted: Collection[cst.CSTNode]) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.line = 1
        self.column = 0
        self.starts: list[tuple[int, int]] = []
        self.ranges: dict[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]] = {}
        self.missing = {id(node) for node in wanted}

    def _advance(self, value: str) -> None:
        if "\n" not in value and "\r" not in value:  # most tokens
            self.column += len(value)
            return
        segments = _NEWLINE.split(value)
        if len(segments) == 1:
            self.column += len(value)
        else:
            self.line += len(segments) - 1
            self.column = len(segments[-1])

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def _record(self, node: cst.CSTNode, start: tuple[int, int], end: tuple[int, int]) -> None:
        self.ranges[node] = (start, end)
        if id(node) in self.missing:
            self.missing.discard(id(node))
            if not self.missing:
                raise _Found

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.ranges:  # a syntactic range recorded inside wins
            self._record(node, start, (self.line, self.column))

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """The range of a node without its whitespace, recorded as its code is generated (a
    class rather than a generator: it is entered for every node)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _PositionState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = (0, 0)

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            return
        state = self.state
        start, end = self.start, (state.line, state.column)
        if self.start_node is not None and self.start_node in state.ranges:
            start = state.ranges[self.start_node][0]
        if self.end_node is not None and self.end_node in state.ranges:
            end = state.ranges[self.end_node][1]
        state._record(self.node, start, end)


def node_ranges(
    module: cst.Module,
    wanted: Mapping[cst.CSTNode | None, Collection[cst.CSTNode]],
    source: str | None = None,
    tree: ast.Module | None = None,
) -> dict[cst.CSTNode, tuple[Location, Location]]:
    """Start and end (1-based line and column) of the nodes ``wanted`` lists under the
    module-level statement each is in (None: not known), without their whitespace.
    ``source`` is the module's text, when known; ``tree`` its ``ast``, when made already."""
    nodes = {node for group in wanted.values() for node in group}
    if not nodes:
        return {}
    found = _by_statement(module, wanted, source, tree) if source is not None else None
    if found is None:
        found, _ = _generated(module, module, nodes, 1)
    result = {}
    for node in nodes:
        (start_line, start_col), (end_line, end_col) = found[node]
        result[node] = (Location(start_line, start_col + 1), Location(end_line, end_col + 1))
    return result


_Ranges = dict[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]]


def _generated(
    module: cst.Module, node: cst.CSTNode, wanted: Collection[cst.CSTNode], line: int
) -> tuple[_Ranges, str]:
    """The ranges of ``wanted``, generating the code of ``node`` (of ``module``) from the
    start of ``line`` on, as far as they need; and the code generated."""
    state = _PositionState(module, wanted)
    state.line = line
    try:
        node._codegen(state)
    except _Found:
        pass
    return state.ranges, "".join(state.tokens)


def _by_statement(
    module: cst.Module,
    wanted: Mapping[cst.CSTNode | None, Collection[cst.CSTNode]],
    source: str,
    tree: ast.Module | None,
) -> _Ranges | None:
    """The ranges of the wanted nodes, each module-level statement's code generated from
    where it starts; None when a start is not known for sure."""
    if None in wanted:
        return None
    starts = _statement_starts(module, source, tree)
    if starts is None:
        return None
    found: _Ranges = {}
    for top, nodes in wanted.items():
        start = starts.get(id(top))
        if start is None:
            return None
        line, offset = start
        ranges, text = _generated(module, top, nodes, line)  # type: ignore[arg-type]
        if not source.startswith(text, offset):
            return None  # not the text there: the start was wrong
        found.update(ranges)
    return found


def _statement_starts(
    module: cst.Module, source: str, tree: ast.Module | None = None
) -> dict[int, tuple[int, int]] | None:
    """The line (and its offset in ``source``) where the code of each module-level
    statement starts, its leading blank and comment lines included, by the statement's id;
    None when ``ast`` does not read the source, or its statements do not match LibCST's.
    ``tree`` is the source's ``ast``, when the caller made it already (not made again)."""
    try:
        body = (tree if tree is not None else ast.parse(source)).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    offsets = [0, *(match.end() for match in _NEWLINE.finditer(source))]
    starts: dict[int, tuple[int, int]] = {}
    index = 0
    for statement in module.body:
        if index >= len(body):
            return None
        first = body[index]
        line = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])
        line -= len(getattr(statement, "leading_lines", ()))
        if not 1 <= line <= len(offsets):
            return None
        starts[id(statement)] = (line, offsets[line - 1])
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return starts if index == len(body) else None
