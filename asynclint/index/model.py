"""The facts the project index records: one summary per module, and what names refer to.

A summary (``ModuleFact``) is what ``summarise`` reads from a module's source; it is stored as
JSON in the summary cache, so it holds only plain data. ``Definition`` and ``Instance`` are what
the queries answer with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields

# ``FunctionFact.wraps`` of a decorator whose sync wrapper returns what the wrapped function
# returns: the decorated function keeps its kind.
PASSTHROUGH = "passthrough"
# ``FunctionFact.wraps`` of a decorator that returns an async wrapper for a coroutine function
# and a sync one otherwise: a coroutine function stays one, a plain function is unknown.
KEEPS_ASYNC = "keeps-async"
# ``ClassFact.attributes`` of ``self.x = await f()``: ``await:f``, what awaiting the call gives;
# of ``self.r, self.w = await f()``: ``unpack:1:f``, the second item of the tuple it gives.
AWAITED = "await:"
UNPACKED = "unpack:"


@dataclass(slots=True)
class FunctionFact:
    """A function or method as defined: its own kind, its decorators, its return annotation."""

    kind: str
    decorators: list[str] = field(default_factory=list)  # qualified, innermost last
    returns: str | None = None  # qualified outer type of the return annotation
    # For a decorator: what the function it returns is (``@wraps`` wrapper found inside).
    wraps: str | None = None
    # What the body calls directly (qualified; ``self.m()`` as ``<module>.<Class>.m``), in
    # order, outside nested functions and lambdas: for following sync helpers that block.
    calls: list[str] = field(default_factory=list)
    # Those of ``calls`` that the blocking-call catalogue lists, made here only with arguments
    # that keep them from blocking (``zipfile.ZipFile(io.BytesIO(data))``): not followed.
    quiet_calls: list[str] = field(default_factory=list)
    # Those of ``calls`` made as statements of their own (``self.flush()``): their results
    # are dropped, so a coroutine one of them makes never runs.
    dropped_calls: list[str] = field(default_factory=list)
    # Whether every value it returns is a task it has just created and kept no other reference
    # to (``return asyncio.create_task(...)``): the caller alone holds the task.
    fresh_task: bool = False
    # For ``fresh_task`` read from a ``-> asyncio.Task`` annotation: the callees whose results
    # it returns (``"?"``: one that cannot be named); each must hand out a fresh task too.
    fresh_via: list[str] = field(default_factory=list)
    # Whether it may return a value: a ``return`` with a value other than ``None``, a ``yield``,
    # or a body that is only a placeholder (``...``, ``pass``, ``raise NotImplementedError``),
    # which an override or a stub stands in for.
    returns_value: bool = True
    # Whether its body only raises (``raise NotImplementedError``): it never returns at all.
    never_returns: bool = False
    # Whether its body is a placeholder (``...``, ``pass``, docstring): a stub or an abstract
    # method, whose annotation is all there is to know.
    placeholder: bool = False
    # Whether every value it returns is built right there (a literal, an operation, a display):
    # then a plain return annotation can be trusted. Annotations of values that come from
    # calls are not (``def suglen(self) -> int: return self.execute_command(...)`` returns an
    # awaitable in an async client).
    plain_returns: bool = False
    # The positional parameters' names, in order (``self`` included), for call-site flow.
    params: list[str] = field(default_factory=list)
    # The parameters whose type the body tests (``isinstance(x, str)``, ``hasattr(x, "read")``):
    # the function expects several kinds, whatever its call sites pass.
    tested: list[str] = field(default_factory=list)
    # Whether every ``return`` gives the receiver (``return self``): an ``__aenter__`` so
    # written enters as the object itself.
    returns_self: bool = False
    # The callee (qualified) whose call every ``return`` gives, as in
    # ``return Client(url)``: the function returns what that call makes.
    returns_made: str | None = None
    # For ``async def``: False when its own body holds no ``await``, ``async for`` or
    # ``async with`` and is no placeholder, so a call never lets other tasks run.
    suspends: bool = True
    # The state it changes besides its locals: ``self.<attr>`` for an attribute of its receiver
    # that it assigns, deletes, stores an item into or calls a mutating method on, and
    # ``global:<name>`` for a module-level name it changes so (see ``summarise._writes``).
    writes: list[str] = field(default_factory=list)
    # Whether it is a plain generator function (``def`` with ``yield``): its call gives a
    # generator, which cannot be awaited.
    generator: bool = False
    # Whether its own body calls a ``sleep`` (``asyncio.sleep``, ``trio.sleep``): it paces
    # itself, as rate-limited and retrying calls do.
    paces: bool = False


@dataclass(slots=True)
class ClassFact:
    bases: list[str] = field(default_factory=list)  # qualified; "" when not resolvable
    methods: dict[str, FunctionFact] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)  # name -> qualified type
    protocols: list[str] = field(default_factory=list)  # dunder methods defined here
    # Every name the class or its methods assign as data (``self.handler = handler``,
    # ``retries = 3``), typed or not: such a name may hold any callable.
    data: list[str] = field(default_factory=list)
    # Whether something beyond its body may give it methods: a class decorator, a metaclass,
    # ``__getattr__``/``__getattribute__``.
    magic: bool = False


@dataclass(slots=True)
class ModuleFact:
    name: str
    is_package: bool = False
    functions: dict[str, FunctionFact] = field(default_factory=dict)
    classes: dict[str, ClassFact] = field(default_factory=dict)
    # local name -> qualified name, for imports and module-level aliases (``f = other.f``)
    names: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # name -> qualified type
    stars: list[str] = field(default_factory=list)  # modules star-imported
    exports: list[str] | None = None  # a literal ``__all__``
    ambiguous: list[str] = field(default_factory=list)  # bound in conflicting ways
    # Classes defined inside functions or other classes: not reachable by name, but they may
    # override methods of the classes they derive from.
    local_classes: list[ClassFact] = field(default_factory=list)
    # Private names (``_helper``) used other than by a call in a module-level function or a
    # method: called at module level or in nested functions and lambdas, or taken as a value
    # (``loop.call_soon(_helper)``). Such a function may run anywhere.
    loose_private: list[str] = field(default_factory=list)
    # False when the source could not be parsed (not even as newer syntax): the summary is
    # empty, and the module's facts are unknown.
    readable: bool = True
    # Calls of functions that may be the project's: [callee, positional evidence, keyword
    # evidence, whether ``*args``/``**kwargs`` are passed] (see ``asynclint.index.callsites``).
    call_sites: list[list] = field(default_factory=list)
    # Attribute names read other than as the callee of a call (``callback=self.save``).
    attribute_refs: list[str] = field(default_factory=list)
    # Qualified names read other than as a callee (``app.add_route(handle)``).
    name_refs: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """Plain data for the store: fields at their default are left out (most of a
        summary's fields are, which makes it a third of the size)."""
        data = _changed(self)
        data["name"] = self.name
        if self.functions:
            data["functions"] = {k: _changed(v) for k, v in self.functions.items()}
        if self.classes:
            data["classes"] = {k: _class_to_json(v) for k, v in self.classes.items()}
        if self.local_classes:
            data["local_classes"] = [_class_to_json(v) for v in self.local_classes]
        return data

    @classmethod
    def from_json(cls, data: dict) -> ModuleFact:
        """The summary ``to_json`` gave ``data`` for; a value of the wrong shape (what a
        damaged or edited store may hold) raises ``TypeError`` here, never later in a rule."""
        nested = ("functions", "classes", "local_classes")
        fact = cls(**_checked(cls, data, nested))
        fact.functions = {
            k: _function_from_json(v) for k, v in _mapping(data.get("functions", {})).items()
        }
        fact.classes = {
            k: _class_from_json(v) for k, v in _mapping(data.get("classes", {})).items()
        }
        local = data.get("local_classes", [])
        if type(local) is not list:
            raise TypeError("local_classes: not a list")
        fact.local_classes = [_class_from_json(v) for v in local]
        return fact


# Each summary class's fields with their defaults: what ``to_json`` leaves out.
_DEFAULTS: dict[type, dict[str, object]] = {}


def _defaults(kind: type) -> dict[str, object]:
    found = _DEFAULTS.get(kind)
    if found is None:
        found = _DEFAULTS[kind] = {}
        for item in fields(kind):
            if item.default is not MISSING:
                found[item.name] = item.default
            elif item.default_factory is not MISSING:
                found[item.name] = item.default_factory()
    return found


def _changed(fact: FunctionFact | ClassFact | ModuleFact) -> dict[str, object]:
    """The plain fields of ``fact`` that differ from their default."""
    defaults = _defaults(type(fact))
    out: dict[str, object] = {}
    for item in fields(fact):
        if item.name in ("functions", "classes", "local_classes", "methods", "name"):
            continue
        value = getattr(fact, item.name)
        if item.name not in defaults or value != defaults[item.name]:
            out[item.name] = value
    return out


def _class_to_json(fact: ClassFact) -> dict[str, object]:
    data = _changed(fact)
    if fact.methods:
        data["methods"] = {k: _changed(v) for k, v in fact.methods.items()}
    return data


def _class_from_json(value: dict) -> ClassFact:
    fact = ClassFact(**_checked(ClassFact, _mapping(value), ("methods",)))
    fact.methods = {
        k: _function_from_json(v) for k, v in _mapping(value.get("methods", {})).items()
    }
    return fact


def _function_from_json(value: dict) -> FunctionFact:
    return FunctionFact(**_checked(FunctionFact, _mapping(value), ()))


def _mapping(value: object) -> dict:
    """``value``, a dictionary with string keys, or ``TypeError``."""
    if type(value) is not dict or not all(type(key) is str for key in value):
        raise TypeError("not a mapping of names")
    return value  # type: ignore[return-value]


# Per summary class: each plain field's test of a stored value, made from its annotation.
_CHECKS: dict[type, dict[str, Callable[[object], bool]]] = {}


def _checked(kind: type, data: dict, nested: tuple[str, ...]) -> dict:
    """The plain fields of ``data`` for a ``kind``, each tested against its annotation."""
    checks = _CHECKS.get(kind)
    if checks is None:
        checks = _CHECKS[kind] = {item.name: _check_of(str(item.type)) for item in fields(kind)}
    out = {}
    for name, value in data.items():
        if name in nested:
            continue
        check = checks.get(name)
        if check is None or not check(value):
            raise TypeError(f"{kind.__name__}.{name}: a value of the wrong shape")
        out[name] = value
    return out


def _check_of(annotation: str) -> Callable[[object], bool]:
    """A test of a stored value for a field annotated ``annotation`` (the plain types a
    summary holds: ``str``, ``bool``, ``None``, ``list[...]``, ``dict[str, ...]``, unions)."""
    if " | " in annotation:
        options = [_check_of(part) for part in annotation.split(" | ")]
        return lambda value: any(check(value) for check in options)
    plain = {"str": str, "bool": bool, "int": int, "None": type(None), "list": list, "dict": dict}
    if annotation in plain:
        wanted = plain[annotation]
        return lambda value: type(value) is wanted
    if annotation.startswith("list[") and annotation.endswith("]"):
        item = _check_of(annotation[5:-1])
        return lambda value: type(value) is list and all(item(v) for v in value)
    if annotation.startswith("dict[str, ") and annotation.endswith("]"):
        item = _check_of(annotation[10:-1])
        return lambda value: (
            type(value) is dict and all(type(k) is str and item(v) for k, v in value.items())
        )
    return lambda value: True  # a nested summary: checked when it is made


@dataclass(frozen=True)
class Instance:
    """An object of the class with this qualified name (``"aiohttp.ClientSession"``); for a
    container, the class of its items (``list[Client]``: ``item="pkg.Client"``), or of a
    mapping's values."""

    type: str
    item: str | None = None


@dataclass(frozen=True)
class Definition:
    """What a qualified name refers to, as the index found it (``ProjectIndex.find``)."""

    what: str  # "module" | "class" | "function" | "instance" | "unknown"
    qualified: str  # where it is defined (imports and re-exports followed)
    module: ModuleFact | None = None
    klass: ClassFact | None = None
    function: FunctionFact | None = None  # None for a function only the library table knows
    type: str | None = None  # for instances: the qualified name of their class
