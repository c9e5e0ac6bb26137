"""AL1xx: a coroutine (or another awaitable) is created and never awaited.

Whether a call creates a coroutine comes from the engine: the project index (``async def``
functions and methods of every module of the project, through imports, re-exports, ``self``,
base classes, annotations and constructors) and the library knowledge (the standard library
and installed packages read as source, plus the curated table). When that is unsure, these
rules stay silent. The question is the shared fact ``asynclint.facts.awaitables.AWAITABLE_KIND``.

- ``common``: the base rule, the ``await`` fix and how messages name the call;
- ``unawaited``: AL101, an awaitable dropped at once;
- ``unused``: AL102, an awaitable kept in a local variable nobody uses;
- ``used_as_value``: AL103, an awaitable used as if it were its result (``usage``: how).
"""

from __future__ import annotations

from asynclint.rules.missing_await.unawaited import UnawaitedCoroutine
from asynclint.rules.missing_await.unused import UnusedCoroutine
from asynclint.rules.missing_await.used_as_value import CoroutineUsedAsValue

__all__ = ["CoroutineUsedAsValue", "UnawaitedCoroutine", "UnusedCoroutine"]
