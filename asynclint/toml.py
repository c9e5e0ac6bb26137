"""TOML for asynclint: the standard library's reader (tomli before Python 3.11), and the data
files shipped in ``asynclint/data``."""

from __future__ import annotations

import sys
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError
load = tomllib.load
loads = tomllib.loads


def read_data_file(name: str) -> str:
    """The text of ``asynclint/data/<name>``, from a source tree or an installed wheel."""
    return resources.files("asynclint").joinpath("data").joinpath(name).read_text("utf-8")
