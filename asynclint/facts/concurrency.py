"""Whether awaited calls could run at once: what they share, what their callees change.

``RESOURCE`` tells what an object two calls share is: one that serialises its operations
(a connection, stream, websocket, queue, lock), one documented as safe to share (an HTTP
client, a pool), a plain value, or an object of another known class. ``CALLEE_EFFECTS`` reads
a callee's body through the project index: the state it changes, and whether it ever
suspends. ``origins`` and ``comments_say_order`` read the function's own code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact
from asynclint.facts.dependence import paths_read
from asynclint.facts.resolution import NEVER_AWAITABLE, VALUE
from asynclint.index import Instance
from asynclint.index.effects import Effects
from asynclint.index.writes import FILLED, GLOBAL, SELF
from asynclint.knowledge.concurrency import (
    SERIAL_TYPES,
    SHARED_SAFE_TYPES,
    is_pacing_name,
    is_serial_class_name,
    is_serial_name,
    is_value_name,
    says_order_matters,
)
from asynclint.knowledge.names import is_ordering_context
from asynclint.syntax.nodes import dotted_name, subtree

if TYPE_CHECKING:
    from asynclint.engine import Context

SERIAL = "serial"  # its operations run one at a time
SHARED_SAFE = "shared-safe"  # documented as safe to share between concurrent calls
PLAIN_VALUE = "value"  # data: a literal, a string, a number, an identifier
OBJECT = "object"  # an object of a known class that is none of the above

_PLAIN_TYPES = frozenset(
    {
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.bytes",
        "uuid.UUID",
        "datetime.datetime",
        "datetime.date",
        "datetime.timedelta",
        "yarl.URL",
        "pathlib.Path",
    }
)
_LITERALS = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
)
_LOCK_TYPES = frozenset(
    {"asyncio.Lock", "asyncio.Semaphore", "asyncio.BoundedSemaphore", "trio.Lock", "anyio.Lock"}
)
_COMMENT_RE = re.compile(r"#([^\n]*)")


@fact("resource", uses_index=True, uses=(VALUE,))
def RESOURCE(context: Context, node: cst.BaseExpression) -> str | None:
    """What the object ``node`` is, for calls that share it: ``SERIAL``, ``SHARED_SAFE``,
    ``PLAIN_VALUE``, ``OBJECT``, or None when nothing tells. Its type decides where known
    (the tables, then the project's class: named for a connection or stream, or holding a
    lock); its name only when nothing else is known."""
    if isinstance(node, _LITERALS) or (
        isinstance(node, cst.Name) and node.value in ("None", "True", "False")
    ):
        return PLAIN_VALUE
    if isinstance(node, (cst.BinaryOperation, cst.UnaryOperation, cst.Comparison)):
        return PLAIN_VALUE
    meaning = context.answer(VALUE, node)
    if isinstance(meaning, Instance):
        return _kind_of_type(context, meaning.type)
    path = dotted_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if isinstance(node, cst.Subscript):
        return PLAIN_VALUE  # ``data[CONF_HOST]``, ``ids[0]``: an item of plain data
    if path is None:
        return None
    if is_serial_name(path):
        return SERIAL
    return PLAIN_VALUE if is_value_name(path) else None


def _kind_of_type(context: Context, type_: str) -> str:
    index = context.index
    canonical = index.canonical(type_) if index is not None else type_
    if type_ in SERIAL_TYPES or canonical in SERIAL_TYPES:
        return SERIAL
    if type_ in SHARED_SAFE_TYPES or canonical in SHARED_SAFE_TYPES:
        return SHARED_SAFE
    if type_ in _PLAIN_TYPES:
        return PLAIN_VALUE
    found = index.find(type_) if index is not None else None
    if found is not None and found.what == "class" and found.klass is not None:
        if is_serial_class_name(found.qualified):
            return SERIAL
        if any(kind in _LOCK_TYPES for kind in found.klass.attributes.values()):
            return SERIAL  # a class that guards its operations with a lock
    return OBJECT


@fact("callee-effects", uses_index=True, uses=(VALUE,))
def CALLEE_EFFECTS(context: Context, func: cst.BaseExpression) -> Effects | None:
    """For a callee whose body the project index can read: whether it suspends, and the
    ``self.<attr>`` and ``global:<name>`` state it changes; for a method of a receiver nothing
    tells the type of, what the project's methods of that name do, merged. None when it cannot
    be read."""
    index = context.index
    if index is None:
        return None
    callee = context.answer(VALUE, func)
    if isinstance(callee, str):
        return index.call_effects(callee)
    if (
        callee is None
        and isinstance(func, cst.Attribute)
        and context.answer(VALUE, func.value) is None
        and not func.attr.value.startswith("__")
    ):
        # ``hub.poll(device)`` with ``hub`` unknown: what every project method so named does.
        return index.named_method_effects(func.attr.value)
    return None


def origins(function: cst.FunctionDef) -> dict[str, frozenset[str]]:
    """For each name the function binds from a call, an ``await``, a ``with`` item or another
    name, the first names of what it was made from: ``resp = await client.get(url)`` makes
    ``resp`` from ``client`` and ``url``; ``async with open_unit(hub, 1) as unit`` makes
    ``unit`` from ``hub``. Names bound twice keep every origin; followed transitively."""
    direct: dict[str, set[str]] = {}
    for node in subtree(function.body):
        for target, value in _bindings(node):
            made_from = {p.split(".", 1)[0] for p in paths_read(value)} - {target}
            direct.setdefault(target, set()).update(made_from)
    resolved: dict[str, frozenset[str]] = {}
    for name in direct:
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            for origin in direct.get(current, ()):
                if origin not in seen:
                    seen.add(origin)
                    pending.append(origin)
        resolved[name] = frozenset(seen)
    return resolved


def _bindings(node: cst.CSTNode) -> list[tuple[str, cst.BaseExpression]]:
    if isinstance(node, cst.Assign):
        return [
            (t.target.value, node.value) for t in node.targets if isinstance(t.target, cst.Name)
        ]
    if isinstance(node, cst.AnnAssign) and node.value is not None:
        target = node.target
        return [(target.value, node.value)] if isinstance(target, cst.Name) else []
    if isinstance(node, cst.WithItem) and node.asname is not None:
        target = node.asname.name
        return [(target.value, node.item)] if isinstance(target, cst.Name) else []
    return []


def comments_say_order(context: Context, nodes: list[cst.CSTNode]) -> bool:
    """Whether a comment in or right above ``nodes`` speaks of order or concurrency
    (``# the login must come first``)."""
    for node in nodes:
        for comment in _COMMENT_RE.findall(context.module.code_for_node(node)):
            if says_order_matters(comment):
                return True
    return False


def orders_its_body(context: Context, item: cst.WithItem) -> bool:
    """A ``with`` item that serialises what runs inside it: a lock, semaphore, transaction or
    limiter by its type or its name."""
    value = item.item
    target = value.func if isinstance(value, cst.Call) else value
    if context.answer(RESOURCE, target) == SERIAL:
        return True
    return is_ordering_context(context.module.code_for_node(value))


@dataclass(frozen=True)
class SharedUse:
    """How one awaited call uses what other calls might use too. ``own`` names (the loop's
    item and what is made from it) are not shared."""

    # First names of the receiver, and of the arguments, that are not ``own``.
    receiver: frozenset[str]
    arguments: frozenset[str]
    # Whether the receiver, or an argument, is ``own``: the call differs from item to item.
    varies: bool
    # A shared receiver or argument serialises its operations (a connection, a stream ...).
    serial: bool
    # Shared arguments that are objects rather than plain values (``get_a(conn)``).
    objects: frozenset[str]
    pacing: bool  # ``sleep``, ``acquire``, ``wait_for``: paced on purpose
    # Whether the index read the callee's body; then: whether it changes module globals, or
    # the state of a shared receiver (``self.<attr>``), and whether it can suspend.
    resolved: bool
    changes_shared: bool
    suspends: bool
    # False when the callee surely gives nothing to await (a plain function, a sync method).
    awaitable: bool


def shared_use(context: Context, call: cst.Call, own: set[str] | frozenset[str]) -> SharedUse:
    """What ``call`` shares with calls outside ``own``: its receiver, its arguments, and the
    state its callee changes."""
    func = call.func
    receiver_roots: set[str] = set()
    serial = False
    if isinstance(func, cst.Attribute):
        receiver_roots = {p.split(".", 1)[0] for p in paths_read(func.value)}
        if not receiver_roots & own:
            serial = context.answer(RESOURCE, func.value) == SERIAL
    varies = bool(receiver_roots & own)
    argument_roots: set[str] = set()
    objects: set[str] = set()
    for argument in call.args:
        roots = {p.split(".", 1)[0] for p in paths_read(argument.value)}
        if roots & own:
            varies = True
            continue
        argument_roots |= roots
        kind = context.answer(RESOURCE, argument.value) if roots else PLAIN_VALUE
        serial = serial or kind == SERIAL
        if kind not in (PLAIN_VALUE, SHARED_SAFE) and not _is_callable_value(argument.value):
            objects |= roots
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
    shared_receiver = frozenset(receiver_roots - own)
    effects = context.answer(CALLEE_EFFECTS, func)
    changes_shared = effects is not None and any(
        w.startswith(GLOBAL) or (shared_receiver and w.startswith(SELF) and not w.endswith(FILLED))
        for w in effects.writes
    )
    return SharedUse(
        shared_receiver,
        frozenset(argument_roots),
        varies,
        serial,
        frozenset(objects),
        is_pacing_name(name) or (effects is not None and effects.paces and not effects.by_name),
        effects is not None,
        changes_shared,
        effects is None or effects.suspends or effects.by_name,
        not context.answer(NEVER_AWAITABLE, func),
    )


def _is_callable_value(node: cst.BaseExpression) -> bool:
    """``callback=self._on_done``: a method handed on is not an object the calls share."""
    return isinstance(node, cst.Lambda)
