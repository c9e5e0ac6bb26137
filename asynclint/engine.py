"""One walk over one LibCST tree, dispatching every node to the rules that want it.

LibCST's own visitor driver rebuilds every node as it goes, and its metadata providers (positions,
scopes, qualified names) cost several times the parse itself. The walker here reads each node's
dataclass fields directly (the names of the fields worth descending into are cached per node
type), keeps the little context the rules need (the scope stack with its name bindings, the chain
of ancestors), and resolves names through the module's own import table.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

from asynclint.blocking import BlockingCatalogue, load_blocking_catalogue
from asynclint.diagnostics import Fix, ImportNeeded
from asynclint.index import (
    ASYNC_GENERATOR,
    COROUTINE,
    SYNC,
    Instance,
    ProjectIndex,
    absolute_module,
)

if TYPE_CHECKING:
    from asynclint.rule import Rule

# Fields that only hold tokens, whitespace or comments: never worth a visit.
_TOKEN_FIELDS = frozenset(
    {
        "asynchronous",
        "colon",
        "comma",
        "comment",
        "dot",
        "empty_lines",
        "equal",
        "first_colon",
        "first_line",
        "footer",
        "header",
        "indent",
        "keyword",  # Arg.keyword is the parameter name, not a reference
        "last_line",
        "lbrace",
        "lbracket",
        "leading_lines",
        "leading_whitespace",
        "lines_after_decorators",
        "lpar",
        "newline",
        "operator",
        "posonly_ind",
        "rbrace",
        "rbracket",
        "relative",
        "rpar",
        "second_colon",
        "semicolon",
        "separator",
        "star",
        "trailing_whitespace",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _subclasses(base: type) -> set[type]:
    found = set()
    pending = [base]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return found


# Every concrete LibCST node class: a set lookup is much cheaper than isinstance() against
# the abstract CSTNode, and the walker asks once per field of every node.
_NODE_TYPES = frozenset(_subclasses(cst.CSTNode))


def child_fields(node_type: type) -> tuple[str, ...]:
    """Names of the fields of ``node_type`` that may hold nodes worth visiting, in order."""
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _TOKEN_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[node_type] = names
    return names


def iter_children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The child nodes the walker descends into (tokens and whitespace left out)."""
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if type(value) in _NODE_TYPES:
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if type(item) in _NODE_TYPES:
                    yield item


_BUILTIN_NAMES = frozenset(dir(builtins))
# A binding whose meaning the engine cannot tell (an assignment, a def, two different imports).
UNKNOWN = None


@dataclass(frozen=True)
class LocalFunction:
    """A function defined inside a function body, and what calling it gives."""

    kind: str


# What a name means: a qualified name (an import, or a module-level definition), an object of a
# known class, a local function, or UNKNOWN.
Binding = str | Instance | LocalFunction | None


@dataclass
class Scope:
    """A namespace: the module, a function, a lambda or a class body."""

    kind: str  # "module" | "function" | "lambda" | "class"
    node: cst.CSTNode
    is_async: bool = False
    bindings: dict[str, Binding] = field(default_factory=dict)
    has_yield: bool = False
    # For a method of a module-level class: that class's qualified name.
    owner_class: str | None = None

    def bind(self, name: str, meaning: Binding) -> None:
        """Bind ``name``; a second, different meaning makes it UNKNOWN."""
        if name in self.bindings and self.bindings[name] != meaning:
            self.bindings[name] = UNKNOWN
        else:
            self.bindings[name] = meaning


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _bind_import(
    scope: Scope, node: cst.Import | cst.ImportFrom, module: tuple[str, bool] | None
) -> None:
    if isinstance(node, cst.Import):
        for alias in node.names:
            module = dotted_name(alias.name)
            if module is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                scope.bind(alias.asname.name.value, module)
            else:
                top = module.split(".", 1)[0]
                scope.bind(top, top)
        return
    if isinstance(node.names, cst.ImportStar):
        return
    written = dotted_name(node.module) if node.module is not None else None
    if node.relative and module is not None:
        base = absolute_module(written, len(node.relative), *module)
    else:
        base = "." * len(node.relative) + (written or "")
    for alias in node.names:
        if not isinstance(alias.name, cst.Name):
            continue
        local = alias.name.value
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        separator = "" if not base or base.endswith(".") else "."
        scope.bind(local, f"{base}{separator}{alias.name.value}")


def _target_names(target: cst.CSTNode) -> Iterator[str]:
    """Names an assignment target binds (``a``, ``a, *b``, ``[a, (b, c)]``)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def _bind_statement(
    scope: Scope,
    node: cst.CSTNode,
    module: tuple[str, bool] | None = None,
    lookup: Callable[[str], Binding] | None = None,
) -> None:
    """Record what a statement binds in ``scope`` (imports precisely, the rest as UNKNOWN;
    module-level functions and classes by their qualified name)."""
    if isinstance(node, (cst.Import, cst.ImportFrom)):
        _bind_import(scope, node, module)
    elif isinstance(node, cst.Assign):
        alias = _alias_of(lookup or scope.bindings.get, node)
        for target in node.targets:
            for name in _target_names(target.target):
                scope.bind(name, alias)
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
        for name in _target_names(node.target):
            scope.bind(name, UNKNOWN)
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        name = node.name.value
        qualified = f"{module[0]}.{name}" if module and scope.kind == "module" else UNKNOWN
        scope.bind(name, qualified)
    elif isinstance(node, (cst.For, cst.CompFor)):
        for name in _target_names(node.target):
            scope.bind(name, UNKNOWN)
    elif isinstance(node, cst.WithItem):
        if node.asname is not None:
            for name in _target_names(node.asname.name):
                scope.bind(name, UNKNOWN)
    elif isinstance(node, cst.NamedExpr):
        for name in _target_names(node.target):
            scope.bind(name, UNKNOWN)
    elif isinstance(node, cst.ExceptHandler):
        if node.name is not None:
            for name in _target_names(node.name.name):
                scope.bind(name, UNKNOWN)


def _alias_of(lookup: Callable[[str], Binding], node: cst.Assign) -> str | None:
    """For ``nap = time.sleep``: the qualified name the alias stands for, from what ``lookup``
    says the names bound so far mean; UNKNOWN for any other assignment."""
    if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
        return UNKNOWN
    dotted = dotted_name(node.value) if isinstance(node.value, (cst.Name, cst.Attribute)) else None
    if dotted is None:
        return UNKNOWN
    head, _, rest = dotted.partition(".")
    base = lookup(head)
    if not isinstance(base, str):
        return UNKNOWN
    return f"{base}.{rest}" if rest else base


def _module_bindings(module: cst.Module, info: tuple[str, bool] | None) -> Scope:
    """Bindings of the module namespace, from its top-level statements (functions not entered).

    Functions run after the whole module has executed, so every top-level binding counts for
    them, wherever it stands. Compound statements (``if``, ``try``, ``with``, loops) are entered;
    function and class bodies are not.
    """
    scope = Scope("module", module)
    pending: list[Sequence[cst.CSTNode]] = [module.body]
    while pending:
        for statement in pending.pop():
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    _bind_statement(scope, small, info)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                _bind_statement(scope, statement, info)
            elif isinstance(statement, cst.BaseCompoundStatement):
                if isinstance(statement, cst.For):
                    _bind_statement(scope, statement, info)
                if isinstance(statement, cst.With):
                    for item in statement.items:
                        _bind_statement(scope, item, info)
                pending.extend(_blocks(statement))
    return scope


def _blocks(statement: cst.BaseCompoundStatement) -> Iterator[Sequence[cst.CSTNode]]:
    """The statement lists directly inside a compound statement (all its branches)."""
    stack: list[cst.CSTNode | None] = [statement]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        body = getattr(node, "body", None)
        if isinstance(body, cst.BaseSuite):
            inner = body.body
            if isinstance(body, cst.SimpleStatementSuite):
                yield [cst.SimpleStatementLine(body=inner)]
            else:
                yield inner
        for name in ("orelse", "finalbody"):
            stack.append(getattr(node, name, None))
        for name in ("handlers", "cases"):
            stack.extend(getattr(node, name, ()))


class RuleCrash(Exception):
    """A rule raised while visiting a node."""

    def __init__(self, rule: Rule, error: BaseException) -> None:
        super().__init__(f"{rule.code} ({rule.name}) crashed: {type(error).__name__}: {error}")
        self.rule = rule
        self.error = error


@dataclass
class Report:
    """A finding as the engine sees it: nodes, not yet positions."""

    rule: Rule
    node: cst.CSTNode
    message: str
    fix: Fix | None
    statement: cst.CSTNode
    # The names of the functions the node is in (innermost last): a ``# noqa: CODE`` on a
    # ``def`` line covers the function's body.
    functions: tuple[cst.Name, ...] = ()


_STATEMENT_TYPES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
_LIBRARIES = ("anyio", "trio", "asyncio")


class Context:
    """What rules may ask while the engine walks a module."""

    def __init__(
        self,
        module: cst.Module,
        index: ProjectIndex | None = None,
        module_info: tuple[str, bool] | None = None,
        blocking: BlockingCatalogue | None = None,
    ) -> None:
        """``module_info`` is the module's dotted name and whether it is a package's
        ``__init__``; ``index`` knows the other modules of the project and the libraries;
        ``blocking`` is the blocking-call catalogue with the file's configuration applied."""
        self.module = module
        self._blocking = blocking
        self.index = index
        self.module_info = module_info
        self.module_scope = _module_bindings(module, module_info)
        self.scopes: list[Scope] = [self.module_scope]
        self.ancestors: list[cst.CSTNode] = []
        self.reports: list[Report] = []
        self._library: str | None = None
        # What rules computed about a node, shared between rules (keyed by rule family, node id)
        self.memo: dict[tuple[str, int], object] = {}

    # --- where we are -------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    @property
    def in_async_function(self) -> bool:
        """True when the current node runs as part of an ``async def`` body.

        Nested sync functions, lambdas and class bodies end it: their code runs elsewhere (or,
        for a class body, is not where anyone looks for an event-loop stall).
        """
        scope = self.scopes[-1]
        return scope.kind == "function" and scope.is_async

    @property
    def parent(self) -> cst.CSTNode | None:
        """The parent of the node being visited."""
        return self.ancestors[-2] if len(self.ancestors) > 1 else None

    def enclosing(self, *types: type[cst.CSTNode]) -> cst.CSTNode | None:
        """The nearest ancestor of the current node (itself excluded) of one of ``types``."""
        for node in reversed(self.ancestors[:-1]):
            if isinstance(node, types):
                return node
        return None

    # --- names ----------------------------------------------------------------------------
    def lookup(self, name: str) -> Binding:
        """What a bare name means here (``nap`` -> ``"time.sleep"``), if known."""
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue  # class bodies are not visible from nested functions
            if name in scope.bindings:
                return scope.bindings[name]
        if name in _BUILTIN_NAMES:
            return f"builtins.{name}"
        return None

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of a name or attribute chain (``t.sleep`` -> ``time.sleep``)."""
        parts = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        base = self.lookup(node.value)
        if not isinstance(base, str):
            return None
        parts.append(base)
        return ".".join(reversed(parts))

    def value(self, node: cst.BaseExpression) -> Binding:
        """What an expression is, as far as names, imports, constructors, annotations and the
        project index tell: a qualified name, an ``Instance``, a ``LocalFunction``, or None."""
        if isinstance(node, cst.Name):
            meaning = self.lookup(node.value)
            if meaning is None and self._bound_at_module_level(node.value):
                return self._module_variable(node.value)
            return meaning
        if isinstance(node, cst.Attribute):
            base = self.value(node.value)
            if isinstance(base, str):
                return f"{base}.{node.attr.value}"
            if isinstance(base, Instance) and self.index is not None:
                return self.index.member(base.type, node.attr.value)
            return None
        if isinstance(node, (cst.Call, cst.Await)):
            call = node.expression if isinstance(node, cst.Await) else node
            if not isinstance(call, cst.Call) or self.index is None:
                return None
            callee = self.value(call.func)
            if isinstance(callee, str):
                produced = self.index.instance_of_call(callee)
                return Instance(produced) if produced else None
        return None

    def _bound_at_module_level(self, name: str) -> bool:
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if name in scope.bindings:
                return scope is self.module_scope
        return False

    def _module_variable(self, name: str) -> Instance | None:
        """A module-level object (``lock = threading.Lock()``), as the index summarised it."""
        if self.index is None or self.module_info is None:
            return None
        found = self.index.find(f"{self.module_info[0]}.{name}")
        if found is not None and found.what == "instance" and found.type:
            return Instance(found.type)
        return None

    def call_kind(self, call: cst.Call) -> str | None:
        """What calling ``call.func`` gives (``index.COROUTINE``, ``index.AWAITABLE``,
        ``index.SYNC`` ...), or None when the engine is not sure."""
        func = call.func
        if self.index is None:
            return None
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
            and func.value.func.value == "super"
            and self.lookup("super") == "builtins.super"
        ):
            return self._super_call_kind(func.attr.value)
        callee = self.value(func)
        if isinstance(callee, LocalFunction):
            return callee.kind
        if isinstance(callee, Instance):  # calling an object: its class's ``__call__``
            method = self.index.member(callee.type, "__call__")
            return self.index.call_kind(method) if isinstance(method, str) else None
        if not isinstance(callee, str):
            return None
        kind = self.index.call_kind(callee)
        if kind is not None and isinstance(func, cst.Attribute):
            # A receiver of class C may be any subclass: if one of the project's subclasses
            # redefines the method as something else, the call's kind is not known.
            receiver = self.value(func.value)
            if isinstance(receiver, Instance):
                overriding = self.index.overriding_kinds(receiver.type, func.attr.value)
                if overriding - {kind}:
                    return None
        return kind

    def never_awaitable(self, func: cst.BaseExpression) -> bool:
        """Whether calling ``func`` (a name or attribute, not called here) surely gives
        something that cannot be awaited: a known plain function that returns nothing or a
        plainly typed value, a class without ``__await__``, a catalogued blocking call. A
        method that a project subclass redefines makes it unsure."""
        if self.index is None:
            return False
        callee = self.value(func)
        if not isinstance(callee, str):
            return False
        if isinstance(func, cst.Attribute):
            receiver = self.value(func.value)
            if isinstance(receiver, Instance) and self.index.overriding_kinds(
                receiver.type, func.attr.value
            ):
                return False
        return self.index.never_awaitable(callee)

    def _super_call_kind(self, method: str) -> str | None:
        owner = self.enclosing_class()
        if owner is None or self.index is None:
            return None
        found = self.index.find(owner)
        if found is None or found.klass is None:
            return None
        kinds = set()
        for base in found.klass.bases:
            member = self.index.member(base, method) if base else None
            kinds.add(self.index.call_kind(member) if isinstance(member, str) else None)
        return kinds.pop() if len(kinds) == 1 else None

    def enclosing_class(self) -> str | None:
        """The qualified name of the module-level class whose method is being walked."""
        for scope in reversed(self.scopes):
            if scope.owner_class:
                return scope.owner_class
        return None

    def annotation_type(self, node: cst.BaseExpression) -> str | None:
        """The class an annotation names: ``Client``, ``Optional[Client]``, ``Client | None``."""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            left, right = self.annotation_type(node.left), self.annotation_type(node.right)
            if right in (None, "builtins.None"):
                return left
            return right if left in (None, "builtins.None") else None
        if isinstance(node, cst.Name) and node.value == "None":
            return "builtins.None"
        if isinstance(node, cst.Subscript):
            outer = self.resolve(node.value)
            if outer in ("typing.Optional", "typing.Union"):
                types = {
                    self.annotation_type(e.slice.value)
                    for e in node.slice
                    if isinstance(e.slice, cst.Index)
                } - {"builtins.None"}
                return types.pop() if len(types) == 1 else None
            return outer
        if isinstance(node, cst.SimpleString):
            try:
                return self.annotation_type(cst.parse_expression(node.evaluated_value))
            except (cst.ParserSyntaxError, ValueError, TypeError):
                return None
        return self.resolve(node)

    @property
    def blocking(self) -> BlockingCatalogue:
        """The blocking-call catalogue, as configured for this file."""
        if self._blocking is None:
            self._blocking = load_blocking_catalogue()
        return self._blocking

    @property
    def async_library(self) -> str:
        """``anyio``, ``trio`` or ``asyncio``: which library the module's async code uses."""
        if self._library is None:
            imported = {
                q.split(".", 1)[0] for q in self.module_scope.bindings.values() if q is not None
            }
            if "anyio" in imported:
                self._library = "anyio"
            elif "trio" in imported and "asyncio" not in imported:
                self._library = "trio"
            else:
                self._library = "asyncio"
        return self._library

    def module_reference(self, module: str) -> tuple[str, tuple[ImportNeeded, ...]]:
        """How code in this module can name ``module``, and the import that needs, if any."""
        for name, qualified in self.module_scope.bindings.items():
            if qualified == module:
                return name, ()
        return module, (ImportNeeded(module),)

    # --- reporting ------------------------------------------------------------------------
    def add_report(self, rule: Rule, node: cst.CSTNode, message: str, fix: Fix | None) -> None:
        statement = node
        for ancestor in reversed(self.ancestors):
            if isinstance(ancestor, _STATEMENT_TYPES):
                statement = ancestor
                break
        functions = tuple(a.name for a in self.ancestors if isinstance(a, cst.FunctionDef))
        self.reports.append(Report(rule, node, message, fix, statement, functions))


_Handler = Callable[[cst.CSTNode], Any]


class Walker:
    """Walks one module once, calling the enabled rules' ``visit_*``/``leave_*`` methods."""

    def __init__(self, context: Context, rules: Iterable[Rule]) -> None:
        self.context = context
        self.visitors: dict[type, list[tuple[Rule, _Handler]]] = {}
        self.leavers: dict[type, list[tuple[Rule, _Handler]]] = {}
        for rule in rules:
            for node_name, method in rule.visitor_methods.items():
                self.visitors.setdefault(getattr(cst, node_name), []).append(
                    (rule, getattr(rule, method))
                )
            for node_name, method in rule.leaver_methods.items():
                self.leavers.setdefault(getattr(cst, node_name), []).append(
                    (rule, getattr(rule, method))
                )
        # Visitors registered for a base class (BaseCompoundStatement, BaseExpression ...)
        # apply to every concrete subclass.
        self._resolved: dict[type, tuple[list, list]] = {}

    def _handlers_for(self, node_type: type) -> tuple[list, list]:
        handlers = self._resolved.get(node_type)
        if handlers is None:
            visits = [h for t in node_type.__mro__ for h in self.visitors.get(t, ())]
            leaves = [h for t in node_type.__mro__ for h in self.leavers.get(t, ())]
            handlers = self._resolved[node_type] = (visits, leaves)
        return handlers

    def run(self) -> list[Report]:
        self.walk(self.context.module)
        return self.context.reports

    def walk(self, node: cst.CSTNode) -> None:
        node_type = type(node)
        visits, leaves = self._handlers_for(node_type)
        ancestors = self.context.ancestors
        ancestors.append(node)
        for rule, handler in visits:
            try:
                handler(node)
            except Exception as error:
                raise RuleCrash(rule, error) from error
        special = _SPECIAL.get(node_type)
        if special is not None:
            special(self, node)
        else:
            walk = self.walk
            for name in child_fields(node_type):
                value = getattr(node, name)
                value_type = type(value)
                if value_type in _NODE_TYPES:
                    walk(value)
                elif value_type is tuple or value_type is list:
                    for item in value:
                        if type(item) in _NODE_TYPES:
                            walk(item)
        for rule, handler in leaves:
            try:
                handler(node)
            except Exception as error:
                raise RuleCrash(rule, error) from error
        ancestors.pop()

    def walk_all(self, nodes: Iterable[cst.CSTNode | None]) -> None:
        for node in nodes:
            if node is not None:
                self.walk(node)

    # --- nodes that open a scope or bind names ---------------------------------------------
    def _walk_parameters_outside(self, params: cst.Parameters) -> list[tuple[str, Binding]]:
        """Walk defaults and annotations (they run in the enclosing scope); return each
        parameter's name and what its annotation says it is."""
        names: list[tuple[str, Binding]] = []
        star_arg = params.star_arg if isinstance(params.star_arg, cst.Param) else None
        every = [*params.posonly_params, *params.params, star_arg, *params.kwonly_params]
        every.append(params.star_kwarg)
        for param in every:
            if param is None:
                continue
            meaning: Binding = UNKNOWN
            if param.annotation is not None:
                self.walk(param.annotation)
                if param is not star_arg and param is not params.star_kwarg:
                    annotated = self.context.annotation_type(param.annotation.annotation)
                    meaning = Instance(annotated) if annotated else UNKNOWN
            if param.default is not None:
                self.walk(param.default)
            names.append((param.name.value, meaning))
        return names

    def _enter(self, scope: Scope, parameters: Iterable[tuple[str, Binding]]) -> None:
        for name, meaning in parameters:
            scope.bindings[name] = meaning
        self.context.scopes.append(scope)

    def _leave(self) -> Scope:
        return self.context.scopes.pop()

    def walk_function(self, node: cst.FunctionDef) -> None:
        context = self.context
        self.walk_all(d.decorator for d in node.decorators)
        parameters = self._walk_parameters_outside(node.params)
        if node.returns is not None:
            self.walk(node.returns)
        enclosing = context.scope
        scope = Scope("function", node, is_async=node.asynchronous is not None)
        if enclosing.kind == "class" and len(context.scopes) == 2 and context.module_info:
            scope.owner_class = f"{context.module_info[0]}.{enclosing.node.name.value}"
            decorators = {context.resolve(d.decorator) for d in node.decorators}
            if parameters and "builtins.staticmethod" not in decorators:
                first = parameters[0][0]
                if "builtins.classmethod" in decorators:
                    parameters[0] = (first, scope.owner_class)
                elif not decorators - {None}:
                    parameters[0] = (first, Instance(scope.owner_class))
        if enclosing.kind != "module":
            enclosing.bind(node.name.value, UNKNOWN)  # until its body has been seen
        self._enter(scope, parameters)
        self.walk(node.body)
        self._leave()
        if enclosing.kind in ("function", "lambda"):
            kind = SYNC
            if node.asynchronous is not None:
                kind = ASYNC_GENERATOR if scope.has_yield else COROUTINE
            meaning = LocalFunction(kind) if not node.decorators else UNKNOWN
            enclosing.bindings[node.name.value] = meaning

    def walk_yield(self, node: cst.Yield) -> None:
        self.context.scope.has_yield = True
        self.walk_all(iter_children(node))

    def walk_lambda(self, node: cst.Lambda) -> None:
        names = self._walk_parameters_outside(node.params)
        self._enter(Scope("lambda", node), names)
        self.walk(node.body)
        self._leave()

    def walk_class(self, node: cst.ClassDef) -> None:
        self.walk_all(d.decorator for d in node.decorators)
        self.walk_all(arg.value for arg in (*node.bases, *node.keywords))
        if self.context.scope.kind != "module":
            self.context.scope.bind(node.name.value, UNKNOWN)
        self._enter(Scope("class", node), ())
        self.walk(node.body)
        self._leave()

    def walk_binding(self, node: cst.CSTNode) -> None:
        """Record the names a statement binds, then walk its children as usual.

        A name assigned anywhere in a function is local to all of it, so binding before the
        value is walked is closer to Python's rule than binding after.
        """
        context = self.context
        scope = context.scope
        if scope.kind != "module":  # the module's bindings are known up front
            _bind_statement(scope, node, context.module_info, context.lookup)
            target, value = _single_target(node)
            if target is not None and value is not None and scope.bindings.get(target) is UNKNOWN:
                inferred = (
                    context.value(value) if isinstance(value, (cst.Call, cst.Await)) else None
                )
                if isinstance(inferred, Instance):
                    scope.bindings[target] = inferred
        self.walk_all(iter_children(node))


def _single_target(node: cst.CSTNode) -> tuple[str | None, cst.BaseExpression | None]:
    """``(name, value)`` for ``name = value``, ``name: T = value`` and ``with value as name``."""
    if isinstance(node, cst.Assign) and len(node.targets) == 1:
        target = node.targets[0].target
        return (target.value, node.value) if isinstance(target, cst.Name) else (None, None)
    if isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
        return node.target.value, node.value
    if isinstance(node, cst.WithItem) and node.asname is not None:
        target = node.asname.name
        return (target.value, node.item) if isinstance(target, cst.Name) else (None, None)
    return None, None


_SPECIAL: dict[type, Callable[[Walker, Any], None]] = {
    cst.FunctionDef: Walker.walk_function,
    cst.Lambda: Walker.walk_lambda,
    cst.Yield: Walker.walk_yield,
    cst.ClassDef: Walker.walk_class,
    cst.Import: Walker.walk_binding,
    cst.ImportFrom: Walker.walk_binding,
    cst.Assign: Walker.walk_binding,
    cst.AnnAssign: Walker.walk_binding,
    cst.AugAssign: Walker.walk_binding,
    cst.For: Walker.walk_binding,
    cst.CompFor: Walker.walk_binding,
    cst.WithItem: Walker.walk_binding,
    cst.NamedExpr: Walker.walk_binding,
    cst.ExceptHandler: Walker.walk_binding,
}


def lint_module(
    module: cst.Module,
    rule_types: Iterable[type[Rule]],
    index: ProjectIndex | None = None,
    module_info: tuple[str, bool] | None = None,
    blocking: BlockingCatalogue | None = None,
) -> list[Report]:
    """Run ``rule_types`` over ``module`` in one walk; the reports in walk order."""
    context = Context(module, index, module_info, blocking)
    rules = [rule_type(context) for rule_type in rule_types]
    return Walker(context, rules).run()
