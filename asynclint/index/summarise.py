"""Summarising one module: the ``ast`` prepass that records what a module defines.

A summary only records definitions (functions, classes, imports, module variables, annotated
types), never what the code does at run time; the queries (``asynclint.index.query``) put the
summaries together. The summary cache keys its entries on this module's source (and on the
modules it reads its knowledge from), so a change here invalidates every cached summary.
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

from asynclint.index.arguments import call_arguments, single_values
from asynclint.index.callsites import (
    PARAMETER,
    CallSites,
    receiver_attribute,
    single_assignments,
)
from asynclint.index.locate import absolute_module
from asynclint.index.model import (
    AWAITED,
    KEEPS_ASYNC,
    PASSTHROUGH,
    UNPACKED,
    ClassFact,
    FunctionFact,
    ModuleFact,
)
from asynclint.index.tables import PLAIN_TYPES
from asynclint.index.writes import own_effects
from asynclint.knowledge.blocking import load_blocking_catalogue
from asynclint.knowledge.kinds import (
    ASYNC_GENERATOR,
    AWAITABLE,
    AWAITABLE_TYPES,
    CALLABLE_RETURNING,
    CALLABLE_TYPES,
    COROUTINE,
    COROUTINE_TYPES,
    DISPLAY_CLASSES,
    OPTIONAL_WRAPPERS,
    SYNC,
    UNKNOWN,
)
from asynclint.knowledge.names import LOOP_NAMES
from asynclint.knowledge.roles import LOOP_GETTERS, TASK_FACTORIES

_WRAPS = frozenset({"functools.wraps"})
# Calls that test what an object is.
_TYPE_TESTS = frozenset(
    {"builtins.isinstance", "builtins.type", "builtins.hasattr", "builtins.callable"}
)
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
# How many positional arguments (``self`` included) each protocol passes to its method.
_PROTOCOL_ARGUMENTS = {
    "__aenter__": 1,
    "__aexit__": 4,
    "__aiter__": 1,
    "__anext__": 1,
    "__await__": 1,
    "__enter__": 1,
    "__iter__": 1,
}
# ``__iter__ = None`` is how the data model says a class does not support a protocol; a
# literal of any kind cannot be called either.
_NOT_CALLABLE = (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr)
_NONE = "builtins.None"
_BUILTINS = frozenset(dir(builtins))
# Nodes by class (see ``_scan``).
Kinds = dict[type, list[ast.AST]]
_N = TypeVar("_N", bound=ast.AST)


def _class_body(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a class body, those under an ``if``, ``try`` or ``with`` included:
    what they define may exist (a method defined on one branch only is taken as there)."""
    for statement in body:
        if isinstance(statement, ast.If):
            yield from _class_body(statement.body)
            yield from _class_body(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _class_body(block)
            for handler in statement.handlers:
                yield from _class_body(handler.body)
        elif isinstance(statement, ast.With):
            yield from _class_body(statement.body)
        else:
            yield statement


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class _Summarizer:
    def __init__(self, name: str, is_package: bool, tree: ast.Module) -> None:
        self.fact = ModuleFact(name=name, is_package=is_package)
        self.local_defs: set[str] = set()
        self.bound_twice: set[str] = set()
        # Each scope's own nodes by class, and the calls and classes in ``ast.walk`` order.
        self.scopes, self.walked = _scan(tree)
        self._locals_cache: dict[int, dict[str, ast.expr | None]] = {}
        self._values_cache: dict[int, dict[str, ast.expr | None]] = {}
        self._everywhere: Kinds = {}
        self._qualified: dict[ast.expr | None, str | None] = {}
        # Module-level names bound once, by ``name = value``: the value (see ``single_values``);
        # a name a function declares ``global`` may be bound there too (None).
        self.module_values = single_values(self.scopes[id(tree)])
        for node in self.everywhere(ast.Global):
            self.module_values.update(dict.fromkeys(node.names))
        self.sites = CallSites(self)

    def own(self, function: ast.AST) -> Kinds:
        """The nodes of a function's own code by class (see ``_scan``; a ``defaultdict``:
        read it with ``in`` and ``get``)."""
        return self.scopes[id(function)]

    def own_of(self, function: ast.AST, kind: type[_N]) -> list[_N]:
        """The function's own nodes of one class, in the order ``_scan`` gives them."""
        return cast(list[_N], self.scopes[id(function)].get(kind, []))

    def own_statements(self, function: ast.AST, *kinds: type[ast.stmt]) -> list[ast.stmt]:
        """The function's own simple statements of the given classes, the last first: the
        order in which a depth-first walk that takes the last child first meets them."""
        own = self.scopes[id(function)]
        found = [cast(ast.stmt, s) for kind in kinds for s in own.get(kind, ())]
        found.sort(key=_POSITION, reverse=True)
        return found

    def everywhere(self, kind: type[_N]) -> list[_N]:
        """The module's nodes of one class, scope by scope, each scope's in the order
        ``_scan`` gives them."""
        if kind not in self._everywhere:
            found = [node for own in self.scopes.values() for node in own.get(kind, ())]
            self._everywhere[kind] = found
        return cast(list[_N], self._everywhere[kind])

    def single_locals(self, function: ast.AST) -> dict[str, ast.expr | None]:
        """``single_assignments`` of a function's own nodes, made once per function."""
        key = id(function)
        if key not in self._locals_cache:
            self._locals_cache[key] = single_assignments(self.scopes[key])
        return self._locals_cache[key]

    def single_values(self, function: ast.AST) -> dict[str, ast.expr | None]:
        """``single_values`` of a function's own nodes, made once per function."""
        key = id(function)
        if key not in self._values_cache:
            self._values_cache[key] = single_values(self.scopes[key])
        return self._values_cache[key]

    # Names are qualified after the whole module is read: a function may use a name imported
    # or defined below it.
    def qualify(self, node: ast.expr | None) -> str | None:
        """The qualified name that a name or an attribute chain stands for (``"Client"``, a
        string annotation, too), worked out once per node while the module's names stay as
        they are (``_module_assignment`` binds more)."""
        if node in self._qualified:
            return self._qualified[node]
        found = self._qualified[node] = self._qualify(node)
        return found

    def _qualify(self, node: ast.expr | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if type(node) is ast.Name:  # the commonest
            head, rest = node.id, ""
        else:
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
        ``None | Client``, ``"Client"``; the outer type for generics (``Task[int]`` ->
        ``asyncio.Task``). It agrees with ``asynclint.facts.resolution.annotation_type``, which
        reads LibCST trees (``tests/test_index_parity.py``)."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                return self.annotation_type(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            # ``T | None`` and ``None | T`` are ``T``; ``T | U`` is no one class.
            left, right = self.annotation_type(node.left), self.annotation_type(node.right)
            if right in (None, _NONE):
                return left
            return right if left in (None, _NONE) else None
        if isinstance(node, ast.Constant) and node.value is None:
            return _NONE
        if isinstance(node, ast.Subscript):
            outer = self.qualify(node.value)
            if outer in OPTIONAL_WRAPPERS:
                inner = node.slice
                options = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                types = {self.annotation_type(o) for o in options} - {_NONE}
                return types.pop() if len(types) == 1 else None
            return outer
        return self.qualify(node)

    def slot_type(self, node: ast.expr | None) -> str | None:
        """What an attribute, a parameter or a return annotated ``node`` holds: its class, or
        for ``Callable[..., Coroutine[...]]`` / ``Callable[..., Awaitable[T]]`` (optional or
        not) ``callable->coroutine`` / ``callable->awaitable``."""
        inner = node
        if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.BitOr):
            sides = [s for s in (inner.left, inner.right) if self.annotation_type(s) != _NONE]
            inner = sides[0] if len(sides) == 1 else None
        elif isinstance(inner, ast.Subscript) and self.qualify(inner.value) in OPTIONAL_WRAPPERS:
            options = inner.slice.elts if isinstance(inner.slice, ast.Tuple) else [inner.slice]
            kept = [o for o in options if self.annotation_type(o) != _NONE]
            inner = kept[0] if len(kept) == 1 else None
        if (
            isinstance(inner, ast.Subscript)
            and self.qualify(inner.value) in CALLABLE_TYPES
            and isinstance(inner.slice, ast.Tuple)
            and len(inner.slice.elts) == 2
        ):
            returned = self.annotation_type(inner.slice.elts[1])
            if returned in COROUTINE_TYPES:
                return CALLABLE_RETURNING + COROUTINE
            if returned in AWAITABLE_TYPES:
                return CALLABLE_RETURNING + AWAITABLE
        return self.annotation_type(node)

    def _optional(self, node: ast.expr | None) -> bool:
        """Whether an annotation admits None: ``T | None``, ``Optional[T]``, ``Union[T, None]``."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return any(
                self.annotation_type(side) == _NONE or self._optional(side)
                for side in (node.left, node.right)
            )
        if isinstance(node, ast.Subscript) and self.qualify(node.value) in OPTIONAL_WRAPPERS:
            inner = node.slice
            options = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            return (self.qualify(node.value) or "").endswith(".Optional") or any(
                self.annotation_type(o) == _NONE for o in options
            )
        return False

    def function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None = None
    ) -> FunctionFact:
        is_async = isinstance(node, ast.AsyncFunctionDef)
        own = self.own(node)
        yields = ast.Yield in own or ast.YieldFrom in own
        returns = self.own_of(node, ast.Return)
        if is_async:
            kind = ASYNC_GENERATOR if yields else COROUTINE
        else:
            kind = SYNC
        fact = FunctionFact(kind=kind)
        fact.generator = yields and not is_async
        fact.params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        fact.tested = self._tested_parameters(node, fact.params)
        fact.returns_self = _returns_receiver(node, returns)
        fact.returns_made = self._returns_made(node, owner)
        fact.decorators = [self._decorator(d) for d in node.decorator_list]
        fact.returns = self.slot_type(node.returns)
        if fact.returns in COROUTINE_TYPES | AWAITABLE_TYPES and self._optional(node.returns):
            fact.returns = None  # a coroutine or None: what a call gives is not sure
        fact.wraps = self._wrapper_kind(node, depth=2)
        fact.calls, fact.quiet_calls = self._direct_calls(node, owner)
        fact.dropped_calls = self._dropped_calls(node, owner)
        receiver = node.args.args[0].arg if owner and node.args.args else None
        stored = self.single_locals(node).keys()  # the names its own code binds
        fact.writes, suspends, fact.paces = own_effects(node, own, stored, receiver)
        fact.suspends = not is_async or suspends or _is_placeholder(node.body)
        via: list[str] = []
        fact.fresh_task = self._returns_fresh_task(node, via, owner)
        fact.fresh_via = via
        fact.never_returns = any(isinstance(n, ast.Raise) for n in node.body) and all(
            isinstance(n, (ast.Raise, ast.Pass))
            or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
            for n in node.body
        )
        fact.placeholder = _is_placeholder(node.body) and not fact.never_returns
        values = [n.value for n in returns if n.value]
        fact.plain_returns = not yields and all(_is_plain_value(v, self.qualify) for v in values)
        fact.returns_value = (
            yields
            or _is_placeholder(node.body)
            or any(
                n.value is not None
                and not (isinstance(n.value, ast.Constant) and n.value.value is None)
                for n in returns
            )
        )
        return fact

    def _returns_made(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None = None
    ) -> str | None:
        """The one callee every ``return`` of the function calls (``return Client(url)``, or
        a local bound once so, ``client = Client(url); return client``; in a classmethod,
        ``return cls(...)`` makes the class itself)."""
        made: set[str | None] = set()
        cls = None
        if owner and node.args.args:
            decorators = {self._decorator(d) for d in node.decorator_list}
            cls = node.args.args[0].arg if "builtins.classmethod" in decorators else None
        own = self.own(node)
        if ast.Yield in own or ast.YieldFrom in own:
            return None
        for inner in self.own_of(node, ast.Return):
            value = inner.value
            if isinstance(value, ast.Name):  # ``client = Client(host); return client``
                value = self.single_locals(node).get(value.id)
                if isinstance(value, ast.Await):
                    value = value.value
            if not isinstance(value, ast.Call):
                made.add(None)
            elif cls and isinstance(value.func, ast.Name) and value.func.id == cls:
                made.add(f"{self.fact.name}.{owner}")
            else:
                made.add(self._callee(node, value.func, owner))
        return made.pop() if len(made) == 1 else None

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
            return self.qualify(receiver.func) in LOOP_GETTERS
        last = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
        return last in LOOP_NAMES

    def _returns_fresh_task(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        via: list[str] | None = None,
        owner: str | None = None,
    ) -> bool:
        """Every ``return`` gives a task created here that nothing else references: a task
        factory call, or a local assigned one and read only by the ``return``. Another call
        returned may give a new task too: its callee goes into ``via`` (``"?"`` when it cannot
        be named) for the index to check that it hands out a fresh task in turn, or, for a
        function annotated ``-> asyncio.Task``, that it is a library's (an attribute, an item or
        a name read elsewhere is a task kept somewhere)."""
        returns = [n for n in self.own_of(node, ast.Return) if n.value]
        if not returns:
            return False
        via = [] if via is None else via
        made_here = functools.partial(self._made_task, node, owner, via)
        returned_names: set[str] = set()
        for ret in returns:
            if isinstance(ret.value, ast.Name):
                returned_names.add(ret.value.id)
            elif not made_here(ret.value):
                return False
        if not returned_names:
            return True
        assigned: dict[str, int] = {}
        loads: dict[str, int] = {}
        stores: dict[str, int] = {}
        for inner in self.own_statements(node, ast.Assign, ast.Global, ast.Nonlocal):
            if isinstance(inner, ast.Assign) and len(inner.targets) == 1:
                target = inner.targets[0]
                if isinstance(target, ast.Name) and target.id in returned_names:
                    value = inner.value
                    if not made_here(value):
                        return False
                    assigned[target.id] = assigned.get(target.id, 0) + 1
            elif isinstance(inner, (ast.Global, ast.Nonlocal)):
                if returned_names & set(inner.names):
                    return False
        for name_node in self.own_of(node, ast.Name):
            counts = loads if isinstance(name_node.ctx, ast.Load) else stores
            counts[name_node.id] = counts.get(name_node.id, 0) + 1
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

    def _made_task(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        owner: str | None,
        via: list[str],
        value: ast.expr,
    ) -> bool:
        """Whether ``value`` creates a task, or may (a call, its callee added to ``via``)."""
        if self.creates_task(value):
            return True
        if not isinstance(value, ast.Call):
            return False
        via.append(self._callee(node, value.func, owner) or "?")
        return True

    def _tested_parameters(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, params: list[str]
    ) -> list[str]:
        """The parameters the body hands to a type test as its first argument."""
        tested: set[str] = set()
        for inner in self.own_of(node, ast.Call):
            if (
                inner.args
                and isinstance(inner.args[0], ast.Name)
                and inner.args[0].id in params
                and self.qualify(inner.func) in _TYPE_TESTS
            ):
                tested.add(inner.args[0].id)
        return sorted(tested)

    def _direct_calls(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None
    ) -> tuple[list[str], list[str]]:
        """What the function calls, and those of them that every call here makes with
        arguments that keep it from blocking (the catalogue's ``[silent-when]``)."""
        calls: list[str] = []
        blocking: set[str] = set()
        for inner in self.own_of(node, ast.Call):
            qualified = self._callee(node, inner.func, owner)
            if not qualified:
                continue
            if qualified not in calls:
                calls.append(qualified)
            if qualified not in blocking and not self._kept_from_blocking(node, inner, qualified):
                blocking.add(qualified)
        return calls, [name for name in calls if name not in blocking]

    def _kept_from_blocking(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, qualified: str
    ) -> bool:
        """Whether ``call``, of the blocking call ``qualified``, does not block because of its
        arguments (``zipfile.ZipFile(io.BytesIO(data))``)."""
        if not _has_silent_conditions(qualified):
            return False
        arguments = node.args
        parameters = {a.arg for a in (*arguments.posonlyargs, *arguments.args)}
        parameters |= {a.arg for a in arguments.kwonlyargs}
        parameters |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
        single = self.single_values(node)

        def local(name: str) -> ast.expr | None:
            if name in parameters:
                return None
            return single[name] if name in single else self.module_values.get(name)

        passed = call_arguments(call, self.qualify, local)
        return load_blocking_catalogue().blocks(qualified, passed) is None

    def _dropped_calls(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None
    ) -> list[str]:
        """The callees of calls that stand alone as statements (``self.flush()``): what they
        return is dropped."""
        dropped = []
        for inner in self.own_of(node, ast.Expr):
            if isinstance(inner.value, ast.Call):
                qualified = self._callee(node, inner.value.func, owner)
                if qualified and qualified not in dropped:
                    dropped.append(qualified)
        return dropped

    def _callee(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, func: ast.expr, owner: str | None
    ) -> str | None:
        """What a call in ``node`` calls, qualified; ``self.m`` as ``<module>.<Class>.m``."""
        receiver = node.args.args[0].arg if owner and node.args.args else None
        attribute = receiver_attribute(func, receiver)
        if attribute is not None:
            return f"{self.fact.name}.{owner}.{attribute}"
        return self.qualify(func)

    def _decorator(self, node: ast.expr) -> str:
        target = node.func if isinstance(node, ast.Call) else node
        return self.qualify(target) or "?"

    def _wrapper_kind(self, node: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str | None:
        """For a decorator: the kind of the ``@functools.wraps`` function it returns, looking
        through one level of decorator factory. ``"passthrough"`` for a sync wrapper (it returns
        what the wrapped function returns). Every ``return`` must give such a wrapper: one that
        returns an async wrapper for coroutine functions and a sync one otherwise
        (``if not iscoroutinefunction(func): ... return wrapped``) is ``"keeps-async"``; one
        that returns something else on some path is unknown (None)."""
        returned = [n.value for n in self.own_of(node, ast.Return)]
        if not returned or not all(isinstance(value, ast.Name) for value in returned):
            return None  # a decorator returns a function, by its name, on every path
        defs: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for inner in (
            *self.own_of(node, ast.FunctionDef),
            *self.own_of(node, ast.AsyncFunctionDef),
        ):
            defs.setdefault(inner.name, []).append(inner)
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        kinds: set[str | None] = set()
        for name in (value.id for value in returned if isinstance(value, ast.Name)):
            if params and name == params[0] and name not in defs:
                kinds.add(PASSTHROUGH)  # ``return func``: the function as it was
                continue
            for inner in defs.get(name, [None]):
                if inner is None:
                    return None
                if any(self._decorator(d) in _WRAPS for d in inner.decorator_list):
                    async_ = isinstance(inner, ast.AsyncFunctionDef)
                    kinds.add(COROUTINE if async_ else PASSTHROUGH)
                else:
                    kinds.add(self._wrapper_kind(inner, depth - 1) if depth > 1 else None)
        if kinds == {COROUTINE, PASSTHROUGH} or kinds == {KEEPS_ASYNC, PASSTHROUGH}:
            return KEEPS_ASYNC
        if len(kinds) == 1:
            return next(iter(kinds))
        return None

    def klass(self, node: ast.ClassDef, top_level: bool = True) -> ClassFact:
        # ``Base[T]`` derives from ``Base``
        bases = [b.value if isinstance(b, ast.Subscript) else b for b in node.bases]
        fact = ClassFact(bases=[self.qualify(b) or "" for b in bases])
        fact.magic = bool(node.decorator_list) or any(k.arg == "metaclass" for k in node.keywords)
        for item in _class_body(node.body):
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(self._decorator(d) == "typing.overload" for d in item.decorator_list):
                    continue
                if item.name in fact.methods:
                    fact.methods[item.name] = FunctionFact(kind=UNKNOWN)
                else:
                    owner = node.name if top_level else None
                    fact.methods[item.name] = self.function(item, owner)
                    qualified = f"{self.fact.name}.{node.name}.{item.name}" if owner else None
                    self.sites.function(item, qualified, owner)
                if item.name in _PROTOCOL_METHODS and self._usable_protocol_method(item):
                    fact.protocols.append(item.name)
                if item.name in ("__getattr__", "__getattribute__"):
                    fact.magic = True
                self._self_attributes(item, fact, node.name if top_level else None)
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                annotated = self.slot_type(item.annotation)
                if annotated and not annotated.startswith("typing.ClassVar"):
                    fact.attributes[item.target.id] = annotated
            elif isinstance(item, ast.Assign):
                for target in item.targets:
                    if (
                        isinstance(target, ast.Name)
                        and target.id in _PROTOCOL_METHODS
                        and not isinstance(item.value, _NOT_CALLABLE)
                    ):
                        fact.protocols.append(target.id)  # ``__aenter__ = other``
                    elif isinstance(target, ast.Name):
                        fact.data.append(target.id)
        fact.data = sorted(set(fact.data))
        return fact

    def _usable_protocol_method(self, method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Whether the protocol can call the method as it does: ``__await__(self)``,
        ``__aexit__(self, type, value, traceback)``. One that needs other arguments, or an
        ``__await__`` annotated to return a plain value, fails when the protocol uses it. A
        decorated method is taken as usable (unsure)."""
        if method.decorator_list:
            return True
        if method.name == "__await__" and method.returns is not None:
            if self.slot_type(method.returns) in PLAIN_TYPES:
                return False  # ``def __await__(self) -> int``: not an iterator
        expected = _PROTOCOL_ARGUMENTS.get(method.name)
        if expected is None:
            return True
        arguments = method.args
        positional = len(arguments.posonlyargs) + len(arguments.args)
        required = positional - len(arguments.defaults)
        if any(d is None for d in arguments.kw_defaults):
            return False  # a keyword-only argument without a default
        if required > expected:
            return False
        return arguments.vararg is not None or positional >= expected

    def _self_attributes(
        self, method: ast.FunctionDef | ast.AsyncFunctionDef, fact: ClassFact, owner: str | None
    ) -> None:
        """``self.x: T = ...`` and ``self.x = T(...)`` anywhere in a method."""
        statements = self.own_statements(method, ast.AnnAssign, ast.Assign)
        if not method.args.args or not statements:
            return
        receiver = method.args.args[0].arg
        # ``def __init__(self, repo: Repo): self.repo = repo`` types the attribute too; an
        # unannotated parameter is typed by what the call sites pass (``param:`` evidence).
        where = f"{self.fact.name}.{owner}.{method.name}" if owner else None
        parameters = {
            a.arg: self.slot_type(a.annotation)
            or (f"{PARAMETER}{where}:{a.arg}" if where and a.annotation is None else None)
            for a in (*method.args.posonlyargs, *method.args.args[1:], *method.args.kwonlyargs)
        }
        for node in statements:
            if isinstance(node, ast.AnnAssign):
                targets = [(node.target, self.slot_type(node.annotation))]
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                targets = self._assigned_kinds(node.targets[0], node.value, parameters)
            else:
                continue
            for target, kind in targets:
                attribute = receiver_attribute(target, receiver)
                if attribute is not None:
                    _record_attribute(fact, attribute, kind)

    def _assigned_kinds(
        self, target: ast.expr, value: ast.expr, parameters: dict[str, str | None]
    ) -> list[tuple[ast.expr, str | None]]:
        """What ``target = value`` records for each target: the callee of a call (the query
        asks what it returns), ``await:`` and the callee of an awaited call, a parameter's
        type, or for ``self.r, self.w = await f()`` the item of the call's tuple
        (``unpack:1:f``)."""
        awaited = isinstance(value, ast.Await) and isinstance(value.value, ast.Call)
        call = value.value if awaited else value
        callee = self.qualify(call.func) if isinstance(call, ast.Call) else None
        if isinstance(target, ast.Tuple):
            if not callee:
                return [(element, None) for element in target.elts]
            return [(e, f"{UNPACKED}{i}:{callee}") for i, e in enumerate(target.elts)]
        if callee:
            return [(target, f"{AWAITED}{callee}" if awaited else callee)]
        if isinstance(value, ast.Name) and value.id in parameters:
            return [(target, parameters[value.id])]
        return [(target, None)]

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
                self.sites.function(node, f"{fact.name}.{node.name}", None)
            elif isinstance(node, ast.ClassDef):
                bind(node.name, "class")
                fact.classes[node.name] = self.klass(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                self._module_assignment(node, bind)
        top_level = {id(node) for node in statements}
        fact.local_classes = [
            self.klass(node, top_level=False)
            for node in self.walked
            if isinstance(node, ast.ClassDef) and id(node) not in top_level and node.bases
        ]
        self.sites.rest([node for node in self.walked if isinstance(node, ast.Call)])
        fact.call_sites = self.sites.sites
        fact.attribute_refs = sorted(self.sites.attribute_refs)
        fact.name_refs = sorted(self.sites.name_refs)
        fact.ambiguous = sorted(self.bound_twice)
        fact.loose_private = self._loose_private(statements)
        return fact

    def _loose_private(self, statements: list[ast.stmt]) -> list[str]:
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
                covered.update(id(inner.func) for inner in self.own_of(function, ast.Call))
        private: list[ast.Name | ast.Attribute] = [
            *(node for node in self.everywhere(ast.Name) if node.id.startswith("_")),
            *(node for node in self.everywhere(ast.Attribute) if node.attr.startswith("_")),
        ]
        loose: set[str] = set()
        for node in private:
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name.startswith("__") or id(node) in covered:
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
            alias = self.slot_type(value) if isinstance(value, ast.Subscript) else None
            if isinstance(node, ast.AnnAssign):
                alias = self.slot_type(node.annotation)
            if alias and alias.startswith(
                CALLABLE_RETURNING
            ):  # ``Send = Callable[..., Awaitable]``
                fact.variables[name] = alias
                bind(name, f"variable {alias}")
                continue
            if isinstance(value, ast.Subscript) and self.qualify(value.value):
                value = value.value  # ``Alias = Generic[Args]``: the alias names the class
            if isinstance(value, (ast.Name, ast.Attribute)) and self.qualify(value):
                fact.names[name] = self.qualify(value) or ""
                self._qualified.clear()  # names qualified before may stand for this one
                bind(name, f"alias {fact.names[name]}")
            elif type(value).__name__ in DISPLAY_CLASSES:
                fact.variables[name] = DISPLAY_CLASSES[type(value).__name__]
                bind(name, f"variable {fact.variables[name]}")
            elif isinstance(value, ast.Call) and self.qualify(value.func):
                fact.variables[name] = self.qualify(value.func) or ""
                bind(name, f"variable {fact.variables[name]}")
            elif isinstance(node, ast.AnnAssign) and self.annotation_type(node.annotation):
                fact.variables[name] = self.annotation_type(node.annotation) or ""
                bind(name, f"variable {fact.variables[name]}")
            else:
                bind(name, "assign")
                fact.variables.pop(name, None)


@functools.lru_cache(maxsize=4096)
def _has_silent_conditions(qualified: str) -> bool:
    """Whether the catalogue's ``[silent-when]`` has conditions for the callee ``qualified``."""
    return bool(load_blocking_catalogue().conditions_for(qualified))


def _returns_receiver(
    node: ast.FunctionDef | ast.AsyncFunctionDef, returns: list[ast.Return]
) -> bool:
    """Whether a method's every ``return`` gives its first parameter (``return self``)."""
    if not node.args.args:
        return False
    receiver = node.args.args[0].arg
    return bool(returns) and all(
        isinstance(r.value, ast.Name) and r.value.id == receiver for r in returns
    )


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


def _record_attribute(fact: ClassFact, name: str, kind: str | None) -> None:
    """An attribute assigned in a method: the kind it holds, or none (``""``) once two
    assignments disagree."""
    fact.data.append(name)
    if kind is not None:
        previous = fact.attributes.get(name)
        fact.attributes[name] = kind if previous in (None, kind) else ""


# Classes whose nodes begin a scope of their own: ``_scan`` gives them their own nodes.
_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
# The types, in ``ast``'s grammar, of fields that hold no node (names, numbers, strings,
# constants) or only expression contexts and operators, which no fact reads.
_UNREAD_TYPES = frozenset(
    {"identifier", "int", "string", "constant", "expr_context", "boolop", "operator"}
    | {"unaryop", "cmpop"}
)
_POSITION = operator.attrgetter("lineno", "col_offset")
_DEPTH = operator.itemgetter(0)


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that may hold nodes a fact reads, read from the signature
    that ``ast`` gives as the class's doc (``Attribute(expr value, identifier attr,
    expr_context ctx)``: ``value``); all its fields where the doc does not list them."""
    fields: tuple[str, ...] = getattr(kind, "_fields", ())
    signature = re.fullmatch(r"\w+\((.*)\)", kind.__doc__ or "")
    declared = [part.rpartition(" ") for part in signature[1].split(", ")] if signature else []
    if tuple(name for _, _, name in declared) != fields:
        return fields
    return tuple(name for type_, _, name in declared if type_.rstrip("?*") not in _UNREAD_TYPES)


def _node_classes(base: type = ast.AST) -> Iterator[type]:
    for kind in base.__subclasses__():
        yield kind
        yield from _node_classes(kind)


_CHILD_FIELDS = {kind: _child_fields(kind) for kind in _node_classes()}
# Classes whose nodes have no child a fact reads (names, constants, ``pass``, ``global``).
_LEAVES = frozenset(kind for kind, fields in _CHILD_FIELDS.items() if not fields)


def _scan(tree: ast.Module) -> tuple[dict[int, Kinds], list[ast.AST]]:
    """One walk of the whole tree for every fact. It gives each scope's own nodes (those of
    the module's, a function's, a lambda's or a class's code not inside a nested scope, the
    nested scopes themselves included) by class, by the id of the scope; and the calls and
    classes of the whole tree in the order of ``ast.walk``. Expression contexts and
    operators are left out: no fact reads them.

    The walk is depth first, the last child first. Each class's own nodes are in the order it
    meets them, but for leaves (``_LEAVES``), which are taken with their parent, in an order
    no fact depends on. So ``own`` order puts a function's statements last first (it meets
    no statement before those that follow it). The walk meets the nodes of each depth last
    first too: sorted by depth (a stable sort), the calls and classes met, reversed, are in
    the breadth-first order of ``ast.walk``."""
    scopes: dict[int, Kinds] = {id(tree): defaultdict(list)}
    breadth: list[tuple[int, ast.AST]] = []
    stack: list[tuple[ast.AST, Kinds, int]] = [(tree, scopes[id(tree)], 0)]
    # Local names for what the loop, run once a node, reads.
    leaves, node_class, call_class, class_class = _LEAVES, ast.AST, ast.Call, ast.ClassDef
    while stack:
        node, own, depth = stack.pop()
        kind = type(node)
        if depth:
            own[kind].append(node)
            if kind is call_class or kind is class_class:
                breadth.append((depth, node))
        if kind in _SCOPES:
            own = scopes[id(node)] = defaultdict(list)
        depth += 1
        fields = _CHILD_FIELDS.get(kind)
        for name in _child_fields(kind) if fields is None else fields:
            value = getattr(node, name, None)
            for child in value if type(value) is list else (value,):
                if type(child) in leaves:
                    own[type(child)].append(child)
                elif isinstance(child, node_class):
                    stack.append((child, own, depth))
    breadth.reverse()
    breadth.sort(key=_DEPTH)
    return scopes, [node for _, node in breadth]


# What CPython's parser rejects whatever the version (deep nesting, null bytes): such source is
# never handed to LibCST, which would take minutes over 3,000 nested brackets.
PYTHON_LIMITS = ("too many nested", "too deeply nested", "too many statically nested", "null bytes")


def summarize(source: str | bytes, name: str, is_package: bool = False) -> ModuleFact:
    """The summary of a module's source. Source in syntax newer than the running Python's is
    read through LibCST and rewritten into syntax it parses (``downgrade``); source neither
    reads gives an empty summary, marked ``readable=False``."""
    try:
        tree: ast.Module | None = ast.parse(source)
    except SyntaxError as error:
        from asynclint.index.downgrade import downgraded_tree  # LibCST, only when needed

        newer = not any(limit in str(error.msg) for limit in PYTHON_LIMITS)
        tree = downgraded_tree(source) if newer else None
    except (ValueError, RecursionError, MemoryError):
        tree = None
    if tree is None:
        return ModuleFact(name=name, is_package=is_package, readable=False)
    summarizer = _Summarizer(name, is_package, tree)
    try:
        return summarizer.module(tree)
    finally:
        # The call sites' collector refers back to the summarizer: left so, the two and the
        # tree they hold would wait for the garbage collector, whose runs get slower with
        # every tree waiting.
        del summarizer.sites
