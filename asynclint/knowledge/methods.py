"""Method names whose meaning on an object of unknown type is not up to the project.

``x.m()`` on a receiver nothing types is taken for a coroutine call only when every class
that defines ``m`` agrees that it is a coroutine function (``asynclint.index.methods``). The
objects code handles most are builtins and a few standard-library classes, whose methods are
plain functions; they count among those classes wherever the project is. Their method names
are read from this interpreter's own classes (never from the code being analysed).
"""

from __future__ import annotations

import functools

# Modules whose classes' method names count everywhere, and the classes read from each.
_EVERYDAY_CLASSES = {
    "builtins": (
        "object", "str", "bytes", "bytearray", "int", "float", "complex", "list", "dict",
        "set", "frozenset", "tuple", "type", "BaseException", "memoryview", "range", "slice",
        "property",
    ),
    "collections": ("deque", "OrderedDict", "Counter", "defaultdict", "ChainMap"),
    "io": ("IOBase", "TextIOWrapper", "BufferedReader", "BufferedWriter", "BytesIO", "StringIO"),
    "threading": ("Thread", "Event", "Condition", "Semaphore", "Timer", "Barrier"),
    "queue": ("Queue",),
    "socket": ("socket",),
    "subprocess": ("Popen",),
    "logging": ("Logger", "Handler"),
    "pathlib": ("Path",),
    "concurrent.futures": ("Future", "Executor", "ThreadPoolExecutor"),
    "asyncio": ("Future", "Task", "AbstractEventLoop", "Handle", "StreamWriter"),
    "re": ("Pattern", "Match"),
    "datetime": ("datetime", "timedelta"),
    "sqlite3": ("Connection", "Cursor"),
    "json": ("JSONEncoder", "JSONDecoder"),
    "weakref": ("WeakValueDictionary", "WeakSet"),
}  # fmt: skip

# Modules that make objects answering to any method name (a mock's ``client.save()`` returns
# another mock): in a module that imports one, an untyped receiver may be such an object.
ANY_ATTRIBUTE_MODULES = frozenset({"unittest.mock", "mock", "pytest_mock", "asynctest"})
# Modules whose users are handed objects of classes they never import: pytest passes its
# fixtures' values (``tmpdir``, a ``py.path.local``; any plugin's) to test functions, so an
# untyped receiver in a module that imports it may be of a class nothing in sight defines.
INJECTING_MODULES = frozenset({"pytest", "_pytest"})


@functools.cache
def everyday_method_names() -> frozenset[str]:
    """The names of the plain (not ``async``) methods of builtins and everyday stdlib
    classes: ``get``, ``close``, ``write``, ``join``, ``send``, ``result`` ..."""
    import importlib
    import inspect

    names: set[str] = set()
    for module_name, classes in _EVERYDAY_CLASSES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a stdlib module this interpreter was built without
            continue
        for class_name in classes:
            klass = getattr(module, class_name, None)
            if klass is None:
                continue
            for name in dir(klass):
                member = inspect.getattr_static(klass, name, None)
                if not inspect.iscoroutinefunction(member):
                    names.add(name)
    # Lock types are made by factories; their methods are the same on every kind of lock.
    names.update({"acquire", "release", "locked"})
    return frozenset(names)
