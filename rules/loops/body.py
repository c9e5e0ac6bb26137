"""AL402's reading of a loop body: the one awaited call, and what the body does around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from asynclint.facts.dependence import callee_words, depends, paths_read
from asynclint.knowledge.names import is_logging_call
from asynclint.rules.loops.calls import awaited_call, has_own, is_pure, names
from asynclint.syntax.nodes import dotted_name

# Methods that put a result into a container.
_COLLECTING_METHODS = frozenset({"append", "add", "extend", "update"})


@dataclass
class Body:
    """What a loop body does, when every statement of it is understood."""

    call: cst.Call
    # Containers the body puts results into (``results``, ``self.cache``, ``item.profile``).
    containers: set[str] = field(default_factory=set)
    # The name the awaited result is bound to (``r = await f(x)``), if any.
    result_name: str | None = None
    # ``results.append(await f(x))`` / ``r = await f(x); results.append(r)``: the list.
    appended_to: str | None = None
    statements: int = 0


def small_statements(block: cst.BaseSuite) -> list[cst.CSTNode] | None:
    """The body's statements, simple ones flattened; None if it holds anything unusual."""
    if isinstance(block, cst.SimpleStatementSuite):
        return list(block.body)
    statements: list[cst.CSTNode] = []
    for statement in block.body:
        if isinstance(statement, cst.SimpleStatementLine):
            statements.extend(statement.body)
        elif isinstance(statement, cst.If):
            statements.append(statement)
        else:
            return None
    return statements


def assigned_names(statements: Sequence[cst.CSTNode]) -> set[str]:
    """The plain names the statements assign (``x = ...``)."""
    found: set[str] = set()
    for statement in statements:
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                if isinstance(target.target, cst.Name):
                    found.add(target.target.value)
    return found


def binding_order_ok(statements: Sequence[cst.CSTNode]) -> bool:
    """No statement reads a name the body binds only later (a value carried over from the
    previous iteration: ``prev = await f(prev)``, ``url = page.next; page = await get(url)``)."""
    assigned = assigned_names(statements)
    bound: set[str] = set()
    for statement in statements:
        if isinstance(statement, cst.Assign):
            read = names(paths_read(statement.value))
            for target in statement.targets:
                if not isinstance(target.target, cst.Name):
                    read |= names(paths_read(target.target))
        else:
            read = names(paths_read(statement))
        if (read & assigned) - bound:
            return False
        if isinstance(statement, cst.Assign):
            bound |= assigned_names([statement])
    return True


def analyse_body(statements: Sequence[cst.CSTNode], loop_names: set[str]) -> Body | None:
    """The awaited call of a loop body whose iterations do not depend on each other."""
    reader = BodyReader(statements, loop_names)
    if reader.assigned & loop_names:
        return None
    if not all(reader.understood(statement, False) for statement in statements):
        return None
    return reader.result(len(statements))


class BodyReader:
    """Reads a loop body statement by statement, collecting its awaited call, the containers
    it fills and what it reads; a statement it does not understand makes the loop silent."""

    def __init__(self, statements: Sequence[cst.CSTNode], loop_names: set[str]) -> None:
        self.loop_names = loop_names
        self.assigned = assigned_names(statements)
        self.containers: set[str] = set()
        self.item_containers: set[str] = set()  # attributes or items of the loop's own item
        self.call: cst.Call | None = None
        self.result_name: str | None = None
        self.appended_to: str | None = None
        self.reads: list[set[str]] = []  # what statements read, checked once containers are known

    def result(self, statements: int) -> Body | None:
        """The body, once every statement is read, if its iterations are independent."""
        call = self.call
        if call is None:
            return None
        call_reads = paths_read(call)
        if depends(call_reads, self.containers):
            return None
        for path in call_reads:
            if any(path == c or path.startswith(c + ".") for c in self.item_containers):
                return None
        if any(depends(r, self.containers) for r in self.reads):
            return None
        containers = self.containers | self.item_containers
        return Body(call, containers, self.result_name, self.appended_to, statements)

    def understood(self, statement: cst.CSTNode, branch: bool) -> bool:
        """``statement`` is one a loop of independent iterations may hold; in a branch of an
        ``if`` it may neither await nor bind a name (a conditional binding may carry a value
        over to the next iteration)."""
        if isinstance(statement, cst.Pass) or (branch and isinstance(statement, cst.Continue)):
            return True
        if isinstance(statement, cst.If) and not branch:
            return self._if(statement)
        if isinstance(statement, cst.Expr):
            return self._expression(statement.value, branch)
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            return self._assign(statement.targets[0].target, statement.value, branch)
        return False

    def _value_slot(self, value: cst.BaseExpression, branch: bool) -> bool:
        """The awaited call of the body (not in a branch), or a pure value."""
        awaited = awaited_call(value)
        if awaited is not None:
            if self.call is not None or branch:
                return False
            self.call = awaited
            return True
        if not is_pure(value):
            return False
        self.reads.append(paths_read(value))
        return True

    def _container(self, node: cst.BaseExpression) -> str | None:
        """The path of a container the body stores into, or None if storing there could
        carry a value from one iteration to the next."""
        path = dotted_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        if path is None:
            return None
        head = path.split(".", 1)[0]
        if head in self.loop_names:
            if path == head:
                return None  # rebinding the item itself
            self.item_containers.add(path)
        elif head in self.assigned:
            return None
        else:
            self.containers.add(path)
        return path

    def _if(self, statement: cst.If) -> bool:
        if not is_pure(statement.test):
            return False
        self.reads.append(paths_read(statement.test))
        branches = [statement.body]
        if isinstance(statement.orelse, cst.Else):
            branches.append(statement.orelse.body)
        elif statement.orelse is not None:
            return False
        for block in branches:
            inner = small_statements(block)
            if inner is None or not all(self.understood(s, True) for s in inner):
                return False
        return True

    def _expression(self, value: cst.BaseExpression, branch: bool) -> bool:
        if awaited_call(value) is not None:
            return self._value_slot(value, branch)
        if not isinstance(value, cst.Call):
            return False
        receiver, method = callee_words(value.func)
        if is_logging_call(receiver, method or ""):
            return not any(has_own(a.value, cst.Await) for a in value.args)
        return self._collect(value, branch)

    def _collect(self, value: cst.Call, branch: bool) -> bool:
        """``results.append(...)``, ``seen.add(...)``: a result put into a container."""
        func = value.func
        if (
            not isinstance(func, cst.Attribute)
            or func.attr.value not in _COLLECTING_METHODS
            or len(value.args) != 1
            or value.args[0].keyword is not None
            or value.args[0].star
        ):
            return False
        path = self._container(func.value)
        argument = value.args[0].value
        if path is None or not self._value_slot(argument, branch):
            return False
        if func.attr.value == "append" and not branch:
            if awaited_call(argument) is not None or (
                isinstance(argument, cst.Name) and argument.value == self.result_name
            ):
                self.appended_to = path
        return True

    def _assign(
        self, target: cst.BaseAssignTargetExpression, value: cst.BaseExpression, branch: bool
    ) -> bool:
        if isinstance(target, cst.Name):
            if branch or not self._value_slot(value, branch):
                return False
            if awaited_call(value) is not None:
                self.result_name = target.value
            return True
        if isinstance(target, cst.Subscript):
            if self._container(target.value) is None or not is_pure(target):
                return False
            self.reads.append(paths_read(target.slice[0]) if target.slice else set())
            return self._value_slot(value, branch)
        if isinstance(target, cst.Attribute):
            return self._container(target) is not None and self._value_slot(value, branch)
        return False
