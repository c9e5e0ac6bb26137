"""``asynclint server`` end to end: a real LSP client (pytest-lsp) starts the server as editors
do (``python -m asynclint server``, stdio), opens files, asks for code actions and hovers, runs
the fix-all command, and sees what the editor would see."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp")

import pytest_lsp
from conftest import write_tree
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES

pytestmark = pytest.mark.asyncio(loop_scope="module")

HELPERS = "async def fetch(url):\n    return url\n"
APP = 'from pkg.helpers import fetch\n\n\nasync def main():\n    fetch("https://example.com")\n'
LOOPS = (
    "import asyncio\n"
    "import time\n"
    "\n"
    "\n"
    "async def main():\n"
    "    loop = asyncio.get_event_loop()\n"
    "    time.sleep(1)  # noqa: E501\n"
    "    return loop\n"
)
PROJECT = {
    "pyproject.toml": '[project]\nname = "proj"\n',
    "pkg/__init__.py": "",
    "pkg/helpers.py": HELPERS,
    "pkg/app.py": APP,
    "pkg/loops.py": LOOPS,
}
WAIT = 30.0  # seconds: generous, for a loaded machine; a passing test takes far less


def _client() -> LanguageClient:
    """pytest-lsp's client, which also records every diagnostics notification (with the
    version it was for) and applies ``workspace/applyEdit`` to the texts it knows."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.texts = {}  # type: ignore[attr-defined]
    for method, handler in DEFAULT_CLIENT_FEATURES.items():
        if method != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            client.feature(method)(handler)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(
        client: LanguageClient, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        for uri, edits in _text_edits(params.edit).items():
            client.texts[uri] = _applied(client.texts[uri], edits)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        return None

    return client


CONFIG = ClientServerConfig(
    server_command=[sys.executable, "-m", "asynclint", "server"], client_factory=_client
)


def _text_edits(edit: types.WorkspaceEdit | None) -> dict[str, list[types.TextEdit]]:
    assert edit is not None
    if edit.document_changes:
        return {
            change.text_document.uri: list(change.edits)  # type: ignore[union-attr]
            for change in edit.document_changes
        }
    return {uri: list(edits) for uri, edits in (edit.changes or {}).items()}


def _offset(lines: list[str], position: types.Position) -> int:
    return sum(len(line) for line in lines[: position.line]) + position.character


def _applied(text: str, edits: Sequence[types.TextEdit]) -> str:
    """``text`` with ``edits`` made (ASCII texts: characters are UTF-16 units)."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        start, end = _offset(lines, edit.range.start), _offset(lines, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


async def _start(client: LanguageClient, root: Path, options: object = None) -> None:
    capabilities = client_capabilities("visual-studio-code")
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=options,
        )
    )


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def shared(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    """One server for the tests that only read: a project of a few modules."""
    root = write_tree(tmp_path_factory.mktemp("shared"), PROJECT)
    lsp_client.root = root  # type: ignore[attr-defined]
    await _start(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, loop_scope="module")
async def server(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    """A server of its own, on a project of its own: ``param`` may hold a ``pyproject``
    text and initialization ``options``."""
    wanted = getattr(request, "param", {})
    files = dict(PROJECT)
    if "pyproject" in wanted:
        files["pyproject.toml"] = wanted["pyproject"]
    root = write_tree(tmp_path, files)
    lsp_client.root = root  # type: ignore[attr-defined]
    await _start(lsp_client, root, wanted.get("options"))
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, relative: str, text: str | None = None) -> str:
    path = client.root / relative  # type: ignore[attr-defined]
    if text is None:
        text = path.read_text()
    uri = path.as_uri()
    client.texts[uri] = text  # type: ignore[attr-defined]
    client.versions = getattr(client, "versions", {})  # type: ignore[attr-defined]
    client.versions[uri] = 1  # type: ignore[attr-defined]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    return uri


def _change(client: LanguageClient, uri: str, text: str | None = None) -> int:
    """Send the client's text of ``uri`` (or ``text``) as the document's new version."""
    if text is not None:
        client.texts[uri] = text  # type: ignore[attr-defined]
    client.versions[uri] += 1  # type: ignore[attr-defined]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=uri,
                version=client.versions[uri],  # type: ignore[attr-defined]
            ),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text=client.texts[uri]  # type: ignore[attr-defined]
                )
            ],
        )
    )
    return client.versions[uri]  # type: ignore[attr-defined]


Found = Sequence[types.Diagnostic]


async def _diagnostics(
    client: LanguageClient, uri: str, wanted: Callable[[Found], bool], timeout: float = WAIT
) -> Found:
    """The document's diagnostics once they are as ``wanted`` (waiting for notifications)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = client.diagnostics.get(uri)
        if found is not None and wanted(found):
            return found
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError(f"diagnostics of {uri} never as wanted; last: {found}")
        try:
            await asyncio.wait_for(
                client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), left
            )
        except TimeoutError:
            pass


def _codes(found: Found) -> list[str]:
    return sorted(str(d.code) for d in found)


def _has(*codes: str) -> Callable[[Found], bool]:
    return lambda found: _codes(found) == sorted(codes)


async def _actions(
    client: LanguageClient, uri: str, where: types.Range, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    # pygls's converter reads a code action that carries a command (and no edit) as a
    # Command: the title is what the editor shows, either way.
    return [
        action if isinstance(action, types.CodeAction) else types.CodeAction(title=action.title)
        for action in result or []
    ]


def _apply(client: LanguageClient, uri: str, action: types.CodeAction) -> str:
    edits = _text_edits(action.edit)
    text = _applied(client.texts[uri], edits[uri])  # type: ignore[attr-defined]
    _change(client, uri, text)
    return text


def _of(found: Found, code: str) -> types.Diagnostic:
    return next(d for d in found if d.code == code)


# --- one server, read-only ----------------------------------------------------------------


async def test_a_finding_appears_when_the_file_opens(shared: LanguageClient):
    uri = _open(shared, "pkg/loops.py")
    found = await _diagnostics(shared, uri, _has("AL201", "AL502"))
    sleep = _of(found, "AL201")
    assert sleep.source == "asynclint"
    assert sleep.severity == types.DiagnosticSeverity.Warning
    assert sleep.range == types.Range(
        start=types.Position(line=6, character=4), end=types.Position(line=6, character=17)
    )
    assert "time.sleep(1)" in sleep.message
    assert sleep.code_description is not None
    assert sleep.code_description.href.endswith("#al201-blocking-sleep")


async def test_a_cross_module_finding_appears_once_the_index_is_built(shared: LanguageClient):
    uri = _open(shared, "pkg/app.py")
    found = await _diagnostics(shared, uri, _has("AL101"))
    assert found[0].range.start == types.Position(line=4, character=4)
    assert any("indexed the project" in m.message for m in shared.log_messages)


async def test_hover_shows_the_rule_page(shared: LanguageClient):
    uri = _open(shared, "pkg/loops.py")
    await _diagnostics(shared, uri, _has("AL201", "AL502"))
    hover = await shared.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=6, character=8),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("# AL201 blocking-sleep")
    assert "## What it does" in hover.contents.value
    nothing = await shared.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=0),
        )
    )
    assert nothing is None


async def test_code_actions_offer_each_fix_and_noqa(shared: LanguageClient):
    uri = _open(shared, "pkg/loops.py")
    found = await _diagnostics(shared, uri, _has("AL201", "AL502"))
    actions = await _actions(shared, uri, _of(found, "AL201").range)
    titles = [action.title for action in actions]
    assert titles == [
        "AL201: Replace with `await asyncio.sleep()` (unsafe)",
        "Disable AL201 for this line",
        "Disable asynclint for this file",
        "asynclint: fix all",
    ]
    unsafe = actions[0]
    assert unsafe.kind == types.CodeActionKind.QuickFix and not unsafe.is_preferred
    assert list(unsafe.diagnostics or []) == [_of(found, "AL201")]
    safe = (await _actions(shared, uri, _of(found, "AL502").range))[0]
    assert safe.title.startswith("AL502: ") and safe.is_preferred
    assert "(unsafe)" not in safe.title
    assert actions[-1].edit is None  # a command: the fixes are made when it runs
    only_quick = await _actions(shared, uri, _of(found, "AL201").range, ["quickfix"])
    assert [a.title for a in only_quick] == titles[:-1]


async def test_a_file_that_does_not_parse(shared: LanguageClient):
    uri = _open(shared, "pkg/broken.py", "def f(:\n    pass\n")
    found = await _diagnostics(shared, uri, lambda found: len(found) == 1)
    assert found[0].code == "AL001"
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert await _actions(shared, uri, found[0].range) == []
    hover = await shared.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=found[0].range.start,
        )
    )
    assert hover is None
    _change(shared, uri, "import time\n\nasync def f():\n    time.sleep(1)\n")
    await _diagnostics(shared, uri, _has("AL201"))


async def test_columns_are_counted_in_the_editors_units(shared: LanguageClient):
    """UTF-16 code units by default: an emoji before a finding counts twice."""
    text = 'import time\n\n\nasync def f():\n    s = "\U0001f600"; time.sleep(1)\n'
    uri = _open(shared, "pkg/emoji.py", text)
    found = await _diagnostics(shared, uri, _has("AL201"))
    assert found[0].range.start == types.Position(line=4, character=14)  # 13 characters
    assert found[0].range.end == types.Position(line=4, character=27)


# --- a server per test: edits, settings ---------------------------------------------------


async def test_quick_fix_removes_the_finding(server: LanguageClient):
    uri = _open(server, "pkg/loops.py")
    found = await _diagnostics(server, uri, _has("AL201", "AL502"))
    actions = await _actions(server, uri, _of(found, "AL502").range)
    text = _apply(server, uri, actions[0])
    assert "loop = asyncio.get_running_loop()" in text
    await _diagnostics(server, uri, _has("AL201"))
    found = server.diagnostics[uri]
    unsafe = (await _actions(server, uri, _of(found, "AL201").range))[0]
    text = _apply(server, uri, unsafe)
    assert "await asyncio.sleep(1)  # noqa: E501" in text
    await _diagnostics(server, uri, _has())


async def test_disable_for_this_line_merges_into_the_noqa(server: LanguageClient):
    uri = _open(server, "pkg/loops.py")
    found = await _diagnostics(server, uri, _has("AL201", "AL502"))
    actions = await _actions(server, uri, _of(found, "AL201").range)
    noqa = next(a for a in actions if a.title == "Disable AL201 for this line")
    text = _apply(server, uri, noqa)
    assert "    time.sleep(1)  # noqa: AL201, E501\n" in text
    await _diagnostics(server, uri, _has("AL502"))
    found = server.diagnostics[uri]
    actions = await _actions(server, uri, _of(found, "AL502").range)
    whole = next(a for a in actions if a.title == "Disable asynclint for this file")
    text = _apply(server, uri, whole)
    assert text.startswith("# asynclint: noqa\nimport asyncio\n")
    await _diagnostics(server, uri, _has())


async def test_fix_all_applies_the_safe_fixes(server: LanguageClient):
    uri = _open(server, "pkg/loops.py")
    await _diagnostics(server, uri, _has("AL201", "AL502"))
    source = await _actions(
        server,
        uri,
        types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
        ),
        ["source.fixAll"],
    )
    assert [a.kind for a in source] == ["source.fixAll.asynclint"]
    assert source[0].edit is not None
    await server.workspace_execute_command_async(
        types.ExecuteCommandParams(command="asynclint.fixAll", arguments=[uri])
    )
    text = server.texts[uri]  # type: ignore[attr-defined]
    assert "asyncio.get_running_loop()" in text and "time.sleep(1)" in text
    _change(server, uri)
    await _diagnostics(server, uri, _has("AL201"))


async def test_changes_are_debounced_and_the_latest_wins(server: LanguageClient):
    app = _open(server, "pkg/app.py")
    await _diagnostics(server, app, _has("AL101"))  # the index is built: no re-lint for it
    uri = _open(server, "pkg/loops.py")
    await _diagnostics(server, uri, _has("AL201", "AL502"))
    published = server.published  # type: ignore[attr-defined]
    before = len(published)
    clean = LOOPS.replace("    time.sleep(1)  # noqa: E501\n", "")
    for _ in range(3):
        _change(server, uri, clean)
        _change(server, uri, LOOPS)
    last = _change(server, uri, clean)
    await _diagnostics(server, uri, _has("AL502"))
    versions = [p.version for p in published[before:] if p.uri == uri]
    assert versions == [last]


@pytest.mark.parametrize(
    "server",
    [{"pyproject": '[project]\nname = "proj"\n\n[tool.asynclint]\nignore = ["AL201"]\n'}],
    indirect=True,
)
async def test_settings_from_pyproject(server: LanguageClient):
    uri = _open(server, "pkg/loops.py")
    await _diagnostics(server, uri, _has("AL502"))


@pytest.mark.parametrize(
    "server",
    [{"options": {"select": ["AL201"], "unsafeFixes": True, "selct": ["AL5"]}}],
    indirect=True,
)
async def test_settings_from_initialization_options(server: LanguageClient):
    uri = _open(server, "pkg/loops.py")
    await _diagnostics(server, uri, _has("AL201"))
    warnings = [m.message for m in server.log_messages]
    assert any("unknown option 'selct'; did you mean select?" in m for m in warnings)
    await server.workspace_execute_command_async(
        types.ExecuteCommandParams(command="asynclint.fixAll", arguments=[{"uri": uri}])
    )
    assert "await asyncio.sleep(1)" in server.texts[uri]  # type: ignore[attr-defined]


async def test_a_saved_change_of_facts_updates_the_index(server: LanguageClient):
    uri = _open(server, "pkg/app.py")
    await _diagnostics(server, uri, _has("AL101"))
    helpers = server.root / "pkg/helpers.py"  # type: ignore[attr-defined]
    helpers_uri = _open(server, "pkg/helpers.py")
    sync = HELPERS.replace("async def", "def")
    _change(server, helpers_uri, sync)
    helpers.write_text(sync)
    server.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=helpers_uri))
    )
    await _diagnostics(server, uri, _has())


async def test_settings_change_while_it_runs(server: LanguageClient):
    uri = _open(server, "pkg/loops.py")
    await _diagnostics(server, uri, _has("AL201", "AL502"))
    server.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"asynclint": {"select": ["AL502"]}})
    )
    await _diagnostics(server, uri, _has("AL502"))
    server.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    pyproject = server.root / "pyproject.toml"  # type: ignore[attr-defined]
    pyproject.write_text('[project]\nname = "proj"\n\n[tool.asynclint]\nignore = ["AL502"]\n')
    server.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"asynclint": {}})
    )
    await _diagnostics(server, uri, _has("AL201"))
    pyproject.write_text('[project]\nname = "proj"\n\n[tool.asynclint]\nignore = ["AL2"]\n')
    server.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await _diagnostics(server, uri, _has("AL502"))


@pytest.mark.parametrize(
    "server",
    [{"pyproject": '[project]\nname = "proj"\n\n[tool.asynclint]\nunfixable = ["AL502"]\n'}],
    indirect=True,
)
async def test_an_unfixable_code_offers_no_quick_fix(server: LanguageClient):
    uri = _open(server, "pkg/loops.py")
    found = await _diagnostics(server, uri, _has("AL201", "AL502"))
    titles = [action.title for action in await _actions(server, uri, _of(found, "AL502").range)]
    assert titles == ["Disable AL502 for this line", "Disable asynclint for this file"]
    fixed = [action.title for action in await _actions(server, uri, _of(found, "AL201").range)]
    assert fixed[0].startswith("AL201: ")  # the other codes keep theirs
