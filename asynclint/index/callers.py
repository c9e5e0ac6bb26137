"""Who calls a private helper: the query behind "a sync helper only coroutines call".

``only_called_from_coroutines`` is a method of ``ProjectIndex``; it lives here to keep the
core queries short. The uses of private names it reads are an answer about the whole project
(``asynclint.index.wide``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint.knowledge.kinds import ASYNC_GENERATOR, COROUTINE

if TYPE_CHECKING:
    from asynclint.index.query import ProjectIndex


def only_called_from_coroutines(index: ProjectIndex, qualified: str) -> bool:
    """Whether ``qualified``, a private module-level function of the project (``_helper``,
    undecorated), is called only from coroutines of the project: it is never taken as a
    value, called at module level, in a nested function or from a sync function. A call
    the index cannot place makes the answer False."""
    name = qualified.rsplit(".", 1)[-1]
    found = index.find(qualified)
    if (
        not name.startswith("_")
        or name.startswith("__")
        or found is None
        or found.what != "function"
        or found.function is None
        or found.function.decorators
        or not index.is_project_name(found.qualified)
    ):
        return False
    callers = 0
    for kind, used in index.answer("private-uses", name):
        target = index.find(used)
        if target is None:
            return False  # a name the index cannot place may be this function
        if target.qualified != found.qualified:
            continue
        if kind not in (COROUTINE, ASYNC_GENERATOR):
            return False
        callers += 1
    return callers > 0
