"""The summariser walks each module once (``_scan``) and reads every fact from what that walk
gives. These tests hold the walk to the plain definitions it stands for, on the project's own
sources and fixtures: each scope's own nodes as a depth-first walk that takes the last child
first meets them, and the calls and classes in the order of ``ast.walk``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from asynclint.index.summarise import _LEAVES, _scan, _Summarizer

ROOT = Path(__file__).resolve().parent.parent
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# Not recorded by the walk: no fact reads them.
UNREAD = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def _trees() -> Iterator[ast.Module]:
    for path in sorted([*(ROOT / "asynclint").rglob("*.py"), *(ROOT / "fixtures").rglob("*.py")]):
        try:
            yield ast.parse(path.read_bytes())
        except SyntaxError:
            continue  # a fixture of broken code


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a scope's own code, nested scopes included but not entered."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def test_the_walk_gives_each_scope_its_own_nodes() -> None:
    for tree in _trees():
        scopes, _ = _scan(tree)
        for scope in (n for n in ast.walk(tree) if isinstance(n, (ast.Module, *SCOPES))):
            expected: dict[type, list[ast.AST]] = {}
            for node in _own_nodes(scope):
                if not isinstance(node, UNREAD):
                    expected.setdefault(type(node), []).append(node)
            own = scopes[id(scope)]
            assert set(own) == set(expected)
            for kind, nodes in expected.items():
                if kind in _LEAVES:  # taken with their parent: in no order a fact reads
                    assert sorted(map(id, own[kind])) == sorted(map(id, nodes))
                else:
                    assert own[kind] == nodes


def test_the_walk_gives_calls_and_classes_in_ast_walk_order() -> None:
    for tree in _trees():
        _, walked = _scan(tree)
        assert walked == [n for n in ast.walk(tree) if isinstance(n, (ast.Call, ast.ClassDef))]


def test_statements_of_several_classes_come_in_walk_order() -> None:
    kinds = (ast.Assign, ast.AnnAssign, ast.Global, ast.Nonlocal)
    for tree in _trees():
        summarizer = _Summarizer("pkg.mod", False, tree)
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                expected = [n for n in _own_nodes(function) if isinstance(n, kinds)]
                assert summarizer.own_statements(function, *kinds) == expected
