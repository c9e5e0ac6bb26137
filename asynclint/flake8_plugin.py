"""asynclint as a flake8 plugin: the same engine, codes, messages, positions and suppressions.

flake8 finds the plugin through the ``flake8.extension`` entry point ``AL`` and handles
``--select``, ``--ignore``, ``--per-file-ignores`` and ``# noqa`` itself; asynclint's own
suppressions (peer codes such as ``# noqa: ASYNC251``, ``# noqa: AL401`` on a ``def`` line,
``# asynclint: noqa``) apply as well, so a finding silenced for the command line is silenced
here too. Options are registered the flake8 way and read from ``setup.cfg``, ``tox.ini`` or
``.flake8``:

    [flake8]
    asynclint-extend-blocking-calls = mylib.fetch_now=network, legacy.wait=sleep
    asynclint-allow-blocking-calls = mylib.cheap_read
    asynclint-target-version = py38

Without ``asynclint-target-version``, a file's target version is the command line's: its
``[tool.asynclint]`` table's ``target-version``, else ``requires-python``.

flake8 checks files in parallel processes. Each process builds the project's session (its
index, as the command line builds it) once per project, from the summaries cached on disk
(``.asynclint_cache/``) by the first process or an earlier run, not once per file.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from asynclint import __version__
from asynclint.config import ConfigError, ConfigFinder, index_root, is_index_root, target_version
from asynclint.knowledge.blocking import BlockingCatalogue, load_blocking_catalogue
from asynclint.linter import ModuleContext, check_source
from asynclint.rule import Rule
from asynclint.rules import ALL_RULES
from asynclint.rules.unused_noqa import UnusedNoqa
from asynclint.session import NO_BLOCKING_CONFIG, BlockingConfig, ProjectSession

UNUSED_NOQA = UnusedNoqa.code
_RULES = list(ALL_RULES)
# One session per project root and process: flake8 hands each process many files.
_sessions: dict[Path, ProjectSession] = {}
# The settings of the files' folders, as the command line finds them (the target version).
_configs = ConfigFinder()


def _configured_target(path: Path) -> tuple[int, int] | None:
    """The target version the command line would use for ``path``."""
    try:
        return _configs.for_path(path).target_version
    except ConfigError:
        return None  # the command line reports a broken configuration; flake8 goes on


def _session_for(path: Path, blocking: BlockingConfig) -> ProjectSession:
    real = path.resolve()
    root = index_root(real.parent)  # the session indexes the whole project of this root
    if not is_index_root(root):
        root = path  # no project: the file is indexed alone
    if root not in _sessions:
        chosen = os.environ.get("ASYNCLINT_CACHE_DIR")
        _sessions[root] = ProjectSession.build(
            [path],
            _RULES,
            ConfigFinder(),
            use_cache=True,
            jobs=1,
            blocking=[blocking],
            cache_dir=Path(chosen).resolve() if chosen else None,
        )
        note = _sessions[root].unreadable_note()  # never a module lost without a word
        if note is not None:
            print(note, file=sys.stderr)
    return _sessions[root]


def _pairs(values: list[str]) -> dict[str, str]:
    """``name=family`` entries of ``asynclint-extend-blocking-calls``."""
    pairs = {}
    for value in values:
        name, separator, family = value.partition("=")
        if not separator or not name.strip() or not family.strip():
            raise ValueError(
                f"asynclint-extend-blocking-calls: {value!r} is not name=family "
                "(for example mylib.fetch_now=network)"
            )
        pairs[name.strip()] = family.strip()
    return pairs


def _chosen_rules(options: Any) -> list[type[Rule]]:
    """The rules on by default, and those off by default that flake8's ``select`` or
    ``extend-select`` names by their family or code (``AL4``, ``AL402``). Never AL002: flake8
    reads the ``# noqa`` comments itself (the flake8-noqa plugin judges them)."""
    selectors = [
        str(s).strip().upper()
        for name in ("select", "extend_select")
        for s in (getattr(options, name, None) or ())
    ]
    return [
        rule
        for rule in ALL_RULES
        if rule.code != UNUSED_NOQA
        and (
            rule.default_enabled
            or any(len(s) > len("AL") and rule.code.startswith(s) for s in selectors)
        )
    ]


class Plugin:
    """The flake8 checker: one instance per file."""

    name = "asynclint"
    version = __version__
    catalogue: ClassVar[BlockingCatalogue | None] = None
    blocking: ClassVar[BlockingConfig] = NO_BLOCKING_CONFIG
    target: ClassVar[tuple[int, int] | None] = None
    # The rules off by default (AL4xx) run only when flake8's ``select``/``extend-select``
    # names them or their family (``AL4``): under flake8, ``AL`` is how the plugin as a whole
    # is turned on.
    rules: ClassVar[list[type[Rule]]] = [r for r in ALL_RULES if r.default_enabled]

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--asynclint-extend-blocking-calls",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="More blocking calls for AL2xx, as name=family (sleep, network, process, "
            "file, thread-sync, console, database); `extend-blocking-calls` in "
            "[tool.asynclint]",
        )
        manager.add_option(
            "--asynclint-allow-blocking-calls",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Calls the AL2xx rules never report; `allow-blocking-calls` in [tool.asynclint]",
        )
        manager.add_option(
            "--asynclint-target-version",
            default="",
            parse_from_config=True,
            help="The oldest Python the code runs on (py38 ... py314): advice uses only what it "
            "has; by default `target-version` in [tool.asynclint], else `requires-python`",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        try:
            extra = _pairs(list(getattr(options, "asynclint_extend_blocking_calls", None) or []))
            allowed = tuple(getattr(options, "asynclint_allow_blocking_calls", None) or [])
            cls.catalogue = load_blocking_catalogue(extra, allowed) if extra or allowed else None
            cls.blocking = (tuple(sorted(extra.items())), allowed)
            cls.rules = _chosen_rules(options)
            chosen = getattr(options, "asynclint_target_version", None) or ""
            cls.target = target_version(chosen, "--asynclint-target-version") if chosen else None
        except (ValueError, ConfigError) as error:  # a clear line and exit status 1, no traceback
            raise SystemExit(f"asynclint: {error}") from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from asynclint.runner import on_deep_stack

        source = "".join(self.lines)
        path = Path(self.filename)
        where = None
        if self.filename not in ("stdin", "-") and path.is_file():
            resolved = path.resolve()
            session = _session_for(resolved, self.blocking)
            where = session.context_for(session.module_for(resolved), self.blocking)
        elif self.catalogue is not None:
            alone = ModuleContext.alone(source, self.filename)
            where = ModuleContext(alone.index, alone.name, False, self.catalogue)
        target = self.target
        if target is None and self.filename not in ("stdin", "-"):
            target = _configured_target(path)
        result = on_deep_stack(
            check_source, source, self.filename, self.rules, None, where, frozenset(), target
        )
        for diagnostic in result.diagnostics:
            if diagnostic.code == "AL001":
                continue  # flake8 reports a file that does not parse itself (E999)
            yield (
                diagnostic.start.line,
                diagnostic.start.column - 1,
                f"{diagnostic.code} {diagnostic.message}",
                type(self),
            )
        for problem in result.problems:
            message = f"AL000 asynclint could not check this file: {problem.message}"
            yield (1, 0, message, type(self))
