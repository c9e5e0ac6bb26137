"""AL505 sync-async-protocol-mismatch: the sync and async protocols mixed up.

``with`` on an object that only supports ``async with`` (and the reverse), ``for`` over an async
iterator and ``async for`` over a plain iterable or a coroutine, ``@contextmanager`` on an async
generator, and special methods written ``async def`` where Python calls them synchronously.

What an object supports is the shared fact ``asynclint.facts.protocols.PROTOCOLS``: the kind of
a call (a coroutine function, an async generator, an ``@asynccontextmanager`` function, the
library table's kinds), and the protocol methods of its class (the project's classes through
their bases, the standard library and installed packages read as source, and the curated
table). When any of that is unsure, the rule stays silent.

- ``rule``: the rule, for ``with``/``async with`` and ``for``/``async for``;
- ``objects``: what the rule knows of the object used (literals, plain generators, subclasses);
- ``methods``: ``async def`` special methods and context-manager decorators;
- ``page``: the documentation page and examples.
"""

from __future__ import annotations

from asynclint.rules.protocols.rule import SyncAsyncProtocolMismatch

__all__ = ["SyncAsyncProtocolMismatch"]
