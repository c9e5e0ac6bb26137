"""AL202-AL207: blocking calls inside ``async def``, one code per family of the catalogue
(``asynclint/data/blocking.toml``). AL201 (``time.sleep``) has its own module and fix.

A call counts when it runs on the event loop's thread: in an ``async def`` body (async
comprehensions and generators included), not in a nested sync ``def``, a ``lambda``, or a
function handed to a thread (``asyncio.to_thread(open, path)`` passes ``open``, it does not call
it). The callee is resolved through imports, and methods through the receiver's type (a
constructor, an annotation, an attribute of a known type).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from asynclint.blocking import Family
from asynclint.diagnostics import Applicability, Fix
from asynclint.edits import source_of
from asynclint.index import Instance
from asynclint.rule import Rule

_THREAD_OFFLOAD = {
    "asyncio": "`await asyncio.to_thread(...)`",
    "trio": "`await trio.to_thread.run_sync(...)`",
    "anyio": "`await anyio.to_thread.run_sync(...)`",
}
# Keyword arguments that make a listed call return at once instead of waiting.
_NON_BLOCKING_KEYWORDS = {"blocking": "False", "block": "False", "wait": "False", "timeout": "0"}


def blocking_call(rule: Rule, node: cst.Call) -> BlockingCall | None:
    """The blocking call that ``node`` makes on the event loop, directly or through the
    project's sync helpers, or None. Computed once per call node and shared by the rules."""
    context = rule.context
    key = ("blocking", id(node))
    if key not in context.memo:
        context.memo[key] = _resolve(rule, node) if context.in_async_function else None
    return context.memo[key]  # type: ignore[return-value]


@dataclass(frozen=True)
class BlockingCall:
    qualified: str  # the blocking call itself (at the end of the chain)
    family: Family
    chain: tuple[str, ...] = ()  # project sync helpers leading to it, outermost first


def _resolve(rule: Rule, node: cst.Call) -> BlockingCall | None:
    context = rule.context
    catalogue = context.blocking
    candidates = []
    qualified = context.resolve(node.func)
    if qualified is not None:
        candidates.append(qualified)
    if isinstance(node.func, cst.Attribute):
        receiver = context.value(node.func.value)
        if isinstance(receiver, Instance):
            candidates.append(f"{receiver.type}.{node.func.attr.value}")
        elif isinstance(receiver, str) and qualified is None:
            candidates.append(f"{receiver}.{node.func.attr.value}")
    for candidate in candidates:
        family = catalogue.family_of(candidate)
        if family is not None:
            return None if _returns_at_once(node) else BlockingCall(candidate, family)
    if context.index is None:
        return None
    for candidate in candidates:  # a sync helper of the project that blocks, a few calls down
        chain = context.index.blocking_chain(candidate, catalogue.family_of)
        if chain:
            family = catalogue.family_of(chain[-1])
            if family is not None:
                return BlockingCall(chain[-1], family, tuple(chain[:-1]))
    return None


def chain_text(found: BlockingCall) -> str:
    """``load_config() -> read_file() -> open()``."""
    names = [*found.chain, found.qualified]
    return " -> ".join(f"{name.rsplit('.', 1)[-1]}()" for name in names)


def _returns_at_once(node: cst.Call) -> bool:
    """``lock.acquire(blocking=False)``, ``q.get(block=False)``, ``os.waitpid(pid, os.WNOHANG)``."""
    for argument in node.args:
        keyword = argument.keyword.value if argument.keyword else None
        value = argument.value
        if keyword in _NON_BLOCKING_KEYWORDS:
            literal = value.value if isinstance(value, (cst.Name, cst.Integer)) else None
            if literal == _NON_BLOCKING_KEYWORDS[keyword]:
                return True
        if isinstance(value, cst.Attribute) and value.attr.value == "WNOHANG":
            return True
    return False


def thread_fix(rule: Rule, node: cst.Call) -> Fix | None:
    """``x = f(a, k=v)`` -> ``x = await asyncio.to_thread(f, a, k=v)`` (trio and anyio:
    ``to_thread.run_sync``, with ``functools.partial`` for keyword arguments), offered only
    where the call is a whole statement or the whole value of an assignment or return."""
    context = rule.context
    statement = context.parent
    if (
        not (
            isinstance(statement, cst.Expr)
            or (
                isinstance(statement, (cst.Assign, cst.AnnAssign, cst.Return))
                and statement.value is node
            )
        )
        or node.lpar
    ):
        return None
    if context.enclosing(cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp) is not None:
        return None
    library = context.async_library
    reference, imports = context.module_reference(library)
    positional = [a for a in node.args if a.keyword is None and a.star != "**"]
    keywords = [a for a in node.args if a.keyword is not None or a.star == "**"]
    if library == "asyncio":
        runner = cst.parse_expression(f"{reference}.to_thread")
        arguments = [cst.Arg(node.func), *node.args]
    else:
        runner = cst.parse_expression(f"{reference}.to_thread.run_sync")
        if keywords:
            partial, more = context.module_reference("functools")
            imports = imports + more
            bound = cst.Call(
                cst.parse_expression(f"{partial}.partial"), [cst.Arg(node.func), *node.args]
            )
            arguments = [cst.Arg(bound)]
        else:
            arguments = [cst.Arg(node.func), *positional]
    arguments = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in arguments]
    replacement = cst.Await(expression=cst.Call(runner, arguments))
    return Fix(
        "Run it in a worker thread",
        ((node, replacement),),
        Applicability.UNSAFE,
        imports,
    )


# Paragraphs every family's page shares (``<<chains>>``, ``<<thread fix>>`` in the pages).
_CHAINS_DOC = """\
    A call of one of the project's sync functions that reaches such a call (directly or a few
    calls down, across modules) is reported too, at the call in the coroutine, with the chain
    in the message: `load_config() -> read_file() -> open()`. A helper handed to a thread
    (`asyncio.to_thread(load_config)`) is not a call and stays silent.
"""
_THREAD_FIX_DOC = """\
    ## Fix safety
    When the call is a whole statement, or the whole value of an assignment or `return`, the
    fix runs it in a worker thread (`await asyncio.to_thread(...)`, `trio.to_thread.run_sync`,
    `anyio.to_thread.run_sync`). It is unsafe: the call now runs in another thread, so
    thread-unsafe objects it touches and cancellation behave differently. A call used as a
    context manager (`with open(...)`) gets advice only: it needs a different API.
"""


class BlockingCallRule(Rule):
    """Base of the family rules; not a rule itself."""

    family: ClassVar[str]
    needs_index = True
    fix_applicability = Applicability.UNSAFE
    doc_parts = (("chains", _CHAINS_DOC), ("thread fix", _THREAD_FIX_DOC))

    def visit_Call(self, node: cst.Call) -> None:
        found = blocking_call(self, node)
        if found is None or found.family.name != self.family:
            return
        catalogue = self.context.blocking
        offload = _THREAD_OFFLOAD[self.context.async_library]
        name = source_of(self.context.module, node.func)
        fix = thread_fix(self, node)
        if found.chain:
            self.report(
                node,
                f"`{name}()` blocks the event loop through a sync helper: {chain_text(found)} "
                f"({found.family.title.lower()}); make the helper async or run it in a thread "
                f"with {offload}",
                fix,
            )
            return
        replacement = catalogue.replacement_for(found.qualified)
        if "to_thread" not in replacement:
            replacement += f", or run it in a thread with {offload}"
        self.report(
            node,
            f"`{name}()` blocks the event loop ({found.family.title.lower()}); use {replacement}",
            fix,
        )


class BlockingNetworkCall(BlockingCallRule):
    """
    ## What it does
    Finds blocking network calls inside `async def`: `requests` (module functions and
    `requests.Session` methods), `urllib.request.urlopen`, `urllib3`, `http.client`, httpx's
    sync API (`httpx.get`, `httpx.Client`), `smtplib`, `ftplib`, `xmlrpc`, plain sockets and
    their methods (`sock.recv`, `sock.sendall`), and DNS lookups (`socket.getaddrinfo`,
    `socket.gethostbyname`). Methods are found through the receiver's type: a constructor
    (`s = requests.Session()`), a parameter or attribute annotation (`self.http:
    requests.Session`).

    <<chains>>

    ## Why is this bad?
    A sync network call waits for the other side while holding the event loop's only thread:
    every other request, timer and connection of the process stalls for the full round trip,
    timeouts included.

    ## Example
    ```python
    import requests


    async def profile(user_id):
        return requests.get(f"https://api.example.com/users/{user_id}").json()
    ```

    ## Use instead
    ```python
    import httpx


    async def profile(user_id):
        async with httpx.AsyncClient() as client:
            response = await client.get(f"https://api.example.com/users/{user_id}")
            return response.json()
    ```
    Or use `aiohttp.ClientSession`, asyncio streams for sockets (`asyncio.open_connection`),
    `loop.getaddrinfo()` for DNS, or run the call in a thread with `await
    asyncio.to_thread(...)` (`trio.to_thread.run_sync`, `anyio.to_thread.run_sync`).

    ## Fix safety
    When the call is a whole statement, or the whole value of an assignment or `return`, the
    fix runs it in a worker thread: `await asyncio.to_thread(requests.get, url)`
    (`trio.to_thread.run_sync` / `anyio.to_thread.run_sync`, with `functools.partial` for
    keyword arguments). It is unsafe: the call now runs in another thread, so thread-unsafe
    objects it touches, thread-local state and cancellation behave differently. Moving to an
    async client is better and is left to you.
    """

    code = "AL202"
    name = "blocking-network-call"
    summary = "A blocking network call (requests, urllib, sockets, DNS ...) inside `async def`"
    family = "network"
    noqa_aliases = ("ASYNC210", "ASYNC211", "ASYNC212")
    invalid = (
        "import requests\n\nasync def f(url):\n    return requests.get(url)  # error: AL202\n",
        "import requests\n\nasync def f(url):\n    s = requests.Session()\n"
        "    s.post(url)  # error: AL202\n",
        "import socket\n\nasync def f(host):\n"
        "    return socket.getaddrinfo(host, 80)  # error: AL202\n",
        "import httpx\n\nclass Api:\n    def __init__(self):\n"
        "        self.http = httpx.Client()\n\n"
        "    async def get(self, url):\n        return self.http.get(url)  # error: AL202\n",
    )
    valid = (
        "import httpx\n\nasync def f(url):\n    async with httpx.AsyncClient() as c:\n"
        "        return await c.get(url)\n",
        "import requests\n\ndef f(url):\n    return requests.get(url)\n",
        "import asyncio, requests\n\nasync def f(url):\n"
        "    return await asyncio.to_thread(requests.get, url)\n",
        "import requests\n\nasync def f(session, url):\n    return await session.get(url)\n",
    )


class BlockingProcessCall(BlockingCallRule):
    """
    ## What it does
    Finds calls that start or wait for processes inside `async def`: `subprocess.run`,
    `call`, `check_call`, `check_output`, `Popen` and its `wait`/`communicate`, `os.system`,
    `os.popen`, `os.spawn*`, `os.wait*`. A call that returns at once (`os.waitpid(pid,
    os.WNOHANG)`) is not reported.

    <<chains>>

    ## Why is this bad?
    Starting a process forks and execs while the event loop waits; waiting for it (which
    `run`, `check_output` and `communicate` do) stalls the loop for the whole life of the
    child process.

    ## Example
    ```python
    import subprocess


    async def version():
        return subprocess.check_output(["git", "describe"]).decode()
    ```

    ## Use instead
    ```python
    import asyncio


    async def version():
        process = await asyncio.create_subprocess_exec(
            "git", "describe", stdout=asyncio.subprocess.PIPE
        )
        out, _ = await process.communicate()
        return out.decode()
    ```
    With trio or anyio: `await trio.run_process(...)`, `await anyio.run_process(...)`.

    <<thread fix>>
    """

    code = "AL203"
    name = "blocking-process-call"
    summary = "A call that starts or waits for a process (subprocess, os.system ...) in `async def`"
    family = "process"
    noqa_aliases = ("ASYNC220", "ASYNC221", "ASYNC222")
    invalid = (
        "import subprocess\n\nasync def f():\n    subprocess.run(['ls'])  # error: AL203\n",
        "import os\n\nasync def f():\n    os.system('ls')  # error: AL203\n",
    )
    valid = (
        "import asyncio\n\nasync def f():\n    p = await asyncio.create_subprocess_exec('ls')\n"
        "    await p.wait()\n",
        "import os\n\nasync def f(pid):\n    return os.waitpid(pid, os.WNOHANG)\n",
        "import subprocess\n\ndef f():\n    subprocess.run(['ls'])\n",
    )


class BlockingFileCall(BlockingCallRule):
    """
    ## What it does
    Finds file and path I/O inside `async def`: `open()`, `io.open`, `os.fdopen`, `codecs.open`,
    the `os` functions that touch the disk (`os.remove`, `os.listdir`, `os.makedirs`, `os.stat`,
    the `os.path` functions that ask the disk such as `os.path.exists`), `shutil`, and the
    `pathlib.Path` methods that read, write or list (`read_text`, `write_bytes`, `iterdir`,
    `exists`). Pure path arithmetic (`os.path.join`, `Path("a") / "b"`) is not I/O and is never
    reported.

    <<chains>>

    ## Why is this bad?
    Disk I/O blocks the thread that does it. On a loaded machine, a network file system or a
    slow disk, a single `open().read()` stalls every task of the event loop.

    ## Example
    ```python
    async def load(path):
        with open(path) as f:
            return f.read()
    ```

    ## Use instead
    ```python
    import anyio


    async def load(path):
        return await anyio.Path(path).read_text()
    ```
    Or `aiofiles.open(...)`, or run the whole function in a thread with `await
    asyncio.to_thread(...)`. An `open()` used as a context manager needs one of these, not a
    line-by-line rewrite.

    <<thread fix>>
    """

    code = "AL204"
    name = "blocking-file-call"
    summary = "File or path I/O (open, os, shutil, pathlib) inside `async def`"
    family = "file"
    noqa_aliases = ("ASYNC230", "ASYNC231", "ASYNC232", "ASYNC240")
    invalid = (
        "async def f(path):\n    with open(path) as f:  # error: AL204\n        return 1\n",
        "import pathlib\n\nasync def f(p: pathlib.Path):\n"
        "    return p.read_text()  # error: AL204\n",
        "import shutil\n\nasync def f(a, b):\n    shutil.copy(a, b)  # error: AL204\n",
    )
    valid = (
        "import os\n\nasync def f(a):\n    return os.path.join(a, 'b')\n",
        "import anyio\n\nasync def f(p):\n    return await anyio.Path(p).read_text()\n",
        "import asyncio\n\nasync def f(p):\n    return await asyncio.to_thread(open, p)\n",
        "def f(path):\n    with open(path) as f:\n        return f.read()\n",
    )


class BlockingThreadSyncCall(BlockingCallRule):
    """
    ## What it does
    Finds waits on thread synchronisation inside `async def`: `acquire`/`wait` on
    `threading.Lock`, `RLock`, `Semaphore`, `Condition`, `Event` and `Barrier`,
    `Thread.join`, `queue.Queue.get/put/join`, `concurrent.futures.Future.result`,
    `concurrent.futures.wait`, and multiprocessing pools and queues. A call that returns at
    once (`acquire(blocking=False)`, `get(block=False)`, `get_nowait()`) is not reported.

    <<chains>>

    ## Why is this bad?
    These wait for another thread or process. The event loop's thread waits with them, so
    nothing else runs, and if the other side needs the event loop to make progress the wait
    never ends: a deadlock.

    ## Example
    ```python
    import threading

    lock = threading.Lock()


    async def update(state):
        lock.acquire()
        try:
            state.version += 1
        finally:
            lock.release()
    ```

    ## Use instead
    ```python
    import asyncio

    lock = asyncio.Lock()


    async def update(state):
        async with lock:
            state.version += 1
    ```
    Use `asyncio.Queue`, `asyncio.Event`, `await asyncio.wrap_future(future)` for a
    `concurrent.futures.Future`, or wait in a thread with `await asyncio.to_thread(...)`.

    <<thread fix>>
    """

    code = "AL205"
    name = "blocking-thread-sync-call"
    summary = "A wait on a thread lock, event, queue or future inside `async def`"
    family = "thread-sync"
    invalid = (
        "import threading\n\nlock = threading.Lock()\n\nasync def f():\n"
        "    lock.acquire()  # error: AL205\n",
        "import queue\n\nasync def f(q: queue.Queue):\n    return q.get()  # error: AL205\n",
    )
    valid = (
        "import threading\n\nlock = threading.Lock()\n\nasync def f():\n"
        "    return lock.acquire(blocking=False)\n",
        "import queue\n\nasync def f(q: queue.Queue):\n    return q.get_nowait()\n",
        "import asyncio\n\nasync def f(lock: asyncio.Lock):\n    await lock.acquire()\n",
    )


class BlockingConsoleCall(BlockingCallRule):
    """
    ## What it does
    Finds reads from the console inside `async def`: `input()`, `getpass.getpass()` and
    `sys.stdin.read`/`readline`/`readlines`.

    <<chains>>

    ## Why is this bad?
    Reading the console waits for a person. Until they press Enter, the event loop is frozen:
    no timer fires, no connection is served.

    ## Example
    ```python
    async def confirm():
        return input("Continue? ") == "y"
    ```

    ## Use instead
    ```python
    import asyncio


    async def confirm():
        return await asyncio.to_thread(input, "Continue? ") == "y"
    ```
    With trio or anyio: `await trio.to_thread.run_sync(input, ...)`, `await
    anyio.to_thread.run_sync(input, ...)`.

    <<thread fix>>
    """

    code = "AL206"
    name = "blocking-console-input"
    summary = "Reading the console (input, sys.stdin) inside `async def`"
    family = "console"
    noqa_aliases = ("ASYNC250",)
    invalid = ("async def f():\n    return input('name? ')  # error: AL206\n",)
    valid = (
        "import asyncio\n\nasync def f():\n    return await asyncio.to_thread(input, 'name? ')\n",
        "def f():\n    return input('name? ')\n",
    )


class BlockingDatabaseCall(BlockingCallRule):
    """
    ## What it does
    Finds calls of blocking database drivers inside `async def`: `sqlite3`, `psycopg2` and
    psycopg's sync API, `pymysql`, the sync `redis` client, `pymongo`, and SQLAlchemy's sync
    `Session`/`Engine`/`Connection`: connecting, executing, committing, fetching from a
    server-side cursor. The async clients (`redis.asyncio`, `asyncpg`, `motor`, psycopg's
    `AsyncConnection`) are not reported.

    <<chains>>

    ## Why is this bad?
    Each query waits for the database server with the event loop's thread; under load the
    whole service serialises behind the slowest query.

    ## Example
    ```python
    import redis

    cache = redis.Redis()


    async def cached(key):
        return cache.get(key)
    ```

    ## Use instead
    ```python
    import redis.asyncio

    cache = redis.asyncio.Redis()


    async def cached(key):
        return await cache.get(key)
    ```
    Use the driver's async counterpart (`asyncpg`, `redis.asyncio`, `motor`, `aiosqlite`,
    SQLAlchemy's `AsyncSession`) or run the query in a thread with `await
    asyncio.to_thread(...)`.

    <<thread fix>>
    """

    code = "AL207"
    name = "blocking-database-call"
    summary = (
        "A blocking database driver call (sqlite3, psycopg2, redis, pymongo ...) in `async def`"
    )
    family = "database"
    invalid = (
        "import sqlite3\n\nasync def f(path):\n    return sqlite3.connect(path)  # error: AL207\n",
        "import redis\n\ncache = redis.Redis()\n\nasync def f(key):\n"
        "    return cache.get(key)  # error: AL207\n",
    )
    valid = (
        "import redis.asyncio\n\ncache = redis.asyncio.Redis()\n\nasync def f(key):\n"
        "    return await cache.get(key)\n",
        "import sqlite3\n\ndef f(path):\n    return sqlite3.connect(path)\n",
    )
