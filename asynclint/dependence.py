"""What statements read and bind, for the rules that judge whether awaits could run at once.

Names are tracked as dotted paths (``user``, ``self.cache``, ``items``): a statement depends
on an earlier one when it reads a path the earlier one binds or mutates, or a prefix or an
extension of one (``self`` passed on may reach ``self.cache``). Precision comes first: when a
statement does something these functions cannot see through, callers treat it as ordered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import libcst as cst

from asynclint.engine import Context, dotted_name, iter_children

# First words of callee names that read rather than change (``fetch_user``, ``get``,
# ``load_config``). Other calls may have effects a later call relies on.
READ_VERBS = frozenset(
    {
        "get",
        "fetch",
        "load",
        "query",
        "find",
        "search",
        "list",
        "download",
        "lookup",
        "resolve",
        "count",
        "retrieve",
        "select",
        "describe",
        "exists",
        "stat",
        "read",
        "scan",
    }
)
# Bare method names that consume from a stream, queue or channel: ordered even though they
# "read" (``await reader.read()`` twice reads two different chunks).
CONSUMING_METHODS = frozenset(
    {"read", "readline", "readlines", "readexactly", "readuntil", "recv", "receive", "read_all"}
)
# Receivers whose operations are ordered by nature: queues, streams, sockets, connections,
# cursors, locks, events, channels, rate limiters.
ORDERED_RECEIVER_WORDS = (
    "queue",
    "stream",
    "reader",
    "writer",
    "socket",
    "sock",
    "conn",
    "connection",
    "cursor",
    "cur",
    "lock",
    "event",
    "semaphore",
    "channel",
    "chan",
    "limiter",
    "throttle",
    "ws",
    "websocket",
    "pipe",
    "tx",
    "transaction",
    "session",
    "db",
    "redis",
    "pipeline",
)
# ``async with`` / ``with`` items that order everything inside them.
ORDERING_CONTEXT_WORDS = (
    "lock",
    "semaphore",
    "transaction",
    "atomic",
    "limiter",
    "throttle",
    "mutex",
    "condition",
)


def paths_read(node: cst.CSTNode) -> set[str]:
    """Every dotted path an expression or statement reads (``a.b.c`` gives ``a``, ``a.b`` and
    ``a.b.c``), not entering nested functions or lambdas' own parameters."""
    found: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Attribute, cst.Name)):
            dotted = dotted_name(current)
            if dotted is not None:
                parts = dotted.split(".")
                found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
                continue
        stack.extend(iter_children(current))
    return found


def target_paths(target: cst.CSTNode) -> set[str]:
    """The paths an assignment target binds: ``a`` for ``a``, ``self.x`` for ``self.x``,
    ``cache`` for ``cache[key]`` (the container is changed), each element of a tuple."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return {p for element in target.elements for p in target_paths(element.value)}
    if isinstance(target, cst.StarredElement):
        return target_paths(target.value)
    if isinstance(target, cst.Subscript):
        return target_paths(target.value)
    dotted = dotted_name(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
    return {dotted} if dotted else {"*"}


def depends(read: set[str], bound: set[str]) -> bool:
    """Whether something reading ``read`` depends on something that bound ``bound``."""
    if "*" in bound:
        return True
    for path in read:
        for other in bound:
            if path == other or path.startswith(other + ".") or other.startswith(path + "."):
                return True
    return False


def callee_words(func: cst.BaseExpression) -> tuple[str | None, str | None]:
    """``(receiver path, callee name)`` of a call's function: ``("self.client", "get")``,
    ``(None, "fetch_user")``."""
    if isinstance(func, cst.Name):
        return None, func.value
    if isinstance(func, cst.Attribute):
        return dotted_name(func.value) or "?", func.attr.value
    return "?", None


def is_read_like(name: str | None) -> bool:
    """A callee named for reading: its first word is a read verb (``fetch_user``,
    ``getStatus``, ``load``)."""
    if not name:
        return False
    word = name.lstrip("_").split("_", 1)[0]
    for index, char in enumerate(word):
        if char.isupper() and index:
            word = word[:index]
            break
    return word.lower() in READ_VERBS


def is_ordered_receiver(receiver: str | None) -> bool:
    """A receiver named like a queue, stream, connection, lock ...: its operations are
    ordered."""
    if receiver is None:
        return False
    last = receiver.rsplit(".", 1)[-1].lower().strip("_")
    words = [w for w in last.replace("-", "_").split("_") if w]
    if last in ("q", "r", "c"):
        return True
    return any(word in ORDERED_RECEIVER_WORDS for word in words) or any(
        last.endswith(word) for word in ("queue", "stream", "conn", "lock", "socket")
    )


def own_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nodes under ``node`` that run as part of it (nested functions, lambdas and class
    bodies left out)."""
    stack = list(iter_children(node))
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        yield current
        stack.extend(iter_children(current))


def has_await(node: cst.CSTNode) -> bool:
    """Whether ``node`` suspends: an ``await``, ``async for`` or ``async with`` of its own."""
    for inner in own_nodes(node):
        if isinstance(inner, cst.Await):
            return True
        if isinstance(inner, (cst.For, cst.With, cst.CompFor)) and inner.asynchronous:
            return True
    return False


def words(name: str) -> list[str]:
    """``getOrCreate_user`` -> ``["get", "or", "create", "user"]``."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)]


def in_ordering_context(context: Context, extra_words: Iterable[str] = ()) -> bool:
    """Whether the current node runs inside a ``with``/``async with`` of this function whose
    item looks like a lock, semaphore, transaction or limiter: its code contains one of
    ``ORDERING_CONTEXT_WORDS``, or one of ``extra_words`` is a word of it."""
    extra = frozenset(extra_words)
    for ancestor in reversed(context.ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if not isinstance(ancestor, cst.With):
            continue
        for item in ancestor.items:
            code = context.module.code_for_node(item.item)
            if any(word in code.lower() for word in ORDERING_CONTEXT_WORDS):
                return True
            if extra and not extra.isdisjoint(words(code)):
                return True
    return False
