"""Fixes that must hold up in real projects: what a fix writes runs on the oldest Python the
project targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, write_tree

DROPPED = "import asyncio\n\n\nasync def start(job):\n    asyncio.create_task(job())\n"


@pytest.mark.parametrize(
    ("version", "annotation"),
    [("py38", '"set[asyncio.Task]"'), ("py39", "set[asyncio.Task]")],
)
def test_the_task_set_annotation_runs_on_the_target(
    run: Run, project: Path, version: str, annotation: str
) -> None:
    """``set[...]`` at module level is evaluated on import: before 3.9 it raises TypeError."""
    write_tree(project, {"app.py": DROPPED})
    result = run("--no-cache", "--target-version", version, "--fix", "--unsafe-fixes", "app.py")
    assert result.exit_code == 0, result.stdout
    fixed = (project / "app.py").read_text(encoding="utf-8")
    assert f"_background_tasks: {annotation} = set()\n" in fixed


LONG_CALL = (
    "import pathlib\n\nimport trio\n\n\nasync def save(name, text):\n"
    "    path = pathlib.Path(name)\n"
    '    path.write_text(f"{text} and the rest of a rather long text", encoding="utf-8")\n'
    '    path.write_text(text, encoding="utf-8")  # type: ignore[arg-type]\n'
)


def test_a_long_thread_fix_gets_a_line_for_its_arguments(run: Run, project: Path) -> None:
    """A one-line call whose thread form would make a long line is wrapped; one whose line
    ends in a comment is not (the comment stays on the call's line)."""
    write_tree(project, {"app.py": LONG_CALL})
    result = run("--no-cache", "--fix", "--unsafe-fixes", "app.py")
    assert result.exit_code == 0, result.stdout
    lines = (project / "app.py").read_text(encoding="utf-8").splitlines()
    assert lines[-4:-1] == [
        "    await trio.to_thread.run_sync(",
        '        functools.partial(path.write_text, f"{text} and the rest of a rather long '
        'text", encoding="utf-8")',
        "    )",
    ]
    assert lines[-1].startswith("    await trio.to_thread.run_sync(functools.partial(")
    assert lines[-1].endswith("  # type: ignore[arg-type]")


STATIC = (
    "from pathlib import Path\n\n\nasync def serve(root, name):\n"
    "    file_path = (Path(root) / name).resolve()\n"
    "    if file_path.is_dir():\n        return None\n    return file_path\n"
)


def test_what_a_thread_fix_returns_keeps_its_type(run: Run, project: Path) -> None:
    """After ``file_path = await asyncio.to_thread(path.resolve)`` (sanic's static files),
    ``file_path.is_dir()`` is still seen to block: the fix hides no finding."""
    write_tree(project, {"app.py": STATIC})
    result = run("--no-cache", "--select", "AL204", "--fix", "--unsafe-fixes", "app.py")
    assert "Found 2 findings (1 fixed, 1 remaining)." in result.stdout
    assert "app.py:7:8: AL204 `file_path.is_dir()`" in result.stdout
