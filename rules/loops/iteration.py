"""AL402's reading of one iteration: what it awaits, binds, collects and reads.

The reader walks a loop body in source order and gives up (returns None) on anything it does
not understand or that ties one iteration to the next: ``break``/``return``, a ``raise``
outside an ``except`` handler, nested loops and definitions, ``del``/``global``, a walrus or
``yield``, a value carried over from the previous iteration, a container read while the loop
fills it, a sync call with effects on shared objects, or a shared attribute assigned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from asynclint.facts.dependence import callee_words, paths_read
from asynclint.knowledge.concurrency import COLLECTING_METHODS
from asynclint.knowledge.names import is_logging_call, is_pure_call
from asynclint.syntax.nodes import OTHER_CODE, bound_names, dotted_name, iter_children

_STOPS = (cst.Break, cst.Return, cst.Del, cst.Global, cst.Nonlocal, cst.Import, cst.ImportFrom)
_UNSUPPORTED = (cst.For, cst.While, cst.FunctionDef, cst.ClassDef, cst.Match)


class NotUnderstood(Exception):
    """The body holds something the reader does not judge."""


@dataclass
class Iteration:
    """What one iteration of a loop does, once every statement of it is understood."""

    awaits: list[cst.Call] = field(default_factory=list)
    # Names that stand for this iteration's item: the loop's own and those made from them.
    derived: set[str] = field(default_factory=set)
    # Names the body binds (whether or not made from the item).
    bound: set[str] = field(default_factory=set)
    # Paths of objects outside the loop that the body puts results into.
    collectors: set[str] = field(default_factory=set)
    # ``with``/``async with`` items of the body, and whether each is entered with ``async``.
    entered: list[tuple[cst.WithItem, bool]] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)


def read_iteration(body: cst.BaseSuite, loop_names: set[str]) -> Iteration | None:
    """The iteration of a loop whose body is ``body`` and binds ``loop_names``, or None."""
    reader = _Reader(loop_names, bound_names(body))
    try:
        reader.block(body, in_handler=False)
    except NotUnderstood:
        return None
    found = reader.found
    for path in found.reads:
        if any(path == c or path.startswith(c + ".") for c in found.collectors):
            return None  # the loop reads what it fills: ``if key not in seen``
    return found


class _Reader:
    def __init__(self, loop_names: set[str], bound: set[str]) -> None:
        self.found = Iteration(derived=set(loop_names))
        self.loop_names = loop_names
        self.every_bound = bound  # every name the body binds, wherever
        # An iteration that puts something into a shared container and then awaits would
        # interleave its entries with the other items' (``parts.append(header)``, then
        # ``parts.append(await body())``).
        self.collected = False
        self.defined: set[str] = set()  # names bound so far in this pass of the body

    # --- statements -------------------------------------------------------------------
    def block(self, suite: cst.BaseSuite, in_handler: bool) -> None:
        body = suite.body
        if isinstance(suite, cst.SimpleStatementSuite):
            for small in body:
                self.small(small, in_handler)
            return
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.small(small, in_handler)
            else:
                self.compound(statement, in_handler)

    def compound(self, statement: cst.BaseStatement, in_handler: bool) -> None:
        if isinstance(statement, cst.If):
            self.expression(statement.test)
            orelse = statement.orelse
            blocks = [statement.body]
            if isinstance(orelse, cst.Else):
                blocks.append(orelse.body)
            elif isinstance(orelse, cst.If):  # ``elif``: an ``else`` holding an ``if``
                blocks.append(cst.IndentedBlock(body=[orelse]))
            self.branches(blocks, in_handler)
        elif isinstance(statement, cst.Try):
            self.try_(statement, in_handler)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                self.expression(item.item)
                self.found.entered.append((item, statement.asynchronous is not None))
                if item.asname is not None:
                    self.bind(item.asname.name, item.item)
            self.block(statement.body, in_handler)
        else:
            raise NotUnderstood

    def branches(self, blocks: list[cst.BaseSuite], in_handler: bool) -> None:
        """Blocks of which one runs: a name they bind counts as bound after them only when
        every block that carries on binds it."""
        before = set(self.defined)
        carried_on: list[set[str]] = []
        for block in blocks:
            self.defined = set(before)
            self.block(block, in_handler)
            if not _leaves(block):
                carried_on.append(self.defined)
        if len(blocks) == 1 or not carried_on:
            carried_on.append(before)
        self.defined = set.intersection(*carried_on) if carried_on else before

    def try_(self, statement: cst.Try, in_handler: bool) -> None:
        handlers = []
        for handler in statement.handlers:
            if handler.type is not None:
                self.expression(handler.type)
            handlers.append(handler.body)
        before = set(self.defined)
        self.block(statement.body, in_handler)
        if statement.orelse is not None:
            self.block(statement.orelse.body, in_handler)
        after_body = set(self.defined)
        carried_on = [after_body]
        for handler, block in zip(statement.handlers, handlers, strict=True):
            self.defined = set(before)
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                self.defined.add(handler.name.name.value)
                self.found.bound.add(handler.name.name.value)
            self.block(block, in_handler=True)
            if not _leaves(block):
                carried_on.append(self.defined)
        self.defined = set.intersection(*carried_on)
        if statement.finalbody is not None:
            self.block(statement.finalbody.body, in_handler)

    def small(self, small: cst.BaseSmallStatement, in_handler: bool) -> None:
        if isinstance(small, (cst.Pass, cst.Continue)) or (
            in_handler and isinstance(small, (cst.Import, cst.ImportFrom))
        ):
            return
        if isinstance(small, cst.Raise):
            if not in_handler:
                raise NotUnderstood  # the first bad item stops the rest
            for part in (small.exc, small.cause):
                if part is not None:
                    self.expression(part.item if isinstance(part, cst.From) else part)
            return
        if isinstance(small, _STOPS):
            raise NotUnderstood
        if isinstance(small, cst.Expr):
            self.statement_expression(small.value, in_handler)
        elif isinstance(small, cst.Assign):
            self.expression(small.value)
            for target in small.targets:
                self.store(target.target, small.value, augmented=False)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.expression(small.value)
            self.store(small.target, small.value, augmented=False)
        elif isinstance(small, cst.AugAssign):
            self.expression(small.value)
            self.store(small.target, small.value, augmented=True)
        else:
            raise NotUnderstood

    def statement_expression(self, value: cst.BaseExpression, in_handler: bool) -> None:
        """An expression standing as a statement: an await, logging, a result collected, a
        call on the item, or a call that computes and changes nothing; in an ``except``
        handler, any call that does not wait (``traceback.print_exc()``: reporting the
        failure of this item)."""
        if isinstance(value, cst.Await) or isinstance(value, cst.SimpleString):
            self.expression(value)
            return
        if not isinstance(value, cst.Call):
            raise NotUnderstood
        receiver, method = callee_words(value.func)
        if is_logging_call(receiver, method or ""):
            self.expression(value)
            return
        if isinstance(value.func, cst.Attribute) and method in COLLECTING_METHODS and value.args:
            for argument in value.args:
                self.expression(argument.value)
            self.collect_into(value.func.value)  # or a container of this iteration
            return
        if receiver not in (None, "?") and self.is_derived(receiver):
            self.expression(value)  # ``device.refresh()``: changes this item only
            return
        if (is_pure_call(method) and receiver is None) or in_handler:
            self.expression(value)
            return
        raise NotUnderstood

    def store(self, target: cst.BaseExpression, value: cst.BaseExpression, augmented: bool) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            if augmented:
                raise NotUnderstood
            for element in target.elements:
                self.store(element.value, value, augmented)
            return
        if isinstance(target, cst.StarredElement):
            self.store(target.value, value, augmented)
            return
        if isinstance(target, cst.Name):
            if augmented and target.value not in self.defined:
                self.collect_into(target)  # ``total += await count(x)``
                return
            if augmented:
                self.expression(target)
            self.bind(target, value)
            return
        if isinstance(target, cst.Subscript):
            self.expression(target.slice[0].slice if target.slice else target)
            if not self.collect_into(target.value):
                self.expression(target.value)
            return
        if isinstance(target, cst.Attribute):
            path = dotted_name(target)
            if path is None or not self.is_derived(path):
                if not (augmented and path is not None and self.collect_into(target)):
                    raise NotUnderstood  # ``self.last = await f(x)``: only the last stays
            return
        raise NotUnderstood

    # --- names ------------------------------------------------------------------------
    def bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Name):
            raise NotUnderstood
        name = target.value
        if name in self.loop_names:
            raise NotUnderstood  # rebinding the item
        self.defined.add(name)
        self.found.bound.add(name)
        read = {p.split(".", 1)[0] for p in paths_read(value)}
        if read & self.found.derived:
            self.found.derived.add(name)

    def collect_into(self, container: cst.BaseExpression) -> bool:
        """Record ``container`` as a collector when it is an object from outside the loop
        (``results``, ``self.cache``); False for one of this iteration (its item, a local)."""
        path = dotted_name(container) if isinstance(container, (cst.Name, cst.Attribute)) else None
        if path is None:
            raise NotUnderstood
        head = path.split(".", 1)[0]
        if head in self.found.derived or head in self.defined:
            return False
        if head in self.every_bound:
            raise NotUnderstood  # a name the body binds later: the previous iteration's
        self.found.collectors.add(path)
        self.collected = True
        return True

    def is_derived(self, path: str) -> bool:
        return path.split(".", 1)[0] in self.found.derived

    # --- expressions --------------------------------------------------------------------
    def expression(self, node: cst.BaseExpression) -> None:
        """Record what ``node`` reads and awaits; a name read before this pass binds it is a
        value carried over from the previous iteration."""
        stack: list[cst.CSTNode] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.NamedExpr, cst.Yield)):
                raise NotUnderstood
            if isinstance(current, OTHER_CODE):
                continue
            if isinstance(current, cst.Await):
                if self.collected or not isinstance(current.expression, cst.Call):
                    raise NotUnderstood  # ``await task``: what it waits for is not known
                self.found.awaits.append(current.expression)
            if isinstance(current, (cst.Name, cst.Attribute)):
                path = dotted_name(current)
                if path is not None:
                    self.read(path)
                    if isinstance(current, cst.Name):
                        continue
            stack.extend(iter_children(current))

    def read(self, path: str) -> None:
        head = path.split(".", 1)[0]
        if head in self.every_bound and head not in self.defined:
            raise NotUnderstood
        self.found.reads.add(path)


def _leaves(block: cst.BaseSuite) -> bool:
    """The block ends with ``continue`` or ``raise``: nothing it binds is used after it."""
    statements = block.body
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    return isinstance(last, (cst.Continue, cst.Raise))
