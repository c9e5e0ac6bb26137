"""Answers about the whole project read only the modules that mention the name asked about:
they must still see a function called under an alias, a constructor inherited by a subclass, a
subclass deriving from an alias of its base; and the store's record of which module mentions
what must follow the files as they change."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from conftest import Run, write_tree

import asynclint.index.wide
import asynclint.session
from asynclint.index import ProjectIndex, summarize
from asynclint.index.names import name_entries

_KINDS = (
    "class Store:\n    async def save(self, x): ...\n\nclass Ledger:\n    def save(self, x): ...\n"
)


def _lines(output: str, path: str) -> list[int]:
    return [int(line.split(":")[1]) for line in output.splitlines() if line.startswith(path)]


def _aliased_callers(callers: str) -> dict[str, str]:
    """``keep`` in ``shop/impl.py``, re-exported by the package as ``store_it``."""
    return {
        "pyproject.toml": "",
        "kinds.py": _KINDS,
        "shop/__init__.py": "from .impl import keep as store_it\n",
        "shop/impl.py": "def keep(target, x):\n    target.save(x)\n",
        "app.py": callers,
    }


def test_a_call_under_a_re_exported_alias_is_a_call_site(project: Path, run: Run) -> None:
    write_tree(
        project,
        _aliased_callers(
            "from kinds import Store\nfrom shop import store_it\n\n"
            "async def main():\n    store_it(Store(), 1)\n"
        ),
    )
    # Every caller passes a Store: ``target.save(x)`` makes a coroutine that is dropped.
    assert _lines(run("-q", "--select", "AL101", ".").stdout, "shop/impl.py") == [2]


def test_a_caller_under_an_alias_can_disagree(project: Path, run: Run) -> None:
    """The call through the alias passes a Ledger: the callers disagree, the parameter stays
    unknown (missing that call would type it as a Store and report a correct line)."""
    write_tree(
        project,
        _aliased_callers(
            "from kinds import Ledger, Store\nfrom shop import store_it\n"
            "from shop.impl import keep\n\n"
            "async def main():\n    keep(Store(), 1)\n    store_it(Ledger(), 1)\n"
        ),
    )
    assert _lines(run("-q", "--select", "AL101", ".").stdout, "shop/impl.py") == []


def test_a_subclass_of_an_aliased_base_overrides(project: Path, run: Run) -> None:
    """``x: Service`` may be an ``Impl``, which derives from ``Service`` under another name
    and redefines ``save`` as a plain method: ``x.save()`` may give no coroutine."""
    files = {
        "pyproject.toml": "",
        "service.py": "class Service:\n    async def save(self): ...\n",
        "compat.py": "from service import Service as BaseService\n",
        "app.py": ("from service import Service\n\ndef flush(x: Service):\n    x.save()\n"),
    }
    write_tree(project, files)
    assert _lines(run("-q", "--select", "AL101", ".").stdout, "app.py") == [4]
    write_tree(
        project,
        {
            "impl.py": (
                "from compat import BaseService\n\n"
                "class Impl(BaseService):\n"
                "    def save(self): ...\n"
            )
        },
    )
    assert _lines(run("-q", "--select", "AL101", ".").stdout, "app.py") == []


def test_entries_name_what_a_module_mentions() -> None:
    fact = summarize(
        "from .impl import fetch as get\n"
        "from base import Base\n"
        "class Child(Base):\n"
        "    retries = 3\n"
        "    def run(self, client):\n"
        "        self._step(client)\n"
        "        client.transmit(1)\n"
        "        return get(on_done=self.finish)\n",
        "pkg.mod",
    )
    entries = {tuple(item.split("\0")) for item in name_entries(fact)}
    assert {
        ("alias", "fetch"),
        ("base", "Base"),
        ("basefull", "base.Base"),
        ("method", "run"),
        ("method", "retries"),
        ("private", "_step"),
        ("call", "transmit"),
        ("attr", "finish"),
    } <= entries


def _index(sources: dict[str, str]) -> ProjectIndex:
    return ProjectIndex(
        {name: summarize(text, name, name == "shop") for name, text in sources.items()},
        search=[],
    )


def test_the_sites_of_a_function_include_calls_under_aliases() -> None:
    index = _index(
        {
            "shop": "from .impl import keep as store_it\n",
            "shop.impl": "def keep(target, x):\n    target.save(x)\n",
            "app": "from shop import store_it\nimport shop.impl\nstore_it(1, 2)\n",
            "other": "from shop.impl import keep\nkeep(3, 4)\nput = keep\nput(5, 6)\n",
        }
    )
    sites = index.answer("sites", "shop.impl.keep")
    # ``put = keep`` in the same module is read as ``keep`` already.
    assert [site[2] for site in sites] == ["shop.store_it", "shop.impl.keep", "shop.impl.keep"]


def test_the_sites_of_a_constructor_include_calls_of_subclasses_that_inherit_it() -> None:
    index = _index(
        {
            "base": "class Base:\n    def __init__(self, store): ...\n",
            "child": "from base import Base\nclass Child(Base): pass\n",
            "own": (
                "from child import Child\nclass Own(Child):\n    def __init__(self, other): ...\n"
            ),
            "app": "from child import Child\nfrom own import Own\nChild(1)\nOwn(2)\n",
        }
    )
    sites = index.answer("sites", "base.Base.__init__")
    assert [site[2] for site in sites] == ["child.Child.__init__"]
    assert [site[0] for site in sites] == [["?"]]
    assert index.answer("taken", "base.Base") is True


def _names_rows(cache: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(cache / "asynclint.sqlite3") as connection:
        rows = connection.execute("SELECT entry, key FROM names").fetchall()
        keys = {key for (key,) in connection.execute("SELECT key FROM summaries")}
    assert {key for _, key in rows} <= keys  # no entry outlives its summary
    return {(entry, key) for entry, key in rows}


def test_the_store_keeps_entries_with_their_summaries(project: Path, run: Run) -> None:
    cache = project / "cache"
    write_tree(
        project,
        {
            "pyproject.toml": "",
            "a.py": "from b import g, h\n\ndef f():\n    g(1)\n",
            "b.py": "def g(x): ...\ndef h(x): ...\n",
        },
    )
    run("-q", "--cache-dir", str(cache), ".")
    assert any(entry == "call\0g" for entry, _ in _names_rows(cache))
    (project / "a.py").write_text("from b import g, h\n\ndef f():\n    h(1)\n")
    run("-q", "--cache-dir", str(cache), ".")
    entries = {entry for entry, _ in _names_rows(cache)}
    assert "call\0h" in entries and "call\0g" not in entries
    (project / "a.py").unlink()
    run("-q", "--cache-dir", str(cache), ".")
    assert "call\0h" not in {entry for entry, _ in _names_rows(cache)}


def test_a_store_of_an_older_layout_is_made_anew_quietly(project: Path, run: Run) -> None:
    cache = project / "cache"
    cache.mkdir()
    with sqlite3.connect(cache / "asynclint.sqlite3") as connection:
        connection.execute("CREATE TABLE summaries (key TEXT PRIMARY KEY, data TEXT)")
        connection.execute("PRAGMA user_version=1")
    write_tree(project, {"pyproject.toml": "", "a.py": "def g(x): ...\n\ng(1)\n"})
    result = run("-q", "--cache-dir", str(cache), ".")
    assert result.exit_code == 0 and result.stderr == ""
    assert any(entry == "call\0g" for entry, _ in _names_rows(cache))


def test_a_large_run_without_cache_keeps_summaries_in_a_scratch_store(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the cache, a large run keeps the summaries it makes in a temporary store
    that its workers read: the findings are the same, and nothing is left behind."""
    files = _aliased_callers(
        "from kinds import Store\nfrom shop import store_it\n\n"
        "async def main():\n    store_it(Store(), 1)\n"
    )
    files.update({f"filler{n}.py": f"def f{n}(): ...\n" for n in range(10)})
    write_tree(project, files)
    args = ("-q", "--no-cache", "--jobs", "2", "--select", "AL101", ".")
    in_memory = run(*args).stdout
    scratch = project.parent / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(asynclint.session, "SCRATCH_FROM", 1)
    made: list[Path] = []
    real = asynclint.session._scratch_store
    monkeypatch.setattr(asynclint.session, "_scratch_store", lambda n: made.append(n) or real(n))
    assert _lines(in_memory, "shop/impl.py") == [2]
    assert run(*args).stdout == in_memory
    assert made and list(scratch.iterdir()) == []


_HIERARCHY = {
    "base": "class Base:\n    def run(self): ...\n    async def stop(self): ...\n",
    "compat": "from base import Base as OldBase\n",
    "mid": (
        "from compat import OldBase\n\n"
        "class Mid(OldBase):\n    async def run(self): ...\n\n"
        "def make():\n    class Local(Mid):\n        def stop(self): ...\n    return Local\n"
    ),
    "leaf": (
        "import mid\n\nclass Leaf(mid.Mid):\n    def run(self): ...\n\n"
        "class Other:\n    async def run(self): ...\n\n"
        "class Outer:\n    class Inner(Other):\n        def run(self): ...\n"
    ),
    "loop": "class A(B): ...\nclass B(A):\n    def run(self): ...\n",
}


@pytest.mark.parametrize("few", [0, 64], ids=["down-the-subclasses", "up-from-definitions"])
@pytest.mark.parametrize(
    ("klass", "method", "kinds"),
    [
        ("base.Base", "run", ["coroutine", "sync"]),  # Mid (async), Leaf (sync)
        ("base.Base", "stop", ["sync"]),  # Local, nested in a function
        ("compat.OldBase", "run", ["coroutine", "sync"]),  # a re-export names the same class
        ("mid.Mid", "run", ["sync"]),
        ("leaf.Other", "run", ["sync"]),  # Inner, nested in a class
        ("leaf.Leaf", "run", []),
        ("base.Base", "missing", []),
        ("loop.A", "run", ["sync"]),  # a cycle of bases ends
    ],
)
def test_overriding_kinds_are_the_same_searched_from_either_end(
    few: int, klass: str, method: str, kinds: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asynclint.index.wide, "_FEW_DEFINERS", few)
    index = _index(_HIERARCHY)
    assert index.answer("overriding-kinds", f"{klass}\0{method}") == kinds
