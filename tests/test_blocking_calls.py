"""AL201-AL207 through the project: a coroutine that calls a sync helper which blocks (in
another module, a few calls down) is reported at the call, with the chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, findings_of, write_tree

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


# Calls the catalogue's [silent-when] conditions decide about, as a coroutine makes them and as
# a sync helper does: the coroutine's finding and the helper chain's must agree.
ARGUMENT_CASES = [
    ("zipfile.ZipFile(io.BytesIO(data))", False),
    ("buffer = io.BytesIO(data)\n    zipfile.ZipFile(buffer)", False),
    ("with io.BytesIO(data) as buffer:\n        zipfile.ZipFile(buffer)", False),
    ("zipfile.ZipFile(path)", True),
    ("zipfile.ZipFile(io.StringIO(data))", True),
    ("buffer = io.BytesIO(data)\n    buffer = path\n    zipfile.ZipFile(buffer)", True),
    ("tarfile.open(fileobj=io.BytesIO(data))", False),
    ("tarfile.open(path, fileobj=None)", True),
    ("socket.getaddrinfo(host, 80, flags=socket.AI_NUMERICHOST)", False),
    ("socket.getaddrinfo(host, 80, 0, 0, 0, socket.AI_NUMERICHOST | socket.AI_PASSIVE)", False),
    ("flags = socket.AI_NUMERICHOST\n    socket.getaddrinfo(host, 80, flags=flags)", False),
    ("socket.getaddrinfo(host, 80, flags=NUMERIC)", False),
    ("socket.getaddrinfo(host, 80)", True),
    ("socket.getaddrinfo(host, 80, flags=socket.AI_PASSIVE)", True),
    ("socket.getaddrinfo(host, 80, *extra)", True),
    ("socket.getaddrinfo(host, 80, **options)", True),
    ("os.waitpid(pid, os.WNOHANG)", False),
    ("os.waitpid(pid, 0)", True),
    ("time.sleep(0)", True),
]
ARGUMENT_PRELUDE = (
    "import io, os, socket, tarfile, time, zipfile\n"
    "\n"
    "NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV\n"
)


@pytest.mark.parametrize(("body", "blocks"), ARGUMENT_CASES, ids=[c[0] for c in ARGUMENT_CASES])
def test_arguments_decide_alike_in_a_coroutine_and_through_a_helper(
    project: Path, run: Run, body: str, blocks: bool
) -> None:
    parameters = "data, path, host, pid, extra, options"
    main = (
        f"{ARGUMENT_PRELUDE}\nfrom helpers import helper\n\n"
        f"async def direct({parameters}):\n    {body}\n\n"
        f"async def through({parameters}):\n    helper({parameters})\n"
    )
    write_tree(
        project,
        {
            "pyproject.toml": "",
            "helpers.py": f"{ARGUMENT_PRELUDE}\ndef helper({parameters}):\n    {body}\n",
            "main.py": main,
        },
    )
    helper_line = main.count("\n")
    found = findings_of(run("-q", "--no-cache", "--select", "AL2", "main.py").stdout)
    through = [line for _, line, _ in found if line == helper_line]
    direct = [line for _, line, _ in found if line != helper_line]
    assert (len(direct), len(through)) == ((1, 1) if blocks else (0, 0)), found


def test_messages_show_the_call_as_written(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": "",
            "m.py": (
                "import os, time, requests\n"
                "\n"
                "async def main(path, url, user, settings):\n"
                "    open(path).read()\n"
                "    requests.get(url, timeout=settings.HTTP_TIMEOUT_SECONDS)\n"
                "    requests.get(f'https://api.example.com/users/{user}', timeout=10)\n"
                "    requests.post(\n"
                "        f'https://api.example.com/users/{user}/avatar',\n"
                "        files={'avatar': settings.avatar_bytes},\n"
                "    )\n"
                "    os.fdopen(3)\n"
                "    time.sleep(0.5)\n"
            ),
        },
    )
    out = run("-q", "--no-cache", "m.py").stdout.splitlines()
    shown = [line.split("`", 2)[1] for line in out]
    assert shown == [
        "open(path).read()",
        "requests.get(url, timeout=…)",
        "requests.get(…, timeout=10)",
        "requests.post(…, files=…)",
        "os.fdopen(3)",
        "time.sleep(0.5)",
    ]
    assert "wrap_file(os.fdopen" not in out[4]
    assert "to_thread.run_sync(os.fdopen" in out[4]
