"""Whether a call blocks the event loop, and through which of the project's sync helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.arguments import call_arguments, made_by_calls
from asynclint.facts.resolution import QUALIFIED_NAME, VALUE
from asynclint.index import Instance
from asynclint.knowledge.arguments import Arguments
from asynclint.knowledge.blocking import Family

if TYPE_CHECKING:
    from asynclint.engine import Context


@dataclass(frozen=True)
class BlockingCall:
    qualified: str  # the blocking call itself (at the end of the chain)
    family: Family
    chain: tuple[str, ...] = ()  # project sync helpers leading to it, outermost first

    def chain_text(self) -> str:
        """``load_config() -> read_file() -> open()``."""
        names = [*self.chain, self.qualified]
        return " -> ".join(f"{name.rsplit('.', 1)[-1]}()" for name in names)


@fact("blocking-call", uses_index=True, uses=(QUALIFIED_NAME, VALUE))
def BLOCKING_CALL(context: Context, node: cst.Call) -> BlockingCall | None:
    """The blocking call that ``node`` makes on the event loop (it stands in an ``async def``
    body), directly or through the project's sync helpers, or None."""
    if not context.in_async_function:
        return None
    catalogue = context.blocking
    candidates = []
    qualified = context.answer(QUALIFIED_NAME, node.func)
    if qualified is not None:
        candidates.append(qualified)
    if isinstance(node.func, cst.Attribute):
        receiver = context.answer(VALUE, node.func.value)
        if isinstance(receiver, Instance):
            opened = _binary_file(context, node.func.value, receiver.type)
            if opened is not None:  # ``open(path, "rb")`` gives an ``io.BufferedReader``
                candidates.append(f"{opened}.{node.func.attr.value}")
            candidates.append(f"{receiver.type}.{node.func.attr.value}")
        elif isinstance(receiver, str):
            made = _module_instance(context, receiver)  # ``from app.net import pool``
            method = f"{made}.{node.func.attr.value}"
            # how another module made the object is not known here: a call that blocks or not
            # by that (``put`` on a queue made with or without ``maxsize``) is left alone
            if made is not None and not any(c.receiver for c in catalogue.conditions_for(method)):
                candidates.append(method)
            elif made is None and qualified is None:
                candidates.append(f"{receiver}.{node.func.attr.value}")
    for candidate in candidates:
        if catalogue.family_of(candidate) is not None:
            if candidate.endswith(_FUTURE_WAITS) and _known_finished(context, node.func):
                return None
            family = catalogue.blocks(candidate, _arguments(context, node, candidate))
            return None if family is None else BlockingCall(candidate, family)
    if context.index is None:
        return None
    for candidate in candidates:  # a sync helper of the project that blocks, a few calls down
        chain = context.index.blocking_chain(candidate, catalogue.family_of)
        if chain:
            family = catalogue.family_of(chain[-1])
            if family is not None:
                return BlockingCall(chain[-1], family, tuple(chain[:-1]))
    return None


# A future's methods that wait for it to finish, and what the code around them may do to know
# that it has: register a done callback (which the code then waits for, as anyio's
# ``BlockingPortal`` waits for the event its callback sets), ask ``done()``, await it wrapped.
_FUTURE_WAITS = ("Future.result", "Future.exception")
_FINISHED_BY = frozenset({"add_done_callback", "done", "wrap_future", "wait"})


def _known_finished(context: Context, func: cst.BaseExpression) -> bool:
    """Whether the function around ``future.result()`` shows the future finished first: it
    calls ``future.add_done_callback(...)`` or ``future.done()``, or passes ``future`` to
    ``asyncio.wrap_future``/``concurrent.futures.wait``. Unsure then: stay silent."""
    receiver = func.value if isinstance(func, cst.Attribute) else None
    function = context.scope.node
    if not isinstance(receiver, cst.Name) or not isinstance(function, cst.FunctionDef):
        return False
    name = receiver.value
    pending: list[cst.CSTNode] = [function.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Call):
            callee = node.func
            if (
                isinstance(callee, cst.Attribute)
                and isinstance(callee.value, cst.Name)
                and callee.value.value == name
                and callee.attr.value in _FINISHED_BY
            ):
                return True
            method = callee.attr.value if isinstance(callee, cst.Attribute) else None
            method = callee.value if isinstance(callee, cst.Name) else method
            if method in _FINISHED_BY and any(
                isinstance(n, cst.Name) and n.value == name
                for a in node.args
                for n in _names(a.value)
            ):
                return True
        pending.extend(node.children)
    return False


def _names(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node`` and the elements of a list, tuple or set display of it."""
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return [e.value for e in node.elements]
    return [node]


def _arguments(context: Context, node: cst.Call, candidate: str) -> Arguments:
    """What the catalogue's conditions for ``candidate`` need to know of the call's arguments
    (nothing when it has none)."""
    catalogue = context.blocking
    conditions = catalogue.conditions_for(candidate)
    if not conditions:
        return Arguments()
    receiver_class = None
    if any(condition.receiver for condition in conditions):
        receiver_class = catalogue.class_of_constructor(candidate.rpartition(".")[0])
    return call_arguments(context, node, receiver_class)


def _module_instance(context: Context, qualified: str) -> str | None:
    """The class of the module-level object another module of the project defines as
    ``qualified`` (``pool = urllib3.PoolManager()``), if the index knows it."""
    if context.index is None or not context.index.is_project_name(qualified):
        return None
    found = context.index.find(qualified)
    return found.type if found is not None and found.what == "instance" else None


def _binary_file(context: Context, receiver: cst.BaseExpression, klass: str) -> str | None:
    """The binary file class of a ``klass`` object (what ``open()`` gives in text mode) that
    every call that made ``receiver`` opened in binary mode, the same."""
    catalogue = context.blocking
    if not any(catalogue.class_of_constructor(o) == klass for o in catalogue.binary_mode):
        return None
    found = set()
    for call in made_by_calls(context, receiver) or ():
        opener = context.answer(VALUE, call.func)
        if not isinstance(opener, str):
            return None
        found.add(catalogue.binary_file_class(opener, call_arguments(context, call, None)))
    return found.pop() if len(found) == 1 else None
