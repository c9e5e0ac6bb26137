"""What the project passes to its functions: the call sites a summary records.

For every call of a function that may be the project's (not a builtin or standard-library
name) the summary keeps, per argument, evidence of what the argument is: ``call:pkg.Client``
(made by that call), ``await:pkg.connect`` (its awaited result), ``type:pkg.Client`` (an
annotated parameter), ``param:pkg.mod.handler:client`` (an unannotated parameter, followed
in turn), ``attr:pkg.mod.Service:db`` (``self.db``), ``name:pkg.mod.store`` (a module-level
object), or ``?``. The queries (``asynclint.index.flow``) type a parameter when every call
site agrees.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from asynclint.index.tables import STDLIB_MODULES
from asynclint.knowledge.methods import everyday_method_names

if TYPE_CHECKING:
    from asynclint.index.summarise import _Summarizer

UNKNOWN_EVIDENCE = "?"
# Evidence (and an attribute's recorded type) that stands for a parameter: ``param:f:name``.
PARAMETER = "param:"
# The callee of ``x.m(...)`` on a receiver the summary cannot type: ``?.m``.
ANY_RECEIVER = "?."
# The callee of ``self.m(...)`` in a method of the class: ``@pkg.mod.Class.m`` (the receiver
# fills the first parameter, unlike ``Class.m(self, ...)``).
BOUND = "@"

Function = ast.FunctionDef | ast.AsyncFunctionDef


class CallSites:
    """Collects the call sites and the attribute names read as values in one module."""

    def __init__(self, summarizer: _Summarizer) -> None:
        self.summarizer = summarizer
        self.sites: list[list[Any]] = []
        self.attribute_refs: set[str] = set()
        self.name_refs: set[str] = set()
        self._done: set[int] = set()

    def function(self, node: Function, qualified: str | None, owner: str | None) -> None:
        """Record the calls in a function's own body (``owner``: its class, for ``self.m``)."""
        summarizer = self.summarizer
        receiver = node.args.args[0].arg if owner and node.args.args else None
        locals_ = summarizer.single_locals(node)
        context = (qualified, receiver, owner, locals_, _parameters(node))
        for inner in summarizer.own_of(node, ast.Call):
            self._done.add(id(inner))
            self._call(inner, context)

    def rest(self, calls: list[ast.Call]) -> None:
        """Every call (``calls``: the module's, in ``ast.walk`` order) not recorded with its
        function (module level, nested functions, lambdas, nested classes), and the attribute
        names read other than as a callee (``on_done=self.save``): a method so read may be
        called from anywhere."""
        callees = {id(node.func) for node in calls}
        for node in calls:
            if id(node) not in self._done:
                self._call(node, (None, None, None, {}, {}))
        # The ``a.b`` of ``a.b.c`` is no value of its own (an attribute comes before the
        # attributes inside it in ``everywhere``).
        inner: set[int] = set()
        known = self.summarizer.fact.names.keys() | self.summarizer.local_defs
        for node in self.summarizer.everywhere(ast.Attribute):
            if id(node) in inner:
                continue
            inner.add(id(node.value))
            if isinstance(node.ctx, ast.Load) and id(node) not in callees:
                self.attribute_refs.add(node.attr)
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in known:
                    self._name_ref(node)
        for name in self.summarizer.everywhere(ast.Name):
            # Only a name the module binds (not a local, a parameter, ``self``) names something.
            if name.id in known and isinstance(name.ctx, ast.Load):
                if id(name) not in callees and id(name) not in inner:
                    self._name_ref(name)

    def _name_ref(self, node: ast.Name | ast.Attribute) -> None:
        """Record a name or an attribute chain, read as a value, of a name the module binds."""
        qualified = self.summarizer.qualify(node)
        if qualified and qualified.split(".", 1)[0] not in STDLIB_MODULES:
            self.name_refs.add(qualified)

    def _call(self, call: ast.Call, context: tuple) -> None:
        _, receiver, owner, _, _ = context
        if not call.args and not call.keywords:
            return
        func = call.func
        module = self.summarizer.fact.name
        attribute = receiver_attribute(func, receiver)
        if attribute is not None:
            callee = f"{BOUND}{module}.{owner}.{attribute}"
        else:
            callee = self.summarizer.qualify(func) or ""
            if not callee and isinstance(func, ast.Attribute):
                if func.attr in everyday_method_names() or func.attr.startswith("__"):
                    return
                callee = ANY_RECEIVER + func.attr
            if not callee or callee.split(".", 1)[0] in STDLIB_MODULES:
                return
        starred = any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        )
        positional = [self._evidence(a, context) for a in call.args]
        keywords = {k.arg: self._evidence(k.value, context) for k in call.keywords if k.arg}
        self.sites.append([callee, positional, keywords, starred])

    def _evidence(self, node: ast.expr, context: tuple) -> str:
        qualified, receiver, owner, locals_, params = context
        summarizer = self.summarizer
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            made = summarizer.qualify(node.value.func)
            return f"await:{made}" if made else UNKNOWN_EVIDENCE
        if isinstance(node, ast.Call):
            made = summarizer.qualify(node.func)
            return f"call:{made}" if made else UNKNOWN_EVIDENCE
        if isinstance(node, ast.Name):
            if node.id in params:
                annotation = params[node.id]
                if annotation is not None:  # a union or a name nothing resolves: unknown
                    annotated = summarizer.annotation_type(annotation)
                    return f"type:{annotated}" if annotated else UNKNOWN_EVIDENCE
                return f"{PARAMETER}{qualified}:{node.id}" if qualified else UNKNOWN_EVIDENCE
            if node.id in locals_:
                value = locals_[node.id]
                return self._evidence(value, context) if value is not None else UNKNOWN_EVIDENCE
            if node.id in summarizer.local_defs or node.id in summarizer.fact.names:
                made = summarizer.qualify(node)
                return f"name:{made}" if made else UNKNOWN_EVIDENCE
            return UNKNOWN_EVIDENCE
        attribute = receiver_attribute(node, receiver)
        if attribute is not None:
            return f"attr:{summarizer.fact.name}.{owner}:{attribute}"
        return UNKNOWN_EVIDENCE


def _parameters(node: Function) -> dict[str, ast.expr | None]:
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return {a.arg: a.annotation for a in every}


def receiver_attribute(node: ast.expr, receiver: str | None) -> str | None:
    """``m`` of ``self.m``, where ``self`` is ``receiver`` (a method's first parameter)."""
    if (
        receiver
        and isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == receiver
    ):
        return node.attr
    return None


def single_assignments(own: dict[type, list[ast.AST]]) -> dict[str, ast.expr | None]:
    """Locals bound once, by a plain ``name = <call>`` (None: bound otherwise or twice).
    ``own``: a function's own nodes by class, each class's in order."""
    values: dict[int, ast.expr] = {}
    for node in own.get(ast.Assign, ()):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            if isinstance(node.value, (ast.Call, ast.Await)):
                values[id(node.targets[0])] = node.value
    found: dict[str, ast.expr | None] = {}
    for node in own.get(ast.Name, ()):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found[node.id] = None if node.id in found else values.get(id(node))
    return found
