"""The language server's work on text, without a client: options as editors send them, one
finding's quick fix, the lines an edit changes, and the server's start without its extra."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from asynclint.server.linting import (
    ClientOptions,
    Linter,
    Snapshot,
    changed_lines,
    read_options,
    with_file_noqa,
    with_line_noqa,
)


def test_options_are_read_as_editors_send_them(tmp_path: Path) -> None:
    options, warnings = read_options(
        {"asynclint": {"extend_select": "AL4, AL002", "ignore": ["blocking-sleep"]}}, tmp_path
    )
    assert options == ClientOptions(extend_select=("AL4", "AL002"), ignore=("AL201",))
    assert warnings == []
    options, warnings = read_options({"select": ["AL2O1"], "unsafe-fixes": "yes"}, tmp_path)
    assert options == ClientOptions()
    assert len(warnings) == 2 and "did you mean AL201?" in warnings[0]


def test_edits_change_whole_lines_only() -> None:
    change = changed_lines("a\nb\nc", "a\nB\nc")
    assert change is not None and (change.start_line, change.end, change.text) == (1, (2, 0), "B\n")
    end = changed_lines("a\nb", "a\nc")
    assert end is not None and (end.start_line, end.end, end.text) == (1, (1, 1), "c")
    assert changed_lines("x", "x") is None
    assert with_file_noqa("#!/usr/bin/env python\nimport x\n") == (
        "#!/usr/bin/env python\n# asynclint: noqa\nimport x\n"
    )
    assert with_file_noqa("# asynclint: noqa\nimport x\n") is None


def test_without_the_extra_a_clear_line(tmp_path: Path) -> None:
    """Without pygls, one line naming the extra and a non-zero exit status, no traceback."""
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pygls', 'lsprotocol'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, _Block())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "asynclint", "server"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert re.fullmatch(
        r"asynclint server needs the `server` extra .*: from a checkout of asynclint, "
        r"pip install '\.\[server\]' .*\n",
        done.stderr,
    )


def test_disable_for_this_line_only_where_a_comment_can_stand() -> None:
    linter = Linter(ClientOptions())
    plain = "import time\n\nasync def f():\n    time.sleep(1)\n"
    result = linter.lint(Snapshot("untitled:1", None, plain))
    assert result is not None
    assert with_line_noqa(plain, result.diagnostics[0]) == plain.replace(
        "sleep(1)\n", "sleep(1)  # noqa: AL201\n"
    )
    # The call's line opens a string that spans lines: no comment can end it.
    opened = 'import time\n\nasync def f():\n    time.sleep(len("""\n    """))\n'
    result = linter.lint(Snapshot("untitled:2", None, opened))
    assert result is not None
    assert with_line_noqa(opened, result.diagnostics[0]) is None
    broken = linter.lint(Snapshot("untitled:3", None, "def f(:\n"))
    assert broken is not None and broken.diagnostics[0].code == "AL001"
    assert with_line_noqa("def f(:\n", broken.diagnostics[0]) is None
