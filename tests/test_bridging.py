"""AL501/AL502 across the modules of a project: loops started through sync helpers, and
helpers that only coroutines call."""

from __future__ import annotations

from pathlib import Path

from conftest import Run, findings_of, write_tree

from asynclint.index import summarize

LOOPS = (
    "import asyncio\n"
    "\n"
    "def _loop():\n"
    "    return asyncio.get_event_loop()\n"
    "\n"
    "def _shared_loop():\n"
    "    return asyncio.get_event_loop()\n"
    "\n"
    "def _callback_loop():\n"
    "    return asyncio.get_event_loop()\n"
    "\n"
    "def public_loop():\n"
    "    return asyncio.get_event_loop()\n"
    "\n"
    "def run_now(coro):\n"
    "    return asyncio.run(coro)\n"
)
PROJECT = {
    "pyproject.toml": "[project]\nname = 'app'\n",
    "app/__init__.py": "",
    "app/loops.py": LOOPS,
    "app/service.py": (
        "from app.loops import _loop, _shared_loop, _callback_loop, public_loop, run_now\n"
        "\n"
        "async def fetch(): ...\n"
        "\n"
        "async def serve():\n"
        "    _loop()\n"
        "    _shared_loop()\n"
        "    public_loop()\n"
        "    _callback_loop().call_soon(_callback_loop)\n"
        "    run_now(fetch())\n"
        "\n"
        "def cli():\n"
        "    _shared_loop()\n"
    ),
}


def test_helpers_only_coroutines_call_and_loops_started_through_helpers(
    project: Path, run: Run
) -> None:
    write_tree(project, PROJECT)
    result = run("-q", "--select", "AL501,AL502", ".")
    assert findings_of(result.stdout) == [
        ("app/loops.py", 4, "AL502"),
        ("app/service.py", 10, "AL501"),
    ]
    assert "run_now() -> asyncio.run()" in result.stdout
    assert "in `_loop()`, which only coroutines call" in result.stdout


def test_the_summary_records_loose_uses_of_private_names() -> None:
    fact = summarize(
        "from helpers import _a, _b, _c\n"
        "_a()\n"
        "def f(loop):\n    loop.call_soon(_b)\n    _c()\n"
        "    def inner():\n        _c()\n",
        "m",
    )
    assert fact.loose_private == ["helpers._a", "helpers._b", "helpers._c"]
    assert fact.functions["f"].calls == ["helpers._c"]
