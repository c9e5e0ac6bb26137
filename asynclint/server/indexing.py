"""The project index of an open document's project, made without keeping the editor waiting.

A cold index of a large project takes a while (Home Assistant's 11,000 files: about twenty
seconds on two cores). The server first runs ``python -m asynclint.server.indexing FILE`` in a
process of its own, at a lower priority, which summarises the project's modules in worker
processes and leaves the summaries in the project's cache; the server's own session is then
built from that cache in a fraction of a second, on a thread of its own. No code of the project
is imported or run: the index reads source.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from asynclint.config import ConfigError, ConfigFinder, Settings, index_root, is_index_root
from asynclint.rule import Rule
from asynclint.rules import ALL_RULES
from asynclint.runner import default_jobs
from asynclint.session import ProjectSession

# How long the process that fills the cache may take before the server builds the index
# itself (it then summarises what is still missing, on its own thread).
WARM_UP_SECONDS = 600


def cache_dir(settings: Settings) -> Path | None:
    """The cache folder the user chose (``ASYNCLINT_CACHE_DIR``, else ``cache-dir``), or None
    for the project's own, as the command line has it."""
    chosen = os.environ.get("ASYNCLINT_CACHE_DIR")
    if chosen:
        return Path(chosen).expanduser().resolve()
    return settings.cache_dir


def indexed_root(path: Path) -> Path | None:
    """The project root whose index a file's findings use (``config.index_root``, as the
    command line groups files), or None for a file in no project (it is analysed alone, as
    the command line does)."""
    root = index_root(path.resolve().parent)
    return root if is_index_root(root) else None


def build_session(
    configs: ConfigFinder, path: Path, rules: Iterable[type[Rule]], jobs: int = 1
) -> ProjectSession:
    """The session of ``path``'s project: its index (when one of ``rules`` needs it), built as
    the command line builds it, from and into the project's cache."""
    settings = configs.for_path(path)
    return ProjectSession.build(
        [path],
        rules,
        configs,
        use_cache=True,
        jobs=jobs,
        blocking=[(settings.blocking, settings.allow_blocking)],
        python=settings.python,
        cache_dir=cache_dir(settings),
    )


class WarmUps:
    """The processes filling the cache, so that shutting down ends them."""

    def __init__(self) -> None:
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self.closed = False

    def run(self, path: Path, config: Path | None) -> str | None:
        """Fill the cache of ``path``'s project in a process of its own; None when that went
        well, else what went wrong (the caller builds what is missing itself)."""
        command = [sys.executable, "-m", "asynclint.server.indexing", str(path)]
        if config is not None:
            command[3:3] = ["--config", str(config)]
        with self._lock:
            if self.closed:
                return "shutting down"
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            self._running.add(process)
        try:
            _, errors = process.communicate(timeout=WARM_UP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return f"filling the cache took over {WARM_UP_SECONDS} seconds"
        finally:
            with self._lock:
                self._running.discard(process)
        if process.returncode != 0:
            lines = errors.decode(errors="replace").strip().splitlines()
            return lines[-1] if lines else f"exit status {process.returncode}"
        return None

    def close(self) -> None:
        with self._lock:
            self.closed = True
            for process in self._running:
                process.kill()


def main(args: Sequence[str]) -> int:
    """``python -m asynclint.server.indexing [--config FILE] FILE``: fill the cache of the
    project of FILE with the summaries of its modules."""
    config = None
    if len(args) == 3 and args[0] == "--config":
        config, args = Path(args[1]), args[2:]
    if len(args) != 1:
        print("usage: python -m asynclint.server.indexing [--config FILE] FILE", file=sys.stderr)
        return 2
    if hasattr(os, "nice"):
        os.nice(5)  # the editor comes first
    try:
        session = build_session(ConfigFinder(config), Path(args[0]), ALL_RULES, default_jobs())
    except ConfigError as error:
        print(f"asynclint: error: {error}", file=sys.stderr)
        return 2
    session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
