"""Scopes whose bindings know their reads, and the end-of-scope hook rules use."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.engine import lint_module
from asynclint.rule import Rule
from asynclint.syntax.scopes import Scope


def _scopes(source: str) -> dict[str, Scope]:
    """Every function scope of ``source`` as the walker leaves it, by function name."""
    seen: dict[str, Scope] = {}

    class Collect(Rule):
        code = "AL999"
        name = "collect"
        summary = "collects scopes"

        def end_of_scope(self, scope: Scope) -> None:
            if isinstance(scope.node, cst.FunctionDef):
                seen[scope.node.name.value] = scope
            elif isinstance(scope.node, cst.Module):
                seen["<module>"] = scope

    lint_module(cst.parse_module(textwrap.dedent(source)), [Collect])
    return seen


@pytest.mark.parametrize(
    ("source", "used", "unused"),
    [
        ("def f():\n    x = 1\n    return x\n", {"x"}, set()),
        ("def f():\n    x = 1\n", set(), {"x"}),
        # Targets, attribute names, keywords and definitions are not reads.
        ("def f(obj):\n    x = 1\n    obj.x = 2\n    g(x=3)\n", {"obj"}, {"x"}),
        ("def f():\n    x, (y, *z) = 1, (2, 3)\n    return y\n", {"y"}, {"x", "z"}),
        ("def f():\n    for i in range(3):\n        pass\n", set(), {"i"}),
        ("def f():\n    with g() as x:\n        pass\n", set(), {"x"}),
        ("def f():\n    x: int = 1\n", set(), {"x"}),
        ("def f():\n    import os.path\n    from a import x\n", set(), {"os", "x"}),
        # Reads from closures count for the enclosing function, wherever the closure stands.
        ("def f():\n    def g():\n        return x\n    x = 1\n    return g\n", {"x", "g"}, set()),
        ("def f():\n    x = 1\n    return lambda: x\n", {"x"}, set()),
        # ``nonlocal`` in a closure: its assignments rebind, and its reads read, the outer name.
        (
            "def f():\n    def g():\n        nonlocal x\n        x = x + 1\n    x = 1\n"
            "    return g\n",
            {"x", "g"},
            set(),
        ),
        # A closure's own local does not make the outer name used.
        ("def f():\n    x = 1\n    def g():\n        x = 2\n        return x\n", set(), {"x"}),
        # A method reads the function around its class, not the class body.
        (
            "def f():\n    x = 1\n    class C:\n        def m(self):\n            return x\n",
            {"x"},
            set(),
        ),
        ("def f():\n    x += 1\n", {"x"}, set()),
        ("def f():\n    x = 1\n    del x\n", {"x"}, set()),
    ],
)
def test_reads(source: str, used: set[str], unused: set[str]) -> None:
    scope = _scopes(source)["f"]
    assert {name for name in used if scope.is_used(name)} == used
    assert {name for name in unused if scope.is_used(name)} == set()


def test_introspection_uses_every_local() -> None:
    scope = _scopes("def f():\n    x = 1\n    return locals()\n")["f"]
    assert scope.introspected and scope.is_used("x")


def test_module_scope_ends_last_with_the_reads_of_its_functions() -> None:
    seen = _scopes("import os\n\ndef f():\n    return os.sep\n")
    assert list(seen) == ["f", "<module>"]
    assert seen["<module>"].is_used("os")
