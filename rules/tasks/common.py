"""What AL301 and AL302 share: how their messages name the call that created the task."""

from __future__ import annotations

import libcst as cst

from asynclint.edits import source_of
from asynclint.facts.tasks import TaskCreation


def described(module: cst.Module, created: TaskCreation) -> str:
    """How a message names the creating call: "`asyncio.create_task()`", "`await start()`"."""
    code = source_of(module, created.func)
    return f"`await {code}()`" if created.awaited else f"`{code}()`"
