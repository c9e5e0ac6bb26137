"""AL301, AL302: tasks whose reference is dropped (fire-and-forget).

The event loop keeps only a weak reference to a task. A task nobody else references can be
garbage-collected before it finishes, and an exception it raises is never retrieved. Which
calls create a task is the shared fact ``asynclint.facts.tasks.TASK_CREATION``. A task group's
``create_task`` is never reported: the group holds the task.

- ``dropped``: AL301, a task dropped at once; ``fix``: its fix (a set of background tasks);
- ``unused``: AL302, a task kept only in a local variable nobody uses;
- ``examples``: both rules' examples; ``common``: how their messages name the call.
"""

from __future__ import annotations

from asynclint.rules.tasks.dropped import DroppedTask
from asynclint.rules.tasks.unused import UnusedTask

__all__ = ["DroppedTask", "UnusedTask"]
