"""What functions and objects do with the values they are given: where a coroutine in place of
the result it stands for is surely a mistake, and where it is handed on to be awaited later.

The missing-await rules (AL1xx) read these tables; a name missing from them is never reported.
"""

from __future__ import annotations

# What a coroutine object has of its own: reading one of these is not a mistake.
COROUTINE_ATTRIBUTES = frozenset(
    {
        "send",
        "throw",
        "close",
        "cr_await",
        "cr_frame",
        "cr_running",
        "cr_code",
        "cr_origin",
        "cr_suspended",
        "__await__",
        "__class__",
        "__name__",
        "__qualname__",
    }
)

# The classes a coroutine object is an instance of, by their last name: ``isinstance(coro, X)``
# with one of these is a deliberate check, not a mistake.
COROUTINE_CLASSES = frozenset(
    {"object", "Awaitable", "Coroutine", "CoroutineType", "Hashable", "Generator", "Any"}
)

# Functions that accept any object, so a coroutine passed in place of its result gives a
# silently wrong answer (printed as ``<coroutine object ...>``, always true, never an instance
# of the class asked about) rather than an error.
DESCRIBING_FUNCTIONS = frozenset(
    {
        "builtins.print",
        "builtins.str",
        "builtins.repr",
        "builtins.ascii",
        "builtins.format",
        "builtins.bool",
        "builtins.hash",
        "builtins.callable",
        "builtins.hasattr",
        "builtins.getattr",
        "builtins.isinstance",
        "pprint.pprint",
        "pprint.pformat",
    }
)

# Functions that need a value of some kind (a number, an iterable, a string or path, something
# JSON or pickle can encode): a coroutine passed in place of its result raises TypeError. None
# of them takes an awaitable.
VALUE_FUNCTIONS = frozenset(
    {
        *(
            f"builtins.{name}"
            for name in (
                "abs",
                "all",
                "any",
                "bin",
                "bytearray",
                "bytes",
                "chr",
                "complex",
                "dict",
                "divmod",
                "enumerate",
                "filter",
                "float",
                "frozenset",
                "hex",
                "int",
                "issubclass",
                "iter",
                "len",
                "list",
                "map",
                "max",
                "memoryview",
                "min",
                "next",
                "oct",
                "open",
                "ord",
                "pow",
                "reversed",
                "round",
                "set",
                "sorted",
                "sum",
                "tuple",
                "zip",
                "str.join",
                "bytes.join",
            )
        ),
        "base64.b64decode",
        "base64.b64encode",
        "base64.urlsafe_b64decode",
        "base64.urlsafe_b64encode",
        "copy.deepcopy",
        "datetime.datetime.fromisoformat",
        "datetime.datetime.fromtimestamp",
        "decimal.Decimal",
        "hashlib.md5",
        "hashlib.sha1",
        "hashlib.sha256",
        "hashlib.sha512",
        "html.escape",
        "json.dump",
        "json.dumps",
        "json.load",
        "json.loads",
        "math.ceil",
        "math.floor",
        "os.fspath",
        "os.path.abspath",
        "os.path.basename",
        "os.path.dirname",
        "os.path.exists",
        "os.path.join",
        "pathlib.Path",
        "pathlib.PurePath",
        "pickle.dump",
        "pickle.dumps",
        "re.findall",
        "re.fullmatch",
        "re.match",
        "re.search",
        "re.split",
        "re.sub",
        "shlex.quote",
        "shlex.split",
        "urllib.parse.quote",
        "urllib.parse.quote_plus",
        "urllib.parse.urlencode",
        "urllib.parse.urljoin",
        "urllib.parse.urlparse",
        "uuid.UUID",
    }
)

# Of the functions above, those that look only at their first argument: the others may be
# anything (``getattr(obj, "name", default)``: a coroutine default may be awaited afterwards).
FIRST_ARGUMENT_ONLY = frozenset(
    {
        "builtins.format",
        "builtins.getattr",
        "builtins.hasattr",
        "builtins.isinstance",
        "builtins.issubclass",
        "builtins.next",
        "json.dump",
        "pickle.dump",
    }
)

# Methods of a string literal that use their arguments as strings (``", ".join(...)`` needs an
# iterable of strings, ``"{}".format(...)`` formats them).
STRING_METHODS_FORMATTING = frozenset({"format"})
STRING_METHODS_NEEDING_VALUES = frozenset(
    {"join", "startswith", "endswith", "split", "rsplit", "replace", "find", "count"}
)

# Methods that put their argument into a container (``jobs.append(coro)``): the container then
# holds the coroutine, and whoever reads the container may await it.
CONTAINER_ADD_METHODS = frozenset({"append", "appendleft", "add", "insert", "setdefault"})

# Calls that make a new, empty container (``jobs = defaultdict(list)``).
CONTAINER_CONSTRUCTORS = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.set",
        "collections.defaultdict",
        "collections.deque",
        "collections.OrderedDict",
    }
)

# Functions that take awaitables as separate arguments, not a list of them: passed a list, they
# raise TypeError and the awaitables in it never run.
AWAITABLES_AS_ARGUMENTS = frozenset({"asyncio.gather"})
