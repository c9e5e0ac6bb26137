"""The cancellations code requests before a ``try`` (or ``with suppress(...)``): the
``.cancel()`` calls earlier in its block and in its body, and what each one cancelled.

``task.cancel()`` then ``try: await task`` / ``except CancelledError: pass`` is the documented
way to wait for a task one has cancelled: the error caught is that task's. It says nothing of a
different object: after ``other.cancel()``, a ``CancelledError`` raised at ``await task`` or at
``await queue.get()`` is still the current task's own, and swallowing it is the bug.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from asynclint.edits import async_library
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE, Instance
from asynclint.knowledge.names import is_cancel_scope_name
from asynclint.knowledge.roles import (
    CANCEL_SCOPE_TYPES,
    CURRENT_TASK,
    SAME_ITEMS,
    SAME_ITEMS_METHODS,
    SCOPED_CANCELLATION,
)
from asynclint.rule import Rule
from asynclint.syntax.nodes import OTHER_CODE, iter_children, own_nodes, target_names

# Statements and expressions that bind their ``target``.
_BINDS_TARGET = (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)


@dataclass
class Requests:
    """What the ``.cancel()`` calls before a ``try`` (or in its body) cancelled."""

    # The current task may be among them: it is cancelled (``current_task().cancel()``), or
    # a cancel scope around the code is, or a receiver could not be told apart.
    own: bool = False
    # The tasks and futures cancelled, as keys (``task``, ``self._task``, ``tasks[]``); for
    # ``for t in tasks: t.cancel()`` also the container iterated (``tasks``).
    keys: set[str] = field(default_factory=set)

    def touches(self, key: str | None) -> bool:
        """Whether the object ``key`` names may be one cancelled, hold one, or belong to one
        (an expression with no key may be anything)."""
        return key is None or any(_related(key, cancelled) for cancelled in self.keys)


def cancel_requests(
    rule: Rule, node: cst.Try | cst.TryStar | cst.With, body: cst.BaseSuite
) -> Requests | None:
    """The cancellations requested before ``node`` (the node being visited) in its block, or
    in ``body``; None when there are none."""
    roots: list[cst.CSTNode] = []
    statements = getattr(rule.context.parent, "body", None)
    if isinstance(statements, Sequence):
        for statement in statements:
            if statement is node:
                break
            if not isinstance(statement, OTHER_CODE):  # a definition runs none of its body
                roots.append(statement)
    roots.append(body)
    found: Requests | None = None
    local: set[str] | None = None
    for root in roots:
        for call in _cancel_calls(root):
            found = found or Requests()
            if local is None:
                local = _locals(rule, roots)
            assert isinstance(call.func, cst.Attribute)
            receiver = call.func.value
            key = None if isinstance(receiver, cst.Call) else key_of(rule, receiver)
            if key is None or _may_be_own(rule, receiver, key, local):
                found.own = True  # ``asyncio.current_task().cancel()``, or not understood
                continue
            found.keys.add(key)
            if isinstance(receiver, cst.Name):
                found.keys.update(iterated_keys(rule, receiver.value, roots))
    return found


def key_of(rule: Rule, node: cst.BaseExpression) -> str | None:
    """``task``, ``self._task``, ``tasks[]`` (any item of ``tasks``), and the container that
    ``list(tasks)`` or ``tasks.values()`` iterates; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = key_of(rule, node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    if isinstance(node, cst.Subscript):
        base = key_of(rule, node.value)
        return f"{base}[]" if base is not None else None
    if isinstance(node, cst.Call) and len(node.args) <= 1:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in SAME_ITEMS_METHODS:
            return None if node.args else key_of(rule, func.value)
        if node.args and rule.ask(QUALIFIED_NAME, func) in SAME_ITEMS:
            return key_of(rule, node.args[0].value)
    return None


def iterated_keys(rule: Rule, name: str, roots: Sequence[cst.CSTNode]) -> set[str]:
    """The keys of the containers that a ``for`` (or comprehension) around the current node,
    or in ``roots``, iterates into ``name``."""
    loops = [n for n in rule.context.ancestors if isinstance(n, cst.For)]
    for root in roots:
        for inner in (root, *own_nodes(root)):
            if isinstance(inner, (cst.For, cst.CompFor)):
                loops.append(inner)
    keys = set()
    for loop in loops:
        assert isinstance(loop, (cst.For, cst.CompFor))
        if name in target_names(loop.target):
            key = key_of(rule, loop.iter)
            if key is not None:
                keys.add(key)
    return keys


def _cancel_calls(root: cst.CSTNode) -> Iterator[cst.Call]:
    """The ``something.cancel()`` calls in ``root``'s own code."""
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, OTHER_CODE):
            continue
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "cancel"
        ):
            yield node  # a task's, a future's, a cancel scope's, a timer handle's
        pending.extend(iter_children(node))


def _locals(rule: Rule, roots: Sequence[cst.CSTNode]) -> set[str]:
    """The names local to the function: bound so far, or bound in ``roots`` (the ``try`` body
    has not been walked yet)."""
    scope = rule.context.scope
    if scope.kind != "function":
        return set()
    found = set(scope.bindings)
    for root in roots:
        for inner in (root, *own_nodes(root)):
            if isinstance(inner, cst.Assign):
                for target in inner.targets:
                    found.update(target_names(target.target))
            elif isinstance(inner, _BINDS_TARGET):
                found.update(target_names(inner.target))
            elif isinstance(inner, cst.AsName):
                found.update(target_names(inner.name))
    return found


def _may_be_own(rule: Rule, receiver: cst.BaseExpression, key: str, local: set[str]) -> bool:
    """Whether cancelling ``receiver`` (of key ``key``) may cancel the current task: it is a
    name or attribute this function binds to the current task, a cancel scope (by its class
    or its name, or anything in trio or anyio code), or not one of this function's own names
    (a module's task, a closure's: code elsewhere may be what it runs)."""
    if async_library(rule.context.module_scope) in SCOPED_CANCELLATION:
        return True
    meaning = rule.ask(VALUE, receiver)
    if isinstance(meaning, Instance) and meaning.type in CANCEL_SCOPE_TYPES:
        return True
    if is_cancel_scope_name(key.removesuffix("[]")):
        return True
    if key.split(".", 1)[0].split("[", 1)[0] not in local:
        return True
    return _holds_current_task(rule, key)


def _holds_current_task(rule: Rule, key: str) -> bool:
    """Whether this function binds the name or attribute ``key`` to the current task
    (``task = asyncio.current_task()``, ``self._task = current_task()``, or with ``:=``)."""
    for inner in own_nodes(rule.context.scope.node):
        if not isinstance(inner, (cst.Assign, cst.NamedExpr)):
            continue
        value = inner.value
        if isinstance(value, cst.Call) and rule.ask(QUALIFIED_NAME, value.func) in CURRENT_TASK:
            if isinstance(inner, cst.Assign):
                targets = [t.target for t in inner.targets]
            else:
                targets = [inner.target]
            if any(key_of(rule, target) == key for target in targets):
                return True
    return False


def _related(a: str, b: str) -> bool:
    """Whether the keys ``a`` and ``b`` name the same object, or one holds the other."""
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return longer.startswith(shorter) and longer[len(shorter)] in ".["
