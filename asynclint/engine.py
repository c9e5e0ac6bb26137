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

from asynclint.diagnostics import Fix, ImportNeeded

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
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


_BUILTIN_NAMES = frozenset(dir(builtins))
# A binding whose meaning the engine cannot tell (an assignment, a def, two different imports).
UNKNOWN = None


@dataclass
class Scope:
    """A namespace: the module, a function, a lambda or a class body."""

    kind: str  # "module" | "function" | "lambda" | "class"
    node: cst.CSTNode
    is_async: bool = False
    # name -> dotted qualified name for names bound by an import, UNKNOWN for anything else
    bindings: dict[str, str | None] = field(default_factory=dict)

    def bind(self, name: str, qualified: str | None) -> None:
        if name in self.bindings and self.bindings[name] != qualified:
            self.bindings[name] = UNKNOWN
        else:
            self.bindings[name] = qualified


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


def _bind_import(scope: Scope, node: cst.Import | cst.ImportFrom) -> None:
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
    base = "." * len(node.relative)
    if node.module is not None:
        base += dotted_name(node.module) or ""
    for alias in node.names:
        if not isinstance(alias.name, cst.Name):
            continue
        local = alias.name.value
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        separator = "" if base.endswith(".") else "."
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


def _bind_statement(scope: Scope, node: cst.CSTNode) -> None:
    """Record what a statement binds in ``scope`` (imports precisely, the rest as UNKNOWN)."""
    if isinstance(node, (cst.Import, cst.ImportFrom)):
        _bind_import(scope, node)
    elif isinstance(node, cst.Assign):
        for target in node.targets:
            for name in _target_names(target.target):
                scope.bind(name, UNKNOWN)
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
        for name in _target_names(node.target):
            scope.bind(name, UNKNOWN)
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        scope.bind(node.name.value, UNKNOWN)
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


def _module_bindings(module: cst.Module) -> Scope:
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
                    _bind_statement(scope, small)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                _bind_statement(scope, statement)
            elif isinstance(statement, cst.BaseCompoundStatement):
                if isinstance(statement, cst.For):
                    _bind_statement(scope, statement)
                if isinstance(statement, cst.With):
                    for item in statement.items:
                        _bind_statement(scope, item)
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


_STATEMENT_TYPES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
_LIBRARIES = ("anyio", "trio", "asyncio")


class Context:
    """What rules may ask while the engine walks a module."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.module_scope = _module_bindings(module)
        self.scopes: list[Scope] = [self.module_scope]
        self.ancestors: list[cst.CSTNode] = []
        self.reports: list[Report] = []
        self._library: str | None = None

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
    def lookup(self, name: str) -> str | None:
        """The qualified name a bare name refers to here (``nap`` -> ``time.sleep``), if known."""
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
        if base is None:
            return None
        parts.append(base)
        return ".".join(reversed(parts))

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
        self.reports.append(Report(rule, node, message, fix, statement))


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
                if isinstance(value, cst.CSTNode):
                    walk(value)
                elif type(value) is tuple or type(value) is list:
                    for item in value:
                        if isinstance(item, cst.CSTNode):
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
    def _walk_parameters_outside(self, params: cst.Parameters) -> list[str]:
        """Walk defaults and annotations (they run in the enclosing scope); return the names."""
        names = []
        star_arg = params.star_arg if isinstance(params.star_arg, cst.Param) else None
        every = [*params.posonly_params, *params.params, star_arg, *params.kwonly_params]
        every.append(params.star_kwarg)
        for param in every:
            if param is None:
                continue
            names.append(param.name.value)
            if param.annotation is not None:
                self.walk(param.annotation)
            if param.default is not None:
                self.walk(param.default)
        return names

    def _enter(self, scope: Scope, parameters: Iterable[str]) -> None:
        for name in parameters:
            scope.bindings[name] = UNKNOWN
        self.context.scopes.append(scope)

    def _leave(self) -> None:
        self.context.scopes.pop()

    def walk_function(self, node: cst.FunctionDef) -> None:
        self.walk_all(d.decorator for d in node.decorators)
        names = self._walk_parameters_outside(node.params)
        if node.returns is not None:
            self.walk(node.returns)
        if self.context.scope.kind != "module":
            self.context.scope.bind(node.name.value, UNKNOWN)
        self._enter(Scope("function", node, is_async=node.asynchronous is not None), names)
        self.walk(node.body)
        self._leave()

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
        if self.context.scope.kind != "module":  # the module's bindings are known up front
            _bind_statement(self.context.scope, node)
        self.walk_all(iter_children(node))


_SPECIAL: dict[type, Callable[[Walker, Any], None]] = {
    cst.FunctionDef: Walker.walk_function,
    cst.Lambda: Walker.walk_lambda,
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


def lint_module(module: cst.Module, rule_types: Iterable[type[Rule]]) -> list[Report]:
    """Run ``rule_types`` over ``module`` in one walk; the reports in walk order."""
    context = Context(module)
    rules = [rule_type(context) for rule_type in rule_types]
    return Walker(context, rules).run()
