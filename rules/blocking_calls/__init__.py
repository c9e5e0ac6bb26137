"""AL202-AL207: blocking calls inside ``async def``, one code per family of the catalogue
(``asynclint/data/blocking.toml``). AL201 (``time.sleep``) has its own module and fix.

A call counts when it runs on the event loop's thread: in an ``async def`` body (async
comprehensions and generators included), not in a nested sync ``def``, a ``lambda``, or a
function handed to a thread (``asyncio.to_thread(open, path)`` passes ``open``, it does not call
it). The callee is resolved through imports, and methods through the receiver's type (a
constructor, an annotation, an attribute of a known type).

- ``base``: the rule all families share (message and thread fix);
- ``transfers``: the network and process pages (AL202, AL203);
- ``files``: the file page (AL204);
- ``waits``: the thread-sync, console and database pages (AL205-AL207).
"""

from __future__ import annotations

from asynclint.rules.blocking_calls.base import BlockingCallRule, thread_fix
from asynclint.rules.blocking_calls.files import BlockingFileCall
from asynclint.rules.blocking_calls.transfers import BlockingNetworkCall, BlockingProcessCall
from asynclint.rules.blocking_calls.waits import (
    BlockingConsoleCall,
    BlockingDatabaseCall,
    BlockingThreadSyncCall,
)

__all__ = [
    "BlockingCallRule",
    "BlockingConsoleCall",
    "BlockingDatabaseCall",
    "BlockingFileCall",
    "BlockingNetworkCall",
    "BlockingProcessCall",
    "BlockingThreadSyncCall",
    "thread_fix",
]
