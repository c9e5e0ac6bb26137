"""Where modules are: a file's project and module name, and a module's file on a search path.

Also how a relative import's module is named (``absolute_module``), which the summaries and the
engine's import table both use.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import time
from collections.abc import Iterable
from pathlib import Path

_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git", ".hg")


def project_root(path: Path) -> Path:
    """The project a file belongs to: the nearest folder above it with a ``pyproject.toml``,
    ``setup.py``, ``setup.cfg``, ``.git`` or ``.hg``; else its own folder."""
    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    return folder_project_root(start, {})


def folder_project_root(folder: Path, known: dict[Path, Path | None]) -> Path:
    """``project_root`` of a resolved folder, with ``known`` remembering the answer for each
    folder on the way up (the files of a run share most of their ancestors)."""
    found = _marked_above(folder, known)
    return found if found is not None else folder


def _marked_above(folder: Path, known: dict[Path, Path | None]) -> Path | None:
    if folder in known:
        return known[folder]
    if is_project_root(folder):
        found: Path | None = folder
    else:
        found = _marked_above(folder.parent, known) if folder.parent != folder else None
    known[folder] = found
    return found


def is_project_root(folder: Path) -> bool:
    """Whether a folder is a project's root (where a cache may be written). A ``setup.py``
    in a package (a folder with an ``__init__.py``) is one of its modules, not a project's
    setup script: Home Assistant's ``homeassistant/setup.py``."""
    for marker in _ROOT_MARKERS:
        if (folder / marker).exists():
            if marker != "setup.py" or not (folder / "__init__.py").exists():
                return True
    return False


def module_name(
    path: Path, packages: dict[Path, tuple[str, ...]] | None = None, resolved: bool = False
) -> tuple[str, bool]:
    """A file's dotted module name from its package chain (``__init__.py`` files above it),
    and whether it is a package's ``__init__``. ``src/pkg/mod.py`` -> ``pkg.mod``.

    ``packages`` remembers each folder's chain for the next file of a run (the folders do not
    change while it runs); ``resolved`` says the path is resolved already."""
    if not resolved:
        path = path.resolve()
    stem = path.name.rsplit(".", 1)[0]
    is_package = stem == "__init__"
    chain = _package_chain(path.parent, packages if packages is not None else {})
    parts = [*chain] if is_package else [*chain, stem]
    return ".".join(parts) or stem, is_package


def _package_chain(folder: Path, known: dict[Path, tuple[str, ...]]) -> tuple[str, ...]:
    """The names of the packages ``folder`` is in, outermost first, itself included."""
    found = known.get(folder)
    if found is not None:
        return found
    if (folder / "__init__.py").exists() or (folder / "__init__.pyi").exists():
        above = _package_chain(folder.parent, known) if folder.parent != folder else ()
        found = (*above, folder.name)
    else:
        found = ()
    known[folder] = found
    return found


def environment_paths(project: Path, python: str | None = None) -> list[Path]:
    """Where installed packages live for the project being linted (not asynclint's own
    environment, which under pre-commit is an isolated one): a configured interpreter or
    virtual environment, else ``$VIRTUAL_ENV``, else ``.venv``/``venv`` in the project, else
    the running interpreter's; followed by the standard library."""
    candidates: list[Path] = []
    if python:
        candidates.append(Path(python))
    elif os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]))
    else:
        candidates.extend(project / name for name in (".venv", "venv"))
    paths: list[Path] = []
    for candidate in candidates:
        env = candidate if candidate.is_dir() else candidate.parent.parent  # .../bin/python
        for pattern in ("lib/python3*/site-packages", "lib/python3*/dist-packages"):
            paths.extend(sorted(env.glob(pattern)))
        paths.extend(sorted(env.glob("Lib/site-packages")))
        if paths:
            break
    if not paths:
        paths.extend(Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [*paths, stdlib]


def find_module_file(name: str, search: Iterable[Path]) -> tuple[Path, bool] | None:
    """The source of module ``name`` on ``search`` paths (``.pyi`` stubs first)."""
    top = name.split(".", 1)[0]
    relative = None
    for base in search:
        if top not in _top_level_names(base):
            continue  # nothing of that name there: no need to look for four files
        relative = relative or Path(*name.split("."))
        for candidate, is_package in (
            (base / relative / "__init__.pyi", True),
            (base / relative / "__init__.py", True),
            (base / relative.with_suffix(".pyi"), False),
            (base / relative.with_suffix(".py"), False),
        ):
            if candidate.is_file():
                return candidate, is_package
    return None


# Each search folder's entries (as importable names), with when they were listed and the
# folder's modification time then: a large project imports hundreds of packages that are not
# installed, each asked at every dotted prefix. A listing is checked against the folder's time
# again after a second (a long-lived process sees packages installed meanwhile).
_LISTINGS: dict[Path, tuple[float, int, frozenset[str]]] = {}
_RECHECK_SECONDS = 1.0


def _top_level_names(base: Path) -> frozenset[str]:
    """The names a search folder holds (folders, and modules without their suffix)."""
    known = _LISTINGS.get(base)
    now = time.monotonic()
    if known is not None and now - known[0] < _RECHECK_SECONDS:
        return known[2]
    try:
        mtime = base.stat().st_mtime_ns
    except OSError:
        return frozenset()
    if known is not None and known[1] == mtime:
        _LISTINGS[base] = (now, mtime, known[2])
        return known[2]
    try:
        entries = os.listdir(base)
    except OSError:
        entries = []
    names = frozenset(entry.split(".", 1)[0] for entry in entries)
    _LISTINGS[base] = (now, mtime, names)
    return names


def absolute_module(module: str | None, level: int, current: str, is_package: bool) -> str:
    """The absolute name of ``from <dots><module> import ...`` written in module ``current``."""
    if level == 0:
        return module or ""
    parts = current.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    if module:
        return f"{base}.{module}" if base else module
    return base
