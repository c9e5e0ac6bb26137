"""The catalogue of blocking calls: it loads, it is consistent, well-known facts hold, and a
user's configuration extends and trims it.

None of these tests needs the libraries themselves; ``tests/check_blocking_catalogue.py`` is the
tool that compares the catalogue with their source.
"""

from __future__ import annotations

import ast
import re

import pytest

from asynclint.knowledge.arguments import Argument, Arguments
from asynclint.knowledge.blocking import (
    BlockingCatalogue,
    load_blocking_catalogue,
    parse_blocking_catalogue,
)


@pytest.fixture(scope="module")
def catalogue() -> BlockingCatalogue:
    return load_blocking_catalogue()


FAMILY_OF = [
    ("time.sleep", "sleep"),
    ("requests.get", "network"),
    ("requests.Session.get", "network"),
    ("requests.sessions.Session.get", "network"),
    ("requests.Session.send", "network"),
    ("urllib.request.urlopen", "network"),
    ("urllib3.request", "network"),
    ("urllib3.PoolManager.request", "network"),
    ("urllib3.HTTPSConnectionPool.urlopen", "network"),
    ("urllib3.ProxyManager.request_encode_body", "network"),
    ("http.client.HTTPSConnection.getresponse", "network"),
    ("httpx.get", "network"),
    ("httpx.Client.get", "network"),
    ("httpx.Client.stream", "network"),
    ("smtplib.SMTP_SSL.sendmail", "network"),
    ("ftplib.FTP.retrbinary", "network"),
    ("xmlrpc.client.ServerProxy.any_remote_method", "network"),
    ("xmlrpc.client.Server.system.listMethods", "network"),
    ("socket.getaddrinfo", "network"),
    ("subprocess.run", "process"),
    ("subprocess.Popen", "process"),
    ("subprocess.Popen.communicate", "process"),
    ("os.system", "process"),
    ("os.spawnvpe", "process"),
    ("os.waitpid", "process"),
    ("builtins.open", "file"),
    ("io.open", "file"),
    ("os.fdopen", "file"),
    ("io.TextIOWrapper.read", "file"),
    ("shutil.rmtree", "file"),
    ("os.path.exists", "file"),
    ("os.listdir", "file"),
    ("pathlib.Path.read_text", "file"),
    ("pathlib.PosixPath.read_text", "file"),
    ("threading.Lock.acquire", "thread-sync"),
    ("threading.BoundedSemaphore.acquire", "thread-sync"),
    ("threading.Thread.join", "thread-sync"),
    ("queue.Queue.get", "thread-sync"),
    ("queue.LifoQueue.put", "thread-sync"),
    ("concurrent.futures.Future.result", "thread-sync"),
    ("concurrent.futures.ThreadPoolExecutor.shutdown", "thread-sync"),
    ("multiprocessing.Pool.map", "thread-sync"),
    ("multiprocessing.JoinableQueue.get", "thread-sync"),
    ("builtins.input", "console"),
    ("sys.stdin.readline", "console"),
    ("sqlite3.connect", "database"),
    ("sqlite3.Cursor.fetchall", "database"),
    ("psycopg2.extras.DictCursor.execute", "database"),
    ("psycopg.ServerCursor.fetchone", "database"),
    ("pymysql.cursors.SSDictCursor.fetchall", "database"),
    ("redis.Redis.get", "database"),
    ("redis.StrictRedis.get", "database"),
    ("redis.client.Redis.hgetall", "database"),
    ("redis.client.Pipeline.execute", "database"),
    ("pymongo.collection.Collection.find_one", "database"),
    ("sqlalchemy.orm.Session.execute", "database"),
]

NOT_BLOCKING = [
    # socket objects: non-blocking in async code, as a rule (setblocking is not tracked)
    "socket.socket.recv",
    "socket.socket.sendall",
    "ssl.SSLSocket.recv",
    "asyncio.sleep",
    "trio.sleep",
    "anyio.Path.read_text",
    "httpx.AsyncClient.get",
    "aiohttp.ClientSession.get",
    "redis.asyncio.Redis.get",
    "redis.asyncio.client.Pipeline.execute",
    "motor.motor_asyncio.AsyncIOMotorCollection.find_one",
    "sqlalchemy.ext.asyncio.AsyncSession.execute",
    "queue.Queue.get_nowait",
    "queue.SimpleQueue.put",
    "os.path.join",
    "os.getcwd",
    "pathlib.Path",
    "pathlib.Path.joinpath",
    "pathlib.PosixPath.cwd",
    "socket.gethostname",
    "socket.socket.makefile",
    "requests.session",  # creating a session does no I/O
    "xmlrpc.client.ServerProxy",  # nor does creating a proxy
    "psycopg2.extensions.cursor.fetchall",
    "pymysql.cursors.DictCursor.fetchone",
    "pymongo.collection.Collection.find",
    "time.time",
    "somelib.thing",
]


@pytest.mark.parametrize(("name", "family"), FAMILY_OF)
def test_well_known_blocking_calls(catalogue: BlockingCatalogue, name: str, family: str) -> None:
    found = catalogue.family_of(name)
    assert found is not None, name
    assert found.name == family


@pytest.mark.parametrize("name", NOT_BLOCKING)
def test_async_allowed_and_unknown_names_are_not_blocking(
    catalogue: BlockingCatalogue, name: str
) -> None:
    assert catalogue.family_of(name) is None
    with pytest.raises(KeyError, match=re.escape(name)):
        catalogue.replacement_for(name)


def test_catalogue_loads_once(catalogue: BlockingCatalogue) -> None:
    assert load_blocking_catalogue() is catalogue
    assert load_blocking_catalogue({}, []) is catalogue
    assert len(catalogue.calls) > 400
    assert catalogue.replacements and catalogue.classes and catalogue.allowed


def test_families_and_codes(catalogue: BlockingCatalogue) -> None:
    assert catalogue.codes() == [f"AL20{n}" for n in range(1, 8)]
    assert catalogue.families["sleep"].code == "AL201"
    for name, family in catalogue.families.items():
        assert family.name == name
        assert family.title.strip() and family.replacement.strip()
    assert set(catalogue.calls.values()) == set(catalogue.families)  # every family is used
    assert [name for name, family in catalogue.calls.items() if family == "sleep"] == ["time.sleep"]
    family = catalogue.family_of("time.sleep")
    assert family is not None and family.code == "AL201"


def test_replacements(catalogue: BlockingCatalogue) -> None:
    assert "httpx.AsyncClient" in catalogue.replacement_for("requests.get")
    # a method reached through an alias of its class gets the class's replacement
    assert catalogue.replacement_for("requests.sessions.Session.post") == (
        catalogue.replacement_for("requests.Session.post")
    )
    # without a replacement of its own, the family's
    assert catalogue.replacement_for("os.spawnl") == catalogue.families["process"].replacement
    assert "asyncio.sleep" in catalogue.replacement_for("time.sleep")
    for name in catalogue.calls:
        assert catalogue.replacement_for(name).strip(), name


def test_constructors_give_their_class(catalogue: BlockingCatalogue) -> None:
    assert catalogue.class_of_constructor("requests.session") == "requests.Session"
    assert catalogue.class_of_constructor("requests.Session") == "requests.Session"
    assert catalogue.class_of_constructor("requests.sessions.Session") == "requests.Session"
    assert catalogue.class_of_constructor("redis.from_url") == "redis.Redis"
    assert catalogue.class_of_constructor("redis.StrictRedis.pipeline") == "redis.client.Pipeline"
    assert catalogue.class_of_constructor("sqlite3.connect") == "sqlite3.Connection"
    assert catalogue.class_of_constructor("sqlite3.Connection.cursor") == "sqlite3.Cursor"
    assert catalogue.class_of_constructor("builtins.open") == "io.TextIOWrapper"
    assert catalogue.class_of_constructor("asyncio.run_coroutine_threadsafe") == (
        "concurrent.futures.Future"
    )
    assert catalogue.class_of_constructor("concurrent.futures.ThreadPoolExecutor.submit") == (
        "concurrent.futures.Future"
    )
    # a subclass listed as a class of its own stays itself
    assert catalogue.class_of_constructor("psycopg.ServerCursor") == "psycopg.ServerCursor"
    assert catalogue.class_of_constructor("pymysql.cursors.SSDictCursor") == (
        "pymysql.cursors.SSCursor"
    )
    assert catalogue.class_of_constructor("requests.get") is None
    assert catalogue.class_of_constructor("somelib.thing") is None


def test_sections_agree(catalogue: BlockingCatalogue) -> None:
    assert not set(catalogue.calls) & set(catalogue.allowed)
    assert set(catalogue.replacements) <= set(catalogue.calls)
    for cls, names in catalogue.classes.items():
        assert any(name.startswith(cls + ".") for name in catalogue.calls), cls
        for name in names:
            assert catalogue.class_of_constructor(name) is not None, name
    for name, reason in catalogue.allowed.items():
        assert reason.strip(), name
    for name in catalogue.calls:
        family = catalogue.family_of(name)
        assert family is not None and family.name == catalogue.calls[name], name
    for name in catalogue.allowed:
        assert catalogue.family_of(name) is None, name


def test_every_key_is_a_qualified_name(catalogue: BlockingCatalogue) -> None:
    names = [
        *catalogue.calls,
        *catalogue.allowed,
        *catalogue.classes,
        *(name for names in catalogue.classes.values() for name in names),
    ]
    for name in names:
        parts = name.removesuffix(".*").split(".")
        assert len(parts) >= 2 and all(part.isidentifier() for part in parts), name


def test_no_async_library_is_listed(catalogue: BlockingCatalogue) -> None:
    # (multiprocessing.pool.AsyncResult is no exception: a handle waited on synchronously)
    asynchronous = re.compile(
        r"^(asyncio|trio|anyio|aiohttp|aiofiles|asyncpg|motor|aiosqlite|aiomysql)\.|"
        r"\.asyncio\.|\.Async(?!Result\.)\w*\.|^pymongo\.AsyncMongoClient"
    )
    for section in (catalogue.calls, catalogue.classes):
        for name in section:
            assert not asynchronous.search(name), name


def test_extend_from_configuration() -> None:
    catalogue = load_blocking_catalogue(
        {"stripe.Charge.create": "network", "mylib.slow": "AL204", "legacy.*": "database"},
        ["requests.get", "os.stat", "mylib.internal.*"],
    )
    charge = catalogue.family_of("stripe.Charge.create")
    assert charge is not None and charge.name == "network"
    assert catalogue.replacement_for("stripe.Charge.create") == (
        catalogue.families["network"].replacement
    )
    slow = catalogue.family_of("mylib.slow")
    assert slow is not None and slow.name == "file"
    legacy = catalogue.family_of("legacy.db.query")
    assert legacy is not None and legacy.name == "database"
    assert catalogue.family_of("requests.get") is None
    assert catalogue.family_of("os.stat") is None
    assert catalogue.family_of("mylib.internal.helper") is None
    assert catalogue.family_of("requests.post") is not None  # the rest is untouched
    assert "requests.get" not in catalogue.replacements
    # the shipped catalogue is not changed
    assert load_blocking_catalogue().family_of("requests.get") is not None


def test_configuration_wins_over_the_shipped_entries() -> None:
    # a user may report what is allowed by default, and allow a method through a class alias
    catalogue = load_blocking_catalogue(
        {"os.getcwd": "file"}, ["requests.Session.get", "xmlrpc.client.ServerProxy.ping"]
    )
    getcwd = catalogue.family_of("os.getcwd")
    assert getcwd is not None and getcwd.code == "AL204"
    assert "os.getcwd" not in catalogue.allowed
    assert catalogue.family_of("requests.sessions.Session.get") is None
    assert catalogue.family_of("xmlrpc.client.ServerProxy.ping") is None
    assert catalogue.family_of("xmlrpc.client.ServerProxy.pong") is not None


@pytest.mark.parametrize(
    ("extra", "allowed", "message"),
    [
        ({"open": "file"}, [], "'open' is not a qualified name"),
        ({"open": "file"}, [], "builtins.open"),
        ({"a.b c": "file"}, [], "'a.b c' is not a qualified name"),
        ({"*.read": "file"}, [], r"'\*\.read' is not a qualified name"),
        ({"mylib.slow": "disk"}, [], "'mylib.slow' = 'disk' is not a family"),
        ({"mylib.slow": "AL299"}, [], "AL299"),
        ({"mylib.slow": 3}, [], "'mylib.slow' = 3 is not a family"),
        ({}, ["sleep"], "allow-blocking-calls 'sleep' is not a qualified name"),
        ({}, [42], "allow-blocking-calls: 42 is not a string"),
        ({"a.b": "file"}, ["a.b"], "'a.b' is both in extend-blocking-calls and"),
    ],
)
def test_invalid_configuration_names_the_entry(
    extra: dict[str, object], allowed: list[object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_blocking_catalogue(extra, allowed)  # type: ignore[arg-type]


def test_invalid_configuration_types() -> None:
    with pytest.raises(ValueError, match="allow-blocking-calls must be a list"):
        load_blocking_catalogue(None, "requests.get")
    with pytest.raises(ValueError, match="extend-blocking-calls must be a table"):
        load_blocking_catalogue(["requests.get"], ())  # type: ignore[arg-type]
    message = "extend-blocking-calls: 'x.y' = 'nope' is not a family. Use one of console, "
    with pytest.raises(ValueError, match=re.escape(message)):
        load_blocking_catalogue({"x.y": "nope"})
    message = "extend-blocking-calls: 'x.y' = 'netwrk' is not a family; did you mean network?"
    with pytest.raises(ValueError, match=re.escape(message)):
        load_blocking_catalogue({"x.y": "netwrk"})


FAMILY = '[families.sleep]\ncode = "AL201"\ntitle = "sleep"\nreplacement = "asyncio.sleep"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[calls]\n"time.sleep" = "nap"\n', "'time.sleep': 'nap' is not a family"),
        (FAMILY + '[calls]\n"sleep" = "sleep"\n', "'sleep' is not a qualified name"),
        (FAMILY.replace("AL201", "AL21"), "'AL21' is not AL2 and two digits"),
        (FAMILY.replace("AL201", "AL101"), "'AL101' is not AL2 and two digits"),
        (
            FAMILY + FAMILY.replace("families.sleep", "families.nap"),
            "code AL201 is also the code of 'sleep'",
        ),
        (FAMILY.replace('title = "sleep"\n', ""), "must have exactly the keys"),
        (FAMILY.replace('"asyncio.sleep"', '""'), "must be non-empty texts"),
        (
            FAMILY + '[calls]\n"time.sleep" = "sleep"\n[allowed]\n"time.sleep" = "fine"\n',
            "'time.sleep' is also in \\[calls\\]",
        ),
        (FAMILY + '[allowed]\n"os.getcwd" = ""\n', "'os.getcwd': give the reason"),
        (FAMILY + '[replacements]\n"time.sleep" = "x"\n', "'time.sleep' is not in \\[calls\\]"),
        (
            FAMILY + '[calls]\n"a.B.m" = "sleep"\n[classes]\n"a.C" = []\n',
            "'a.C' has no method in \\[calls\\]",
        ),
        (
            FAMILY + '[calls]\n"a.B.m" = "sleep"\n[classes]\n"a.B" = "a.b"\n',
            "'a.B': give a list of names",
        ),
        (
            FAMILY + '[calls]\n"a.B.m" = "sleep"\n"a.C.m" = "sleep"\n'
            '[classes]\n"a.B" = ["a.x"]\n"a.C" = ["a.x"]\n',
            "'a.x' is listed under both 'a.B' and 'a.C'",
        ),
        (
            FAMILY + '[calls]\n"a.B.m" = "sleep"\n"a.C.m" = "sleep"\n'
            '[classes]\n"a.B" = ["a.C"]\n"a.C" = ["a.B"]\n',
            "part of a cycle",
        ),
        ("[misc]\n", "unknown section"),
    ],
)
def test_invalid_catalogue_names_the_entry(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_blocking_catalogue(text)


def test_wildcard_is_less_specific_than_a_name() -> None:
    catalogue = parse_blocking_catalogue(
        FAMILY + '[calls]\n"m.Proxy.*" = "sleep"\n"m.Proxy.nap" = "sleep"\n'
        '[allowed]\n"m.Proxy.close" = "no I/O"\n'
    )
    assert catalogue.family_of("m.Proxy.anything") is not None
    assert catalogue.family_of("m.Proxy.nap") is not None
    assert catalogue.family_of("m.Proxy.close") is None
    assert catalogue.family_of("m.Proxy") is None


def test_catalogue_is_read_only(catalogue: BlockingCatalogue) -> None:
    with pytest.raises(TypeError):
        catalogue.calls["x.y"] = "file"  # type: ignore[index]
    with pytest.raises(TypeError):
        catalogue.allowed["x.y"] = "why"  # type: ignore[index]


def _given(*positional: Argument, unpacked: bool = False, **keywords: Argument) -> Arguments:
    return Arguments(tuple(positional), keywords, unpacked)


NOTHING = Argument()
FALSE = Argument(literal=False)
ZERO = Argument(literal=0)
ZERO_FLOAT = Argument(literal=0.0)
NUMERIC_HOST = Argument(names=frozenset({"socket.AI_NUMERICHOST", "socket.AI_NUMERICSERV"}))
IN_MEMORY = Argument(made_by="io.BytesIO")


@pytest.mark.parametrize(
    ("name", "arguments", "blocks"),
    [
        ("queue.Queue.get", _given(), True),
        ("queue.Queue.get", _given(FALSE), False),
        ("queue.Queue.get", _given(block=FALSE), False),
        ("queue.LifoQueue.get", _given(NOTHING, ZERO_FLOAT), False),  # through the alias
        ("queue.Queue.get", _given(NOTHING, unpacked=True), True),
        ("queue.Queue.get", _given(block=Argument(literal=None)), True),
        ("threading.Lock.acquire", _given(blocking=FALSE), False),
        ("threading.Lock.acquire", _given(timeout=Argument(literal=-1)), True),
        ("concurrent.futures.Executor.shutdown", _given(wait=FALSE), False),
        ("redis.Redis.blpop", _given(NOTHING, timeout=ZERO), True),  # 0 waits forever there
        ("redis.client.PubSub.get_message", _given(), False),  # its timeout defaults to 0
        ("redis.client.PubSub.get_message", _given(timeout=Argument(literal=None)), True),
        ("socket.getaddrinfo", _given(NOTHING, NOTHING, flags=NUMERIC_HOST), False),
        ("socket.getaddrinfo", _given(*[NOTHING] * 5, NUMERIC_HOST), False),
        ("socket.getaddrinfo", _given(NOTHING, NOTHING), True),
        ("os.waitpid", _given(NOTHING, Argument(names=frozenset({"os.WNOHANG"}))), False),
        ("zipfile.ZipFile", _given(IN_MEMORY), False),
        ("zipfile.ZipFile", _given(file=IN_MEMORY), False),
        ("zipfile.ZipFile", _given(Argument(made_by="builtins.open")), True),
        ("tarfile.open", _given(fileobj=IN_MEMORY), False),
        ("builtins.open", _given(IN_MEMORY), True),  # no conditions
    ],
)
def test_silent_when_arguments_keep_a_call_from_blocking(
    catalogue: BlockingCatalogue, name: str, arguments: Arguments, blocks: bool
) -> None:
    assert catalogue.family_of(name) is not None
    assert (catalogue.blocks(name, arguments) is not None) == blocks


def test_silent_when_the_receiver_was_made_so(catalogue: BlockingCatalogue) -> None:
    unbounded = _given()
    bounded = _given(Argument(literal=10))
    zero = _given(maxsize=ZERO)
    hidden = _given(unpacked=True)
    for receivers, blocks in [
        ((unbounded,), False),
        ((zero, unbounded), False),
        ((unbounded, bounded), True),  # every binding must be unbounded
        ((hidden,), True),
        ((), True),
        (None, True),  # not known how the receiver was made
    ]:
        arguments = Arguments((NOTHING,), {}, False, receivers)
        assert (catalogue.blocks("queue.Queue.put", arguments) is not None) == blocks


def test_every_silent_when_entry_is_a_call(catalogue: BlockingCatalogue) -> None:
    assert set(catalogue.silent_when) <= set(catalogue.calls)
    trimmed = load_blocking_catalogue({}, ["queue.Queue.get"])
    assert "queue.Queue.get" not in trimmed.silent_when
    assert "queue.Queue.put" in trimmed.silent_when


SILENT = FAMILY + '[calls]\n"q.Q.get" = "sleep"\n[silent-when]\n"q.Q.get" = '


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("[]", "give a list of conditions"),
        ('"block"', "give a list of conditions"),
        ("[1]", "a condition is a table"),
        ('[{ keyword = "block", equals = false, colour = "red" }]', "unknown key"),
        ('[{ keyword = "block" }]', "exactly one of"),
        ('[{ keyword = "block", equals = false, includes = ["a.b"] }]', "exactly one of"),
        ("[{ equals = false }]", "say which argument"),
        ("[{ argument = -1, equals = false }]", "a position from 0"),
        ('[{ argument = "0", equals = false }]', "a position from 0"),
        ('[{ keyword = "not a name", equals = false }]', "a parameter name"),
        ('[{ keyword = "block", equals = "no" }]', "a number or a boolean"),
        ('[{ keyword = "f", includes = ["a.b"], default = 0 }]', "default goes with equals"),
        ('[{ keyword = "f", includes = "socket.X" }]', "a list of qualified names"),
        ('[{ keyword = "f", made-by = ["BytesIO"] }]', "a list of qualified names"),
        ('[{ keyword = "f", equals = 0, receiver = "yes" }]', "receiver must be true or false"),
    ],
)
def test_invalid_silent_when_names_the_entry(entry: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_blocking_catalogue(SILENT + entry + "\n")


def test_silent_when_names_a_call() -> None:
    text = FAMILY + '[silent-when]\n"q.Q.get" = [{ keyword = "block", equals = false }]\n'
    with pytest.raises(ValueError, match=r"'q.Q.get' is not in \[calls\]"):
        parse_blocking_catalogue(text)


def _calls_in(advice: str) -> list[str]:
    """The dotted names called in the code spans (between backticks) of an advice text."""
    called = []
    for span in re.findall(r"`([^`]+)`", advice):
        try:
            tree = ast.parse(f"async def _():\n    {span}\n")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                called.append(name if "." in name else f"builtins.{name}")
    return called


def test_advice_never_recommends_a_blocking_call(catalogue: BlockingCatalogue) -> None:
    advice = [family.replacement for family in catalogue.families.values()]
    advice += list(catalogue.replacements.values())
    called = [name for text in advice for name in _calls_in(text)]
    assert "asyncio.to_thread" in called  # the spans are read
    assert [name for name in called if catalogue.family_of(name) is not None] == []
    assert _calls_in("`anyio.wrap_file(os.fdopen(...))`") == ["anyio.wrap_file", "os.fdopen"]


@pytest.mark.parametrize(
    ("opener", "arguments", "expected"),
    [
        ("builtins.open", _given(NOTHING, Argument(literal="rb")), "io.BufferedReader"),
        ("builtins.open", _given(NOTHING, mode=Argument(literal="wb")), "io.BufferedWriter"),
        ("builtins.open", _given(NOTHING, Argument(literal="ab")), "io.BufferedWriter"),
        ("builtins.open", _given(NOTHING, Argument(literal="r+b")), "io.BufferedRandom"),
        ("builtins.open", _given(NOTHING, Argument(literal="rb"), ZERO), "io.FileIO"),
        ("pathlib.Path.open", _given(Argument(literal="rb"), buffering=ZERO), "io.FileIO"),
        ("os.fdopen", _given(NOTHING, Argument(literal="wb")), "io.BufferedWriter"),
        ("builtins.open", _given(NOTHING, Argument(literal="r")), None),  # text mode
        ("builtins.open", _given(NOTHING), None),  # "r" by default
        ("builtins.open", _given(NOTHING, NOTHING), None),  # a mode that is not a literal
        ("gzip.open", _given(NOTHING, Argument(literal="rb")), None),  # not an io.open
    ],
)
def test_binary_mode_gives_a_buffered_file(
    catalogue: BlockingCatalogue, opener: str, arguments: Arguments, expected: str | None
) -> None:
    assert catalogue.binary_file_class(opener, arguments) == expected
    if expected is not None:
        assert catalogue.class_of_constructor(expected) == expected


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('"gzip.open" = 1', "'gzip.open' is not listed under a class"),
        ('"a.open" = "1"', "give the position of its mode argument"),
    ],
)
def test_invalid_binary_mode_names_the_entry(entry: str, message: str) -> None:
    text = FAMILY + '[calls]\n"a.F.read" = "sleep"\n[classes]\n"a.F" = ["a.open"]\n'
    with pytest.raises(ValueError, match=message):
        parse_blocking_catalogue(text + "[binary-mode]\n" + entry + "\n")
