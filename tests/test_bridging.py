"""AL501/AL502 across the modules of a project: loops started through sync helpers, and
helpers that only coroutines call; AL504 on sync methods of installed libraries."""

from __future__ import annotations

from pathlib import Path

import pytest
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


SITE = ".venv/lib/python3.11/site-packages"
INSTALLED = {
    # A sync client and an async one sharing their command methods, as redis's do: the shared
    # method returns the result of another call, so its source cannot tell.
    f"{SITE}/redis/__init__.py": "from redis.client import Redis, StrictRedis\n",
    f"{SITE}/redis/commands.py": (
        "class KeyCommands:\n"
        "    def get(self, name):\n"
        "        return self.execute_command('GET', name)\n"
    ),
    f"{SITE}/redis/client.py": (
        "from redis.commands import KeyCommands\n"
        "\n"
        "class Redis(KeyCommands):\n"
        "    def execute_command(self, *args):\n"
        "        return self._send(args)\n"
        "\n"
        "StrictRedis = Redis\n"
    ),
    f"{SITE}/redis/asyncio/__init__.py": "from redis.asyncio.client import Redis\n",
    f"{SITE}/redis/asyncio/client.py": (
        "from redis.commands import KeyCommands\n"
        "\n"
        "class Redis(KeyCommands):\n"
        "    async def execute_command(self, *args): ...\n"
    ),
    # requests re-exports its Response from requests.models, which the table names by its
    # public path.
    f"{SITE}/requests/__init__.py": "from .api import get\nfrom .models import Response\n",
    f"{SITE}/requests/api.py": (
        "from .models import Response\n\ndef get(url) -> Response:\n    return Response()\n"
    ),
    f"{SITE}/requests/models.py": (
        "import json\n"
        "\n"
        "class Response:\n"
        "    def json(self):\n"
        "        return json.loads(self.text)\n"
        "\n"
        "    def close(self):\n"
        "        self.raw = None\n"
        "\n"
        "    def stream(self):\n"
        "        return self.raw.stream()\n"
    ),
    # A library the tables do not know: only its source tells.
    f"{SITE}/ledger/__init__.py": (
        "class Ledger:\n"
        "    def record(self, entry):\n"
        "        self.entries.append(entry)\n"
        "\n"
        "    def balance(self):\n"
        "        return self.backend.balance()\n"
        "\n"
        "    def settle(self):\n"
        "        self.entries.clear()\n"
    ),
}
USES = {
    "pyproject.toml": "[project]\nname = 'shop'\n",
    "shop/__init__.py": "",
    "shop/cache.py": (
        "import redis\n"
        "import redis.asyncio\n"
        "\n"
        "sync_cache = redis.StrictRedis()\n"
        "async_cache = redis.asyncio.Redis()\n"
        "\n"
        "async def lookup(key):\n"
        "    await sync_cache.get(key)\n"
        "    return await async_cache.get(key)\n"
    ),
    "shop/prices.py": (
        "import requests\n"
        "\n"
        "async def latest(url):\n"
        "    response = requests.get(url)\n"
        "    data = await response.json()\n"
        "    await response.close()\n"
        "    await response.stream()\n"
        "    return data\n"
    ),
    "shop/books.py": (
        "import ledger\n"
        "\n"
        "class AuditedLedger(ledger.Ledger):\n"
        "    async def settle(self): ...\n"
        "\n"
        "async def close_day(book, entry):\n"
        "    accounts = ledger.Ledger()\n"
        "    await accounts.record(entry)\n"
        "    await accounts.balance()\n"
        "    await accounts.settle()\n"
    ),
}


def test_awaiting_sync_methods_of_installed_libraries(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    write_tree(project, {**INSTALLED, **USES})
    result = run("-q", "--no-cache", "--select", "AL504", ".")
    assert findings_of(result.stdout) == [
        ("shop/books.py", 8, "AL504"),  # returns nothing; `balance()` returns another call's
        # result and `settle()` is redefined async by a project subclass
        ("shop/cache.py", 8, "AL504"),  # the sync client, not the async one
        ("shop/prices.py", 5, "AL504"),  # the table's `requests.Response.json`
        ("shop/prices.py", 6, "AL504"),  # the source: returns nothing
    ]
