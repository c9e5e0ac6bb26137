"""Check ``asynclint/data/libraries.toml`` against the libraries' source code.

Every entry of the table is located in the source of the library it names (an installed
site-packages directory and the standard library), read and parsed with :mod:`ast`; nothing is
imported. Re-exports are followed (``from .x import y``, ``import x``, ``__all__`` and star
imports, ``X = Y`` aliases, lazy-import tables), and so are class bases. Then:

- ``[calls]``: the kind the source implies (``async def``, async generator, return annotation,
  the class of the returned object, ...) must equal the listed kind; a ``plain`` entry needs a
  certain ``sync`` (no value returned, a plain annotation, a generator, a class without
  ``__await__``), and nothing awaitable;
- ``[classes]``: the async protocols of the class (``__aenter__``/``__aexit__``, ``__await__``,
  ``__aiter__``, ...), through its bases, must equal the listed ones;
- ``[returns]``: the listed class must appear in the return annotation, the returned expression
  or the docstring of the callable; so must each class of ``[tuples]`` and ``[items]``;
- ``[aliases]``: both names must resolve to the same definition.

When the implementation does not tell (a C extension, a method generated at runtime, an
unannotated return), the type stubs are read instead: stubs a package ships (``.pyi`` beside the
module, or a ``<name>-stubs`` package) and typeshed's stubs of the standard library (found in an
installed mypy, or given with ``--stubs``).

An entry that still cannot be checked must carry a note in the TOML, a comment starting with
``unchecked:`` on the entry's line or heading its group of lines (a group ends at a blank line).
An entry that deliberately differs from what the source implies (an awaitable whose awaiting is
optional, say) carries an ``override:`` note the same way; both are counted in the summary.

This is a developer tool, not a test. Usage::

    python3 -m venv /tmp/libvenv
    /tmp/libvenv/bin/pip install aiohttp httpx asyncpg redis motor aiofiles websockets trio anyio \
        requests mypy types-aiofiles   # mypy for typeshed's stdlib stubs
    python tests/check_library_table.py --site-packages /tmp/libvenv/lib/python3.11/site-packages
    python tests/check_library_table.py --site-packages DIR --dump aiohttp.ClientSession

Run it with each Python whose standard library should be checked (3.11 and 3.13, say): the
standard library read is the running interpreter's unless ``--stdlib`` names one.

Exit status: 0 when every entry agrees with the source or is documented as unchecked, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import re
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "asynclint" / "data" / "libraries.toml"

CALL_KINDS = (
    "coroutine",
    "awaitable",
    "async-context-manager",
    "async-iterator",
    "task",
    "sync",
    "plain",
    "property",
)
PROTOCOLS = ("async-context-manager", "context-manager", "awaitable", "async-iterator", "iterator")
# Kinds of call whose result may be awaited: none of them may be listed "plain".
AWAITABLE_KINDS = {"coroutine", "awaitable", "task"}

# Names from typing / collections.abc / contextlib, as return annotations.
ANNOTATION_KINDS = {
    "Coroutine": "coroutine",
    "CoroutineType": "coroutine",
    "Awaitable": "awaitable",
    "Future": "awaitable",
    "Task": "task",
    "AsyncIterator": "async-iterator",
    "AsyncIterable": "async-iterator",
    "AsyncGenerator": "async-iterator",
    "AsyncGeneratorType": "async-iterator",
    "AsyncContextManager": "async-context-manager",
    "AbstractAsyncContextManager": "async-context-manager",
    "ContextManager": "sync",
    "AbstractContextManager": "sync",
    "Iterator": "sync",
    "Iterable": "sync",
    "Generator": "sync",
    "NoReturn": "sync",
    "Never": "sync",
    "Callable": "sync",
    "Mapping": "sync",
    "Sequence": "sync",
    "List": "sync",
    "Dict": "sync",
    "Tuple": "sync",
    "Set": "sync",
    "FrozenSet": "sync",
    "Literal": "sync",
}
# The same names as class bases: the protocols they give their subclasses.
BASE_PROTOCOLS = {
    "Coroutine": {"awaitable"},
    "Awaitable": {"awaitable"},
    "AsyncIterator": {"async-iterator"},
    "AsyncIterable": {"async-iterator"},
    "AsyncGenerator": {"async-iterator"},
    "AsyncContextManager": {"async-context-manager"},
    "AbstractAsyncContextManager": {"async-context-manager"},
    "ContextManager": {"context-manager"},
    "AbstractContextManager": {"context-manager"},
    "Iterator": {"iterator"},
    "Iterable": {"iterator"},
    "Generator": {"iterator"},
}
# Bases that add no protocol; they are not followed.
NEUTRAL_BASES = {
    "object",
    "Generic",
    "Protocol",
    "ABC",
    "NamedTuple",
    "TypedDict",
    "Enum",
    "IntEnum",
    "Exception",
    "BaseException",
    "Sized",
    "Hashable",
    "Container",
    "Collection",
    "Mapping",
    "MutableMapping",
    "Sequence",
    "MutableSequence",
    "Reversible",
}
ABC_MODULES = {
    "typing",
    "typing_extensions",
    "collections.abc",
    "_collections_abc",
    "contextlib",
    "abc",
    "types",
}
BUILTIN_NAMES = set(dir(builtins))
SYNC_BUILTINS = {
    "str",
    "bytes",
    "int",
    "float",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "frozenset",
    "object",
    "type",
    "memoryview",
    "bytearray",
}
PROTOCOL_DUNDERS = {
    "async-context-manager": ("__aenter__", "__aexit__"),
    "context-manager": ("__enter__", "__exit__"),
    "awaitable": ("__await__",),
    "async-iterator": ("__aiter__",),
    "iterator": ("__iter__",),
}


# ----------------------------------------------------------------------------------------------
# Locating and parsing modules


@dataclass
class Binding:
    """One statement that binds a name in a module or class body."""

    kind: str  # "def", "class", "import-from", "import", "assign"
    node: ast.AST | None = None
    module: str = ""  # for imports: the absolute module name
    name: str = ""  # for "import-from": the imported name


@dataclass
class Module:
    name: str
    path: Path | None  # None for a namespace package
    is_package: bool
    is_stub: bool
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    all_names: set[str] | None = None
    has_getattr: bool = False

    def location(self, node: ast.AST | None) -> str:
        line = getattr(node, "lineno", 0)
        if self.path is None:
            return self.name
        parts = self.path.parts
        depth = len(self.name.split(".")) + (1 if self.is_package else 0)
        return f"{'/'.join(parts[-depth:])}:{line}"


@dataclass(frozen=True)
class Compiled:
    """A module that exists only as a C extension (or Cython source), or cannot be parsed."""

    name: str
    path: Path


@dataclass
class ModuleTarget:
    module: Module


@dataclass
class ClassTarget:
    node: ast.ClassDef
    module: Module

    @property
    def key(self) -> tuple[str, int]:
        return (self.module.name, self.node.lineno)

    @property
    def qualname(self) -> str:
        return f"{self.module.name}.{self.node.name}"


@dataclass
class DefTarget:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: Module
    owner: ClassTarget | None  # the class whose body holds the def


@dataclass
class ValueTarget:
    """A name bound to an expression that is not a definition (often built at runtime)."""

    node: ast.expr
    module: Module
    owner: ClassTarget | None


@dataclass
class Missing:
    reason: str
    found_module: bool = True  # False: the library (or module) is not installed at all


Target = ModuleTarget | ClassTarget | DefTarget | ValueTarget | Missing


def _stdlib_dirs() -> list[Path]:
    paths = sysconfig.get_paths()
    return [Path(paths["stdlib"]), Path(paths["platstdlib"])]


class SourceIndex:
    """Finds and parses modules under some roots; implementation files or stubs first."""

    def __init__(self, roots: list[Path], stub_roots: list[Path], prefer_stubs: bool) -> None:
        self.roots = roots
        self.stub_roots = stub_roots
        self.prefer_stubs = prefer_stubs
        self._modules: dict[str, Module | Compiled | None] = {}

    def _candidates(self, name: str) -> Iterator[tuple[Path, bool]]:
        parts = name.split(".")
        suffixes = (".pyi", ".py") if self.prefer_stubs else (".py", ".pyi")
        if self.prefer_stubs:
            for root in self.stub_roots:
                yield from self._in_root(root, parts, (".pyi",))
            for root in self.roots:
                stub_parts = [parts[0] + "-stubs", *parts[1:]]
                yield from self._in_root(root, stub_parts, (".pyi",))
        for root in self.roots:
            yield from self._in_root(root, parts, suffixes)

    @staticmethod
    def _in_root(
        root: Path, parts: list[str], suffixes: tuple[str, ...]
    ) -> Iterator[tuple[Path, bool]]:
        base = root.joinpath(*parts)
        for suffix in suffixes:
            init = base / f"__init__{suffix}"
            if init.is_file():
                yield init, True
            single = base.with_name(base.name + suffix)
            if single.is_file():
                yield single, False

    def module(self, name: str) -> Module | Compiled | None:
        if name in self._modules:
            return self._modules[name]
        self._modules[name] = None  # guards against import cycles
        found: Module | Compiled | None = None
        for path, is_package in self._candidates(name):
            try:
                found = self._parse(name, path, is_package)
            except SyntaxError:  # newer syntax than this interpreter reads
                found = Compiled(name, path)
            break
        else:
            parts = name.split(".")
            for root in self.roots:
                base = root.joinpath(*parts)
                compiled = [
                    *base.parent.glob(base.name + ".*.so"),
                    *base.parent.glob(base.name + ".pyx"),
                ]
                if base.parent.is_dir() and compiled:
                    found = Compiled(name, compiled[0])
                    break
                if base.is_dir() and not (base / "__init__.py").exists():
                    found = Module(name, None, True, False)
                    break
        self._modules[name] = found
        return found

    def _parse(self, name: str, path: Path, is_package: bool) -> Module:
        tree = ast.parse(path.read_bytes(), filename=str(path))
        module = Module(name, path, is_package, path.suffix == ".pyi")
        for stmt in _flatten(tree.body):
            _record_binding(module, stmt, module.bindings)
        return module


def _flatten(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a body, descending into if/try/with blocks (every branch)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _flatten(stmt.body)
            yield from _flatten(stmt.orelse)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield from _flatten(stmt.body)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                yield from _flatten(handler.body)
            yield from _flatten(stmt.orelse)  # type: ignore[attr-defined]
            yield from _flatten(stmt.finalbody)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.With):
            yield from _flatten(stmt.body)
        else:
            yield stmt


def _absolute(module: Module, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    parts = module.name.split(".")
    if not module.is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if name:
        parts.append(name)
    return ".".join(parts)


def _record_binding(module: Module, stmt: ast.stmt, into: dict[str, list[Binding]]) -> None:
    def add(name: str, binding: Binding) -> None:
        into.setdefault(name, []).append(binding)

    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        add(stmt.name, Binding("def", stmt))
        if stmt.name == "__getattr__":
            module.has_getattr = True
    elif isinstance(stmt, ast.ClassDef):
        add(stmt.name, Binding("class", stmt))
    elif isinstance(stmt, ast.ImportFrom):
        source = _absolute(module, stmt.level, stmt.module)
        for alias in stmt.names:
            if alias.name == "*":
                module.star_imports.append(source)
            else:
                add(alias.asname or alias.name, Binding("import-from", None, source, alias.name))
    elif isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                add(alias.asname, Binding("import", None, alias.name))
            else:
                top = alias.name.split(".")[0]
                add(top, Binding("import", None, top))
    elif isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                add(target.id, Binding("assign", stmt.value))
                if target.id == "__all__":
                    module.all_names = _string_items(stmt.value) or module.all_names
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        if stmt.value is not None:
            add(stmt.target.id, Binding("assign", stmt.value))
            if stmt.target.id == "__all__":
                module.all_names = _string_items(stmt.value) or module.all_names
        elif module.name and stmt.target.id != "__all__":
            # a declaration without a value (stubs, class bodies): the annotation is the type
            add(stmt.target.id, Binding("assign", stmt.annotation))
    elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        if stmt.target.id == "__all__" and module.all_names is not None:
            module.all_names |= _string_items(stmt.value) or set()
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        _record_lazy_imports(module, stmt.value, add)


def _record_lazy_imports(module: Module, call: ast.Call, add: object) -> None:
    """A module-level call holding {name: ".module"} tables (lazy imports) binds those names."""
    assert callable(add)
    for keyword in call.keywords:
        if not isinstance(keyword.value, ast.Dict):
            continue
        for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and value.value.startswith(".")
            ):
                level = len(value.value) - len(value.value.lstrip("."))
                source = _absolute(module, level, value.value.lstrip(".") or None)
                add(key.value, Binding("import-from", None, source, key.value))


def _string_items(node: ast.expr) -> set[str] | None:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = {
            elt.value
            for elt in node.elts
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str)
        }
        return items
    return None


def _class_bindings(target: ClassTarget) -> dict[str, list[Binding]]:
    cache: dict[str, list[Binding]] | None = getattr(target.node, "_bindings", None)
    if cache is None:
        cache = {}
        for stmt in _flatten(target.node.body):
            _record_binding(Module("", None, False, False), stmt, cache)
        target.node._bindings = cache  # type: ignore[attr-defined]
    return cache


# ----------------------------------------------------------------------------------------------
# Resolution


class Resolver:
    def __init__(self, index: SourceIndex) -> None:
        self.index = index

    def load(self, name: str) -> Module | Compiled | None:
        return self.index.module(name)

    def resolve(self, qualified: str) -> Target:
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            loaded = self.load(".".join(parts[:cut]))
            if loaded is None:
                continue
            if isinstance(loaded, Compiled):
                return Missing(f"{loaded.name} is a compiled extension ({loaded.path.name})")
            target: Target = ModuleTarget(loaded)
            for attr in parts[cut:]:
                target = self.member(target, attr)
                if isinstance(target, Missing):
                    return target
            return target
        return Missing(f"no module of {qualified!r} is installed", found_module=False)

    def member(self, target: Target, name: str, depth: int = 0) -> Target:
        if depth > 30:
            return Missing(f"{name}: too many indirections")
        if isinstance(target, ModuleTarget):
            return self.module_member(target.module, name, depth)
        if isinstance(target, ClassTarget):
            return self.class_member(target, name, depth)
        if isinstance(target, Missing):
            return target
        return Missing(f"{name}: attribute of a non-class value")

    def module_member(self, module: Module, name: str, depth: int = 0) -> Target:
        if depth > 40:
            return Missing(f"{module.name}.{name}: circular or too deep")
        bindings = module.bindings.get(name, [])
        fallback: Missing | None = None
        for binding in reversed(bindings):
            result = self.from_binding(binding, module, None, depth + 1)
            if not isinstance(result, Missing):
                return result
            fallback = fallback or result
        if fallback is not None:
            return fallback
        if module.is_package:
            sub = self.load(f"{module.name}.{name}")
            if isinstance(sub, Module):
                return ModuleTarget(sub)
            if isinstance(sub, Compiled):
                return Missing(f"{sub.name} is a compiled extension ({sub.path.name})")
        for star in reversed(module.star_imports):
            loaded = self.load(star)
            if isinstance(loaded, Module):
                exported = loaded.all_names
                if (exported is not None and name in exported) or (
                    exported is None and not name.startswith("_")
                ):
                    result = self.module_member(loaded, name, depth + 1)
                    if not isinstance(result, Missing):
                        return result
        if module.has_getattr:
            return Missing(f"{module.name}.{name} is served by a module __getattr__ (dynamic)")
        return Missing(f"{module.name} has no {name!r}")

    def from_binding(
        self, binding: Binding, module: Module, owner: ClassTarget | None, depth: int
    ) -> Target:
        if binding.kind == "def":
            assert isinstance(binding.node, ast.FunctionDef | ast.AsyncFunctionDef)
            return DefTarget(binding.node, module, owner)
        if binding.kind == "class":
            assert isinstance(binding.node, ast.ClassDef)
            return ClassTarget(binding.node, module)
        if binding.kind == "import":
            loaded = self.load(binding.module)
            if isinstance(loaded, Module):
                return ModuleTarget(loaded)
            return Missing(f"module {binding.module} not found", found_module=False)
        if binding.kind == "import-from":
            if binding.module == module.name:  # `from . import sub` in a package's __init__
                sub = self.load(f"{module.name}.{binding.name}")
                if isinstance(sub, Module):
                    return ModuleTarget(sub)
            loaded = self.load(binding.module)
            if isinstance(loaded, Compiled):
                return Missing(f"{loaded.name} is a compiled extension ({loaded.path.name})")
            if loaded is None:
                return Missing(f"module {binding.module} not found")
            return self.module_member(loaded, binding.name, depth + 1)
        assert isinstance(binding.node, ast.expr)
        return self.expression(binding.node, module, owner, depth + 1)

    def expression(
        self, node: ast.expr, module: Module, owner: ClassTarget | None, depth: int = 0
    ) -> Target:
        """What a (name-like) expression refers to, in a module or class body scope."""
        if depth > 40:
            return Missing(f"{ast.unparse(node)}: circular or too deep")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return ValueTarget(node, module, owner)
        if isinstance(node, ast.Name):
            if owner is not None and node.id in _class_bindings(owner):
                return self.class_member(owner, node.id, depth + 1, own_only=True)
            result = self.module_member(module, node.id, depth + 1)
            if isinstance(result, Missing) and node.id in BUILTIN_NAMES:
                return Missing(f"builtin {node.id}")
            return result
        if isinstance(node, ast.Attribute):
            base = self.expression(node.value, module, owner, depth + 1)
            if isinstance(base, ModuleTarget | ClassTarget):
                return self.member(base, node.attr, depth + 1)
            if isinstance(base, Missing):
                return Missing(f"{ast.unparse(node)}: {base.reason}")
            return ValueTarget(node, module, owner)
        if isinstance(node, ast.Subscript):
            return self.expression(node.value, module, owner, depth + 1)
        return ValueTarget(node, module, owner)

    def class_member(
        self, target: ClassTarget, name: str, depth: int = 0, own_only: bool = False
    ) -> Target:
        unresolved: list[str] = []
        for cls in [target] if own_only else self.mro(target, unresolved):
            bindings = _class_bindings(cls).get(name)
            if not bindings:
                continue
            fallback: Missing | None = None
            for binding in reversed(bindings):
                result = self.from_binding(binding, cls.module, cls, depth + 1)
                if not isinstance(result, Missing):
                    return result
                fallback = fallback or result
            assert fallback is not None
            return fallback
        if unresolved:
            return Missing(f"{target.qualname}.{name} not found; unresolved bases: {unresolved}")
        getattr_ = (
            self.class_member(target, "__getattr__", depth + 1) if name != "__getattr__" else None
        )
        if isinstance(getattr_, DefTarget):
            return Missing(f"{target.qualname}.{name} is served by __getattr__ (dynamic)")
        return Missing(f"{target.qualname} has no {name!r}")

    def bases(self, target: ClassTarget) -> Iterator[tuple[ast.expr, Target]]:
        for base in target.node.bases:
            yield base, self.expression(base, target.module, None)

    def mro(self, target: ClassTarget, unresolved: list[str] | None = None) -> list[ClassTarget]:
        """The class and its bases, depth-first and left to right, each once."""
        order: list[ClassTarget] = []
        seen: set[tuple[str, int]] = set()

        def visit(cls: ClassTarget) -> None:
            if cls.key in seen:
                return
            seen.add(cls.key)
            order.append(cls)
            for expr, base in self.bases(cls):
                name = _last_name(expr)
                if name in NEUTRAL_BASES or name in BASE_PROTOCOLS:
                    continue
                if isinstance(base, ClassTarget):
                    visit(base)
                elif unresolved is not None and not (
                    isinstance(base, Missing) and base.reason.startswith("builtin")
                ):
                    unresolved.append(ast.unparse(expr))

        visit(target)
        return order

    def protocols(self, target: ClassTarget) -> tuple[set[str], list[str]]:
        """The async/sync protocols a class supports, and the bases that could not be read."""
        unresolved: list[str] = []
        found: set[str] = set()
        defined: dict[str, Binding] = {}
        for cls in self.mro(target, unresolved):
            for name, bindings in _class_bindings(cls).items():
                if name.startswith("__") and name not in defined:
                    defined[name] = bindings[-1]
            for expr, _ in self.bases(cls):
                found |= _base_protocols(expr, self, cls)
        for protocol, dunders in PROTOCOL_DUNDERS.items():
            bindings = [defined.get(dunder) for dunder in dunders]
            if all(
                binding is not None and not _is_none(binding) and not _only_raises(binding)
                for binding in bindings
            ):
                if protocol == "iterator" and _iter_forwards_to_await(defined["__iter__"]):
                    continue
                found.add(protocol)
        return found, unresolved


def _base_protocols(expr: ast.expr, resolver: Resolver, cls: ClassTarget) -> set[str]:
    name = _last_name(expr)
    if name not in BASE_PROTOCOLS:
        return set()
    head = expr.value if isinstance(expr, ast.Subscript) else expr
    base = resolver.expression(head, cls.module, None)
    if isinstance(base, ClassTarget) and base.module.name not in ABC_MODULES:
        return set()  # a library class that happens to share the name: followed as a base
    return BASE_PROTOCOLS[name]


def _is_none(binding: Binding) -> bool:
    return (
        binding.kind == "assign"
        and isinstance(binding.node, ast.Constant)
        and binding.node.value is None
    )


def _only_raises(binding: Binding) -> bool:
    """A dunder defined only to refuse the protocol (``def __enter__(self): raise TypeError``)."""
    node = binding.node
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    body = [
        stmt
        for stmt in node.body
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
    ]
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return False
    raised = body[0].exc
    if isinstance(raised, ast.Call):
        raised = raised.func
    return raised is not None and _last_name(raised) != "NotImplementedError"


def _iter_forwards_to_await(binding: Binding) -> bool:
    """``__iter__ = __await__`` or ``def __iter__(self): return self.__await__()``: the
    generator-based coroutine protocol, not iteration."""
    node = binding.node
    if binding.kind == "assign":
        return isinstance(node, ast.Name) and node.id == "__await__"
    if isinstance(node, ast.FunctionDef):
        returns = [stmt for stmt in ast.walk(node) if isinstance(stmt, ast.Return)]
        return bool(returns) and all(
            stmt.value is not None and "__await__" in ast.unparse(stmt.value) for stmt in returns
        )
    return False


def _last_name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value.split("[")[0].split(".")[-1]
    return ""


# ----------------------------------------------------------------------------------------------
# What calling something gives


@dataclass
class Inference:
    kinds: set[str]  # empty: unknown
    certain: bool
    why: str


UNKNOWN = Inference(set(), False, "")


class Inferrer:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def call_kind(self, target: Target, self_cls: ClassTarget | None, depth: int = 0) -> Inference:
        if isinstance(target, ClassTarget):
            return self.class_kind(target)
        if isinstance(target, DefTarget):
            return self.def_kind(target, self_cls or target.owner, depth)
        if isinstance(target, ValueTarget):
            made = self.made_by_factory(target)
            if made.kinds:
                return made
            return Inference(
                set(), False, f"bound to `{ast.unparse(target.node)[:60]}` (built at runtime)"
            )
        if isinstance(target, ModuleTarget):
            return Inference(set(), False, "a module")
        return Inference(set(), False, target.reason)

    def decorator_kind(self, decorator: ast.expr, target: DefTarget) -> Inference:
        """A decorator annotated to turn a function into one returning an awaitable:
        ``-> Callable[P, Awaitable[T]]``, or for a decorator factory
        ``-> Callable[[Callable[P, T]], Callable[P, Awaitable[T]]]``."""
        head = _decorator_head(decorator)
        if not isinstance(head, ast.Name | ast.Attribute):
            return UNKNOWN
        resolved = self.resolver.expression(head, target.module, None)
        if not isinstance(resolved, DefTarget) or resolved.node.returns is None:
            return UNKNOWN
        result = _callable_result(resolved.node.returns)
        if result is not None and isinstance(decorator, ast.Call):
            result = _callable_result(result)
        if result is None:
            return UNKNOWN
        inferred = self.annotation_kind(result, resolved, None)
        if inferred.kinds - {"sync"}:
            inferred.why = f"@{ast.unparse(head)} -> {ast.unparse(resolved.node.returns)}"
            return inferred
        return UNKNOWN

    def made_by_factory(self, target: ValueTarget) -> Inference:
        """``name = factory(...)`` where the factory is annotated ``-> Callable[..., R]``: calling
        the name gives an R."""
        call = target.node
        if not isinstance(call, ast.Call):
            return UNKNOWN
        factory = self.resolver.expression(call.func, target.module, None)
        if not isinstance(factory, DefTarget):
            return UNKNOWN
        where = factory.module.location(factory.node)
        nested = {
            stmt.name: stmt
            for stmt in factory.node.body
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        products = [
            nested[value.id]
            for value in _returned_values(factory.node)
            if isinstance(value, ast.Name) and value.id in nested
        ]
        if products and all(isinstance(p, ast.AsyncFunctionDef) for p in products):
            if not any(_has_yield(p) for p in products):
                return Inference(
                    {"coroutine"}, True, f"made by {factory.node.name}() at {where}: async def"
                )
        returns = factory.node.returns
        if returns is None:
            return UNKNOWN
        if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
            returns = ast.parse(returns.value, mode="eval").body
        if not (
            isinstance(returns, ast.Subscript)
            and _last_name(returns.value) == "Callable"
            and isinstance(returns.slice, ast.Tuple)
            and len(returns.slice.elts) == 2
        ):
            return UNKNOWN
        result = returns.slice.elts[1]
        inferred = self.annotation_kind(result, factory, None)
        inferred.why = f"made by {factory.node.name}() at {where} -> {ast.unparse(returns)}"
        return inferred

    def class_kind(self, target: ClassTarget) -> Inference:
        protocols, unresolved = self.resolver.protocols(target)
        where = target.module.location(target.node)
        certain = not unresolved
        if self._is_task(target):
            return Inference({"task"}, True, f"class Task at {where}")
        if "awaitable" in protocols:
            return Inference(
                {"awaitable"}, True, f"class {target.node.name} at {where} is awaitable"
            )
        usable = protocols & {"async-context-manager", "async-iterator"}
        if usable:
            # an object that supports `async with`/`async for` may also be used plainly
            return Inference(
                usable | {"sync"}, True, f"class {target.node.name} at {where}: {sorted(usable)}"
            )
        suffix = "" if certain else f" (bases not read: {unresolved})"
        return Inference({"sync"}, certain, f"class {target.node.name} at {where}{suffix}")

    def _is_task(self, target: ClassTarget) -> bool:
        return any(
            cls.node.name == "Task" and cls.module.name.split(".")[0] in {"asyncio", "_asyncio"}
            for cls in self.resolver.mro(target)
        )

    def def_kind(self, target: DefTarget, self_cls: ClassTarget | None, depth: int) -> Inference:
        node = target.node
        where = target.module.location(node)
        decorators = {_last_name(_decorator_head(d)) for d in node.decorator_list}
        generator = _has_yield(node)
        if isinstance(node, ast.AsyncFunctionDef):
            if generator and "asynccontextmanager" in decorators:
                return Inference(
                    {"async-context-manager"}, True, f"@asynccontextmanager at {where}"
                )
            if generator:
                return Inference({"async-iterator"}, True, f"async generator at {where}")
            return Inference({"coroutine"}, True, f"async def at {where}")
        for decorator in node.decorator_list:
            made = self.decorator_kind(decorator, target)
            if made.kinds:
                made.why = f"def at {where} decorated: {made.why}"
                return made
        if decorators & {"property", "cached_property", "reify"}:
            return Inference({"property"}, True, f"property at {where}")
        if "contextmanager" in decorators:
            return Inference({"sync"}, True, f"@contextmanager at {where}")
        if generator:
            if "coroutine" in decorators:
                return Inference({"coroutine"}, True, f"generator-based coroutine at {where}")
            return Inference({"sync"}, True, f"generator at {where}")
        if node.returns is not None:
            inferred = self.annotation_kind(node.returns, target, self_cls)
            if inferred.kinds:
                inferred.why = f"def at {where} -> {ast.unparse(node.returns)}: {inferred.why}"
                return inferred
        if depth < 4 and not target.module.is_stub:
            returned = self.returned_kinds(target, self_cls, depth)
            if returned.kinds:
                returned.why = f"def at {where} returns {returned.why}"
                return returned
        if not _returns_value(node):
            if _is_stub_body(node):  # an interface declares its coroutines `async def`
                return Inference({"sync"}, False, f"abstract or stub plain def at {where}")
            return Inference({"sync"}, True, f"def at {where} returns nothing")
        return Inference({"sync"}, False, f"plain def at {where}; returned value not analysed")

    def annotation_kind(
        self, node: ast.expr, target: DefTarget, self_cls: ClassTarget | None
    ) -> Inference:
        if isinstance(node, ast.Constant):
            if node.value is None:
                return Inference({"sync"}, True, "None")
            if isinstance(node.value, str):
                try:
                    parsed = ast.parse(node.value, mode="eval").body
                except SyntaxError:
                    return UNKNOWN
                return self.annotation_kind(parsed, target, self_cls)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union([node.left, node.right], target, self_cls)
        if isinstance(node, ast.Subscript):
            head = _last_name(node.value)
            inner = node.slice
            if head == "Optional":
                return self.annotation_kind(inner, target, self_cls)
            if head == "Union":
                elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                return self._union(elts, target, self_cls)
            if head == "Annotated" and isinstance(inner, ast.Tuple):
                return self.annotation_kind(inner.elts[0], target, self_cls)
        name = _last_name(node)
        resolved = self.resolver.expression(
            node.value if isinstance(node, ast.Subscript) else node, target.module, target.owner
        )
        if isinstance(resolved, ClassTarget) and resolved.module.name not in ABC_MODULES:
            asyncio_future = name == "Future" and resolved.module.name.split(".")[0] in {
                "asyncio",
                "_asyncio",
            }
            if asyncio_future or self._is_task(resolved):
                pass  # asyncio's Future and Task: by name below (not concurrent.futures')
            else:
                inferred = self.class_kind(resolved)
                inferred.why = f"returns {resolved.qualname}"
                return inferred
        if name in ANNOTATION_KINDS:
            return Inference({ANNOTATION_KINDS[name]}, True, name)
        if name in SYNC_BUILTINS or name in {"None", "bool"}:
            return Inference({"sync"}, True, name)
        if name == "Self" and self_cls is not None:
            inferred = self.class_kind(self_cls)
            inferred.why = f"Self ({self_cls.qualname})"
            return inferred
        return UNKNOWN

    def _union(
        self, elts: list[ast.expr], target: DefTarget, self_cls: ClassTarget | None
    ) -> Inference:
        results = [
            self.annotation_kind(elt, target, self_cls)
            for elt in elts
            if not (isinstance(elt, ast.Constant) and elt.value is None)
        ]
        kinds = set().union(*(r.kinds for r in results)) if results else {"sync"}
        if len(kinds) == 1 and all(r.kinds for r in results):
            return Inference(kinds, all(r.certain for r in results), "union")
        return UNKNOWN  # mixed: decided by the returned value

    def returned_kinds(
        self, target: DefTarget, self_cls: ClassTarget | None, depth: int
    ) -> Inference:
        local_values = _local_assignments(target.node)
        results: list[set[str]] = []
        whys: list[str] = []
        certain = True
        for value in _returned_values(target.node):
            inferred = self.value_kind(value, target, self_cls, dict(local_values), depth)
            if inferred.kinds:
                results.append(inferred.kinds)
                whys.append(f"`{ast.unparse(value)[:50]}` ({inferred.why})")
                certain = certain and inferred.certain
            elif not (isinstance(value, ast.Constant) and value.value is None):
                certain = False  # another return the checker cannot follow
        if not results:
            return UNKNOWN
        # an early plain return beside an awaitable one: the awaitable one decides
        asynchronous = [kinds for kinds in results if kinds - {"sync"}]
        kinds = set().union(*(asynchronous or results))
        distinct = {frozenset(k) for k in (asynchronous or results)}
        return Inference(kinds, certain and len(distinct) == 1, "; ".join(whys))

    def value_kind(
        self,
        value: ast.expr,
        target: DefTarget,
        self_cls: ClassTarget | None,
        local_values: dict[str, ast.expr],
        depth: int,
    ) -> Inference:
        if isinstance(value, ast.Constant) and value.value is None:
            return UNKNOWN
        if isinstance(value, ast.Name) and value.id in local_values:
            assigned = local_values.pop(value.id)  # each local followed once
            return self.value_kind(assigned, target, self_cls, local_values, depth)
        if isinstance(value, ast.IfExp):
            first = self.value_kind(value.body, target, self_cls, local_values, depth)
            return (
                first
                if first.kinds
                else self.value_kind(value.orelse, target, self_cls, local_values, depth)
            )
        if not isinstance(value, ast.Call):
            return UNKNOWN
        callee = self.callee(value.func, target, self_cls)
        if isinstance(callee, DefTarget | ClassTarget):
            next_self = self_cls if _is_self_attribute(value.func) else None
            inferred = self.call_kind(callee, next_self, depth + 1)
            if inferred.kinds:
                return Inference(inferred.kinds, inferred.certain, inferred.why)
        return UNKNOWN

    def callee(self, func: ast.expr, target: DefTarget, self_cls: ClassTarget | None) -> Target:
        if isinstance(func, ast.Name):  # a function defined inside this one
            for child in _own_nodes(target.node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    child.name == func.id
                ):
                    return DefTarget(child, target.module, None)
        if _is_self_attribute(func) and self_cls is not None:
            assert isinstance(func, ast.Attribute)
            return self.resolver.class_member(self_cls, func.attr)
        if isinstance(func, ast.Name | ast.Attribute):
            return self.resolver.expression(func, target.module, None)
        return Missing("not a name")


def _callable_result(annotation: ast.expr) -> ast.expr | None:
    """R in ``Callable[..., R]``."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = ast.parse(annotation.value, mode="eval").body
    if (
        isinstance(annotation, ast.Subscript)
        and _last_name(annotation.value) == "Callable"
        and isinstance(annotation.slice, ast.Tuple)
        and len(annotation.slice.elts) == 2
    ):
        return annotation.slice.elts[1]
    return None


def _decorator_head(node: ast.expr) -> ast.expr:
    return node.func if isinstance(node, ast.Call) else node


def _is_self_attribute(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"self", "cls"}
    )


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function body, not descending into nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
        ):
            stack.extend(ast.iter_child_nodes(child))


def _has_yield(node: ast.AST) -> bool:
    return any(isinstance(child, ast.Yield | ast.YieldFrom) for child in _own_nodes(node))


def _returned_values(node: ast.AST) -> list[ast.expr]:
    return [
        child.value
        for child in _own_nodes(node)
        if isinstance(child, ast.Return) and child.value is not None
    ]


def _returns_value(node: ast.AST) -> bool:
    return any(
        not (isinstance(value, ast.Constant) and value.value is None)
        for value in _returned_values(node)
    )


def _local_assignments(node: ast.AST) -> dict[str, ast.expr]:
    values: dict[str, ast.expr] = {}
    for child in _own_nodes(node):
        if isinstance(child, ast.Assign) and len(child.targets) == 1:
            (name,) = child.targets
            if isinstance(name, ast.Name) and name.id not in values:
                values[name.id] = child.value
    return values


def _is_stub_body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # docstring
    return all(
        isinstance(stmt, ast.Pass | ast.Raise)
        or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        for stmt in body
    )


# ----------------------------------------------------------------------------------------------
# Return types


def type_candidates(
    resolver: Resolver,
    target: DefTarget,
    self_cls: ClassTarget | None,
    depth: int = 0,
    nested: bool = False,
) -> list[tuple[ClassTarget, str]]:
    """Classes a callable's result may be an instance of, with where each was seen (with
    ``nested``: also a ``Self`` inside the return annotation, for the items of a container)."""
    found: list[tuple[ClassTarget, str]] = []
    node = target.node
    if nested and node.returns is not None and self_cls is not None:
        names = ast.walk(node.returns)
        if any(isinstance(name, ast.Name) and name.id == "Self" for name in names):
            found.append((self_cls, "Self in the annotation"))

    def from_expression(expr: ast.expr, how: str, depth: int = 0) -> None:
        if depth > 3:
            return
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            try:
                expr = ast.parse(expr.value, mode="eval").body
            except SyntaxError:
                return
        for sub in ast.walk(expr):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub is not expr:
                from_expression(sub, how, depth + 1)
            if not isinstance(sub, ast.Name | ast.Attribute):
                continue
            if isinstance(sub, ast.Name) and sub.id in {"self", "cls"}:
                continue
            resolved = resolver.expression(sub, target.module, target.owner)
            if isinstance(resolved, ClassTarget):
                found.append((resolved, how))
                for base in resolved.node.bases:  # e.g. Wrapper(Base[Result])
                    if isinstance(base, ast.Subscript):
                        for name in ast.walk(base.slice):
                            if isinstance(name, ast.Name | ast.Attribute):
                                inner = resolver.expression(name, resolved.module, None)
                                if isinstance(inner, ClassTarget):
                                    found.append((inner, how))
            # a type alias: X = Generic[Result]
            if isinstance(sub, ast.Name):
                for binding in target.module.bindings.get(sub.id, []):
                    if binding.kind == "assign" and isinstance(binding.node, ast.Subscript):
                        from_expression(binding.node, how, depth + 1)

    if node.returns is not None:
        from_expression(node.returns, "annotation")
        if _last_name(node.returns) == "Self" or _returns_self(node):
            if self_cls is not None:
                found.append((self_cls, "returns self"))
    local_values = _local_assignments(node)
    for value in _returned_values(node):
        for name in ast.walk(value):
            if isinstance(name, ast.Name) and isinstance(local_values.get(name.id), ast.Call):
                built = local_values[name.id]
                assert isinstance(built, ast.Call)
                made = resolver.expression(built.func, target.module, None)
                if isinstance(made, ClassTarget):
                    found.append((made, f"returned local {name.id}"))
        call = value.value if isinstance(value, ast.Await) else value
        if isinstance(call, ast.Call):
            callee = Inferrer(resolver).callee(call.func, target, self_cls)
            if isinstance(callee, ClassTarget):
                found.append((callee, "returned"))
            elif isinstance(callee, DefTarget) and callee.node.returns is not None:
                from_expression(callee.node.returns, f"returned {callee.node.name}()")
    docstring = ast.get_docstring(node) or ""
    for match in re.finditer(r":class:`~?\.?([\w.]+)`|\b([A-Z]\w+)\b", docstring):
        dotted = match.group(1) or match.group(2)
        for name in (dotted, dotted.split(".")[-1]):
            expr = ast.parse(name, mode="eval").body
            resolved = resolver.expression(expr, target.module, target.owner)
            if isinstance(resolved, ClassTarget):
                found.append((resolved, "docstring"))
                break
    if depth == 0:  # an awaitable result: what awaiting it gives
        for candidate, how in list(found):
            awaited = resolver.class_member(candidate, "__await__")
            if isinstance(awaited, DefTarget):
                for inner, _ in type_candidates(resolver, awaited, candidate, depth + 1):
                    found.append((inner, f"{how}, awaited"))
    return found


def _tuple_base_items(resolver: Resolver, target: ClassTarget) -> list[Target] | None:
    """For ``class X(tuple[A, B])``: what A and B are; None for a class not built so."""
    for base in target.node.bases:
        if (
            isinstance(base, ast.Subscript)
            and _last_name(base.value) == "tuple"
            and isinstance(base.slice, ast.Tuple)
        ):
            items = []
            for item in base.slice.elts:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    item = ast.parse(item.value, mode="eval").body
                head = item.value if isinstance(item, ast.Subscript) else item
                items.append(resolver.expression(head, target.module, None))
            return items
    return None


def _returns_self(node: ast.AST) -> bool:
    values = _returned_values(node)
    return bool(values) and all(isinstance(v, ast.Name) and v.id == "self" for v in values)


# ----------------------------------------------------------------------------------------------
# Notes in the TOML


NOTE_MARKERS = ("unchecked:", "override:")


def entry_notes(text: str) -> dict[tuple[str, str], str]:
    """(section, key) -> the note (``unchecked: ...`` or ``override: ...``) that applies to it."""
    notes: dict[tuple[str, str], str] = {}
    section = ""
    group_note = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            group_note = ""
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            section, group_note = header.group(1), ""
            continue
        if line.startswith("#"):
            comment = line.lstrip("#").strip()
            if comment.startswith(NOTE_MARKERS):
                group_note = comment
            continue
        entry = re.match(r'"([^"]+)"\s*=\s*(.*)$', line)
        if entry:
            inline = entry.group(2).split("#", 1)
            note = inline[1].strip() if len(inline) == 2 else ""
            if note.startswith(NOTE_MARKERS):
                notes[(section, entry.group(1))] = note
            elif group_note:
                notes[(section, entry.group(1))] = group_note
    return notes


# ----------------------------------------------------------------------------------------------
# The check


@dataclass
class Outcome:
    section: str
    key: str
    # "verified", "stub", "unchecked", "override", "mismatch", "missing", "undocumented"
    status: str
    detail: str


class Checker:
    def __init__(self, implementation: Resolver, stubs: Resolver) -> None:
        self.implementation = implementation
        self.stubs = stubs

    def resolve_both(self, key: str) -> tuple[Target, Target]:
        return self.implementation.resolve(key), self.stubs.resolve(key)

    def owner_class(self, resolver: Resolver, key: str) -> ClassTarget | None:
        parent = resolver.resolve(key.rsplit(".", 1)[0]) if "." in key else None
        return parent if isinstance(parent, ClassTarget) else None

    def check_call(self, key: str, expected: str) -> tuple[str, str]:
        # "plain" is a "sync" call whose result is surely no awaitable: only a certain "sync"
        # (no value returned, a plain annotation, a generator, a class without __await__) shows it.
        plain = expected == "plain"
        expected = "sync" if plain else expected
        last = ""
        for label, resolver in (("source", self.implementation), ("stub", self.stubs)):
            target = resolver.resolve(key)
            if isinstance(target, Missing) and not target.found_module:
                if label == "source" and key.startswith("builtins."):
                    continue  # builtins have no source: their stub tells
                return "missing", target.reason
            inferred = Inferrer(resolver).call_kind(target, self.owner_class(resolver, key))
            if inferred.kinds == {"awaitable"} and expected == "coroutine":
                if re.search(r"\bAwaitable\b", inferred.why):
                    # annotated `Awaitable`: a coroutine is one, more precisely
                    inferred.kinds = {"coroutine"}
            if plain and inferred.kinds & AWAITABLE_KINDS:
                return "mismatch", f"{label} says {sorted(inferred.kinds)}: {inferred.why}"
            if inferred.kinds and inferred.certain:
                if expected in inferred.kinds and len(inferred.kinds) == 1:
                    return ("verified" if label == "source" else "stub"), inferred.why
                if expected in inferred.kinds:
                    return ("verified" if label == "source" else "stub"), (
                        f"one of {sorted(inferred.kinds)}: {inferred.why}"
                    )
                return "mismatch", f"{label} says {sorted(inferred.kinds)}: {inferred.why}"
            if expected in inferred.kinds and expected == "sync" and not plain:
                # a plain `def` whose result was not followed: weaker, counted apart
                return ("weak" if label == "source" else "weak-stub"), inferred.why
            if inferred.kinds and expected not in inferred.kinds and label == "stub":
                return "mismatch", f"{label} says {sorted(inferred.kinds)}: {inferred.why}"
            last = last or inferred.why or "unknown"
        return "unchecked", last

    def check_class(self, key: str, expected: frozenset[str]) -> tuple[str, str]:
        last = ""
        for label, resolver in (("source", self.implementation), ("stub", self.stubs)):
            target = resolver.resolve(key)
            if isinstance(target, Missing):
                if not target.found_module:
                    return "missing", target.reason
                last = last or target.reason
                continue
            if not isinstance(target, ClassTarget):
                last = last or f"not a class: {type(target).__name__}"
                continue
            protocols, unresolved = resolver.protocols(target)
            where = target.module.location(target.node)
            if protocols == expected:
                return (
                    "verified" if label == "source" else "stub"
                ), f"{sorted(protocols)} at {where}"
            if unresolved and protocols <= expected:
                last = last or f"has {sorted(protocols)}; bases not read: {unresolved}"
                continue
            return "mismatch", f"{label} has {sorted(protocols)} at {where}"
        return "unchecked", last

    def check_return(self, key: str, expected: str, nested: bool = False) -> tuple[str, str]:
        last = ""
        for label, resolver in (("source", self.implementation), ("stub", self.stubs)):
            target = resolver.resolve(key)
            wanted = resolver.resolve(expected)
            if isinstance(target, Missing) and not target.found_module:
                if label == "source" and key.startswith("builtins."):
                    continue  # builtins have no source: their stub tells
                return "missing", target.reason
            if not isinstance(wanted, ClassTarget):
                last = last or f"{expected} is not a class here"
                continue
            self_cls = self.owner_class(resolver, key)
            if isinstance(target, ClassTarget):  # awaiting an instance: its __await__
                self_cls = target
                target = resolver.class_member(target, "__await__")
            if not isinstance(target, DefTarget):
                last = last or f"{key} is not a function here"
                continue
            candidates = type_candidates(resolver, target, self_cls, nested=nested)
            for candidate, how in candidates:
                if wanted.key in {cls.key for cls in resolver.mro(candidate)}:
                    status = "verified" if label == "source" else "stub"
                    return status, f"{how}: {candidate.qualname}"
            if candidates:
                names = sorted({c.qualname for c, _ in candidates})
                last = last or f"{label} names {names[:6]}"
            else:
                last = last or f"{label}: no type information"
        return "unchecked", last

    def check_tuple(self, key: str, expected: list[str]) -> tuple[str, str]:
        """[tuples]: a class deriving from ``tuple[A, B]`` must list A and B in order; else
        every listed class must appear as [returns] requires."""
        for label, resolver in (("source", self.implementation), ("stub", self.stubs)):
            target = resolver.resolve(key)
            items = _tuple_base_items(resolver, target) if isinstance(target, ClassTarget) else None
            if items is None:
                continue
            wanted = [resolver.resolve(name) for name in expected]
            same = len(items) == len(wanted) and all(
                isinstance(want, ClassTarget)
                and isinstance(item, ClassTarget)
                and want.key in {cls.key for cls in resolver.mro(item)}
                for item, want in zip(items, wanted, strict=False)
            )
            names = [item.qualname if isinstance(item, ClassTarget) else "?" for item in items]
            if same:
                return ("verified" if label == "source" else "stub"), f"tuple{names}"
            return "mismatch", f"{label} derives from tuple{names}"
        return self.check_returns(key, expected, nested=True)

    def check_returns(self, key: str, expected: list[str], nested: bool = False) -> tuple[str, str]:
        """[tuples] and [items]: every listed class must appear as [returns] requires (with
        ``nested``, a ``Self`` inside the annotation counts: ``-> Generator[Self, None, None]``)."""
        results = [(item, *self.check_return(key, item, nested)) for item in expected]
        for wanted in ("missing", "unchecked"):
            for item, status, detail in results:
                if status == wanted:
                    return status, f"{item}: {detail}"
        status = "stub" if any(status == "stub" for _, status, _ in results) else "verified"
        return status, "; ".join(f"{item}: {detail}" for item, _, detail in results)

    def check_alias(self, key: str, expected: str) -> tuple[str, str]:
        for label, resolver in (("source", self.implementation), ("stub", self.stubs)):
            left, right = resolver.resolve(key), resolver.resolve(expected)
            if isinstance(left, Missing) or isinstance(right, Missing):
                missing = left if isinstance(left, Missing) else right
                assert isinstance(missing, Missing)
                reason = missing.reason
                if not missing.found_module:
                    return "missing", reason
                if label == "stub":
                    return "unchecked", reason
                continue
            same = _identity(left) == _identity(right)
            if same:
                return ("verified" if label == "source" else "stub"), "same definition"
            return "mismatch", f"{_identity(left)} != {_identity(right)}"
        return "unchecked", "not found"


def _identity(target: Target) -> tuple[str, int]:
    if isinstance(target, ModuleTarget):
        return (target.module.name, 0)
    node = getattr(target, "node", None)
    module = getattr(target, "module", None)
    return (module.name if module else "", getattr(node, "lineno", -1))


def run(table_path: Path, checker: Checker, verbose: bool) -> int:
    text = table_path.read_text(encoding="utf-8")
    table = tomllib.loads(text)
    notes = entry_notes(text)
    outcomes: list[Outcome] = []
    for key, kind in table.get("calls", {}).items():
        outcomes.append(Outcome("calls", key, *checker.check_call(key, kind)))
    for key, protocols in table.get("classes", {}).items():
        outcomes.append(Outcome("classes", key, *checker.check_class(key, frozenset(protocols))))
    for key, value in table.get("returns", {}).items():
        outcomes.append(Outcome("returns", key, *checker.check_return(key, value)))
    for key, value in table.get("tuples", {}).items():
        outcomes.append(Outcome("tuples", key, *checker.check_tuple(key, value)))
    for key, value in table.get("items", {}).items():
        outcomes.append(Outcome("items", key, *checker.check_returns(key, [value], nested=True)))
    for key, value in table.get("aliases", {}).items():
        outcomes.append(Outcome("aliases", key, *checker.check_alias(key, value)))

    counts: dict[str, int] = {}
    stale = 0
    for outcome in outcomes:
        note = notes.get((outcome.section, outcome.key), "")
        if outcome.status == "unchecked" and not note.startswith("unchecked:"):
            outcome.status = "undocumented"
        elif outcome.status == "mismatch" and note.startswith("override:"):
            outcome.status = "override"
            outcome.detail += f" [{note}]"
        elif outcome.status in {"verified", "stub", "weak", "weak-stub"} and note:
            stale += 1
            print(f"STALE NOTE   [{outcome.section}] {outcome.key}: agrees with the source: {note}")
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        problem = outcome.status in {"mismatch", "missing", "undocumented"}
        if problem or verbose:
            label = outcome.status.upper() if problem else outcome.status
            print(f"{label:<12} [{outcome.section}] {outcome.key}: {outcome.detail}")
    print()
    weak = counts.get("weak", 0) + counts.get("weak-stub", 0)
    counts["verified"] = counts.get("verified", 0) + counts.get("weak", 0)
    counts["stub"] = counts.get("stub", 0) + counts.get("weak-stub", 0)
    print(
        f"{len(outcomes)} entries: {counts.get('verified', 0)} verified from the implementation, "
        f"{counts.get('stub', 0)} from type stubs, {counts.get('unchecked', 0)} documented as "
        f"unchecked, {counts.get('override', 0)} documented overrides of the source; "
        f"{counts.get('mismatch', 0)} mismatches, {counts.get('missing', 0)} not "
        f"found, {counts.get('undocumented', 0)} unchecked without a note, {stale} stale notes"
    )
    if weak:
        print(
            f"({weak} of the verified are 'sync' only as a plain def whose result is not followed)"
        )
    problems = sum(counts.get(s, 0) for s in ("mismatch", "missing", "undocumented"))
    return 1 if problems or stale else 0


def _print_inference(name: str, inferred: Inference) -> None:
    doubt = "" if inferred.certain else " (not certain)"
    print(f"  {name}: {sorted(inferred.kinds)}{doubt} {inferred.why}")


def dump(qualified: str, resolver: Resolver) -> None:
    """Print what the source says about a module's or class's public names."""
    target = resolver.resolve(qualified)
    inferrer = Inferrer(resolver)
    if isinstance(target, ClassTarget):
        protocols, unresolved = resolver.protocols(target)
        print(f"class {target.qualname}: {sorted(protocols)} unresolved bases: {unresolved}")
        names: dict[str, None] = {}
        for cls in resolver.mro(target):
            for name in _class_bindings(cls):
                if not name.startswith("_") or name in {"__aenter__", "__await__", "__aiter__"}:
                    names.setdefault(name, None)
        for name in names:
            member = resolver.class_member(target, name)
            inferred = inferrer.call_kind(member, target)
            _print_inference(name, inferred)
    elif isinstance(target, ModuleTarget):
        module = target.module
        names = dict.fromkeys(sorted(module.all_names or module.bindings))
        for star in module.star_imports:
            loaded = resolver.load(star)
            if isinstance(loaded, Module):
                names.update(dict.fromkeys(sorted(loaded.all_names or loaded.bindings)))
        for name in names:
            if name.startswith("_"):
                continue
            member = resolver.module_member(module, name)
            inferred = inferrer.call_kind(member, None)
            _print_inference(name, inferred)
    else:
        print(target)
        print(inferrer.call_kind(target, None))


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """Where library source is read from: site-packages, the standard library, typeshed."""
    parser.add_argument(
        "--site-packages",
        action="append",
        type=Path,
        default=[],
        help="a directory holding the installed libraries (repeatable)",
    )
    parser.add_argument(
        "--stdlib",
        action="append",
        type=Path,
        default=[],
        help="standard library directories, searched in order (default: this interpreter's)",
    )
    parser.add_argument(
        "--stubs",
        action="append",
        type=Path,
        default=[],
        help="typeshed's stdlib stubs (default: found in an installed mypy, if any)",
    )


def source_resolvers(args: argparse.Namespace) -> tuple[Resolver, Resolver]:
    """Resolvers over the implementation files, and over type stubs first."""
    stdlib = args.stdlib or _stdlib_dirs()
    roots = [*stdlib, *args.site_packages]
    stub_roots = list(args.stubs)
    if not stub_roots:
        for site in args.site_packages:
            typeshed = site / "mypy" / "typeshed" / "stdlib"
            if typeshed.is_dir():
                stub_roots.append(typeshed)
    if not stub_roots:
        print("note: no typeshed stubs found (install mypy beside the libraries, or --stubs)")
    implementation = Resolver(SourceIndex(roots, [], prefer_stubs=False))
    stubs = Resolver(SourceIndex(roots, stub_roots, prefer_stubs=True))
    return implementation, stubs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_source_arguments(parser)
    parser.add_argument("--table", type=Path, default=TABLE)
    parser.add_argument("--dump", metavar="NAME", help="describe a module or class and exit")
    parser.add_argument(
        "--dump-stubs", action="store_true", help="with --dump: read the type stubs first"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every entry")
    args = parser.parse_args(argv)

    implementation, stubs = source_resolvers(args)
    if args.dump:
        dump(args.dump, stubs if args.dump_stubs else implementation)
        return 0
    return run(args.table, Checker(implementation, stubs), args.verbose)


if __name__ == "__main__":
    sys.exit(main())
