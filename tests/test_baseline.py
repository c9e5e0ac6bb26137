"""``--write-baseline`` and ``--baseline``: today's findings recorded, only new ones reported
afterwards, through line moves and unrelated edits."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import Run, write_tree

LEGACY = (
    "import asyncio\n"
    "import time\n"
    "\n"
    "\n"
    "class Poller:\n"
    "    async def poll(self):\n"
    "        time.sleep(1)\n"
    "        time.sleep(1)\n"
    "        asyncio.create_task(self.poll())\n"
    "\n"
    "\n"
    "async def main():\n"
    "    time.sleep(1)\n"
)


def _codes(stdout: str) -> list[str]:
    return [line.split(": ", 1)[0] + " " + line.split()[1] for line in stdout.splitlines()]


def test_a_baseline_leaves_out_todays_findings_and_shows_new_ones(run: Run, project: Path) -> None:
    write_tree(project, {"app/poller.py": LEGACY, "app/other.py": "x = 1\n"})
    written = run("--write-baseline", "baseline.json", ".")
    assert written.exit_code == 0
    assert written.stderr == "Wrote 4 findings to baseline.json.\n"
    data = json.loads((project / "baseline.json").read_text())
    assert {e["function"] for e in data["findings"]} == {"Poller.poll", "main"}
    assert [e.get("count", 1) for e in data["findings"]].count(2) == 1  # the repeated line
    clean = run("--baseline", "baseline.json", ".")
    assert clean.exit_code == 0
    assert clean.stdout == "4 findings recorded in the baseline not shown.\n"
    # Lines move, unrelated code changes: still nothing new.
    moved = "# a header\n\n" + LEGACY.replace("import time\n", "import time\nimport os\n")
    moved = moved.replace("async def main():\n", "async def main():\n    os.getcwd()\n")
    (project / "app/poller.py").write_text(moved)
    assert run("-q", "--baseline", "baseline.json", ".").stdout == ""
    # A third identical call, and a new mistake elsewhere: exactly those are reported.
    grown = moved.replace("        time.sleep(1)\n", "        time.sleep(1)\n" * 2, 1)
    grown = grown.replace("    os.getcwd()\n", "    os.getcwd()\n    time.sleep(2)\n")
    (project / "app/poller.py").write_text(grown)
    new = run("-q", "--baseline", "baseline.json", ".")
    assert new.exit_code == 1
    assert _codes(new.stdout) == ["app/poller.py:12:9 AL201", "app/poller.py:18:5 AL201"]


def test_the_baseline_matches_from_another_working_folder(run: Run, project: Path) -> None:
    write_tree(project, {"src/app.py": LEGACY})
    assert run("--write-baseline", "ci/baseline.json", "src").exit_code == 0
    os.chdir(project / "src")
    assert run("-q", "--baseline", "../ci/baseline.json", ".").stdout == ""


def test_a_bad_baseline_is_a_usage_error(run: Run, project: Path) -> None:
    write_tree(project, {"app.py": LEGACY, "bad.json": "{not json", "other.json": "[]"})
    for name, message in (
        ("missing.json", "cannot read the baseline missing.json"),
        ("bad.json", "bad.json is not a baseline"),
        ("other.json", "other.json is not an asynclint baseline of this version"),
    ):
        result = run("--baseline", name, ".")
        assert result.exit_code == 2 and message in result.stderr, result.stderr
    combined = run("--baseline", "bad.json", "--fix", ".")
    assert combined.exit_code == 2 and "cannot be combined" in combined.stderr
    assert (project / "app.py").read_text() == LEGACY
