"""The runs of one block: statements, one after another, each awaiting one call, that share
nothing and do not read what another binds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from asynclint.facts.concurrency import SharedUse
from asynclint.facts.dependence import callee_words, depends, paths_read, target_paths
from asynclint.knowledge.concurrency import COLLECTING_METHODS, is_lifecycle_name
from asynclint.knowledge.names import is_logging_call, is_plain_builtin
from asynclint.syntax.nodes import dotted_name, own_nodes


@dataclass
class Await:
    """One statement of a block that awaits one call: ``x = await f()``, ``await f()``,
    ``items.append(await f())``, ``x = parse(await f())``."""

    line: cst.SimpleStatementLine
    small: cst.BaseSmallStatement
    call: cst.Call
    bound: set[str]  # paths the statement binds or fills
    read: set[str]  # paths the statement reads (its targets left out)
    direct: bool  # the awaited call is the whole value (``x = await f()``, ``await f()``)
    use: SharedUse | None = None
    shares: set[str] | None = None  # what it may share: receiver, objects (see ``_shares``)
    gap_before: bool = False  # other statements stand between it and the previous one


@dataclass
class Run:
    members: list[Await] = field(default_factory=list)


class BlockReader:
    """Reads one block's statements in order and splits them into runs. ``judge`` tells how a
    call uses what others may use too (None: the call cannot join a run); ``origins`` what
    each name of the function was made from."""

    def __init__(
        self,
        code: Callable[[cst.CSTNode], str],
        judge: Callable[[cst.Call], SharedUse | None],
        origins: Callable[[], dict[str, frozenset[str]]],
    ) -> None:
        self.code = code
        self.judge = judge
        self._origins = origins

    def runs(self, block: cst.IndentedBlock) -> list[Run]:
        """The runs of two or more independent awaits in ``block``."""
        candidates = {id(s): a for s in block.body if (a := awaited(s)) is not None}
        if sum(1 for a in candidates.values() if _may_join(a)) < 2:
            return []  # most blocks: nothing to pair, and nothing to ask the index
        runs: list[Run] = []
        run = Run()
        gap = False
        for statement in block.body:
            found = candidates.get(id(statement))
            if found is not None and not self._joins(found):
                found = None
                runs.append(run)
                run = Run()
                gap = False
                continue
            if found is not None and self._repeats(found, run):
                run = Run(members=[found])  # ``before = await snapshot()`` ... the same again
            elif found is not None and run.members and self._independent(found, run):
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

    def _joins(self, found: Await) -> bool:
        """Whether the call may run beside others at all: a known coroutine that suspends,
        paces nothing, moves no object through its life, shares nothing that serialises and
        changes no module state."""
        if not _may_join(found):
            return False
        use = self.judge(found.call)
        if use is None or use.pacing or use.serial or use.changes_shared or not use.suspends:
            return False
        found.use = use
        return True

    def _shares(self, found: Await) -> set[str]:
        """What the call may share with others: its receiver (``self.api`` for
        ``self.api.devices.list()``), the objects handed to it, and what they were made from."""
        if found.shares is None:
            use = found.use
            assert use is not None
            shares = set(use.receiver - {"self", "cls"}) | set(use.objects)
            receiver = _receiver_path(found.call)
            if receiver is not None and receiver.split(".", 1)[0] in ("self", "cls"):
                shares.add(".".join(receiver.split(".")[:2]))
            origins = self._origins()
            for name in list(shares):
                shares |= origins.get(name, frozenset())
            found.shares = shares
        return found.shares

    def _repeats(self, found: Await, run: Run) -> bool:
        """The call of an earlier statement again: the run is measured or polled between the
        two (``before = await count(); await act(); after = await count()``), not a fan-out."""
        return any(self.code(found.call) == self.code(m.call) for m in run.members)

    def _independent(self, found: Await, run: Run) -> bool:
        for member in run.members:
            if depends(found.read, member.bound) or depends(member.read, found.bound):
                return False
            if found.bound & member.bound:
                return False
            if self._shares(found) & self._shares(member):
                return False  # one receiver, one object handed to both, or made from one
        return True


def _may_join(found: Await) -> bool:
    """What the syntax alone tells: the result is kept (a call made for its effect is not a
    fan-out) and the callee does not move an object through its life (``connect``)."""
    _, name = callee_words(found.call.func)
    return bool(found.bound) and not is_lifecycle_name(name)


def _receiver_path(call: cst.Call) -> str | None:
    func = call.func
    return dotted_name(func.value) if isinstance(func, cst.Attribute) else None


def awaited(statement: cst.BaseStatement) -> Await | None:
    """The statement as one that awaits one call of its own line, or None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    bound: set[str] = set()
    if isinstance(small, cst.Expr):
        value = small.value
        bound |= _filled(value)
        if not bound and not isinstance(value, cst.Await):
            return None  # ``process(await f())``: the outer call may do anything
    elif isinstance(small, cst.Assign):
        value = small.value
        for target in small.targets:
            bound |= target_paths(target.target)
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and small.value is not None:
        value = small.value
        bound |= target_paths(small.target)
    else:
        return None
    found = _lone_await(value)
    if found is None:
        return None
    read = paths_read(value)
    if isinstance(small, cst.AugAssign):
        read |= paths_read(small.target)
    assert isinstance(found.expression, cst.Call)
    return Await(statement, small, found.expression, bound, read, value is found)


def _lone_await(value: cst.BaseExpression) -> cst.Await | None:
    """The one ``await`` of a call that ``value`` holds, with no walrus or ``yield``."""
    found: cst.Await | None = None
    for node in (value, *own_nodes(value)):
        if isinstance(node, cst.Await):
            if found is not None or not isinstance(node.expression, cst.Call):
                return None
            found = node
        elif isinstance(node, (cst.NamedExpr, cst.Yield)):
            return None
    return found


def _filled(value: cst.BaseExpression) -> set[str]:
    """``results.append(await f())``: the container it puts the result into."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        if value.func.attr.value in COLLECTING_METHODS:
            path = dotted_name(value.func.value)
            return {path} if path else {"*"}
    return set()


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
