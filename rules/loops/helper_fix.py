"""AL402's fix for loops whose body is more than one collected await: a coroutine per item.

``for peer in peers: try: await peer.send(m) except OSError: log(...)`` becomes

    async def _each_peer(peer):
        try: await peer.send(m) except OSError: log(...)

    await asyncio.gather(*(_each_peer(peer) for peer in peers))

so each item keeps its own ``try``/``except``, ``async with`` and branches. Offered only when
the body fills no container of the function (the entries would come in the order the items
finish) and the loop's names are used nowhere else; ``continue`` becomes ``return``.
"""

from __future__ import annotations

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import async_library, module_reference
from asynclint.rule import Context
from asynclint.rules.loops.fix import unused_elsewhere
from asynclint.rules.loops.iteration import Iteration
from asynclint.syntax.nodes import OTHER_CODE, bound_names, subtree, target_names

_TITLE = "Run each item's body concurrently in a coroutine of its own, with `asyncio.gather()`"


def helper_fix(
    context: Context, node: cst.For, iteration: Iteration, function: cst.FunctionDef
) -> Fix | None:
    """The per-item coroutine rewrite of ``node``, when it keeps the code's meaning per item."""
    if async_library(context.module_scope) != "asyncio" or iteration.collectors:
        return None
    if not isinstance(node.body, cst.IndentedBlock) or _continues_in_nested_code(node.body):
        return None
    names = list(target_names(node.target))
    helper = f"_each_{names[0]}" if names else ""
    if not names or _is_taken(context, function, helper):
        return None
    if not unused_elsewhere(function, node, set(names) | iteration.bound):
        return None  # the loop leaves them bound; the coroutines would not
    body = node.body.visit(_ContinueToReturn())
    assert isinstance(body, cst.IndentedBlock)
    definition = cst.FunctionDef(
        name=cst.Name(helper),
        params=cst.Parameters(params=[cst.Param(cst.Name(n)) for n in names]),
        body=body.with_changes(header=cst.TrailingWhitespace()),
        asynchronous=cst.Asynchronous(),
        leading_lines=node.leading_lines,
    )
    reference, imports = module_reference(context.module_scope, "asyncio")
    call = cst.Call(func=cst.Name(helper), args=[cst.Arg(cst.Name(n)) for n in names])
    iterable = node.iter
    if (
        isinstance(iterable, (cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Tuple))
        and not iterable.lpar
    ):
        iterable = iterable.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    generator = cst.GeneratorExp(elt=call, for_in=cst.CompFor(target=node.target, iter=iterable))
    gather = cst.Call(
        func=cst.parse_expression(f"{reference}.gather"),
        args=[cst.Arg(value=generator, star="*")],
    )
    line = cst.SimpleStatementLine(
        body=[cst.Expr(cst.Await(gather))],
        leading_lines=[cst.EmptyLine(indent=False)],
        trailing_whitespace=node.body.header,
    )
    return Fix(
        _TITLE,
        ((node, cst.FlattenSentinel([definition, line])),),  # type: ignore[arg-type]
        Applicability.UNSAFE,
        imports,
    )


def _is_taken(context: Context, function: cst.FunctionDef, name: str) -> bool:
    return context.lookup(name) is not None or name in bound_names(function)


def _continues_in_nested_code(body: cst.BaseSuite) -> bool:
    """A ``continue`` inside a nested function would not become ``return``: leave it alone."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        if isinstance(current, OTHER_CODE):
            return any(isinstance(n, cst.Continue) for n in subtree(current))
        stack.extend(current.children)
    return False


class _ContinueToReturn(cst.CSTTransformer):
    """``continue`` (going on to the next item) is ``return`` in a coroutine per item."""

    def leave_Continue(self, original_node: cst.Continue, updated_node: cst.Continue) -> cst.Return:
        return cst.Return(semicolon=updated_node.semicolon)
