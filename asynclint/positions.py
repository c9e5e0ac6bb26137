"""Line and column of reported nodes, computed only for files that have findings.

LibCST's ``PositionProvider`` generates the code of the whole module while counting lines, for
every node; on a clean file that is pure waste. Here the same code generation runs only when
something was reported, records ranges as it goes, and stops as soon as every node asked about
has its range.
"""

from __future__ import annotations

import re
from collections.abc import Collection

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
    module: cst.Module, nodes: Collection[cst.CSTNode]
) -> dict[cst.CSTNode, tuple[Location, Location]]:
    """Start and end (1-based line and column) of each of ``nodes``, without their whitespace."""
    if not nodes:
        return {}
    state = _PositionState(module, nodes)
    try:
        module._codegen(state)
    except _Found:
        pass
    result = {}
    for node in nodes:
        (start_line, start_col), (end_line, end_col) = state.ranges[node]
        result[node] = (Location(start_line, start_col + 1), Location(end_line, end_col + 1))
    return result
