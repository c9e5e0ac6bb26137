"""Coroutines kept in a variable, attribute or item while AL103 walks the function that made
them: which store reaches a use, and whether the coroutine is handed on afterwards.

A store reaches the uses after it in its own block and the blocks nested in it (and, for a
``with`` body or a ``try`` body whose every handler raises, returns or leaves the loop, the
code after it); leaving any other block (an ``if``, a loop, another ``try``) ends it, because
a path may have skipped the store. Rebinding the variable (or an
attribute or item under it) ends it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from asynclint.diagnostics import Fix
from asynclint.edits import source_of
from asynclint.facts.awaitables import AWAITABLE_KIND
from asynclint.facts.resolution import VALUE
from asynclint.knowledge.kinds import AWAITABLE, COROUTINE
from asynclint.rule import Context
from asynclint.rules.missing_await.common import MissingAwaitRule, await_fix
from asynclint.rules.missing_await.usage import Use
from asynclint.syntax.scopes import LocalFunction, Scope

BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite)


@dataclass(eq=False)
class Stored:
    """One coroutine kept under ``key`` (``data``, ``self.user``, ``cache["a"]``)."""

    key: str
    callee: str
    fix: Fix | None
    # The block of the statement that stored it: leaving it ends the store.
    block: cst.CSTNode | None
    reported: bool = False
    # What the call gave: a coroutine, or the awaitable of a callable declared to give one.
    what: str = "coroutine"
    # A use that is wrong only if nothing awaits the coroutine (a test, a message): reported
    # when the function (for an attribute, the module) has been walked and nothing handed the
    # coroutine on. ``(node, message)``.
    later: tuple[cst.CSTNode, str] | None = None
    handed_on: bool = False

    @property
    def is_name(self) -> bool:
        return self.key.isidentifier()

    @property
    def attribute(self) -> str | None:
        """``user`` for the key ``self.user``; None for a name or an item."""
        head, dot, attr = self.key.rpartition(".")
        return attr if dot and head.isidentifier() and attr.isidentifier() else None


@dataclass(eq=False)
class Frame:
    """One function being walked."""

    # What each key holds now: names, and attribute or item paths.
    names: dict[str, Stored] = field(default_factory=dict)
    paths: dict[str, Stored] = field(default_factory=dict)
    # Names that held a coroutine here at some point, and those of them read other than in a
    # test (handed on, as far as anyone can tell).
    ever: set[str] = field(default_factory=set)
    handed_on: set[str] = field(default_factory=set)
    # Stores with a use to report at the end unless the coroutine is handed on.
    later: list[Stored] = field(default_factory=list)
    # What the paths end in (``job`` of ``self.job``) and, for items, the names they start from
    # (``cache`` of ``cache["a"]``): any other read is no path held here, whatever its code,
    # so its code need not be made.
    attributes: set[str] = field(default_factory=set)
    roots: set[str | None] = field(default_factory=set)

    def add(self, record: Stored) -> None:
        if record.is_name:
            self.names[record.key] = record
            self.ever.add(record.key)
        else:
            self.paths[record.key] = record

    def get(self, key: str) -> Stored | None:
        return self.names.get(key) if key.isidentifier() else self.paths.get(key)

    def drop(self, keys: set[str]) -> None:
        """Forget what ``keys`` held, and what was held under them (``self.a`` under
        ``self``): they are bound anew."""
        for key in keys:
            self.names.pop(key, None)
            self.paths.pop(key, None)
        if self.paths:
            prefixes = tuple(p for key in keys for p in (key + ".", key + "["))
            for path in [p for p in self.paths if p.startswith(prefixes)]:
                del self.paths[path]

    def leave_block(self, block: cst.CSTNode, outer: cst.CSTNode | None) -> None:
        """The walk leaves ``block``: its stores move to ``outer`` (the body of a ``with``
        always runs) or, when ``outer`` is None, end."""
        for table in (self.names, self.paths):
            for key, record in list(table.items()):
                if record.block is block:
                    if outer is None:
                        del table[key]
                    else:
                        record.block = outer


def always_leaves(block: cst.BaseSuite) -> bool:
    """Whether a block always ends by leaving (``raise``, ``return``, ``continue``, ``break``):
    after a ``try`` whose every handler does, the ``try`` body has run whole."""
    last: cst.CSTNode | None = None
    if isinstance(block, cst.SimpleStatementSuite):
        last = block.body[-1] if block.body else None
    elif block.body:
        statement = block.body[-1]
        if isinstance(statement, cst.SimpleStatementLine) and statement.body:
            last = statement.body[-1]
    return isinstance(last, (cst.Raise, cst.Return, cst.Continue, cst.Break))


def target_keys(module: cst.Module, target: cst.BaseExpression) -> Iterator[str]:
    """The keys a target binds (``a, self.b = ...`` binds ``a`` and ``self.b``)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Attribute, cst.Subscript)):
        yield key_of(module, target)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_keys(module, element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_keys(module, target.value)


def path_root(node: cst.BaseExpression) -> str | None:
    """The name an attribute or item path starts from (``self`` of ``self.jobs["a"]``)."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def key_of(module: cst.Module, node: cst.BaseExpression) -> str:
    """The code of a name, attribute or item, without parentheses."""
    if isinstance(node, cst.Name):
        return node.value
    return module.code_for_node(node.with_changes(lpar=(), rpar=()))


class FollowsStores(MissingAwaitRule):
    """Base of AL103: follows the coroutines each function stores, as ``Frame``s."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.frames: list[Frame] = []
        # Names that hold a coroutine in one of the functions being walked.
        self.watched: set[str] = set()
        # Attribute names read anywhere in the module other than in a test, and the stores on
        # attributes whose test is reported at the end unless one of those reads it.
        self.read_attributes: set[str] = set()
        self.later_attributes: list[Stored] = []

    @property
    def frame(self) -> Frame | None:
        return self.frames[-1] if self.frames else None

    # --- functions and blocks ---------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.append(Frame())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        frame = self.frames.pop()
        self.watched = {name for f in self.frames for name in f.ever}
        for record in frame.later:
            if record.reported or record.handed_on or record.later is None:
                continue
            if record.is_name and record.key not in frame.handed_on:
                self.report(record.later[0], record.later[1], record.fix)
            elif record.attribute is not None:
                self.later_attributes.append(record)

    def end_of_scope(self, scope: Scope) -> None:
        if scope.kind != "module":
            return
        for record in self.later_attributes:
            if record.later is not None and record.attribute not in self.read_attributes:
                self.report(record.later[0], record.later[1], record.fix)

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._leave_block(node)

    def leave_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._leave_block(node)

    def _leave_block(self, node: cst.CSTNode) -> None:
        frame = self.frame
        if frame is not None and (frame.names or frame.paths):
            outer = None
            parent = self.context.parent
            if isinstance(parent, cst.With) or (
                isinstance(parent, (cst.Try, cst.TryStar))
                and parent.body is node
                and all(always_leaves(handler.body) for handler in parent.handlers)
            ):
                outer = self.context.enclosing(*BLOCKS)
            frame.leave_block(node, outer)

    # --- stores -------------------------------------------------------------------------------
    def leave_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._rebound(target.target)
        if len(node.targets) == 1:
            self._store(node.targets[0].target, node.value, node)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._rebound(node.target)
            self._store(node.target, node.value, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._rebound(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._rebound(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._rebound(node.asname.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._rebound(node.target)

    def _rebound(self, target: cst.BaseExpression) -> None:
        frame = self.frame
        if frame is not None and (frame.names or frame.paths):
            frame.drop(set(target_keys(self.context.module, target)))

    def _store(
        self, target: cst.BaseExpression, value: cst.BaseExpression, statement: cst.CSTNode
    ) -> Stored | None:
        """Keep ``target`` as holding the coroutine ``value`` creates, if it does."""
        frame = self.frame
        if frame is None or not isinstance(target, (cst.Name, cst.Attribute, cst.Subscript)):
            return None
        # Futures have methods and attributes of their own; only coroutines are kept, and the
        # awaitables of a callable declared to give nothing else (``Callable[..., Awaitable]``).
        if not isinstance(value, cst.Call):
            return None
        kind = self.ask(AWAITABLE_KIND, value)
        if kind != COROUTINE and not (
            kind == AWAITABLE and isinstance(self.ask(VALUE, value.func), LocalFunction)
        ):
            return None
        module = self.context.module
        block = self.context.enclosing(*BLOCKS)
        fix = await_fix(self, value, statement)
        what = "coroutine" if kind == COROUTINE else "awaitable"
        callee = source_of(module, value.func)
        record = Stored(key_of(module, target), callee, fix, block, what=what)
        frame.add(record)
        if isinstance(target, cst.Attribute):
            frame.attributes.add(target.attr.value)
        elif isinstance(target, cst.Subscript):
            frame.roots.add(path_root(target))
        if record.is_name:
            self.watched.add(record.key)
        return record

    def used(self, record: Stored, node: cst.CSTNode, use: Use, message: str) -> None:
        """``record``'s coroutine is used at ``node`` where its result was meant: reported at
        once when the use raises, else when the walk has shown that nothing awaits it (never
        for an item: whoever reads the container may)."""
        if record.reported:
            return
        if use.raises:
            record.reported = True
            self.report(node, message, record.fix)
        elif record.later is None and (record.is_name or record.attribute is not None):
            record.later = (node, message)
            self.frames[-1].later.append(record)
