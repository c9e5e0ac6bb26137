"""The queries: what a qualified name is, and what calling or awaiting it gives.

``ProjectIndex`` holds the summaries of the project's modules and reads those of the standard
library and installed packages lazily, from source. It follows imports, re-exports and base
classes to answer the questions the facts ask (``call_kind``, ``member``, ``class_protocols``
...). Answers the library table gives (``asynclint/data/libraries.toml``) come first.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asynclint.index.blocking import blocking_chain, never_awaitable
from asynclint.index.cache import StoredModules, SummaryCache, Trace
from asynclint.index.callers import only_called_from_coroutines
from asynclint.index.callsites import PARAMETER
from asynclint.index.effects import Effects, call_effects, named_method_effects
from asynclint.index.flow import parameter_type, passes_coroutine
from asynclint.index.locate import find_module_file
from asynclint.index.methods import MethodKinds, agreed_method_kind
from asynclint.index.model import (
    AWAITED,
    KEEPS_ASYNC,
    PASSTHROUGH,
    UNPACKED,
    ClassFact,
    Definition,
    FunctionFact,
    Instance,
    ModuleFact,
)
from asynclint.index.mro import linearization
from asynclint.index.names import NameTable, name_entries
from asynclint.index.shared import MISSING, SharedAnswers
from asynclint.index.tables import (
    ABSTRACT_PROTOCOLS,
    AWAITABLE_ANNOTATIONS,
    COROUTINE_LIKE,
    KIND_DECORATORS,
    TABLE_PROTOCOLS,
    TASK_ANNOTATIONS,
    TRANSPARENT_DECORATORS,
)
from asynclint.index.wide import project_answer
from asynclint.knowledge.blocking import load_blocking_catalogue
from asynclint.knowledge.kinds import (
    AWAITABLE,
    AWAITABLE_OBJECT,
    CALLABLE_RETURNING,
    COROUTINE,
    COROUTINE_TYPES,
    PLAIN_ITERABLE_TYPES,
    SYNC,
    TASK,
    UNKNOWN,
)
from asynclint.knowledge.libraries import LibraryTable, load_library_table

_MAX_DEPTH = 24
# How many of the project's module summaries a process keeps read (``_stored_module``).
_RECENT_MODULES = 1024


class ProjectIndex:
    """Module summaries of the project, plus library modules read lazily from ``search``."""

    def __init__(
        self,
        modules: dict[str, ModuleFact] | None = None,
        search: list[Path] | None = None,
        cache: SummaryCache | None = None,
        library: LibraryTable | None = None,
        stored: StoredModules | None = None,
    ) -> None:
        self.modules: dict[str, ModuleFact | None] = dict(modules or {})
        self._given = dict(self.modules)
        self._recent_modules: OrderedDict[str, ModuleFact | None] = OrderedDict()
        # The project's modules whose summaries are read from the store when first asked.
        self.stored = stored
        self.project = frozenset(self.modules) | frozenset(stored.keys if stored else ())
        self._project_packages = frozenset(name.split(".", 1)[0] for name in self.project)
        # What the file being checked has asked of the index (``begin_file``), if anybody
        # wants to know: its findings may change only when that does.
        self.trace: Trace | None = None
        # Memos of ``blocking.blocking_chain`` (per catalogue) and ``callers``.
        self._chains: dict[int, dict[str, list[str] | None]] = {}
        self.search = search if search is not None else []
        self.cache = cache or SummaryCache(None)
        self.library = library if library is not None else load_library_table()
        self._memo: dict[str, Definition | None] = {}
        self._following: set[str] = set()  # ``instance_of_call`` through ``returns_made``
        self._linearizations: dict[str, list[str] | None] = {}  # memo of ``mro.linearization``
        # Memo of ``methods.agreed_method_kind``: each library module's method kinds.
        self._library_methods: dict[str, MethodKinds] = {}
        self._neighbourhoods: dict[str, list[str] | None] = {}
        # Memos of ``flow.parameter_type``.
        self._parameter_types: dict[tuple[str, str], str | None] = {}
        self._effects: dict[str, Effects | None] = {}
        self._named_effects: dict[str, Effects | None] = {}
        # Answers about the whole project (``answer``), kept for the run, and the memos of
        # ``wide``: which modules mention which names, the aliases of a name, each class's
        # direct subclasses.
        self._answers: dict[str, Any] = {}
        # The answers the run's worker processes share (``prepare_for_workers``).
        self.shared: SharedAnswers | None = None
        self._names: NameTable | None = None
        self._spellings: dict[str, frozenset[str]] = {}
        self._library_renames: dict[str, set[str]] | None = None
        self._direct_subclasses: dict[str, list[tuple[ClassFact, str | None]]] = {}
        self._canonical_bases: dict[str, str] = {}
        self._definers: dict[str, list[tuple[str | None, frozenset[str]]]] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        # The library file each library module read was summarised from: path -> (size,
        # modification time).
        self._library_files: dict[str, dict[str, tuple[int, int]]] = {}

    # --- the file being checked ----------------------------------------------------------
    def begin_file(self, trace: Trace | None) -> None:
        """Start checking a file. With a ``trace``, what the checks ask of the index is recorded
        in it. The answers remembered for earlier files are forgotten (with a trace, they were
        recorded in those files' traces, not this one's; without, a worker that checks
        thousands of files would hold an answer for every name they ever asked about), except
        the ones about the whole project (``answer``)."""
        self.trace = trace
        self._reset_memos()

    def answer(self, kind: str, key: str) -> Any:
        """An answer about the whole project (who calls a private function, the call sites of
        a function, which classes redefine a method ...; see ``wide.project_answer``), kept
        for the rest of the run.

        With a trace, the answer (not what it was made from) is what the file depends on: its
        digest is recorded, and a later run checks it by asking again. An answer is made
        untraced, and the memos go back to what they were before it was made: what making it
        read is neither recorded as a dependency nor left in a memo that a traced question
        would hit without recording it. (The memos are not emptied for it: their entries for
        questions being answered are what ends a cycle, say a parameter's type that depends on
        call sites being gathered.)"""
        asked = f"{kind}\0{key}"
        if asked in self._answers:
            value = self._answers[asked]
        elif self.shared is not None and (found := self.shared.get(asked)) is not MISSING:
            value = self._answers[asked] = found  # another worker of the run made it
        else:
            trace, marks = self.trace, self._memo_marks()
            self.trace = None
            try:
                value = self._answers[asked] = project_answer(self, kind, key)
            finally:
                self.trace = trace
                self._forget_since(marks)
            if self.shared is not None:
                self.shared.put(asked, value)
        if self.trace is not None:
            self.trace.answers[asked] = answer_digest(value)
        return value

    def names(self) -> NameTable:
        """Which of the project's modules mention which names (``asynclint.index.names``)."""
        if self._names is None:
            given = [(n, name_entries(f) if f else []) for n, f in self._given.items()]
            if self.stored is not None:
                self._names = self.stored.name_table(given, self.project_module)
            else:
                self._names = NameTable(given)
        return self._names

    _MEMOS = (
        "_chains",
        "_memo",
        "_linearizations",
        "_library_methods",
        "_neighbourhoods",
        "_parameter_types",
        "_effects",
        "_named_effects",
    )

    def _memo_marks(self) -> tuple[int, ...]:
        """How many entries each memo holds now."""
        return tuple(len(getattr(self, name)) for name in self._MEMOS)

    def _reset_memos(self) -> None:
        for name in self._MEMOS:
            setattr(self, name, {})

    def _forget_since(self, marks: tuple[int, ...]) -> None:
        """Drop the memo entries made since ``_memo_marks``, in place: a question being
        answered holds its memo and writes its answer there when it ends. (An entry made
        earlier is only ever written again by the question that made it.)"""
        for name, mark in zip(self._MEMOS, marks, strict=True):
            memo: dict = getattr(self, name)
            for key in list(itertools.islice(reversed(memo), len(memo) - mark)):
                del memo[key]

    # --- modules ------------------------------------------------------------------------
    def module(self, name: str) -> ModuleFact | None:
        if self.trace is not None:
            self.trace.modules.add(name)
        if name in self.modules:
            fact = self.modules[name]
            if self.trace is not None and name in self._library_files:
                self.trace.libraries.update(self._library_files[name])
            return fact
        if self.stored is not None and name in self.stored.keys:
            return self._stored_module(name)
        fact = None
        located = find_module_file(name, self.search) if self.search else None
        if located is not None:
            path, is_package = located
            fact, status = self.cache.file_summary(path, name, is_package)
            if status is not None:
                self._library_files[name] = {str(path): status}
                if self.trace is not None:
                    self.trace.libraries[str(path)] = status
        if fact is not None and not fact.readable:
            fact = None  # source that does not parse may define anything: unknown
        self.modules[name] = fact
        return fact

    def project_module(self, name: str) -> ModuleFact | None:
        """A module of the project, read for an answer about the whole project (which says so
        with ``whole_project``): not traced."""
        if name in self.modules:
            return self.modules[name]
        if self.stored is not None and name in self.stored.keys:
            return self._stored_module(name)
        return None

    def _stored_module(self, name: str) -> ModuleFact | None:
        """A project module's summary, read from the store (or this run's text of it) when it
        is not among the ones read last: a worker that checks thousands of files would hold
        the whole project otherwise."""
        recent = self._recent_modules
        if name in recent:
            recent.move_to_end(name)
            return recent[name]
        fact = recent[name] = self.stored.load(name) if self.stored is not None else None
        if len(recent) > _RECENT_MODULES:
            recent.popitem(last=False)
        return fact

    # --- names --------------------------------------------------------------------------
    def find(self, qualified: str) -> Definition | None:
        """What a qualified name refers to, following imports, re-exports and base classes."""
        if qualified in self._memo:
            return self._memo[qualified]
        self._memo[qualified] = None  # a cycle resolves to nothing
        found = self._find(qualified, 0)
        self._memo[qualified] = found
        return found

    def _find(self, qualified: str, depth: int) -> Definition | None:
        if depth > _MAX_DEPTH or not qualified:
            return None
        alias = self.library.aliases.get(qualified)
        if alias:
            # None also when the alias is being resolved: its source re-exports this name.
            found = self.find(alias)
            if found is not None:
                return found
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module = self.module(".".join(parts[:cut]))
            if module is None:
                continue
            found = Definition("module", module.name, module=module)
            for part in parts[cut:]:
                found = self._member(found, part, depth + 1)
                if found is None:
                    return None
            return found
        return None

    def _member(self, owner: Definition, name: str, depth: int) -> Definition | None:
        qualified = f"{owner.qualified}.{name}"
        if owner.what == "module" and owner.module is not None:
            return self._module_member(owner.module, name, depth)
        if owner.what == "class":
            return self._class_member(owner.qualified, name, depth, set())
        if owner.what == "instance" and owner.type:
            return self._class_member(owner.type, name, depth, set())
        return Definition("unknown", qualified) if owner.what == "unknown" else None

    def _module_member(self, module: ModuleFact, name: str, depth: int) -> Definition | None:
        qualified = f"{module.name}.{name}"
        if name in module.ambiguous:
            return Definition("unknown", qualified)
        if name in module.functions:
            return Definition("function", qualified, function=module.functions[name])
        if name in module.classes:
            return Definition("class", qualified, klass=module.classes[name])
        if name in module.names:
            target = module.names[name]
            if target != qualified:
                return self._find(target, depth + 1)
        if name in module.variables and module.variables[name].startswith(CALLABLE_RETURNING):
            # ``Send = Callable[[Message], Awaitable[None]]``, ``handler: Callable[..., ...]``
            return Definition("instance", qualified, type=module.variables[name])
        if name in module.variables:
            # The summary records the constructor (or annotation); the instance is of its class.
            klass = (
                self.instance_of_call(module.variables[name]) if module.variables[name] else None
            )
            return Definition("instance", qualified, type=klass) if klass else None
        submodule = self.module(qualified) if module.is_package else None  # only packages
        if submodule is not None:
            return Definition("module", qualified, module=submodule)
        for star in module.stars:
            source = self.module(star)
            if source is not None and (source.exports is None or name in source.exports):
                found = self._module_member(source, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _class_member(
        self, klass: str, name: str, depth: int, seen: set[str], inherited: bool = False
    ) -> Definition | None:
        """``name`` looked up on class ``klass`` and then its bases. The library table speaks
        for the class it lists, not for subclasses: those may change the protocol (redis's
        ``Pipeline`` queues the commands that ``Redis`` runs)."""
        if klass in seen or depth > _MAX_DEPTH:
            return None
        seen.add(klass)
        qualified = f"{klass}.{name}"
        if not inherited and self.library.call_kind(qualified) is not None:
            return Definition("function", qualified)
        found = self.find(klass)
        if found is None or found.what != "class" or found.klass is None:
            return None
        if not inherited and len([b for b in found.klass.bases if b]) > 1:
            order = linearization(self, klass)  # several bases: Python's order, not depth-first
            if order is not None:
                for owner in order:
                    member = self._own_member(owner, name)
                    if member is not None:
                        return member
                return None
        return self._own_member(klass, name) or self._base_member(found.klass, name, depth, seen)

    def _base_member(
        self, fact: ClassFact, name: str, depth: int, seen: set[str]
    ) -> Definition | None:
        for base in fact.bases:
            if not base:
                continue
            member = self._class_member(base, name, depth + 1, seen, inherited=True)
            if member is not None:
                return member
        return None

    def _own_member(self, klass: str, name: str) -> Definition | None:
        """``name`` as the body of class ``klass`` itself defines it (not its bases)."""
        found = self.find(klass)
        if found is None or found.what != "class" or found.klass is None:
            return None
        qualified = f"{klass}.{name}"
        fact = found.klass
        if name in fact.methods:
            return Definition("function", f"{found.qualified}.{name}", function=fact.methods[name])
        if name in fact.attributes:
            kind = fact.attributes[name]
            if kind.startswith(PARAMETER):  # ``self.db = db``: what the call sites pass
                function, _, param = kind[len(PARAMETER) :].rpartition(":")
                kind = self.parameter_type(function, param) or ""
            elif kind.startswith(AWAITED):  # ``self.conn = await asyncpg.connect()``
                kind = self.instance_of_call(kind[len(AWAITED) :]) or ""
            elif kind.startswith(UNPACKED):  # ``self.r, self.w = await open_connection()``
                position, _, callee = kind[len(UNPACKED) :].partition(":")
                types = self.library.tuple_types(callee) or ()
                kind = types[int(position)] if int(position) < len(types) else ""
            elif kind:
                # ``self.loop = asyncio.get_event_loop()`` records the function called: the
                # attribute holds what it returns.
                made = self.find(kind)
                if made is None or made.what != "class":
                    kind = self.instance_of_call(kind) or (kind if made is None else "")
            return Definition("instance", qualified, type=kind) if kind else None
        return None

    # --- what rules ask -----------------------------------------------------------------
    def call_kind(self, qualified: str) -> str | None:
        """What calling ``qualified`` gives: COROUTINE, AWAITABLE, ASYNC_GENERATOR, SYNC,
        ASYNC_CONTEXT_MANAGER ... or None when unknown (the caller should stay silent)."""
        listed = self.library.call_kind(qualified)
        if listed is not None:
            return listed
        found = self.find(qualified)
        if found is None:
            return None
        if found.what == "function" and found.function is not None:
            listed = self.library.call_kind(found.qualified)
            if listed is not None:
                return listed
            kind = self.function_kind(found.function)
            returns = found.function.returns
            if kind == SYNC and self.hands_out_fresh_task(found.function):
                return TASK
            if kind == SYNC and returns in COROUTINE_TYPES:
                return COROUTINE  # ``def get(self) -> Coroutine[...]: return self.request()``
            if kind == SYNC and not returns and found.function.returns_made:
                if self._hands_on_coroutine(found.function.returns_made):
                    return COROUTINE  # ``def get(self, id): return self.request(...)``
            if kind == SYNC and returns:
                if returns in AWAITABLE_ANNOTATIONS:
                    return None  # returns some awaitable, perhaps a coroutine: unsure
                protocols = self.class_protocols(returns)
                if protocols is not None and "__await__" in protocols:
                    return AWAITABLE if COROUTINE_LIKE <= protocols else AWAITABLE_OBJECT
            return kind
        if found.what == "function":
            return self.library.call_kind(found.qualified)
        if found.what == "class":
            return SYNC  # constructing an object
        return None

    def is_project_name(self, qualified: str) -> bool:
        """Whether ``qualified`` names something in one of the project's own packages."""
        if self.trace is not None:
            self.trace.packages = True
        return qualified.split(".", 1)[0] in self._project_packages

    def never_awaitable(self, qualified: str) -> bool:
        """Whether calling ``qualified`` surely gives something that cannot be awaited (see
        ``asynclint.index.blocking.never_awaitable``); False when unsure."""
        return never_awaitable(self, qualified)

    def only_called_from_coroutines(self, qualified: str) -> bool:
        """Whether the project's private function ``qualified`` is called only from the
        project's coroutines (see ``asynclint.index.callers``)."""
        return only_called_from_coroutines(self, qualified)

    def parameter_type(self, function: str, param: str) -> str | None:
        """The class of an unannotated parameter of a project function, when every call site
        in the project passes one (see ``asynclint.index.flow``)."""
        return parameter_type(self, function, param)

    def passes_coroutine(self, function: str, param: str) -> bool:
        """Whether every call site in the project passes the unannotated parameter ``param``
        of the project function ``function`` a coroutine object (see ``asynclint.index.flow``)."""
        return passes_coroutine(self, function, param)

    def agreed_method_kind(self, module: str, method: str) -> str | None:
        """What ``x.m()`` gives in ``module`` when nothing types ``x``: the kind every class
        that defines ``m`` agrees on (see ``asynclint.index.methods``)."""
        return agreed_method_kind(self, module, method)

    def returns_fresh_task(self, qualified: str) -> bool:
        """Whether awaiting a call of the coroutine function ``qualified`` gives a task that
        nothing else holds (``async def start(): return asyncio.create_task(...)``)."""
        found = self.find(qualified)
        return (
            found is not None
            and found.function is not None
            and self.hands_out_fresh_task(found.function)
            and self.function_kind(found.function) == COROUTINE
        )

    def _hands_on_coroutine(self, made: str) -> bool:
        """Whether the function every ``return`` of a plain function calls is a coroutine
        function (of the project, not redefined otherwise by a subclass): the plain function
        hands on the coroutine it creates."""
        if made in self._following or not self.is_project_name(made):
            return False
        self._following.add(made)
        try:
            if self.call_kind(made) != COROUTINE:
                return False
        finally:
            self._following.discard(made)
        owner, _, method = made.rpartition(".")
        found = self.find(owner)
        if found is not None and found.what == "class":
            return not (self.overriding_kinds(found.qualified, method) - {COROUTINE})
        return True

    def hands_out_fresh_task(self, fact: FunctionFact, depth: int = 0) -> bool:
        """Whether every value the function returns is a task that it has just created and
        that nothing else holds. A return of another call counts when the callee is a project
        function that hands out a fresh task in turn (a project helper that also keeps the
        task, ``self._tasks.add(task)``, does not), or, for a function annotated ``->
        asyncio.Task``, a library's (its annotation is believed)."""
        if not fact.fresh_task:
            return False
        annotated = fact.returns in TASK_ANNOTATIONS
        for callee in fact.fresh_via:
            if not self.is_project_name(callee):
                if annotated and callee != "?":
                    continue
                return False
            found = self.find(callee) if depth < 4 else None
            if found is None or found.function is None:
                return False
            if not self.hands_out_fresh_task(found.function, depth + 1):
                return False
        return True

    def function_kind(self, fact: FunctionFact) -> str | None:
        kind: str | None = fact.kind
        for decorator in reversed(fact.decorators):
            if decorator in TRANSPARENT_DECORATORS:
                continue
            if decorator in KIND_DECORATORS:
                kind = KIND_DECORATORS[decorator]
                continue
            wrapper = self.find(decorator) if decorator != "?" else None
            effect = (
                wrapper.function.wraps
                if wrapper is not None and wrapper.function is not None
                else None
            )
            if effect == PASSTHROUGH or (effect == KEEPS_ASYNC and kind == COROUTINE):
                continue
            kind = COROUTINE if effect == COROUTINE else UNKNOWN
        if kind == UNKNOWN:
            return None
        return kind

    def instance_of_call(self, qualified: str) -> str | None:
        """The class of what calling ``qualified`` returns (awaited, for a coroutine):
        a class's constructor, an annotated return type, or the library table's entry (the
        async libraries' table, then the blocking catalogue's constructors)."""
        listed = self.library.return_type(qualified) or self._blocking_class(qualified)
        if listed:
            return listed
        if qualified in PLAIN_ITERABLE_TYPES and qualified.startswith("builtins."):
            return qualified  # ``list(...)``, and a module-level ``[...]`` (see ``summarise``)
        found = self.find(qualified)
        if found is None:
            return None
        if found.what == "class":
            return found.qualified
        if found.what == "function":
            listed = self.library.return_type(found.qualified)
            if listed:
                return listed
            if found.function is not None and found.function.returns:
                return found.function.returns
            made = found.function.returns_made if found.function is not None else None
            if made and made != qualified and made not in self._following:
                self._following.add(made)  # ``def f(): return g()`` and back would not end
                try:
                    return self.instance_of_call(made)
                finally:
                    self._following.discard(made)
        return None

    def blocking_chain(
        self, qualified: str, family_of: Callable[[str], object | None], depth: int = 4
    ) -> list[str] | None:
        """For a sync function of the project: the chain of calls down to a blocking call
        (``["pkg.load", "pkg.read", "builtins.open"]``), up to ``depth`` levels; None when
        none is found (see ``asynclint.index.blocking.blocking_chain``)."""
        return blocking_chain(self, qualified, family_of, depth)

    def call_effects(self, qualified: str) -> Effects | None:
        """Whether calling ``qualified`` can suspend, and the state it changes (see
        ``asynclint.index.effects.call_effects``); None when its body cannot be read."""
        if qualified not in self._effects:
            self._effects[qualified] = call_effects(self, qualified)
        return self._effects[qualified]

    def named_method_effects(self, method: str) -> Effects | None:
        """The merged effects of every project method named ``method`` (see
        ``asynclint.index.effects.named_method_effects``)."""
        if method not in self._named_effects:
            self._named_effects[method] = named_method_effects(self, method)
        return self._named_effects[method]

    def _blocking_class(self, qualified: str) -> str | None:
        return load_blocking_catalogue().class_of_constructor(qualified)

    def member(self, klass: str, name: str) -> str | Instance | None:
        """An attribute of an instance of ``klass``: a method's qualified name, or an
        ``Instance`` for a data attribute of known type."""
        found = self._class_member(klass, name, 0, set())
        if found is None:
            return None
        if found.what == "instance" and found.type:
            return Instance(found.type)
        if found.what == "function":
            return found.qualified
        return None

    def entered_type(self, klass: str, is_async: bool) -> str | None:
        """The class of what ``with X() as y`` (``async with``) binds for an ``X`` object: the
        return annotation of ``__enter__``/``__aenter__``, or ``X`` when it returns ``self``
        (or when ``X`` has no such method the index can see); None when unsure."""
        method = self.member(klass, "__aenter__" if is_async else "__enter__")
        if not isinstance(method, str):
            return klass if method is None else None
        found = self.find(method)
        if found is None or found.function is None:
            return self.library.return_type(method)
        if found.function.returns_self:
            return klass
        return self.instance_of_call(method)  # its annotation, or what it returns

    def canonical(self, klass: str) -> str:
        """A class's name where it is defined (``aiohttp.ClientResponse`` ->
        ``aiohttp.client_reqrep.ClientResponse``), so names reached by different paths compare."""
        found = self.find(klass)
        return found.qualified if found is not None and found.what == "class" else klass

    def overriding_kinds(self, klass: str, method: str) -> set[str | None]:
        """The kinds of ``method`` as the project's subclasses of ``klass`` (at any depth, nested
        classes included) redefine it. A receiver typed ``klass`` may be any of them."""
        return set(self.answer("overriding-kinds", f"{klass}\0{method}"))

    def prepare_for_workers(self) -> None:
        """Make what every worker process would otherwise make for itself, before they start
        and share it: which modules mention which names; and the file through which they
        share their answers about the whole project (``asynclint.index.shared``)."""
        self.names()
        if self.shared is None:
            self.shared = SharedAnswers.create()

    def close_shared(self) -> None:
        """Remove the file of shared answers (the run is over)."""
        if self.shared is not None:
            self.shared.remove()
            self.shared = None

    def plain_class(self, qualified: str) -> bool:
        """Whether the class and each of its bases are the project's (or a library's read as
        source) and none gets methods from beyond its body (decorator, metaclass,
        ``__getattr__``): what its body defines is all it has."""
        found = self.find(qualified)
        if found is None or found.what != "class" or found.klass is None or found.klass.magic:
            return False
        return all(
            base == "builtins.object" or (base and self.plain_class(base))
            for base in found.klass.bases
        )

    def class_protocols(self, qualified: str) -> frozenset[str] | None:
        """The async and sync protocol methods (``__aenter__``, ``__await__`` ...) instances of
        the class support, its bases included; None when a base cannot be seen."""
        if qualified in ABSTRACT_PROTOCOLS:
            return ABSTRACT_PROTOCOLS[qualified]
        listed = self.library.class_protocols(qualified)
        if listed is not None:
            # The table names protocols ("awaitable"); answers are in dunder methods.
            return frozenset(m for name in listed for m in TABLE_PROTOCOLS.get(name, (name,)))
        found = self.find(qualified)
        if found is None or found.what != "class" or found.klass is None:
            return None
        protocols = set(found.klass.protocols)
        for base in found.klass.bases:
            if not base:
                return None  # a base the index cannot see may add protocols
            inherited = self.class_protocols(base)
            if inherited is None:
                return None
            protocols |= inherited
        return frozenset(protocols)


def answer_digest(value: object) -> str:
    """The digest of an answer's plain data (lists, dicts, strings, numbers, None)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
