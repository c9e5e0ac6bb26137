"""The asyncio names fixes and advice use that not every Python 3 has, and what to write
before them (``target-version``)."""

from __future__ import annotations

# The first Python with each name.
TO_THREAD = (3, 9)  # asyncio.to_thread
TASK_GROUP = (3, 11)  # asyncio.TaskGroup
TIMEOUT = (3, 11)  # asyncio.timeout
RUNNER = (3, 11)  # asyncio.Runner

# ``asyncio.to_thread(f, ...)`` before 3.9: the running loop's default executor.
_TO_THREAD_CALL = "asyncio.to_thread("
_EXECUTOR_CALL = "asyncio.get_running_loop().run_in_executor(None, "


def has(target: tuple[int, int] | None, version: tuple[int, int]) -> bool:
    """Whether every Python of ``target`` (the oldest one the code runs on; None: the newest)
    has what came with ``version``."""
    return target is None or target >= version


def for_target(text: str, target: tuple[int, int] | None) -> str:
    """Advice ``text`` with ``asyncio.to_thread(...)`` written as the running loop's
    ``run_in_executor(None, ...)`` when the target Python predates it."""
    if has(target, TO_THREAD):
        return text
    return text.replace(_TO_THREAD_CALL, _EXECUTOR_CALL)
