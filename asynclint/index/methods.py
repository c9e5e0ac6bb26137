"""What ``x.m()`` gives when nothing tells what ``x`` is: the kind every definer of ``m`` agrees on.

Most application code leaves parameters and attributes unannotated. A method name that every
class defining it agrees is a coroutine function (``async def save``) makes ``store.save()`` a
coroutine wherever ``store`` comes from, as long as no other class could be the receiver: the
classes counted are the project's (nested ones too), those of the installed libraries the
module imports (what it imports from them, their top-level package and its re-exports), and
the builtins and everyday standard-library classes (``asynclint.knowledge.methods``). One of
them defining ``m`` as a plain method, a property or a data attribute, or a library the index
cannot read, makes the answer unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint.index.model import ClassFact, ModuleFact
from asynclint.index.tables import STDLIB_MODULES
from asynclint.knowledge.kinds import ASYNC_CONTEXT_MANAGER, ASYNC_GENERATOR, COROUTINE
from asynclint.knowledge.libraries import covered_by_table
from asynclint.knowledge.methods import (
    ANY_ATTRIBUTE_MODULES,
    INJECTING_MODULES,
    everyday_method_names,
)

if TYPE_CHECKING:
    from asynclint.index.query import ProjectIndex

# Kinds an agreement may give: the ones a plain object's method cannot have by accident.
AGREEABLE = frozenset({COROUTINE, ASYNC_GENERATOR, ASYNC_CONTEXT_MANAGER})
# A name a class binds as data (or a method the index cannot classify).
DATA = "data"

MethodKinds = dict[str, set[str | None]]
# Modules whose absence hides no object's methods: the standard library (what has no source,
# like ``sys``, holds no class worth a method name beyond ``knowledge.methods``') and the
# libraries whose names only annotate.
_NO_OBJECTS = STDLIB_MODULES | {"typing_extensions", "mypy_extensions"}


def agreed_method_kind(index: ProjectIndex, module: str, method: str) -> str | None:
    """The kind of ``method`` that every candidate class agrees on, for a call in ``module``
    on a receiver of unknown type; None when any disagrees, or none defines it."""
    if method.startswith("__") or method in everyday_method_names():
        return None
    fact = index.module(module) if module in index.project else None
    if fact is None:
        return None
    kinds = set(index.answer("method-kinds", method))
    if len(kinds) != 1 or not kinds <= AGREEABLE:
        return None  # none or several kinds, or only classes outside the project define it
    libraries = _neighbourhood_libraries(index, fact)
    if libraries is None:
        return None  # objects of a library the index cannot read may flow in here
    for library in libraries:
        kinds |= _library_methods(index, library).get(method, set())
        if len(kinds) > 1:
            return None
    if len(kinds) != 1:
        return None
    kind = next(iter(kinds))
    return kind if kind in AGREEABLE else None


def _add_class(index: ProjectIndex, klass: ClassFact, table: MethodKinds) -> None:
    for name, function in klass.methods.items():
        table.setdefault(name, set()).add(index.function_kind(function))
    for name in (*klass.data, *klass.attributes):
        table.setdefault(name, set()).add(DATA)


def _imported_libraries(index: ProjectIndex, fact: ModuleFact) -> list[str]:
    """The modules outside the project that ``fact`` imports from (the deepest that is a
    module, and its top-level package), in a stable order."""
    found: dict[str, None] = {}
    for target in [*fact.names.values(), *fact.stars]:
        if not target or index.is_project_name(target) or target.startswith("."):
            continue
        parts = target.split(".")
        found[parts[0]] = None
        for cut in range(len(parts) - 1, 1, -1):
            candidate = ".".join(parts[:cut])
            if index.module(candidate) is not None:
                found[candidate] = None
                break
    return list(found)


def _neighbourhood_libraries(index: ProjectIndex, fact: ModuleFact) -> list[str] | None:
    """The library modules that ``fact`` and the project modules it imports import from:
    where the objects it handles come from. None when one of them is a mock library, one
    that hands out objects of classes not imported (pytest's fixtures), or one the index
    cannot read (not installed where the project is linted): its classes might define any
    method."""
    memo = index._neighbourhoods
    if fact.name in memo:
        return memo[fact.name]
    modules = [fact, *_imported_project_modules(index, fact)]
    found: dict[str, None] = {}
    for module in modules:
        found.update(dict.fromkeys(_imported_libraries(index, module)))
    unreadable = [
        name
        for name in found
        if name in ANY_ATTRIBUTE_MODULES
        or name.split(".", 1)[0] in INJECTING_MODULES
        or (
            index.module(name) is None
            and name.split(".", 1)[0] not in _NO_OBJECTS
            and not covered_by_table(name)
        )
    ]
    memo[fact.name] = None if unreadable else list(found)
    return memo[fact.name]


def _imported_project_modules(index: ProjectIndex, fact: ModuleFact) -> list[ModuleFact]:
    found: dict[str, ModuleFact] = {}
    for target in [*fact.names.values(), *fact.stars]:
        if not index.is_project_name(target):
            continue
        parts = target.split(".")
        for cut in range(len(parts), 0, -1):
            name = ".".join(parts[:cut])
            module = index.module(name) if name in index.project else None
            if module is not None:
                found[module.name] = module
                break
    found.pop(fact.name, None)
    return list(found.values())


def _library_methods(index: ProjectIndex, library: str) -> MethodKinds:
    """Method name -> kinds over the classes a library module defines or re-exports (with
    the methods they inherit). A module the index cannot find adds nothing: the libraries the
    project uses are expected to be installed where it is linted."""
    memo = index._library_methods
    if library in memo:
        return memo[library]
    table: MethodKinds = {}
    memo[library] = table
    module = index.module(library)
    if module is None:  # not installed: the library table, for the libraries it covers
        if covered_by_table(library):
            for method, kinds in index.library.method_kinds(library).items():
                table[method] = {kind if kind in AGREEABLE else DATA for kind in kinds}
        return table
    classes = {f"{module.name}.{name}" for name in module.classes}
    for local, target in module.names.items():
        if local[:1].isupper():  # classes are named so; following every name costs too much
            classes.add(target)
    for qualified in sorted(classes):
        _add_library_class(index, qualified, table, 0)
    return table


def _add_library_class(index: ProjectIndex, qualified: str, table: MethodKinds, depth: int) -> None:
    found = index.find(qualified) if depth < 8 else None
    if found is None or found.what != "class" or found.klass is None:
        return
    _add_class(index, found.klass, table)
    for base in found.klass.bases:
        if base:
            _add_library_class(index, base, table, depth + 1)
