"""The project index: what each module defines, so rules can see across modules.

For every module of the linted project (and, lazily, for the standard library and installed
packages, read as source, never imported) the index records which functions and methods are
coroutine functions, async generators or plain functions, which classes support the async
protocols, what names a module imports or re-exports, and the types that annotations and
constructor calls give to attributes and module variables.

Summaries come from the standard library's ``ast`` (they only record definitions) and are
cached on disk by the hash of the file's content.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import json
import os
import sys
import sysconfig
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

# What calling a function gives.
COROUTINE = "coroutine"  # ``async def``: a coroutine to await
ASYNC_GENERATOR = "async-generator"  # ``async def`` with ``yield``: iterate with ``async for``
SYNC = "sync"  # a plain function (generators included)
ASYNC_CONTEXT_MANAGER = "async-context-manager"  # ``@asynccontextmanager``
CONTEXT_MANAGER = "context-manager"  # ``@contextmanager``
PROPERTY = "property"  # read as an attribute, not called
TASK = "task"  # returns a new ``asyncio.Task`` that nothing else holds
UNKNOWN = "unknown"  # a decorator the index cannot see through, or several definitions

# Decorators that leave a function what it was.
_TRANSPARENT_DECORATORS = frozenset(
    {
        "builtins.staticmethod",
        "builtins.classmethod",
        "abc.abstractmethod",
        "functools.cache",
        "functools.lru_cache",
        "functools.wraps",
        "typing.final",
        "typing.override",
        "typing_extensions.final",
        "typing_extensions.override",
        "pytest.fixture",
        "pytest_asyncio.fixture",
    }
)
_KIND_DECORATORS = {
    "contextlib.asynccontextmanager": ASYNC_CONTEXT_MANAGER,
    "contextlib.contextmanager": CONTEXT_MANAGER,
    "builtins.property": PROPERTY,
    "functools.cached_property": PROPERTY,
}
_WRAPS = frozenset({"functools.wraps"})
_PROTOCOL_METHODS = frozenset(
    {
        "__aenter__",
        "__aexit__",
        "__aiter__",
        "__anext__",
        "__await__",
        "__enter__",
        "__iter__",
        "send",
        "throw",
    }
)
# The protocols of the abstract bases that ``typing`` and ``collections.abc`` build dynamically.
_AWAIT = frozenset({"__await__"})
# A ``Coroutine`` subclass wraps work that does not start until awaited.
_COROUTINE_LIKE = frozenset({"__await__", "send", "throw"})
_ASYNC_ITER = frozenset({"__aiter__", "__anext__"})
_ASYNC_WITH = frozenset({"__aenter__", "__aexit__"})
_ABSTRACT_PROTOCOLS: dict[str, frozenset[str]] = {
    **{
        f"{m}.{n}": _AWAIT
        for m in ("typing", "collections.abc")
        for n in ("Awaitable", "Coroutine")
    },
    **{
        f"{m}.{n}": _ASYNC_ITER
        for m in ("typing", "collections.abc")
        for n in ("AsyncIterator", "AsyncGenerator", "AsyncIterable")
    },
    "typing.AsyncContextManager": _ASYNC_WITH,
    "contextlib.AbstractAsyncContextManager": _ASYNC_WITH,
    "typing.ContextManager": frozenset({"__enter__", "__exit__"}),
    "contextlib.AbstractContextManager": frozenset({"__enter__", "__exit__"}),
    **{
        name: frozenset()
        for name in (
            "builtins.object",
            "typing.Generic",
            "typing.Protocol",
            "typing_extensions.Protocol",
            "abc.ABC",
        )
    },
}
_OPTIONAL_WRAPPERS = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional"})
_BUILTINS = frozenset(dir(builtins))
SUMMARY_VERSION = 13
# Calls that create an ``asyncio.Task`` (a scheduled coroutine) or wrap a coroutine in one.
TASK_FACTORIES = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.Task",
        "asyncio.tasks.create_task",
        "asyncio.tasks.ensure_future",
        "asyncio.tasks.Task",
    }
)
# Receivers of ``.create_task()`` that are taken for an event loop when nothing else is known.
LOOP_NAMES = frozenset({"loop", "_loop", "event_loop", "_event_loop", "io_loop"})
_LOOP_GETTERS = frozenset(
    {"asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio.new_event_loop"}
)


@dataclass
class FunctionFact:
    """A function or method as defined: its own kind, its decorators, its return annotation."""

    kind: str
    decorators: list[str] = field(default_factory=list)  # qualified, innermost last
    returns: str | None = None  # qualified outer type of the return annotation
    # For a decorator: what the function it returns is (``@wraps`` wrapper found inside).
    wraps: str | None = None
    # What the body calls directly (qualified; ``self.m()`` as ``<module>.<Class>.m``), in
    # order, outside nested functions and lambdas: for following sync helpers that block.
    calls: list[str] = field(default_factory=list)
    # Whether every value it returns is a task it has just created and kept no other reference
    # to (``return asyncio.create_task(...)``): the caller alone holds the task.
    fresh_task: bool = False
    # Whether it may return a value: a ``return`` with a value other than ``None``, a ``yield``,
    # or a body that is only a placeholder (``...``, ``pass``, ``raise NotImplementedError``),
    # which an override or a stub stands in for.
    returns_value: bool = True
    # Whether its body only raises (``raise NotImplementedError``): it never returns at all.
    never_returns: bool = False
    # Whether its body is a placeholder (``...``, ``pass``, docstring): a stub or an abstract
    # method, whose annotation is all there is to know.
    placeholder: bool = False
    # Whether every value it returns is built right there (a literal, an operation, a display):
    # then a plain return annotation can be trusted. Annotations of values that come from
    # calls are not (``def suglen(self) -> int: return self.execute_command(...)`` returns an
    # awaitable in an async client).
    plain_returns: bool = False


@dataclass
class ClassFact:
    bases: list[str] = field(default_factory=list)  # qualified; "" when not resolvable
    methods: dict[str, FunctionFact] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)  # name -> qualified type
    protocols: list[str] = field(default_factory=list)  # dunder methods defined here


@dataclass
class ModuleFact:
    name: str
    is_package: bool = False
    functions: dict[str, FunctionFact] = field(default_factory=dict)
    classes: dict[str, ClassFact] = field(default_factory=dict)
    # local name -> qualified name, for imports and module-level aliases (``f = other.f``)
    names: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # name -> qualified type
    stars: list[str] = field(default_factory=list)  # modules star-imported
    exports: list[str] | None = None  # a literal ``__all__``
    ambiguous: list[str] = field(default_factory=list)  # bound in conflicting ways
    # Classes defined inside functions or other classes: not reachable by name, but they may
    # override methods of the classes they derive from.
    local_classes: list[ClassFact] = field(default_factory=list)
    # Private names (``_helper``) used other than by a call in a module-level function or a
    # method: called at module level or in nested functions and lambdas, or taken as a value
    # (``loop.call_soon(_helper)``). Such a function may run anywhere.
    loose_private: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ModuleFact:
        nested = ("functions", "classes", "local_classes")
        fact = cls(**{k: v for k, v in data.items() if k not in nested})
        fact.functions = {k: FunctionFact(**v) for k, v in data["functions"].items()}
        fact.classes = {k: _class_from_json(v) for k, v in data["classes"].items()}
        fact.local_classes = [_class_from_json(v) for v in data["local_classes"]]
        return fact


def _class_from_json(value: dict) -> ClassFact:
    methods = {k: FunctionFact(**v) for k, v in value["methods"].items()}
    return ClassFact(value["bases"], methods, value["attributes"], value["protocols"])


# --- summarising one module ------------------------------------------------------------------


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def absolute_module(module: str | None, level: int, current: str, is_package: bool) -> str:
    """The absolute name of ``from <dots><module> import ...`` written in module ``current``."""
    if level == 0:
        return module or ""
    parts = current.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    if module:
        return f"{base}.{module}" if base else module
    return base


class _Summarizer:
    def __init__(self, name: str, is_package: bool) -> None:
        self.fact = ModuleFact(name=name, is_package=is_package)
        self.local_defs: set[str] = set()
        self.bound_twice: set[str] = set()
        self._own_cache: dict[int, list[ast.AST]] = {}

    def own(self, function: ast.AST) -> list[ast.AST]:
        """``_own_nodes(function)``, walked once per function however many facts need it."""
        key = id(function)
        if key not in self._own_cache:
            self._own_cache[key] = list(_own_nodes(function))
        return self._own_cache[key]

    # Names are qualified after the whole module is read: a function may use a name imported
    # or defined below it.
    def qualify(self, node: ast.expr | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.fact.names:
            base = self.fact.names[head]
        elif head in self.local_defs:
            base = f"{self.fact.name}.{head}"
        elif head in _BUILTINS:
            base = f"builtins.{head}"
        else:
            return None
        return f"{base}.{rest}" if rest else base

    def annotation_type(self, node: ast.expr | None) -> str | None:
        """The class an annotation names: ``Client``, ``Optional[Client]``, ``Client | None``,
        ``"Client"``; the outer type for generics (``Task[int]`` -> ``asyncio.Task``)."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                return self.annotation_type(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = self.annotation_type(node.left), self.annotation_type(node.right)
            return left if right in (None, "builtins.None") else None if left else right
        if isinstance(node, ast.Constant) and node.value is None:
            return "builtins.None"
        if isinstance(node, ast.Subscript):
            outer = self.qualify(node.value)
            if outer in _OPTIONAL_WRAPPERS:
                inner = node.slice
                options = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                types = {self.annotation_type(o) for o in options} - {"builtins.None"}
                return types.pop() if len(types) == 1 else None
            return outer
        return self.qualify(node)

    def function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None = None
    ) -> FunctionFact:
        is_async = isinstance(node, ast.AsyncFunctionDef)
        yields = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in self.own(node))
        if is_async:
            kind = ASYNC_GENERATOR if yields else COROUTINE
        else:
            kind = SYNC
        fact = FunctionFact(kind=kind)
        fact.decorators = [self._decorator(d) for d in node.decorator_list]
        fact.returns = self.annotation_type(node.returns)
        fact.wraps = self._wrapper_kind(node, depth=2)
        fact.calls = self._direct_calls(node, owner)
        annotated = fact.returns in ("asyncio.Task", "asyncio.tasks.Task")
        fact.fresh_task = self._returns_fresh_task(node, annotated)
        fact.never_returns = any(isinstance(n, ast.Raise) for n in node.body) and all(
            isinstance(n, (ast.Raise, ast.Pass))
            or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
            for n in node.body
        )
        fact.placeholder = _is_placeholder(node.body) and not fact.never_returns
        values = [n.value for n in self.own(node) if isinstance(n, ast.Return) and n.value]
        fact.plain_returns = not yields and all(_is_plain_value(v, self.qualify) for v in values)
        fact.returns_value = (
            yields
            or _is_placeholder(node.body)
            or any(
                isinstance(n, ast.Return)
                and n.value is not None
                and not (isinstance(n.value, ast.Constant) and n.value.value is None)
                for n in self.own(node)
            )
        )
        return fact

    def creates_task(self, node: ast.expr | None) -> bool:
        """``asyncio.create_task(...)``, ``asyncio.ensure_future(...)``, ``asyncio.Task(...)``
        or ``<loop>.create_task(...)`` on a loop from ``get_running_loop()`` or named like one."""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if self.qualify(func) in TASK_FACTORIES:
            return True
        if not isinstance(func, ast.Attribute) or func.attr != "create_task":
            return False
        receiver = func.value
        if isinstance(receiver, ast.Call):
            return self.qualify(receiver.func) in _LOOP_GETTERS
        last = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
        return last in LOOP_NAMES

    def _returns_fresh_task(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, annotated: bool = False
    ) -> bool:
        """Every ``return`` gives a task created here that nothing else references: a task
        factory call, or a local assigned one and read only by the ``return``. For a function
        annotated ``-> asyncio.Task``, any call returned is taken for a new task too (an
        attribute, an item or a name read elsewhere is a task kept somewhere)."""
        returns = [n for n in self.own(node) if isinstance(n, ast.Return) and n.value]
        if not returns:
            return False
        returned_names: set[str] = set()
        for ret in returns:
            if isinstance(ret.value, ast.Name):
                returned_names.add(ret.value.id)
            elif not (
                self.creates_task(ret.value) or (annotated and isinstance(ret.value, ast.Call))
            ):
                return False
        if not returned_names:
            return True
        assigned: dict[str, int] = {}
        loads: dict[str, int] = {}
        stores: dict[str, int] = {}
        for inner in self.own(node):
            if isinstance(inner, ast.Assign) and len(inner.targets) == 1:
                target = inner.targets[0]
                if isinstance(target, ast.Name) and target.id in returned_names:
                    value = inner.value
                    if not (
                        self.creates_task(value) or (annotated and isinstance(value, ast.Call))
                    ):
                        return False
                    assigned[target.id] = assigned.get(target.id, 0) + 1
            elif isinstance(inner, ast.Name):
                counts = loads if isinstance(inner.ctx, ast.Load) else stores
                counts[inner.id] = counts.get(inner.id, 0) + 1
            elif isinstance(inner, (ast.Global, ast.Nonlocal)):
                if returned_names & set(inner.names):
                    return False
        for name in returned_names:
            returned_count = sum(
                1 for r in returns if isinstance(r.value, ast.Name) and r.value.id == name
            )
            if (
                assigned.get(name) != 1
                or stores.get(name) != 1
                or loads.get(name, 0) != returned_count
            ):
                return False
        return not any(
            isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            and returned_names & {m.id for m in ast.walk(n) if isinstance(m, ast.Name)}
            for n in ast.walk(node)
            if n is not node
        )

    def _direct_calls(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None
    ) -> list[str]:
        receiver = node.args.args[0].arg if owner and node.args.args else None
        calls = []
        for inner in self.own(node):
            if not isinstance(inner, ast.Call):
                continue
            func = inner.func
            if (
                receiver
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == receiver
            ):
                calls.append(f"{self.fact.name}.{owner}.{func.attr}")
                continue
            qualified = self.qualify(func)
            if qualified and qualified not in calls:
                calls.append(qualified)
        return calls

    def _decorator(self, node: ast.expr) -> str:
        target = node.func if isinstance(node, ast.Call) else node
        return self.qualify(target) or "?"

    def _wrapper_kind(self, node: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str | None:
        """For a decorator: the kind of the ``@functools.wraps`` function it returns, looking
        through one level of decorator factory. ``"passthrough"`` for a sync wrapper (it returns
        what the wrapped function returns)."""
        returned = {
            n.value.id
            for n in node.body
            if isinstance(n, ast.Return) and isinstance(n.value, ast.Name)
        }
        for inner in node.body:
            if not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if inner.name not in returned:
                continue
            if any(self._decorator(d) in _WRAPS for d in inner.decorator_list):
                return COROUTINE if isinstance(inner, ast.AsyncFunctionDef) else "passthrough"
            if depth > 1:
                found = self._wrapper_kind(inner, depth - 1)
                if found:
                    return found
        return None

    def klass(self, node: ast.ClassDef, top_level: bool = True) -> ClassFact:
        # ``Base[T]`` derives from ``Base``
        bases = [b.value if isinstance(b, ast.Subscript) else b for b in node.bases]
        fact = ClassFact(bases=[self.qualify(b) or "" for b in bases])
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(self._decorator(d) == "typing.overload" for d in item.decorator_list):
                    continue
                if item.name in fact.methods:
                    fact.methods[item.name] = FunctionFact(kind=UNKNOWN)
                else:
                    fact.methods[item.name] = self.function(item, node.name if top_level else None)
                if item.name in _PROTOCOL_METHODS:
                    fact.protocols.append(item.name)
                self._self_attributes(item, fact)
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                annotated = self.annotation_type(item.annotation)
                if annotated and not annotated.startswith("typing.ClassVar"):
                    fact.attributes[item.target.id] = annotated
            elif isinstance(item, ast.Assign):
                for target in item.targets:
                    if isinstance(target, ast.Name) and target.id in _PROTOCOL_METHODS:
                        fact.protocols.append(target.id)  # ``__aenter__ = other``
        return fact

    def _self_attributes(
        self, method: ast.FunctionDef | ast.AsyncFunctionDef, fact: ClassFact
    ) -> None:
        """``self.x: T = ...`` and ``self.x = T(...)`` anywhere in a method."""
        if not method.args.args:
            return
        receiver = method.args.args[0].arg
        # ``def __init__(self, repo: Repo): self.repo = repo`` types the attribute too.
        parameters = {
            a.arg: self.annotation_type(a.annotation)
            for a in (*method.args.posonlyargs, *method.args.args[1:], *method.args.kwonlyargs)
            if a.annotation is not None
        }
        for node in self.own(method):
            if isinstance(node, ast.AnnAssign):
                target, kind = node.target, self.annotation_type(node.annotation)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
                if isinstance(value, ast.Call):
                    kind = self.qualify(value.func)
                elif isinstance(value, ast.Name) and value.id in parameters:
                    kind = parameters[value.id]
                else:
                    kind = None
            else:
                continue
            if not (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == receiver
            ):
                continue
            previous = fact.attributes.get(target.attr)
            if kind is None or (previous is not None and previous != kind):
                if previous is not None and previous != kind and kind is not None:
                    fact.attributes[target.attr] = ""
                continue
            fact.attributes[target.attr] = kind

    def module(self, tree: ast.Module) -> ModuleFact:
        fact = self.fact
        statements = list(_top_level(tree.body))
        seen: dict[str, str] = {}

        def bind(name: str, how: str) -> None:
            if name in seen and seen[name] != how:
                self.bound_twice.add(name)
            seen[name] = how

        for node in statements:  # imports and definitions first: qualification needs them
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        fact.names[alias.asname] = alias.name
                        bind(alias.asname, f"import {alias.name}")
                    else:
                        top = alias.name.split(".", 1)[0]
                        fact.names[top] = top
                        bind(top, f"import {top}")
            elif isinstance(node, ast.ImportFrom):
                base = absolute_module(node.module, node.level, fact.name, fact.is_package)
                for alias in node.names:
                    if alias.name == "*":
                        fact.stars.append(base)
                        continue
                    local = alias.asname or alias.name
                    fact.names[local] = f"{base}.{alias.name}" if base else alias.name
                    bind(local, f"import {fact.names[local]}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.local_defs.add(node.name)
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                decorators = [self._decorator(d) for d in node.decorator_list]
                if "typing.overload" in decorators:
                    continue
                bind(node.name, "def")
                if node.name in fact.functions:
                    self.bound_twice.add(node.name)
                fact.functions[node.name] = self.function(node)
            elif isinstance(node, ast.ClassDef):
                bind(node.name, "class")
                fact.classes[node.name] = self.klass(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                self._module_assignment(node, bind)
        top_level = {id(node) for node in statements}
        fact.local_classes = [
            self.klass(node, top_level=False)
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and id(node) not in top_level and node.bases
        ]
        fact.ambiguous = sorted(self.bound_twice)
        fact.loose_private = self._loose_private(tree, statements)
        return fact

    def _loose_private(self, tree: ast.Module, statements: list[ast.stmt]) -> list[str]:
        """Private names used anywhere but as the callee of a call in the own body of a
        module-level function or a top-level class's method (those calls are in ``calls``)."""
        covered: set[int] = set()
        for node in statements:
            functions = [node] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
            if isinstance(node, ast.ClassDef):
                functions = [
                    item
                    for item in node.body
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                ]
            for function in functions:
                covered.update(
                    id(inner.func) for inner in self.own(function) if isinstance(inner, ast.Call)
                )
        loose: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                name = node.id
            elif isinstance(node, ast.Attribute):
                name = node.attr
            else:
                continue
            if not name.startswith("_") or name.startswith("__") or id(node) in covered:
                continue
            if isinstance(node.ctx, ast.Load):
                qualified = self.qualify(node)
                if qualified:
                    loose.add(qualified)
        return sorted(loose)

    def _module_assignment(self, node: ast.Assign | ast.AnnAssign, bind) -> None:
        fact = self.fact
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        for target in targets:
            if not isinstance(target, ast.Name):
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bind(name.id, "assign")
                continue
            name = target.id
            if name == "__all__" and isinstance(value, (ast.List, ast.Tuple)):
                exported = [e.value for e in value.elts if isinstance(e, ast.Constant)]
                fact.exports = [e for e in exported if isinstance(e, str)]
                continue
            if isinstance(value, ast.Subscript) and self.qualify(value.value):
                value = value.value  # ``Alias = Generic[Args]``: the alias names the class
            if isinstance(value, (ast.Name, ast.Attribute)) and self.qualify(value):
                fact.names[name] = self.qualify(value) or ""
                bind(name, f"alias {fact.names[name]}")
            elif isinstance(value, ast.Call) and self.qualify(value.func):
                fact.variables[name] = self.qualify(value.func) or ""
                bind(name, f"variable {fact.variables[name]}")
            elif isinstance(node, ast.AnnAssign) and self.annotation_type(node.annotation):
                fact.variables[name] = self.annotation_type(node.annotation) or ""
                bind(name, f"variable {fact.variables[name]}")
            else:
                bind(name, "assign")
                fact.variables.pop(name, None)


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, entering ``if``/``try``/``with`` blocks (not functions)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            yield from _top_level(node.body)  # type: ignore[attr-defined]
            for handler in node.handlers:  # type: ignore[attr-defined]
                yield from _top_level(handler.body)
            yield from _top_level(node.orelse)  # type: ignore[attr-defined]
            yield from _top_level(node.finalbody)  # type: ignore[attr-defined]
        elif isinstance(node, ast.With):
            yield from _top_level(node.body)
        else:
            yield node


_PLAIN_VALUES = (
    ast.Constant,
    ast.JoinedStr,
    ast.Compare,
    ast.BinOp,
    ast.UnaryOp,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
)


_PLAIN_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "abs", "bool", "bytes", "dict", "float", "format", "frozenset", "hash", "int",
        "isinstance", "issubclass", "len", "list", "repr", "round", "set", "sorted", "str",
        "sum", "tuple",
    )
)  # fmt: skip


def _is_plain_value(node: ast.expr, qualify: Callable[[ast.expr], str | None]) -> bool:
    """A value built right where it stands, never an awaitable: a literal, an operation, a
    display, a comprehension, a builtin conversion (``len(x)``, ``str(x)``), and ``x and y``
    or ``x if c else y`` of such values."""
    if isinstance(node, ast.BoolOp):
        return all(_is_plain_value(v, qualify) for v in node.values)
    if isinstance(node, ast.IfExp):
        return _is_plain_value(node.body, qualify) and _is_plain_value(node.orelse, qualify)
    if isinstance(node, ast.Call):
        return qualify(node.func) in _PLAIN_BUILTINS
    return isinstance(node, _PLAIN_VALUES)


def _is_placeholder(body: list[ast.stmt]) -> bool:
    """A body that only stands in for a real one: a docstring, ``...``, ``pass``, a ``raise``."""
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring or ``...``
        if not isinstance(statement, (ast.Pass, ast.Raise)):
            return False
    return True


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function's body, not entering nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def summarize(source: str | bytes, name: str, is_package: bool = False) -> ModuleFact:
    """The summary of a module's source; an empty one if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ModuleFact(name=name, is_package=is_package)
    return _Summarizer(name, is_package).module(tree)


# --- where modules are ------------------------------------------------------------------------

_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def project_root(path: Path) -> Path:
    """The project a file belongs to: the nearest folder above it with a ``pyproject.toml``,
    ``setup.py``, ``setup.cfg`` or ``.git``; else its own folder."""
    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        if is_project_root(folder):
            return folder
    return start


def is_project_root(folder: Path) -> bool:
    """Whether a folder is a project's root (where a cache may be written)."""
    return any((folder / marker).exists() for marker in _ROOT_MARKERS)


def module_name(path: Path) -> tuple[str, bool]:
    """A file's dotted module name from its package chain (``__init__.py`` files above it),
    and whether it is a package's ``__init__``. ``src/pkg/mod.py`` -> ``pkg.mod``."""
    path = path.resolve()
    stem = path.name.rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = [] if is_package else [stem]
    folder = path.parent
    while (folder / "__init__.py").exists() or (folder / "__init__.pyi").exists():
        parts.append(folder.name)
        if folder.parent == folder:
            break
        folder = folder.parent
    return ".".join(reversed(parts)) or stem, is_package


def environment_paths(project: Path, python: str | None = None) -> list[Path]:
    """Where installed packages live for the project being linted (not asynclint's own
    environment, which under pre-commit is an isolated one): a configured interpreter or
    virtual environment, else ``$VIRTUAL_ENV``, else ``.venv``/``venv`` in the project, else
    the running interpreter's; followed by the standard library."""
    candidates: list[Path] = []
    if python:
        candidates.append(Path(python))
    elif os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]))
    else:
        candidates.extend(project / name for name in (".venv", "venv"))
    paths: list[Path] = []
    for candidate in candidates:
        env = candidate if candidate.is_dir() else candidate.parent.parent  # .../bin/python
        for pattern in ("lib/python3*/site-packages", "lib/python3*/dist-packages"):
            paths.extend(sorted(env.glob(pattern)))
        paths.extend(sorted(env.glob("Lib/site-packages")))
        if paths:
            break
    if not paths:
        paths.extend(Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [*paths, stdlib]


def find_module_file(name: str, search: Iterable[Path]) -> tuple[Path, bool] | None:
    """The source of module ``name`` on ``search`` paths (``.pyi`` stubs first)."""
    relative = Path(*name.split("."))
    for base in search:
        for candidate, is_package in (
            (base / relative / "__init__.pyi", True),
            (base / relative / "__init__.py", True),
            (base / relative.with_suffix(".pyi"), False),
            (base / relative.with_suffix(".py"), False),
        ):
            if candidate.is_file():
                return candidate, is_package
    return None


# --- the cache --------------------------------------------------------------------------------


class SummaryCache:
    """Summaries on disk, keyed by the hash of the source (and the summary format)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _path(self, digest: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"index-{SUMMARY_VERSION}" / digest[:2] / f"{digest}.json"

    @staticmethod
    def key(data: bytes, name: str, is_package: bool) -> str:
        digest = hashlib.sha1(data, usedforsecurity=False)
        digest.update(f"\0{name}\0{is_package}".encode())
        return digest.hexdigest()

    def load(self, key: str) -> ModuleFact | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            return ModuleFact.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, key: str, fact: ModuleFact) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _mark_cache_folder(self.directory)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(fact.to_json()), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            pass

    def summary(self, data: bytes, name: str, is_package: bool) -> ModuleFact:
        key = self.key(data, name, is_package)
        fact = self.load(key)
        if fact is None:
            fact = summarize(data, name, is_package)
            self.store(key, fact)
        return fact


def _mark_cache_folder(directory: Path | None) -> None:
    if directory is None:
        return
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Made by asynclint: a cache, never committed.\n*\n", encoding="utf-8")


def default_cache_directory(root: Path) -> Path | None:
    """``.asynclint_cache`` in a project's root; None for a folder that is no project."""
    return root / ".asynclint_cache" if is_project_root(root) else None


# --- resolution -------------------------------------------------------------------------------

AWAITABLE = "awaitable"  # not a coroutine, but must be awaited or it does nothing (or is lost)
# An object that may be awaited but does its work anyway (a task handle, a future): dropping it
# is not a missing ``await``; awaiting it is not an error either.
AWAITABLE_OBJECT = "awaitable-object"
_AWAITABLE_ANNOTATIONS = frozenset(
    {
        "typing.Awaitable",
        "typing.Coroutine",
        "collections.abc.Awaitable",
        "collections.abc.Coroutine",
        "asyncio.Future",
        "asyncio.Task",
        "asyncio.futures.Future",
        "asyncio.tasks.Task",
    }
)
# Return annotations of values that are never awaitable, and of values that may be anything.
_PLAIN_TYPES = frozenset(
    f"builtins.{name}"
    for name in (
        "None",
        "bool",
        "int",
        "float",
        "complex",
        "str",
        "bytes",
        "bytearray",
        "list",
        "dict",
        "set",
        "frozenset",
        "tuple",
        "range",
    )
) | frozenset(
    f"typing.{name}"
    for name in ("List", "Dict", "Set", "FrozenSet", "Tuple", "Text", "NoReturn", "Never")
)
_ANY_TYPES = frozenset({"typing.Any", "builtins.object", "typing_extensions.Any"})
_PASSTHROUGH = "passthrough"
_MAX_DEPTH = 24


@dataclass(frozen=True)
class Instance:
    """An object of the class with this qualified name (``"aiohttp.ClientSession"``)."""

    type: str


@dataclass(frozen=True)
class _Found:
    what: str  # "module" | "class" | "function" | "instance" | "unknown"
    qualified: str
    module: ModuleFact | None = None
    klass: ClassFact | None = None
    function: FunctionFact | None = None
    type: str | None = None  # for instances


# The library table's protocol names, as the dunder methods that make them.
_TABLE_PROTOCOLS = {
    "awaitable": ("__await__",),
    "async-context-manager": ("__aenter__", "__aexit__"),
    "context-manager": ("__enter__", "__exit__"),
    "async-iterator": ("__aiter__", "__anext__"),
    "iterator": ("__iter__", "__next__"),
}


def _not_awaitable(protocols: frozenset[str] | None) -> bool:
    return protocols is not None and "__await__" not in protocols


class ProjectIndex:
    """Module summaries of the project, plus library modules read lazily from ``search``."""

    def __init__(
        self,
        modules: dict[str, ModuleFact] | None = None,
        search: list[Path] | None = None,
        cache: SummaryCache | None = None,
        library: object | None = None,
    ) -> None:
        self.modules: dict[str, ModuleFact | None] = dict(modules or {})
        self.project = frozenset(self.modules)
        self._project_packages = frozenset(name.split(".", 1)[0] for name in self.project)
        self._chains: dict[int, dict[str, list[str] | None]] = {}
        self._subclasses: dict[str, list[ClassFact]] | None = None
        self._class_names: dict[int, str] = {}  # module-level class fact -> qualified name
        self.search = search if search is not None else []
        self.cache = cache or SummaryCache(None)
        if library is None:
            from asynclint.libraries import load_library_table

            library = load_library_table()
        self.library = library
        self._memo: dict[str, _Found | None] = {}
        self._private_uses: dict[str, list[tuple[str | None, str]]] | None = None

    # --- modules ------------------------------------------------------------------------
    def module(self, name: str) -> ModuleFact | None:
        if name in self.modules:
            return self.modules[name]
        fact = None
        located = find_module_file(name, self.search) if self.search else None
        if located is not None:
            path, is_package = located
            try:
                fact = self.cache.summary(path.read_bytes(), name, is_package)
            except OSError:
                fact = None
        self.modules[name] = fact
        return fact

    # --- names --------------------------------------------------------------------------
    def find(self, qualified: str) -> _Found | None:
        """What a qualified name refers to, following imports, re-exports and base classes."""
        if qualified in self._memo:
            return self._memo[qualified]
        self._memo[qualified] = None  # a cycle resolves to nothing
        found = self._find(qualified, 0)
        self._memo[qualified] = found
        return found

    def _find(self, qualified: str, depth: int) -> _Found | None:
        if depth > _MAX_DEPTH or not qualified:
            return None
        alias = self.library.aliases.get(qualified)
        if alias:
            return self.find(alias)
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module = self.module(".".join(parts[:cut]))
            if module is None:
                continue
            found = _Found("module", module.name, module=module)
            for part in parts[cut:]:
                found = self._member(found, part, depth + 1)
                if found is None:
                    return None
            return found
        return None

    def _member(self, owner: _Found, name: str, depth: int) -> _Found | None:
        qualified = f"{owner.qualified}.{name}"
        if owner.what == "module" and owner.module is not None:
            return self._module_member(owner.module, name, depth)
        if owner.what == "class":
            return self._class_member(owner.qualified, name, depth, set())
        if owner.what == "instance" and owner.type:
            return self._class_member(owner.type, name, depth, set())
        return _Found("unknown", qualified) if owner.what == "unknown" else None

    def _module_member(self, module: ModuleFact, name: str, depth: int) -> _Found | None:
        qualified = f"{module.name}.{name}"
        if name in module.ambiguous:
            return _Found("unknown", qualified)
        if name in module.functions:
            return _Found("function", qualified, function=module.functions[name])
        if name in module.classes:
            return _Found("class", qualified, klass=module.classes[name])
        if name in module.names:
            target = module.names[name]
            if target != qualified:
                return self._find(target, depth + 1)
        if name in module.variables:
            # The summary records the constructor (or annotation); the instance is of its class.
            klass = (
                self.instance_of_call(module.variables[name]) if module.variables[name] else None
            )
            return _Found("instance", qualified, type=klass) if klass else None
        submodule = self.module(qualified) if module.is_package else None  # only packages
        if submodule is not None:
            return _Found("module", qualified, module=submodule)
        for star in module.stars:
            source = self.module(star)
            if source is not None and (source.exports is None or name in source.exports):
                found = self._module_member(source, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _class_member(
        self, klass: str, name: str, depth: int, seen: set[str], inherited: bool = False
    ) -> _Found | None:
        """``name`` looked up on class ``klass`` and then its bases. The library table speaks
        for the class it lists, not for subclasses: those may change the protocol (redis's
        ``Pipeline`` queues the commands that ``Redis`` runs)."""
        if klass in seen or depth > _MAX_DEPTH:
            return None
        seen.add(klass)
        qualified = f"{klass}.{name}"
        if not inherited and self.library.call_kind(qualified) is not None:
            return _Found("function", qualified)
        found = self.find(klass)
        if found is None or found.what != "class" or found.klass is None:
            return None
        fact = found.klass
        if name in fact.methods:
            return _Found("function", f"{found.qualified}.{name}", function=fact.methods[name])
        if name in fact.attributes:
            kind = fact.attributes[name]
            if kind:
                # ``self.loop = asyncio.get_event_loop()`` records the function called: the
                # attribute holds what it returns.
                made = self.find(kind)
                if made is None or made.what != "class":
                    kind = self.instance_of_call(kind) or (kind if made is None else "")
            return _Found("instance", qualified, type=kind) if kind else None
        for base in fact.bases:
            if not base:
                continue
            member = self._class_member(base, name, depth + 1, seen, inherited=True)
            if member is not None:
                return member
        return None

    # --- what rules ask -----------------------------------------------------------------
    def call_kind(self, qualified: str) -> str | None:
        """What calling ``qualified`` gives: COROUTINE, AWAITABLE, ASYNC_GENERATOR, SYNC,
        ASYNC_CONTEXT_MANAGER ... or None when unknown (the caller should stay silent)."""
        listed = self.library.call_kind(qualified)
        if listed is not None:
            return listed
        found = self.find(qualified)
        if found is None:
            return None
        if found.what == "function" and found.function is not None:
            listed = self.library.call_kind(found.qualified)
            if listed is not None:
                return listed
            kind = self.function_kind(found.function)
            returns = found.function.returns
            if kind == SYNC and found.function.fresh_task:
                return TASK
            if kind == SYNC and returns:
                if returns in _AWAITABLE_ANNOTATIONS:
                    return None  # returns some awaitable, perhaps a coroutine: unsure
                protocols = self.class_protocols(returns)
                if protocols is not None and "__await__" in protocols:
                    return AWAITABLE if _COROUTINE_LIKE <= protocols else AWAITABLE_OBJECT
            return kind
        if found.what == "function":
            return self.library.call_kind(found.qualified)
        if found.what == "class":
            return SYNC  # constructing an object
        return None

    def is_project_name(self, qualified: str) -> bool:
        """Whether ``qualified`` names something in one of the project's own packages."""
        return qualified.split(".", 1)[0] in self._project_packages

    def never_awaitable(self, qualified: str) -> bool:
        """Whether calling ``qualified`` surely gives something that cannot be awaited: a plain
        function that returns nothing or is annotated with a type that has no ``__await__``, a
        class whose instances have none, or a call of the blocking-call catalogue. False when
        unsure (a sync function may well return a coroutine or a future)."""
        if self._blocking_family(qualified):
            return True
        found = self.find(qualified)
        if found is None:
            return False
        if found.what == "class":
            return _not_awaitable(self.class_protocols(found.qualified))
        if found.what != "function" or found.function is None:
            return False
        if self._blocking_family(found.qualified):
            return True
        fact = found.function
        listed = self.library.call_kind(found.qualified)
        if listed not in (None, SYNC) or self.function_kind(fact) != SYNC or fact.fresh_task:
            return False
        if fact.never_returns:
            return False  # ``raise NotImplementedError``: the ``await`` is never reached
        if not fact.returns_value:
            return True  # it returns None
        if not (fact.placeholder or fact.plain_returns):
            return False  # the annotation speaks of a value that comes from elsewhere
        if fact.returns:
            if fact.returns in _PLAIN_TYPES:
                return True
            if fact.returns in _AWAITABLE_ANNOTATIONS or fact.returns in _ANY_TYPES:
                return False
            return _not_awaitable(self.class_protocols(fact.returns))
        return fact.plain_returns and not fact.placeholder

    def _blocking_family(self, qualified: str) -> bool:
        from asynclint.blocking import load_blocking_catalogue

        return load_blocking_catalogue().family_of(qualified) is not None

    def only_called_from_coroutines(self, qualified: str) -> bool:
        """Whether ``qualified``, a private module-level function of the project (``_helper``,
        undecorated), is called only from coroutines of the project: it is never taken as a
        value, called at module level, in a nested function or from a sync function. A call
        the index cannot place makes the answer False."""
        name = qualified.rsplit(".", 1)[-1]
        found = self.find(qualified)
        if (
            not name.startswith("_")
            or name.startswith("__")
            or found is None
            or found.what != "function"
            or found.function is None
            or found.function.decorators
            or found.qualified.split(".", 1)[0] not in self._project_packages
        ):
            return False
        if self._private_uses is None:
            self._private_uses = self._collect_private_uses()
        callers = 0
        for kind, used in self._private_uses.get(name, ()):
            target = self.find(used)
            if target is None:
                return False  # a name the index cannot place may be this function
            if target.qualified != found.qualified:
                continue
            if kind not in (COROUTINE, ASYNC_GENERATOR):
                return False
            callers += 1
        return callers > 0

    def _collect_private_uses(self) -> dict[str, list[tuple[str | None, str]]]:
        """Last name -> (the kind of the function calling it, or None for a loose use, and the
        name as written) over the whole project."""
        uses: dict[str, list[tuple[str | None, str]]] = {}
        for module_name in self.project:
            module = self.modules.get(module_name)
            if module is None:
                continue
            functions = list(module.functions.values())
            for klass in module.classes.values():
                functions.extend(klass.methods.values())
            for function in functions:
                kind = self.function_kind(function)
                for called in function.calls:
                    last = called.rsplit(".", 1)[-1]
                    if last.startswith("_"):
                        uses.setdefault(last, []).append((kind, called))
            for used in module.loose_private:
                uses.setdefault(used.rsplit(".", 1)[-1], []).append((None, used))
        return uses

    def returns_fresh_task(self, qualified: str) -> bool:
        """Whether awaiting a call of the coroutine function ``qualified`` gives a task that
        nothing else holds (``async def start(): return asyncio.create_task(...)``)."""
        found = self.find(qualified)
        return (
            found is not None
            and found.function is not None
            and found.function.fresh_task
            and self.function_kind(found.function) == COROUTINE
        )

    def function_kind(self, fact: FunctionFact) -> str | None:
        kind: str | None = fact.kind
        for decorator in reversed(fact.decorators):
            if decorator in _TRANSPARENT_DECORATORS:
                continue
            if decorator in _KIND_DECORATORS:
                kind = _KIND_DECORATORS[decorator]
                continue
            wrapper = self.find(decorator) if decorator != "?" else None
            effect = (
                wrapper.function.wraps
                if wrapper is not None and wrapper.function is not None
                else None
            )
            if effect == _PASSTHROUGH:
                continue
            kind = COROUTINE if effect == COROUTINE else UNKNOWN
        if kind == UNKNOWN:
            return None
        return kind

    def instance_of_call(self, qualified: str) -> str | None:
        """The class of what calling ``qualified`` returns (awaited, for a coroutine):
        a class's constructor, an annotated return type, or the library table's entry (the
        async libraries' table, then the blocking catalogue's constructors)."""
        listed = self.library.return_type(qualified) or self._blocking_class(qualified)
        if listed:
            return listed
        found = self.find(qualified)
        if found is None:
            return None
        if found.what == "class":
            return found.qualified
        if found.what == "function":
            listed = self.library.return_type(found.qualified)
            if listed:
                return listed
            if found.function is not None and found.function.returns:
                return found.function.returns
        return None

    def blocking_chain(
        self, qualified: str, family_of: Callable[[str], object | None], depth: int = 4
    ) -> list[str] | None:
        """For a sync function of the project: the chain of calls down to a blocking call
        (``["pkg.load", "pkg.read", "builtins.open"]``), following project sync functions
        up to ``depth`` levels; None when none is found."""
        # Chains depend on the catalogue (the file's configuration), so memos are kept per one.
        owner = getattr(family_of, "__self__", family_of)
        chains = self._chains.setdefault(id(owner), {})

        def search(name: str, level: int) -> list[str] | None:
            if name in chains:
                return chains[name]
            chains[name] = None  # cycles end here
            if name.split(".", 1)[0] not in self._project_packages:
                return None
            found = self.find(name)
            if (
                found is None
                or found.what != "function"
                or found.function is None
                or found.qualified.split(".", 1)[0] not in self._project_packages
                or self.function_kind(found.function) != SYNC
            ):
                return None
            for callee in found.function.calls:
                if family_of(callee) is not None:
                    chains[name] = [name, callee]
                    return chains[name]
            if level < depth:
                for callee in found.function.calls:
                    below = search(callee, level + 1)
                    if below:
                        chains[name] = [name, *below]
                        return chains[name]
            return None

        return search(qualified, 1)

    def _blocking_class(self, qualified: str) -> str | None:
        from asynclint.blocking import load_blocking_catalogue

        return load_blocking_catalogue().class_of_constructor(qualified)

    def member(self, klass: str, name: str) -> str | Instance | None:
        """An attribute of an instance of ``klass``: a method's qualified name, or an
        ``Instance`` for a data attribute of known type."""
        found = self._class_member(klass, name, 0, set())
        if found is None:
            return None
        if found.what == "instance" and found.type:
            return Instance(found.type)
        if found.what == "function":
            return found.qualified
        return None

    def canonical(self, klass: str) -> str:
        """A class's name where it is defined (``aiohttp.ClientResponse`` ->
        ``aiohttp.client_reqrep.ClientResponse``), so names reached by different paths compare."""
        found = self.find(klass)
        return found.qualified if found is not None and found.what == "class" else klass

    def overriding_kinds(self, klass: str, method: str) -> set[str | None]:
        """The kinds of ``method`` as the project's subclasses of ``klass`` (at any depth, nested
        classes included) redefine it. A receiver typed ``klass`` may be any of them."""
        if self._subclasses is None:
            subclasses: dict[str, list[ClassFact]] = {}
            for name in self.project:
                module = self.modules.get(name)
                if module is None:
                    continue
                for class_name, fact in module.classes.items():
                    self._class_names[id(fact)] = f"{name}.{class_name}"
                for fact in [*module.classes.values(), *module.local_classes]:
                    for base in fact.bases:
                        if base:
                            subclasses.setdefault(self.canonical(base), []).append(fact)
            self._subclasses = subclasses
        kinds: set[str | None] = set()
        pending, seen = [self.canonical(klass)], set()
        while pending:
            current = pending.pop()
            for fact in self._subclasses.get(current, ()):
                if id(fact) in seen:
                    continue
                seen.add(id(fact))
                if method in fact.methods:
                    kinds.add(self.function_kind(fact.methods[method]))
                if id(fact) in self._class_names:
                    pending.append(self._class_names[id(fact)])
        return kinds

    def class_protocols(self, qualified: str) -> frozenset[str] | None:
        """The async and sync protocol methods (``__aenter__``, ``__await__`` ...) instances of
        the class support, its bases included; None when a base cannot be seen."""
        if qualified in _ABSTRACT_PROTOCOLS:
            return _ABSTRACT_PROTOCOLS[qualified]
        listed = self.library.class_protocols(qualified)
        if listed is not None:
            # The table names protocols ("awaitable"); answers are in dunder methods.
            return frozenset(m for name in listed for m in _TABLE_PROTOCOLS.get(name, (name,)))
        found = self.find(qualified)
        if found is None or found.what != "class" or found.klass is None:
            return None
        protocols = set(found.klass.protocols)
        for base in found.klass.bases:
            if not base:
                return None  # a base the index cannot see may add protocols
            inherited = self.class_protocols(base)
            if inherited is None:
                return None
            protocols |= inherited
        return frozenset(protocols)
