"""Answers the rules share: one provider per question, memoised per node by the engine.

A *fact* is a question about one node (what a call resolves to, whether it blocks, whether it
creates a task ...). Its provider is a plain function of the engine's context and the node;
the engine answers each question once per node and shares the answer between every rule that
asks. A rule lists the facts it asks in ``requires``; asking for another one is an error, and
the engine builds the project index only when a required fact (or a fact it uses) needs it.
So a rule's answer for a line never depends on which other rules are selected.

A provider may read the node, the names bound where the node stands and the project index; it
must not read the rest of the walk's position (the ancestors), which the memo does not track.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from asynclint.engine import Context

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Fact(Generic[T]):
    """One shared question: its name, its provider, and what the provider relies on."""

    name: str
    provider: Callable[[Context, Any], T]
    # Whether the provider asks the project index (other modules, installed libraries).
    uses_index: bool = False
    # Other facts the provider asks.
    uses: tuple[Fact[Any], ...] = ()

    def __repr__(self) -> str:
        return f"Fact({self.name!r})"


def fact(
    name: str, *, uses_index: bool = False, uses: tuple[Fact[Any], ...] = ()
) -> Callable[[Callable[[Context, Any], T]], Fact[T]]:
    """Declare a provider function as the fact ``name``."""

    def declare(provider: Callable[[Context, Any], T]) -> Fact[T]:
        return Fact(name, provider, uses_index, uses)

    return declare


def closure(facts: Iterable[Fact[Any]]) -> frozenset[Fact[Any]]:
    """``facts`` and every fact their providers use, transitively."""
    seen: set[Fact[Any]] = set()
    pending = list(facts)
    while pending:
        item = pending.pop()
        if item not in seen:
            seen.add(item)
            pending.extend(item.uses)
    return frozenset(seen)


def need_index(facts: Iterable[Fact[Any]]) -> bool:
    """Whether answering ``facts`` needs the project index."""
    return any(item.uses_index for item in closure(facts))


class UndeclaredFact(Exception):
    """A rule asked for a fact it does not list in ``requires``."""

    def __init__(self, rule: str, item: Fact[Any]) -> None:
        super().__init__(f"{rule} asks for {item.name!r} but does not list it in `requires`")
