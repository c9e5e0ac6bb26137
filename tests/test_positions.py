"""Positions of reported nodes: generated from where each module-level statement starts (read
from ``ast``) must give exactly what generating the whole module gives."""

from __future__ import annotations

import libcst as cst
import pytest

import asynclint.positions as positions
from asynclint.positions import node_ranges
from asynclint.syntax.nodes import iter_children

SOURCES = {
    "plain": "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n",
    "header and comments": (
        "#!/usr/bin/env python\n# a header\n\n\nx = 1\n\n# about f\n\n"
        "def f():\n    return fetch()  # trailing\n    # a comment in the block\n\n"
        "# before g\nasync def g():\n    pass\n"
    ),
    "decorated": (
        "import functools\n\n\n# leading\n@functools.cache\n# between\n@other(\n    1,\n)\n"
        "\nasync def cached(a,\n                 b):\n    return await other(a)\n"
        "@dataclass\nclass C:\n    @property\n    def p(self): return fetch()\n"
    ),
    "several on a line": "a = 1; b = fetch(); c = (\n    2\n)\nif a: b = fetch()\nelse: pass\n",
    "windows and old mac line endings": (
        "x = 1\r\n\r\nasync def f():\r\n    y()\r\nz = 2\rw = q()\n"
    ),
    "strings spanning lines": (
        'doc = """\nasync def fake():\n    pass\n"""\n\nasync def real():\n    go()\n'
    ),
    "tabs and form feeds": "if True:\n\tx = fetch()\n\x0c\ndef f():\n\treturn 1\n",
}


def _every_node(module: cst.Module) -> dict[cst.CSTNode | None, list[cst.CSTNode]]:
    """Every node below each module-level statement, grouped by that statement."""
    grouped: dict[cst.CSTNode | None, list[cst.CSTNode]] = {}
    for top in module.body:
        pending: list[cst.CSTNode] = [top]
        while pending:
            node = pending.pop()
            grouped.setdefault(top, []).append(node)
            pending.extend(iter_children(node))
    return grouped


@pytest.mark.parametrize("source", SOURCES.values(), ids=SOURCES.keys())
def test_statement_by_statement_positions_are_the_whole_module_ones(source: str) -> None:
    module = cst.parse_module(source)
    grouped = _every_node(module)
    whole = node_ranges(module, {None: [n for nodes in grouped.values() for n in nodes]})
    assert positions._statement_starts(module, source) is not None  # the fast path is taken
    for top, nodes in grouped.items():  # one statement at a time, as reports come
        assert node_ranges(module, {top: nodes}, source) == {n: whole[n] for n in nodes}


def test_a_start_not_known_for_sure_falls_back_to_the_whole_module() -> None:
    source = "x = 1\nasync def f():\n    await g()\n"
    module = cst.parse_module(source)
    top = module.body[1]
    expected = node_ranges(module, {None: [top]})
    assert expected[top][0].line == 2
    # Source whose statements ast places elsewhere, or that ast cannot read: the generated
    # text is not found where ast says, or there is no ast, and the whole module is used.
    for other in ("x = 1\n\nasync def h():\n    await g()\n", "def broken(:\n", "x = 1\n"):
        assert node_ranges(module, {top: [top]}, other) == expected
