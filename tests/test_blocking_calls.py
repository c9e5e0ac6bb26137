"""AL201-AL207 through the project: a coroutine that calls a sync helper which blocks (in
another module, a few calls down) is reported at the call, with the chain."""

from __future__ import annotations

from pathlib import Path

from conftest import Run, write_tree

PROJECT = {
    "pyproject.toml": "",
    "app/__init__.py": "",
    "app/helpers.py": (
        "import time\n"
        "import requests\n"
        "\n"
        "def read_config(path):\n"
        "    with open(path) as f:\n"
        "        return f.read()\n"
        "\n"
        "def load():\n"
        "    return read_config('settings.toml')\n"
        "\n"
        "def pure(x):\n"
        "    return x * 2\n"
        "\n"
        "def backoff():\n"
        "    time.sleep(1)\n"
        "\n"
        "def recursive(n):\n"
        "    return recursive(n - 1) if n else 0\n"
        "\n"
        "class Client:\n"
        "    def refresh(self):\n"
        "        return requests.get('https://example.com')\n"
    ),
    "app/main.py": (
        "import asyncio\n"
        "from app.helpers import load, pure, backoff, recursive, Client\n"
        "\n"
        "async def main(client: Client):\n"
        "    load()\n"
        "    pure(1)\n"
        "    backoff()\n"
        "    recursive(3)\n"
        "    client.refresh()\n"
        "    await asyncio.to_thread(load)\n"
        "    loop = asyncio.get_running_loop()\n"
        "    await loop.run_in_executor(None, load)\n"
        "\n"
        "def sync_main():\n"
        "    load()\n"
    ),
}


def test_blocking_through_sync_helpers(project: Path, run: Run) -> None:
    write_tree(project, PROJECT)
    out = run("-q", "app/main.py").stdout.splitlines()
    assert [line.split(" ", 2)[0:2] for line in out] == [
        ["app/main.py:5:5:", "AL204"],
        ["app/main.py:7:5:", "AL201"],
        ["app/main.py:9:5:", "AL202"],
    ]
    assert "load() -> read_config() -> open()" in out[0]
    assert "backoff() -> sleep()" in out[1]
    assert "refresh() -> get()" in out[2]


def test_the_chain_stops_at_helpers_that_are_async_or_unknown(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": "",
            "m.py": (
                "import registry\n"
                "\n"
                "@registry.task\n"
                "def decorated():\n"
                "    open('x')\n"
                "\n"
                "async def main():\n"
                "    decorated()\n"
            ),
        },
    )
    assert run("-q", "m.py").stdout == ""


def test_extend_and_allow_blocking_calls_from_the_configuration(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": (
                "[tool.asynclint.extend-blocking-calls]\n"
                '"legacy.client.fetch" = "network"\n'
                '"legacy.client.Store.save" = "AL207"\n'
                "\n"
                "[tool.asynclint]\n"
                'allow-blocking-calls = ["builtins.open"]\n'
            ),
            "m.py": (
                "from legacy.client import fetch, Store\n"
                "\n"
                "async def main(store: Store):\n"
                "    fetch('x')\n"
                "    store.save()\n"
                "    open('x')\n"
            ),
        },
    )
    out = run("-q", "m.py").stdout.splitlines()
    assert [line.split(" ", 2)[:2] for line in out] == [
        ["m.py:4:5:", "AL202"],
        ["m.py:5:5:", "AL207"],
    ]


def test_a_bad_blocking_family_in_the_configuration_is_an_error(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": '[tool.asynclint.extend-blocking-calls]\n"x.y" = "teleport"\n',
            "m.py": "x = 1\n",
        },
    )
    result = run("-q", "m.py")
    assert result.exit_code == 2
    assert "teleport" in result.stderr
