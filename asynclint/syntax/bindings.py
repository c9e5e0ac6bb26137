"""Every place code binds a name or a ``self`` attribute, and the value it binds there.

These answer "what was this object made by?" for a name at a call: ``q = queue.Queue()`` and
then ``q.put(item)``. An answer is only as good as it is complete, so every kind of binding
counts, and the ones whose value cannot be read (a ``for`` target, an unpacking, ``+=``, an
``import``, a ``def``, a parameter, ``global``) are given as None.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.syntax.nodes import iter_children, target_names

# Code that runs in a namespace of its own: its bindings are not the enclosing code's.
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def values_bound(scope: cst.CSTNode, name: str) -> list[cst.BaseExpression | None]:
    """What the code of ``scope`` (a module, or a function with its parameters) binds ``name``
    to, one item per binding: the value of ``name = value``, ``name: T = value``, ``(name :=
    value)`` and ``with value as name``; None for any other binding. A nested function or class
    counts only by its own name, and by ``global`` or ``nonlocal`` statements for ``name``
    anywhere inside, which let it rebind the name."""
    found: list[cst.BaseExpression | None] = []
    if isinstance(scope, cst.FunctionDef) and name in _parameter_names(scope.params):
        found.append(None)
    body = scope.body if isinstance(scope, cst.FunctionDef) else scope
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            if any(item.name.value == name for item in node.names):
                found.append(None)
            continue
        if isinstance(node, _NESTED):
            if not isinstance(node, cst.Lambda) and node.name.value == name:
                found.append(None)
            stack.extend(_declarations(node))
            continue
        found.extend(_bound_here(node, name))
        stack.extend(iter_children(node))
    return found


def attribute_values(
    module: cst.Module, owner: cst.ClassDef, attribute: str
) -> list[cst.BaseExpression | None]:
    """What the methods of ``owner`` bind ``self.<attribute>`` to (``self`` being each
    method's first parameter), and the class body binds ``<attribute>`` to, one item per
    binding; None for a binding whose value cannot be read. An assignment to ``.<attribute>``
    of anything else in the module may be one too, and gives None."""
    found: list[cst.BaseExpression | None] = []
    owned: set[int] = set()
    for statement in owner.body.body:
        if isinstance(statement, cst.FunctionDef):
            parameters = [*statement.params.posonly_params, *statement.params.params]
            if parameters:
                receiver = parameters[0].name.value
                for target, value in _attribute_targets(statement.body, attribute):
                    owned.add(id(target))
                    if isinstance(target.value, cst.Name) and target.value.value == receiver:
                        found.append(value)
                    else:
                        found.append(None)
        elif not isinstance(statement, cst.ClassDef):
            found.extend(_bound_here_deep(statement, attribute))
    for target, _ in _attribute_targets(module, attribute):
        if id(target) not in owned:
            found.append(None)
    return found


def _parameter_names(params: cst.Parameters) -> set[str]:
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    return names


def _declarations(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The ``global`` and ``nonlocal`` statements anywhere inside ``node``."""
    stack = list(iter_children(node))
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Global, cst.Nonlocal)):
            yield current
        else:
            stack.extend(iter_children(current))


def _bound_here_deep(node: cst.CSTNode, name: str) -> list[cst.BaseExpression | None]:
    found: list[cst.BaseExpression | None] = []
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, _NESTED):
            continue
        found.extend(_bound_here(current, name))
        stack.extend(iter_children(current))
    return found


def _bound_here(node: cst.CSTNode, name: str) -> list[cst.BaseExpression | None]:
    """The bindings of ``name`` that ``node`` itself makes (not its children)."""
    if isinstance(node, cst.Assign):
        found: list[cst.BaseExpression | None] = []
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value == name:
                found.append(node.value)
            elif name in target_names(target.target):
                found.append(None)
        return found
    if isinstance(node, (cst.AnnAssign, cst.NamedExpr)):
        if isinstance(node.target, cst.Name) and node.target.value == name:
            return [node.value] if node.value is not None else []
        return []
    if isinstance(node, cst.WithItem) and node.asname is not None:
        target = node.asname.name
        if isinstance(target, cst.Name) and target.value == name:
            return [node.item]
        return [None] if name in target_names(target) else []
    targets: list[cst.CSTNode] = []
    if isinstance(node, (cst.AugAssign, cst.For, cst.CompFor)):
        targets = [node.target]
    elif isinstance(node, cst.Del):
        targets = [node.target]
    elif isinstance(node, cst.ExceptHandler) and node.name is not None:
        targets = [node.name.name]
    elif isinstance(node, cst.ImportAlias):
        dotted: cst.BaseExpression = node.name
        while isinstance(dotted, cst.Attribute):
            dotted = dotted.value
        targets = [node.asname.name if node.asname is not None else dotted]
    elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
        targets = [node.name]
    elif isinstance(node, cst.MatchMapping) and node.rest is not None:
        targets = [node.rest]
    return [None for target in targets if name in target_names(target)]


def _attribute_targets(
    node: cst.CSTNode, attribute: str
) -> Iterator[tuple[cst.Attribute, cst.BaseExpression | None]]:
    """``(target, value)`` for each binding of ``<something>.<attribute>`` under ``node``,
    nested code included; the value is None unless it is a plain ``x.attr = value``."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        stack.extend(iter_children(current))
        pairs: list[tuple[cst.CSTNode, cst.BaseExpression | None]] = []
        if isinstance(current, cst.Assign):
            pairs = [(t.target, current.value) for t in current.targets]
        elif isinstance(current, cst.AnnAssign):
            pairs = [(current.target, current.value)]
        elif isinstance(current, (cst.AugAssign, cst.For, cst.CompFor, cst.Del)):
            pairs = [(current.target, None)]
        elif isinstance(current, cst.WithItem) and current.asname is not None:
            pairs = [(current.asname.name, None)]
        for target, value in pairs:
            for found in _attributes_in(target, attribute):
                yield found, (value if found is target else None)


def _attributes_in(target: cst.CSTNode, attribute: str) -> Iterator[cst.Attribute]:
    if isinstance(target, cst.Attribute):
        if target.attr.value == attribute:
            yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _attributes_in(element.value, attribute)
    elif isinstance(target, cst.StarredElement):
        yield from _attributes_in(target.value, attribute)
