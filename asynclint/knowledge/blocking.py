"""The catalogue of blocking calls (``asynclint/data/blocking.toml``).

It says which calls block the event loop when made inside ``async def``, sorted into families
that are one rule code each (AL201 sleep, AL202 network, ...), what to use instead, which
similar-looking calls are deliberately not reported, and which arguments keep a listed call
from blocking (``[silent-when]``, read by ``asynclint.knowledge.arguments``). Users extend it
with ``extend-blocking-calls`` (qualified name = family) and trim it with
``allow-blocking-calls``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from asynclint import toml
from asynclint.knowledge.arguments import (
    Argument,
    Arguments,
    Condition,
    find_argument,
    parse_conditions,
)
from asynclint.toml import read_data_file

SECTIONS = (
    "families",
    "calls",
    "replacements",
    "classes",
    "allowed",
    "silent-when",
    "binary-mode",
)
FAMILY_FIELDS = ("code", "title", "replacement")
CODE_PATTERN = re.compile(r"AL2\d\d")
WILDCARD = "*"


@dataclass(frozen=True)
class Family:
    """A kind of blocking call, reported under one rule code."""

    name: str
    code: str
    title: str
    replacement: str


@dataclass(frozen=True)
class BlockingCatalogue:
    """Blocking calls keyed by fully qualified public names.

    A key ending in ``.*`` covers every attribute below it (``xmlrpc.client.ServerProxy.*``); the
    most specific key of ``calls`` and ``allowed`` decides: the name itself, then the longest
    wildcard. Names are looked up as written, then through ``classes``: an alias, subclass or
    constructor of a listed class stands for that class, as a whole name or as the prefix of a
    method (``requests.sessions.Session.get`` -> ``requests.Session.get``).
    """

    families: Mapping[str, Family]
    calls: Mapping[str, str]  # name -> family name
    replacements: Mapping[str, str]  # name -> what to use instead, when not the family's text
    classes: Mapping[str, tuple[str, ...]]  # class -> its aliases, subclasses and constructors
    allowed: Mapping[str, str]  # name -> why it is not reported
    # name -> the conditions on its arguments under which it does not block (any one will do)
    silent_when: Mapping[str, tuple[Condition, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # file opener -> the position of its ``mode`` argument (``buffering`` follows it)
    binary_mode: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    aliases: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        aliases = {name: cls for cls, names in self.classes.items() for name in names}
        object.__setattr__(self, "aliases", MappingProxyType(aliases))

    def family_of(self, qualified: str) -> Family | None:
        """The family of a blocking call, or None when ``qualified`` is allowed or unknown."""
        key = self._match(qualified)
        if key is None or key not in self.calls:
            return None
        return self.families[self.calls[key]]

    def blocks(self, qualified: str, arguments: Arguments) -> Family | None:
        """The family of a blocking call made with ``arguments``: None as for ``family_of``,
        and when an entry of ``[silent-when]`` says these arguments make it return at once."""
        key = self._match(qualified)
        if key is None or key not in self.calls:
            return None
        if any(condition.holds(arguments) for condition in self.silent_when.get(key, ())):
            return None
        return self.families[self.calls[key]]

    def conditions_for(self, qualified: str) -> tuple[Condition, ...]:
        """The ``[silent-when]`` conditions of the entry that decides about ``qualified``."""
        key = self._match(qualified)
        return self.silent_when.get(key, ()) if key is not None else ()

    def replacement_for(self, qualified: str) -> str:
        """What to use instead of the blocking call ``qualified``; KeyError if it is not one."""
        key = self._match(qualified)
        if key is None or key not in self.calls:
            raise KeyError(f"{qualified!r} is not a blocking call")
        return self.replacements.get(key) or self.families[self.calls[key]].replacement

    def class_of_constructor(self, qualified: str) -> str | None:
        """The listed class of the instance that calling ``qualified`` returns, or that a value
        annotated with it holds: ``requests.session`` -> ``requests.Session``; a listed class
        gives itself, a subclass listed under it gives it (``smtplib.SMTP_SSL`` ->
        ``smtplib.SMTP``), and anything else None."""
        for name in self._names(qualified):
            if name in self.classes:
                return name
        return None

    def binary_file_class(self, opener: str, arguments: Arguments) -> str | None:
        """The class of the file object a call of ``opener`` gives in binary mode, as
        ``io.open`` chooses it from a literal mode (``"rb"``: ``io.BufferedReader``); None in
        text mode or when the mode is not known."""
        position = self.binary_mode.get(opener)
        if position is None:
            return None
        mode = find_argument(arguments, position, "mode")
        if not isinstance(mode, Argument) or not isinstance(mode.literal, str):
            return None
        if "b" not in mode.literal:
            return None
        buffering = find_argument(arguments, position + 1, "buffering")
        if isinstance(buffering, Argument) and buffering.literal == 0:
            return "io.FileIO"
        if "+" in mode.literal:
            return "io.BufferedRandom"
        return "io.BufferedReader" if "r" in mode.literal else "io.BufferedWriter"

    def codes(self) -> list[str]:
        """The rule codes of the families, sorted."""
        return sorted(family.code for family in self.families.values())

    def _match(self, qualified: str) -> str | None:
        """The key of ``calls`` or ``allowed`` that decides about ``qualified``, if any."""
        for name in self._names(qualified):
            for key in _keys_covering(name):
                if key in self.allowed or key in self.calls:
                    return key
        return None

    def _names(self, qualified: str) -> Iterator[str]:
        """``qualified``, then the names it stands for through the class aliases, in order."""
        name: str | None = qualified
        for _ in range(len(self.aliases) + 1):  # bounded, whatever the aliases are
            if name is None:
                return
            yield name
            name = self._alias_of(name)

    def _alias_of(self, name: str) -> str | None:
        if name in self.aliases:
            return self.aliases[name]
        prefix = name
        while "." in prefix:
            prefix = prefix.rpartition(".")[0]
            if prefix in self.aliases:
                return self.aliases[prefix] + name[len(prefix) :]
        return None

    def extended(self, extra: Mapping[str, str], allowed: Iterable[str]) -> BlockingCatalogue:
        """This catalogue with a user's ``extend-blocking-calls`` and ``allow-blocking-calls``;
        ValueError names the first bad entry. The user's entries win over the shipped ones."""
        if not isinstance(extra, Mapping):
            raise ValueError("extend-blocking-calls must be a table of name = family")
        if isinstance(allowed, str):
            raise ValueError("allow-blocking-calls must be a list of names, not a string")
        allowed = tuple(allowed)
        codes = {family.code: name for name, family in self.families.items()}
        added: dict[str, str] = {}
        for name, family in extra.items():
            _check_name(name, "extend-blocking-calls")
            if not isinstance(family, str) or (family not in self.families and family not in codes):
                close = difflib.get_close_matches(str(family), [*self.families, *codes], 1)
                raise ValueError(
                    f"extend-blocking-calls: {name!r} = {family!r} is not a family"
                    + (f"; did you mean {close[0]}?" if close else ".")
                    + f" Use one of {', '.join(sorted(self.families))} (or its code, "
                    f"{', '.join(sorted(codes))})"
                )
            added[name] = codes.get(family, family)
        allowed_names: list[str] = []
        for name in allowed:
            if not isinstance(name, str):
                raise ValueError(f"allow-blocking-calls: {name!r} is not a string")
            _check_name(name, "allow-blocking-calls")
            if name in added:
                raise ValueError(
                    f"{name!r} is both in extend-blocking-calls and in allow-blocking-calls"
                )
            allowed_names.append(name)
        calls = {k: v for k, v in self.calls.items() if k not in allowed_names}
        calls.update(added)
        allowed_map = {k: v for k, v in self.allowed.items() if k not in added}
        allowed_map.update(dict.fromkeys(allowed_names, "allow-blocking-calls"))
        return BlockingCatalogue(
            families=self.families,
            calls=MappingProxyType(calls),
            replacements=MappingProxyType(
                {k: v for k, v in self.replacements.items() if k in calls}
            ),
            classes=self.classes,
            allowed=MappingProxyType(allowed_map),
            silent_when=MappingProxyType({k: v for k, v in self.silent_when.items() if k in calls}),
            binary_mode=self.binary_mode,
        )


def _keys_covering(name: str) -> Iterator[str]:
    """``name`` itself, then the wildcard keys that cover it, most specific first."""
    yield name
    prefix = name
    while "." in prefix:
        prefix = prefix.rpartition(".")[0]
        yield f"{prefix}.{WILDCARD}"


def load_blocking_catalogue(
    extra: Mapping[str, str] | None = None, allowed: Iterable[str] = ()
) -> BlockingCatalogue:
    """The shipped catalogue (read once), extended with a user's configuration if any:
    ``extra`` maps qualified names to a family (``extend-blocking-calls``), ``allowed`` lists
    names not to report (``allow-blocking-calls``). ValueError names the first bad entry."""
    if isinstance(allowed, str):
        raise ValueError("allow-blocking-calls must be a list of names, not a string")
    allowed = tuple(allowed)
    base = _shipped_catalogue()
    if not extra and not allowed:
        return base
    return base.extended(extra or {}, allowed)


@functools.cache
def _shipped_catalogue() -> BlockingCatalogue:
    text = read_data_file("blocking.toml")
    return parse_blocking_catalogue(text)


def parse_blocking_catalogue(text: str) -> BlockingCatalogue:
    """Build a catalogue from TOML text; ValueError names the first offending entry."""
    data = toml.loads(text)
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown section(s) in the blocking catalogue: {sorted(unknown)}")
    families = _families(data.get("families", {}))
    calls: dict[str, str] = {}
    for name, family in data.get("calls", {}).items():
        _check_name(name, "[calls]")
        if family not in families:
            raise ValueError(
                f"[calls] {name!r}: {family!r} is not a family; use one of {sorted(families)}"
            )
        calls[name] = family
    replacements: dict[str, str] = {}
    for name, text_ in data.get("replacements", {}).items():
        if name not in calls:
            raise ValueError(f"[replacements] {name!r} is not in [calls]")
        if not isinstance(text_, str) or not text_.strip():
            raise ValueError(f"[replacements] {name!r}: the replacement must be a non-empty text")
        replacements[name] = text_
    classes = _classes(data.get("classes", {}), calls)
    allowed: dict[str, str] = {}
    for name, reason in data.get("allowed", {}).items():
        _check_name(name, "[allowed]")
        if name in calls:
            raise ValueError(f"[allowed] {name!r} is also in [calls]")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"[allowed] {name!r}: give the reason as a non-empty text")
        allowed[name] = reason
    silent_when: dict[str, tuple[Condition, ...]] = {}
    for name, entries in data.get("silent-when", {}).items():
        if name not in calls:
            raise ValueError(f"[silent-when] {name!r} is not in [calls]")
        silent_when[name] = parse_conditions(name, entries)
    binary_mode = _binary_mode(data.get("binary-mode", {}), classes)
    return BlockingCatalogue(
        families=MappingProxyType(families),
        calls=MappingProxyType(calls),
        replacements=MappingProxyType(replacements),
        classes=MappingProxyType(classes),
        allowed=MappingProxyType(allowed),
        silent_when=MappingProxyType(silent_when),
        binary_mode=MappingProxyType(binary_mode),
    )


def _binary_mode(
    table: Mapping[str, Any], classes: Mapping[str, tuple[str, ...]]
) -> dict[str, int]:
    openers = {name for names in classes.values() for name in names}
    for opener, position in table.items():
        if opener not in openers:
            raise ValueError(f"[binary-mode] {opener!r} is not listed under a class in [classes]")
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise ValueError(f"[binary-mode] {opener!r}: give the position of its mode argument")
    return dict(table)


def _families(table: Mapping[str, Any]) -> dict[str, Family]:
    families: dict[str, Family] = {}
    codes: dict[str, str] = {}
    for name, entry in table.items():
        if not isinstance(entry, Mapping) or set(entry) != set(FAMILY_FIELDS):
            raise ValueError(f"[families.{name}] must have exactly the keys {list(FAMILY_FIELDS)}")
        if not all(isinstance(entry[key], str) and entry[key].strip() for key in FAMILY_FIELDS):
            raise ValueError(f"[families.{name}]: {list(FAMILY_FIELDS)} must be non-empty texts")
        code = entry["code"]
        if not CODE_PATTERN.fullmatch(code):
            raise ValueError(f"[families.{name}] code {code!r} is not AL2 and two digits")
        if code in codes:
            raise ValueError(f"[families.{name}] code {code} is also the code of {codes[code]!r}")
        codes[code] = name
        families[name] = Family(name, code, entry["title"], entry["replacement"])
    return families


def _classes(table: Mapping[str, Any], calls: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    classes: dict[str, tuple[str, ...]] = {}
    owner_of: dict[str, str] = {}
    for cls, names in table.items():
        _check_name(cls, "[classes]", wildcard=False)
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError(f"[classes] {cls!r}: give a list of names")
        for name in names:
            _check_name(name, f"[classes] {cls!r}:", wildcard=False)
            if name == cls:
                raise ValueError(f"[classes] {cls!r} lists itself")
            if name in owner_of:
                raise ValueError(
                    f"[classes] {name!r} is listed under both {owner_of[name]!r} and {cls!r}"
                )
            owner_of[name] = cls
        if not any(call.startswith(cls + ".") for call in calls):
            raise ValueError(f"[classes] {cls!r} has no method in [calls]")
        classes[cls] = tuple(names)
    for name in owner_of:  # a chain of subclasses must end
        seen = {name}
        current = name
        while current in owner_of:
            current = owner_of[current]
            if current in seen:
                raise ValueError(f"[classes] {name!r} is part of a cycle of aliases")
            seen.add(current)
    return classes


def _check_name(name: object, where: str, *, wildcard: bool = True) -> None:
    """A qualified name (``module.name``, ``module.Class.method``), optionally ending in
    ``.*``."""
    parts = name.split(".") if isinstance(name, str) else []
    if wildcard and len(parts) >= 2 and parts[-1] == WILDCARD:
        parts = parts[:-1]
        least = 1
    else:
        least = 2
    if len(parts) < least or not all(part.isidentifier() for part in parts):
        example = ""
        if isinstance(name, str) and name.isidentifier():
            example = f" (e.g. 'builtins.{name}')"
        raise ValueError(
            f"{where} {name!r} is not a qualified name: module.name or module.Class.method"
            + (", optionally ending in '.*'" if wildcard else "")
            + example
        )


# Where code blocks the event loop on purpose, which the AL2xx fixes must not undo: a test of a
# blocking detector (Home Assistant's ``test_block_async_io.py``, tests marked to skip anyio's
# and aiohttp's blockbuster), a test that asserts a step has no checkpoint
# (``trio.testing.assert_no_checkpoints()``: an ``await`` there fails it).
_BLOCK_WORDS = frozenset({"block", "blocks", "blocking", "blocked", "blockbuster"})
_CHECKPOINT_WORDS = frozenset({"checkpoint", "checkpoints", "blockbuster"})
_ASSERTION_WORDS = frozenset({"assert", "assertion", "detect", "detector", "expect", "no"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def name_words(name: str) -> set[str]:
    """The lower-case words of a snake_case or CamelCase name."""
    return {word.lower() for word in _WORD.findall(name)}


def named_for_blocking(name: str) -> bool:
    """Whether a function's, class's, test module's or decorator's name says that the code
    blocks on purpose or tests blocking (``test_blocking_sleep``, ``skip_blockbuster``; not
    ``read_non_blocking``)."""
    words = name_words(name)
    return not _BLOCK_WORDS.isdisjoint(words) and "non" not in words


def says_it_blocks(name: str) -> bool:
    """Whether a function's name starts with the verb: ``block_event_loop``, ``_blocks_io``
    (anyio's tests hold the event loop so on purpose); ``blocking`` alone does not."""
    first = name.lstrip("_").split("_", 1)[0].lower()
    return first in ("block", "blocks") and "_" in name.lstrip("_")


def asserts_blocking(name: str) -> bool:
    """Whether a context manager's name says that it checks the code inside for checkpoints
    or blocking calls (``assert_no_checkpoints``, ``blockbuster_ctx``, ``detect_blocking``);
    ``start_blocking_portal`` does not."""
    words = name_words(name)
    if not _CHECKPOINT_WORDS.isdisjoint(words):
        return True
    return not _BLOCK_WORDS.isdisjoint(words) and not _ASSERTION_WORDS.isdisjoint(words)


# Words of a comment that says the blocking is meant (beside the words of ``_BLOCK_WORDS``).
_PURPOSE_WORDS = frozenset({"purpose", "deliberately", "deliberate", "intentionally", "intended"})


def comment_says_it_blocks(comment: str, callee: str) -> bool:
    """Whether a comment on a statement says that its blocking call is meant: it speaks of
    blocking or of a purpose (``# block the loop on purpose``), or names the call as written
    (aiohttp's ``# time.sleep is a more challenging scenario than asyncio.sleep``)."""
    words = name_words(comment)
    if not (_BLOCK_WORDS | _PURPOSE_WORDS).isdisjoint(words) and "non" not in words:
        return True
    return bool(callee) and re.search(rf"(?<![\w.]){re.escape(callee)}\b", comment) is not None
