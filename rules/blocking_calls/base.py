"""The base of the AL202-AL207 rules: the message, and the fix that runs the call in a thread."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import async_library, call_text, line_break, module_reference
from asynclint.facts.blocking import BLOCKING_CALL
from asynclint.facts.tests import INTENDED_TO_BLOCK
from asynclint.knowledge.roles import THREAD_OFFLOAD
from asynclint.knowledge.versions import TO_THREAD, for_target, has
from asynclint.rule import Rule


def thread_fix(rule: Rule, node: cst.Call) -> Fix | None:
    """``x = f(a, k=v)`` -> ``x = await asyncio.to_thread(f, a, k=v)`` (trio and anyio:
    ``to_thread.run_sync``, with ``functools.partial`` for keyword arguments), offered only
    where the call is a whole statement or the whole value of an assignment or return, and
    (asyncio) where the target Python has ``asyncio.to_thread`` (3.9)."""
    context = rule.context
    statement = context.parent
    if (
        not (
            isinstance(statement, cst.Expr)
            or (
                isinstance(statement, (cst.Assign, cst.AnnAssign, cst.Return))
                and statement.value is node
            )
        )
        or node.lpar
    ):
        return None
    if context.enclosing(cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp) is not None:
        return None
    if rule.ask(INTENDED_TO_BLOCK, node) or _in_cleanup(context.ancestors):
        return None
    library = async_library(context.module_scope)
    if library == "asyncio" and not has(context.target_version, TO_THREAD):
        return None
    reference, imports = module_reference(context.module_scope, library)
    keywords = [a for a in node.args if a.keyword is not None or a.star == "**"]
    if library == "asyncio":
        runner = cst.parse_expression(f"{reference}.to_thread")
        call = _with_callee_first(node, runner)
    else:
        runner = cst.parse_expression(f"{reference}.to_thread.run_sync")
        if keywords:
            partial, more = module_reference(context.module_scope, "functools")
            imports = imports + more
            bound = _with_callee_first(node, cst.parse_expression(f"{partial}.partial"))
            call = cst.Call(runner, [cst.Arg(bound)])
        else:
            call = _with_callee_first(node, runner)
    line = context.enclosing(cst.SimpleStatementLine)
    if isinstance(line, cst.SimpleStatementLine) and line.trailing_whitespace.comment is None:
        call = _wrapped_when_long(context.module, node, call)  # a comment stays on the call's line
    replacement = cst.Await(expression=call)
    return Fix(
        "Run it in a worker thread",
        ((node, replacement),),
        Applicability.UNSAFE,
        imports,
    )


def _with_callee_first(node: cst.Call, runner: cst.BaseExpression) -> cst.Call:
    """``runner(f, a, k=v)`` for ``f(a, k=v)``, laid out as the call was: its arguments keep
    their commas, line breaks and comments, and ``f`` takes a line of its own when the first
    argument had one."""
    if not node.args:
        return cst.Call(runner, [cst.Arg(node.func)])
    opening = node.whitespace_before_args
    after_callee: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
    if isinstance(opening, cst.ParenthesizedWhitespace):
        after_callee = opening.with_changes(first_line=cst.TrailingWhitespace())
    callee = cst.Arg(node.func, comma=cst.Comma(whitespace_after=after_callee))
    return cst.Call(runner, [callee, *node.args], whitespace_before_args=opening)


def _in_cleanup(ancestors: list[cst.CSTNode]) -> bool:
    """Whether the node runs in a ``finally:`` block of its own function: cleanup that must
    run whole, where an ``await`` may be cancelled before the call it waits for has run
    (trio and anyio cancel every await of a cancelled scope; anyio's asyncio backend joins its
    shutdown thread there)."""
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(ancestor, cst.Finally):
            return True
    return False


# A one-line call whose thread form is longer than this gets its arguments on a line of their own.
_LONG_CALL = 80


def _wrapped_when_long(module: cst.Module, node: cst.Call, call: cst.Call) -> cst.Call:
    """``call`` (the thread form of ``node``), its arguments on a line of their own when
    ``node`` was written on one line and ``call`` would make it long."""
    if "\n" in module.code_for_node(node) or len(module.code_for_node(call)) <= _LONG_CALL:
        return call
    *first, last = call.args
    last = last.with_changes(whitespace_after_arg=line_break(""))
    opening = line_break(module.default_indent)
    return call.with_changes(args=[*first, last], whitespace_before_args=opening)


# Paragraphs every family's page shares (``<<chains>>``, ``<<thread fix>>`` in the pages).
_CHAINS_DOC = """\
    A call of one of the project's sync functions that reaches such a call (directly or a few
    calls down, across modules) is reported too, at the call in the coroutine, with the chain
    in the message: `load_config() -> read_file() -> open()`. A helper handed to a thread
    (`asyncio.to_thread(load_config)`) is not a call and stays silent. A helper whose result
    is memoised (`functools.cache`, `lru_cache`, `cached_property`, cachetools' decorators) is
    not followed, even one cached per argument: such helpers are memoised so that the event
    loop may call them, with a few arguments known in advance, and are often warmed while
    their module is imported, so the blocking work is done once, not on each call. In the
    real projects these rules are checked on, every call of a memoised helper that blocks was
    of this kind: reporting them would ask for changes nobody needs.
"""
_THREAD_FIX_DOC = """\
    ## Fix safety
    When the call is a whole statement, or the whole value of an assignment or `return`, the
    fix runs it in a worker thread (`await asyncio.to_thread(...)`, `trio.to_thread.run_sync`,
    `anyio.to_thread.run_sync`). It is unsafe: the call now runs in another thread, so
    thread-unsafe objects it touches and cancellation behave differently. A call used as a
    context manager (`with open(...)`) gets advice only: it needs a different API. So does a
    method called on what a blocking call gives, such as `open(path).read()` (reported once,
    for the whole expression): a thread for the outer call alone would leave `open(path)` on
    the event loop.

    <<on purpose>>
"""
_ON_PURPOSE_DOC = """\
    No fix is offered where the code blocks on purpose: under `pytest.raises(...)`, inside a
    checkpoint or blocking assertion (`with trio.testing.assert_no_checkpoints():`), in a test
    named for blocking (`test_blocking_io`, a module `test_block_io.py`, a decorator such as
    `@pytest.mark.skip_blockbuster`), in a function whose name says it blocks
    (`block_event_loop`), or where a comment on the call's line says the blocking is meant
    (it speaks of blocking or of a purpose, or names the call: `# time.sleep is a more
    challenging scenario`). The finding stays; the fix would make such a test fail. Nor is
    one offered in a `finally:` block: cleanup must run whole, and an `await` there may be
    cancelled before the call has run (trio and anyio cancel every await of a cancelled
    scope).
"""


class BlockingCallRule(Rule):
    """Base of the family rules; not a rule itself."""

    family: ClassVar[str]
    requires = (BLOCKING_CALL, INTENDED_TO_BLOCK)
    fix_applicability = Applicability.UNSAFE
    doc_parts = (
        ("chains", _CHAINS_DOC),
        ("thread fix", _THREAD_FIX_DOC),
        ("on purpose", _ON_PURPOSE_DOC),
    )

    def visit_Call(self, node: cst.Call) -> None:
        found = self.ask(BLOCKING_CALL, node)
        if found is None or found.family.name != self.family or self._made_on_a_blocking_call():
            return
        catalogue = self.context.blocking
        target = self.context.target_version
        offload = for_target(THREAD_OFFLOAD[async_library(self.context.module_scope)], target)
        call = call_text(self.context.module, node)
        # ``open(p).read()`` is one mistake: reported once, here; moving only the outer call to
        # a thread would leave ``open(p)`` on the event loop, so it gets advice only.
        fix = None if self._on_a_blocking_call(node) else thread_fix(self, node)
        if found.chain:
            self.report(
                node,
                f"`{call}` blocks the event loop through a sync helper: {found.chain_text()} "
                f"({found.family.title.lower()}); make the helper async or run it in a thread "
                f"with {offload}",
                fix,
            )
            return
        replacement = for_target(catalogue.replacement_for(found.qualified), target)
        if "to_thread" not in replacement and "run_in_executor" not in replacement:
            replacement += f", or run it in a thread with {offload}"
        self.report(
            node,
            f"`{call}` blocks the event loop ({found.family.title.lower()}); use {replacement}",
            fix,
        )

    def _on_a_blocking_call(self, node: cst.Call) -> bool:
        """Whether ``node`` is a method called on what a blocking call of the same family
        gives, directly or down a chain (``open(p).read()``, ``connect(db).execute(q)``)."""
        receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
        while isinstance(receiver, (cst.Attribute, cst.Call, cst.Subscript)):
            if isinstance(receiver, cst.Call):
                inner = self.ask(BLOCKING_CALL, receiver)
                if inner is not None and inner.family.name == self.family:
                    return True
                receiver = receiver.func
            else:
                receiver = receiver.value
        return False

    def _made_on_a_blocking_call(self) -> bool:
        """Whether the call being visited is the receiver chain of a call that blocks in the
        same family: ``open(p)`` in ``open(p).read()``, reported there as one mistake."""
        ancestors = self.context.ancestors
        child = ancestors[-1]
        for parent in reversed(ancestors[:-1]):
            if isinstance(parent, cst.Call):
                if parent.func is not child:
                    return False
                outer = self.ask(BLOCKING_CALL, parent)
                if outer is not None and outer.family.name == self.family:
                    return True
            elif not (isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is child):
                return False
            child = parent
        return False
