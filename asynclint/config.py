"""Configuration: ``[tool.asynclint]`` in the nearest ``pyproject.toml`` (over the file its
``extend`` names, as in ruff), command-line flags on top.

Rule selection follows ruff: ``select`` replaces the set of rules, ``extend-select`` adds to it,
``ignore`` removes from it; between a selector that enables and one that disables the same code,
the more specific one wins (``select = ["AL2"]`` with ``ignore = ["AL201"]`` enables the AL2
family but AL201). Command-line flags form a second layer: ``--select`` there starts over.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from asynclint import toml
from asynclint.catalogue import RULES as ALL_RULES
from asynclint.globs import Glob, glob_set, globs
from asynclint.index.locate import is_project_root, project_root
from asynclint.knowledge.blocking import BlockingCatalogue, load_blocking_catalogue

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
        "extend",
        "extend-per-file-ignores",
        "target-version",
        "file-timeout",
        "fixable",
        "unfixable",
        "extend-fixable",
    }
)
# Where tests live, by pytest's conventions: a pattern without ``/`` matches a file's name or
# the name of any folder above it (within the configuration's directory).
# How long a file's check may take before it is abandoned and named as not checked
# (``file-timeout``, ``--file-timeout``), in seconds: the slowest file of the corpus, Home
# Assistant included, takes a few.
DEFAULT_FILE_TIMEOUT = 60.0
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
class PerFileIgnore:
    """A ``per-file-ignores`` entry: the selectors it disables in the files its glob matches
    (with a leading ``!``, in the files it does not match)."""

    glob: Glob
    codes: tuple[str, ...]
    negated: bool = False

    def applies_to(self, path: str, name: str) -> bool:
        return glob_set((self.glob,)).matches(path, name) != self.negated


def per_file_ignore(pattern: str, codes: Iterable[str], base: str) -> PerFileIgnore:
    """The entry ``pattern = codes`` of a configuration whose globs are relative to ``base``."""
    negated = pattern.startswith("!")
    return PerFileIgnore(Glob(pattern[1:] if negated else pattern, base), tuple(codes), negated)


DEFAULT_EXCLUDE_GLOBS = globs(DEFAULT_EXCLUDE)


@dataclass(frozen=True)
class Settings:
    """Settings from one configuration file (and those it extends), or the defaults, before
    command-line flags."""

    root: Path  # its folder: relative paths are relative to it (the cache, ``python``)
    source: Path | None = None
    selection: Selection = Selection()
    # The selections of the configurations it extends, outermost first.
    inherited: tuple[Selection, ...] = ()
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    extend_per_file_ignores: tuple[PerFileIgnore, ...] = ()
    exclude: tuple[Glob, ...] = DEFAULT_EXCLUDE_GLOBS
    extend_exclude: tuple[Glob, ...] = ()
    # The interpreter or virtual environment whose installed packages the code uses.
    python: str | None = None
    # ``extend-blocking-calls`` (qualified name -> family) and ``allow-blocking-calls``
    blocking: tuple[tuple[str, str], ...] = ()
    allow_blocking: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    # The folder ``test-paths`` are relative to, when not ``root`` (they came from a
    # configuration this one extends, or from ``--config``).
    test_paths_root: Path | None = None
    test_profile: bool = True
    cache_dir: Path | None = None  # ``cache-dir``, made absolute
    # ``target-version`` as (3, 9); None: the newest Python.
    target_version: tuple[int, int] | None = None
    # ``file-timeout``: how long a file's check may take, in seconds (None: no limit).
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT
    # The files it extends (resolved), nearest first: what a kept list of files depends on.
    extends: tuple[Path, ...] = ()
    # ``fixable`` (as ``select``), ``extend-fixable`` and ``unfixable`` (as ``ignore``) of the
    # configurations it extends and its own, outermost first: the codes whose fixes apply.
    fixability: tuple[Selection, ...] = ()

    @property
    def all_excludes(self) -> tuple[Glob, ...]:
        return self.exclude + self.extend_exclude

    @property
    def selections(self) -> tuple[Selection, ...]:
        """The layers of rule selection, those of extended configurations first."""
        return (*self.inherited, self.selection)

    def ignored_for(self, path: Path, resolved: bool = False) -> tuple[str, ...]:
        """Selectors ``per-file-ignores`` and ``extend-per-file-ignores`` disable for
        ``path`` (``resolved`` already)."""
        entries = self.per_file_ignores + self.extend_per_file_ignores
        if not entries:
            return ()
        full = (path if resolved else path.resolve()).as_posix()
        out: list[str] = []
        for entry in entries:
            if entry.applies_to(full, path.name):
                out.extend(entry.codes)
        return tuple(out)

    def is_test(self, path: Path, resolved: bool = False) -> bool:
        """Whether ``path`` (``resolved`` already) is test code by ``test-paths``: a pattern
        matches the file's path relative to the configuration's directory, or one of its
        folders' (a pattern without ``/`` matches a file or folder name anywhere below it)."""
        real = path if resolved else path.resolve()
        base = _resolved(self.test_paths_root or self.root)
        relative = _relative(real, base)
        if relative is None:  # outside the configuration's folder: below its own project's
            base = _project_of(real.parent)
            relative = _relative(real, base)
        if relative is None or relative == ".":
            return False
        found = glob_set(globs(self.test_paths, base.as_posix()))
        parts = relative.split("/")
        prefix = base.as_posix().rstrip("/")
        for end in range(len(parts), 0, -1):
            if found.matches(f"{prefix}/{'/'.join(parts[:end])}", parts[end - 1]):
                return True
        return False


@lru_cache(maxsize=1024)
def _project_of(folder: Path) -> Path:
    return project_root(folder)


# Folders that make the folder holding them a repository's root.
VCS_FOLDERS = (".git", ".hg")
# Per resolved folder: the nearest folder at or above it holding a VCS folder, and the top-most
# one holding a project marker (``pyproject.toml``, ``setup.py``, ``setup.cfg``).
RootsAbove = dict[Path, tuple[Path | None, Path | None]]


def index_root(folder: Path, known: RootsAbove | None = None) -> Path:
    """The root of the project a resolved folder belongs to, for the project index: the
    nearest folder at or above it that holds ``.git`` or ``.hg``, else the top-most one with a
    ``pyproject.toml`` (or ``setup.py``, ``setup.cfg``), else the folder itself. A
    ``pyproject.toml`` in a subfolder (a sub-package's own configuration) does not split the
    project: modules on both sides still see each other. ``known`` remembers the answer of each
    folder on the way up (the files of a run share most of their ancestors)."""
    vcs, marked = _roots_above(folder, known if known is not None else {})
    return vcs or marked or folder


def is_index_root(folder: Path) -> bool:
    """Whether a folder is a project's root (its files are indexed whole)."""
    return is_project_root(folder) or any((folder / name).exists() for name in VCS_FOLDERS)


def _roots_above(folder: Path, known: RootsAbove) -> tuple[Path | None, Path | None]:
    found = known.get(folder)
    if found is not None:
        return found
    if folder.parent != folder:
        vcs, marked = _roots_above(folder.parent, known)
    else:
        vcs, marked = None, None
    if any((folder / name).exists() for name in VCS_FOLDERS):
        vcs = folder  # the nearest repository wins
    if marked is None and is_project_root(folder):
        marked = folder  # the top-most marker wins
    known[folder] = (vcs, marked)
    return vcs, marked


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


def settings_from_table(
    table: dict[str, object],
    root: Path,
    source: Path | None,
    parent: Settings | None = None,
    requires_python: object = None,
) -> Settings:
    """The settings of a ``[tool.asynclint]`` table over those of the configuration it
    extends (``parent``): an option it sets replaces the parent's, an ``extend-`` option adds
    to it. Relative paths and globs are relative to ``root``; ``requires_python`` (of the
    same ``pyproject.toml``) gives the target version when ``target-version`` does not."""
    where = str(source) if source else "configuration"
    _check_keys(table, where)
    base = parent if parent is not None else Settings(root=root)
    changes: dict[str, object] = {"root": root, "source": source}
    changes["inherited"] = (*base.inherited, base.selection) if parent is not None else ()
    changes["selection"] = _selection(table, where)
    changes["fixability"] = (*base.fixability, _fixability(table, where))
    changes.update(_glob_options(table, where, base, root.as_posix()))
    changes.update(_path_options(table, where, root))
    changes.update(_blocking_options(table, where, base))
    changes.update(_test_options(table, where, root))
    changes.update(_file_timeout(table, where))
    target = _target_version(table, where, requires_python)
    if target is not None:
        changes["target_version"] = target
    return replace(base, **changes)


def _selection(table: dict[str, object], where: str) -> Selection:
    return _layer(table, where, ("select", "extend-select", "ignore"))


def _fixability(table: dict[str, object], where: str) -> Selection:
    """``fixable``, ``extend-fixable`` and ``unfixable`` as a layer of selection."""
    return _layer(table, where, ("fixable", "extend-fixable", "unfixable"))


def _layer(table: dict[str, object], where: str, keys: tuple[str, str, str]) -> Selection:
    """A layer of selection from the keys that select, add to and take from it."""
    chosen, added, taken = (_string_list(table, key, where) for key in keys)
    return Selection(
        select=tuple(check_selectors(chosen, where)) if chosen is not None else None,
        extend_select=tuple(check_selectors(added or (), where)),
        ignore=tuple(check_selectors(taken or (), where)),
    )


def _glob_options(
    table: dict[str, object], where: str, base: Settings, folder: str
) -> dict[str, object]:
    changes: dict[str, object] = {}
    exclude = _string_list(table, "exclude", where)
    if exclude is not None:
        changes["exclude"] = globs(exclude, folder)
    extend_exclude = _string_list(table, "extend-exclude", where)
    if extend_exclude:
        changes["extend_exclude"] = base.extend_exclude + globs(extend_exclude, folder)
    if "per-file-ignores" in table:
        changes["per_file_ignores"] = _per_file_table(table, "per-file-ignores", where, folder)
    if "extend-per-file-ignores" in table:
        more = _per_file_table(table, "extend-per-file-ignores", where, folder)
        changes["extend_per_file_ignores"] = base.extend_per_file_ignores + more
    return changes


def _per_file_table(
    table: dict[str, object], key: str, where: str, folder: str
) -> tuple[PerFileIgnore, ...]:
    raw = table[key]
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: `{key}` must be a table of glob = [codes]")
    entries = []
    for pattern, codes in raw.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: `{key}.{pattern}` must be a list of codes")
        entries.append(per_file_ignore(pattern, check_selectors(codes, where), folder))
    return tuple(entries)


def per_file_ignores_option(
    values: Iterable[str], flag: str, base: str
) -> tuple[PerFileIgnore, ...]:
    """``--per-file-ignores`` values, each ``PATTERN:CODES`` (codes separated by commas), with
    their globs relative to ``base``."""
    entries = []
    for value in values:
        pattern, colon, codes = value.rpartition(":")
        if not colon or not pattern.strip():
            raise ConfigError(f"{flag}: expected PATTERN:CODES, got {value!r}")
        selectors = [code for code in codes.replace(" ", ",").split(",") if code]
        entries.append(per_file_ignore(pattern.strip(), check_selectors(selectors, flag), base))
    return tuple(entries)


def _path_options(table: dict[str, object], where: str, root: Path) -> dict[str, object]:
    changes: dict[str, object] = {}
    python = table.get("python")
    if python is not None and not isinstance(python, str):
        raise ConfigError(f"{where}: `python` must be a path (a string)")
    if python is not None:
        changes["python"] = python if Path(python).is_absolute() else str(root / python)
    cache_dir = table.get("cache-dir")
    if cache_dir is not None and not isinstance(cache_dir, str):
        raise ConfigError(f"{where}: `cache-dir` must be a path (a string)")
    if cache_dir:
        changes["cache_dir"] = (root / Path(cache_dir).expanduser()).resolve()
    return changes


def _blocking_options(table: dict[str, object], where: str, base: Settings) -> dict[str, object]:
    """``extend-blocking-calls`` (added to the extended configuration's) and
    ``allow-blocking-calls`` (replacing it), checked against the catalogue."""
    blocking = table.get("extend-blocking-calls", {})
    if not isinstance(blocking, dict) or not all(isinstance(v, str) for v in blocking.values()):
        raise ConfigError(f"{where}: `extend-blocking-calls` must be a table of name = family")
    allowed = _string_list(table, "allow-blocking-calls", where)
    merged = {**dict(base.blocking), **blocking}
    allow = allowed if allowed is not None else base.allow_blocking
    try:
        load_blocking_catalogue(merged, allow)
        catalogue = load_blocking_catalogue(merged)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from error
    for name in allowed or ():
        _check_allowed_name(name, catalogue, where)
    return {"blocking": tuple(sorted(merged.items())), "allow_blocking": tuple(allow)}


def _check_allowed_name(name: str, catalogue: BlockingCatalogue, where: str) -> None:
    """``ConfigError`` for an ``allow-blocking-calls`` name that is no blocking call of the
    catalogue but is spelled nearly like one (``time.slep``). A name the catalogue does not
    know and resembles none stays: the project index may find it blocks (a helper of the
    project or of a library, reached through calls)."""
    known = [*catalogue.calls, *catalogue.allowed]
    if name in known or name.endswith(".*") or catalogue.family_of(name) is not None:
        return
    hint = did_you_mean(name, known)
    if hint:
        raise ConfigError(
            f"{where}: allow-blocking-calls: {name!r} is not a blocking call asynclint knows{hint}"
        )


def _test_options(table: dict[str, object], where: str, root: Path) -> dict[str, object]:
    changes: dict[str, object] = {}
    test_paths = _string_list(table, "test-paths", where)
    if test_paths is not None:
        changes["test_paths"] = test_paths
        changes["test_paths_root"] = root
    if "test-profile" in table:
        test_profile = table["test-profile"]
        if not isinstance(test_profile, bool):
            raise ConfigError(f"{where}: `test-profile` must be true or false")
        changes["test_profile"] = test_profile
    return changes


def _file_timeout(table: dict[str, object], where: str) -> dict[str, object]:
    """``file-timeout``: a number of seconds, 0 for no limit."""
    if "file-timeout" not in table:
        return {}
    seconds = table["file-timeout"]
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise ConfigError(f"{where}: `file-timeout` must be a number of seconds (0: no limit)")
    return {"file_timeout": file_timeout(float(seconds))}


def file_timeout(seconds: float) -> float | None:
    """A time budget as ``Task.timeout`` takes it: 0 (and infinity) for none."""
    return seconds if 0 < seconds < math.inf else None


# The Python versions ``target-version`` names (as ruff spells them).
TARGET_VERSIONS: dict[str, tuple[int, int]] = {f"py3{minor}": (3, minor) for minor in range(8, 15)}


def target_version(value: object, where: str) -> tuple[int, int]:
    """``py39`` as (3, 9); ``ConfigError`` for anything else."""
    found = TARGET_VERSIONS.get(value.strip().lower()) if isinstance(value, str) else None
    if found is None:
        hint = (
            did_you_mean(str(value), TARGET_VERSIONS)
            or f"; use one of {', '.join(TARGET_VERSIONS)}"
        )
        raise ConfigError(f"{where}: unknown target-version {value!r}{hint}")
    return found


def _target_version(
    table: dict[str, object], where: str, requires_python: object
) -> tuple[int, int] | None:
    if "target-version" in table:
        return target_version(table["target-version"], where)
    return oldest_python(requires_python)


# A lower bound in ``requires-python``: ``>=3.9``, ``~=3.9.2``, ``==3.9.*``, ``>3.8``.
_LOWER_BOUND = re.compile(r"^\s*(>=|~=|==|>)\s*3\.(\d+)")


def oldest_python(requires_python: object) -> tuple[int, int] | None:
    """The oldest Python 3 minor version ``requires-python`` allows, as ruff infers a target
    version from it (``>=3.9,<4`` -> (3, 9)); None when it sets no lower bound."""
    if not isinstance(requires_python, str):
        return None
    minors = []
    for specifier in requires_python.split(","):
        match = _LOWER_BOUND.match(specifier)
        if match:
            minors.append(int(match.group(2)))
    return (3, max(minors)) if minors else None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return toml.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {path}: {error.strerror}") from error
    except toml.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error


def _options_table(path: Path, data: dict[str, object]) -> dict[str, object]:
    if path.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: `tool` must be a table")
        table = tool.get("asynclint", {})
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.asynclint] must be a table")
    return table


def _requires_python(data: dict[str, object]) -> object:
    project = data.get("project")
    return project.get("requires-python") if isinstance(project, dict) else None


def load_config_file(
    path: Path, root: Path | None = None, extending: tuple[Path, ...] = ()
) -> Settings:
    """Settings from ``path``: a ``pyproject.toml`` (its ``[tool.asynclint]`` table) or a
    TOML file holding the options at its top level, over those of the file its ``extend``
    names (relative to it). Paths and globs are relative to the file's folder, or to ``root``
    when given (the working directory, for ``--config``, as in ruff)."""
    real = path.resolve()
    if real in extending:
        chain = " extends ".join(f"`{p}`" for p in (*extending, real))
        raise ConfigError(f"circular configuration: {chain}")
    data = _read_toml(path)
    table = _options_table(path, data)
    parent = None
    extend = table.get("extend")
    if extend is not None:
        if not isinstance(extend, str) or not extend.strip():
            raise ConfigError(f"{path}: `extend` must be the path of a configuration file")
        extended = real.parent / Path(extend).expanduser()
        if not extended.is_file():
            raise ConfigError(f"{path}: `extend`: no such configuration file: {extended}")
        parent = load_config_file(extended, root, (*extending, real))
    folder = root if root is not None else real.parent
    settings = settings_from_table(table, folder, path, parent, _requires_python(data))
    if parent is None:
        return settings
    return replace(settings, extends=(extended.resolve(), *parent.extends))


def _pyproject_tables(pyproject: Path) -> tuple[bool, object]:
    """Whether a ``pyproject.toml`` has a ``[tool.asynclint]`` table, and its
    ``requires-python``."""
    try:
        with pyproject.open("rb") as handle:
            data = toml.load(handle)
        tool = data.get("tool", {})
        return isinstance(tool, dict) and "asynclint" in tool, _requires_python(data)
    except (OSError, toml.TOMLDecodeError):
        # A broken pyproject.toml that mentions us should be reported, not skipped.
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False, None
        return "[tool.asynclint" in text, None


@dataclass
class ConfigFinder:
    """Finds the settings for a path: the nearest ancestor ``pyproject.toml`` with a
    ``[tool.asynclint]`` table, else the defaults rooted at the working directory (with the
    target version of the nearest ``pyproject.toml``'s ``requires-python``)."""

    explicit: Path | None = None
    # Command-line ``--exclude`` (replaces every configuration's list) and ``--extend-exclude``,
    # relative to the working directory.
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    # ``--per-file-ignores`` (replaces the configured ones) and ``--extend-per-file-ignores``,
    # each ``PATTERN:CODES``; ``--target-version``.
    per_file_ignores: tuple[str, ...] | None = None
    extend_per_file_ignores: tuple[str, ...] = ()
    target_version: str | None = None
    _by_directory: dict[Path, Settings] = field(default_factory=dict)
    _default: Settings | None = None
    _overrides: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cwd = Path.cwd().resolve()
        self._overrides = _command_line_overrides(self, cwd.as_posix())
        if self.explicit is not None:
            self._default = self._with_overrides(load_config_file(self.explicit, root=cwd))

    def _with_overrides(self, settings: Settings) -> Settings:
        if not self._overrides:
            return settings
        changes = dict(self._overrides)
        if "extend_exclude" in changes:
            changes["extend_exclude"] = settings.extend_exclude + self._overrides["extend_exclude"]
        if "extend_per_file_ignores" in changes:
            more = self._overrides["extend_per_file_ignores"]
            changes["extend_per_file_ignores"] = settings.extend_per_file_ignores + more
        return replace(settings, **changes)

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
        declares, requires = _pyproject_tables(candidate) if candidate.is_file() else (False, None)
        if declares:
            settings = self._with_overrides(load_config_file(candidate))
        elif directory.parent != directory:
            settings = self._for_directory(directory.parent)
            oldest = oldest_python(requires)
            if settings.source is None and oldest is not None and self.target_version is None:
                settings = replace(settings, target_version=oldest)
        else:
            settings = self._with_overrides(Settings(root=Path.cwd().resolve()))
        self._by_directory[directory] = settings
        return settings


def _command_line_overrides(finder: ConfigFinder, cwd: str) -> dict[str, object]:
    """What the command line sets over every configuration, its globs relative to ``cwd``."""
    changes: dict[str, object] = {}
    if finder.exclude is not None:
        changes["exclude"] = globs(finder.exclude, cwd)
    if finder.extend_exclude:
        changes["extend_exclude"] = globs(finder.extend_exclude, cwd)
    if finder.per_file_ignores is not None:
        flag = "--per-file-ignores"
        changes["per_file_ignores"] = per_file_ignores_option(finder.per_file_ignores, flag, cwd)
    if finder.extend_per_file_ignores:
        flag = "--extend-per-file-ignores"
        more = per_file_ignores_option(finder.extend_per_file_ignores, flag, cwd)
        changes["extend_per_file_ignores"] = more
    if finder.target_version is not None:
        changes["target_version"] = target_version(finder.target_version, "--target-version")
    return changes
