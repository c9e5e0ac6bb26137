"""When a blocking call does not block because of its arguments, as data.

The catalogue's ``[silent-when]`` section (``asynclint/data/blocking.toml``) gives, for a call,
conditions under which it returns at once or touches nothing outside the process:
``q.get(block=False)``, ``socket.getaddrinfo(host, port, flags=socket.AI_NUMERICHOST)``,
``zipfile.ZipFile(io.BytesIO(data))``, ``q.put(item)`` on a ``queue.Queue()`` made without
``maxsize``. A condition names an argument and what it must be; it is read here, and tested
against ``Arguments``: what the code passes, as much as can be seen without running it. The
rules describe a call from its LibCST tree, the project index from its ``ast`` tree; both
describe it in these terms, so one reading of the data serves both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A value that is no literal (a name, a call, an f-string ...).
NOT_LITERAL: Any = type("NotLiteral", (), {"__repr__": lambda self: "NOT_LITERAL"})()

CONDITION_KEYS = frozenset(
    {"argument", "keyword", "receiver", "equals", "default", "includes", "made-by"}
)
TESTS = ("equals", "includes", "made-by")


@dataclass(frozen=True)
class Argument:
    """One argument as written: its value if it is a literal (``False``, ``0``, ``-1``,
    ``"rb"``), the qualified names of the constants it combines (``socket.AI_NUMERICHOST``, or
    each operand of ``a | b``), and the callee whose result it is (``io.BytesIO`` for
    ``io.BytesIO(data)``, or for a local bound only to such calls)."""

    literal: Any = NOT_LITERAL
    names: frozenset[str] = frozenset()
    made_by: str | None = None


@dataclass(frozen=True)
class Arguments:
    """The arguments of one call. ``positional`` stops at the first ``*args``; ``unpacked``
    says that a ``*args`` or ``**kwargs`` may hold any argument not seen. ``receivers`` are the
    arguments of the calls that made the receiver of a method call (every one the code binds
    the receiver to), or None when they are not known."""

    positional: tuple[Argument, ...] = ()
    keywords: Mapping[str, Argument] = field(default_factory=dict)
    unpacked: bool = False
    receivers: tuple[Arguments, ...] | None = None


# What ``Arguments.find`` gives for an argument the call leaves out, and for one that may be
# hidden in ``*args`` or ``**kwargs``.
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()
UNSEEN: Any = type("Unseen", (), {"__repr__": lambda self: "UNSEEN"})()


def find_argument(arguments: Arguments, position: int | None, keyword: str | None) -> Any:
    """The argument at ``position`` or passed as ``keyword``; ABSENT or UNSEEN."""
    if position is not None and position < len(arguments.positional):
        return arguments.positional[position]
    if keyword is not None and keyword in arguments.keywords:
        return arguments.keywords[keyword]
    return UNSEEN if arguments.unpacked else ABSENT


@dataclass(frozen=True)
class Condition:
    """One entry of ``[silent-when]``: the call does not block when it holds."""

    argument: int | None = None
    keyword: str | None = None
    receiver: bool = False
    equals: Any = NOT_LITERAL
    default: Any = NOT_LITERAL
    includes: frozenset[str] = frozenset()
    made_by: frozenset[str] = frozenset()

    def holds(self, arguments: Arguments) -> bool:
        """Whether ``arguments`` surely meet the condition (False when they may not)."""
        if not self.receiver:
            return self._holds_for(arguments)
        receivers = arguments.receivers
        return bool(receivers) and all(self._holds_for(made) for made in receivers or ())

    def _holds_for(self, arguments: Arguments) -> bool:
        found = find_argument(arguments, self.argument, self.keyword)
        if found is ABSENT:
            return self.default is not NOT_LITERAL and _same(self.default, self.equals)
        if found is UNSEEN:
            return False
        if self.equals is not NOT_LITERAL:
            return _same(found.literal, self.equals)
        if self.includes:
            return bool(found.names & self.includes)
        return found.made_by is not None and found.made_by in self.made_by


def _same(value: Any, expected: Any) -> bool:
    """A literal equal to the expected one; numbers and booleans compare as Python does
    (``0 == 0.0 == False``), anything else (``None``, text) must be of a numeric kind too."""
    numeric = (bool, int, float)
    return isinstance(value, numeric) and isinstance(expected, numeric) and value == expected


def parse_conditions(name: str, entries: object) -> tuple[Condition, ...]:
    """The conditions of one ``[silent-when]`` entry; ValueError names what is wrong."""
    where = f"[silent-when] {name!r}"
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: give a list of conditions (inline tables)")
    return tuple(_condition(where, entry) for entry in entries)


def _condition(where: str, entry: object) -> Condition:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: a condition is a table, not {entry!r}")
    unknown = set(entry) - CONDITION_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
    tests = [key for key in TESTS if key in entry]
    if len(tests) != 1:
        raise ValueError(f"{where}: give exactly one of {list(TESTS)}")
    position = entry.get("argument")
    keyword = entry.get("keyword")
    if position is None and keyword is None:
        raise ValueError(f"{where}: say which argument (argument = N and/or keyword = 'name')")
    if position is not None and (
        not isinstance(position, int) or isinstance(position, bool) or position < 0
    ):
        raise ValueError(f"{where}: argument must be a position from 0, not {position!r}")
    if keyword is not None and (not isinstance(keyword, str) or not keyword.isidentifier()):
        raise ValueError(f"{where}: keyword must be a parameter name, not {keyword!r}")
    receiver = entry.get("receiver", False)
    if not isinstance(receiver, bool):
        raise ValueError(f"{where}: receiver must be true or false")
    if "default" in entry and tests != ["equals"]:
        raise ValueError(f"{where}: default goes with equals")
    equals = entry.get("equals", NOT_LITERAL)
    default = entry.get("default", NOT_LITERAL)
    for value in (equals, default):
        if value is not NOT_LITERAL and not isinstance(value, (bool, int, float)):
            raise ValueError(f"{where}: equals and default take a number or a boolean")
    return Condition(
        argument=position,
        keyword=keyword,
        receiver=receiver,
        equals=equals,
        default=default,
        includes=_names(where, "includes", entry.get("includes")),
        made_by=_names(where, "made-by", entry.get("made-by")),
    )


def _names(where: str, key: str, value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and "." in item for item in value)
    ):
        raise ValueError(f"{where}: {key} takes a list of qualified names")
    return frozenset(value)
