"""The project index never loses a module without a word: files whose module name another file
claims keep their own definitions, modules in newer syntax are still summarised, and a project
file no reader can parse is named on stderr, once per run."""

from __future__ import annotations

import ast
import pathlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import Run, findings_of, write_tree

import asynclint.flake8_plugin
import asynclint.index.downgrade as downgrade_module
import asynclint.index.store as store_module
import asynclint.index.summarise as summarise_module
from asynclint.flake8_plugin import Plugin
from asynclint.index import ModuleFact, SummaryCache, summarize
from asynclint.index.downgrade import downgrade

PYPROJECT = {"pyproject.toml": "[project]\nname = 'demo'\n"}

# Two test folders without ``__init__.py``: both files are the module ``conftest``.
CONFTEST_API = (
    "import pytest\n"
    "\n"
    "async def create_user(name):\n"
    "    return name\n"
    "\n"
    "class Seeder:\n"
    "    async def seed(self):\n"
    "        return 1\n"
    "\n"
    "    async def run(self):\n"
    "        self.seed()\n"  # line 11
    "\n"
    "@pytest.fixture\n"
    "async def user():\n"
    "    create_user('ada')\n"  # line 15
    "    return 'ada'\n"
)
CONFTEST_WORKER = (
    "async def drain_queue(queue):\n"
    "    return queue\n"
    "\n"
    "def setup_worker(queue):\n"
    "    drain_queue(queue)\n"  # line 5
    "\n"
    "async def start(queue):\n"
    "    drain_queue(queue)\n"  # line 8
)
# A third folder imports the name two files claim: which one it gets is unknown.
IMPORTS_CONFTEST = (
    "import conftest\n"
    "from conftest import create_user, drain_queue\n"
    "\n"
    "async def test_signup():\n"
    "    create_user('bob')\n"
    "    drain_queue([])\n"
    "    conftest.create_user('eve')\n"
)


def _al101(output: str) -> set[tuple[str, int]]:
    return {(path, line) for path, line, code in findings_of(output) if code == "AL101"}


def test_files_that_share_a_module_name_keep_their_own_definitions(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            **PYPROJECT,
            "tests/api/conftest.py": CONFTEST_API,
            "tests/worker/conftest.py": CONFTEST_WORKER,
            "tests/other/test_signup.py": IMPORTS_CONFTEST,
        },
    )
    result = run("-q", "--no-cache", "--select", "AL101", ".")
    assert _al101(result.stdout) == {
        ("tests/api/conftest.py", 11),
        ("tests/api/conftest.py", 15),
        ("tests/worker/conftest.py", 5),
        ("tests/worker/conftest.py", 8),
    }
    assert result.stderr == ""
    # Linted alone, each file is still indexed under a name of its own.
    alone = run("-q", "--no-cache", "--select", "AL101", "tests/worker/conftest.py")
    assert _al101(alone.stdout) == {
        ("tests/worker/conftest.py", 5),
        ("tests/worker/conftest.py", 8),
    }


def test_an_import_of_a_name_only_one_file_claims_resolves(project: Path, run: Run) -> None:
    write_tree(
        project,
        {**PYPROJECT, "tests/conftest.py": CONFTEST_API, "tests/test_signup.py": IMPORTS_CONFTEST},
    )
    result = run("-q", "--no-cache", "--select", "AL101", "tests/test_signup.py")
    assert _al101(result.stdout) == {("tests/test_signup.py", 5), ("tests/test_signup.py", 7)}


def test_copies_of_one_file_are_one_module(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            **PYPROJECT,
            "a/conftest.py": CONFTEST_WORKER,
            "b/conftest.py": CONFTEST_WORKER,
            "c/test_start.py": (
                "from conftest import drain_queue\n\nasync def t():\n    drain_queue(1)\n"
            ),
        },
    )
    result = run("-q", "--no-cache", "--select", "AL101", ".")
    assert ("c/test_start.py", 4) in _al101(result.stdout)
    assert {("a/conftest.py", 5), ("b/conftest.py", 8)} <= _al101(result.stdout)


def test_flake8_knows_the_files_own_name(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(
        project,
        {**PYPROJECT, "a/conftest.py": CONFTEST_API, "b/conftest.py": CONFTEST_WORKER},
    )
    monkeypatch.setattr(asynclint.flake8_plugin, "_sessions", {})
    Plugin.parse_options(SimpleNamespace())
    lines = (project / "b/conftest.py").read_text().splitlines(keepends=True)
    found = Plugin(ast.parse("".join(lines)), "b/conftest.py", lines).run()
    assert {line for line, _, message, _ in found if message.startswith("AL101")} == {5, 8}


# A library written for Python 3.14: the running ``ast`` may not parse it.
NEWER_SYNTAX = (
    "type Payload = dict[str, object]\n"
    "type Pair[T] = tuple[T, T]\n"
    "\n"
    "class Store[T]:\n"
    "    async def save[K: str = str](self, key: K, item: T) -> None:\n"
    "        try:\n"
    "            pass\n"
    "        except KeyError, ValueError:\n"
    "            pass\n"
    "\n"
    "    def label(self, key):\n"
    '        return f"{key["name"]!r:>{10}}"\n'
    "\n"
    "async def fetch[T](url: T) -> T:\n"
    "    return url\n"
)
USES_NEWER = (
    "from store import Store, fetch\n"
    "\n"
    "async def sync_all():\n"
    "    fetch('https://example.org')\n"  # line 4
    "    Store().save('k', 1)\n"  # line 5
    "    Store().label('k')\n"
)


def test_a_module_in_newer_syntax_is_still_indexed(project: Path, run: Run) -> None:
    write_tree(project, {**PYPROJECT, "store.py": NEWER_SYNTAX, "app.py": USES_NEWER})
    result = run("-q", "--no-cache", "--select", "AL101", "app.py")
    assert _al101(result.stdout) == {("app.py", 4), ("app.py", 5)}
    assert result.stderr == ""


BROKEN = "def handler(:\n    pass\n"
CALLER = "from service import notify\n\nasync def main():\n    notify()\n"
SERVICE = "async def notify():\n    pass\n"
NOTE = (
    "asynclint: 1 file could not be read for the project index "
    "(what it defines is unknown to other files): broken.py"
)


def test_a_file_no_reader_parses_is_named_once_per_run(project: Path, run: Run) -> None:
    write_tree(project, {**PYPROJECT, "broken.py": BROKEN, "service.py": SERVICE, "app.py": CALLER})
    first = run("-q", "--select", "AL101", "app.py")
    assert first.stderr.splitlines() == [NOTE]
    assert _al101(first.stdout) == {("app.py", 4)}
    assert first.exit_code == 1
    # The second run reads the summaries from the cache, and says so again.
    assert (project / ".asynclint_cache").is_dir()
    second = run("-q", "--select", "AL101", "app.py")
    assert second.stderr.splitlines() == [NOTE]
    assert second.stdout == first.stdout
    # Linted, the file is reported as it is (AL001), and not named again.
    every = run("-q", "--select", "AL101", ".")
    assert every.stderr == ""
    assert ("app.py", 4) in _al101(every.stdout)
    assert [code for path, _, code in findings_of(every.stdout) if path == "broken.py"] == ["AL001"]


def test_many_unreadable_files_are_counted(project: Path, run: Run) -> None:
    broken = {f"broken{i}.py": BROKEN for i in range(7)}
    write_tree(project, {**PYPROJECT, **broken, "app.py": CALLER})
    result = run("-q", "--no-cache", "--select", "AL101", "--exit-zero", "app.py")
    [line] = result.stderr.splitlines()
    assert line.startswith("asynclint: 7 files could not be read for the project index")
    assert line.endswith(": broken0.py, broken1.py, broken2.py, broken3.py, broken4.py, ...")
    assert result.exit_code == 0


def test_a_file_that_cannot_be_opened_is_named(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(project, {**PYPROJECT, "locked.py": SERVICE, "app.py": CALLER})
    read_regular = store_module.read_regular

    def refuse(path: pathlib.Path) -> bytes:
        if pathlib.Path(path).name == "locked.py":
            raise PermissionError(13, "Permission denied", str(path))
        return read_regular(path)

    monkeypatch.setattr(store_module, "read_regular", refuse)
    result = run("-q", "--no-cache", "--select", "AL101", "app.py")
    assert result.stderr.splitlines() == [NOTE.replace("broken.py", "locked.py")]
    assert result.stdout == ""  # what ``notify`` is, is unknown


def test_downgrade_rewrites_newer_syntax() -> None:
    code = downgrade(NEWER_SYNTAX + "try:\n    pass\nexcept* OSError, KeyError:\n    pass\n")
    assert code is not None
    tree = ast.parse(code)  # the running Python's grammar
    assert "Payload = dict[str, object]" in code
    assert "class Store:" in code and "async def fetch(url: T) -> T:" in code
    assert "except (KeyError, ValueError):" in code
    assert "except (OSError, KeyError):" in code and "except*" not in code
    assert 'key["name"]' in code and "f'" not in code and 'f"' not in code
    assert len(tree.body) == 5
    assert downgrade("def handler(:\n") is None


def test_downgraded_strings_keep_their_expressions() -> None:
    code = downgrade(
        "x = 'a' f\"{d['k']}\" t'{tpl}' \"b\"\ny = f'{a}'\nz = f'plain'\nw = b'a' b'b'\n"
    )
    assert code is not None
    assert code.splitlines() == [
        "x = (\"\" % ((d['k']), (tpl)))",
        'y = ("" % ((a),))',
        'z = ""',
        "w = b'a' b'b'",
    ]


def test_summaries_of_newer_syntax_and_of_unreadable_source(tmp_path: Path) -> None:
    fact = summarize(NEWER_SYNTAX, "store")
    assert fact.readable
    assert fact.functions["fetch"].kind == "coroutine"
    assert fact.classes["Store"].methods["save"].kind == "coroutine"
    assert "label" in fact.classes["Store"].methods
    broken = summarize(BROKEN, "broken")
    assert not broken.readable and not broken.functions
    # The cache keeps that the file could not be read.
    cache = SummaryCache(tmp_path)
    key = cache.key(BROKEN.encode(), "broken", False)
    cache.save([(key, tmp_path / "broken.py", broken, None)])
    loaded = cache.load(key)
    assert isinstance(loaded, ModuleFact) and not loaded.readable


GENERIC_LINES = (
    "import asyncio\n\n"
    "type Pair[K, V] = tuple[K, V]\n"
    "class Cache[\n    K: (str, bytes),\n    V = int,\n](dict[K, V]):\n"
    "    type Item = Pair[K, V]\n"
    "    async def load[T](self, key: K) -> T:\n"
    "        try:\n            await asyncio.sleep(0)\n"
    "        except KeyError, ValueError:\n            raise\n"
    "        except (OSError, TimeoutError) as error:\n            raise error\n"
    "def make[T](): return Cache()\n"
)


def test_newer_lines_are_rewritten_without_libcst() -> None:
    code = downgrade_module.by_lines(GENERIC_LINES)
    assert code is not None
    ast.parse(code)  # the running Python's grammar
    assert "Pair = tuple[K, V]" in code and "    Item = Pair[K, V]" in code
    assert "class Cache(dict[K, V]):" in code and "async def load(self, key: K)" in code
    assert "except (KeyError, ValueError):" in code and "def make(): " in code
    # What the summaries are made of is the same as through LibCST.
    facts = []
    for tree in (ast.parse(code), ast.parse(downgrade(GENERIC_LINES) or "")):
        facts.append(summarise_module._Summarizer("m", False, tree).module(tree))
    assert facts[0] == facts[1] and facts[0].classes["Cache"].methods["load"].kind == "coroutine"


def test_newer_syntax_the_lines_cannot_undo_is_read_through_libcst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = []
    original = downgrade_module.downgrade
    monkeypatch.setattr(downgrade_module, "downgrade", lambda s: read.append(s) or original(s))
    source = 'type A = int\nasync def get():\n    return f"{\'a\' + f"{x}"}"\n'
    fact = summarize(source, "m")
    assert fact.readable and fact.functions["get"].kind == "coroutine" and read == [source]
    read.clear()
    assert summarize(GENERIC_LINES, "m").readable and read == []
