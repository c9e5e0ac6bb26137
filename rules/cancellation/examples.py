"""The examples of AL303: code that must be reported, and near-misses that must not."""

from __future__ import annotations

from textwrap import dedent

INVALID = (
    dedent("""\
        import asyncio

        async def consume(queue):
            while True:
                try:
                    item = await queue.get()
                except asyncio.CancelledError:  # error: AL303
                    break
    """),
    dedent("""\
        async def fetch(client):
            try:
                return await client.get('/')
            except BaseException:  # error: AL303
                return None
    """),
    dedent("""\
        from asyncio import CancelledError

        async def serve(server):
            try:
                async with server:
                    pass
            except (CancelledError, OSError):  # error: AL303
                print('stopped')
    """),
    dedent("""\
        import asyncio

        async def stop(task, reporter):
            reporter.cancel()
            try:
                await task
            except asyncio.CancelledError:  # error: AL303
                pass
    """),
    dedent("""\
        import trio

        async def worker(channel):
            try:
                async for message in channel:
                    print(message)
            except trio.Cancelled:  # error: AL303
                pass
    """),
)

VALID = (
    dedent("""\
        import asyncio

        async def consume(queue):
            try:
                await queue.get()
            except asyncio.CancelledError:
                print('cancelled')
                raise
    """),
    dedent("""\
        async def fetch(client):
            try:
                return await client.get('/')
            except Exception:
                return None
    """),
    dedent("""\
        import asyncio

        async def stop(task):
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
    """),
    dedent("""\
        import asyncio

        async def stop_all(tasks):
            for task in tasks:
                task.cancel()
            try:
                await asyncio.gather(*tasks)
            except asyncio.CancelledError:
                pass
    """),
    dedent("""\
        import asyncio

        async def fetch(client):
            try:
                return await client.get('/')
            except asyncio.CancelledError:
                raise
            except BaseException:
                return None
    """),
    dedent("""\
        def load(path):
            try:
                return open(path).read()
            except BaseException:
                return None
    """),
    dedent("""\
        import asyncio

        async def wait_quietly(event):
            try:
                await event.wait()
            except asyncio.CancelledError:
                asyncio.current_task().uncancel()
    """),
    dedent("""\
        async def receive(self, sock):
            try:
                return await sock.recv(1024)
            except BaseException as exc:
                self._convert_socket_error(exc)
    """),
    dedent("""\
        import trio

        async def close(resource):
            with trio.CancelScope(shield=True):
                try:
                    await resource.aclose()
                except trio.Cancelled:
                    pass
    """),
    dedent("""\
        import asyncio

        async def main():
            try:
                def later():
                    async def inner():
                        await asyncio.sleep(1)
                    return inner
            except asyncio.CancelledError:
                pass
    """),
)
