"""The layers keep their import rules, and modules and functions stay small.

Checked statically: every ``.py`` file under ``asynclint/`` and ``rules/`` (the package
``asynclint.rules``) is parsed with ``ast`` and every import is collected -- ``import x``,
``from x import y``, relative imports, imports inside functions and under ``if TYPE_CHECKING:``.
The layers and what each may import are described in DESIGN.md ("The layers"). A layer that
does not exist (yet) is skipped.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Package name -> the folder that holds it (``asynclint.rules`` lives in ``rules/``).
SOURCE_FOLDERS = {"asynclint": ROOT / "asynclint", "asynclint.rules": ROOT / "rules"}
REGISTRY = "asynclint.rules"
MAX_RULE_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60

# What a rule module may import from asynclint (each with its submodules).
RULE_IMPORTS = (
    "asynclint.rule",
    "asynclint.diagnostics",
    "asynclint.edits",
    "asynclint.syntax",
    "asynclint.facts",
    "asynclint.knowledge",
)
# The layers below the rules: none of them may import a rule.
LOWER_LAYERS = (
    "asynclint.syntax",
    "asynclint.knowledge",
    "asynclint.index",
    "asynclint.facts",
    "asynclint.engine",
    "asynclint.rule",
)
THIRD_PARTY_FOR_RULES = ("libcst",)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    line_count: int

    @property
    def where(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


@dataclass(frozen=True)
class Import:
    importer: Module
    line: int
    target: str

    def describe(self, why: str) -> str:
        return f"{self.importer.where}:{self.line}: imports {self.target} ({why})"


def _module_name(package: str, folder: Path, path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(folder).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join([package, *parts]), is_package


@functools.cache
def _modules() -> tuple[Module, ...]:
    modules = []
    for package, folder in SOURCE_FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            name, is_package = _module_name(package, folder, path)
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text, str(path))
            modules.append(Module(name, path, is_package, tree, len(text.splitlines())))
    return tuple(modules)


@functools.cache
def _module_names() -> frozenset[str]:
    return frozenset(m.name for m in _modules())


def _within(name: str, prefix: str) -> bool:
    """Whether ``name`` is the module ``prefix`` or one of its submodules."""
    return name == prefix or name.startswith(prefix + ".")


def _within_any(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(_within(name, prefix) for prefix in prefixes)


def _absolute_base(module: Module, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` names, with relative levels resolved."""
    if node.level == 0:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports_of(module: Module) -> Iterator[Import]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute_base(module, node)
            for alias in node.names:
                # ``from asynclint import toml`` imports the submodule ``asynclint.toml``.
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in _module_names() else base
                yield Import(module, node.lineno, target)


def _layer(prefix: str) -> list[Module]:
    """The modules of one layer; the test is skipped when the layer does not exist."""
    modules = [m for m in _modules() if _within(m.name, prefix)]
    if not modules:
        pytest.skip(f"{prefix} does not exist yet")
    return modules


def _is_stdlib(target: str) -> bool:
    return target.split(".")[0] in sys.stdlib_module_names


def _violations(modules: list[Module], why_not: Callable[[Import], str | None]) -> list[str]:
    """Every import of ``modules`` that ``why_not`` objects to, with its reason."""
    found = set()
    for module in modules:
        for item in _imports_of(module):
            reason = why_not(item)
            if reason is not None:
                found.add((module.where, item.line, item.describe(reason)))
    return [text for _, _, text in sorted(found)]


def _report(title: str, offenders: list[str]) -> str:
    return f"{title} ({len(offenders)}):\n  " + "\n  ".join(offenders)


def test_the_sources_are_found() -> None:
    names = _module_names()
    assert REGISTRY in names
    assert "asynclint.rule" in names
    assert len([n for n in names if n.startswith(REGISTRY + ".")]) >= 5


def _imports_in(name: str, source: str, is_package: bool = False) -> list[Import]:
    tree = ast.parse(source)
    return list(_imports_of(Module(name, ROOT / "example.py", is_package, tree, 1)))


def test_relative_imports_are_resolved() -> None:
    source = "from . import rule\nfrom .. import engine\nfrom .scopes import Scope\n"
    targets = [item.target for item in _imports_in("asynclint.syntax.nodes", source)]
    assert targets == ["asynclint.syntax", "asynclint.engine", "asynclint.syntax.scopes"]
    package = _imports_in("asynclint.facts", "from . import x\n", is_package=True)
    assert [item.target for item in package] == ["asynclint.facts"]


def test_every_kind_of_import_is_seen() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from asynclint.engine import Context\n"
        "def f():\n"
        "    import asynclint.index as index\n"
        "from .tasks import THREADSAFE\n"
        "from ..dependence import own_nodes\n"
    )
    imports = _imports_in("asynclint.rules.bridging", source)
    ordered = sorted(imports, key=lambda item: item.line)
    reasons = [(item.target, _why_a_rule_may_not(item)) for item in ordered]
    assert reasons == [
        ("typing", None),
        ("asynclint.engine", "engine internals"),
        ("asynclint.index", "the project index: ask a fact instead"),
        ("asynclint.rules.tasks", "another rule"),
        ("asynclint.dependence", "dependence is not a rule layer"),
    ]


def _rule_package(module: str) -> str | None:
    """``asynclint.rules.loops`` for ``asynclint.rules.loops.analysis`` (a rule package)."""
    parts = module.split(".")
    if len(parts) < 3 or ".".join(parts[:2]) != REGISTRY:
        return None
    return ".".join(parts[:3])


def _why_a_rule_may_not(item: Import) -> str | None:
    target = item.target
    if target.split(".")[0] != "asynclint":
        if _is_stdlib(target) or _within_any(target, THIRD_PARTY_FOR_RULES):
            return None
        return "a third-party package other than libcst"
    if _within(target, REGISTRY):
        if item.importer.name == REGISTRY and target != REGISTRY:
            return None  # the registry collects the rule modules
        own_package = _rule_package(item.importer.name)
        if own_package is not None and _within(target, own_package):
            return None  # a large rule's package: its page, analysis and fix modules
        return "another rule"
    if _within_any(target, RULE_IMPORTS):
        return None
    if _within(target, "asynclint.index"):
        return "the project index: ask a fact instead"
    if _within(target, "asynclint.engine"):
        return "engine internals"
    if _within(target, "asynclint.dependence"):
        return "dependence is not a rule layer"
    return "not one of the layers a rule may import"


def test_rules_import_only_the_layers_they_may() -> None:
    modules = [m for m in _modules() if _within(m.name, REGISTRY)]
    offenders = _violations(modules, _why_a_rule_may_not)
    assert not offenders, _report(
        f"rules may import only {', '.join(RULE_IMPORTS)}, the stdlib and libcst", offenders
    )


def test_rules_do_not_read_the_index() -> None:
    """Questions to the project index are facts (``asynclint.facts``), never a rule's own."""
    offenders = []
    for module in _modules():
        if not _within(module.name, REGISTRY):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute) and node.attr in ("index", "memo"):
                owner = node.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if name == "context":
                    offenders.append(f"{module.where}:{node.lineno}: context.{node.attr}")
    assert not offenders, _report("rules read the project index or a shared memo", offenders)


def _asynclint_imports_outside(allowed: tuple[str, ...]) -> Callable[[Import], str | None]:
    def why_not(item: Import) -> str | None:
        if item.target.split(".")[0] != "asynclint" or _within_any(item.target, allowed):
            return None
        return "not allowed in this layer"

    return why_not


def test_facts_do_not_import_rules() -> None:
    offenders = _violations(
        _layer("asynclint.facts"),
        lambda item: "a rule" if _within(item.target, REGISTRY) else None,
    )
    assert not offenders, _report("asynclint.facts imports rules", offenders)


def test_index_imports_only_knowledge() -> None:
    allowed = ("asynclint.index", "asynclint.knowledge", "asynclint.toml")
    offenders = _violations(_layer("asynclint.index"), _asynclint_imports_outside(allowed))
    assert not offenders, _report(f"asynclint.index may import only {allowed}", offenders)


def test_syntax_imports_only_libcst() -> None:
    def why_not(item: Import) -> str | None:
        target = item.target
        if _is_stdlib(target) or _within_any(target, ("libcst", "asynclint.syntax")):
            return None
        return "syntax may import only libcst and the stdlib"

    offenders = _violations(_layer("asynclint.syntax"), why_not)
    assert not offenders, _report("asynclint.syntax imports more than libcst", offenders)


def test_knowledge_imports_only_stdlib_and_toml() -> None:
    def why_not(item: Import) -> str | None:
        target = item.target
        if _is_stdlib(target) or _within_any(target, ("asynclint.knowledge", "asynclint.toml")):
            return None
        return "knowledge may import only the stdlib and asynclint.toml"

    offenders = _violations(_layer("asynclint.knowledge"), why_not)
    assert not offenders, _report("asynclint.knowledge imports more than data", offenders)


def test_lower_layers_never_import_rules() -> None:
    modules = [m for m in _modules() if _within_any(m.name, LOWER_LAYERS)]
    offenders = _violations(
        modules, lambda item: "a rule" if _within(item.target, REGISTRY) else None
    )
    assert not offenders, _report(f"{', '.join(LOWER_LAYERS)} import rules", offenders)


def test_rule_modules_are_small() -> None:
    offenders = [
        f"{m.where}: {m.line_count} lines"
        for m in _modules()
        if _within(m.name, REGISTRY) and m.line_count > MAX_RULE_MODULE_LINES
    ]
    assert not offenders, _report(
        f"rule modules over {MAX_RULE_MODULE_LINES} lines (docs and examples included)",
        offenders,
    )


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(node: ast.AST, owner: str = "") -> Iterator[tuple[str, Function]]:
    """``(qualified name, node)`` of every function and method under ``node``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{owner}{child.name}"
            if not isinstance(child, ast.ClassDef):
                yield name, child
            yield from _functions(child, name + ".")
        else:
            yield from _functions(child, owner)


def test_functions_are_short() -> None:
    offenders = []
    for module in _modules():
        for name, node in _functions(module.tree):
            assert node.end_lineno is not None
            size = node.end_lineno - node.lineno + 1
            if size > MAX_FUNCTION_LINES:
                offenders.append((size, f"{module.where}:{node.lineno}: {name}() {size} lines"))
    assert not offenders, _report(
        f"functions over {MAX_FUNCTION_LINES} lines (docstring included)",
        [text for _, text in sorted(offenders, reverse=True)],
    )
