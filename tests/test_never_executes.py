"""asynclint never imports or runs the code it analyses: a project whose every module (and
``conftest.py``, ``setup.py``, package ``__init__``, a package of its configured environment,
that environment's interpreter) leaves a marker file when run is linted with every rule, fixed,
checked through flake8 and through the language server, and no marker appears."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree

MARKED = (
    "conftest.py",
    "setup.py",
    "victim/__init__.py",
    "victim/__main__.py",
    "victim/app.py",
    "tests/test_app.py",
    "env/lib/python3.11/site-packages/markerpkg/__init__.py",
    # Named like modules of the standard library asynclint imports: ``python -m`` puts the
    # working directory first on the path.
    "difflib.py",
    "json.py",
    "sqlite3.py",
    "tokenize.py",
)
APP = (
    "import time\n\nimport markerpkg\n\n\nasync def main():\n"
    '    markerpkg.fetch("x")\n'
    "    time.sleep(1)\n"
)


def _victim(root: Path, markers: Path) -> Path:
    """The project, under ``root``; what runs of it writes a file into ``markers``."""
    markers.mkdir()

    def mark(name: str) -> str:
        return f"open({str(markers / name.replace('/', '.'))!r}, 'w').close()\n"

    files = {
        "pyproject.toml": (
            '[project]\nname = "victim"\n\n[tool.asynclint]\npython = "env/bin/python"\n'
        ),
        "env/bin/python": f"#!/bin/sh\ntouch {markers / 'interpreter'}\n",
        "env/lib/python3.11/site-packages/markerpkg.pth": f"import os; {mark('pth')}",
        "victim/app.py": APP,
        "conftest.py": "import time\n\n\nasync def fixture():\n    time.sleep(1)\n",
        "tests/test_app.py": "async def test_main():\n    pass\n",
    }
    files["env/lib/python3.11/site-packages/markerpkg/__init__.py"] = (
        "async def fetch(url):\n    return url\n"
    )
    for name in MARKED:
        files[name] = mark(name) + files.get(name, "")
    write_tree(root, files)
    (root / "env/bin/python").chmod(0o755)
    return root


def _asynclint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_linting_and_fixing_never_run_the_code(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    project = _victim(tmp_path / "project", markers)
    linted = _asynclint("asynclint", "--select", "ALL", "--no-cache", ".", cwd=project)
    assert "victim/app.py:8:5: AL101" in linted.stdout, linted.stdout + linted.stderr
    assert "victim/app.py:9:5: AL201" in linted.stdout
    fixed = _asynclint(
        "asynclint", "--select", "ALL", "--fix", "--unsafe-fixes", "-j", "2", ".", cwd=project
    )
    assert fixed.stderr == ""
    assert "    await markerpkg.fetch" in (project / "victim/app.py").read_text()
    # What the language server runs to fill the cache, started where the editor was.
    warm = _asynclint("asynclint.server.indexing", "victim/app.py", cwd=project)
    assert (warm.returncode, warm.stderr) == (0, "")
    assert list(markers.iterdir()) == []


def test_flake8_never_runs_the_code(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    markers = tmp_path / "markers"
    project = _victim(tmp_path / "project", markers)
    # flake8's command (``python -m flake8`` would import the project's ``tokenize.py``
    # itself, before any plugin runs).
    command = Path(sys.executable).with_name("flake8")
    if not command.exists():
        pytest.skip("no flake8 command beside the interpreter")
    checked = subprocess.run(
        [str(command), "--select", "AL", "-j", "2", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "./victim/app.py:9:5: AL201" in checked.stdout, checked.stdout + checked.stderr
    assert list(markers.iterdir()) == []


pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402
from test_server import CONFIG, _diagnostics, _has, _open, _start  # noqa: E402


@pytest_lsp.fixture(config=CONFIG)
async def editor(lsp_client: LanguageClient, tmp_path: Path):
    """A language server on the project, whose markers go to ``lsp_client.markers``."""
    markers = tmp_path / "markers"
    root = _victim(tmp_path / "project", markers)
    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.markers = markers  # type: ignore[attr-defined]
    await _start(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_the_language_server_never_runs_the_code(editor: LanguageClient) -> None:
    for name in ("conftest.py", "setup.py", "victim/__init__.py"):
        _open(editor, name)
    uri = _open(editor, "victim/app.py")
    await _diagnostics(editor, uri, _has("AL101", "AL201"))
    await editor.workspace_execute_command_async(
        types.ExecuteCommandParams(command="asynclint.fixAll", arguments=[uri])
    )
    assert list(editor.markers.iterdir()) == []  # type: ignore[attr-defined]
