"""The page of AL204: file and path I/O."""

from __future__ import annotations

from textwrap import dedent

from asynclint.rules.blocking_calls.base import BlockingCallRule


class BlockingFileCall(BlockingCallRule):
    """
    ## What it does
    Finds file and path I/O inside `async def`: `open()`, `io.open`, `os.fdopen`, `codecs.open`,
    reads and writes on the file objects they give (a file opened in binary mode has the
    methods of a buffered file too: `readinto`, `read1`, `peek`), the `os` functions that
    touch the disk (`os.remove`, `os.listdir`, `os.makedirs`, `os.stat`, the `os.path`
    functions that stat the path: `exists`, `isfile`, `isdir`, `getsize`, `getmtime`,
    `samefile`, `realpath` ...), `shutil`, and the `pathlib.Path` methods that read, write or
    list (`read_text`, `write_bytes`, `iterdir`, `exists`). Pure path arithmetic
    (`os.path.join`, `abspath`, `normpath`, `basename`, `Path("a") / "b"`) is not I/O and is
    never reported, nor is an archive or a compressed file over bytes in memory
    (`zipfile.ZipFile(io.BytesIO(data))`, or a local bound to an `io.BytesIO`).

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
        dedent("""\
            async def f(path):
                with open(path) as f:  # error: AL204
                    return 1
        """),
        dedent("""\
            import pathlib

            async def f(p: pathlib.Path):
                return p.read_text()  # error: AL204
        """),
        dedent("""\
            import shutil

            async def f(a, b):
                shutil.copy(a, b)  # error: AL204
        """),
    )
    valid = (
        dedent("""\
            import os

            async def f(a):
                return os.path.join(a, 'b')
        """),
        dedent("""\
            import anyio

            async def f(p):
                return await anyio.Path(p).read_text()
        """),
        dedent("""\
            import asyncio

            async def f(p):
                return await asyncio.to_thread(open, p)
        """),
        dedent("""\
            import io, zipfile

            async def f(data):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    return archive.namelist()
        """),
        dedent("""\
            def f(path):
                with open(path) as f:
                    return f.read()
        """),
    )
