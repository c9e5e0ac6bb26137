"""What a function does to state outside its locals, and whether it ever lets other tasks run.

``call_effects`` puts the summaries (``asynclint.index.writes``) together for the AL4xx rules:
a callee that changes its receiver's attributes or module globals makes calls on one receiver
ordered, and a coroutine function that never suspends gains nothing from running beside others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from asynclint.index.writes import GLOBAL
from asynclint.knowledge.kinds import COROUTINE

if TYPE_CHECKING:
    from asynclint.index.model import FunctionFact
    from asynclint.index.query import ProjectIndex

# How many levels of ``self.m()`` and project function calls ``call_effects`` follows.
_DEPTH = 3


@dataclass(frozen=True)
class Effects:
    """What calling a function the index can read does, beyond its result."""

    # False when it is a coroutine function whose body never suspends.
    suspends: bool
    # Whether its own body sleeps: it paces itself (a rate limit, a retry with a delay).
    paces: bool
    # The ``self.<attr>`` and ``global:<name>`` it (or a method it calls on ``self``, or a
    # project function it calls) changes.
    writes: frozenset[str]
    # True for the merged effects of every project method of one name (``x.m()`` with ``x``
    # unknown): a guess, good for what the callee may change, not for how it runs.
    by_name: bool = False


def call_effects(index: ProjectIndex, qualified: str) -> Effects | None:
    """The effects of calling ``qualified``, or None when the index cannot read its body."""
    found = index.find(qualified)
    if found is None or found.what != "function" or found.function is None:
        return None
    fact = found.function
    if fact.placeholder:
        return None  # a stub or an abstract method: an override does the work
    suspends = fact.suspends or index.function_kind(fact) != COROUTINE
    writes = _writes(index, found.qualified, fact, _DEPTH, {found.qualified})
    return Effects(suspends, fact.paces, frozenset(writes))


def _writes(
    index: ProjectIndex, qualified: str, fact: FunctionFact, depth: int, seen: set[str]
) -> set[str]:
    """The writes of ``fact`` and, ``depth`` levels down, of the functions it calls that the
    index can read: all of a method it calls on ``self`` (recorded as a method of its own
    class), only the globals of any other."""
    found = set(fact.writes)
    if depth == 0:
        return found
    owner = qualified.rsplit(".", 1)[0]
    for callee in fact.calls:
        if callee in seen:
            continue
        seen.add(callee)
        inner = index.find(callee)
        if inner is None or inner.function is None or inner.what != "function":
            continue
        writes = _writes(index, inner.qualified, inner.function, depth - 1, seen)
        if callee.rsplit(".", 1)[0] != owner:
            writes = {w for w in writes if w.startswith(GLOBAL)}
        found |= writes
    return found


def named_method_effects(index: ProjectIndex, method: str) -> Effects | None:
    """For ``x.m()`` where nothing tells what ``x`` is: the effects of every method ``m`` of
    the project's classes, merged so that one that suspends, paces or changes state counts;
    None when no project class defines ``m``."""
    found = [
        effects
        for qualified in index.answer("methods-by-name", method)
        if (effects := index.call_effects(qualified)) is not None
    ]
    if not found:
        return None
    return Effects(
        any(e.suspends for e in found),
        any(e.paces for e in found),
        frozenset().union(*(e.writes for e in found)),
        by_name=True,
    )
