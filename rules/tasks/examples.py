"""The examples of AL301 and AL302: code that must be reported, and near-misses that must not."""

from __future__ import annotations

from textwrap import dedent

from asynclint.rule import Example

DROPPED_INVALID = (
    Example(
        dedent("""\
            import asyncio

            async def notify(user): ...

            async def handle(user):
                asyncio.create_task(notify(user))  # error: AL301
        """),
        fixed=dedent("""\
            import asyncio

            _background_tasks: set[asyncio.Task] = set()

            async def notify(user): ...

            async def handle(user):
                task = asyncio.create_task(notify(user))
                _background_tasks.add(task)
                task.add_done_callback(_background_tasks.discard)
        """),
    ),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            loop = asyncio.get_running_loop()
            loop.create_task(tick())  # error: AL301
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            _ = asyncio.ensure_future(tick())  # error: AL301
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        def spawn(coro):
            return asyncio.create_task(coro)

        async def main():
            spawn(tick())  # error: AL301
    """),
    dedent("""\
        import asyncio

        async def fetch(url): ...

        async def main(urls):
            [asyncio.create_task(fetch(u)) for u in urls]  # error: AL301
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        class Bot:
            def __init__(self, loop: asyncio.AbstractEventLoop):
                self.loop = loop

            def start(self):
                self.loop.create_task(tick())  # error: AL301
    """),
)

DROPPED_VALID = (
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            async with asyncio.TaskGroup() as tg:
                tg.create_task(tick())
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            await asyncio.create_task(tick())
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main(tasks):
            tasks.add(asyncio.create_task(tick()))
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        class Worker:
            def start(self):
                self.task = asyncio.create_task(tick())
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main(done):
            asyncio.create_task(tick()).add_done_callback(done)
    """),
    dedent("""\
        import asyncio

        async def main(future):
            asyncio.ensure_future(future)
    """),
    dedent("""\
        import trio

        async def tick(): ...

        async def main():
            async with trio.open_nursery() as nursery:
                nursery.start_soon(tick)
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        class Runner:
            def start(self):
                self._task = asyncio.create_task(tick())
                return self._task

            async def main(self):
                self.start()
    """),
)

UNUSED_INVALID = (
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            task = asyncio.create_task(tick())  # error: AL302
            return 1
    """),
    dedent("""\
        import asyncio

        async def fetch(url): ...

        async def crawl(urls):
            for url in urls:
                task = asyncio.create_task(fetch(url))  # error: AL302
            await task
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        def on_message(loop: asyncio.AbstractEventLoop):
            pending = loop.create_task(tick())  # error: AL302
    """),
)

UNUSED_VALID = (
    dedent("""\
        import asyncio
        import signal

        async def serve(): ...

        async def main(stop_event):
            def on_stop():
                task.cancel()

            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, on_stop)
            task = asyncio.create_task(serve())
            await stop_event.wait()
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            task = asyncio.create_task(tick())
            await task
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main(done):
            task = asyncio.create_task(tick())
            task.add_done_callback(done)
    """),
    dedent("""\
        import asyncio

        async def fetch(url): ...

        async def crawl(urls):
            tasks = []
            for url in urls:
                task = asyncio.create_task(fetch(url))
                tasks.append(task)
            await asyncio.gather(*tasks)
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            task = asyncio.create_task(tick())
            return task
    """),
    dedent("""\
        import asyncio

        async def tick(): ...

        async def main():
            async with asyncio.TaskGroup() as tg:
                task = tg.create_task(tick())
    """),
    dedent("""\
        import asyncio

        async def fetch(url): ...

        async def first(urls):
            for url in urls:
                task = asyncio.create_task(fetch(url))
                break
            await task
    """),
)
