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
