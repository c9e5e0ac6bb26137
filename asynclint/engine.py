"""One walk over one LibCST tree, dispatching every node to the rules that want it.

LibCST's own visitor driver rebuilds every node as it goes, and its metadata providers (positions,
scopes, qualified names) cost several times the parse itself. The walker here reads each node's
dataclass fields directly (the names of the fields worth descending into are cached per node
type), keeps the little context the rules need (the scope stack with its name bindings and
reads, the chain of ancestors), resolves names through the module's own import table, and
answers the facts rules ask (``asynclint.facts``) once per node.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import libcst as cst

from asynclint.facts import Fact
from asynclint.facts.resolution import (
    QUALIFIED_NAME,
    bound_value,
    parameter_meaning,
    unpacked_values,
)
from asynclint.index import (
    ASYNC_GENERATOR,
    COROUTINE,
    SYNC,
    Instance,
    ProjectIndex,
    absolute_module,
)
from asynclint.knowledge.blocking import BlockingCatalogue, load_blocking_catalogue
from asynclint.knowledge.roles import CONVENTIONAL_CALLABLES
from asynclint.syntax.nodes import (
    NODE_TYPES,
    STATEMENT_TYPES,
    child_fields,
    dotted_name,
    iter_children,
    target_names,
)
from asynclint.syntax.scopes import (
    INTROSPECTION,
    UNKNOWN,
    LocalFunction,
    Scope,
    is_read,
    reads_go_to,
)

if TYPE_CHECKING:
    from asynclint.diagnostics import Fix
    from asynclint.rule import Rule

T = TypeVar("T")
_BUILTIN_NAMES = frozenset(dir(builtins))

# What a name means: a qualified name (an import, or a module-level definition), an object of a
# known class, a local function, or UNKNOWN.
Binding = str | Instance | LocalFunction | None


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
        alias = _alias_of(lookup or scope.bindings.get, node, scope.kind == "module")
        for target in node.targets:
            for name in target_names(target.target):
                scope.bind(name, alias)
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
        for name in target_names(node.target):
            scope.bind(name, UNKNOWN)
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        name = node.name.value
        qualified = f"{module[0]}.{name}" if module and scope.kind == "module" else UNKNOWN
        scope.bind(name, qualified)
    elif isinstance(node, (cst.For, cst.CompFor)):
        for name in target_names(node.target):
            scope.bind(name, UNKNOWN)
    elif isinstance(node, cst.WithItem):
        if node.asname is not None:
            for name in target_names(node.asname.name):
                scope.bind(name, UNKNOWN)
    elif isinstance(node, cst.NamedExpr):
        for name in target_names(node.target):
            scope.bind(name, UNKNOWN)
    elif isinstance(node, cst.ExceptHandler):
        if node.name is not None:
            for name in target_names(node.name.name):
                scope.bind(name, UNKNOWN)


def _alias_of(
    lookup: Callable[[str], Binding], node: cst.Assign, module_level: bool = False
) -> str | None:
    """For ``nap = time.sleep``: the qualified name the alias stands for, from what ``lookup``
    says the names bound so far mean; UNKNOWN for any other assignment. At module level,
    ``Alias = Generic[Args]`` names the class too (as the index reads it)."""
    if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
        return UNKNOWN
    value = node.value
    if module_level and isinstance(value, cst.Subscript):
        value = value.value
    dotted = dotted_name(value) if isinstance(value, (cst.Name, cst.Attribute)) else None
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
    # The module-level statement the node is in (None for the module itself): positions are
    # computed statement by statement.
    top: cst.CSTNode | None = None


class Context:
    """The walk as rules see it: where the walker is, what names mean there, and the facts."""

    def __init__(
        self,
        module: cst.Module,
        index: ProjectIndex | None = None,
        module_info: tuple[str, bool] | None = None,
        blocking: BlockingCatalogue | None = None,
        target_version: tuple[int, int] | None = None,
    ) -> None:
        """``module_info`` is the module's dotted name and whether it is a package's
        ``__init__``; ``index`` knows the other modules of the project and the libraries (only
        fact providers read it); ``blocking`` is the blocking-call catalogue with the file's
        configuration applied; ``target_version`` the oldest Python the code must run on (None:
        the newest)."""
        self.module = module
        self._blocking = blocking
        self.target_version = target_version
        self.index = index
        self.module_info = module_info
        self.module_scope = _module_bindings(module, module_info)
        self.scopes: list[Scope] = [self.module_scope]
        self.ancestors: list[cst.CSTNode] = []
        self.reports: list[Report] = []
        # Facts answered since the bindings in view last changed: fact -> node -> answer.
        self._answers: dict[Fact[Any], dict[cst.CSTNode, Any]] = {}

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

    def enclosing_class(self) -> str | None:
        """The qualified name of the module-level class whose method is being walked."""
        for scope in reversed(self.scopes):
            if scope.owner_class:
                return scope.owner_class
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

    def is_bound(self, name: str) -> bool:
        """Whether ``name`` is bound here by the code itself (star imports do not count) or
        is a builtin."""
        innermost = self.scopes[-1]
        return name in _BUILTIN_NAMES or any(
            name in scope.bindings
            for scope in self.scopes
            if scope.kind != "class" or scope is innermost
        )

    def parameter_of(self, name: str) -> tuple[str, str] | None:
        """``(function, name)`` when ``name`` here is an unannotated parameter, not rebound, of
        the module-level function or method (qualified name) that binds it."""
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if name in scope.bindings:
                if name in scope.parameters and scope.qualified:
                    return scope.qualified, name
                return None
        return None

    def bound_at_module_level(self, name: str) -> bool:
        """Whether ``name`` here means the module's own global of that name."""
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if name in scope.bindings:
                return scope is self.module_scope
        return False

    def scope_binding(self, name: str) -> Scope | None:
        """The scope whose binding of ``name`` the code here sees (None: a builtin, a star
        import, or unbound)."""
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if name in scope.bindings:
                return scope
        return None

    @property
    def blocking(self) -> BlockingCatalogue:
        """The blocking-call catalogue, as configured for this file."""
        if self._blocking is None:
            self._blocking = load_blocking_catalogue()
        return self._blocking

    # --- facts ----------------------------------------------------------------------------
    def answer(self, fact: Fact[T], node: Any) -> T:
        """The answer to ``fact`` about ``node`` where the walk stands, computed once."""
        answers = self._answers.get(fact)
        if answers is None:
            answers = self._answers[fact] = {}
        elif node in answers:
            return answers[node]
        value = answers[node] = fact.provider(self, node)
        return value

    def bindings_changed(self) -> None:
        """Forget the answers: they may depend on bindings that just changed."""
        if self._answers:
            self._answers = {}

    # --- reporting ------------------------------------------------------------------------
    def add_report(self, rule: Rule, node: cst.CSTNode, message: str, fix: Fix | None) -> None:
        statement = node
        for ancestor in reversed(self.ancestors):
            if isinstance(ancestor, STATEMENT_TYPES):
                statement = ancestor
                break
        functions = tuple(a.name for a in self.ancestors if isinstance(a, cst.FunctionDef))
        top = self.ancestors[1] if len(self.ancestors) > 1 else None
        self.reports.append(Report(rule, node, message, fix, statement, functions, top))


_Handler = Callable[[cst.CSTNode], Any]


def _conventional_callables(
    parameters: list[tuple[str, Binding]], unannotated: set[str]
) -> list[tuple[str, Binding]]:
    """The parameters, with those that a protocol's signature makes coroutine functions
    (``receive`` and ``send`` of ``(scope, receive, send)``) bound so, when unannotated."""
    names = [name for name, _ in parameters]
    conventional: set[str] = set()
    for signature, callables in CONVENTIONAL_CALLABLES:
        for start in range(len(names) - len(signature) + 1):
            if tuple(names[start : start + len(signature)]) == signature:
                conventional |= callables
    if not conventional:
        return parameters
    return [
        (name, LocalFunction(COROUTINE))
        if name in conventional and name in unannotated and meaning is UNKNOWN
        else (name, meaning)
        for name, meaning in parameters
    ]


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
        # Rules with an end-of-scope check, called as each scope is left (reads complete).
        self.scope_enders = [rule for rule in rules if rule.has_end_of_scope()]

    def _handlers_for(self, node_type: type) -> tuple[list, list]:
        handlers = self._resolved.get(node_type)
        if handlers is None:
            visits = [h for t in node_type.__mro__ for h in self.visitors.get(t, ())]
            leaves = [h for t in node_type.__mro__ for h in self.leavers.get(t, ())]
            handlers = self._resolved[node_type] = (visits, leaves)
        return handlers

    def run(self) -> list[Report]:
        self.walk(self.context.module)
        self._end_scope(self.context.module_scope)
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
                if value_type in NODE_TYPES:
                    walk(value)
                elif value_type is tuple or value_type is list:
                    for item in value:
                        if type(item) in NODE_TYPES:
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
                    meaning = parameter_meaning(self.context, param.annotation.annotation)
            if param.default is not None:
                self.walk(param.default)
            names.append((param.name.value, meaning))
        return names

    def _enter(self, scope: Scope, parameters: Iterable[tuple[str, Binding]]) -> None:
        for name, meaning in parameters:
            scope.bindings[name] = meaning
        self.context.scopes.append(scope)
        self.context.bindings_changed()

    def _leave(self) -> Scope:
        """Leave the innermost scope: its reads are complete, so its end-of-scope checks run,
        and the names it reads but does not bind count as reads of the enclosing scope (for a
        function in a class body: of the scope around the class)."""
        scopes = self.context.scopes
        scope = scopes[-1]
        self._end_scope(scope)
        scopes.pop()
        self.context.bindings_changed()
        free = scope.free_reads()
        if free:
            reader = reads_go_to([*scopes, scope])
            if reader is not None:
                reader.reads |= free
        return scope

    def _end_scope(self, scope: Scope) -> None:
        for rule in self.scope_enders:
            try:
                rule.end_of_scope(scope)
            except Exception as error:
                raise RuleCrash(rule, error) from error

    def walk_name(self, node: cst.Name) -> None:
        """Record a read of the name (targets, attribute names and the like are not reads)."""
        context = self.context
        if is_read(context.ancestors):
            scope = context.scopes[-1]
            scope.reads.add(node.value)
            if node.value in INTROSPECTION:
                scope.introspected = True

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
            decorators = {context.answer(QUALIFIED_NAME, d.decorator) for d in node.decorators}
            if parameters and "builtins.staticmethod" not in decorators:
                first = parameters[0][0]
                if "builtins.classmethod" in decorators:
                    parameters[0] = (first, scope.owner_class)
                elif not decorators - {None}:
                    parameters[0] = (first, Instance(scope.owner_class))
        if enclosing.kind != "module":
            enclosing.bind(node.name.value, UNKNOWN)  # until its body has been seen
            context.bindings_changed()
        elif context.module_info:
            scope.qualified = f"{context.module_info[0]}.{node.name.value}"
        if scope.owner_class:
            scope.qualified = f"{scope.owner_class}.{node.name.value}"
        params = node.params
        unannotated = {
            p.name.value
            for p in (*params.posonly_params, *params.params, *params.kwonly_params)
            if p.annotation is None
        }
        parameters = _conventional_callables(parameters, unannotated)
        if scope.qualified:  # an annotation nothing resolves (``str | Stream``) is no guess
            scope.parameters = {
                name for name, meaning in parameters if meaning is UNKNOWN and name in unannotated
            }
        self._enter(scope, parameters)
        self.walk(node.body)
        self._leave()
        if enclosing.kind in ("function", "lambda"):
            kind = SYNC
            if node.asynchronous is not None:
                kind = ASYNC_GENERATOR if scope.has_yield else COROUTINE
            meaning = LocalFunction(kind) if not node.decorators else UNKNOWN
            enclosing.bindings[node.name.value] = meaning
            context.bindings_changed()

    def walk_nonlocal(self, node: cst.Nonlocal) -> None:
        """``nonlocal x``: ``x`` stays the enclosing function's variable, read or not here."""
        self.context.scope.nonlocals.update(item.name.value for item in node.names)
        self.walk_all(iter_children(node))

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
            self.context.bindings_changed()
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
            for target, value in _single_targets(node):
                if scope.bindings.get(target) is UNKNOWN:
                    inferred = bound_value(context, node, value)
                    if inferred is not None:
                        scope.bindings[target] = inferred
                if isinstance(node, cst.AnnAssign):
                    declared = parameter_meaning(context, node.annotation.annotation)
                    if isinstance(declared, Instance):
                        scope.declared.setdefault(target, declared)
            for target, inferred in _unpacked(context, node):
                if inferred is not None and scope.bindings.get(target) is UNKNOWN:
                    scope.bindings[target] = inferred
            context.bindings_changed()
        self.walk_all(iter_children(node))


def _unpacked(context: Context, node: cst.CSTNode) -> list[tuple[str, Binding]]:
    """``a, b = call()`` of a call that gives a tuple of known classes: each name's meaning."""
    if not isinstance(node, cst.Assign) or len(node.targets) != 1:
        return []
    target = node.targets[0].target
    if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(
        node.value, (cst.Call, cst.Await)
    ):
        return []
    names = [
        e.value.value if isinstance(e, cst.Element) and isinstance(e.value, cst.Name) else None
        for e in target.elements
    ]
    meanings = unpacked_values(context, node.value, len(names))
    return [(n, m) for n, m in zip(names, meanings, strict=True) if n is not None]


def _single_targets(node: cst.CSTNode) -> list[tuple[str, cst.BaseExpression | None]]:
    """``(name, value)`` pairs a statement binds one to one: ``name = value``, ``name: T =
    value`` (value None for a bare annotation), ``with value as name``, ``(name := value)``,
    and ``a, b = x, y``."""
    if isinstance(node, cst.Assign) and len(node.targets) == 1:
        target = node.targets[0].target
        if isinstance(target, cst.Name):
            return [(target.value, node.value)]
        value = node.value
        if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            pairs = list(zip(target.elements, value.elements, strict=False))
            if len(target.elements) == len(value.elements):
                return [
                    (t.value.value, v.value)
                    for t, v in pairs
                    if isinstance(t, cst.Element)
                    and isinstance(t.value, cst.Name)
                    and isinstance(v, cst.Element)
                ]
        return []
    if isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
        return [(node.target.value, node.value)]
    if isinstance(node, cst.WithItem) and node.asname is not None:
        target = node.asname.name
        return [(target.value, node.item)] if isinstance(target, cst.Name) else []
    if isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
        return [(node.target.value, node.value)]
    if isinstance(node, (cst.For, cst.CompFor)) and isinstance(node.target, cst.Name):
        return [(node.target.value, node.iter)]
    return []


_SPECIAL: dict[type, Callable[[Walker, Any], None]] = {
    cst.Name: Walker.walk_name,
    cst.FunctionDef: Walker.walk_function,
    cst.Lambda: Walker.walk_lambda,
    cst.Yield: Walker.walk_yield,
    cst.Nonlocal: Walker.walk_nonlocal,
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
    target_version: tuple[int, int] | None = None,
) -> list[Report]:
    """Run ``rule_types`` over ``module`` in one walk; the reports in walk order."""
    context = Context(module, index, module_info, blocking, target_version)
    rules = [rule_type(context) for rule_type in rule_types]
    return Walker(context, rules).run()
