"""AL402 await-in-loop: a loop (or comprehension) that awaits one independent read per item.

Only loops whose whole body is understood are judged: one awaited call per iteration, whose
callee is named for reading, whose receiver is not a queue, stream, connection or lock, and
whose arguments read only the loop's item and names the loop does not change; the result is
collected into a container, bound to a name for the next statement, or dropped. Anything else
(another await, a branch that leaves the loop, an accumulation, a call that is not logging)
keeps the loop silent: sequential order is often intended, and precision comes first.

``page`` holds the documentation and examples, ``calls`` and ``body`` read a loop's body,
``fix`` builds the ``asyncio.gather()`` rewrites.
"""

from __future__ import annotations

from asynclint.rules.loops.rule import AwaitInLoop

__all__ = ["AwaitInLoop"]
