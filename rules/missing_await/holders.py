"""What AL102 follows besides plain locals: coroutines put into a local container that nothing
reads, and coroutines stored on a private attribute of ``self`` that nothing in the module
reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from asynclint.diagnostics import Fix
from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.knowledge.kinds import COROUTINE
from asynclint.knowledge.values import CONTAINER_ADD_METHODS, CONTAINER_CONSTRUCTORS
from asynclint.rule import Rule
from asynclint.rules.missing_await.common import held_calls
from asynclint.syntax.scopes import Scope, is_read

# Displays that make a new container, whatever their elements.
_DISPLAYS = (cst.Dict, cst.List, cst.Set, cst.DictComp, cst.ListComp, cst.SetComp)
# Receivers whose private attributes are the module's own business.
_SELF_NAMES = frozenset({"self", "cls"})
# Calls that read attributes by a name computed at run time.
_DYNAMIC_READERS = frozenset({"getattr", "hasattr", "vars"})


@dataclass(eq=False)
class Container:
    """A local of one function that holds a container made there (``jobs = {}``)."""

    # Read other than to put something in (returned, passed, iterated, indexed ...).
    read: bool = False
    # The coroutines put in it: (the call, the message).
    stores: list[tuple[cst.Call, str]] = field(default_factory=list)


class LocalContainers:
    """The locals of the functions being walked that hold a container made there."""

    def __init__(self) -> None:
        self.by_scope: dict[Scope, dict[str, Container]] = {}
        # Per function scope: the locals assigned anything else.
        self.other_values: dict[Scope, set[str]] = {}
        # The names of the containers, in every function being walked.
        self.watched: set[str] = set()

    def assigned(self, scope: Scope, name: str, fresh: bool) -> None:
        if not fresh:
            self.other_values.setdefault(scope, set()).add(name)
            return
        containers = self.by_scope.setdefault(scope, {})
        if name not in containers:
            # Read before it was made (in a loop, by a closure): it is read.
            containers[name] = Container(read=name in scope.reads)
            self.watched.add(name)

    def follows(self, scope: Scope, name: str) -> bool:
        return name in self.by_scope.get(scope, {})

    def stored(self, scope: Scope, name: str, call: cst.Call, message: str) -> None:
        container = self.by_scope.get(scope, {}).get(name)
        if container is not None:
            container.stores.append((call, message))

    def seen(self, name: str, ancestors: list[cst.CSTNode]) -> None:
        """A watched name: read, or bound (``_local`` judges plain assignments)."""
        if is_read(ancestors):
            if is_store_into(ancestors):
                return
        elif isinstance(ancestors[-2], cst.AssignTarget):
            return
        for containers in self.by_scope.values():
            container = containers.get(name)
            if container is not None:
                container.read = True

    def unread(self, scope: Scope, declared: set[str]) -> list[tuple[str, cst.Call, str]]:
        """At the end of ``scope``: the coroutines put in a container nothing reads."""
        others = self.other_values.pop(scope, set())
        containers = self.by_scope.pop(scope, {})
        self.watched = {name for c in self.by_scope.values() for name in c}
        if scope.introspected:
            return []
        return [
            (name, call, message)
            for name, container in containers.items()
            if not (container.read or name in others or name in declared)
            for call, message in container.stores
        ]


def is_fresh_container(value: cst.BaseExpression, qualified: str | None) -> bool:
    """Whether ``value`` makes a new container (``{}``, ``[...]``, ``defaultdict(list)``);
    ``qualified`` is the callee's qualified name when ``value`` is a call."""
    return isinstance(value, _DISPLAYS) or (
        isinstance(value, cst.Call) and qualified in CONTAINER_CONSTRUCTORS
    )


def is_store_into(ancestors: list[cst.CSTNode]) -> bool:
    """Whether the name last in ``ancestors`` is read only to put something into it:
    ``jobs[key] = value`` or ``jobs.append(value)`` as a statement."""
    if len(ancestors) < 4:
        return False
    name, parent, grandparent = ancestors[-1], ancestors[-2], ancestors[-3]
    if isinstance(parent, cst.Subscript) and parent.value is name:
        return isinstance(grandparent, cst.AssignTarget) and grandparent.target is parent
    return (
        isinstance(parent, cst.Attribute)
        and parent.value is name
        and parent.attr.value in CONTAINER_ADD_METHODS
        and isinstance(grandparent, cst.Call)
        and grandparent.func is parent
        and isinstance(ancestors[-4], cst.Expr)
    )


def added_values(node: cst.Expr) -> tuple[str, list[cst.BaseExpression]] | None:
    """``("jobs", [value])`` for the statement ``jobs.append(value)``."""
    call = node.value
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return None
    func = call.func
    if not isinstance(func.value, cst.Name) or func.attr.value not in CONTAINER_ADD_METHODS:
        return None
    return func.value.value, [a.value for a in call.args if a.keyword is None and not a.star]


def private_attribute(target: cst.BaseExpression) -> str | None:
    """``_pending`` for the target ``self._pending`` (not a ``__dunder__``)."""
    if not isinstance(target, cst.Attribute) or not isinstance(target.value, cst.Name):
        return None
    name = target.attr.value
    if target.value.value not in _SELF_NAMES or not name.startswith("_"):
        return None
    return None if name.endswith("__") else name


@dataclass(eq=False)
class AttributeStores:
    """Coroutines stored on private attributes, and what the module reads of attributes."""

    # (attribute, the call, the message, the fix)
    stores: list[tuple[str, cst.Call, str, Fix | None]] = field(default_factory=list)
    # Private names read as attributes, passed as strings (``getattr(self, "_x")``) or
    # defined (a property, a method).
    read: set[str] = field(default_factory=set)
    # Attributes are read by computed names, or stores are intercepted (``__setattr__``).
    dynamic: bool = False

    def saw_call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) and func.value in _DYNAMIC_READERS:
            name = node.args[1].value if len(node.args) > 1 else None
            if not isinstance(name, cst.SimpleString):  # vars(self), getattr(self, name)
                self.dynamic = True

    def saw_string(self, node: cst.SimpleString, parent: cst.CSTNode | None) -> None:
        if isinstance(parent, cst.Arg) and "_" in node.value:
            value = node.evaluated_value
            if isinstance(value, str) and value.startswith("_"):
                self.read.add(value)

    def saw_definition(self, name: str) -> None:
        if name == "__setattr__":
            self.dynamic = True
        elif name.startswith("_"):
            self.read.add(name)

    def unread(self) -> list[tuple[str, cst.Call, str, Fix | None]]:
        if self.dynamic or "__dict__" in self.read:
            return []
        return [store for store in self.stores if store[0] not in self.read]


# Displays and comprehensions a list of coroutines is built with, and what to call them.
_BUILT = {
    cst.List: "a list stored in",
    cst.ListComp: "a list stored in",
    cst.Tuple: "a tuple stored in",
    cst.Set: "a set stored in",
    cst.SetComp: "a set stored in",
}


def awaitable_in(rule: Rule, value: cst.BaseExpression) -> tuple[cst.Call, str, str] | None:
    """The call that makes the awaitable ``value`` is (``built`` empty), or the first
    coroutine a list, tuple or set display or comprehension is built of."""
    if isinstance(value, cst.Call):
        kind = rule.ask(AWAITABLE_KIND, value)
        return (value, kind, "") if kind is not None else None
    built = _BUILT.get(type(value))
    if built is None:
        return None
    for call in held_calls(value):
        if rule.ask(AWAITABLE_KIND, call) == COROUTINE:
            return call, COROUTINE, built
    return None
