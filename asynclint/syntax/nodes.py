"""Walking LibCST trees cheaply: child fields cached per node type, subtrees, names."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

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
NODE_TYPES = frozenset(_subclasses(cst.CSTNode))
# Nodes whose bodies run at another time than the code around them.
OTHER_CODE = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
STATEMENT_TYPES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


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
        if type(value) in NODE_TYPES:
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if type(item) in NODE_TYPES:
                    yield item


def subtree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (itself excluded), nested code included."""
    stack = list(iter_children(node))
    while stack:
        current = stack.pop()
        yield current
        stack.extend(iter_children(current))


def own_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nodes under ``node`` that run as part of it (nested functions, lambdas and class
    bodies left out)."""
    stack = list(iter_children(node))
    while stack:
        current = stack.pop()
        if isinstance(current, OTHER_CODE):
            continue
        yield current
        stack.extend(iter_children(current))


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


def target_names(target: cst.CSTNode) -> Iterator[str]:
    """Names an assignment target binds (``a``, ``a, *b``, ``[a, (b, c)]``)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def lone_assignment(
    statement: cst.CSTNode,
) -> tuple[cst.BaseAssignTargetExpression, cst.BaseExpression] | None:
    """``(target, value)`` of a line holding only ``target = value`` or ``target: T = value``."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        return small.targets[0].target, small.value
    if isinstance(small, cst.AnnAssign) and small.value is not None:
        return small.target, small.value
    return None


def last_name(node: cst.BaseExpression) -> str | None:
    """The last name of a name or attribute chain (``self.loop`` -> ``loop``); None for any
    other expression."""
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return None


def bound_names(body: cst.CSTNode) -> set[str]:
    """The names code binds by assignment, ``with ... as`` or ``except ... as``."""
    found: set[str] = set()
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        if isinstance(current, OTHER_CODE):
            continue
        targets: list[cst.CSTNode] = []
        if isinstance(current, cst.Assign):
            targets = [t.target for t in current.targets]
        elif isinstance(current, cst.AnnAssign) and current.value is not None:
            targets = [current.target]
        elif isinstance(current, cst.AsName):
            targets = [current.name]
        for target in targets:
            found.update(target_names(target))
        stack.extend(iter_children(current))
    return found


def used_after(function: cst.FunctionDef, loop: cst.For, names: set[str]) -> bool:
    """Whether a name of ``names`` is read after ``loop`` in ``function`` (in source order)
    before something binds it again (a later ``for`` or assignment), or the function reads its
    names without naming them (``locals()``)."""
    pending = set(names)
    passed = False
    stack: list[cst.CSTNode | frozenset[str]] = [function.body]
    while stack:
        current = stack.pop()
        if isinstance(current, frozenset):
            if passed:
                pending -= current  # bound again: later reads are of the new value
            continue
        if current is loop:
            passed = True
            continue
        if isinstance(current, cst.Name):
            if current.value in ("locals", "vars") or (passed and current.value in pending):
                return True
            continue
        if isinstance(current, cst.Attribute):
            stack.append(current.value)  # ``user.name`` reads ``user``, not ``name``
            continue
        stack.extend(reversed(_in_binding_order(current)))
    return False


def _in_binding_order(node: cst.CSTNode) -> list[cst.CSTNode | frozenset[str]]:
    """The children of ``node`` in the order they run, with the names a ``for`` target or an
    assignment binds (as a set) where the binding happens."""
    if isinstance(node, (cst.For, cst.CompFor)):
        rest = [c for c in iter_children(node) if c is not node.iter and c is not node.target]
        return [node.iter, frozenset(target_names(node.target)), *rest]
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
        bound = frozenset(n for target in targets for n in target_names(target))
        return [node.value, *(t for t in targets if not isinstance(t, cst.Name)), bound]
    return list(iter_children(node))


# Displays: strings, containers and comprehensions written out in the code.
DISPLAY_TYPES = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.Dict,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
)
# Expressions that build a plain value on the spot: never awaitable, never a context manager.
LITERAL_TYPES = (cst.Integer, cst.Float, cst.Imaginary, *DISPLAY_TYPES, cst.GeneratorExp)
