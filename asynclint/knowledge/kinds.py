"""What calling something gives: the kinds the index records and the rules compare.

The project index stores these strings in its summaries (``FunctionFact.kind``), the library
table uses the same spellings (``asynclint/data/libraries.toml``), and the facts answer with
them (``CALL_KIND``).
"""

from __future__ import annotations

COROUTINE = "coroutine"  # ``async def``: a coroutine to await
ASYNC_GENERATOR = "async-generator"  # ``async def`` with ``yield``: iterate with ``async for``
SYNC = "sync"  # a plain function (generators included)
ASYNC_CONTEXT_MANAGER = "async-context-manager"  # ``@asynccontextmanager``
CONTEXT_MANAGER = "context-manager"  # ``@contextmanager``
PROPERTY = "property"  # read as an attribute, not called
TASK = "task"  # returns a new ``asyncio.Task`` that nothing else holds
UNKNOWN = "unknown"  # a decorator the index cannot see through, or several definitions
AWAITABLE = "awaitable"  # not a coroutine, but must be awaited or it does nothing (or is lost)
# An object that may be awaited but does its work anyway (a task handle, a future): dropping it
# is not a missing ``await``; awaiting it is not an error either.
AWAITABLE_OBJECT = "awaitable-object"

# The type the index records for a slot annotated ``Callable[..., Coroutine[...]]`` (or
# ``Awaitable[T]``): ``callable->coroutine``, a function whose call gives that kind.
CALLABLE_RETURNING = "callable->"
CALLABLE_TYPES = frozenset({"typing.Callable", "collections.abc.Callable"})
COROUTINE_TYPES = frozenset({"typing.Coroutine", "collections.abc.Coroutine"})
AWAITABLE_TYPES = frozenset({"typing.Awaitable", "collections.abc.Awaitable"})

# Annotations that wrap one type with ``None`` (``Optional[T]``, ``Union[T, None]``): both the
# index's and the engine's annotation readers see the class inside.
OPTIONAL_WRAPPERS = frozenset(
    {"typing.Optional", "typing.Union", "typing_extensions.Optional", "typing_extensions.Union"}
)

# The builtin containers: plain iterables, never async ones.
_CONTAINERS = ("list", "tuple", "set", "frozenset", "dict", "str", "bytes", "bytearray", "range")
# The builtin type a display or a comprehension makes (``[...]`` is a ``list``), by the node's
# class name in either tree (LibCST's and ``ast``'s names agree for these).
DISPLAY_CLASSES = {
    "List": "builtins.list",
    "ListComp": "builtins.list",
    "Tuple": "builtins.tuple",
    "Set": "builtins.set",
    "SetComp": "builtins.set",
    "Dict": "builtins.dict",
    "DictComp": "builtins.dict",
}
# The abstract sync iterables of ``typing`` and ``collections.abc``.
_ABSTRACT = (
    "Iterable",
    "Iterator",
    "Generator",
    "Collection",
    "Sequence",
    "MutableSequence",
    "Mapping",
    "MutableMapping",
    "AbstractSet",
    "Set",
    "MutableSet",
    "KeysView",
    "ValuesView",
    "ItemsView",
)
# Types (as annotations of parameters and attributes name them) whose values are plain iterables.
PLAIN_ITERABLE_TYPES = frozenset(
    {
        *(f"builtins.{name}" for name in _CONTAINERS),
        *(f"typing.{name}" for name in ("List", "Tuple", "Set", "FrozenSet", "Dict")),
        *(f"{module}.{name}" for module in ("typing", "collections.abc") for name in _ABSTRACT),
    }
)
# Annotations of containers whose items (``x[i]``, ``for y in x``) are of their one argument
# (``list[Client]``), and of mappings whose values (``x[k]``, ``x.values()``) are of their last.
SEQUENCE_TYPES = frozenset(
    {
        *(f"builtins.{name}" for name in ("list", "set", "frozenset")),
        *(f"typing.{name}" for name in ("List", "Set", "FrozenSet", "Sequence", "Iterable",
                                         "Iterator", "Collection", "MutableSequence", "Deque")),
        *(f"collections.abc.{name}" for name in ("Sequence", "Iterable", "Iterator",
                                                  "Collection", "MutableSequence", "Set")),
        "collections.deque",
    }
)  # fmt: skip
MAPPING_TYPES = frozenset(
    {
        "builtins.dict",
        *(f"typing.{name}" for name in ("Dict", "Mapping", "MutableMapping", "DefaultDict",
                                         "OrderedDict")),
        *(f"collections.abc.{name}" for name in ("Mapping", "MutableMapping")),
        "collections.defaultdict",
        "collections.OrderedDict",
    }
)  # fmt: skip
# Builtins whose call gives a plain iterable or iterator, whatever the arguments.
PLAIN_ITERABLE_CALLS = frozenset(
    f"builtins.{name}"
    for name in (*_CONTAINERS, "enumerate", "zip", "reversed", "sorted", "map", "filter", "iter")
)
