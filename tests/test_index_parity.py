"""The index's ``ast`` reader and the engine's LibCST reader agree on the facts both compute.

The index summarises modules with the standard library's ``ast``; the engine reads the linted
file with LibCST. Where both work out the same fact (the class an annotation names, the kind of
a function), they must give the same answer, or a rule would judge a name differently depending
on whether it is defined in the file being linted or in another module.

Also here: the summary cache's key follows what decides a summary's content.
"""

from __future__ import annotations

import ast

import libcst as cst
import pytest

import asynclint.index.cache as cache_module
from asynclint.engine import Context, lint_module
from asynclint.facts.resolution import annotation_type
from asynclint.index import (
    ASYNC_GENERATOR,
    COROUTINE,
    SYNC,
    Definition,
    ProjectIndex,
    SummaryCache,
    summarize,
    summary_version,
)
from asynclint.rule import Rule
from asynclint.syntax.scopes import LocalFunction, Scope

MODULE = ("pkg.mod", False)
PRELUDE = """\
from typing import Optional, Union
import typing
import typing as t
import typing_extensions
import asyncio
import client as c
from client import Session
from . import sibling

class Client: ...

Alias = c.Client
Generic = c.Client[int]
"""

# (annotation, the class both readers must name)
ANNOTATIONS = [
    ("Client", "pkg.mod.Client"),
    ("Client | None", "pkg.mod.Client"),
    ("None | Client", "pkg.mod.Client"),
    ("Optional[Client]", "pkg.mod.Client"),
    ("Union[Client, None]", "pkg.mod.Client"),
    ("Union[None, Client]", "pkg.mod.Client"),
    ("typing.Optional[Client]", "pkg.mod.Client"),
    ("t.Union[Client, None]", "pkg.mod.Client"),
    ("Optional[Union[Client, None]]", "pkg.mod.Client"),
    ('"Client"', "pkg.mod.Client"),
    ('"None | Client"', "pkg.mod.Client"),
    ('Optional["Client"]', "pkg.mod.Client"),
    ("'not valid ('", None),
    ("c.Client", "client.Client"),
    ("None | c.Client", "client.Client"),
    ("Session | None", "client.Session"),
    ("None | Alias", "client.Client"),
    ("sibling.Thing | None", "pkg.sibling.Thing"),
    ("asyncio.Task[int]", "asyncio.Task"),
    ("None | asyncio.Task[int]", "asyncio.Task"),
    ("list[Client]", "builtins.list"),
    ("int", "builtins.int"),
    ("None", "builtins.None"),
    ("None | None", "builtins.None"),
    ("Optional[None]", None),
    ("Client | Session", None),
    ("None | Client | Session", None),
    ("Union[Client, Session]", None),
    ("Union[Client, None, Session]", None),
    ("unknown", None),
    ("unknown | Client", "pkg.mod.Client"),
    ("None | unknown", "builtins.None"),  # an unknown type is dropped as ``None`` is
    ("Client | unknown", "pkg.mod.Client"),
    ("typing_extensions.Optional[Client]", "pkg.mod.Client"),
    ("Union[(Client, None)]", "pkg.mod.Client"),
    ('b"Client"', None),
    ("Generic", "client.Client"),
    ("Generic | None", "client.Client"),
]


def _index_reads(annotation: str) -> str | None:
    source = f"{PRELUDE}\ndef probe() -> {annotation}: ...\n"
    return summarize(source, *MODULE).functions["probe"].returns


def _engine_reads(annotation: str) -> str | None:
    context = Context(cst.parse_module(PRELUDE), module_info=MODULE)
    return annotation_type(context, cst.parse_expression(annotation))


@pytest.mark.parametrize(("annotation", "expected"), ANNOTATIONS)
def test_both_readers_name_the_same_class(annotation: str, expected: str | None) -> None:
    assert (_index_reads(annotation), _engine_reads(annotation)) == (expected, expected)


# (a function's source, the kind both readers give it)
FUNCTIONS = [
    ("async def probe():\n    return 1\n", COROUTINE),
    ("async def probe():\n    yield 1\n", ASYNC_GENERATOR),
    ("async def probe():\n    if False:\n        yield\n", ASYNC_GENERATOR),
    ("async def probe():\n    await (yield)\n", ASYNC_GENERATOR),
    ("async def probe(y):\n    async for x in y:\n        yield x\n", ASYNC_GENERATOR),
    ("async def probe(y):\n    return [x async for x in y]\n", COROUTINE),
    ("async def probe():\n    def inner():\n        yield 1\n    return inner\n", COROUTINE),
    ("async def probe():\n    return lambda: (yield)\n", COROUTINE),
    ("async def probe():\n    class C:\n        def m(self):\n            yield\n", COROUTINE),
    ("def probe():\n    return 1\n", SYNC),
    ("def probe():\n    yield 1\n", SYNC),
]


class _LocalKinds(Rule):
    """Records what the engine binds ``probe`` to in the function that defines it."""

    code = "AL999"
    name = "local-kinds"
    summary = "records local functions"
    seen: list[object]

    def end_of_scope(self, scope: Scope) -> None:
        if scope.kind == "function" and "probe" in scope.bindings:
            type(self).seen.append(scope.bindings["probe"])


def _engine_kind(source: str) -> str | None:
    """The engine gives a kind to functions defined in a function body (a local function)."""
    nested = "def outer():\n" + "".join(f"    {line}\n" for line in source.splitlines())
    _LocalKinds.seen = []
    lint_module(cst.parse_module(nested), [_LocalKinds], module_info=MODULE)
    (meaning,) = _LocalKinds.seen
    return meaning.kind if isinstance(meaning, LocalFunction) else None


@pytest.mark.parametrize(("source", "expected"), FUNCTIONS)
def test_both_readers_give_a_function_the_same_kind(source: str, expected: str) -> None:
    ast.parse(source)  # valid Python
    index = summarize(source, *MODULE).functions["probe"].kind
    assert (index, _engine_kind(source)) == (expected, expected)


def test_find_answers_with_a_definition() -> None:
    index = ProjectIndex({"pkg.mod": summarize(PRELUDE, *MODULE)})
    found = index.find("pkg.mod.Client")
    assert isinstance(found, Definition)
    assert (found.what, found.qualified) == ("class", "pkg.mod.Client")


# --- the cache key ------------------------------------------------------------------------


def test_the_summary_version_is_a_stable_digest() -> None:
    assert summary_version() == summary_version()
    assert len(summary_version()) == 40
    key = SummaryCache.key(b"x = 1\n", "pkg.mod", False)
    assert key == SummaryCache.key(b"x = 1\n", "pkg.mod", False)


def test_the_digest_covers_what_summaries_are_made_of() -> None:
    modules = cache_module.summary_modules()
    for name in (
        "asynclint.index.summarise",
        "asynclint.index.model",
        "asynclint.knowledge.kinds",
    ):
        assert name in modules
    assert "asynclint.index.query" not in modules  # queries do not change summaries


def test_the_import_scan_sees_every_import_a_full_walk_sees() -> None:
    """The summary version finds the modules summaries depend on from their import
    statements, looking at statements only: on every asynclint module, it must find what a
    walk of the whole tree finds (an import nested in a function, a ``try`` or a ``match``
    included)."""
    import ast
    import pkgutil

    import asynclint

    def every_import(source: bytes) -> list[str]:
        names = []
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    names.append(submodule if cache_module._is_module(submodule) else node.module)
        return sorted(name for name in names if name.split(".", 1)[0] == "asynclint")

    nested = (
        b"def f():\n    try:\n        import asynclint.index.model\n    finally:\n        pass\n"
    )
    for source in [
        nested,
        *(
            cache_module._module_source(found.name)
            for found in pkgutil.walk_packages(asynclint.__path__, "asynclint.")
        ),
    ]:
        assert sorted(cache_module._asynclint_imports(source)) == every_import(source)


def test_the_key_changes_with_the_digest(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    before = SummaryCache.key(b"x = 1\n", "pkg.mod", False)
    made = SummaryCache(tmp_path)
    made.save([(before, tmp_path / "mod.py", cache_module.summarize("x = 1\n", "pkg.mod"), None)])
    assert made.load(before) is not None
    made.store.close()
    monkeypatch.setattr(cache_module, "summary_version", lambda: "0" * 40)
    after = SummaryCache.key(b"x = 1\n", "pkg.mod", False)
    assert before != after
    # A store made by another version is emptied when opened: nothing of it can be used.
    assert SummaryCache(tmp_path).load(before) is None


def test_a_source_change_changes_the_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    original = cache_module._module_source
    before = summary_version()

    def edited(name: str) -> bytes:
        extra = b"\n# edited\n" if name == "asynclint.knowledge.kinds" else b""
        return original(name) + extra

    monkeypatch.setattr(cache_module, "_module_source", edited)
    summary_version.cache_clear()
    try:
        assert summary_version() != before
    finally:
        monkeypatch.undo()
        summary_version.cache_clear()
    assert summary_version() == before
