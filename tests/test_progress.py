"""The progress line: only on a terminal, outside CI, without NO_COLOR or --quiet, once a run
has taken more than a second; it counts each stage and is erased at the end."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from conftest import SLEEPY, Run, write_tree

import asynclint.progress as progress_module
from asynclint.progress import Progress, current, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_is_shown_only_where_it_helps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wanted(False, Terminal())
    assert not wanted(True, Terminal())  # --quiet
    assert not wanted(False, io.StringIO())  # a pipe
    monkeypatch.setenv("NO_COLOR", "")
    assert not wanted(False, Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("CI", "true")
    assert not wanted(False, Terminal())


def test_a_long_stage_is_counted_then_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.05)
    monkeypatch.setattr(progress_module, "INTERVAL", 0.01)
    stream = Terminal()
    with Progress(True, stream) as shown:
        assert current() is shown
        shown.begin("listing files")
        time.sleep(0.1)
        items = list(shown.counted(iter(range(5)), "checking files", 5))
        time.sleep(0.1)
    assert items == list(range(5))
    text = stream.getvalue()
    assert "\rasynclint: listing files (0 s)" in text
    assert "\rasynclint: checking files: 5 of 5 (0 s)" in text
    assert text.endswith("\r") and text.rstrip("\r").endswith(" ")  # erased at the end
    assert current() is not shown  # the run is over: stages report to nothing


def test_a_short_run_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    with Progress(True, stream) as shown:
        shown.begin("checking files", 3)
        shown.advance(3)
    assert stream.getvalue() == ""
    silent = Terminal()
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    with Progress(False, silent) as hidden:
        hidden.begin("checking files", 3)
        time.sleep(0.05)
    assert silent.getvalue() == ""


def test_a_run_reports_its_stages(run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing, indexing and checking each begin a stage of the run's progress."""
    stages: list[tuple[str, int | None]] = []
    original = Progress.begin

    def recording(self: Progress, stage: str, total: int | None = None) -> None:
        stages.append((stage, total))
        original(self, stage, total)

    monkeypatch.setattr(Progress, "begin", recording)
    write_tree(project, {"pyproject.toml": "", "a.py": SLEEPY, "b.py": "x = 1\n"})
    assert run("--no-cache", ".").exit_code == 1
    assert [s for s, _ in stages] == [
        "listing files",
        "reading the project",
        "indexing modules",
        "checking files",
    ]
    assert dict(stages)["checking files"] == 2
