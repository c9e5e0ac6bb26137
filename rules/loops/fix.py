"""AL402's fixes: one ``asyncio.gather()`` for a comprehension or a collecting loop."""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix, ImportNeeded
from asynclint.edits import async_library, line_break, module_reference
from asynclint.facts.dependence import paths_read
from asynclint.rule import Context
from asynclint.rules.loops.body import Body
from asynclint.rules.loops.calls import has_own, target_names
from asynclint.syntax.nodes import iter_children, lone_assignment, subtree
from asynclint.syntax.scopes import INTROSPECTION

_FIX_TITLE = "Run the calls concurrently with `asyncio.gather()`"
# Expressions that must be parenthesised to stand as a comprehension's iterable.
_NEEDS_PARENS = (cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Tuple, cst.Yield)
_REITERABLE_VALUES = (
    cst.List,
    cst.Set,
    cst.Dict,
    cst.Tuple,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
)
_REITERABLE_CALLS = frozenset({"list", "tuple", "set", "frozenset", "dict", "sorted"})
# Longer than this, a gather's generator goes on a line of its own (the statement's fixes); a
# comprehension's gather, inside an expression, gets no fix: one line would be too long.
_LONG_GENERATOR = 60
_LONG_EXPRESSION = 80


def comprehension_fix(
    context: Context, node: cst.BaseComp, call: cst.Call, kind: str
) -> Fix | None:
    """``[await f(x) for x in xs]`` -> ``list(await asyncio.gather(*(f(x) for x in xs)))``;
    a dict comprehension becomes ``dict(zip(xs, await asyncio.gather(...)))``."""
    if async_library(context.module_scope) != "asyncio" or node.lpar:
        return None
    for_in = node.for_in
    if kind == "dict":
        assert isinstance(node, cst.DictComp)
        if not _zippable(context, node):
            return None
        assert isinstance(for_in.iter, cst.Name)
        awaited, imports = _gather(context, call, for_in)
        zipped = cst.Call(
            func=cst.Name("zip"), args=[cst.Arg(for_in.iter.deep_clone()), cst.Arg(awaited)]
        )
        new: cst.BaseExpression = cst.Call(func=cst.Name("dict"), args=[cst.Arg(zipped)])
    else:
        if not _builtin(context, kind):
            return None
        awaited, imports = _gather(context, call, for_in)
        new = cst.Call(func=cst.Name(kind), args=[cst.Arg(awaited)])
    if _too_long(context, new):
        return None
    return Fix(_FIX_TITLE, ((node, new),), Applicability.UNSAFE, imports)


def loop_fix(context: Context, node: cst.For, body: Body, loop_names: set[str]) -> Fix | None:
    """``results = []`` + ``for x in xs: results.append(await f(x))`` -> one statement."""
    before = _list_before(context, node, body)
    if before is None:
        return None
    trailing = _trailing(before, node)
    function = function_of(context)
    names = loop_names | ({body.result_name} if body.result_name else set())
    if trailing is None or function is None or not unused_elsewhere(function, node, names):
        return None
    iterable = node.iter
    if isinstance(iterable, _NEEDS_PARENS) and not iterable.lpar:
        iterable = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    for_in = cst.CompFor(target=node.target, iter=iterable)
    awaited, imports = _gather(context, body.call, for_in, own_line=True)
    value = cst.Call(func=cst.Name("list"), args=[cst.Arg(awaited)])
    small = before.body[0]
    assert isinstance(small, (cst.Assign, cst.AnnAssign))
    comments = [line for line in node.leading_lines if line.comment is not None]
    new_line = before.with_changes(
        body=[small.with_changes(value=value)],
        leading_lines=[*before.leading_lines, *comments],
        trailing_whitespace=trailing,
    )
    return Fix(
        _FIX_TITLE,
        ((before, new_line), (node, cst.RemovalSentinel.REMOVE)),
        Applicability.UNSAFE,
        imports,
    )


def discard_fix(context: Context, node: cst.For, body: Body, loop_names: set[str]) -> Fix | None:
    """``for x in xs: await f(x)`` (results dropped) -> ``await asyncio.gather(*(f(x) for x in
    xs))``, when the loop's names are not used elsewhere in the function."""
    if async_library(context.module_scope) != "asyncio" or body.statements != 1:
        return None
    if body.result_name or body.containers or not isinstance(node.body, cst.IndentedBlock):
        return None
    line = node.body.body[0]
    if not isinstance(line, cst.SimpleStatementLine) or not isinstance(line.body[0], cst.Expr):
        return None
    function = function_of(context)
    if function is None or not unused_elsewhere(function, node, loop_names):
        return None
    if line.leading_lines or line.trailing_whitespace.comment:
        return None  # a comment would be lost
    iterable = node.iter
    if isinstance(iterable, _NEEDS_PARENS) and not iterable.lpar:
        iterable = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    for_in = cst.CompFor(target=node.target, iter=iterable)
    awaited, imports = _gather(context, body.call, for_in, own_line=True)
    new = cst.SimpleStatementLine(
        body=[cst.Expr(awaited)],
        leading_lines=node.leading_lines,
        trailing_whitespace=node.body.header,
    )
    return Fix(_FIX_TITLE, ((node, new),), Applicability.UNSAFE, imports)


def _list_before(context: Context, node: cst.For, body: Body) -> cst.SimpleStatementLine | None:
    """The ``results = []`` line right before a loop whose whole body appends to it."""
    if async_library(context.module_scope) != "asyncio" or body.appended_to is None:
        return None
    if body.statements != (1 if body.result_name is None else 2):
        return None
    if body.containers != {body.appended_to} or not _builtin(context, "list"):
        return None
    block = context.parent
    if not isinstance(block, cst.IndentedBlock):
        return None
    position = next(i for i, s in enumerate(block.body) if s is node)
    if position == 0:
        return None
    before = block.body[position - 1]
    if not _is_empty_list_assignment(before, body.appended_to):
        return None
    assert isinstance(before, cst.SimpleStatementLine)
    if has_own(node.iter, cst.Await) or not isinstance(node.body, cst.IndentedBlock):
        return None
    if any("#" in context.module.code_for_node(s) for s in node.body.body):
        return None  # comments inside the loop would be lost
    return before


def _trailing(before: cst.SimpleStatementLine, node: cst.For) -> cst.TrailingWhitespace | None:
    """The end-of-line comment the merged line keeps (None when two would compete)."""
    trailing = before.trailing_whitespace
    assert isinstance(node.body, cst.IndentedBlock)
    header = node.body.header
    if header.comment is not None:
        if trailing.comment is not None:
            return None
        trailing = header
    return trailing


def _gather(
    context: Context, call: cst.Call, for_in: cst.CompFor, own_line: bool = False
) -> tuple[cst.Await, tuple[ImportNeeded, ...]]:
    """``await asyncio.gather(*(call for ...))``; with ``own_line`` (the gather is a statement of
    its own, or its whole value), a long generator goes on a line of its own."""
    reference, imports = module_reference(context.module_scope, "asyncio")
    generator = cst.GeneratorExp(elt=call, for_in=for_in)
    argument = cst.Arg(value=generator, star="*")
    opening: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace("")
    if own_line and len(context.module.code_for_node(generator)) > _LONG_GENERATOR:
        indent = context.module.default_indent
        opening = line_break(indent)
        argument = argument.with_changes(whitespace_after_arg=line_break(""))
    gather = cst.Call(
        func=cst.parse_expression(f"{reference}.gather"),
        args=[argument],
        whitespace_before_args=opening,
    )
    return cst.Await(expression=gather), imports


def _too_long(context: Context, node: cst.CSTNode) -> bool:
    """Whether ``node``'s code is too long to stand on one line inside an expression."""
    return len(context.module.code_for_node(node)) > _LONG_EXPRESSION


def _builtin(context: Context, name: str) -> bool:
    return context.lookup(name) == f"builtins.{name}"


def _zippable(context: Context, node: cst.DictComp) -> bool:
    """``{k: await f(k) for k in ks}`` with ``ks`` a name that can be iterated twice."""
    for_in = node.for_in
    return (
        not for_in.ifs
        and isinstance(for_in.iter, cst.Name)
        and isinstance(for_in.target, cst.Name)
        and isinstance(node.key, cst.Name)
        and node.key.value == for_in.target.value
        and _builtin(context, "dict")
        and _builtin(context, "zip")
        and _reiterable(context, for_in.iter.value)
    )


def function_of(context: Context) -> cst.FunctionDef | None:
    """The function whose scope the walker is in."""
    scope = context.scope
    return scope.node if isinstance(scope.node, cst.FunctionDef) else None


def _reiterable(context: Context, name: str) -> bool:
    """``name`` is bound in this function only to lists, tuples, sets or dicts (it can be
    iterated twice), and is not a parameter."""
    function = function_of(context)
    if function is None:
        return False
    params = function.params
    every = (*params.posonly_params, *params.params, *params.kwonly_params)
    if any(p.name.value == name for p in every):
        return False
    found = False
    for inner in subtree(function.body):
        if (
            isinstance(inner, cst.Assign)
            and len(inner.targets) == 1
            and isinstance(inner.targets[0].target, cst.Name)
            and inner.targets[0].target.value == name
        ):
            if not _reiterable_value(context, inner.value):
                return False
            found = True
        elif name in _bound_names(inner):
            return False
    return found


def _reiterable_value(context: Context, value: cst.BaseExpression) -> bool:
    if isinstance(value, _REITERABLE_VALUES):
        return True
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value in _REITERABLE_CALLS
        and _builtin(context, value.func.value)
    )


def _bound_names(node: cst.CSTNode) -> set[str]:
    """The names ``node`` binds by itself (not counting what its children bind)."""
    if isinstance(node, cst.Assign):
        return {n for t in node.targets for n in target_names(t.target) or ()}
    if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        return target_names(node.target) or set()
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return {node.name.value}
    if isinstance(node, cst.WithItem) and node.asname is not None:
        return target_names(node.asname.name) or set()
    if isinstance(node, cst.ExceptHandler) and node.name is not None:
        return target_names(node.name.name) or set()
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        return {item.name.value for item in node.names}
    if isinstance(node, cst.Del):
        return paths_read(node.target)
    if isinstance(node, cst.ImportAlias):
        alias = node.asname.name if node.asname is not None else node.name
        return {n.split(".", 1)[0] for n in paths_read(alias)}
    return set()


def _is_empty_list_assignment(statement: cst.CSTNode, name: str) -> bool:
    """``name = []`` (or ``name: T = []``) alone on its line."""
    assignment = lone_assignment(statement)
    if assignment is None:
        return False
    target, value = assignment
    if not isinstance(target, cst.Name) or target.value != name:
        return False
    return isinstance(value, cst.List) and not value.elements


def unused_elsewhere(function: cst.FunctionDef, loop: cst.For, names: set[str]) -> bool:
    """None of ``names`` appears in ``function`` outside ``loop``, and nothing reads the
    function's names without naming them (``locals()``, ``vars()``)."""
    stack = [*iter_children(function.params), function.body]
    while stack:
        current = stack.pop()
        if current is loop:
            continue
        if isinstance(current, cst.Name) and (
            current.value in names or current.value in INTROSPECTION
        ):
            return False
        stack.extend(iter_children(current))
    return True
