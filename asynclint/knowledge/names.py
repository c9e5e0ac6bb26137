"""Heuristics that read meaning into names, where nothing better tells: one predicate each.

Each predicate says in its docstring why the name is a fair guess. Rules use them only to stay
silent, or to recognise a receiver when no import, constructor or annotation tells its type.
"""

from __future__ import annotations

import re

# Receivers of ``.create_task()`` and the like, taken for an event loop when nothing else is
# known: the names asyncio's own documentation and most code give the loop.
LOOP_NAMES = frozenset({"loop", "_loop", "event_loop", "_event_loop", "io_loop"})

# The methods of ``logging.Logger`` (and of the ``logging`` module) that write a record.
LOGGING_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_RE = re.compile(r"^_*(log|logger|logging)$|logger$", re.IGNORECASE)


def is_logger_name(name: str) -> bool:
    """``log``, ``logger``, ``self._logger``, ``LOGGER``, ``access_logger``: code names its
    loggers so, and a call on one only writes a record."""
    return bool(_LOGGER_RE.search(name.rsplit(".", 1)[-1]))


def is_logging_call(receiver: str | None, method: str) -> bool:
    """``print(...)``, or a call on a receiver named like a logger (``self.logger.info(...)``,
    ``logging.warning(...)``): it writes a line and changes nothing a later call reads."""
    if receiver is None:
        return method == "print"
    return is_logger_name(receiver)


_CANCEL_SCOPE_RE = re.compile(r"scope$", re.IGNORECASE)


def is_cancel_scope_name(name: str) -> bool:
    """``scope``, ``cancel_scope``, ``self._timeout_scope``: trio and anyio code names its
    cancel scopes so (``nursery.cancel_scope``, ``tg.cancel_scope``), and cancelling one
    cancels the code inside it, which may be the current task."""
    return bool(_CANCEL_SCOPE_RE.search(name.rsplit(".", 1)[-1]))


# --- What a call's name says about its effects (the AL4xx rules judge independence by them).

# Bare method names that consume from a stream, queue or channel: ordered even though they
# "read" (``await reader.read()`` twice reads two different chunks).
CONSUMING_METHODS = frozenset(
    {"read", "readline", "readlines", "readexactly", "readuntil", "recv", "receive", "read_all"}
)
# First words of methods that consume a stream even when named for reading (``recv_frame``).
STREAM_WORDS = frozenset({"read", "readline", "recv", "receive"})
# Words of a callee name that make a "read" change something too (``get_or_create``,
# ``fetch_and_delete``) or hand out the next item of something shared (``get_next``).
MUTATING_WORDS = frozenset(
    {
        "ack",
        "acquire",
        "add",
        "apply",
        "claim",
        "clear",
        "commit",
        "consume",
        "create",
        "dec",
        "decr",
        "delete",
        "dequeue",
        "dispatch",
        "emit",
        "enqueue",
        "execute",
        "flush",
        "handle",
        "incr",
        "increment",
        "insert",
        "into",
        "invalidate",
        "lease",
        "lock",
        "login",
        "mark",
        "more",
        "next",
        "notify",
        "or",
        "persist",
        "pop",
        "post",
        "process",
        "publish",
        "push",
        "put",
        "record",
        "refresh",
        "register",
        "remove",
        "reserve",
        "reset",
        "rollback",
        "run",
        "save",
        "send",
        "set",
        "store",
        "sync",
        "take",
        "track",
        "trigger",
        "update",
        "upsert",
        "write",
    }
)
# ``async with`` / ``with`` items that order everything inside them (found anywhere in the
# item's code: ``self._lock``, ``db.transaction()``).
ORDERING_CONTEXT_WORDS = (
    "lock",
    "semaphore",
    "transaction",
    "atomic",
    "limiter",
    "throttle",
    "mutex",
    "condition",
)
# Further words of ``with`` items that order a loop's iterations (``async with sem:``,
# ``async with rate_limit(5):``): matched as whole words of the item's code.
LOOP_ORDERING_WORDS = frozenset(
    {
        "acquire",
        "limit",
        "limiter",
        "limits",
        "rate",
        "ratelimit",
        "sem",
        "sema",
        "sequential",
        "serial",
        "throttle",
    }
)
# Parts of loop variable names that name attempts: the loop is a retry, not a batch.
RETRY_WORDS = ("attempt", "retry", "retries", "tries", "try")
# Calls allowed in the arguments and values of a loop body: they neither wait nor change
# shared state (builtins, and methods of strings, dicts and JSON/URL helpers).
PURE_CALLS = frozenset(
    {
        "abs",
        "bool",
        "bytes",
        "decode",
        "dict",
        "dumps",
        "encode",
        "float",
        "format",
        "frozenset",
        "get",
        "int",
        "isinstance",
        "items",
        "join",
        "json",
        "keys",
        "len",
        "list",
        "loads",
        "lower",
        "max",
        "min",
        "parse",
        "quote",
        "repr",
        "round",
        "set",
        "sorted",
        "split",
        "str",
        "strip",
        "tuple",
        "upper",
        "urljoin",
        "values",
    }
)
# Builtins a statement between two awaits may call and still only compute a plain value.
PLAIN_BUILTINS = frozenset(
    {"len", "str", "int", "float", "bool", "dict", "list", "tuple", "set", "repr", "print"}
)
_NAME_WORD_RE = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def name_words(name: str) -> list[str]:
    """``getOrCreate_user`` -> ``["get", "or", "create", "user"]``."""
    return [w.lower() for w in _NAME_WORD_RE.findall(name)]


def is_consuming_method(method: str | None) -> bool:
    """``read``, ``recv``, ``readline``: on a receiver these take the next chunk of a stream,
    so two calls return different data in order."""
    return method in CONSUMING_METHODS


def is_stream_method(method: str) -> bool:
    """``read_frame``, ``recv_json``: a method whose first word consumes a stream does so
    whatever follows the word."""
    parts = name_words(method)
    return is_consuming_method(method) or (bool(parts) and parts[0] in STREAM_WORDS)


def is_mutating_name(name: str) -> bool:
    """``get_or_create``, ``fetch_and_delete``, ``get_next``: a word that writes or hands out
    the next shared item makes a read-named call change something."""
    return any(part in MUTATING_WORDS for part in name_words(name))


def is_ordering_context(code: str, extra_words: frozenset[str] = frozenset()) -> bool:
    """``async with self._lock:``, ``with db.transaction():`` (or, with ``extra_words``,
    ``async with sem:``): a ``with`` item named like a lock, semaphore, transaction or limiter
    orders the code inside it."""
    if any(word in code.lower() for word in ORDERING_CONTEXT_WORDS):
        return True
    return bool(extra_words) and not extra_words.isdisjoint(name_words(code))


def is_retry_name(name: str) -> bool:
    """``attempt``, ``retries``, ``n_tries``: a loop variable named for attempts makes the loop
    a retry, whose iterations are ordered on purpose."""
    lowered = name.lower()
    return any(word in lowered for word in RETRY_WORDS)


def is_pure_call(name: str | None) -> bool:
    """``len``, ``str``, ``json.dumps``, ``d.get``: callees named so compute a value without
    waiting or changing shared state."""
    return name in PURE_CALLS


def is_plain_builtin(name: str) -> bool:
    """``len``, ``str``, ``print``: these builtins compute a plain value (or print one) and
    change nothing a later await reads."""
    return name in PLAIN_BUILTINS
