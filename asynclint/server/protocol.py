"""The language server: the protocol's messages, over ``linting`` and ``indexing``.

Everything that touches the protocol runs on the event loop's thread. Linting runs on the
linting thread (``runner.on_deep_stack``), one document at a time; the index is built on a
thread of its own. A result is published only if the document is still at the version that was
linted: a later text always wins, and a stale result is dropped. No handler lets an exception
reach the editor: it is logged (``window/logMessage``) and the server goes on.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from asynclint import __version__
from asynclint.config import ConfigError
from asynclint.diagnostics import Applicability, Diagnostic, FileResult
from asynclint.fixing import FixMode
from asynclint.linter import SYNTAX_ERROR_CODE
from asynclint.server.convert import (
    asks_for,
    before,
    diagnostic,
    overlaps,
    rule_pages,
    uri_argument,
    workspace_edit,
    workspace_root,
)
from asynclint.server.indexing import WarmUps
from asynclint.server.linting import (
    ClientOptions,
    Linter,
    Snapshot,
    quick_fix_mode,
    read_options,
    split_lines,
    with_file_noqa,
    with_line_noqa,
)

DEBOUNCE_SECONDS = 0.3
FIX_ALL_COMMAND = "asynclint.fixAll"
FIX_ALL_KIND = "source.fixAll.asynclint"
_STACK_BYTES = 512 * 1024 * 1024  # the index thread's: summarising recurses as deep as the code
_log = logging.getLogger("asynclint.server")
_T = TypeVar("_T")


def _guarded(handler: Callable[..., Awaitable[_T]]) -> Callable[..., Awaitable[_T | None]]:
    """``handler``, with any exception logged to the editor instead of raised at it."""

    @functools.wraps(handler)
    async def guarded(self: AsynclintServer, *args: Any) -> _T | None:
        try:
            return await handler(self, *args)
        except Exception as error:
            _log.exception("asynclint server: %s failed", handler.__name__)
            self.log(types.MessageType.Error, f"{handler.__name__} failed: {error!r}")
            return None

    return guarded


def _bound(method: Callable[..., Awaitable[_T]]) -> Callable[..., Awaitable[_T]]:
    """A server's method as pygls registers a handler (it marks the function it is given)."""

    @functools.wraps(method)
    async def call(*args: Any) -> _T:
        return await method(*args)

    return call


class _IndexThread:
    """One daemon thread with a large stack that builds project indexes, in turn (a build in
    progress never keeps the server from exiting)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple]] = (
            queue.SimpleQueue()
        )
        previous = threading.stack_size(_STACK_BYTES)
        try:
            thread = threading.Thread(target=self._run, name="asynclint-index", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)

    def submit(self, function: Callable[..., _T], *args: Any) -> Future[_T]:
        future: Future[_T] = Future()
        self._jobs.put((future, function, args))
        return future

    def _run(self) -> None:
        while True:
            future, function, args = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:
                future.set_exception(error)


@dataclass
class _Linted:
    """A document's last published findings, with the text they were found in."""

    snapshot: Snapshot
    linter: Linter
    result: FileResult | None
    published: list[tuple[Diagnostic, types.Diagnostic]] = field(default_factory=list)
    # Quick fixes made for it so far, by finding: the fixed text, or None.
    fixes: dict[tuple[str, int, int], str | None] = field(default_factory=dict)


class AsynclintServer(LanguageServer):
    """asynclint's language server."""

    def __init__(self) -> None:
        super().__init__("asynclint", __version__)
        self.options = ClientOptions()
        self.linter = Linter(self.options)
        self.linted: dict[str, _Linted] = {}
        self.open: set[str] = set()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._indexing: set[tuple[int, Path]] = set()
        self._shown: set[str] = set()
        self._pending_warnings: list[str] = []
        self.warm_ups = WarmUps()
        self._index_thread = _IndexThread()
        # Set once the editor says ``exit``: nothing more is sent (the output may be closed).
        self._closing = False
        self._reporting = False
        self._register()

    def _register(self) -> None:
        feature = self.feature
        feature(types.INITIALIZE)(_bound(self.initialize))
        feature(types.INITIALIZED)(_bound(self.initialized))
        feature(types.SHUTDOWN)(_bound(self.shutdown_server))

        def exit_server(*args: Any) -> None:  # not a coroutine: pygls stops right after it
            self._closing = True
            self.warm_ups.close()

        feature(types.EXIT)(exit_server)
        feature(types.TEXT_DOCUMENT_DID_OPEN)(_bound(self.did_open))
        feature(types.TEXT_DOCUMENT_DID_CHANGE)(_bound(self.did_change))
        feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(
            _bound(self.did_save)
        )
        feature(types.TEXT_DOCUMENT_DID_CLOSE)(_bound(self.did_close))
        kinds = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND]
        feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=kinds))(
            _bound(self.code_action)
        )
        feature(types.TEXT_DOCUMENT_HOVER)(_bound(self.hover))
        feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(_bound(self.did_change_configuration))
        feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(_bound(self.did_change_watched_files))
        self.command(FIX_ALL_COMMAND)(_bound(self.fix_all))

    # --- messages to the editor ---------------------------------------------------------
    def log(self, kind: types.MessageType, message: str) -> None:
        if self._closing:
            return
        self.window_log_message(types.LogMessageParams(type=kind, message=f"asynclint: {message}"))

    def _show_once(self, message: str) -> None:
        """A message the user must act on (a configuration error), shown once."""
        self.log(types.MessageType.Error, message)
        if message not in self._shown:
            self._shown.add(message)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"asynclint: {message}"
                )
            )

    def report_server_error(self, error: Exception, source: Any) -> None:
        _log.error("asynclint server: %s: %s", getattr(source, "__name__", source), error)
        if self._reporting:
            return  # reporting it failed too: the connection itself is what fails
        self._reporting = True
        try:
            self.log(types.MessageType.Error, f"{error}")
        finally:
            self._reporting = False

    # --- settings -----------------------------------------------------------------------
    @_guarded
    async def initialize(self, params: types.InitializeParams) -> None:
        root = workspace_root(params)
        if root is not None:
            os.chdir(root)  # where the command line would run: default settings' root
        options, warnings = read_options(params.initialization_options, root)
        self._pending_warnings = warnings
        self._configure(options)

    def _configure(self, options: ClientOptions) -> None:
        """Make ``options`` the ones in force: a configuration of their own, an index built
        afresh for each open document's project, every open document linted again."""
        try:
            self.linter = Linter(options)
        except ConfigError as error:
            self._show_once(str(error))
            self.linter = Linter(ClientOptions(**{**vars(options), "config": None}))
        self.options = options
        for uri in list(self.open):
            self._schedule(uri, 0)
            self._start(self._index(uri))

    @_guarded
    async def initialized(self, params: types.InitializedParams) -> None:
        for warning in self._pending_warnings:
            self.log(types.MessageType.Warning, warning)
        self._pending_warnings = []
        watch = self.client_capabilities.workspace
        dynamic = watch and watch.did_change_watched_files
        if dynamic and dynamic.dynamic_registration:
            pattern = types.FileSystemWatcher(glob_pattern="**/pyproject.toml")
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[pattern])
            registration = types.Registration(
                id="asynclint-pyproject",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
            await self.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )

    @_guarded
    async def did_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("asynclint"), dict):
            options, warnings = read_options(settings["asynclint"], Path.cwd())
            for warning in warnings:
                self.log(types.MessageType.Warning, warning)
            self._configure(options)

    @_guarded
    async def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith("pyproject.toml") for change in params.changes):
            self.log(types.MessageType.Info, "pyproject.toml changed: reading the settings again")
            self._configure(self.options)

    @_guarded
    async def shutdown_server(self, params: None) -> None:
        self.warm_ups.close()
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in list(self._tasks):
            task.cancel()

    # --- documents ----------------------------------------------------------------------
    def _snapshot(self, uri: str) -> Snapshot | None:
        """The document's text now, or None when it is not open (or is no Python file)."""
        if uri not in self.open:
            return None
        document = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return Snapshot(uri, Path(path) if path else None, document.source, document.version)

    def _is_current(self, snapshot: Snapshot, linter: Linter) -> bool:
        now = self._snapshot(snapshot.uri)
        return now is not None and now.version == snapshot.version and linter is self.linter

    def _start(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _schedule(self, uri: str, delay: float) -> None:
        """Lint ``uri`` after ``delay`` seconds, unless its text changes again before then."""
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self._timers[uri] = loop.call_later(delay, self._lint_soon, uri)

    def _lint_soon(self, uri: str) -> None:
        self._timers.pop(uri, None)
        self._start(self._lint(uri))

    @_guarded
    async def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        if document.language_id != "python" and not document.uri.endswith(".py"):
            return
        self.open.add(document.uri)
        self._schedule(document.uri, 0)
        self._start(self._index(document.uri))

    @_guarded
    async def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in self.open:
            self._schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @_guarded
    async def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        snapshot = self._snapshot(uri)
        if snapshot is None:
            return
        self._schedule(uri, 0)
        linter = self.linter
        root = self._index_root(linter, snapshot)
        if root is None:
            return
        changed = await self._on_index_thread(linter.refresh, root, snapshot)
        if changed and linter is self.linter:
            self.log(types.MessageType.Info, f"{snapshot.display}: its facts changed; re-indexed")
            self._lint_project(root)

    @_guarded
    async def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        self.open.discard(uri)
        self.linted.pop(uri, None)
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    # --- linting ------------------------------------------------------------------------
    async def _on_index_thread(self, function: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.wrap_future(self._index_thread.submit(function, *args))

    async def _linted(
        self, snapshot: Snapshot, linter: Linter, fix_mode: FixMode | None = None
    ) -> FileResult | None:
        """The document's findings (with ``fix_mode``, fixed), or None when the configuration
        leaves it out or must be corrected."""
        try:
            return await asyncio.to_thread(linter.lint, snapshot, fix_mode)
        except ConfigError as error:
            self._show_once(str(error))
            return None

    @_guarded
    async def _lint(self, uri: str) -> None:
        snapshot = self._snapshot(uri)
        if snapshot is None:
            return
        linter = self.linter
        result = await self._linted(snapshot, linter)
        if self._is_current(snapshot, linter):
            self._publish(snapshot, linter, result)

    def _publish(self, snapshot: Snapshot, linter: Linter, result: FileResult | None) -> None:
        if self._closing:
            return
        lines = split_lines(snapshot.text)
        diagnostics = result.diagnostics if result is not None else []
        published = [(d, self._diagnostic(lines, d)) for d in diagnostics]
        self.linted[snapshot.uri] = _Linted(snapshot, linter, result, published)
        params = types.PublishDiagnosticsParams(
            snapshot.uri, [lsp for _, lsp in published], version=snapshot.version
        )
        self.text_document_publish_diagnostics(params)
        for problem in result.problems if result is not None else ():
            self.log(types.MessageType.Warning, f"{problem.path}: {problem.message}")

    async def _current(self, uri: str) -> _Linted | None:
        """The findings of the document's text as it is now (linted now if need be)."""
        snapshot = self._snapshot(uri)
        if snapshot is None:
            return None
        linted = self.linted.get(uri)
        if linted is None or linted.snapshot.version != snapshot.version:
            await self._lint(uri)
            linted = self.linted.get(uri)
        if linted is None or linted.linter is not self.linter:
            return None
        return linted

    def _index_root(self, linter: Linter, snapshot: Snapshot) -> Path | None:
        """The project whose index the document needs (None for none, or for a configuration
        that must be corrected: linting the document says so)."""
        try:
            return linter.index_root(snapshot)
        except ConfigError:
            return None

    def _lint_project(self, root: Path) -> None:
        """Lint again every open document of the project at ``root`` (its index changed)."""
        for uri in list(self.open):
            snapshot = self._snapshot(uri)
            if snapshot is not None and self._index_root(self.linter, snapshot) == root:
                self._schedule(uri, 0)

    @_guarded
    async def _index(self, uri: str) -> None:
        """Build the index of the document's project in the background (once), then lint its
        open documents again."""
        snapshot = self._snapshot(uri)
        if snapshot is None:
            return
        linter = self.linter
        root = self._index_root(linter, snapshot)
        if root is None:
            return
        await self._on_index_thread(linter.remember, snapshot)
        key = (id(linter), root)
        if root in linter.sessions or key in self._indexing:
            return
        self._indexing.add(key)
        token = await self._progress_begin(f"indexing {root.name}")
        began = time.monotonic()
        try:
            problem = await self._on_index_thread(
                linter.index_project, root, snapshot, self.warm_ups
            )
        finally:
            self._progress_end(token)
        if problem is not None:
            self.log(types.MessageType.Warning, f"filling the cache of {root}: {problem}")
        took = time.monotonic() - began
        self.log(types.MessageType.Info, f"indexed the project {root} in {took:.1f} s")
        if linter is self.linter:
            self._lint_project(root)

    async def _progress_begin(self, title: str) -> str | None:
        window = self.client_capabilities.window
        if not (window and window.work_done_progress):
            return None
        token = f"asynclint-{id(self)}-{time.monotonic_ns()}"
        await self.work_done_progress.create_async(token)
        self.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=f"asynclint: {title}")
        )
        return token

    def _progress_end(self, token: str | None) -> None:
        if token is not None and not self._closing:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd())

    # --- code actions, hover, commands --------------------------------------------------
    @_guarded
    async def code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        linted = await self._current(params.text_document.uri)
        if linted is None:
            return None
        only = params.context.only
        here = [(d, lsp) for d, lsp in linted.published if overlaps(lsp.range, params.range)]
        actions: list[types.CodeAction] = []
        if asks_for(only, types.CodeActionKind.QuickFix):
            for finding, diagnostic in here:
                actions.extend(await self._quick_fixes(linted, finding, diagnostic))
            silenced = [lsp for d, lsp in here if d.code != SYNTAX_ERROR_CODE]
            file_noqa = with_file_noqa(linted.snapshot.text) if silenced else None
            if file_noqa is not None:
                action = self._action("Disable asynclint for this file", linted, file_noqa)
                action.diagnostics = silenced
                actions.append(action)
        if asks_for(only, FIX_ALL_KIND):
            fix_all = await self._fix_all_action(linted, eager=only is not None)
            actions.extend([fix_all] if fix_all is not None else [])
        if not self._is_current(linted.snapshot, linted.linter):
            return None  # the text changed meanwhile: these edits would be wrong
        return actions

    def _action(
        self, title: str, linted: _Linted, new_text: str, kind: str = types.CodeActionKind.QuickFix
    ) -> types.CodeAction:
        return types.CodeAction(title=title, kind=kind, edit=self._edit(linted.snapshot, new_text))

    async def _quick_fixes(
        self, linted: _Linted, finding: Diagnostic, diagnostic: types.Diagnostic
    ) -> list[types.CodeAction]:
        """The fix of one finding (if it has one that verifies), and its ``# noqa``."""
        actions = []
        if finding.fix_applicability is not None:
            fixed = await self._fixed_one(linted, finding)
            if fixed is not None:
                unsafe = finding.fix_applicability is Applicability.UNSAFE
                title = f"{finding.code}: {finding.fix_description}" + (
                    " (unsafe)" if unsafe else ""
                )
                action = self._action(title, linted, fixed)
                action.is_preferred = not unsafe
                actions.append(action)
        noqa = with_line_noqa(linted.snapshot.text, finding)
        if noqa is not None:
            actions.append(self._action(f"Disable {finding.code} for this line", linted, noqa))
        for action in actions:
            action.diagnostics = [diagnostic]
        return actions

    async def _fixed_one(self, linted: _Linted, finding: Diagnostic) -> str | None:
        mode = quick_fix_mode(finding)
        assert mode.only is not None
        if mode.only not in linted.fixes:
            result = await self._linted(linted.snapshot, linted.linter, mode)
            for problem in result.problems if result is not None else ():
                self.log(types.MessageType.Warning, f"{problem.path}: {problem.message}")
            linted.fixes[mode.only] = result.fixed_source if result is not None else None
        return linted.fixes[mode.only]

    async def _fix_all_action(self, linted: _Linted, eager: bool) -> types.CodeAction | None:
        """``Fix all``: with the edit, when the editor asked for source actions; else as the
        command that makes it, when a finding has a fix that applies."""
        mode = FixMode(unsafe=self.options.unsafe_fixes)
        title = "asynclint: fix all" + (" (unsafe fixes included)" if mode.unsafe else "")
        if eager:
            result = await self._linted(linted.snapshot, linted.linter, mode)
            if result is None or result.fixed_source is None:
                return None
            return self._action(title, linted, result.fixed_source, FIX_ALL_KIND)
        fixable = [
            d
            for d, _ in linted.published
            if d.fix_applicability is Applicability.SAFE
            or (mode.unsafe and d.fix_applicability is Applicability.UNSAFE)
        ]
        if not fixable:
            return None
        command = types.Command(
            title=title, command=FIX_ALL_COMMAND, arguments=[linted.snapshot.uri]
        )
        return types.CodeAction(title=title, kind=FIX_ALL_KIND, command=command)

    @_guarded
    async def fix_all(self, *args: Any) -> None:
        """``asynclint.fixAll``: apply the document's fixes (safe ones; unsafe ones too with
        ``unsafe-fixes``), verified as ``--fix`` verifies them, through ``workspace/applyEdit``."""
        uri = uri_argument(args)
        linted = await self._current(uri) if uri is not None else None
        if linted is None:
            self.log(types.MessageType.Warning, f"{FIX_ALL_COMMAND}: no open document {uri!r}")
            return None
        result = await self._linted(
            linted.snapshot, linted.linter, FixMode(self.options.unsafe_fixes)
        )
        if result is None or result.fixed_source is None:
            for problem in result.problems if result is not None else ():
                self.log(types.MessageType.Warning, f"{problem.path}: {problem.message}")
            self.log(types.MessageType.Info, f"{linted.snapshot.display}: nothing to fix")
            return None
        edit = self._edit(linted.snapshot, result.fixed_source)
        answer = await self.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="asynclint: fix all")
        )
        if not answer.applied:
            self.log(types.MessageType.Warning, f"the editor did not apply the fixes: {answer}")
        return None

    @_guarded
    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        linted = await self._current(params.text_document.uri)
        if linted is None:
            return None
        point = params.position
        found = [
            lsp
            for _, lsp in linted.published
            if before(lsp.range.start, point) and before(point, lsp.range.end)
        ]
        text = self.client_capabilities.text_document
        formats = text.hover.content_format if text and text.hover else None
        markdown = formats is None or types.MarkupKind.Markdown in formats
        pages = rule_pages([str(lsp.code) for lsp in found], markdown)
        if pages is None:
            return None
        return types.Hover(contents=pages, range=found[0].range)

    # --- edits --------------------------------------------------------------------------
    def _diagnostic(self, lines: list[str], finding: Diagnostic) -> types.Diagnostic:
        return diagnostic(self.workspace.position_codec, lines, finding)

    def _edit(self, snapshot: Snapshot, new_text: str) -> types.WorkspaceEdit:
        workspace = self.client_capabilities.workspace
        edits = workspace.workspace_edit if workspace else None
        versioned = bool(edits and edits.document_changes)
        return workspace_edit(self.workspace.position_codec, snapshot, new_text, versioned)


def serve() -> int:
    """Serve one editor on standard input and output until it says ``exit``."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # the protocol owns standard output: a stray print must not break it
    server = AsynclintServer()
    try:
        server.start_io(stdin, stdout)
    finally:
        server.warm_ups.close()  # the editor has gone: nobody waits for the cache any more
    return 0
