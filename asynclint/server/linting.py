"""What the language server does with a document's text, without the protocol: the settings in
force, the findings, the verified fixes and the ``# noqa`` comments, and the lines an edit
changes.

Settings come from ``[tool.asynclint]`` (the nearest ``pyproject.toml`` above each file, as the
command line finds it) and, over them, from the editor's initialization options, which play the
command line's part: ``select``, ``extend-select``, ``ignore``, ``unsafe-fixes``, ``config``
and ``test-profile``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from asynclint.adding_noqa import Wanted, with_noqa
from asynclint.cli import _Selector
from asynclint.config import (
    ENGINE_CODES,
    ConfigError,
    ConfigFinder,
    Selection,
    Settings,
    check_selectors,
)
from asynclint.config import did_you_mean as _did_you_mean
from asynclint.diagnostics import Diagnostic, FileResult, Problem
from asynclint.discovery import FileFinder
from asynclint.fixing import FixMode
from asynclint.index import module_name, summarize
from asynclint.linter import ModuleContext, check_source
from asynclint.noqa import find_suppressions
from asynclint.rule import Rule
from asynclint.rules import RULES_BY_CODE
from asynclint.runner import on_deep_stack
from asynclint.server.indexing import WarmUps, build_session, indexed_root
from asynclint.session import ProjectSession

OPTION_KEYS = ("select", "extend-select", "ignore", "unsafe-fixes", "config", "test-profile")
# What ``Disable asynclint for this file`` writes (``asynclint.noqa``'s per-file form).
FILE_NOQA = "# asynclint: noqa"
# The lines of a text as editors count them (``str.splitlines`` also splits at form feeds).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# A first or second line that must stay first: ``#!`` or a PEP 263 encoding declaration.
_HEADER = re.compile(r"#!|[ \t\f]*#.*?coding[:=]")


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its line ending."""
    return _LINE.findall(text)


@dataclass(frozen=True)
class ClientOptions:
    """The editor's settings: they stand where the command line's flags stand."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    config: Path | None = None  # a configuration file, instead of the nearest pyproject.toml
    test_profile: bool | None = None

    @property
    def selection(self) -> Selection:
        return Selection(self.select, self.extend_select, self.ignore)


def _key(raw: str) -> str:
    """``extendSelect`` and ``extend_select`` read ``extend-select``."""
    return re.sub(r"(?<=[a-z])([A-Z])", r"-\1", raw).replace("_", "-").lower()


def _codes(value: object, key: str) -> tuple[str, ...]:
    """A list of selectors, or one string of them separated by commas or spaces."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"`{key}` must be a list of rule codes")
    return tuple(check_selectors(value, key))


def read_options(raw: object, root: Path | None) -> tuple[ClientOptions, list[str]]:
    """The options an editor sent (``{"select": [...], ...}``, or the same under an
    ``asynclint`` key), and a warning for each one that could not be used."""
    if isinstance(raw, Mapping) and set(raw) == {"asynclint"}:
        raw = raw["asynclint"]
    if raw is None:
        return ClientOptions(), []
    if not isinstance(raw, Mapping):
        return ClientOptions(), ["the initialization options must be an object"]
    values: dict[str, object] = {}
    warnings = []
    for given, value in raw.items():
        key = _key(str(given))
        if key not in OPTION_KEYS:
            hint = _did_you_mean(key, OPTION_KEYS)
            warnings.append(f"unknown option {given!r}{hint} (known: {', '.join(OPTION_KEYS)})")
            continue
        try:
            values[key.replace("-", "_")] = _option(key, value, root)
        except (ValueError, ConfigError) as error:
            warnings.append(f"option {given!r} left out: {error}")
    return ClientOptions(**values), warnings  # type: ignore[arg-type]


def _option(key: str, value: object, root: Path | None) -> object:
    if key in ("select", "extend-select", "ignore"):
        return _codes(value, key)
    if key in ("unsafe-fixes", "test-profile"):
        if not isinstance(value, bool):
            raise ValueError(f"`{key}` must be true or false")
        return value
    if not isinstance(value, str) or not value:
        raise ValueError("`config` must be the path of a TOML file")
    path = Path(value).expanduser()
    if not path.is_absolute() and root is not None:
        path = root / path
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return path


@dataclass(frozen=True)
class Snapshot:
    """A document's text at one version."""

    uri: str
    path: Path | None  # the file it stands for; None for a buffer that is no file
    text: str
    version: int | None = None

    @property
    def display(self) -> str:
        return str(self.path) if self.path is not None else self.uri


@dataclass(frozen=True)
class _Plan:
    """How one file is checked: its settings, the rules that run, those the test profile
    holds back."""

    settings: Settings
    rules: tuple[type[Rule], ...]
    held: frozenset[str]

    @property
    def uses_index(self) -> bool:
        return any(rule.uses_index() for rule in self.rules)


@dataclass
class Linter:
    """One configuration's linting: settings changes make a new one. The index of each open
    document's project is built on the server's index thread (``index_project``); everything
    that reads it runs on the linting thread (``runner.on_deep_stack``)."""

    options: ClientOptions
    configs: ConfigFinder = field(init=False)
    sessions: dict[Path, ProjectSession] = field(default_factory=dict)
    # Each saved or opened file's facts, as the index knows them (``refresh``).
    facts: dict[Path, object] = field(default_factory=dict)
    _excluded: dict[Path, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.configs = ConfigFinder(self.options.config)  # may raise ConfigError
        self._selector = _Selector(self.options.selection, self.options.test_profile)

    def excluded(self, path: Path) -> bool:
        """Whether the configuration leaves ``path`` out (``exclude``, ``.gitignore``), as
        ``--force-exclude`` does for a file named on the command line."""
        if path not in self._excluded:
            finder = FileFinder(self.configs, force_exclude=True)
            self._excluded[path] = path.is_file() and not finder.find([str(path)])
        return self._excluded[path]

    def _plan(self, document: Snapshot) -> _Plan:
        path = document.path or Path.cwd() / "untitled.py"
        settings = self.configs.for_path(path)
        _, codes, held = self._selector.split_for(path, settings)
        rules = tuple(RULES_BY_CODE[code] for code in (*codes, *held))
        return _Plan(settings, rules, frozenset(held))

    def lint(self, document: Snapshot, fix_mode: FixMode | None = None) -> FileResult | None:
        """The findings (with ``fix_mode``, and the fixed text), or None for a file the
        configuration excludes. ``ConfigError`` for a configuration to correct."""
        if document.path is not None and self.excluded(document.path):
            return None
        plan = self._plan(document)
        return on_deep_stack(self._check, document, plan, fix_mode)

    def _check(self, document: Snapshot, plan: _Plan, fix_mode: FixMode | None) -> FileResult:
        display = document.display
        try:
            where = self._where(document, plan)
            # ``fixable``/``unfixable``: the findings of the other codes show no fix.
            mode = self._selector.fix_mode_for(plan.settings, fix_mode or FixMode(apply=False))
            target = plan.settings.target_version
            return check_source(document.text, display, plan.rules, mode, where, plan.held, target)
        except Exception as error:  # a bug of ours: reported, never raised at the editor
            message = f"internal error: {type(error).__name__}: {error}"
            return FileResult(display, problems=[Problem(display, message, internal=True)])

    def _where(self, document: Snapshot, plan: _Plan) -> ModuleContext | None:
        """The module's place in its project's index, or, until that is built (or for a file
        in no project), the module alone with the configured blocking calls."""
        if not plan.uses_index:
            return None
        config = (plan.settings.blocking, plan.settings.allow_blocking)
        root = indexed_root(document.path) if document.path is not None else None
        session = self.sessions.get(root) if root is not None else None
        if session is not None and session.index is not None and document.path is not None:
            return session.context_for(session.module_for(document.path), config)
        alone = ModuleContext.alone(document.text, document.display)
        return ModuleContext(alone.index, alone.name, False, ProjectSession().catalogue(config))

    def index_root(self, document: Snapshot) -> Path | None:
        """The project whose index the document's findings need, or None."""
        if document.path is None or not self._plan(document).uses_index:
            return None
        return indexed_root(document.path)

    def index_project(self, root: Path, document: Snapshot, warm_ups: WarmUps) -> str | None:
        """Build the index of ``root``'s project (on the index thread); what went wrong
        filling its cache first, if anything."""
        assert document.path is not None
        problem = warm_ups.run(document.path, self.options.config)
        rules = self._plan(document).rules
        self.sessions[root] = build_session(self.configs, document.path, rules)
        return problem

    def refresh(self, root: Path, document: Snapshot) -> bool:
        """After a save (on the index thread): whether the file's facts (what it defines, as
        the index records it) changed since it was opened or last saved; if so, the index of
        its project is built again, from the cache and the files changed since."""
        assert document.path is not None
        name, is_package = module_name(document.path)
        facts = summarize(document.text, name, is_package).to_json()
        known = self.facts.get(document.path)
        self.facts[document.path] = facts
        if known is None or known == facts or root not in self.sessions:
            return False
        rules = self._plan(document).rules
        self.sessions[root] = build_session(self.configs, document.path, rules)
        return True

    def remember(self, document: Snapshot) -> None:
        """Record the facts of a file just opened (on the index thread), for ``refresh``."""
        if document.path is not None and document.path not in self.facts:
            name, is_package = module_name(document.path)
            self.facts[document.path] = summarize(document.text, name, is_package).to_json()


def quick_fix_mode(diagnostic: Diagnostic) -> FixMode:
    """The fix of one finding, safe or not (the editor labels the unsafe ones)."""
    start = diagnostic.start
    return FixMode(unsafe=True, only=(diagnostic.code, start.line, start.column))


def with_line_noqa(text: str, diagnostic: Diagnostic) -> str | None:
    """``text`` with a ``# noqa`` for the finding (merged into one already on its line), or
    None when no comment can be added there."""
    if diagnostic.code in ENGINE_CODES:
        return None
    wanted = Wanted(diagnostic.code, diagnostic.start.line, diagnostic.statement_line)
    done = with_noqa(text, [wanted])
    return done.text if done.added else None


def with_file_noqa(text: str) -> str | None:
    """``text`` with ``# asynclint: noqa`` on a line of its own near the top (after a ``#!``
    line and an encoding declaration), or None when it has one."""
    if find_suppressions(text).file_level:
        return None
    lines = split_lines(text)
    at = 0
    while at < min(2, len(lines)) and _HEADER.match(lines[at]):
        at += 1
    newline = "\r\n" if "\r\n" in text else "\n"
    before = "".join(lines[:at])
    if before and not before.endswith(("\n", "\r")):
        before += newline
    return f"{before}{FILE_NOQA}{newline}{''.join(lines[at:])}"


@dataclass(frozen=True)
class Change:
    """The lines an edit replaces: from the start of ``start_line`` to ``end`` (line and
    column, in characters, 0-based), by ``text``."""

    start_line: int
    end: tuple[int, int]
    text: str


def changed_lines(old: str, new: str) -> Change | None:
    """The one stretch of whole lines where ``new`` differs from ``old``, or None if equal."""
    if old == new:
        return None
    before, after = split_lines(old), split_lines(new)
    first = 0
    while first < min(len(before), len(after)) and before[first] == after[first]:
        first += 1
    same_end = 0
    limit = min(len(before), len(after)) - first
    while same_end < limit and before[-1 - same_end] == after[-1 - same_end]:
        same_end += 1
    last = len(before) - same_end
    text = "".join(after[first : len(after) - same_end])
    end = (last, 0)
    if last == len(before) and before and not before[-1].endswith(("\n", "\r")):
        end = (last - 1, len(before[-1]))  # the end of a last line without a line ending
    return Change(first, end, text)
