"""AL1xx across the modules of a project: the index resolves imports, re-exports, star imports,
``src/`` layouts, decorators, base classes and annotated attributes, and only files given are
reported while the index covers the whole project."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, write_tree

from asynclint.index import module_name, project_root, summarize
from asynclint.rules.missing_await import (
    CoroutineUsedAsValue,
    UnawaitedCoroutine,
    UnusedCoroutine,
)
from asynclint.testing import actual_findings

PROJECT = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "src/demo/__init__.py": "from .api import fetch, Client\nfrom .helpers import *\n",
    "src/demo/api.py": (
        "import functools\n"
        "\n"
        "async def fetch(url):\n"
        "    return url\n"
        "\n"
        "def fetch_sync(url):\n"
        "    return url\n"
        "\n"
        "def retry(func):\n"
        "    @functools.wraps(func)\n"
        "    async def wrapper(*args, **kwargs):\n"
        "        return await func(*args, **kwargs)\n"
        "    return wrapper\n"
        "\n"
        "def unknown_decorator(func):\n"
        "    return registry(func)\n"
        "\n"
        "@retry\n"
        "async def fetch_with_retry(url):\n"
        "    return url\n"
        "\n"
        "@unknown_decorator\n"
        "async def hidden(url):\n"
        "    return url\n"
        "\n"
        "class Client:\n"
        "    async def get(self, url):\n"
        "        return url\n"
        "\n"
        "    def close(self):\n"
        "        pass\n"
    ),
    "src/demo/helpers.py": (
        "__all__ = ['notify']\n"
        "\n"
        "async def notify(user):\n"
        "    return user\n"
        "\n"
        "async def private_helper():\n"
        "    return 1\n"
    ),
    "src/demo/service.py": (
        "from typing import Optional\n"
        "\n"
        "from . import api\n"
        "from .api import Client\n"
        "\n"
        "class Base:\n"
        "    async def save(self):\n"
        "        pass\n"
        "\n"
        "class Service(Base):\n"
        "    client: Client\n"
        "\n"
        "    def __init__(self):\n"
        "        self.backup = Client()\n"
        "        self.maybe: Optional[Client] = None\n"
    ),
}

USES = (
    "import demo\n"
    "import demo.api as api_module\n"
    "from demo import fetch, notify, Client\n"
    "from demo.api import fetch_sync, fetch_with_retry, hidden\n"
    "from demo.service import Service\n"
    "\n"
    "async def handler(service: Service, client: 'Client | None'):\n"
    "    fetch('a')\n"
    "    demo.fetch('b')\n"
    "    api_module.fetch('c')\n"
    "    notify('d')\n"
    "    fetch_with_retry('e')\n"
    "    service.save()\n"
    "    service.client.get('f')\n"
    "    service.backup.get('g')\n"
    "    service.maybe.get('h')\n"
    "    client.get('i')\n"
    "    fetch_sync('j')\n"
    "    hidden('k')\n"
    "    client.close()\n"
    "    await fetch('l')\n"
)
EXPECTED_LINES = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17]


def _lines(output: str, path: str) -> list[int]:
    return [int(line.split(":")[1]) for line in output.splitlines() if line.startswith(path)]


def test_module_names_follow_packages_and_src_layouts(tmp_path: Path) -> None:
    write_tree(tmp_path, PROJECT)
    assert module_name(tmp_path / "src/demo/api.py") == ("demo.api", False)
    assert module_name(tmp_path / "src/demo/__init__.py") == ("demo", True)
    assert project_root(tmp_path / "src/demo/api.py") == tmp_path.resolve()


def test_relative_imports_resolve_against_the_package(tmp_path: Path) -> None:
    fact = summarize("from . import api\nfrom ..core import x\n", "demo.sub.mod")
    assert fact.names == {"api": "demo.sub.api", "x": "demo.core.x"}
    package = summarize("from .api import fetch\n", "demo", is_package=True)
    assert package.names == {"fetch": "demo.api.fetch"}


def test_cross_module_findings(project: Path, run: Run) -> None:
    write_tree(project, {**PROJECT, "src/demo/uses.py": USES})
    result = run("-q", "--select", "AL101", ".")
    assert _lines(result.stdout, "src/demo/uses.py") == EXPECTED_LINES
    assert "src/demo/api.py" not in result.stdout


def test_a_single_file_still_sees_the_whole_project(project: Path, run: Run) -> None:
    """What pre-commit and editors do: only the given file is reported, the index covers all."""
    write_tree(project, {**PROJECT, "src/demo/uses.py": USES})
    result = run("-q", "--select", "AL1", "src/demo/uses.py")
    assert _lines(result.stdout, "src/demo/uses.py") == EXPECTED_LINES
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {"src/demo/uses.py"}


def test_the_index_cache_is_used_and_can_be_disabled(project: Path, run: Run) -> None:
    write_tree(project, {**PROJECT, "src/demo/uses.py": USES})
    run("-q", ".")
    cache = project / ".asynclint_cache"
    assert (cache / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    store = cache / "asynclint.sqlite3"
    assert store.is_file()
    # A changed file gets a new summary; the stale one is not used.
    (project / "src/demo/helpers.py").write_text(
        "__all__ = ['notify']\n\ndef notify(user):\n    return user\n", encoding="utf-8"
    )
    result = run("-q", "--select", "AL101", ".")
    assert 11 not in _lines(result.stdout, "src/demo/uses.py")
    for path in cache.glob("asynclint.sqlite3*"):
        path.unlink()
    run("-q", "--no-cache", ".")
    assert not store.exists()


def test_stdin_with_a_filename_uses_the_project_index(project: Path, run: Run) -> None:
    write_tree(project, PROJECT)
    result = run("-q", "-", "--stdin-filename", "src/demo/uses.py", input=USES)
    assert _lines(result.stdout, "src/demo/uses.py") == EXPECTED_LINES


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import asyncio\n\nasync def f():\n    asyncio.sleep(1)\n", [4]),
        ("import asyncio\n\nasync def f():\n    asyncio.wait_for(g(), 1)\n", [4]),
        ("from asyncio import sleep as pause\n\nasync def f():\n    pause(1)\n", [4]),
        ("import asyncio\n\nasync def f(lock: asyncio.Lock):\n    lock.acquire()\n", [4]),
        ("import asyncio\n\nasync def f():\n    asyncio.get_running_loop()\n", []),
        ("import asyncio\n\nasync def f(e: asyncio.Event):\n    e.set()\n", []),
    ],
)
def test_standard_library_coroutines(
    project: Path, run: Run, source: str, expected: list[int]
) -> None:
    write_tree(project, {"m.py": source})
    assert _lines(run("-q", "--select", "AL101", "m.py").stdout, "m.py") == expected


def test_a_subclass_that_overrides_the_method_makes_the_call_unsure(
    project: Path, run: Run
) -> None:
    write_tree(
        project,
        {
            "base.py": "class Response:\n    async def read(self):\n        return b''\n",
            "m.py": (
                "from base import Response\n"
                "\n"
                "def make() -> Response:\n"
                "    return Response()\n"
                "\n"
                "async def test():\n"
                "    class Custom(Response):\n"
                "        def read(self):\n"
                "            return 'x'\n"
                "    resp = make()\n"
                "    assert 'x' == resp.read()\n"
            ),
        },
    )
    assert run("-q", "--select", "AL1", ".").stdout == ""


def _fake_environment(folder: Path) -> Path:
    """A virtual environment holding one installed package, ``fancylib``, never imported."""
    site = folder / "lib" / "python3.11" / "site-packages"
    write_tree(
        site,
        {
            "fancylib/__init__.py": "from ._impl import *\n",
            "fancylib/_impl.py": (
                "__all__ = ['go']\n\nasync def go():\n    pass\n\ndef hidden():\n    pass\n"
            ),
        },
    )
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    return site


USES_FANCYLIB = "import fancylib\n\nasync def main():\n    fancylib.go()\n    fancylib.hidden()\n"


def test_installed_packages_come_from_the_projects_dot_venv(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)  # it would win over .venv
    _fake_environment(project / ".venv")
    write_tree(project, {"pyproject.toml": "", "app.py": USES_FANCYLIB})
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == [4]


def test_the_configured_python_wins(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_environment(project / "envs" / "prod")
    monkeypatch.setenv("VIRTUAL_ENV", str(project / "nowhere"))
    write_tree(
        project,
        {
            "pyproject.toml": '[tool.asynclint]\npython = "envs/prod/bin/python"\n',
            "app.py": USES_FANCYLIB,
        },
    )
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == [4]


def test_virtual_env_variable(project: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_environment(project / "elsewhere")
    monkeypatch.setenv("VIRTUAL_ENV", str(project / "elsewhere"))
    write_tree(project, {"pyproject.toml": "", "app.py": USES_FANCYLIB})
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == [4]
    monkeypatch.delenv("VIRTUAL_ENV")
    assert run("-q", "--select", "AL101", "app.py").stdout == ""  # not installed anywhere


def test_receivers_typed_by_return_annotations_and_async_with(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            "app.py": (
                "class Conn:\n"
                "    async def execute(self, q): ...\n"
                "\n"
                "class Session:\n"
                "    async def __aenter__(self) -> 'Session': return self\n"
                "    async def __aexit__(self, *a): ...\n"
                "    async def get(self, url): ...\n"
                "\n"
                "async def connect() -> Conn:\n"
                "    return Conn()\n"
                "\n"
                "def factory() -> Conn:\n"
                "    return Conn()\n"
                "\n"
                "async def main():\n"
                "    conn = await connect()\n"
                "    conn.execute('q')\n"
                "    other = factory()\n"
                "    other.execute('q')\n"
                "    async with Session() as session:\n"
                "        session.get('/')\n"
            ),
        },
    )
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == [17, 19, 21]


def test_a_linted_file_is_indexed_even_when_excluded(project: Path, run: Run) -> None:
    """Named on the command line, an excluded file is linted, so it needs its own summary."""
    write_tree(
        project,
        {
            "pyproject.toml": '[tool.asynclint]\nextend-exclude = ["scripts"]\n',
            "scripts/job.py": "async def fetch(): ...\n\nasync def main():\n    fetch()\n",
        },
    )
    assert _lines(run("-q", "scripts/job.py").stdout, "scripts/job.py") == [4]
    assert run("-q", ".").stdout == ""


def test_a_file_outside_any_project_indexes_only_what_is_given(project: Path, run: Run) -> None:
    """No pyproject.toml, setup.py, setup.cfg or .git above the file: its folder is no
    project, so nothing below it is read (a broken configuration there included)."""
    write_tree(
        project,
        {
            "loose/script.py": "async def fetch(): ...\n\nasync def main():\n    fetch()\n",
            "loose/other/pyproject.toml": "[tool.asynclint]\nselect = 'not a list'\n",
        },
    )
    result = run("-q", "--select", "AL101", "loose/script.py")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("loose/script.py:4:5: AL101")
    assert "not a list" not in result.stderr


_FETCH = "async def fetch(url=None): ...\n\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A private attribute read by name, through a property, or by computed names.
        ("class A:\n    def __init__(self):\n        self._job = fetch()\n", [5]),
        (
            "class A:\n    def __init__(self):\n        self._job = fetch()\n"
            "    def run(self):\n        return getattr(self, '_job')\n",
            [],
        ),
        (
            "class A:\n    def __init__(self):\n        self._job = fetch()\n"
            "    def get(self, name):\n        return getattr(self, name)\n",
            [],
        ),
        (
            "class A:\n    def __init__(self):\n        self._job = fetch()\n"
            "    def __setattr__(self, name, value):\n        schedule(value)\n",
            [],
        ),
        (
            "class A:\n    def __init__(self):\n        self._job = fetch()\n"
            "    @property\n    def _job(self):\n        return None\n",
            [],
        ),
        # The instance's namespace read whole: any attribute may be taken from it.
        (
            "class A:\n    def __init__(self):\n        self._job = fetch()\n"
            "    def state(self):\n        return vars(self)\n",
            [],
        ),
        (
            "class A:\n    def __init__(self):\n        self._job = fetch()\n"
            "    def state(self):\n        return dict(self.__dict__)\n",
            [],
        ),
        # A container declared global, or read before it is made (a loop), is not the
        # function's own.
        ("def f():\n    global jobs\n    jobs = []\n    jobs.append(fetch())\n", []),
        (
            "def f(urls):\n    for u in urls:\n        if jobs:\n            send(jobs)\n"
            "        jobs = []\n        jobs.append(fetch(u))\n",
            [],
        ),
        ("def f():\n    jobs = []\n    jobs.append(fetch())\n    return jobs\n", []),
        ("def f():\n    jobs = make()\n    jobs.append(fetch())\n", []),
    ],
)
def test_unused_coroutine_on_attributes_and_containers(body: str, expected: list[int]) -> None:
    source = _FETCH + body
    assert [line for line, code in actual_findings(source, [UnusedCoroutine])] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # One coroutine, one report, at its first use that raises.
        ("async def f():\n    c = fetch()\n    if c:\n        pass\n    return c.x, c.y\n", [7]),
        # A store in a ``with`` body reaches the code after it; one in a ``try`` does not.
        ("async def f(lock):\n    with lock:\n        c = fetch()\n    return c.status\n", [6]),
        (
            "async def f():\n    try:\n        c = fetch()\n    except OSError:\n"
            "        c = None\n    return c.status\n",
            [],
        ),
        # Rebinding ends the store, on every kind of target.
        ("async def f(xs):\n    c = fetch()\n    for c in xs:\n        print(c.x)\n", []),
        ("async def f(x):\n    c = fetch()\n    with x as c:\n        print(c.x)\n", []),
        # A test of an attribute another method awaits is only redundant.
        (
            "class A:\n    async def start(self):\n        self.job = fetch()\n"
            "        if self.job:\n            pass\n"
            "    async def wait(self):\n        return await self.job\n",
            [],
        ),
        (
            "class A:\n    async def start(self):\n        self.job = fetch()\n"
            "        if self.job:\n            pass\n",
            [6],
        ),
        # Keyword arguments, later positions and awaitable classes are not value uses.
        ("async def f():\n    return dict(job=fetch())\n", []),
        ("async def f(Awaitable):\n    return isinstance(fetch(), Awaitable)\n", []),
        ("async def f(o):\n    return isinstance(fetch(), (dict, list))\n", [4]),
        ("async def f(o):\n    return next(iter(o), fetch())\n", []),
        ("async def f(o):\n    return sorted(fetch())\n", [4]),
        # ``x or fetch()`` hands the coroutine on; ``if x or fetch()`` tests it.
        ("async def f(x):\n    c = x or fetch()\n    return await c\n", []),
        ("async def f(x):\n    if x or fetch():\n        pass\n", [4]),
        # A future has attributes of its own.
        (
            "import asyncio\n\nasync def f(job):\n    loop = asyncio.get_running_loop()\n"
            "    return hasattr(loop.run_in_executor(None, job), 'result')\n",
            [],
        ),
    ],
)
def test_coroutine_used_as_value_follows_stores(body: str, expected: list[int]) -> None:
    source = _FETCH + body
    lines = [line for line, code in actual_findings(source, [CoroutineUsedAsValue])]
    assert lines == expected


def test_one_coroutine_is_reported_once_across_the_family() -> None:
    """A stored coroutine used as a value is AL103's; AL102 only takes the ones never read."""
    source = _FETCH + (
        "async def f(urls):\n"
        "    if (c := fetch()) is not None:\n"  # line 4
        "        pass\n"
        "    d = fetch()\n"  # line 6
        "    jobs = {}\n"
        "    jobs['a'] = fetch()\n"  # line 8
        "    if jobs['a']:\n"  # line 9
        "        pass\n"
        "    await [fetch(u) for u in urls]\n"  # line 11
        "    await [*fetch()]\n"  # line 12: unpacked (AL103), not held in the list
    )
    rules = [UnawaitedCoroutine, UnusedCoroutine, CoroutineUsedAsValue]
    found = actual_findings(source, rules)
    assert found == [(4, "AL103"), (6, "AL102"), (11, "AL101"), (12, "AL103")]


def test_call_sites_type_only_unannotated_parameters(project: Path, run: Run) -> None:
    """Call sites type a parameter without annotation; one annotated with a union (or a name
    nothing resolves) says it takes more than today's callers pass, so it stays unknown."""
    write_tree(
        project,
        {
            "app.py": (
                "class Store:\n"
                "    async def save(self, x): ...\n"
                "\n"
                "class Ledger:\n"
                "    def save(self, x): ...\n"
                "\n"
                "def keep(target: 'Store | Ledger', x):\n"
                "    target.save(x)\n"
                "\n"
                "def keep_untyped(target, x):\n"
                "    target.save(x)\n"
                "\n"
                "async def main():\n"
                "    keep(Store(), 1)\n"
                "    keep_untyped(Store(), 1)\n"
            ),
        },
    )
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == [11]


def test_a_coroutine_passed_along_types_no_parameter(project: Path, run: Run) -> None:
    """``close_all(connect())`` passes a coroutine, not a connection: the parameter is not
    typed as what awaiting ``connect()`` would give (the missing ``await`` is the caller's)."""
    write_tree(
        project,
        {
            "pyproject.toml": "",
            "db.py": (
                "class Connection:\n"
                "    async def close(self): ...\n"
                "\n"
                "async def connect():\n"
                "    return Connection()\n"
            ),
            "app.py": (
                "from db import connect\n"
                "\n"
                "def close_all(conn):\n"
                "    conn.close()\n"
                "\n"
                "async def main():\n"
                "    close_all(connect())\n"
            ),
        },
    )
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == []
    awaited = (project / "app.py").read_text().replace("(connect())", "(await connect())")
    (project / "app.py").write_text(awaited)
    # Given a connection, `conn.close()` makes a coroutine that is dropped.
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == [4]


def test_optional_containers_and_callables_keep_what_they_hold(project: Path, run: Run) -> None:
    """``Optional[list[Client]]`` holds clients, and ``Optional[Callable[..., Awaitable]]``
    (or ``... | None``) a function whose call must be awaited, as the index reads them."""
    write_tree(
        project,
        {
            "app.py": (
                "from collections.abc import Awaitable, Callable\n"
                "from typing import Optional\n"
                "\n"
                "class Client:\n"
                "    async def refresh(self): ...\n"
                "\n"
                "async def main(\n"
                "    clients: Optional[list[Client]],\n"
                "    on_done: Optional[Callable[..., Awaitable[None]]],\n"
                "    on_fail: Callable[..., Awaitable[None]] | None,\n"
                "):\n"
                "    clients[0].refresh()\n"
                "    on_done()\n"
                "    on_fail()\n"
            ),
        },
    )
    assert _lines(run("-q", "--select", "AL101", "app.py").stdout, "app.py") == [12, 13, 14]


def test_a_library_module_that_does_not_parse_is_unknown(project: Path, run: Run) -> None:
    """An installed library whose source does not parse may define anything: the method-name
    agreement stays off in a module that imports it, as for one that is not installed."""
    site = project / ".venv" / "lib" / "python3.11" / "site-packages"
    write_tree(site, {"brokenlib/__init__.py": "def broken(:\n"})
    (project / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    write_tree(
        project,
        {
            "store.py": "class Store:\n    async def flush_orders(self): ...\n",
            "app.py": (
                "import brokenlib\n"
                "\n"
                "async def close(desk):\n"
                "    desk.flush_orders()\n"
                "\n"
                "async def main():\n"
                "    await close(brokenlib.make())\n"
            ),
            "clean.py": "async def close(desk):\n    desk.flush_orders()\n",
        },
    )
    result = run("-q", "--no-cache", "--select", "AL101", ".")
    assert _lines(result.stdout, "app.py") == []
    assert _lines(result.stdout, "clean.py") == [2]


def test_no_method_name_agreement_where_pytest_hands_out_fixtures(project: Path, run: Run) -> None:
    """pytest passes test functions objects of classes they never import (``tmpdir`` is a
    ``py.path.local``, whose ``ensure()`` is plain): in a module that imports pytest, an
    untyped receiver may be one of those, whatever the project's classes agree on."""
    write_tree(
        project,
        {
            "pkg/__init__.py": "",
            "pkg/guard.py": "class Once:\n    async def ensure(self, *, checkpoint): ...\n",
            "tests/test_files.py": (
                "import pytest\n"
                "\n"
                "@pytest.mark.parametrize('mode', ['r', 'w'])\n"
                "async def test_flush(mode, tmpdir):\n"
                "    full_file = tmpdir.join('file.bin')\n"
                "    full_file.ensure()\n"
            ),
            "pkg/use.py": "async def run(guard):\n    guard.ensure(checkpoint=True)\n",
        },
    )
    result = run("-q", "--no-cache", "--select", "AL101", ".")
    assert _lines(result.stdout, "tests/test_files.py") == []
    assert _lines(result.stdout, "pkg/use.py") == [2]  # no pytest there: the agreement holds
