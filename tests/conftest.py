"""Shared helpers: building file trees and running the command in-process."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asynclint.cli import main

# A module with one AL201 finding, at line 4, column 5.
SLEEPY = "import time\n\nasync def poll():\n    time.sleep(1)\n"
SLEEPY_FIXED = "import time\nimport asyncio\n\nasync def poll():\n    await asyncio.sleep(1)\n"
CLEAN = "import asyncio\n\nasync def poll():\n    await asyncio.sleep(1)\n"
AL201_MESSAGE = (
    "`time.sleep(1)` blocks the event loop inside `async def`; use `await asyncio.sleep()`"
)
UNSAFE_HINT = "1 more fixable with `--fix --unsafe-fixes`."


def finding(path: str, line: int = 4, column: int = 5, call: str = "time.sleep(1)") -> str:
    """The text-format line of an AL201 finding (of ``call``, as written)."""
    message = AL201_MESSAGE.replace("time.sleep(1)", call, 1)
    return f"{path}:{line}:{column}: AL201 {message}"


def findings_of(output: str) -> list[tuple[str, int, str]]:
    """``(path, line, code)`` of each finding in text output."""
    found = []
    for line in output.splitlines():
        path, number, _column, rest = line.split(":", 3)
        found.append((path, int(number), rest.split()[0]))
    return found


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> text or bytes) under ``root``; return ``root``.
    Text is written as UTF-8 with its line endings untouched."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """``run(*args, input=None)``: invoke ``asynclint`` in this process and return the result
    (``exit_code``, ``stdout``, ``stderr``). One job unless the arguments choose one."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        argv = list(args)
        if not any(a.startswith(("-j", "--jobs")) for a in argv):
            argv = ["--jobs", "1", *argv]
        return runner.invoke(main, argv, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder that is also the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes tens of seconds (runs by default; deselect with -m 'not slow')"
    )
