"""Configuration: ``[tool.asynclint]`` in the nearest ``pyproject.toml``, command-line flags on top.

Rule selection follows ruff: ``select`` replaces the set of rules, ``extend-select`` adds to it,
``ignore`` removes from it; between a selector that enables and one that disables the same code,
the more specific one wins (``select = ["AL2"]`` with ``ignore = ["AL201"]`` enables the AL2
family but AL201). Command-line flags form a second layer: ``--select`` there starts over.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from asynclint import toml
from asynclint.index.locate import project_root
from asynclint.knowledge.blocking import load_blocking_catalogue
from asynclint.rules import ALL_RULES

ALL_CODES: tuple[str, ...] = tuple(rule.code for rule in ALL_RULES)
# What runs when nothing is selected: every rule but those off by default (AL4xx), which a
# selector naming them (``AL4``, ``AL402``, ``AL``, ``ALL``) turns on.
DEFAULT_CODES: frozenset[str] = frozenset(r.code for r in ALL_RULES if r.default_enabled)
# Families keep their prefixes even before a rule lands in them (AL0 is the engine itself).
FAMILY_PREFIXES = ("AL0", "AL1", "AL2", "AL3", "AL4", "AL5")
# Reported by the engine itself, whatever the selection: AL001 (the file does not parse).
ENGINE_CODES = ("AL001",)
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)
CONFIG_KEYS = frozenset(
    {
        "select",
        "ignore",
        "extend-select",
        "per-file-ignores",
        "exclude",
        "extend-exclude",
        "python",
        "extend-blocking-calls",
        "allow-blocking-calls",
        "test-paths",
        "test-profile",
        "cache-dir",
    }
)
# Where tests live, by pytest's conventions: a pattern without ``/`` matches a file's name or
# the name of any folder above it (within the configuration's directory).
DEFAULT_TEST_PATHS = ("tests", "test", "test_*.py", "*_test.py", "conftest.py")
# What the test profile holds back in test files: the families whose findings only cost a test
# suite some speed (blocking calls, sequential awaits, ``get_event_loop()``), not its meaning.
TEST_HELD_BACK = ("AL2", "AL4", "AL502")


class ConfigError(Exception):
    """A configuration or option the user must correct (exit code 2)."""


# Each rule's code by its name (``blocking-sleep``): a selector may name a rule either way.
CODES_BY_NAME: dict[str, str] = {rule.name: rule.code for rule in ALL_RULES}


def _is_known_selector(selector: str) -> bool:
    if selector in ("ALL", "A", "AL", *FAMILY_PREFIXES, *ENGINE_CODES):
        return True
    return any(code.startswith(selector) for code in ALL_CODES)


def check_selectors(selectors: Iterable[str], where: str) -> list[str]:
    """Upper-cased selectors (a rule's name stands for its code); ``ConfigError`` for one
    that names no rule or family, with the nearest ones that do."""
    checked = []
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        by_name = CODES_BY_NAME.get(selector.lower())
        selector = by_name or selector.upper()
        if not _is_known_selector(selector):
            raise ConfigError(f"{where}: unknown rule selector {raw!r}{rule_hint(raw)}")
        checked.append(selector)
    return checked


def rule_hint(given: str) -> str:
    """``did_you_mean`` among the rules: codes for what looks like a code (``AL2O1``: AL201;
    a prefix too short to be one gets none), names for the rest."""
    given = given.strip()
    if given[:2].upper() == "AL":
        return did_you_mean(given, [*ALL_CODES, *ENGINE_CODES]) if len(given) >= 5 else ""
    return did_you_mean(given, CODES_BY_NAME)


def did_you_mean(given: str, known: Iterable[str]) -> str:
    """``"; did you mean X?"`` (or ``X or Y``) for the known words nearest ``given`` (case
    and a letter O for a zero aside), or an empty string when none is near."""
    spelled = {_folded(word): word for word in known}
    near = difflib.get_close_matches(_folded(given), list(spelled), n=2, cutoff=0.75)
    if not near:
        return ""
    return f"; did you mean {' or '.join(spelled[word] for word in near)}?"


def _folded(word: str) -> str:
    return word.strip().lower().replace("_", "-")


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection (the config file, or the command line)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def _specificity(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector matching ``code`` (``ALL`` counts as 0), -1 for none."""
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


def selected_codes(layers: Sequence[Selection]) -> frozenset[str]:
    """The codes enabled after applying the layers in order, starting from the default
    selection."""
    enabled = set(DEFAULT_CODES)
    for layer in layers:
        for code in ALL_CODES:
            on = _specificity(code, (*(layer.select or ()), *layer.extend_select))
            off = _specificity(code, layer.ignore)
            if layer.select is not None and on < 0:
                enabled.discard(code)
            if on >= 0 and on > off:
                enabled.add(code)
            elif off >= 0:
                enabled.discard(code)
    return frozenset(enabled)


@dataclass(frozen=True)
class Settings:
    """Settings from one configuration file (or the defaults), before command-line flags."""

    root: Path  # relative patterns are relative to this directory
    source: Path | None = None
    selection: Selection = Selection()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    # The interpreter or virtual environment whose installed packages the code uses.
    python: str | None = None
    # ``extend-blocking-calls`` (qualified name -> family) and ``allow-blocking-calls``
    blocking: tuple[tuple[str, str], ...] = ()
    allow_blocking: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    test_profile: bool = True
    cache_dir: Path | None = None  # ``cache-dir``, made absolute

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude

    def ignored_for(self, path: Path, resolved: bool = False) -> tuple[str, ...]:
        """Selectors ``per-file-ignores`` disables for ``path`` (``resolved`` already)."""
        if not self.per_file_ignores:
            return ()
        relative = relative_posix(path, self.root, resolved)
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if glob_matches(pattern, relative, path.name):
                out.extend(codes)
        return tuple(out)

    def is_test(self, path: Path, resolved: bool = False) -> bool:
        """Whether ``path`` (``resolved`` already) is test code by ``test-paths``: a pattern
        matches the file's path relative to the configuration's directory, or one of its
        folders' (a pattern without ``/`` matches a file or folder name anywhere below it)."""
        real = path if resolved else path.resolve()
        relative = _relative(real, _resolved(self.root))
        if relative is None:  # outside the configuration's folder: below its own project's
            relative = _relative(real, _project_of(real.parent)) or real.as_posix()
        globs = glob_set(self.test_paths)
        parts = relative.split("/")
        for end in range(len(parts), 0, -1):
            if globs.matches("/".join(parts[:end]), parts[end - 1]):
                return True
        return False


@lru_cache(maxsize=1024)
def _project_of(folder: Path) -> Path:
    return project_root(folder)


def relative_posix(path: Path, root: Path, resolved: bool = False) -> str:
    """``path`` relative to ``root``, both resolved (``path`` already, with ``resolved``);
    the whole resolved path when it is not below ``root``."""
    real = path if resolved else path.resolve()
    relative = _relative(real, _resolved(root))
    return relative if relative is not None else real.as_posix()


def _relative(path: Path, root: Path) -> str | None:
    full, base = path.as_posix(), root.as_posix()
    if full == base:
        return "."
    base = base.rstrip("/") + "/"
    return full[len(base) :] if full.startswith(base) else None


@lru_cache(maxsize=256)
def _resolved(root: Path) -> Path:
    return root.resolve()


@lru_cache(maxsize=64)
def glob_set(patterns: tuple[str, ...]) -> GlobSet:
    """The compiled ``GlobSet`` of configured patterns (made once per set)."""
    return GlobSet(patterns)


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob with ``**`` (any number of directories), ``*``, ``?`` and ``[...]``."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append(re.escape("["))
                i += 1
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


class GlobSet:
    """Configured globs compiled into one test: whether any of them matches a path (as
    ``glob_matches`` says, one pattern at a time)."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        relative: list[str] = []
        names: list[str] = []
        for raw in patterns:
            pattern = raw.strip()
            if pattern.startswith("./"):
                pattern = pattern[2:]
            bare = pattern.rstrip("/")
            relative.append(_glob_regex(bare).pattern)
            if "/" not in bare:
                names.append(fnmatch.translate(bare))
        self._relative = _any_of(relative)
        self._names = _any_of(names)

    def matches(self, relative: str, name: str) -> bool:
        if self._relative is not None and self._relative.match(relative):
            return True
        return self._names is not None and self._names.match(name) is not None


def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def glob_matches(pattern: str, relative: str, name: str) -> bool:
    """Whether a configured glob matches a path: patterns with a ``/`` are matched against the
    path relative to the configuration's directory, others against the file name as well."""
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if _glob_regex(pattern.rstrip("/")).match(relative):
        return True
    if "/" not in pattern.rstrip("/"):
        return fnmatch.fnmatchcase(name, pattern.rstrip("/"))
    return False


def _string_list(table: dict[str, object], key: str, where: str) -> tuple[str, ...] | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def _check_keys(table: dict[str, object], where: str) -> None:
    """``ConfigError`` for unknown keys: the nearest known one for a single one, else the
    known keys."""
    unknown = sorted(set(table) - CONFIG_KEYS)
    hint = did_you_mean(unknown[0], CONFIG_KEYS) if len(unknown) == 1 else ""
    if hint:
        raise ConfigError(f"{where}: unknown option in [tool.asynclint]: {unknown[0]}{hint}")
    if unknown:
        raise ConfigError(
            f"{where}: unknown option{'s' if len(unknown) > 1 else ''} in [tool.asynclint]: "
            f"{', '.join(unknown)} (known: {', '.join(sorted(CONFIG_KEYS))})"
        )


def settings_from_table(table: dict[str, object], root: Path, source: Path | None) -> Settings:
    where = str(source) if source else "configuration"
    _check_keys(table, where)
    select = _string_list(table, "select", where)
    selection = Selection(
        select=tuple(check_selectors(select, where)) if select is not None else None,
        extend_select=tuple(
            check_selectors(_string_list(table, "extend-select", where) or (), where)
        ),
        ignore=tuple(check_selectors(_string_list(table, "ignore", where) or (), where)),
    )
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw_per_file = table.get("per-file-ignores", {})
    if not isinstance(raw_per_file, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
    for pattern, codes in raw_per_file.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: `per-file-ignores.{pattern}` must be a list of codes")
        per_file.append((pattern, tuple(check_selectors(codes, where))))
    exclude = _string_list(table, "exclude", where)
    python = table.get("python")
    if python is not None and not isinstance(python, str):
        raise ConfigError(f"{where}: `python` must be a path (a string)")
    if python is not None and not Path(python).is_absolute():
        python = str(root / python)
    blocking = table.get("extend-blocking-calls", {})
    if not isinstance(blocking, dict) or not all(isinstance(v, str) for v in blocking.values()):
        raise ConfigError(f"{where}: `extend-blocking-calls` must be a table of name = family")
    allow_blocking = _string_list(table, "allow-blocking-calls", where) or ()
    test_paths = _string_list(table, "test-paths", where)
    cache_dir = table.get("cache-dir")
    if cache_dir is not None and not isinstance(cache_dir, str):
        raise ConfigError(f"{where}: `cache-dir` must be a path (a string)")
    test_profile = table.get("test-profile", True)
    if not isinstance(test_profile, bool):
        raise ConfigError(f"{where}: `test-profile` must be true or false")
    try:
        load_blocking_catalogue(blocking, allow_blocking)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from error
    return Settings(
        root=root,
        source=source,
        selection=selection,
        per_file_ignores=tuple(per_file),
        exclude=exclude if exclude is not None else DEFAULT_EXCLUDE,
        extend_exclude=_string_list(table, "extend-exclude", where) or (),
        python=python,
        blocking=tuple(sorted(blocking.items())),
        allow_blocking=tuple(allow_blocking),
        test_paths=test_paths if test_paths is not None else DEFAULT_TEST_PATHS,
        test_profile=test_profile,
        cache_dir=(root / Path(cache_dir).expanduser()).resolve() if cache_dir else None,
    )


def load_config_file(path: Path) -> Settings:
    """Settings from ``path``: a ``pyproject.toml`` (its ``[tool.asynclint]`` table) or a
    TOML file holding the options at its top level."""
    try:
        with path.open("rb") as handle:
            data = toml.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {path}: {error.strerror}") from error
    except toml.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    if path.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: `tool` must be a table")
        table = tool.get("asynclint", {})
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.asynclint] must be a table")
    return settings_from_table(table, path.parent.resolve(), path)


def _declares_asynclint(pyproject: Path) -> bool:
    try:
        with pyproject.open("rb") as handle:
            tool = toml.load(handle).get("tool", {})
        return isinstance(tool, dict) and "asynclint" in tool
    except (OSError, toml.TOMLDecodeError):
        # A broken pyproject.toml that mentions us should be reported, not skipped.
        try:
            return "[tool.asynclint" in pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False


@dataclass
class ConfigFinder:
    """Finds the settings for a path: the nearest ancestor ``pyproject.toml`` with a
    ``[tool.asynclint]`` table, else the defaults rooted at the working directory."""

    explicit: Path | None = None
    # Command-line ``--exclude`` (replaces every configuration's list) and ``--extend-exclude``.
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    _by_directory: dict[Path, Settings] = field(default_factory=dict)
    _default: Settings | None = None

    def __post_init__(self) -> None:
        if self.explicit is not None:
            self._default = self._with_overrides(load_config_file(self.explicit))

    def _with_overrides(self, settings: Settings) -> Settings:
        if self.exclude is None and not self.extend_exclude:
            return settings
        return replace(
            settings,
            exclude=self.exclude if self.exclude is not None else settings.exclude,
            extend_exclude=settings.extend_exclude + self.extend_exclude,
        )

    def for_path(self, path: Path) -> Settings:
        if self._default is not None and self.explicit is not None:
            return self._default
        directory = path.resolve()
        if not directory.is_dir():
            directory = directory.parent
        return self._for_directory(directory)

    def for_resolved_directory(self, directory: Path) -> Settings:
        """``for_path`` of a folder whose path is already resolved."""
        if self._default is not None and self.explicit is not None:
            return self._default
        return self._for_directory(directory)

    def _for_directory(self, directory: Path) -> Settings:
        cached = self._by_directory.get(directory)
        if cached is not None:
            return cached
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _declares_asynclint(candidate):
            settings = self._with_overrides(load_config_file(candidate))
        elif directory.parent != directory:
            settings = self._for_directory(directory.parent)
        else:
            settings = self._with_overrides(Settings(root=Path.cwd().resolve()))
        self._by_directory[directory] = settings
        return settings
