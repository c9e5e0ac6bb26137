"""What an unannotated parameter is: the class every call site in the project passes.

``def handle(store): store.save(x)`` says nothing of ``store``; if every call of ``handle`` in
the project passes an ``OrderStore`` (made there, held in ``self.store``, or itself a
parameter typed this way), ``store`` is one. A function taken as a value anywhere (a callback,
a decorator's argument) may be called from anywhere, and so may a method whose name is read
as an attribute anywhere: they stay unknown, as does a parameter some call site leaves to its
default or passes through ``*args``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint.index.callsites import ANY_RECEIVER, BOUND, PARAMETER
from asynclint.index.model import Instance
from asynclint.index.tables import TRANSPARENT_DECORATORS
from asynclint.knowledge.kinds import ASYNC_GENERATOR, AWAITABLE, COROUTINE, COROUTINE_TYPES
from asynclint.knowledge.methods import everyday_method_names

# What calling gives before it is awaited or iterated: not the object it stands for.
_NOT_YET = frozenset({COROUTINE, AWAITABLE, ASYNC_GENERATOR})

if TYPE_CHECKING:
    from asynclint.index.model import Definition
    from asynclint.index.query import ProjectIndex

_MAX_DEPTH = 4


def parameter_type(index: ProjectIndex, function: str, param: str, depth: int = 0) -> str | None:
    """The class of ``param`` of the project function or method ``function``, when every call
    site in the project agrees on it; None otherwise."""
    if depth > _MAX_DEPTH:
        return None
    key = (function, param)
    memo = index._parameter_types
    if key in memo:
        return memo[key]
    memo[key] = None  # a cycle of parameters passed around gives nothing
    memo[key] = _parameter_type(index, function, param, depth)
    return memo[key]


def _parameter_type(index: ProjectIndex, function: str, param: str, depth: int) -> str | None:
    types: set[str | None] = set()
    for evidence in _site_evidence(index, function, param) or ():
        types.add(evidence_type(index, evidence, depth))
        if len(types) > 1 or None in types:
            return None
    return types.pop() if types else None


def passes_coroutine(index: ProjectIndex, function: str, param: str, depth: int = 0) -> bool:
    """Whether every call site in the project passes ``param`` of the project function or
    method ``function`` a coroutine object: a call of a coroutine function (not awaited), a
    parameter annotated ``Coroutine[...]``, or a parameter passed one in turn."""
    if depth > _MAX_DEPTH:
        return False
    evidence = _site_evidence(index, function, param)
    return bool(evidence) and all(_is_coroutine(index, e, depth) for e in evidence or ())


def _is_coroutine(index: ProjectIndex, evidence: str, depth: int) -> bool:
    how, _, what = evidence.partition(":")
    if how == "call":
        return index.call_kind(what) == COROUTINE
    if how == "type":
        return what in COROUTINE_TYPES
    if evidence.startswith(PARAMETER):
        function, _, name = what.rpartition(":")
        return passes_coroutine(index, function, name, depth + 1)
    return False


def _site_evidence(index: ProjectIndex, function: str, param: str) -> list[str] | None:
    """What each call site in the project passes ``param`` of the project function or
    method ``function`` (see ``asynclint.index.callsites``); None when some caller cannot be
    seen: the function is taken as a value, a call leaves the parameter to its default or
    passes ``*args``, the function tests the parameter's type."""
    found = index.find(function)
    if found is None or found.function is None or not index.is_project_name(found.qualified):
        return None
    fact = found.function
    if any(d not in TRANSPARENT_DECORATORS for d in fact.decorators) or param not in fact.params:
        return None
    if param in fact.tested:
        return None  # ``isinstance(stream, str)``: the function expects more than one kind
    method = found.qualified.rsplit(".", 1)[-1]
    is_method = _is_method(index, found)
    # What makes the call sites unusable is asked first: it is cheaper than finding them.
    if method == "__init__":
        klass = found.qualified.rsplit(".", 1)[0]
        if index.answer("taken", klass) or index.overriding_kinds(klass, "__init__"):
            return None  # made elsewhere (a factory), or by a subclass's ``super().__init__``
        sites = index.answer("sites", found.qualified)
    elif is_method:
        if method in everyday_method_names() or index.answer("referenced", method):
            return None
        sites = [
            *index.answer("sites", found.qualified),
            *index.answer("sites", ANY_RECEIVER + method),
        ]
    elif index.answer("taken", found.qualified):
        return None
    else:
        sites = index.answer("sites", found.qualified)
    position = fact.params.index(param)
    found_evidence: list[str] = []
    for positional, keywords, written, starred in sites:
        if starred:
            return None
        at = position - _offset(found, written, is_method)
        if 0 <= at < len(positional):
            found_evidence.append(positional[at])
        elif param in keywords:
            found_evidence.append(keywords[param])
        else:
            return None  # left to its default (or passed as the receiver)
    return found_evidence


def _offset(found: Definition, written: str, is_method: bool) -> int:
    """How many parameters a call fills before its arguments: the receiver of a bound method
    call, or the class of a classmethod's; none for a function, a staticmethod, or a method
    called through its class (``Base.save(self, x)``)."""
    if not is_method or found.function is None:
        return 0
    decorators = found.function.decorators
    if "builtins.staticmethod" in decorators:
        return 0
    if written.startswith(BOUND):
        return 1
    if "builtins.classmethod" in decorators or written.endswith(".__init__"):
        return 1
    return 0 if written == found.qualified else 1


def evidence_type(index: ProjectIndex, evidence: str, depth: int = 0) -> str | None:
    """The class an argument's evidence stands for (see ``asynclint.index.callsites``)."""
    how, _, what = evidence.partition(":")
    if how in ("call", "await"):
        if how == "call" and index.call_kind(what) in _NOT_YET:
            return None  # ``f(fetch())``: a coroutine, not what awaiting it gives
        made = index.instance_of_call(what)
        return index.canonical(made) if made else None
    if how == "type":
        return index.canonical(what)
    if evidence.startswith(PARAMETER):
        function, _, name = what.rpartition(":")
        return parameter_type(index, function, name, depth + 1)
    if how == "attr":
        klass, _, name = what.rpartition(":")
        member = index.member(klass, name)
        return index.canonical(member.type) if isinstance(member, Instance) else None
    if how == "name":
        found = index.find(what)
        if found is not None and found.what == "instance" and found.type:
            return index.canonical(found.type)
    return None


def _is_method(index: ProjectIndex, found: Definition) -> bool:
    owner = found.qualified.rsplit(".", 1)[0]
    klass = index.find(owner)
    return klass is not None and klass.what == "class"
