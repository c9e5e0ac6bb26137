"""The order in which Python looks a name up on a class: the C3 linearisation of its bases.

A depth-first walk gets diamonds wrong: with ``class AsyncSearch(Search, AsyncSearchCommands)``
where both bases derive from ``SearchCommands``, ``load_document`` is ``AsyncSearchCommands``'
``async def``, not the plain one ``Search`` inherits. Classes are named where they are defined
(``ProjectIndex.canonical``), so one base reached through two re-exports counts once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asynclint.index.query import ProjectIndex

_MAX_DEPTH = 24


def linearization(index: ProjectIndex, klass: str) -> list[str] | None:
    """The class and its bases in lookup order; None when Python itself could not order them
    (or they nest absurdly deep). A base the index cannot see ends its line there."""
    return _linearize(index, index.canonical(klass), 0, set())


def _linearize(index: ProjectIndex, klass: str, depth: int, visiting: set[str]) -> list[str] | None:
    if klass in visiting or depth > _MAX_DEPTH:
        return None
    memo = index._linearizations
    if klass in memo:
        return memo[klass]
    found = index.find(klass)
    if found is None or found.what != "class" or found.klass is None:
        return [klass]
    visiting.add(klass)
    try:
        bases = [index.canonical(b) for b in found.klass.bases if b]
        lines = []
        for base in bases:
            line = _linearize(index, base, depth + 1, visiting)
            if line is None:
                return None
            lines.append(line)
        merged = _merge([*lines, bases])
    finally:
        visiting.discard(klass)
    result = [klass, *merged] if merged is not None else None
    memo[klass] = result
    return result


def _merge(sequences: list[list[str]]) -> list[str] | None:
    """C3's merge: repeatedly take the first head that is in no other sequence's tail."""
    pending = [list(s) for s in sequences if s]
    out: list[str] = []
    while pending:
        for sequence in pending:
            head = sequence[0]
            if not any(head in other[1:] for other in pending):
                break
        else:
            return None  # no consistent order: Python raises TypeError for such a class
        out.append(head)
        pending = [[c for c in s if c != head] for s in pending]
        pending = [s for s in pending if s]
    return out
