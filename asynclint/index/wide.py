"""Answers about the whole project, one name at a time (``ProjectIndex.answer``).

Who calls a function and with what (``sites``), whether it is taken as a value (``taken``),
whether an attribute name is read as a value (``referenced``), who uses a private name
(``private-uses``), the project's methods of a name (``methods-by-name``) and their kinds
(``method-kinds``), the kinds of a method as the subclasses of a class redefine it
(``overriding-kinds``). Each answer reads only the modules whose summaries mention the name
asked about (``asynclint.index.names``), under its own last part or an alias of it; what
those modules hold is then resolved as before, and only what resolves to the name asked about
counts. So an answer is the same as one made from every module of the project, at the cost of
a few: a run that checks one file of a large project does not read the whole project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint.index.callsites import ANY_RECEIVER, BOUND
from asynclint.index.methods import DATA
from asynclint.index.model import ClassFact
from asynclint.index.names import (
    ALIAS,
    ATTR,
    BASE,
    BASE_FULL,
    CALL,
    METHOD,
    PRIVATE,
    REF,
    last_part,
)

if TYPE_CHECKING:
    from asynclint.index.query import ProjectIndex

_INIT = "__init__"
# A method name defined in at most this many modules is searched upwards from its definitions.
_FEW_DEFINERS = 64


def project_answer(index: ProjectIndex, kind: str, key: str) -> object:
    """The answer to one question about the whole project, as plain data."""
    if kind == "sites":
        return _sites(index, key)
    if kind == "taken":
        return _taken(index, key)
    if kind == "referenced":
        return bool(index.names().modules_with(ATTR, [key]))
    if kind == "private-uses":
        return _private_uses(index, key)
    if kind == "methods-by-name":
        return _methods_by_name(index, key)
    if kind == "method-kinds":
        return sorted(_method_kinds(index, key), key=str)
    if kind == "overriding-kinds":
        klass, _, method = key.partition("\0")
        kinds = _overriding_kinds(index, klass, method)
        return sorted(kinds, key=lambda k: (k is not None, k or ""))
    raise ValueError(f"no answer about the whole project is {kind!r}")


def spellings(index: ProjectIndex, name: str) -> frozenset[str]:
    """The last parts under which a definition named ``name`` can be reached: its own, and the
    aliases the project's modules (``from .impl import fetch as get``, ``get = fetch``) and the
    library table give it, and their aliases in turn."""
    memo = index._spellings
    if name in memo:
        return memo[name]
    memo[name] = frozenset({name})  # a cycle of aliases adds nothing
    found, pending = {name}, [name]
    renamed = _library_renames(index)
    while pending:
        current = pending.pop()
        more = set(renamed.get(current, ()))
        for module_name in index.names().modules_with(ALIAS, [current]):
            module = index.project_module(module_name)
            for local, target in module.names.items() if module else ():
                if target and last_part(target) == current:
                    more.add(local)
        for alias in more - found:
            found.add(alias)
            pending.append(alias)
    memo[name] = frozenset(found)
    return memo[name]


def _library_renames(index: ProjectIndex) -> dict[str, set[str]]:
    """Last part of a library table alias's target -> the last parts of its aliases, where
    they differ."""
    if index._library_renames is None:
        renames: dict[str, set[str]] = {}
        for alias, target in index.library.aliases.items():
            if last_part(alias) != last_part(target):
                renames.setdefault(last_part(target), set()).add(last_part(alias))
        index._library_renames = renames
    return index._library_renames


# --- call sites -----------------------------------------------------------------------------
def _sites(index: ProjectIndex, key: str) -> list[list]:
    """The call sites of ``key``: a project function or method where it is defined, or
    ``?.m`` (a call of ``m`` on a receiver nothing types), each as [positional evidence,
    keyword evidence, the callee as written, whether ``*args`` is passed]."""
    names = index.names()
    if key.startswith(ANY_RECEIVER):
        method = key[len(ANY_RECEIVER) :]
        return [
            [list(positional), dict(keywords), written, starred]
            for module in _modules(index, names.modules_with(CALL, [method]))
            for written, positional, keywords, starred in module.call_sites
            if written == key
        ]
    spelled = set(spellings(index, last_part(key)))
    if last_part(key) == _INIT:  # ``Client(...)`` calls the ``__init__`` it has or inherits
        owner = key.rsplit(".", 1)[0]
        for klass in [owner, *_subclass_names(index, owner)]:
            spelled |= spellings(index, last_part(klass))
    found: list[list] = []
    for module in _modules(index, names.modules_with(CALL, spelled)):
        for written, positional, keywords, starred in module.call_sites:
            if last_part(written) not in spelled or written.startswith(ANY_RECEIVER):
                continue
            target = _site_target(index, written)
            if target is not None and target[0] == key:
                found.append([list(positional), dict(keywords), target[1], starred])
    return found


def _site_target(index: ProjectIndex, written: str) -> tuple[str, str] | None:
    """The project function a call site calls (where it is defined), and its callee as the
    flow reads it (``Client(...)`` calls ``Client.__init__``; ``self.m(...)`` stays as
    written: the receiver fills the first parameter); None for anything else."""
    callee = written.removeprefix(BOUND)
    if not index.is_project_name(callee):
        return None  # only the project's functions are typed by their call sites
    found = index.find(callee)
    if found is not None and found.what == "class":
        callee = f"{found.qualified}.{_INIT}"  # the arguments go to ``__init__``
        found = index.find(callee)
    if found is None or found.function is None:
        return None
    return found.qualified, written if written.startswith(BOUND) else callee


def _taken(index: ProjectIndex, key: str) -> bool:
    """Whether the project function or class ``key`` is named other than as a callee
    somewhere (``on_done=handle``)."""
    spelled = spellings(index, last_part(key))
    for module in _modules(index, index.names().modules_with(REF, spelled)):
        for used in module.name_refs:
            if last_part(used) in spelled:
                found = index.find(used)
                if found is not None and found.qualified == key:
                    return True
    return False


# --- methods and private names ---------------------------------------------------------------
def _private_uses(index: ProjectIndex, name: str) -> list[list]:
    """The uses of private last name ``name``: [the kind of the function calling it (None for
    a use other than a call in a module-level function or a method), the name as written]."""
    uses: list[list] = []
    for module in _modules(index, index.names().modules_with(PRIVATE, [name])):
        functions = list(module.functions.values())
        for klass in module.classes.values():
            functions.extend(klass.methods.values())
        for function in functions:
            called = [c for c in function.calls if last_part(c) == name]
            if called:
                kind = index.function_kind(function)
                uses.extend([kind, c] for c in called)
        uses.extend([None, used] for used in module.loose_private if last_part(used) == name)
    return uses


def _methods_by_name(index: ProjectIndex, method: str) -> list[str]:
    """Every method ``method`` of the project's module-level classes: its qualified names."""
    return [
        f"{module.name}.{class_name}.{method}"
        for module in _modules(index, index.names().modules_with(METHOD, [method]))
        for class_name, klass in module.classes.items()
        if method in klass.methods
    ]


def _method_kinds(index: ProjectIndex, method: str) -> set[str | None]:
    """The kinds of the project's methods named ``method`` (nested classes too); ``DATA``
    for a class that binds the name as data."""
    kinds: set[str | None] = set()
    for module in _modules(index, index.names().modules_with(METHOD, [method])):
        for klass in [*module.classes.values(), *module.local_classes]:
            if method in klass.methods:
                kinds.add(index.function_kind(klass.methods[method]))
            if method in klass.data or method in klass.attributes:
                kinds.add(DATA)
    return kinds


# --- subclasses -----------------------------------------------------------------------------
def _overriding_kinds(index: ProjectIndex, klass: str, method: str) -> set[str | None]:
    """The kinds of ``method`` as the project's subclasses of ``klass`` (at any depth, nested
    classes included) redefine it.

    Searched from whichever end reads fewer modules: upwards, from the classes that define a
    method of that name to their bases, when few modules define one (none, often); down the
    subclass tree otherwise. The answer is the same."""
    root = _canonical(index, klass)
    if len(index.names().modules_with(METHOD, [method])) <= _FEW_DEFINERS:
        return {kind for kind, ancestors in _definers(index, method) if root in ancestors}
    kinds: set[str | None] = set()
    pending, seen = [root], set()
    while pending:
        for fact, qualified in _direct_subclasses(index, pending.pop()):
            if id(fact) in seen:
                continue
            seen.add(id(fact))
            if method in fact.methods:
                kinds.add(index.function_kind(fact.methods[method]))
            if qualified is not None:
                pending.append(qualified)
    return kinds


def _definers(index: ProjectIndex, method: str) -> list[tuple[str | None, frozenset[str]]]:
    """For each of the project's classes (nested ones included) that defines ``method``: the
    method's kind, and the classes it derives from (see ``_ancestors``)."""
    memo = index._definers
    if method not in memo:
        memo[method] = [
            (index.function_kind(klass.methods[method]), _ancestors(index, klass))
            for module in _modules(index, index.names().modules_with(METHOD, [method]))
            for klass in [*module.classes.values(), *module.local_classes]
            if method in klass.methods
        ]
    return memo[method]


def _ancestors(index: ProjectIndex, klass: ClassFact) -> frozenset[str]:
    """What ``klass`` derives from, as far as its bases name the project's module-level
    classes: each base (canonical), and what those of the project derive from in turn."""
    found: set[str] = set()
    for base in klass.bases:
        if not base:
            continue
        parent = _canonical(index, base)
        found.add(parent)
        found |= _class_ancestors(index, parent)
    return frozenset(found)


def _class_ancestors(index: ProjectIndex, qualified: str) -> frozenset[str]:
    """``_ancestors`` of the project's module-level class ``qualified`` (empty for anything
    else)."""
    memo = index._ancestors
    if qualified in memo:
        return memo[qualified]
    memo[qualified] = frozenset()  # a class deriving from itself through a cycle adds nothing
    module_name, _, name = qualified.rpartition(".")
    module = index.project_module(module_name) if module_name else None
    klass = module.classes.get(name) if module is not None else None
    if klass is not None:
        memo[qualified] = _ancestors(index, klass)
    return memo[qualified]


def _subclass_names(index: ProjectIndex, klass: str) -> list[str]:
    """The project's module-level classes that derive from ``klass``, at any depth."""
    found: list[str] = []
    pending = [_canonical(index, klass)]
    while pending:
        for _, qualified in _direct_subclasses(index, pending.pop()):
            if qualified is not None and qualified not in found:
                found.append(qualified)
                pending.append(qualified)
    return found


def _direct_subclasses(index: ProjectIndex, klass: str) -> list[tuple[ClassFact, str | None]]:
    """The project's classes that name ``klass`` (canonical) as a base, each with its
    qualified name (None for a class nested in a function or class)."""
    memo = index._direct_subclasses
    if klass in memo:
        return memo[klass]
    memo[klass] = []  # a class deriving from itself through a cycle adds nothing
    names = index.names()
    spelled = spellings(index, last_part(klass))
    modules = set(names.modules_with(BASE, spelled))
    # A library may re-export its class under another name, which a base may spell.
    elsewhere = set()
    if not index.is_project_name(klass):
        for base in names.mentioned(BASE_FULL):
            if last_part(base) not in spelled and _canonical(index, base) == klass:
                elsewhere.add(base)
        modules.update(names.modules_with(BASE_FULL, elsewhere))
    found: list[tuple[ClassFact, str | None]] = []
    for module in _modules(index, sorted(modules)):
        classes = [(f, f"{module.name}.{n}") for n, f in module.classes.items()]
        for fact, qualified in [*classes, *((f, None) for f in module.local_classes)]:
            if any(
                base
                and (last_part(base) in spelled or base in elsewhere)
                and _canonical(index, base) == klass
                for base in fact.bases
            ):
                found.append((fact, qualified))
    memo[klass] = found
    return found


def _canonical(index: ProjectIndex, klass: str) -> str:
    """``index.canonical``, kept for the run: a base is written qualified already, so what it
    names does not depend on the module it is written in (and answers about the whole project
    hold for the whole run)."""
    memo = index._canonical_bases
    if klass not in memo:
        memo[klass] = index.canonical(klass)
    return memo[klass]


def _modules(index: ProjectIndex, names: list[str]) -> list:
    """The summaries of the project modules ``names`` that can be read."""
    return [module for name in names if (module := index.project_module(name)) is not None]
