"""Input a hostile user would try: each gives one clear line (or AL001) and the right exit code,
quickly, and the rest of the run goes on."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CLEAN, SLEEPY, Run, finding, write_tree

import asynclint.session
from asynclint.diagnostics import Diagnostic
from asynclint.index import SummaryCache
from asynclint.index.store import STORE_NAME, encode_summary
from asynclint.linter import check_source
from asynclint.rules import ALL_RULES
from asynclint.runner import MAX_SOURCE_BYTES, Task, check_task

PYPROJECT = {"pyproject.toml": "[project]\nname = 'demo'\n"}
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices")


def _asynclint(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, which a hang cannot keep past the timeout."""
    argv = [sys.executable, "-m", "asynclint", "--jobs", "1", *args]
    return subprocess.run(
        argv, cwd=cwd, input=stdin.decode(), capture_output=True, text=True, timeout=60
    )


# --- what CPython rejects is AL001, at once ---------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('import time\nasync def f():\n    time.sleep(1)\nx = "a\x00b"\n', "null bytes"),
        ("x = " + "(" * 3000 + "1" + ")" * 3000 + "\n", "too many nested parentheses"),
        ("x = " + "[" * 3000 + "]" * 3000 + "\n", "too many nested parentheses"),
        ("x = " + "g(" * 3000 + ")" * 3000 + "\n", "too many nested parentheses"),
        ("x = " + " + ".join(["a"] * 10_000) + "\n", "cannot parse: nested too deeply"),
        ("if x:\n\tif y:\n        pass\n", "inconsistent use of tabs"),
    ],
)
def test_what_python_cannot_compile_is_al001_at_once(
    tmp_path: Path, source: str, message: str
) -> None:
    path = tmp_path / "hostile.py"
    path.write_text(source, encoding="utf-8")
    began = time.monotonic()
    result = check_task(Task(str(path), "hostile.py", ("AL201",)))
    assert time.monotonic() - began < 5
    assert result.problems == []
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "AL001"
    assert message in diagnostic.message


def test_a_file_with_a_null_byte_is_not_fixed(run: Run, project: Path) -> None:
    source = 'import time\n\nasync def f():\n    time.sleep(1)\n\nx = "a\x00b"\n'
    write_tree(project, {"nul.py": source, "a.py": SLEEPY})
    result = run("--fix", "--unsafe-fixes", "-q", ".")
    assert (project / "nul.py").read_text(encoding="utf-8") == source
    first = result.stdout.splitlines()[0]
    assert first.startswith("nul.py:1:1: AL001 ") and first.endswith("cannot contain null bytes")
    assert result.exit_code == 1


def test_a_fix_that_does_not_compile_is_refused() -> None:
    """The verified rewrite compiles what a fix made: LibCST alone would accept a tree CPython
    rejects."""
    from asynclint import linter

    source = "x = 1\n"
    module, compiles = linter._parse(source, "m.py")
    assert compiles and not isinstance(module, Diagnostic)
    nested = "x = " + "(" * 201 + "1" + ")" * 201 + "\n"
    refused = linter._parse_and_lint("m.py", [], None, nested, None, False)
    assert isinstance(refused, Diagnostic) and refused.code == "AL001"
    if sys.version_info < (3, 12):  # newer syntax: accepted only where the original had it
        newer = "type A = int\n"
        assert isinstance(linter._parse_and_lint("m.py", [], None, newer, None, False), Diagnostic)
        assert not isinstance(
            linter._parse_and_lint("m.py", [], None, newer, None, True), Diagnostic
        )


def test_newer_syntax_than_the_running_python_is_still_linted() -> None:
    source = "import time\ntype A = int\nasync def f():\n    time.sleep(1)\n"
    found = [d.code for d in check_source(source, "new.py", ALL_RULES).diagnostics]
    if sys.version_info < (3, 12):
        assert found == ["AL201"]


# --- encodings, line endings, whitespace -----------------------------------------------


def test_a_coding_cookie_that_lies(run: Run, project: Path) -> None:
    data = "# coding: ascii\nname = 'café'\n".encode()
    write_tree(project, {"liar.py": data, "a.py": SLEEPY})
    result = run("-q", ".")
    assert result.stderr.startswith("asynclint: error: liar.py: cannot decode: ")
    assert result.stderr.count("\n") == 1
    assert (result.stdout, result.exit_code) == (f"{finding('a.py')}\n", 2)


def test_bom_and_crlf_are_kept_by_a_fix(run: Run, project: Path) -> None:
    data = b"\xef\xbb\xbf" + SLEEPY.replace("\n", "\r\n").encode()
    write_tree(project, {"bom.py": data})
    assert run("-q", "bom.py").stdout == f"{finding('bom.py')}\n"
    result = run("--fix", "--unsafe-fixes", "-q", "bom.py")
    fixed = (project / "bom.py").read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf") and fixed.count(b"\r\n") == fixed.count(b"\n")
    assert b"await asyncio.sleep(1)" in fixed and result.exit_code == 0


def test_form_feeds_and_tabs(run: Run, project: Path) -> None:
    source = "import time\n\x0c\nasync def poll():\n\ttime.sleep(1)\n\x0c\n\tx = 1\n"
    write_tree(project, {"ff.py": source})
    result = run("-q", "ff.py")
    assert result.stdout == f"{finding('ff.py', column=2)}\n"
    assert (result.stderr, result.exit_code) == ("", 1)


def test_a_huge_generated_file_is_skipped_with_a_line(run: Run, project: Path) -> None:
    line = "x = 'abcdefghijklmnopqrstuvwxyz0123456789'\n"
    data = line * (10_000_000 // len(line))
    assert len(data) > MAX_SOURCE_BYTES
    write_tree(project, {"huge.py": data, "a.py": SLEEPY})
    began = time.monotonic()
    result = run("-q", "--select", "AL201", ".")
    assert time.monotonic() - began < 20
    assert result.stderr == (
        "asynclint: error: huge.py: too large to lint (10.0 MB; the limit is 2 MB); skipped\n"
    )
    assert (result.stdout, result.exit_code) == (f"{finding('a.py')}\n", 2)


# --- what is no regular file ---------------------------------------------------------------


@posix_only
def test_a_fifo_in_the_project_never_blocks(tmp_path: Path) -> None:
    write_tree(tmp_path, {**PYPROJECT, "good.py": SLEEPY, "pkg/__init__.py": ""})
    os.mkfifo(tmp_path / "pipe.py")
    os.mkfifo(tmp_path / "pkg" / "pipe.py")
    alone = _asynclint("--no-cache", "good.py", cwd=tmp_path)
    assert (alone.stdout, alone.returncode) == (finding("good.py") + "\n" + _found(1), 1)
    stdin = _asynclint("-", "--stdin-filename", "good.py", cwd=tmp_path, stdin=SLEEPY.encode())
    assert stdin.returncode == 1 and finding("good.py") in stdin.stdout
    every = _asynclint("-q", ".", cwd=tmp_path)
    assert every.stderr.splitlines() == [
        "asynclint: error: pipe.py: is a FIFO (named pipe), not a regular file; skipped",
        "asynclint: error: pkg/pipe.py: is a FIFO (named pipe), not a regular file; skipped",
    ]
    assert (every.stdout, every.returncode) == (f"{finding('good.py')}\n", 2)
    named = _asynclint("-q", "pipe.py", "good.py", cwd=tmp_path)
    assert named.stderr == (
        "asynclint: error: pipe.py: is a FIFO (named pipe), not a regular file; skipped\n"
    )
    assert named.returncode == 2


def _found(count: int) -> str:
    more = f"{count} more fixable with `--fix --unsafe-fixes`."
    return f"Found {count} finding{'s' * (count != 1)}.\n{more}\n"


@posix_only
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_link_to_a_device_is_never_read(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY})
    (project / "zero.py").symlink_to("/dev/zero")
    named = run("-q", "zero.py", "a.py")
    assert named.stderr == "asynclint: error: zero.py: is a device, not a regular file; skipped\n"
    assert (named.stdout, named.exit_code) == (f"{finding('a.py')}\n", 2)
    walked = run("-q", ".")
    assert walked.stderr == named.stderr and walked.exit_code == 2


def test_a_file_that_disappears_after_discovery(tmp_path: Path) -> None:
    result = check_task(Task(str(tmp_path / "gone.py"), "gone.py", ("AL201",)))
    assert [p.message for p in result.problems] == [
        "cannot read: no such file (gone since it was found)"
    ]


def test_a_file_that_changes_before_the_index_reads_it(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary made is of what was read, kept under the key of what was read."""
    write_tree(project, {**PYPROJECT, "service.py": "def notify():\n    pass\n"})
    write_tree(project, {"app.py": "from service import notify\nasync def m():\n    notify()\n"})
    changed = b"async def notify():\n    pass\n"
    real = asynclint.session.read_regular

    def read(path: Path | str) -> bytes:
        return changed if Path(path).name == "service.py" else real(path)

    monkeypatch.setattr(asynclint.session, "read_regular", read)
    first = run("-q", "--select", "AL101", "app.py")
    assert [line.split()[1] for line in first.stdout.splitlines()] == ["AL101"]
    cache = SummaryCache(project / ".asynclint_cache")
    assert cache.load(SummaryCache.key(changed, "service", False)) is not None
    cache.store.close()
    monkeypatch.setattr(asynclint.session, "read_regular", real)
    second = run("-q", "--select", "AL101", "app.py")  # the file as it is: a plain function
    assert (second.stdout, second.stderr) == ("", "")


# --- the cache store -------------------------------------------------------------------


def test_a_cache_store_that_cannot_be_opened(run: Run, project: Path) -> None:
    write_tree(project, {**PYPROJECT, "a.py": SLEEPY, ".asynclint_cache": "not a folder"})
    result = run("-q", "a.py")
    assert result.stderr.startswith("asynclint: the cache in ")
    assert result.stderr.endswith("; going on without it\n") and result.stderr.count("\n") == 1
    assert (result.stdout, result.exit_code) == (f"{finding('a.py')}\n", 1)


def test_a_cache_written_by_a_newer_version_is_left_alone(run: Run, project: Path) -> None:
    write_tree(project, {**PYPROJECT, "a.py": SLEEPY})
    store = project / ".asynclint_cache" / STORE_NAME
    store.parent.mkdir()
    with sqlite3.connect(store) as connection:
        connection.execute("CREATE TABLE future (x)")
        connection.execute("PRAGMA user_version=999")
    result = run("-q", "a.py")
    assert result.stderr == (
        f"asynclint: the cache in {store.parent} cannot be used (written by a newer "
        "asynclint, layout 999); going on without it\n"
    )
    assert (result.stdout, result.exit_code) == (f"{finding('a.py')}\n", 1)
    with sqlite3.connect(store) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 999


SERVICE = (
    "async def notify():\n    pass\n\nclass Client:\n    async def send(self):\n        pass\n"
)
CALLER = (
    "from service import Client, notify\n\n"
    "async def main(client: Client):\n    notify()\n    client.send()\n"
)


def _damage_summaries(project: Path, blob: bytes | None) -> int:
    """Give every stored summary the bytes ``blob`` (None: flip one byte of its own)."""
    with sqlite3.connect(project / ".asynclint_cache" / STORE_NAME) as connection:
        rows = connection.execute("SELECT key, data FROM summaries").fetchall()
        for key, data in rows:
            damaged = blob if blob is not None else data[:-3] + bytes([data[-3] ^ 1]) + data[-2:]
            connection.execute("UPDATE summaries SET data = ? WHERE key = ?", (damaged, key))
        connection.execute("DELETE FROM results")  # the file is checked again, not reused
    return len(rows)


@pytest.mark.parametrize(
    "blob",
    [
        encode_summary({"name": "service", "functions": "notify"}),
        encode_summary({"name": "service", "functions": ["notify"]}),
        encode_summary({"name": "service", "functions": {"notify": {"kind": "x", "calls": 5}}}),
        encode_summary({"name": "service", "classes": {"Client": {"bases": 3}}}),
        encode_summary({"name": "service", "stars": [1]}),
        encode_summary({"nom": "service"}),
        b"\0" * 40,
        None,  # one byte changed after it was written: a summary that lies
    ],
)
def test_cache_entries_of_the_wrong_shape_are_made_anew(
    run: Run, project: Path, blob: bytes | None
) -> None:
    write_tree(project, {**PYPROJECT, "service.py": SERVICE, "app.py": CALLER})
    first = run("-q", "--select", "AL101", "app.py")
    assert [line.split()[1] for line in first.stdout.splitlines()] == ["AL101", "AL101"]
    assert _damage_summaries(project, blob) == 2
    second = run("-q", "--select", "AL101", "app.py")
    assert second.stdout == first.stdout
    [line] = second.stderr.splitlines()  # the one summary this run asked for
    assert line.startswith("asynclint: the summary of ") and "service.py" in line
    assert line.endswith(" was damaged; it is made anew")
    third = run("-q", "--select", "AL101", "app.py")
    assert (third.stdout, third.stderr) == (first.stdout, "")


def test_a_kind_swapped_in_the_store_is_never_trusted(project: Path) -> None:
    """An entry changed in place (``coroutine`` for ``function``, same length) fails its check."""
    write_tree(project, {**PYPROJECT, "service.py": SERVICE, "app.py": CALLER})
    cache = SummaryCache(project / ".asynclint_cache")
    fact = cache.summary(SERVICE.encode(), "service", False)
    assert fact.functions["notify"].kind == "coroutine"
    key = cache.key(SERVICE.encode(), "service", False)
    with sqlite3.connect(cache.store.path) as connection:
        [(data,)] = connection.execute("SELECT data FROM summaries WHERE key = ?", (key,))
        lie = data.replace(b"coroutine", b"generator")
        assert lie != data
        connection.execute("UPDATE summaries SET data = ? WHERE key = ?", (lie, key))
    cache.store.close()
    assert SummaryCache(project / ".asynclint_cache").load(key) is None


# --- nothing lost silently -------------------------------------------------------------


def test_every_path_not_checked_is_named(run: Run, project: Path) -> None:
    write_tree(project, {**PYPROJECT, "a.py": SLEEPY, "c.py": CLEAN, "bad.py": b"x = '\xff'\n"})
    (project / "broken.py").symlink_to("missing.py")
    result = run(".")
    assert result.stderr.splitlines() == [
        "asynclint: error: broken.py: broken symbolic link",
        "asynclint: error: bad.py: cannot decode: invalid or missing encoding declaration",
    ]
    assert result.stdout.splitlines()[-1] == "2 files could not be checked (named above)."
    assert result.exit_code == 2


def test_the_index_never_hands_hostile_nesting_to_libcst(run: Run, project: Path) -> None:
    """A run on another file of the project summarises it: CPython's verdict is final there too."""
    deep = "x = " + "[" * 3000 + "]" * 3000 + "\n"
    write_tree(project, {**PYPROJECT, "deep.py": deep, "good.py": SLEEPY})
    began = time.monotonic()
    result = run("-q", "--no-cache", "good.py")
    assert time.monotonic() - began < 10
    assert result.stdout == f"{finding('good.py')}\n"
    assert result.stderr.endswith("(what it defines is unknown to other files): deep.py\n")
