"""Queries about blocking and awaiting that the blocking-call checks ask of the index.

``blocking_chain`` follows the project's sync helpers down to a call of the blocking-call
catalogue; ``never_awaitable`` tells a call that surely gives nothing to await. Both are
methods of ``ProjectIndex``; they live here to keep the core queries short.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from asynclint.index.tables import (
    ANY_TYPES,
    AWAITABLE_ANNOTATIONS,
    MEMOISING_DECORATORS,
    PLAIN_TYPES,
)
from asynclint.knowledge.blocking import load_blocking_catalogue
from asynclint.knowledge.kinds import SYNC

if TYPE_CHECKING:
    from asynclint.index.model import FunctionFact
    from asynclint.index.query import ProjectIndex


def never_awaitable(index: ProjectIndex, qualified: str) -> bool:
    """Whether calling ``qualified`` surely gives something that cannot be awaited: a plain
    function that returns nothing or is annotated with a type that has no ``__await__``, a
    class whose instances have none, a call of the blocking-call catalogue, or one the library
    table lists as ``plain`` (C extensions, and sync methods whose source returns the result of
    another call). False when unsure (a sync function may well return a coroutine or a
    future)."""
    if _blocking_family(qualified) or index.library.never_awaitable(qualified):
        return True
    found = index.find(qualified)
    if found is None:
        return False
    if found.what == "class":
        return _not_awaitable(index.class_protocols(found.qualified))
    if found.what != "function":
        return False
    if _blocking_family(found.qualified) or index.library.never_awaitable(found.qualified):
        return True
    if found.function is None:
        return False
    fact = found.function
    listed = index.library.call_kind(found.qualified)
    if listed not in (None, SYNC) or index.function_kind(fact) != SYNC:
        return False
    if index.hands_out_fresh_task(fact):
        return False
    return _returns_no_awaitable(index, fact)


def _returns_no_awaitable(index: ProjectIndex, fact: FunctionFact) -> bool:
    """For a plain function: whether what it returns is surely not awaitable."""
    if fact.generator:
        return True  # a generator (``@types.coroutine`` makes the function another kind)
    if fact.never_returns:
        return False  # ``raise NotImplementedError``: the ``await`` is never reached
    if not fact.returns_value:
        return True  # it returns None
    made = index.find(fact.returns_made) if fact.returns_made else None
    if made is not None and made.what == "class":
        return _not_awaitable(index.class_protocols(made.qualified))  # ``return It()``
    if not (fact.placeholder or fact.plain_returns):
        return False  # the annotation speaks of a value that comes from elsewhere
    if fact.returns:
        if fact.returns in PLAIN_TYPES:
            return True
        if fact.returns in AWAITABLE_ANNOTATIONS or fact.returns in ANY_TYPES:
            return False
        return _not_awaitable(index.class_protocols(fact.returns))
    return fact.plain_returns and not fact.placeholder


def _not_awaitable(protocols: frozenset[str] | None) -> bool:
    return protocols is not None and "__await__" not in protocols


def _blocking_family(qualified: str) -> bool:
    return load_blocking_catalogue().family_of(qualified) is not None


def blocking_chain(
    index: ProjectIndex,
    qualified: str,
    family_of: Callable[[str], object | None],
    depth: int = 4,
) -> list[str] | None:
    """For a sync function of the project: the chain of calls down to a blocking call
    (``["pkg.load", "pkg.read", "builtins.open"]``), following project sync functions
    up to ``depth`` levels; None when none is found."""
    # Chains depend on the catalogue (the file's configuration), so memos are kept per one.
    owner = getattr(family_of, "__self__", family_of)
    chains = index._chains.setdefault(id(owner), {})

    def search(name: str, level: int) -> list[str] | None:
        if name in chains:
            return chains[name]
        chains[name] = None  # cycles end here
        calls = _project_sync_calls(index, name)
        if calls is None:
            return None
        for callee in calls:
            if family_of(callee) is not None:
                chains[name] = [name, callee]
                return chains[name]
        if level < depth:
            for callee in calls:
                below = search(callee, level + 1)
                if below:
                    chains[name] = [name, *below]
                    return chains[name]
        return None

    return search(qualified, 1)


def _project_sync_calls(index: ProjectIndex, name: str) -> list[str] | None:
    """What ``name`` calls, when it is a sync function defined in the project; else None."""
    if not index.is_project_name(name):
        return None
    found = index.find(name)
    if (
        found is None
        or found.what != "function"
        or found.function is None
        or not index.is_project_name(found.qualified)
        or index.function_kind(found.function) != SYNC
        or any(d in MEMOISING_DECORATORS for d in found.function.decorators)
    ):
        return None  # a memoised helper blocks once, not on each call: not followed
    quiet = found.function.quiet_calls
    return [name for name in found.function.calls if name not in quiet]
