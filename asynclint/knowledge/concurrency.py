"""What tells whether awaits could run at once: shared resources, pacing, ordered sequences.

The AL4xx rules judge independence from dataflow first; these tables say which objects
serialise the calls made on them (by their documented type, or by name when nothing else is
known), which calls pace or order on purpose, and which comments say the order is meant.
"""

from __future__ import annotations

import re

from asynclint.knowledge.names import name_words

# Methods of lists, sets and dicts that change the container they are called on.
MUTATING_METHODS = frozenset(
    {
        "append",
        "appendleft",
        "add",
        "clear",
        "discard",
        "extend",
        "insert",
        "pop",
        "popitem",
        "popleft",
        "remove",
        "setdefault",
        "sort",
        "update",
    }
)
# Methods that put one result into a container without reading it (``results.append(r)``):
# iterations that only collect so keep their order in ``gather()``'s list of results.
COLLECTING_METHODS = frozenset({"append", "add", "extend", "update", "appendleft"})

# Types whose operations run one at a time, by their documentation: a connection, cursor or
# session of a database driver, a stream, a websocket, a queue, a lock, a channel. Calls that
# share one are ordered, and ``gather()`` over them either fails or gains nothing.
SERIAL_TYPES = frozenset(
    {
        "asyncio.Queue",
        "asyncio.LifoQueue",
        "asyncio.PriorityQueue",
        "asyncio.queues.Queue",
        "asyncio.Lock",
        "asyncio.Semaphore",
        "asyncio.BoundedSemaphore",
        "asyncio.Condition",
        "asyncio.TaskGroup",
        "contextlib.AsyncExitStack",
        "trio.Nursery",
        "anyio.abc.TaskGroup",
        "asyncio.StreamReader",
        "asyncio.StreamWriter",
        "asyncio.streams.StreamReader",
        "asyncio.streams.StreamWriter",
        "asyncpg.Connection",
        "asyncpg.connection.Connection",
        "aiosqlite.Connection",
        "aiosqlite.Cursor",
        "aiosqlite.core.Connection",
        "aiomysql.Connection",
        "aiomysql.Cursor",
        "psycopg.AsyncConnection",
        "psycopg.AsyncCursor",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.AsyncConnection",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "aiohttp.ClientWebSocketResponse",
        "aiohttp.web.WebSocketResponse",
        "aiohttp.StreamReader",
        "starlette.websockets.WebSocket",
        "fastapi.WebSocket",
        "websockets.ClientConnection",
        "websockets.ServerConnection",
        "websockets.WebSocketClientProtocol",
        "websockets.WebSocketServerProtocol",
        "websockets.asyncio.client.ClientConnection",
        "websockets.asyncio.server.ServerConnection",
        "redis.asyncio.client.Pipeline",
        "redis.asyncio.client.PubSub",
        "trio.Lock",
        "trio.Semaphore",
        "trio.SocketStream",
        "trio.abc.Stream",
        "trio.abc.SendChannel",
        "trio.abc.ReceiveChannel",
        "trio.MemorySendChannel",
        "trio.MemoryReceiveChannel",
        "anyio.Lock",
        "anyio.Semaphore",
        "anyio.abc.ByteStream",
        "anyio.abc.ObjectStream",
        "anyio.abc.SocketStream",
        "anyio.streams.memory.MemoryObjectSendStream",
        "anyio.streams.memory.MemoryObjectReceiveStream",
        "aio_pika.Channel",
        "aio_pika.abc.AbstractChannel",
    }
)
# Types documented as safe to share between concurrent requests: HTTP clients and connection
# pools hand each request a connection of its own.
SHARED_SAFE_TYPES = frozenset(
    {
        "aiohttp.ClientSession",
        "aiohttp.client.ClientSession",
        "httpx.AsyncClient",
        "httpx._client.AsyncClient",
        "redis.asyncio.Redis",
        "redis.asyncio.client.Redis",
        "redis.asyncio.StrictRedis",
        "asyncpg.Pool",
        "asyncpg.pool.Pool",
        "motor.motor_asyncio.AsyncIOMotorClient",
        "motor.motor_asyncio.AsyncIOMotorDatabase",
        "motor.motor_asyncio.AsyncIOMotorCollection",
    }
)
# Words of class names (``ModbusConnection``, ``SerialTransport``) that serialise by nature,
# for project classes the index can see.
SERIAL_CLASS_WORDS = frozenset(
    {
        "connection",
        "conn",
        "cursor",
        "stream",
        "socket",
        "websocket",
        "channel",
        "queue",
        "transport",
        "protocol",
        "serial",
        "modbus",
        "lock",
        "semaphore",
        "pipe",
        "transaction",
    }
)
# Words of the names of objects that serialise, used only when nothing else is known: a
# connection, cursor, stream, websocket, queue, lock, channel, transaction or serial line.
SERIAL_NAME_WORDS = frozenset(
    {
        "conn",
        "connection",
        "cursor",
        "cur",
        "stream",
        "reader",
        "writer",
        "socket",
        "sock",
        "ws",
        "websocket",
        "queue",
        "lock",
        "semaphore",
        "sem",
        "channel",
        "chan",
        "pipe",
        "pipeline",
        "tx",
        "txn",
        "transaction",
        "transport",
        "serial",
        "modbus",
        "modem",
        "limiter",
        "throttle",
        "db",
        "session",
        "tg",
        "nursery",
        "stack",
    }
)
_SERIAL_ENDINGS = ("queue", "stream", "conn", "lock", "socket", "cursor")
_SERIAL_LETTERS = frozenset({"q", "c", "r", "w", "s"})

# Callee names that pace, wait or hand out an order (``get_next``), or that already run
# things concurrently (``gather``): the point of the call is when it happens relative to the
# others.
PACING_WORDS = frozenset(
    {
        "gather",
        "next",
        "sleep",
        "acquire",
        "release",
        "wait",
        "drain",
        "flush",
        "lock",
        "unlock",
        "throttle",
        "join",
        "barrier",
    }
)
# First words of callees that move an object through its life: connect then log in, stop
# then close. Two such calls in a row are ordered on purpose more often than not.
LIFECYCLE_WORDS = frozenset(
    {
        "open",
        "close",
        "start",
        "stop",
        "connect",
        "disconnect",
        "reconnect",
        "shutdown",
        "setup",
        "teardown",
        "init",
        "initialize",
        "initialise",
        "login",
        "logout",
        "authenticate",
        "auth",
        "register",
        "unregister",
        "subscribe",
        "unsubscribe",
        "cancel",
        "begin",
        "commit",
        "rollback",
        "reset",
        "reload",
        "restart",
        "migrate",
        "unload",
        "cleanup",
        "terminate",
        "kill",
        "destroy",
        "delete",
        "remove",
        "create",
        "prepare",
        "finish",
        "finalize",
        "finalise",
        "bootstrap",
    }
)
# Words of item names that are parts of one ordered sequence: events, messages, commands,
# chunks, steps, migrations. Handling them one by one is the point.
ORDERED_ITEM_WORDS = frozenset(
    {
        "event",
        "events",
        "message",
        "messages",
        "msg",
        "msgs",
        "command",
        "commands",
        "cmd",
        "cmds",
        "packet",
        "packets",
        "frame",
        "frames",
        "chunk",
        "chunks",
        "line",
        "lines",
        "step",
        "steps",
        "migration",
        "migrations",
        "patch",
        "patches",
        "operation",
        "operations",
        "op",
        "ops",
        "instruction",
        "instructions",
        "action",
        "actions",
        "change",
        "changes",
        "delta",
        "deltas",
        "statement",
        "statements",
        "stmt",
        "sql",
        "script",
        "scripts",
        "stage",
        "stages",
        "phase",
        "phases",
        "hook",
        "hooks",
        "callback",
        "callbacks",
        "cb",
        "handler",
        "handlers",
        "listener",
        "listeners",
        "middleware",
        "middlewares",
        "receiver",
        "receivers",
        "trace",
        "traces",
        "tracer",
        "tracers",
        "observer",
        "observers",
        "watcher",
        "watchers",
        "signal",
        "signals",
        "interceptor",
        "interceptors",
        "plugin",
        "plugins",
        "delay",
        "delays",
        "backoff",
        "retry",
        "attempt",
        "update",
        "updates",
    }
)
# Names of values that are plain data (identifiers, keys, addresses, numbers): passing one to
# two calls shares nothing.
_VALUE_WORDS = frozenset(
    {
        "id",
        "ids",
        "uid",
        "uuid",
        "key",
        "keys",
        "name",
        "names",
        "url",
        "urls",
        "uri",
        "path",
        "host",
        "hostname",
        "address",
        "topic",
        "slug",
        "code",
        "token",
        "timeout",
        "limit",
        "offset",
        "page",
        "count",
        "index",
        "idx",
        "number",
        "num",
        "size",
        "type",
        "kind",
        "mode",
        "date",
        "day",
        "time",
        "timestamp",
        "start",
        "end",
        "text",
        "title",
        "query",
        "params",
        "headers",
        "email",
        "username",
        "label",
        "language",
        "lang",
        "locale",
        "region",
        "zone",
        "domain",
        "version",
        "serial_number",
        "sn",
    }
)
# Comments that say the order is meant (``# must run after the login``, ``# one at a time``).
ORDER_COMMENT_RE = re.compile(
    r"\b(order|ordered|in sequence|sequential|sequentially|serial|serially|serialise|serialize|"
    r"serialised|serialized|one at a time|one by one|in turn|in series|rate.?limit\w*|"
    r"throttl\w*|overload\w*|overwhelm\w*|flood\w*|concurren\w*|parallel\w*|at once|"
    r"simultaneous\w*|same time|gather\w*|task ?groups?|nurser(y|ies)|suspend\w*)\b",
    re.IGNORECASE,
)


def is_serial_name(path: str | None) -> bool:
    """``conn``, ``self._cursor``, ``ws``, ``job_queue``, ``q``: code names the objects whose
    operations run one at a time so. Used only when nothing tells the object's type."""
    if not path:
        return False
    last = path.rsplit(".", 1)[-1].lower().strip("_")
    if last in _SERIAL_LETTERS:
        return True
    words = name_words(path.rsplit(".", 1)[-1])
    return any(word in SERIAL_NAME_WORDS for word in words) or last.endswith(_SERIAL_ENDINGS)


def is_serial_class_name(qualified: str) -> bool:
    """``pkg.ModbusConnection``, ``pkg.DeviceStream``: a project class named for a connection,
    stream, channel, queue or lock serialises the calls made on one object."""
    return any(word in SERIAL_CLASS_WORDS for word in name_words(qualified.rsplit(".", 1)[-1]))


def is_value_name(path: str) -> bool:
    """``uid``, ``user_id``, ``self.url``, ``host``: names of identifiers and plain values,
    which two calls can share without sharing a resource."""
    words = name_words(path.rsplit(".", 1)[-1])
    return bool(words) and words[-1] in _VALUE_WORDS


def is_pacing_name(name: str | None) -> bool:
    """``sleep``, ``acquire``, ``wait_for_ready``, ``drain``, ``get_next``: calls that pace,
    wait or take the next in turn, whose point is when they run relative to the others; and
    dunder methods (``__aexit__``), which run a protocol's steps in order."""
    if not name:
        return False
    return name.startswith("__") or any(word in PACING_WORDS for word in name_words(name))


def is_lifecycle_name(name: str | None) -> bool:
    """``connect``, ``async_setup``, ``close``, ``login``: the first word of the callee (after
    an ``async_`` prefix) moves an object through its life, in an order that matters."""
    words = [w for w in name_words(name or "") if w not in ("async", "a")]
    return bool(words) and words[0] in LIFECYCLE_WORDS


def is_ordered_item_name(name: str) -> bool:
    """``event``, ``msg``, ``commands``, ``callback``: an item named as a part of one ordered
    sequence (or a hook to call in turn); handling such items one by one is the point."""
    return any(word in ORDERED_ITEM_WORDS for word in name_words(name))


def says_order_matters(comment: str) -> bool:
    """A comment that speaks of order, sequence, pacing or concurrency."""
    return ORDER_COMMENT_RE.search(comment) is not None
