"""The runs of one block: consecutive awaited reads that do not depend on each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from asynclint.facts.dependence import callee_words, depends, paths_read, target_paths
from asynclint.knowledge.names import (
    is_consuming_method,
    is_logging_call,
    is_ordered_receiver,
    is_plain_builtin,
    is_read_like,
)
from asynclint.syntax.nodes import own_nodes


@dataclass
class Await:
    """One ``x = await call(...)`` / ``await call(...)`` statement of a block."""

    line: cst.SimpleStatementLine
    small: cst.BaseSmallStatement
    call: cst.Call
    receiver: str | None
    bound: set[str]
    read: set[str]
    gap_before: bool = False  # other statements stand between it and the previous one


@dataclass
class Run:
    members: list[Await] = field(default_factory=list)


class BlockReader:
    """Reads one block's statements in order and splits them into runs."""

    def __init__(self, code: Callable[[cst.CSTNode], str]) -> None:
        self.code = code
        # What each name was made from: ``resp = await client.get()`` ties ``resp`` to
        # ``client`` (a response holds its client's connection until it is read).
        self.origins: dict[str, str] = {}

    def runs(self, block: cst.IndentedBlock) -> list[Run]:
        """The runs of two or more independent awaits in ``block``."""
        runs: list[Run] = []
        run = Run()
        gap = False
        for statement in block.body:
            self._record_origins(statement)
            found = awaited(statement)
            if found is not None and run.members and self._independent(found, run):
                found.gap_before = gap
                run.members.append(found)
            elif found is not None:
                runs.append(run)
                run = Run(members=[found])
            elif run.members and neutral(statement, run):
                gap = True
                continue
            else:
                runs.append(run)
                run = Run()
            gap = False
        runs.append(run)
        return [finished for finished in runs if len(finished.members) > 1]

    def _record_origins(self, statement: cst.BaseStatement) -> None:
        if not isinstance(statement, cst.SimpleStatementLine):
            return
        for small in statement.body:
            if not isinstance(small, (cst.Assign, cst.AnnAssign)) or small.value is None:
                continue
            value = small.value.expression if isinstance(small.value, cst.Await) else small.value
            if not isinstance(value, cst.Call):
                continue
            receiver, _name = callee_words(value.func)
            if receiver in (None, "?"):
                continue
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            for target in targets:
                if isinstance(target, cst.Name):
                    self.origins[target.value] = self._root(receiver)

    def _root(self, receiver: str) -> str:
        """The first name of a receiver path, followed back to what it was made from."""
        root = receiver.split(".", 1)[0]
        seen = set()
        while root in self.origins and root not in seen:
            seen.add(root)
            root = self.origins[root]
        return root

    def _independent(self, found: Await, run: Run) -> bool:
        for member in run.members:
            if depends(found.read, member.bound) or (found.bound & member.bound):
                return False
            if found.receiver is not None and member.receiver is not None:
                if self._root(found.receiver) == self._root(member.receiver):
                    return False  # one receiver, or objects made from it: ordered
            if self.code(found.call) == self.code(member.call):
                return False  # the same call again: a poll or a retry, not a fan-out
        return True


def awaited(statement: cst.BaseStatement) -> Await | None:
    """The statement as an awaited read of its own line, or None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    bound: set[str] = set()
    if isinstance(small, cst.Expr):
        value = small.value
    elif isinstance(small, cst.Assign):
        value = small.value
        for target in small.targets:
            bound |= target_paths(target.target)
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and small.value is not None:
        value = small.value
        bound |= target_paths(small.target)
    else:
        return None
    if not isinstance(value, cst.Await) or not isinstance(value.expression, cst.Call):
        return None
    call = value.expression
    if any(isinstance(n, cst.Await) for n in own_nodes(call)):
        return None
    receiver, name = callee_words(call.func)
    if (
        receiver == "?"
        or not is_read_like(name)
        or is_ordered_receiver(receiver)
        or (receiver is not None and is_consuming_method(name))
    ):
        return None
    return Await(statement, small, call, receiver, bound, paths_read(call))


def neutral(statement: cst.BaseStatement, run: Run) -> bool:
    """A statement between awaits that does not touch their results: logging, or plain
    values computed without calls and awaits."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    bound_so_far = {p for m in run.members for p in m.bound}
    for small in statement.body:
        if isinstance(small, cst.Pass):
            continue
        if depends(paths_read(small), bound_so_far):
            return False
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            receiver, name = callee_words(small.value.func)
            if not is_logging_call(receiver, name or ""):
                return False
            if any(isinstance(n, cst.Await) for n in own_nodes(small)):
                return False
        elif not isinstance(small, (cst.Assign, cst.AnnAssign)) or not _plain(small):
            return False
    return True


def _plain(node: cst.CSTNode) -> bool:
    for inner in own_nodes(node):
        if isinstance(inner, (cst.Await, cst.Yield, cst.NamedExpr)):
            return False
        if isinstance(inner, cst.Call):
            if not (isinstance(inner.func, cst.Name) and is_plain_builtin(inner.func.value)):
                return False
    return True
