"""The pages of AL202 and AL203: network and process calls."""

from __future__ import annotations

from textwrap import dedent

from asynclint.rules.blocking_calls.base import BlockingCallRule


class BlockingNetworkCall(BlockingCallRule):
    """
    ## What it does
    Finds blocking network calls inside `async def`: `requests` (module functions and
    `requests.Session` methods), `urllib.request.urlopen`, `urllib3`, `http.client`, httpx's
    sync API (`httpx.get`, `httpx.Client`), `smtplib`, `ftplib`, `xmlrpc`, plain sockets and
    their methods (`sock.recv`, `sock.sendall`), and DNS lookups (`socket.getaddrinfo`,
    `socket.gethostbyname`). Methods are found through the receiver's type: a constructor
    (`s = requests.Session()`), a parameter or attribute annotation (`self.http:
    requests.Session`), the annotation that declares a local (`client: httpx.Client`, whatever
    is assigned to it later), or a module-level object another module of the project makes
    (`from app.clients import pool`). A lookup told that the host is a numeric address
    (`flags=socket.AI_NUMERICHOST`, also through a name of the module's own that holds the
    flag, as trio's `_NUMERIC_ONLY`) sends no DNS query and is not reported.

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

    <<on purpose>>
    """

    code = "AL202"
    name = "blocking-network-call"
    summary = "A blocking network call (requests, urllib, sockets, DNS ...) inside `async def`"
    family = "network"
    noqa_aliases = ("ASYNC210", "ASYNC211", "ASYNC212")
    invalid = (
        dedent("""\
            import requests

            async def f(url):
                return requests.get(url)  # error: AL202
        """),
        dedent("""\
            import requests

            async def f(url):
                s = requests.Session()
                s.post(url)  # error: AL202
        """),
        dedent("""\
            import socket

            async def f(host):
                return socket.getaddrinfo(host, 80)  # error: AL202
        """),
        dedent("""\
            import httpx

            class Api:
                def __init__(self):
                    self.http = httpx.Client()

                async def get(self, url):
                    return self.http.get(url)  # error: AL202
        """),
    )
    valid = (
        dedent("""\
            import httpx

            async def f(url):
                async with httpx.AsyncClient() as c:
                    return await c.get(url)
        """),
        dedent("""\
            import requests

            def f(url):
                return requests.get(url)
        """),
        dedent("""\
            import asyncio, requests

            async def f(url):
                return await asyncio.to_thread(requests.get, url)
        """),
        dedent("""\
            import requests

            async def f(session, url):
                return await session.get(url)
        """),
        dedent("""\
            import socket

            async def f(address, port):
                return socket.getaddrinfo(address, port, flags=socket.AI_NUMERICHOST)
        """),
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
        dedent("""\
            import subprocess

            async def f():
                subprocess.run(['ls'])  # error: AL203
        """),
        dedent("""\
            import os

            async def f():
                os.system('ls')  # error: AL203
        """),
    )
    valid = (
        dedent("""\
            import asyncio

            async def f():
                p = await asyncio.create_subprocess_exec('ls')
                await p.wait()
        """),
        dedent("""\
            import os

            async def f(pid):
                return os.waitpid(pid, os.WNOHANG)
        """),
        dedent("""\
            import subprocess

            def f():
                subprocess.run(['ls'])
        """),
    )
