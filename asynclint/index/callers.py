"""Who calls a private helper: the query behind "a sync helper only coroutines call".

``only_called_from_coroutines`` is a method of ``ProjectIndex``; it lives here with the
project-wide collection of private names' uses it reads, to keep the core queries short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint.knowledge.kinds import ASYNC_GENERATOR, COROUTINE

if TYPE_CHECKING:
    from asynclint.index.query import ProjectIndex

# Last name -> (the kind of the function using it, or None for a loose use; the name as written)
PrivateUses = dict[str, list[tuple[str | None, str]]]


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


def collect_private_uses(index: ProjectIndex) -> PrivateUses:
    """Last name -> (the kind of the function calling it, or None for a loose use, and the
    name as written) over the whole project."""
    uses: PrivateUses = {}
    for module_name in index.project:
        module = index.project_module(module_name)
        if module is None:
            continue
        functions = list(module.functions.values())
        for klass in module.classes.values():
            functions.extend(klass.methods.values())
        for function in functions:
            kind = index.function_kind(function)
            for called in function.calls:
                last = called.rsplit(".", 1)[-1]
                if last.startswith("_"):
                    uses.setdefault(last, []).append((kind, called))
        for used in module.loose_private:
            uses.setdefault(used.rsplit(".", 1)[-1], []).append((None, used))
    return uses
