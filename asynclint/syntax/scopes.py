"""Scopes as the engine keeps them while it walks: what each name means, and which are read.

A scope records, for every name bound in it, what the engine knows the name means (an import's
qualified name, an object of a known class, a local function, or ``UNKNOWN``), and the set of
names read in it or in the functions nested in it (closures). When the walker leaves a scope,
the reads are complete: that is when rules run their end-of-scope checks
(``Rule.end_of_scope``), in the manner of pyflakes' "unused variable" check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

# A binding whose meaning the engine cannot tell (an assignment, a def, two different imports).
UNKNOWN = None
# Calls that read a function's namespace by name: after one, any local may be used.
INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "dir"})


@dataclass(frozen=True)
class LocalFunction:
    """A function defined inside a function body, and what calling it gives."""

    kind: str


@dataclass(eq=False)
class Scope:
    """A namespace: the module, a function, a lambda or a class body."""

    kind: str  # "module" | "function" | "lambda" | "class"
    node: cst.CSTNode
    is_async: bool = False
    # What each bound name means (see the module docstring); the engine fills it.
    bindings: dict[str, Any] = field(default_factory=dict)
    # Names read here or in nested functions (free there), complete when the scope is left.
    reads: set[str] = field(default_factory=set)
    # Names a ``nonlocal`` statement here declares: bound here, they are the enclosing
    # function's variables, so reading them reads that function's.
    nonlocals: set[str] = field(default_factory=set)
    # Whether the code calls ``locals()``, ``vars()``, ``eval()`` ...: every local may be used.
    introspected: bool = False
    has_yield: bool = False
    # For a method of a module-level class: that class's qualified name.
    owner_class: str | None = None
    # For a module-level function or a method of a module-level class: its qualified name,
    # and its unannotated parameters not rebound so far (typed by the call sites).
    qualified: str | None = None
    parameters: set[str] = field(default_factory=set)
    # Names an annotation declares (``client: httpx.Client``), with what it says they are:
    # whatever the code binds them to later, the declaration holds, as for a type checker.
    declared: dict[str, Any] = field(default_factory=dict)

    def bind(self, name: str, meaning: object) -> None:
        """Bind ``name``; a second, different meaning makes it UNKNOWN, unless an annotation
        declared what the name is."""
        self.parameters.discard(name)
        if name in self.declared:
            self.bindings[name] = self.declared[name]
        elif name in self.bindings and self.bindings[name] != meaning:
            self.bindings[name] = UNKNOWN
        else:
            self.bindings[name] = meaning

    def is_used(self, name: str) -> bool:
        """Whether a local ``name`` is read anywhere in this scope or a closure of it (only
        final once the scope has been left)."""
        return self.introspected or name in self.reads

    def free_reads(self) -> set[str]:
        """The names read here (or in nested functions) that this scope does not bind, or
        binds as ``nonlocal``: they are read from an enclosing scope."""
        return {name for name in self.reads if name not in self.bindings or name in self.nonlocals}


def reads_go_to(scopes: list[Scope]) -> Scope | None:
    """The scope whose reads the free reads of the innermost of ``scopes`` count as: the next
    one out, skipping class bodies for a function or lambda (a method does not see its class's
    names); None for the module."""
    scope = scopes[-1]
    outer = len(scopes) - 2
    while scope.kind != "class" and outer > 0 and scopes[outer].kind == "class":
        outer -= 1
    return scopes[outer] if outer >= 0 else None


def _element_owner(ancestors: list[cst.CSTNode], index: int) -> tuple[cst.CSTNode, cst.CSTNode]:
    """Climb out of tuple/list/starred targets: the first ancestor that is not one, and the
    child of it the climb came from."""
    child = ancestors[index]
    index -= 1
    while index >= 0 and isinstance(
        ancestors[index], (cst.Element, cst.StarredElement, cst.Tuple, cst.List)
    ):
        child = ancestors[index]
        index -= 1
    return (ancestors[index] if index >= 0 else child), child


_TARGET_FIELDS: dict[type, str] = {
    cst.AssignTarget: "target",
    cst.AnnAssign: "target",
    cst.For: "target",
    cst.CompFor: "target",
    cst.NamedExpr: "target",
    cst.AsName: "name",
}
_NAME_FIELDS: dict[type, str] = {
    cst.Attribute: "attr",
    cst.FunctionDef: "name",
    cst.ClassDef: "name",
    cst.Param: "name",
    cst.ImportAlias: "name",
    cst.MatchAs: "name",
    cst.MatchStar: "name",
    cst.MatchMapping: "rest",
    cst.MatchKeywordElement: "key",
}


# Parents under which a name may be something other than a read of a variable.
_MAY_NOT_READ = frozenset(
    {
        *_TARGET_FIELDS,
        *_NAME_FIELDS,
        cst.ImportFrom,
        cst.Element,
        cst.StarredElement,
        cst.Tuple,
        cst.List,
    }
)


def is_read(ancestors: list[cst.CSTNode]) -> bool:
    """Whether the ``Name`` last in ``ancestors`` reads a variable (not a target, an attribute's
    name, a definition's or parameter's name, or part of an import)."""
    if len(ancestors) < 2:
        return True
    node = ancestors[-1]
    parent = ancestors[-2]
    parent_type = type(parent)
    if parent_type not in _MAY_NOT_READ:
        return True
    field_name = _NAME_FIELDS.get(parent_type)
    if field_name is not None and getattr(parent, field_name) is node:
        return False
    if parent_type is cst.ImportFrom or _in_import(ancestors):
        return False
    owner, child = _element_owner(ancestors, len(ancestors) - 1)
    target_field = _TARGET_FIELDS.get(type(owner))
    # ``x: int = 1`` binds; a bare ``x: int`` neither binds nor reads.
    return target_field is None or getattr(owner, target_field) is not child


def _in_import(ancestors: list[cst.CSTNode]) -> bool:
    for node in reversed(ancestors[:-1]):
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            return True
        if not isinstance(node, (cst.Attribute, cst.ImportAlias, cst.AsName)):
            return False
    return False
