"""AL401 sequential-awaits: consecutive awaits that do not depend on each other.

``page`` holds the documentation and examples, ``runs`` finds the runs of independent awaits
in a block, ``fix`` merges a run into one ``asyncio.gather()``.
"""

from __future__ import annotations

from asynclint.rules.sequential.rule import SequentialAwaits

__all__ = ["SequentialAwaits"]
